//! What Pacemaker recorded about a resource, read from outside: the lines
//! of every node's log since a moment (the results of its operations, the
//! scheduler's recovery decisions, fencing decisions), `crm_mon`'s failed
//! actions (text and XML) and the fail count.

use super::watch::{log_ts, this_year};
use super::Cluster;

/// One operation result from a node's log (`Result of monitor operation
/// for pxe on n1: OCF_DEGRADED (...) | ... rc=190`).
#[derive(Debug, Clone)]
pub struct OpResult {
    pub at: f64,
    pub node: String,
    pub rc: String,
    pub line: String,
}

impl Cluster {
    /// Every node's Pacemaker log lines at or after `since` (epoch seconds)
    /// that contain one of `needles`, each prefixed with the node's name.
    pub fn log_lines(&self, since: f64, needles: &[&str]) -> Vec<String> {
        let year = this_year();
        let mut out = Vec::new();
        for n in &self.nodes {
            for l in self.pacemaker_log(&n.name).lines() {
                if needles.iter().any(|w| l.contains(w))
                    && log_ts(l, year).is_some_and(|t| t >= since - 0.05)
                {
                    out.push(format!("{}: {l}", n.name));
                }
            }
        }
        out
    }

    /// The results of `op` (monitor, stop, start) for `rsc` on any node
    /// since `since`, as the controller logs them (it logs a recurring
    /// monitor's result only when it changes), oldest first per node.
    pub fn op_results(&self, rsc: &str, op: &str, since: f64) -> Vec<OpResult> {
        let year = this_year();
        let want = format!("Result of {op} operation for {rsc} on ");
        let mut out = Vec::new();
        for n in &self.nodes {
            for l in self.pacemaker_log(&n.name).lines() {
                if !l.contains(&want) || !l.contains("pacemaker-controld") {
                    continue;
                }
                let Some(at) = log_ts(l, year).filter(|t| *t >= since - 0.05) else {
                    continue;
                };
                let rc = l
                    .split(" rc=")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .unwrap_or("?")
                    .to_string();
                let node = l
                    .split(&want)
                    .nth(1)
                    .and_then(|r| r.split(':').next())
                    .unwrap_or("?")
                    .to_string();
                out.push(OpResult {
                    at,
                    node,
                    rc,
                    line: l.to_string(),
                });
            }
        }
        out.sort_by(|a, b| a.at.total_cmp(&b.at));
        out
    }

    /// Every stop, start or recovery of `rsc` since `since`: the scheduler's
    /// `Actions: Recover|Restart|Move|Stop|Start pxe ...` lines, the results
    /// of stops and starts, and fencing decisions.
    pub fn recovery_since(&self, rsc: &str, since: f64) -> Vec<String> {
        self.log_lines(since, &[rsc, "will be fenced"])
            .into_iter()
            .filter(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                let action = l.contains("Actions:")
                    && words.contains(&rsc)
                    && ["Recover", "Restart", "Move", "Stop", "Start"]
                        .iter()
                        .any(|a| words.contains(a));
                action
                    || l.contains(&format!("Result of stop operation for {rsc}"))
                    || l.contains(&format!("Result of start operation for {rsc}"))
                    || l.contains("will be fenced")
            })
            .collect()
    }

    /// The entries under `crm_mon -1`'s "Failed Resource Actions".
    pub fn failed_actions(&self) -> Vec<String> {
        self.crm_mon()
            .split("Failed Resource Actions:")
            .nth(1)
            .unwrap_or("")
            .lines()
            .filter(|l| l.trim_start().starts_with("* "))
            .map(|l| l.trim().to_string())
            .collect()
    }

    /// For the record: every result of monitor, stop and start of `rsc`
    /// since `since`, the scheduler's actions for it and fencing decisions,
    /// and what the agent said on stop (the executor's output lines).
    pub fn op_story(&self, rsc: &str, since: f64) -> String {
        let mut lines: Vec<String> = ["monitor", "stop", "start"]
            .iter()
            .flat_map(|op| self.op_results(rsc, op, since))
            .map(|r| format!("{}: {}", r.node, r.line))
            .collect();
        lines.extend(
            self.recovery_since(rsc, since)
                .into_iter()
                .filter(|l| !l.contains("Result of")),
        );
        lines.extend(
            self.log_lines(since, &[&format!("{rsc}_stop_0[")])
                .into_iter()
                .filter(|l| l.contains("output")),
        );
        let year = this_year();
        let at = |l: &String| {
            l.split_once(": ")
                .and_then(|(_, r)| log_ts(r, year))
                .unwrap_or(0.0)
        };
        lines.sort_by(|a, b| at(a).total_cmp(&at(b)));
        lines.join("\n  ")
    }

    /// `crm_mon --output-as=xml`'s `<failure .../>` elements and the
    /// `<resource id="rsc" .../>` element, as text.
    pub fn mon_xml(&self, rsc: &str) -> (Vec<String>, Option<String>) {
        let o = self.on(self.any_up(), &["crm_mon", "-1", "--output-as=xml"]);
        let xml = String::from_utf8_lossy(&o.stdout).into_owned();
        let elements = |tag: &str| -> Vec<String> {
            xml.split(&format!("<{tag} "))
                .skip(1)
                .filter_map(|r| r.split('>').next())
                .map(|r| format!("<{tag} {r}>"))
                .collect()
        };
        let failures = elements("failure");
        let resource = elements("resource")
            .into_iter()
            .find(|e| e.contains(&format!("id=\"{rsc}\"")));
        (failures, resource)
    }

    /// The fail count of `rsc` on `node` (`crm_failcount`; "0" when none).
    pub fn fail_count(&self, rsc: &str, node: &str) -> String {
        let o = self.on(
            self.any_up(),
            &["crm_failcount", "--query", "-r", rsc, "-N", node, "-q"],
        );
        let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
        if v.is_empty() {
            "0".into()
        } else {
            v
        }
    }
}
