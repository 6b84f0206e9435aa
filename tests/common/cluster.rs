//! A real Pacemaker cluster on one machine, for the cluster tests.
//!
//! Every node runs corosync, pacemakerd and its own dockerd in its own
//! network, mount, UTS, IPC and PID namespaces (tini is PID 1; killing it is
//! a power failure). The nodes and a client namespace hang off a bridge that
//! lives in a namespace of its own, so nothing is added to the machine's
//! network. Names: namespaces `hc-*`, state under `/tmp/croit-hc`.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::fcntl::{Flock, FlockArg};

/// State folder of the harness.
pub const DIR: &str = "/tmp/croit-hc";
/// The virtual address every scenario moves around.
pub const VIP: &str = "10.78.0.50";
/// The client's address on the bridge.
pub const CLIENT_IP: &str = "10.78.0.100";
const CLIENT_MAC: &str = "02:78:00:00:00:64";
const LAN: &str = "hc-lan";
const CLIENT: &str = "hc-client";
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

/// One node: its name, number, and the processes that make it up.
pub struct Node {
    pub name: String,
    pub ip: String,
    pub mac: String,
    /// `unshare` (our child) and tini (the node's PID 1).
    unshare: Option<Child>,
    tini: u32,
}

impl Node {
    fn ns(&self) -> String {
        format!("hc-{}", self.name)
    }
    fn port(&self) -> String {
        format!("hc-{}-p", self.name)
    }
    fn dir(&self) -> PathBuf {
        Path::new(DIR).join(&self.name)
    }
    pub fn is_up(&self) -> bool {
        self.unshare.is_some()
    }
}

/// A running cluster of one or two nodes plus a client.
pub struct Cluster {
    pub nodes: Vec<Node>,
    token: u32,
    _lock: Flock<File>,
}

