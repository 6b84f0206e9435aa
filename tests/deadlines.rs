//! Time: no announcement round and no log line may push an action past its
//! deadline (issue 14, items 3 and 4). Against a real dockerd and real
//! network namespaces; the logging cases run the agent in a private mount
//! namespace whose /dev/log is a socket nobody reads.
//!
//! Needs root, namespaces, unshare(1) and a dockerd with the test image;
//! `#[ignore]`d for the quick unprivileged loop.

use support::{agent, netns, rig};

use std::net::Ipv4Addr;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::Duration;

use agent::{expect, has_addr, Call, Run};
use rig::{Rig, SERVE, V4};

const VIP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);

/// Gratuitous ARP requests for the VIP the peer captured: one per round.
fn rounds(cap: netns::Capture) -> usize {
    netns::arp_frames(&cap.stop())
        .iter()
        .filter(|a| a.sender_ip == VIP && a.op == 1)
        .count()
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn start_stops_announcing_in_time_and_says_so() {
    let rig = Rig::new("garpdl", &[], SERVE);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    // 50 rounds 200 ms apart take 9.8 s; the start timeout is 4 s
    let call = rig
        .call(V4)
        .param("arp_count", "50")
        .param("arp_interval", "200")
        .var("OCF_RESKEY_CRM_meta_timeout", "4000");
    let run = expect(call.run(rig.node(), "start"), 0);
    assert!(
        run.took < Duration::from_secs(4),
        "start took {:?}",
        run.took
    );
    std::thread::sleep(Duration::from_millis(300));
    let sent = rounds(cap);
    assert!((1..50).contains(&sent), "{sent} rounds captured");
    assert!(
        run.stderr.contains("WARNING:") && run.stderr.contains("announcement"),
        "no warning about the rounds left out:\n{}",
        run.stderr
    );
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    rig.stop_leaves_nothing(&call, V4);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn start_never_blames_the_engine_for_its_own_sleep() {
    let rig = Rig::new("garpblame", &[], SERVE);
    let call = rig
        .call(V4)
        .param("arp_count", "1000")
        .param("arp_interval", "200")
        .var("OCF_RESKEY_CRM_meta_timeout", "4000");
    let run = call.run(rig.node(), "start");
    assert!(
        run.took < Duration::from_secs(4),
        "start took {:?}",
        run.took
    );
    let reason = run.reason().unwrap_or("");
    assert!(
        !reason.contains("engine") && !reason.contains("did not answer"),
        "{reason}"
    );
    let run = expect(run, 0);
    assert!(run.stderr.contains("announcement"), "{}", run.stderr);
    assert_eq!(rig.status(), "running");
    rig.stop_leaves_nothing(&call, V4);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn monitor_refresh_stops_announcing_before_its_deadline() {
    let rig = Rig::new("refreshdl", &[], SERVE);
    let call = rig.call(V4).param("arp_count", "1");
    expect(call.run(rig.node(), "start"), 0);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    // 100 rounds 100 ms apart take 9.9 s; the monitor timeout is 3 s
    let mon = call
        .clone()
        .recurring()
        .param("arp_count_refresh", "100")
        .param("arp_interval", "100")
        .var("OCF_RESKEY_CRM_meta_timeout", "3000");
    let run = expect(mon.run(rig.node(), "monitor"), 0);
    assert!(
        run.took < Duration::from_secs(3),
        "monitor took {:?}",
        run.took
    );
    std::thread::sleep(Duration::from_millis(200));
    let sent = rounds(cap);
    assert!((1..100).contains(&sent), "{sent} refresh rounds captured");
    assert!(
        run.stderr.contains("WARNING:") && run.stderr.contains("announcement"),
        "{}",
        run.stderr
    );
    rig.stop_leaves_nothing(&call, V4);
}

/// validate-all checks syntax only at level 0: no root, no engine needed.
#[test]
fn validate_all_refuses_rounds_that_cannot_fit_the_timeouts() {
    let base = Call::new(&[("ip", V4), ("nic", "eth0")]);
    let run = |c: &Call| c.run(None, "validate-all");
    // the defaults fit
    expect(run(&base), 0);
    // 1000 rounds 60 s apart: more than any start timeout in the meta-data
    let r = expect(
        run(&base
            .clone()
            .param("arp_count", "1000")
            .param("arp_interval", "60000")),
        6,
    );
    r.assert_reason("arp_count");
    // 100 refresh rounds 1 s apart: 99 s, more than the monitor's 30 s
    let r = expect(
        run(&base
            .clone()
            .param("arp_count_refresh", "100")
            .param("arp_interval", "1000")),
        6,
    );
    r.assert_reason("arp_count_refresh");
    // fits the 60 s start timeout of the meta-data
    expect(
        run(&base
            .clone()
            .param("arp_count", "100")
            .param("arp_interval", "200")),
        0,
    );
    // a longer timeout given to validate-all is taken as the user's
    expect(
        run(&base
            .clone()
            .param("arp_count_refresh", "100")
            .param("arp_interval", "1000")
            .var("OCF_RESKEY_CRM_meta_timeout", "240000")),
        0,
    );
}

/// A directory for one logging case, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("croit-test-log-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        if let Err(e) = std::fs::create_dir_all(&p) {
            panic!("mkdir {}: {e}", p.display());
        }
        Scratch(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A bound datagram socket at `path` that the test never reads; `fill`
/// queues datagrams until the kernel refuses more (the reader is stuck).
fn log_reader(path: &Path, fill: bool) -> UnixDatagram {
    let sock = match UnixDatagram::bind(path) {
        Ok(s) => s,
        Err(e) => panic!("bind {}: {e}", path.display()),
    };
    if fill {
        let tx = UnixDatagram::unbound().unwrap_or_else(|e| panic!("socket: {e}"));
        let _ = tx.set_nonblocking(true);
        let mut queued = 0;
        while tx.send_to(b"<31>filler: x", path).is_ok() {
            queued += 1;
            assert!(queued < 100_000, "the queue never filled");
        }
        assert!(queued > 0, "nothing could be queued");
    }
    sock
}

/// The wrapper that runs the agent with `sock` as /dev/log in a mount
/// namespace of its own, SIGKILLed by timeout(1) after `limit_s`.
fn with_dev_log(scratch: &Scratch, sock: &Path, limit_s: u32) -> Vec<String> {
    let dev = scratch.path("dev");
    let script = format!(
        "set -e; d={dev}; mkdir -p $d; mount -t tmpfs none $d; \
         for n in null zero full random urandom; do touch $d/$n; mount --bind /dev/$n $d/$n; done; \
         touch $d/log; mount --bind {sock} $d/log; mount --move $d /dev; exec \"$@\"",
        dev = dev.display(),
        sock = sock.display()
    );
    [
        "timeout",
        "-s",
        "KILL",
        &limit_s.to_string(),
        "unshare",
        "-m",
        "sh",
        "-c",
        &script,
        "sh",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_wrapped(call: &Call, rig: &Rig, wrapper: &[String], action: &str) -> Run {
    let w: Vec<&str> = wrapper.iter().map(String::as_str).collect();
    call.run_via(rig.node(), &w, action)
}

/// start, recurring monitors and stop with debug logging: each the right
/// code, within its 5 s timeout, and the world as it says.
fn lifecycle_within_deadlines(rig: &Rig, call: &Call, wrapper: &[String]) {
    let limit = Duration::from_secs(5);
    let run = expect(run_wrapped(call, rig, wrapper, "start"), 0);
    assert!(run.took < limit, "start took {:?}", run.took);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "running");
    for _ in 0..3 {
        let run = expect(
            run_wrapped(&call.clone().recurring(), rig, wrapper, "monitor"),
            0,
        );
        assert!(run.took < limit, "monitor took {:?}", run.took);
    }
    let run = expect(run_wrapped(call, rig, wrapper, "stop"), 0);
    assert!(run.took < limit, "stop took {:?}", run.took);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "exited");
}

#[test]
#[ignore = "needs root, namespaces, unshare and dockerd: run with --include-ignored"]
fn a_stuck_syslog_reader_never_blocks_an_action() {
    let rig = Rig::new("syslog", &[], SERVE);
    let scratch = Scratch::new("syslog");
    let call = rig
        .call(V4)
        .var("OCF_RESKEY_CRM_meta_timeout", "5000")
        .var("HA_LOGFACILITY", "daemon")
        .var("HA_debug", "1");
    // control: a reader with room receives the agent's lines through /dev/log
    let live_path = scratch.path("live.sock");
    let live = log_reader(&live_path, false);
    let wrapper = with_dev_log(&scratch, &live_path, 10);
    expect(run_wrapped(&call, &rig, &wrapper, "monitor"), 7);
    let _ = live.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 2048];
    let n = live.recv(&mut buf).unwrap_or(0);
    let line = String::from_utf8_lossy(&buf[..n]);
    let tag = format!("<31>container({})[", rig.ctr.name());
    assert!(line.starts_with(&tag), "{line:?}");
    // a reader that never reads, its queue already full
    let stuck_path = scratch.path("stuck.sock");
    let _stuck = log_reader(&stuck_path, true);
    let wrapper = with_dev_log(&scratch, &stuck_path, 10);
    lifecycle_within_deadlines(&rig, &call, &wrapper);
}

#[test]
#[ignore = "needs root, namespaces, mkfifo and dockerd: run with --include-ignored"]
fn a_logfile_nobody_reads_never_blocks_an_action() {
    let rig = Rig::new("logfifo", &[], SERVE);
    let scratch = Scratch::new("fifo");
    let fifo = scratch.path("pacemaker.log");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(matches!(made, Ok(s) if s.success()), "mkfifo failed");
    let call = rig
        .call(V4)
        .var("OCF_RESKEY_CRM_meta_timeout", "5000")
        .var("HA_LOGFILE", &fifo.to_string_lossy())
        .var("HA_debug", "1");
    let wrapper: Vec<String> = ["timeout", "-s", "KILL", "10"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // no reader at all: opening for writing would wait for one
    lifecycle_within_deadlines(&rig, &call, &wrapper);
    // a reader that holds the FIFO open and never reads, the pipe full
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc_o_nonblock())
        .open(&fifo);
    let _reader = reader.unwrap_or_else(|e| panic!("open fifo: {e}"));
    let mut w = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc_o_nonblock())
        .open(&fifo)
        .unwrap_or_else(|e| panic!("open fifo for writing: {e}"));
    let mut filled = 0usize;
    while let Ok(n) = w.write(&[b'x'; 4096]) {
        filled += n;
        assert!(filled < 1 << 24, "the pipe never filled");
    }
    drop(w);
    lifecycle_within_deadlines(&rig, &call, &wrapper);
}

fn libc_o_nonblock() -> i32 {
    nix::fcntl::OFlag::O_NONBLOCK.bits()
}
