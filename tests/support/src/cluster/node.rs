//! One node of the test cluster: its state folder, its configuration, and
//! its power (booted in fresh namespaces with tini as PID 1, powered off by
//! SIGKILL to that PID 1 and its cables unplugged). The power state is
//! shared between the test and the power controller ([`super::fencing`]),
//! which switches nodes for `pacemaker-fenced`.

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::network::{self, LAN, RING};
use super::{sh, wait_until, DIR};

/// One node: its name, addresses, and the processes that make it up.
#[derive(Clone)]
pub struct Node {
    pub name: String,
    /// Address on the service LAN (eth0).
    pub ip: String,
    pub mac: String,
    /// Address and MAC on the cluster ring (ring0), corosync's link.
    pub ring_ip: String,
    pub ring_mac: String,
    power: Arc<Mutex<Power>>,
}

/// `unshare` (a child of the test process) and tini (the node's PID 1).
#[derive(Default)]
struct Power {
    unshare: Option<Child>,
    tini: u32,
}

impl Node {
    pub fn new(i: usize) -> Node {
        Node {
            name: format!("n{i}"),
            ip: format!("10.78.0.{i}"),
            mac: format!("02:78:00:00:00:0{i}"),
            ring_ip: format!("10.79.0.{i}"),
            ring_mac: format!("02:79:00:00:00:0{i}"),
            power: Arc::default(),
        }
    }

    pub fn ns(&self) -> String {
        format!("hc-{}", self.name)
    }

    /// The node's port on the LAN bridge.
    pub fn port(&self) -> String {
        format!("hc-{}-p", self.name)
    }

    /// The node's port on the ring bridge.
    pub fn ring_port(&self) -> String {
        format!("hc-r-{}-p", self.name)
    }

    pub fn dir(&self) -> PathBuf {
        Path::new(DIR).join(&self.name)
    }

    fn power(&self) -> MutexGuard<'_, Power> {
        match self.power.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Whether the node is powered on.
    pub fn is_up(&self) -> bool {
        self.power().unshare.is_some()
    }

    /// The host pid of the node's PID 1, when it is up.
    pub fn tini(&self) -> Option<u32> {
        let p = self.power();
        p.unshare.as_ref().map(|_| p.tini)
    }

