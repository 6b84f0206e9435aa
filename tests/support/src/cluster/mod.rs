//! A real, fenced Pacemaker cluster on one machine, for the cluster tests.
//!
//! Every node runs corosync, pacemakerd and its own dockerd in its own
//! network, mount, UTS, IPC and PID namespaces (tini is PID 1; killing it is
//! a power failure). The nodes and a client namespace hang off a bridge that
//! lives in a namespace of its own, so nothing is added to the machine's
//! network. Fencing is on in every cluster: a fence device of the tests
//! (`fence_hc`) powers nodes off through a power controller in the test
//! process. Names: namespaces `hc-*`, state under `/tmp/croit-hc`, the
//! agent at `/usr/sbin/fence_hc`.
//!
//! Files: [`network`] (bridge, client), [`node`] (a node's state and
//! power), [`fencing`] (agent, power controller, device), [`service`] (the
//! image, containers and our resource), [`watch`] (background watchers, log
//! times), [`timing`] (failover and move measurements, tables), [`dockerd`]
//! (a node's engine stopped and started again while the node runs), [`pcmk`]
//! (what Pacemaker recorded: operation results, recoveries, failed actions).

pub mod agents;
pub mod dockerd;
pub mod faults;
pub mod fencing;
pub mod network;
pub mod node;
pub mod pcmk;
pub mod service;
pub mod state;
pub mod timing;
pub mod watch;

use std::fs::{self, File};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::fcntl::{Flock, FlockArg};

pub use network::client_get;
pub use node::Node;
// the facade; each test file uses part of it
pub use timing::{failover, failover_rows, graceful_move, timing_table, Failover};
pub use watch::ServiceWatch;

/// State folder of the harness.
pub const DIR: &str = "/tmp/croit-hc";
/// The virtual address every scenario moves around.
pub const VIP: &str = "10.78.0.50";
/// The image every node imports (busybox httpd on :8080 saying which node serves).
pub const IMAGE: &str = "croit-hc/busybox:latest";
/// Lock shared with anything else that installs or removes the agent.
const OCF_LOCK: &str = "/tmp/croit-ocf.lock";
const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Seconds since the epoch, as a float (the unit of every timing here).
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn sh(cmd: &str, args: &[&str]) -> Output {
    match Command::new(cmd).args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run {cmd}: {e}"),
    }
}

