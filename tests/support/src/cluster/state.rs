//! What the cluster says: `crm_mon`, the DC's state, where Pacemaker
//! locates a resource, and which node holds the address.

use std::time::Duration;

use super::{network, sh_ok, wait_until, Cluster, Node, VIP};

impl Cluster {
    /// `crm_mon -1` as seen from a node that is up.
    pub fn crm_mon(&self) -> String {
        let o = self.on(self.any_up(), &["crm_mon", "-1", "--include=all"]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    pub fn wait_online(&self) {
        let names: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.is_up())
            .map(|n| n.name.as_str())
            .collect();
        let want = format!("Online: [ {} ]", names.join(" "));
        let ok = wait_until(Duration::from_secs(90), || {
            self.crm_mon().contains(&want) && self.dc_idle()
        });
        assert!(ok, "cluster not online ({want}):\n{}", self.crm_mon());
    }

    /// The DC has nothing left to do (no transition in flight).
    pub fn dc_idle(&self) -> bool {
        let mon = self.crm_mon();
        let Some(dc) = mon
            .lines()
            .find_map(|l| l.split("Current DC:").nth(1))
            .and_then(|r| r.split_whitespace().next())
        else {
            return false;
        };
        // a DC that was just fenced can hang crmadmin without a timeout
        let o = self.on(self.any_up(), &["crmadmin", "-t", "5s", "-S", dc]);
        let text =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        text.contains("S_IDLE")
    }

    /// Waits until the DC is idle (every action of the last transition done).
    #[track_caller]
    pub fn settle(&self) {
        let ok = wait_until(Duration::from_secs(60), || self.dc_idle());
        assert!(ok, "cluster did not settle:\n{}", self.crm_mon());
    }

    /// Whether the address is on the node's eth0 (the namespace outlives a power-off).
    pub fn has_vip(&self, node: &str) -> bool {
        network::vip_in(&self.node(node).ns())
    }

    /// Removes the address from a node by hand.
    pub fn delete_vip(&self, node: &str) {
        let ns = self.node(node).ns();
        let cidr = format!("{VIP}/24");
        sh_ok("ip", &["-n", &ns, "addr", "del", &cidr, "dev", "eth0"]);
    }

    /// The node that holds the address (exactly one, or the test fails).
    #[track_caller]
    pub fn holder(&self) -> String {
        let h: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| self.has_vip(&n.name))
            .collect();
        assert_eq!(h.len(), 1, "expected exactly one holder of {VIP}");
        h[0].name.clone()
    }

    /// Where Pacemaker thinks a resource runs.
    pub fn locate(&self, rsc: &str) -> Vec<String> {
        let o = self.on(
            self.any_up(),
            &["crm_resource", "--resource", rsc, "--locate"],
        );
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| l.split("running on:").nth(1))
            .map(|s| s.trim().to_string())
            .collect()
    }
}