    /// Power failure: SIGKILL to the node's PID 1 (the kernel ends every
    /// process of its PID namespace) and its cables unplugged (LAN and
    /// ring ports down). False when it was off already.
    pub fn power_off(&self) -> bool {
        let mut p = self.power();
        let Some(mut child) = p.unshare.take() else {
            return false;
        };
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(p.tini as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
        let _ = sh("ip", &["-n", LAN, "link", "set", &self.port(), "down"]);
        let _ = sh(
            "ip",
            &["-n", RING, "link", "set", &self.ring_port(), "down"],
        );
        let _ = child.wait();
        true
    }

    /// Boots a node that is off: a real reboot forgets every address (the
    /// virtual one included), the cables are plugged in again (a ring port
    /// cut by [`network::cut_ring`] stays cut), the node's init starts.
    /// Does not wait for the cluster.
    pub fn boot(&self) -> Result<(), String> {
        let mut p = self.power();
        if p.unshare.is_some() {
            return Ok(());
        }
        let ns = self.ns();
        let cidr = format!("{}/24", self.ip);
        for args in [
            vec!["-n", &ns, "addr", "flush", "dev", "eth0"],
            vec!["-n", &ns, "addr", "add", &cidr, "dev", "eth0"],
            vec!["-n", LAN, "link", "set", &self.port()[..], "up"],
            vec!["-n", RING, "link", "set", &self.ring_port()[..], "up"],
        ] {
            let o = sh("ip", &args);
            if !o.status.success() {
                return Err(format!(
                    "ip {args:?}: {}",
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
        }
        let _ = fs::remove_file(self.dir().join("docker.ready"));
        let (child, tini) = spawn_init(self)?;
        p.unshare = Some(child);
        p.tini = tini;
        Ok(())
    }

    /// Waits until the node's dockerd answered once after its boot.
    pub fn docker_ready(&self, limit: Duration) -> bool {
        wait_until(limit, || self.dir().join("docker.ready").exists())
    }

    /// Kills the node at the end of a test (no cable pulled: the network goes).
    pub fn kill(&self) {
        let mut p = self.power();
        if let Some(mut c) = p.unshare.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(p.tini as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = c.wait();
        }
    }
}

/// `setsid nsenter --net unshare ... tini -s -- node-init.sh DIR NAME`.
fn spawn_init(n: &Node) -> Result<(Child, u32), String> {
    let script = crate::paths::repo("tests/cluster/node-init.sh");
    let out = File::options()
        .create(true)
        .append(true)
        .open(n.dir().join("init.out"))
        .map_err(|e| format!("init.out: {e}"))?;
    let err = out.try_clone().map_err(|e| format!("init.out: {e}"))?;
    let netns = format!("--net=/run/netns/{}", n.ns());
    let child = Command::new("setsid")
        .args(["nsenter", &netns, "unshare", "--mount", "--uts", "--ipc"])
        .args([
            "--pid",
            "--fork",
            "--mount-proc",
            "--propagation",
            "private",
        ])
        .args(["tini", "-s", "--"])
        .arg(&script)
        .arg(n.dir())
        .arg(&n.name)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("start node {}: {e}", n.name))?;
    let pid = child.id();
    let mut tini = 0;
    wait_until(Duration::from_secs(5), || {
        let p = format!("/proc/{pid}/task/{pid}/children");
        tini = fs::read_to_string(p)
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|t| t.parse().ok()))
            .unwrap_or(0);
        tini != 0
    });
    if tini == 0 {
        return Err(format!("tini of node {} did not appear", n.name));
    }
    Ok((child, tini))
}

/// The node's folders, corosync.conf and a seeded CIB. `dockerd_flags` are
/// extra flags for the node's dockerd (read by node-init.sh).
pub fn write_state(n: &Node, all: &[Node], token: u32, dockerd_flags: &str) {
    let d = n.dir();
    for sub in [
        "etc-corosync",
        "lib-corosync",
        "log-corosync",
        "log-pacemaker",
        "lib-pacemaker/cib",
        "lib-pacemaker/pengine",
        "lib-pacemaker/blackbox",
        "lib-pacemaker/cores",
    ] {
        fs::create_dir_all(d.join(sub)).expect("node dirs");
    }
    if Path::new("/etc/corosync/uidgid.d").is_dir() {
        let _ = Command::new("cp")
            .args(["-a", "/etc/corosync/uidgid.d"])
            .arg(d.join("etc-corosync"))
            .status();
    }
    fs::write(d.join("dockerd.flags"), dockerd_flags).expect("dockerd.flags");
    fs::write(
        d.join("etc-corosync/corosync.conf"),
        corosync_conf(all, token),
    )
    .expect("corosync.conf");
    let cib_path = d.join("lib-pacemaker/cib/cib.xml");
    fs::write(&cib_path, SEED_CIB).expect("cib.xml");
    fs::set_permissions(&cib_path, fs::Permissions::from_mode(0o600)).expect("chmod cib");
    for p in ["lib-pacemaker", "log-pacemaker"] {
        super::sh_ok(
            "chown",
            &["-R", "hacluster:haclient", &d.join(p).to_string_lossy()],
        );
    }
    super::sh_ok(
        "chmod",
        &["770", &d.join("log-pacemaker").to_string_lossy()],
    );
}

fn corosync_conf(all: &[Node], token: u32) -> String {
    let mut nodelist = String::new();
    for (i, m) in all.iter().enumerate() {
        nodelist.push_str(&format!(
            "    node {{\n        ring0_addr: {}\n        name: {}\n        nodeid: {}\n    }}\n",
            m.ring_ip,
            m.name,
            i + 1
        ));
    }
    // two_node: each of two nodes keeps quorum alone (wait_for_all at start);
    // fencing decides who survives a split.
    let two_node = if all.len() == 2 {
        "    two_node: 1\n"
    } else {
        ""
    };
    // knet pings pinned: derived from a short token they made the link flap
    format!(
        "totem {{\n    version: 2\n    cluster_name: croit-hc\n    transport: knet\n    crypto_cipher: none\n    crypto_hash: none\n    token: {token}\n    interface {{\n        linknumber: 0\n        knet_ping_interval: 100\n        knet_ping_timeout: 1000\n    }}\n}}\nnodelist {{\n{nodelist}}}\nquorum {{\n    provider: corosync_votequorum\n{two_node}}}\nlogging {{\n    to_logfile: yes\n    logfile: /var/log/corosync/corosync.log\n    to_stderr: no\n    to_syslog: no\n    timestamp: hires\n}}\n"
    )
}

/// A seeded CIB: with an empty one the first DC election waits 20 s.
/// Fencing is off until every node has joined and the fence device exists
/// (no startup fencing of a node that is still booting); the harness turns
/// it on then (see [`super::fencing`]).
const SEED_CIB: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="2s"/>
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
    <rsc_defaults>
      <meta_attributes id="rsc_defaults-options">
        <nvpair id="rsc_defaults-options-resource-stickiness" name="resource-stickiness" value="100"/>
      </meta_attributes>
    </rsc_defaults>
  </configuration>
  <status/>
</cib>
"#;

/// A busybox-static root with /start.sh (httpd on :8080 naming its node), as a tar.
pub fn build_rootfs() {
    let root = Path::new(DIR).join("rootfs");
    for d in ["bin", "www", "tmp", "proc", "sys", "dev", "etc", "run"] {
        fs::create_dir_all(root.join(d)).expect("rootfs dirs");
    }
    fs::copy("/bin/busybox", root.join("bin/busybox")).expect("busybox-static at /bin/busybox");
    let list = super::sh_ok("/bin/busybox", &["--list"]);
    for applet in list.lines() {
        let p = root.join("bin").join(applet);
        if !p.exists() {
            let _ = std::os::unix::fs::symlink("busybox", p);
        }
    }
    fs::write(root.join("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n").expect("passwd");
    fs::write(
        root.join("start.sh"),
        "#!/bin/sh\necho \"served by $(hostname)\" > /www/index.html\nexec httpd -f -p 8080 -h /www\n",
    )
    .expect("start.sh");
    fs::set_permissions(root.join("start.sh"), fs::Permissions::from_mode(0o755)).expect("chmod");
    let tar = Path::new(DIR).join("rootfs.tar");
    super::sh_ok(
        "tar",
        &[
            "-C",
            &root.to_string_lossy(),
            "-cf",
            &tar.to_string_lossy(),
            ".",
        ],
    );
}

/// Kills what an earlier run left behind and removes its namespaces,
/// cgroups, fence agent and state. Only touches `hc-*` names, [`DIR`] and
/// a fence agent of ours.
pub fn cleanup_stale() {
    let pat = format!("node-init.sh {DIR}/");
    let _ = Command::new("pkill").args(["-KILL", "-f", &pat]).status();
    // tini and unshare carry the script path in their command lines too
    std::thread::sleep(Duration::from_millis(300));
    network::remove();
    if let Ok(dirs) = fs::read_dir("/sys/fs/cgroup") {
        for d in dirs.flatten() {
            for n in ["hc-n1", "hc-n2", "hc-n3"] {
                let p = d.path().join(n);
                if p.is_dir() {
                    let _ = Command::new("find")
                        .arg(&p)
                        .args(["-depth", "-type", "d", "-exec", "rmdir", "{}", ";"])
                        .stderr(Stdio::null())
                        .status();
                }
            }
        }
    }
    super::fencing::remove_agent();
    let _ = fs::remove_dir_all(DIR);
}