#[track_caller]
fn sh_ok(cmd: &str, args: &[&str]) -> String {
    let o = sh(cmd, args);
    assert!(
        o.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Polls `f` every 50 ms until it holds or `limit` passes.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// How a cluster is built.
#[derive(Debug, Clone)]
pub struct Setup {
    /// One to three nodes (three: quorum decides, no `two_node`).
    pub nodes: usize,
    /// corosync's token timeout, ms.
    pub token: u32,
    /// The nodes' dockerds run with `--live-restore`.
    pub live_restore: bool,
}

/// A running cluster of one to three nodes plus a client, fencing on.
pub struct Cluster {
    pub nodes: Vec<Node>,
    power: Option<fencing::PowerControl>,
    _lock: Flock<File>,
}

impl Cluster {
    /// [`Cluster::start`] with the default setup.
    pub fn new(nodes: usize, token: u32) -> Cluster {
        Cluster::start(Setup {
            nodes,
            token,
            live_restore: false,
        })
    }

    /// Builds the network, starts every node, waits until all are online,
    /// then registers the fence device and turns fencing on.
    pub fn start(setup: Setup) -> Cluster {
        let count = setup.nodes;
        assert!(
            (1..=3).contains(&count),
            "the harness builds one to three nodes"
        );
        let lock = match File::create(OCF_LOCK) {
            Ok(f) => match Flock::lock(f, FlockArg::LockExclusive) {
                Ok(l) => l,
                Err((_, e)) => panic!("flock {OCF_LOCK}: {e}"),
            },
            Err(e) => panic!("cannot open {OCF_LOCK}: {e}"),
        };
        for tool in [
            "corosync",
            "pacemakerd",
            "pcs",
            "crm_mon",
            "tini",
            "dockerd",
            "tcpdump",
        ] {
            let found = sh("sh", &["-c", &format!("command -v {tool}")])
                .status
                .success();
            assert!(
                found,
                "{tool} is missing: install the packages of tests/env/packages.sh"
            );
        }
        node::cleanup_stale();
        fs::create_dir_all(DIR).expect("state folder");
        let nodes: Vec<Node> = (1..=count).map(Node::new).collect();
        network::build(&nodes);
        node::build_rootfs();
        let flags = if setup.live_restore {
            "--live-restore"
        } else {
            ""
        };
        for n in &nodes {
            node::write_state(n, &nodes, setup.token, flags);
        }
        fencing::install_agent();
        let power = fencing::PowerControl::start(nodes.clone());
        let c = Cluster {
            nodes,
            power: Some(power),
            _lock: lock,
        };
        for n in &c.nodes {
            if let Err(e) = n.boot() {
                panic!("{e}");
            }
        }
        c.wait_online();
        for n in &c.nodes {
            c.import_image(n);
        }
        c.enable_fencing();
        c
    }

    /// The fence device registered and started, fencing on (two nodes:
    /// with `priority-fencing-delay`; tests give their resource a priority;
    /// three nodes: `no-quorum-policy=stop`).
    /// A single node needs a device too: with fencing on and none, Pacemaker
    /// starts nothing.
    fn enable_fencing(&self) {
        let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
        for cmd in fencing::setup_commands(&names) {
            self.sh_on("n1", &cmd);
        }
        let dev = fencing::DEVICE;
        let ok = wait_until(Duration::from_secs(30), || {
            self.crm_mon()
                .lines()
                .any(|l| l.contains(dev) && l.contains("Started"))
                && self.dc_idle()
        });
        assert!(ok, "fence device {dev} did not start:\n{}", self.crm_mon());
        let o = self.on(
            "n1",
            &[
                "crm_attribute",
                "--type",
                "crm_config",
                "-G",
                "-n",
                "stonith-enabled",
                "-q",
            ],
        );
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "true");
    }

    pub fn node(&self, name: &str) -> &Node {
        match self.nodes.iter().find(|n| n.name == name) {
            Some(n) => n,
            None => panic!("no node {name}"),
        }
    }

    /// Runs a command in every namespace of a node.
    #[track_caller]
    pub fn on(&self, node: &str, args: &[&str]) -> Output {
        let Some(tini) = self.node(node).tini() else {
            panic!("node {node} is down");
        };
        let t = tini.to_string();
        let mut a = vec!["-t", &t, "-n", "-m", "-u", "-i", "-p", "--", "env", PATH];
        a.extend_from_slice(args);
        sh("nsenter", &a)
    }

    /// Like [`Cluster::on`], failing the test on a non-zero exit.
    #[track_caller]
    pub fn on_ok(&self, node: &str, args: &[&str]) -> String {
        let o = self.on(node, args);
        assert!(
            o.status.success(),
            "on {node}: {args:?} failed ({:?}):\n{}{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// A command through `sh -c` on a node (pcs arguments with spaces).
    #[track_caller]
    pub fn sh_on(&self, node: &str, script: &str) -> String {
        self.on_ok(node, &["sh", "-c", script])
    }

    /// Any node that is up.
    pub fn any_up(&self) -> &str {
        match self.nodes.iter().find(|n| n.is_up()) {
            Some(n) => &n.name,
            None => panic!("no node is up"),
        }
    }

    /// Power failure: SIGKILL to the node's PID 1 and its cable unplugged.
    pub fn power_off(&mut self, node: &str) {
        assert!(self.node(node).power_off(), "node {node} was off already");
    }

    /// Boots a node that is off (or was fenced), and waits until it rejoined
    /// and the cluster settled (its probes done).
    pub fn power_on(&mut self, node: &str) {
        let n = self.node(node);
        if let Err(e) = n.boot() {
            panic!("{e}");
        }
        assert!(
            n.docker_ready(Duration::from_secs(60)),
            "dockerd of {node} did not come back"
        );
        self.wait_online();
    }

    /// What the power controller did for `pacemaker-fenced`, oldest first.
    pub fn fence_events(&self) -> Vec<fencing::FenceEvent> {
        fencing::events()
    }

    /// The pacemaker log of a node (its state folder outlives the node).
    pub fn pacemaker_log(&self, node: &str) -> String {
        fs::read_to_string(self.node(node).dir().join("log-pacemaker/pacemaker.log"))
            .unwrap_or_default()
    }

    pub fn corosync_log(&self, node: &str) -> String {
        fs::read_to_string(self.node(node).dir().join("log-corosync/corosync.log"))
            .unwrap_or_default()
    }

    /// An HTTP GET of the service from the client namespace.
    pub fn client_get(&self) -> Option<String> {
        client_get(Duration::from_millis(500))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // No fencing while the cluster is torn down.
        drop(self.power.take());
        for n in &self.nodes {
            n.kill();
        }
        if thread::panicking() {
            eprintln!("cluster state and logs kept in {DIR}");
            network::remove();
            fencing::remove_agent();
        } else {
            node::cleanup_stale();
        }
    }
}
