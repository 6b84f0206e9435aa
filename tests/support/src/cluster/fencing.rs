//! Fencing for the namespace nodes.
//!
//! `pacemaker-fenced` runs inside a node, in that node's PID namespace: it
//! cannot reach another node's processes. The fence agent
//! (`tests/cluster/fence_hc`, installed as `/usr/sbin/fence_hc` for the
//! test's duration) therefore hands each request to the power controller, a
//! thread of the test process on the host: the agent writes one line
//! `ACTION TARGET REQUESTER` to `DIR/fence/req/ID` (the nodes share the
//! host's /tmp), the controller executes it with the same power switch the
//! test uses ([`Node::power_off`], [`Node::boot`]) and answers `RC MESSAGE`
//! in `DIR/fence/resp/ID`. One request at a time, like a power switch with
//! one management port. Every request but `monitor` is logged to
//! `DIR/fence/power.log`, which [`events`] reads back.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::node::Node;
use super::{now, DIR};

/// Where pacemaker-fenced looks for agents.
pub const AGENT_PATH: &str = "/usr/sbin/fence_hc";
/// A line only our agent has (never remove or replace anything else).
const MARK: &str = "fence agent of the croit-hc test harness";
/// The device's id in the CIB.
pub const DEVICE: &str = "hc-fence";
/// `priority-fencing-delay` of two-node clusters: the node that runs the
/// prioritised resource fences first in a split (a random `pcmk_delay_max`
/// fenced both nodes in about one split in five). A power failure of the
/// holder costs this much on top of the failover.
pub const PRIORITY_DELAY_S: u32 = 5;
/// The `priority` tests give their resource.
pub const PRIORITY: u32 = 10;

fn fence_dir() -> PathBuf {
    Path::new(DIR).join("fence")
}

/// Installs the agent with the harness folder built in. Fails the test if
/// something that is not ours is there.
pub fn install_agent() {
    if let Ok(old) = fs::read_to_string(AGENT_PATH) {
        assert!(
            old.contains(MARK),
            "{AGENT_PATH} exists and is not ours: not replacing it"
        );
    }
    let src = crate::paths::repo("tests/cluster/fence_hc");
    let text = fs::read_to_string(&src).expect("tests/cluster/fence_hc");
    assert!(text.contains(MARK), "{} lost its mark", src.display());
    let tmp = format!("{AGENT_PATH}.tmp");
    fs::write(&tmp, text.replace("@DIR@", DIR)).expect("write the fence agent");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).expect("chmod fence agent");
    fs::rename(&tmp, AGENT_PATH).expect("install the fence agent");
}

/// Removes the agent if it is ours.
pub fn remove_agent() {
    if fs::read_to_string(AGENT_PATH).is_ok_and(|t| t.contains(MARK)) {
        let _ = fs::remove_file(AGENT_PATH);
    }
}

/// The power controller thread.
pub struct PowerControl {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    dir: PathBuf,
}

impl PowerControl {
    /// Starts serving requests for `nodes` (clones share their power state
    /// with the cluster's) under the harness folder.
    pub fn start(nodes: Vec<Node>) -> PowerControl {
        PowerControl::start_in(fence_dir(), nodes)
    }

    /// Serves requests under `d` (`req/`, `resp/`, `alive`, `power.log`).
    pub fn start_in(d: PathBuf, nodes: Vec<Node>) -> PowerControl {
        for sub in ["req", "resp"] {
            fs::create_dir_all(d.join(sub)).expect("fence folders");
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let dir = d.clone();
        let handle = thread::spawn(move || serve(&dir, &nodes, &flag));
        PowerControl {
            stop,
            handle: Some(handle),
            dir: d,
        }
    }
}

impl Drop for PowerControl {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        let _ = fs::remove_file(self.dir.join("alive"));
    }
}