impl Cluster {
    /// Builds the network, starts every node and waits until all are online.
    pub fn new(count: usize, token: u32) -> Cluster {
        assert!(
            (1..=2).contains(&count),
            "the harness builds one or two nodes"
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
        cleanup_stale();
        fs::create_dir_all(DIR).expect("state folder");
        let mut nodes: Vec<Node> = (1..=count)
            .map(|i| Node {
                name: format!("n{i}"),
                ip: format!("10.78.0.{i}"),
                mac: format!("02:78:00:00:00:0{i}"),
                unshare: None,
                tini: 0,
            })
            .collect();
        build_network(&nodes);
        build_rootfs();
        for n in &nodes {
            write_node_state(n, &nodes, token);
        }
        let mut c = Cluster {
            nodes: Vec::new(),
            token,
            _lock: lock,
        };
        for n in nodes.iter_mut() {
            start_node(n);
        }
        c.nodes = nodes;
        c.wait_online();
        for i in 0..c.nodes.len() {
            c.import_image(i);
        }
        c
    }

    pub fn node(&self, name: &str) -> &Node {
        match self.nodes.iter().find(|n| n.name == name) {
            Some(n) => n,
            None => panic!("no node {name}"),
        }
    }

    fn index(&self, name: &str) -> usize {
        match self.nodes.iter().position(|n| n.name == name) {
            Some(i) => i,
            None => panic!("no node {name}"),
        }
    }

    /// Runs a command in every namespace of a node.
    pub fn on(&self, node: &str, args: &[&str]) -> Output {
        let n = self.node(node);
        assert!(n.is_up(), "node {node} is down");
        let t = n.tini.to_string();
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

    /// `crm_mon -1` as seen from a node that is up.
    pub fn crm_mon(&self) -> String {
        let o = self.on(self.any_up(), &["crm_mon", "-1", "--include=all"]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn wait_online(&self) {
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
        let o = self.on(self.any_up(), &["crmadmin", "-S", dc]);
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

    fn import_image(&self, i: usize) {
        let n = &self.nodes[i];
        let ready = wait_until(Duration::from_secs(60), || {
            n.dir().join("docker.ready").exists()
        });
        assert!(ready, "dockerd of {} did not come up", n.name);
        let tar = Path::new(DIR).join("rootfs.tar");
        let t = n.tini.to_string();
        let status = Command::new("nsenter")
            .args(["-t", &t, "-n", "-m", "-u", "-i", "-p", "--", "env", PATH])
            .args([
                "docker",
                "import",
                "--change",
                "CMD [\"/start.sh\"]",
                "-",
                IMAGE,
            ])
            .stdin(File::open(&tar).expect("rootfs tar"))
            .stdout(Stdio::null())
            .status()
            .expect("docker import");
        assert!(status.success(), "docker import on {}", n.name);
    }

    /// Creates the container `name` on every node that is up, stopped, with
    /// restart policy `no`, host network, and a HEALTHCHECK that fails while
    /// `/run/h/sick` exists (a tmpfs: a restart heals it).
    pub fn create_container(&self, name: &str) {
        for n in self.nodes.iter().filter(|n| n.is_up()) {
            self.on_ok(
                &n.name,
                &[
                    "docker",
                    "create",
                    "--name",
                    name,
                    "--network",
                    "host",
                    "--init",
                    "--restart",
                    "no",
                    "--tmpfs",
                    "/run/h",
                    "--health-cmd",
                    "test ! -e /run/h/sick",
                    "--health-interval",
                    "1s",
                    "--health-retries",
                    "1",
                    "--health-timeout",
                    "2s",
                    IMAGE,
                    "/start.sh",
                ],
            );
        }
    }

    /// The full id of the node's copy of container `name`.
    pub fn container_id(&self, node: &str, name: &str) -> String {
        self.on_ok(node, &["docker", "inspect", "-f", "{{.Id}}", name])
            .trim()
            .to_string()
    }

    /// Whether the container runs on a node (false when the node is down).
    pub fn container_running(&self, node: &str, name: &str) -> bool {
        if !self.node(node).is_up() {
            return false;
        }
        let o = self.on(
            node,
            &["docker", "inspect", "-f", "{{.State.Running}}", name],
        );
        String::from_utf8_lossy(&o.stdout).trim() == "true"
    }

    /// Whether the address is on the node's eth0 (the namespace outlives a power-off).
    pub fn has_vip(&self, node: &str) -> bool {
        let ns = self.node(node).ns();
        let o = sh("ip", &["-n", &ns, "-o", "addr", "show", "dev", "eth0"]);
        String::from_utf8_lossy(&o.stdout).contains(&format!(" {VIP}/"))
    }

    /// Removes the address from a node by hand.
    pub fn delete_vip(&self, node: &str) {
        let ns = self.node(node).ns();
        sh_ok(
            "ip",
            &[
                "-n",
                &ns,
                "addr",
                "del",
                &format!("{VIP}/24"),
                "dev",
                "eth0",
            ],
        );
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

    /// Power failure: SIGKILL to the node's PID 1 and its cable unplugged.
    pub fn power_off(&mut self, node: &str) {
        let i = self.index(node);
        let n = &mut self.nodes[i];
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(n.tini as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
        sh_ok("ip", &["-n", LAN, "link", "set", &n.port(), "down"]);
        if let Some(mut c) = n.unshare.take() {
            let _ = c.wait();
        }
    }

    /// Boots a node that was powered off, and waits until it rejoined and
    /// the cluster settled (its probes done).
    pub fn power_on(&mut self, node: &str) {
        let i = self.index(node);
        {
            let n = &mut self.nodes[i];
            let ns = n.ns();
            // a real reboot forgets every address, the virtual one included
            sh_ok("ip", &["-n", &ns, "addr", "flush", "dev", "eth0"]);
            sh_ok(
                "ip",
                &[
                    "-n",
                    &ns,
                    "addr",
                    "add",
                    &format!("{}/24", n.ip),
                    "dev",
                    "eth0",
                ],
            );
            sh_ok("ip", &["-n", LAN, "link", "set", &n.port(), "up"]);
            let _ = fs::remove_file(n.dir().join("docker.ready"));
            start_node(n);
        }
        let n = &self.nodes[i];
        let ready = wait_until(Duration::from_secs(60), || {
            n.dir().join("docker.ready").exists()
        });
        assert!(ready, "dockerd of {node} did not come back");
        self.wait_online();
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
        for n in self.nodes.iter_mut() {
            if n.unshare.is_some() {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(n.tini as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            if let Some(mut c) = n.unshare.take() {
                let _ = c.wait();
            }
        }
        if thread::panicking() {
            eprintln!("cluster state and logs kept in {DIR}");
            remove_network();
        } else {
            cleanup_stale();
        }
    }
}

/// Kills what an earlier run left behind and removes its namespaces, cgroups
/// and state. Only touches `hc-*` names and [`DIR`].
pub fn cleanup_stale() {
    let pat = format!("node-init.sh {DIR}/");
    let _ = Command::new("pkill").args(["-KILL", "-f", &pat]).status();
    // tini and unshare carry the script path in their command lines too
    thread::sleep(Duration::from_millis(300));
    remove_network();
    if let Ok(dirs) = fs::read_dir("/sys/fs/cgroup") {
        for d in dirs.flatten() {
            for n in ["hc-n1", "hc-n2"] {
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
    let _ = fs::remove_dir_all(DIR);
}

fn remove_network() {
    for ns in ["hc-n1", "hc-n2", CLIENT, LAN] {
        let _ = Command::new("ip")
            .args(["netns", "del", ns])
            .stderr(Stdio::null())
            .status();
    }
}

fn build_network(nodes: &[Node]) {
    sh_ok("ip", &["netns", "add", LAN]);
    sh_ok("ip", &["netns", "add", CLIENT]);
    for n in nodes {
        sh_ok("ip", &["netns", "add", &n.ns()]);
    }
    sh_ok("ip", &["-n", LAN, "link", "set", "lo", "up"]);
    sh_ok(
        "ip",
        &[
            "-n",
            LAN,
            "link",
            "add",
            "hc-br0",
            "type",
            "bridge",
            "stp_state",
            "0",
            "forward_delay",
            "0",
        ],
    );
    sh_ok("ip", &["-n", LAN, "link", "set", "hc-br0", "up"]);
    let mut ends: Vec<(String, String, String, String)> = nodes
        .iter()
        .map(|n| (n.port(), n.ns(), n.mac.clone(), n.ip.clone()))
        .collect();
    ends.push((
        "hc-cl-p".into(),
        CLIENT.into(),
        CLIENT_MAC.into(),
        CLIENT_IP.into(),
    ));
    for (port, ns, mac, ip) in &ends {
        sh_ok(
            "ip",
            &[
                "link", "add", port, "netns", LAN, "type", "veth", "peer", "name", "eth0", "netns",
                ns, "address", mac,
            ],
        );
        sh_ok(
            "ip",
            &["-n", LAN, "link", "set", port, "master", "hc-br0", "up"],
        );
        sh_ok("ip", &["-n", ns, "link", "set", "lo", "up"]);
        sh_ok(
            "ip",
            &["-n", ns, "addr", "add", &format!("{ip}/24"), "dev", "eth0"],
        );
        sh_ok("ip", &["-n", ns, "link", "set", "eth0", "up"]);
    }
}

/// A busybox-static root with /start.sh (httpd on :8080 naming its node), as a tar.
fn build_rootfs() {
    let root = Path::new(DIR).join("rootfs");
    for d in ["bin", "www", "tmp", "proc", "sys", "dev", "etc", "run"] {
        fs::create_dir_all(root.join(d)).expect("rootfs dirs");
    }
    fs::copy("/bin/busybox", root.join("bin/busybox")).expect("busybox-static at /bin/busybox");
    let list = sh_ok("/bin/busybox", &["--list"]);
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
    sh_ok(
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

fn write_node_state(n: &Node, all: &[Node], token: u32) {
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
    let mut nodelist = String::new();
    for (i, m) in all.iter().enumerate() {
        nodelist.push_str(&format!(
            "    node {{\n        ring0_addr: {}\n        name: {}\n        nodeid: {}\n    }}\n",
            m.ip,
            m.name,
            i + 1
        ));
    }
    let two_node = if all.len() == 2 {
        "    two_node: 1\n"
    } else {
        ""
    };
    // knet pings pinned: derived from a short token they made the link flap
    let conf = format!(
        "totem {{\n    version: 2\n    cluster_name: croit-hc\n    transport: knet\n    crypto_cipher: none\n    crypto_hash: none\n    token: {token}\n    interface {{\n        linknumber: 0\n        knet_ping_interval: 100\n        knet_ping_timeout: 1000\n    }}\n}}\nnodelist {{\n{nodelist}}}\nquorum {{\n    provider: corosync_votequorum\n{two_node}}}\nlogging {{\n    to_logfile: yes\n    logfile: /var/log/corosync/corosync.log\n    to_stderr: no\n    to_syslog: no\n    timestamp: hires\n}}\n"
    );
    fs::write(d.join("etc-corosync/corosync.conf"), conf).expect("corosync.conf");
    // A seeded CIB: with an empty one the first DC election waits 20 s.
    let cib = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
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
    let cib_path = d.join("lib-pacemaker/cib/cib.xml");
    fs::write(&cib_path, cib).expect("cib.xml");
    fs::set_permissions(&cib_path, fs::Permissions::from_mode(0o600)).expect("chmod cib");
    for p in ["lib-pacemaker", "log-pacemaker"] {
        sh_ok(
            "chown",
            &["-R", "hacluster:haclient", &d.join(p).to_string_lossy()],
        );
    }
    sh_ok(
        "chmod",
        &["770", &d.join("log-pacemaker").to_string_lossy()],
    );
}

fn start_node(n: &mut Node) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/node-init.sh");
    let out = File::options()
        .create(true)
        .append(true)
        .open(n.dir().join("init.out"))
        .expect("init.out");
    let err = out.try_clone().expect("init.out");
    let netns = format!("--net=/run/netns/{}", n.ns());
    let child = Command::new("setsid")
        .args([
            "nsenter", &netns, "unshare", "--mount", "--uts", "--ipc", "--pid",
        ])
        .args([
            "--fork",
            "--mount-proc",
            "--propagation",
            "private",
            "tini",
            "-s",
            "--",
        ])
        .arg(&script)
        .arg(n.dir())
        .arg(&n.name)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start node");
    let pid = child.id();
    let mut tini = 0;
    let found = wait_until(Duration::from_secs(5), || {
        let p = format!("/proc/{pid}/task/{pid}/children");
        tini = fs::read_to_string(p)
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|t| t.parse().ok()))
            .unwrap_or(0);
        tini != 0
    });
    assert!(found, "tini of node {} did not appear", n.name);
    n.unshare = Some(child);
    n.tini = tini;
}

/// One HTTP GET of `http://VIP:8080/` from the client namespace.
pub fn client_get(timeout: Duration) -> Option<String> {
    in_netns(CLIENT, move || {
        let addr = format!("{VIP}:8080").parse().ok()?;
        let mut s = TcpStream::connect_timeout(&addr, timeout).ok()?;
        s.set_read_timeout(Some(timeout)).ok()?;
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        body.lines().last().map(|l| l.trim().to_string())
    })
}

/// Runs `f` on a thread that entered the named network namespace.
pub fn in_netns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    let h = thread::spawn(move || {
        let file = File::open(&path).expect("netns file");
        nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        f()
    });
    h.join().expect("netns thread")
}

/// A process whose stdout lines are collected in the background.
struct Watcher {
    child: Child,
    lines: Arc<std::sync::Mutex<Vec<String>>>,
    reader: Option<thread::JoinHandle<()>>,
}

impl Watcher {
    fn start(cmd: &str, args: &[&str], ready_on_stderr: Option<&str>) -> Watcher {
        let mut child = Command::new(cmd)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("watcher");
        let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout");
        let l2 = lines.clone();
        let reader = thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(mut v) = l2.lock() {
                    v.push(line);
                }
            }
        });
        let err = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let want = ready_on_stderr.map(str::to_string);
        thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(w) = &want {
                    if !sent && line.contains(w.as_str()) {
                        let _ = tx.send(());
                        sent = true;
                    }
                }
            }
        });
        if ready_on_stderr.is_some() {
            assert!(
                rx.recv_timeout(Duration::from_secs(10)).is_ok(),
                "{cmd} did not get ready"
            );
        } else {
            thread::sleep(Duration::from_millis(200));
        }
        Watcher {
            child,
            lines,
            reader: Some(reader),
        }
    }

    fn stop(mut self) -> Vec<String> {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.lines.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An ARP frame as the client saw it.
#[derive(Debug, Clone)]
pub struct ArpLine {
    pub t: f64,
    pub src_mac: String,
    pub text: String,
}

impl ArpLine {
    /// A gratuitous ARP for the VIP (request who-has VIP tell VIP, or a broadcast reply).
    pub fn is_garp(&self) -> bool {
        self.text.contains(&format!("who-has {VIP} tell {VIP}"))
            || (self.text.contains(&format!("Reply {VIP} is-at"))
                && self.text.contains("ff:ff:ff:ff:ff:ff"))
    }
    /// Any answer for the VIP (gratuitous or not).
    pub fn is_reply_for_vip(&self) -> bool {
        self.text.contains(&format!("Reply {VIP} is-at"))
    }
    /// A question the client itself asked about the VIP.
    pub fn is_client_request_for_vip(&self) -> bool {
        self.src_mac == CLIENT_MAC && self.text.contains(&format!("who-has {VIP} tell"))
    }
}

fn parse_tcpdump(lines: &[String]) -> Vec<ArpLine> {
    lines
        .iter()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let t: f64 = it.next()?.parse().ok()?;
            let src = it.next()?.to_lowercase();
            Some(ArpLine {
                t,
                src_mac: src,
                text: l.clone(),
            })
        })
        .collect()
}

/// `[2026-11-23T05:30:24.789029] ...` (ip -ts monitor) to epoch seconds.
fn ip_ts(line: &str) -> Option<f64> {
    let s = line.strip_prefix('[')?.split(']').next()?;
    let (date, time) = s.split_once('T')?;
    let d: Vec<i64> = date.split('-').filter_map(|x| x.parse().ok()).collect();
    let (hms, frac) = time.split_once('.')?;
    let t: Vec<i64> = hms.split(':').filter_map(|x| x.parse().ok()).collect();
    if d.len() != 3 || t.len() != 3 {
        return None;
    }
    let f: f64 = format!("0.{frac}").parse().ok()?;
    Some(local_epoch(d[0], d[1], d[2], t[0], t[1], t[2]) + f)
}

/// `Nov 23 05:30:00.123 ...` (corosync and pacemaker hires logs) to epoch seconds.
fn log_ts(line: &str, year: i64) -> Option<f64> {
    let mut it = line.split_whitespace();
    let mon = it.next()?;
    let day: i64 = it.next()?.parse().ok()?;
    let time = it.next()?;
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = months.iter().position(|x| *x == mon)? as i64 + 1;
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i64> = hms.split(':').filter_map(|x| x.parse().ok()).collect();
    if t.len() != 3 {
        return None;
    }
    let f: f64 = format!("0.{frac}").parse().ok()?;
    Some(local_epoch(year, m, day, t[0], t[1], t[2]) + f)
}

fn utc_offset() -> i64 {
    use std::sync::OnceLock;
    static OFF: OnceLock<i64> = OnceLock::new();
    *OFF.get_or_init(|| {
        let z = sh_ok("date", &["+%z"]);
        let z = z.trim();
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let digits: String = z.chars().filter(|c| c.is_ascii_digit()).collect();
        let v: i64 = digits.parse().unwrap_or(0);
        sign * ((v / 100) * 3600 + (v % 100) * 60)
    })
}

fn local_epoch(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> f64 {
    // days from civil (Howard Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = if y2 >= 0 { y2 } else { y2 - 399 } / 400;
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    (days * 86400 + hh * 3600 + mm * 60 + ss - utc_offset()) as f64
}

fn this_year() -> i64 {
    sh_ok("date", &["+%Y"]).trim().parse().unwrap_or(1970)
}

/// First line of a log at or after `since` that contains `needle`.
fn first_log(text: &str, needle: &str, since: f64) -> Option<f64> {
    let year = this_year();
    text.lines()
        .filter(|l| l.contains(needle))
        .filter_map(|l| log_ts(l, year))
        .find(|t| *t >= since - 0.05)
}

/// What one failover looked like, in seconds after the failure (T0).
#[derive(Debug, Clone, Default)]
pub struct Failover {
    pub from: String,
    pub to: String,
    pub membership: Option<f64>,
    pub start_initiated: Option<f64>,
    pub bound: Option<f64>,
    pub first_garp: Option<f64>,
    pub neigh_switched: Option<f64>,
    pub served: Option<f64>,
    /// ARP requests for the VIP the client sent before its entry switched.
    pub client_requests_before_switch: usize,
    /// ARP replies for the VIP from the old node after the address was bound on the new one.
    pub old_replies_after: usize,
    /// ARP frames from the survivor that announce the VIP.
    pub garps: usize,
}

impl Failover {
    /// Our own share: start initiated -> client served.
    pub fn agent_share(&self) -> Option<f64> {
        Some(self.served? - self.start_initiated?)
    }
    /// Address bound -> client neighbour switched.
    pub fn switch_lag(&self) -> Option<f64> {
        Some(self.neigh_switched? - self.bound?)
    }
}

/// Powers off the node that holds the address and measures the takeover
/// as seen by the survivor and the client. `first_rsc` is the resource whose
/// start Pacemaker initiates first (ours, or IPaddr2 of the stock group).
/// The client sends nothing to the address until its neighbour entry points
/// at the survivor: only an announcement can make it switch.
pub fn failover(c: &mut Cluster, first_rsc: &str) -> Failover {
    let from = c.holder();
    let to = c
        .nodes
        .iter()
        .find(|n| n.name != from)
        .map(|n| n.name.clone())
        .expect("a survivor");
    let to_mac = c.node(&to).mac.clone();
    let from_mac = c.node(&from).mac.clone();
    // The client knows the old MAC from a request it made just now.
    let before = client_get(Duration::from_secs(2));
    assert_eq!(
        before.as_deref(),
        Some(format!("served by {from}").as_str()),
        "before the failure the client must be served by {from}"
    );
    let to_ns = c.node(&to).ns();
    let addr_w = Watcher::start("ip", &["-n", &to_ns, "-ts", "monitor", "address"], None);
    let neigh_w = Watcher::start("ip", &["-n", CLIENT, "-ts", "monitor", "neigh"], None);
    let dump_w = Watcher::start(
        "ip",
        &[
            "netns", "exec", CLIENT, "tcpdump", "-i", "eth0", "-n", "-e", "-tt", "-l", "-U", "arp",
        ],
        Some("listening on"),
    );
    thread::sleep(Duration::from_millis(300));
    // The client's own address resolution is switched off until the switch:
    // its kernel sends no ARP request, so only an announcement can move its
    // entry (the capture below checks that it asked nothing, too).
    client_arp_resolution(false);
    let t0 = now();
    c.power_off(&from);
    // Wait for the switch without sending anything to the address.
    let switched = wait_until(Duration::from_secs(60), || {
        let o = sh("ip", &["-n", CLIENT, "neigh", "show", VIP]);
        String::from_utf8_lossy(&o.stdout).contains(&to_mac)
    });
    client_arp_resolution(true);
    let mut served = None;
    if switched {
        let want = format!("served by {to}");
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if client_get(Duration::from_millis(300)).as_deref() == Some(want.as_str()) {
                served = Some(now() - t0);
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
    thread::sleep(Duration::from_millis(1500));
    let addr_lines = addr_w.stop();
    let neigh_lines = neigh_w.stop();
    let frames = parse_tcpdump(&dump_w.stop());

    let rel = |t: Option<f64>| t.map(|t| t - t0);
    let bound = addr_lines
        .iter()
        .filter(|l| !l.contains("Deleted") && l.contains(&format!("inet {VIP}/")))
        .filter_map(|l| ip_ts(l))
        .find(|t| *t >= t0);
    let neigh = neigh_lines
        .iter()
        .filter(|l| l.contains(&format!("{VIP} dev")) && l.contains(&to_mac))
        .filter_map(|l| ip_ts(l))
        .find(|t| *t >= t0);
    let garps: Vec<&ArpLine> = frames
        .iter()
        .filter(|f| f.t >= t0 && f.src_mac == to_mac && f.is_garp())
        .collect();
    let switch_at = neigh.unwrap_or(f64::MAX);
    let bound_at = bound.unwrap_or(f64::MAX);
    let log = c.pacemaker_log(&to);
    Failover {
        membership: rel(first_log(&c.corosync_log(&to), "A new membership", t0)),
        start_initiated: rel(first_log(
            &log,
            &format!("Initiating start operation {first_rsc}_start_0"),
            t0,
        )),
        bound: rel(bound),
        first_garp: rel(garps.first().map(|f| f.t)),
        neigh_switched: rel(neigh),
        served,
        client_requests_before_switch: frames
            .iter()
            .filter(|f| f.t >= t0 && f.t < switch_at && f.is_client_request_for_vip())
            .count(),
        old_replies_after: frames
            .iter()
            .filter(|f| f.t > bound_at && f.src_mac == from_mac && f.is_reply_for_vip())
            .count(),
        garps: garps.len(),
        from,
        to,
    }
}

/// Turns the client's ARP resolution on eth0 off (no multicast, unicast or
/// application solicitations) or back to the kernel's defaults.
fn client_arp_resolution(on: bool) {
    let (mcast, ucast) = if on { ("3", "3") } else { ("0", "0") };
    sh_ok(
        "ip",
        &[
            "netns",
            "exec",
            CLIENT,
            "sysctl",
            "-q",
            "-w",
            &format!("net.ipv4.neigh.eth0.mcast_solicit={mcast}"),
            &format!("net.ipv4.neigh.eth0.ucast_solicit={ucast}"),
            "net.ipv4.neigh.eth0.app_solicit=0",
        ],
    );
}

/// Median of the values that are present.
pub fn median(v: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let mut xs: Vec<f64> = v.flatten().collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    Some(xs[xs.len() / 2])
}

fn cell(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.3} s"),
        None => "not seen".into(),
    }
}

/// The timing table: one column per contender, medians over its failovers.
pub fn timing_table(token: u32, runs: &[(&str, &[Failover])]) -> String {
    let mut out = format!(
        "Failover after a node power-off, corosync token {token} ms; medians, seconds after the failure\n\n| milestone |"
    );
    for (name, f) in runs {
        out.push_str(&format!(" {name} (n={}) |", f.len()));
    }
    out.push_str("\n|---|");
    for _ in runs {
        out.push_str("---|");
    }
    out.push('\n');
    type Get = fn(&Failover) -> Option<f64>;
    let rows: [(&str, Get); 9] = [
        ("new membership (corosync)", |f| f.membership),
        ("start initiated (pacemaker)", |f| f.start_initiated),
        ("address bound on the survivor", |f| f.bound),
        ("first GARP seen by the client", |f| f.first_garp),
        ("client neighbour switched", |f| f.neigh_switched),
        ("client served by the survivor", |f| f.served),
        ("agents' share: start initiated -> served", |f| {
            f.agent_share()
        }),
        ("bound -> neighbour switched", |f| f.switch_lag()),
        ("worst agents' share", |f| f.agent_share()),
    ];
    for (i, (label, get)) in rows.iter().enumerate() {
        out.push_str(&format!("| {label} |"));
        for (_, f) in runs {
            let v = if i == rows.len() - 1 {
                f.iter().filter_map(get).reduce(f64::max)
            } else {
                median(f.iter().map(get))
            };
            out.push_str(&format!(" {} |", cell(v)));
        }
        out.push('\n');
    }
    out
}

/// What a graceful move looked like on the wire and on the nodes.
#[derive(Debug)]
pub struct Move {
    pub from: String,
    pub to: String,
    /// When the old node deleted the address and the new one added it.
    pub deleted: Option<f64>,
    pub added: Option<f64>,
    /// Frames about the VIP from the old node after the first one from the new node.
    pub old_frames_after_new: usize,
    pub new_frames: usize,
}

/// `pcs resource move` of `rsc` to the node that does not hold the address,
/// watching both nodes' addresses (netlink events) and the client's wire.
pub fn graceful_move(c: &Cluster, rsc: &str) -> Move {
    let from = c.holder();
    let to = c
        .nodes
        .iter()
        .find(|n| n.name != from)
        .map(|n| n.name.clone())
        .expect("a second node");
    let (from_ns, to_ns) = (c.node(&from).ns(), c.node(&to).ns());
    let (from_mac, to_mac) = (c.node(&from).mac.clone(), c.node(&to).mac.clone());
    let old_w = Watcher::start("ip", &["-n", &from_ns, "-ts", "monitor", "address"], None);
    let new_w = Watcher::start("ip", &["-n", &to_ns, "-ts", "monitor", "address"], None);
    let dump_w = Watcher::start(
        "ip",
        &[
            "netns", "exec", CLIENT, "tcpdump", "-i", "eth0", "-n", "-e", "-tt", "-l", "-U", "arp",
        ],
        Some("listening on"),
    );
    c.on_ok(c.any_up(), &["pcs", "resource", "move", rsc, &to]);
    let moved = wait_until(Duration::from_secs(40), || {
        c.locate(rsc) == [to.clone()] && c.dc_idle()
    });
    assert!(moved, "{rsc} did not move to {to}:\n{}", c.crm_mon());
    // pcs 0.11 removes its move constraint itself; clear is harmless then
    let _ = c.on(c.any_up(), &["pcs", "resource", "clear", rsc]);
    thread::sleep(Duration::from_millis(1500));
    let vip_line = format!("inet {VIP}/");
    let deleted = old_w
        .stop()
        .iter()
        .filter(|l| l.contains("Deleted") && l.contains(&vip_line))
        .find_map(|l| ip_ts(l));
    let added = new_w
        .stop()
        .iter()
        .filter(|l| !l.contains("Deleted") && l.contains(&vip_line))
        .find_map(|l| ip_ts(l));
    let frames = parse_tcpdump(&dump_w.stop());
    let about_vip = |f: &&ArpLine| f.text.contains(&format!("{VIP} ")) || f.text.ends_with(VIP);
    let new_frames: Vec<&ArpLine> = frames
        .iter()
        .filter(|f| f.src_mac == to_mac)
        .filter(about_vip)
        .collect();
    let first_new = new_frames.first().map(|f| f.t).unwrap_or(f64::MAX);
    Move {
        old_frames_after_new: frames
            .iter()
            .filter(|f| f.src_mac == from_mac && f.t > first_new)
            .filter(about_vip)
            .count(),
        new_frames: new_frames.len(),
        deleted,
        added,
        from,
        to,
    }
}

/// One row per failover, for the record behind the medians.
pub fn failover_rows(runs: &[(&str, &[Failover])]) -> String {
    let mut out = String::from(
        "| agent | # | from -> to | membership | start initiated | bound | first GARP | neighbour switched | served | share |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let c = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
    for (name, fs) in runs {
        for (i, f) in fs.iter().enumerate() {
            out.push_str(&format!(
                "| {name} | {} | {} -> {} | {} | {} | {} | {} | {} | {} | {} |\n",
                i + 1,
                f.from,
                f.to,
                c(f.membership),
                c(f.start_initiated),
                c(f.bound),
                c(f.first_garp),
                c(f.neigh_switched),
                c(f.served),
                c(f.agent_share())
            ));
        }
    }
    out
}

/// What the client and the node saw while something was being changed.
#[derive(Debug)]
pub struct Seen {
    pub requests: usize,
    pub failed: usize,
    pub addr_deleted: usize,
}

/// Client requests every 50 ms and the node's address events, in the background.
pub struct ServiceWatch {
    stop: Arc<std::sync::atomic::AtomicBool>,
    client: thread::JoinHandle<(usize, usize)>,
    addr: Watcher,
}

impl ServiceWatch {
    pub fn start(node: &str) -> ServiceWatch {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s2 = stop.clone();
        let client = thread::spawn(move || {
            let (mut n, mut bad) = (0, 0);
            while !s2.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                if client_get(Duration::from_secs(1)).is_none() {
                    bad += 1;
                }
                thread::sleep(Duration::from_millis(50));
            }
            (n, bad)
        });
        let ns = format!("hc-{node}");
        let addr = Watcher::start("ip", &["-n", &ns, "-ts", "monitor", "address"], None);
        ServiceWatch { stop, client, addr }
    }

    pub fn stop(self) -> Seen {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (requests, failed) = self.client.join().unwrap_or((0, usize::MAX));
        let lines = self.addr.stop();
        Seen {
            requests,
            failed,
            addr_deleted: lines
                .iter()
                .filter(|l| l.contains("Deleted") && l.contains(&format!("inet {VIP}/")))
                .count(),
        }
    }
}