fn serve(d: &Path, nodes: &[Node], stop: &AtomicBool) {
    let log = d.join("power.log");
    append(&log, &format!("{:.3} controller started", now()));
    while !stop.load(Ordering::SeqCst) {
        // the agent fails at once when no controller is there
        let _ = fs::write(d.join("alive"), format!("{:.0}\n", now()));
        let mut reqs: Vec<PathBuf> = fs::read_dir(d.join("req"))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        reqs.retain(|p| p.extension().map_or(true, |e| e != "tmp"));
        reqs.sort();
        for p in reqs {
            let Some(id) = p.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            let line = fs::read_to_string(&p).unwrap_or_default();
            let _ = fs::remove_file(&p);
            let f: Vec<&str> = line.split_whitespace().collect();
            let (action, target, from) = (
                f.first().copied().unwrap_or("-"),
                f.get(1).copied().unwrap_or("-"),
                f.get(2).copied().unwrap_or("-"),
            );
            let t0 = now();
            let (rc, msg) = execute(nodes, action, target);
            let tmp = d.join("resp").join(format!("{id}.tmp"));
            if fs::write(&tmp, format!("{rc} {msg}\n")).is_ok() {
                let _ = fs::rename(&tmp, d.join("resp").join(&id));
            }
            if action != "monitor" {
                append(
                    &log,
                    &format!(
                        "{t0:.3} {:.3} {from} {action} {target} rc={rc} {msg}",
                        now()
                    ),
                );
            }
        }
        thread::sleep(Duration::from_millis(50));
    }
    append(&log, &format!("{:.3} controller stopped", now()));
}

/// One request: (exit code for the agent, message).
fn execute(nodes: &[Node], action: &str, target: &str) -> (u8, String) {
    if action == "monitor" {
        return (0, "ok".into());
    }
    let Some(n) = nodes.iter().find(|n| n.name == target) else {
        return (1, format!("unknown node {target}"));
    };
    let off = |n: &Node| {
        if n.power_off() {
            (0, "powered off".to_string())
        } else {
            (0, "already off".to_string())
        }
    };
    let on = |n: &Node| match n.boot() {
        Ok(()) => (0, "booted".to_string()),
        Err(e) => (1, format!("boot failed: {e}")),
    };
    match action {
        "off" => off(n),
        "on" => on(n),
        "reboot" => {
            off(n);
            on(n)
        }
        "status" if n.is_up() => (0, "on".into()),
        "status" => (2, "off".into()),
        _ => (1, format!("unsupported action {action}")),
    }
}

fn append(path: &Path, line: &str) {
    use std::io::Write;
    if let Ok(mut f) = fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{line}");
    }
}

/// One request the controller executed.
#[derive(Debug, Clone)]
pub struct FenceEvent {
    /// When it arrived and when it was answered (epoch seconds).
    pub at: f64,
    pub done: f64,
    pub from: String,
    pub action: String,
    pub target: String,
    pub rc: u8,
    pub msg: String,
}

/// Every request the controller executed, oldest first.
pub fn events() -> Vec<FenceEvent> {
    events_in(&fence_dir())
}

/// [`events`] of a controller serving under `d`.
pub fn events_in(d: &Path) -> Vec<FenceEvent> {
    let text = fs::read_to_string(d.join("power.log")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(7, ' ').collect();
            if f.len() < 6 {
                return None;
            }
            Some(FenceEvent {
                at: f[0].parse().ok()?,
                done: f[1].parse().ok()?,
                from: f[2].into(),
                action: f[3].into(),
                target: f[4].into(),
                rc: f[5].strip_prefix("rc=")?.parse().ok()?,
                msg: f.get(6).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

/// The `pcs` commands that register the device and turn fencing on: the
/// device can fence every node (a static list), a fence powers the node off
/// and leaves it off (the test boots it again), and two nodes get
/// `priority-fencing-delay`, three `no-quorum-policy=stop`.
pub fn setup_commands(names: &[&str]) -> Vec<String> {
    let mut cmds = vec![format!(
        "pcs stonith create {DEVICE} fence_hc pcmk_host_list='{}' pcmk_reboot_action=off \
         op monitor interval=60s",
        names.join(" ")
    )];
    if names.len() == 2 {
        cmds.push(format!(
            "crm_attribute --type crm_config --name priority-fencing-delay --update {PRIORITY_DELAY_S}s"
        ));
    }
    if names.len() > 2 {
        // quorum decides: a minority stops its resources (and is fenced)
        cmds.push("crm_attribute --type crm_config --name no-quorum-policy --update stop".into());
    }
    cmds.push("crm_attribute --type crm_config --name stonith-enabled --update true".into());
    cmds
}
