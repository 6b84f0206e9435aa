//! Dual stack's rounds in time: IPv4's during DAD, the rest from the
//! background announcer that start's log names.

use super::*;

use support::agent::wait_for;
use support::procs::alive;

/// With DAD, the IPv4 rounds go out while DAD runs (before start returns:
/// the defaults' five rounds fit DAD's second), and the rounds still due
/// when start returns come from one background announcer for both
/// families, named in start's log.
///
/// How many IPv6 rounds start sends itself depends on how long the
/// container takes to be ready (start announces while it waits), so the
/// background is pinned with rounds 1 s apart: even a slow start (under
/// load, 2.5 s was seen with the defaults) returns before the last of them.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn dual_stack_ipv4_rounds_during_dad_ipv6_rounds_from_the_background() {
    let rig = Rig::new("dualbg", &[], SERVE);
    // the defaults: 5 rounds, 200 ms apart (the rig's calls are 20 ms apart)
    let call = rig
        .call(BOTH)
        .param("arp_count", "5")
        .param("arp_interval", "200");
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let run = expect(call.run(rig.node(), "start"), 0);
    let returned = Instant::now();
    let handed = handed_over(&run.stderr);
    wait_gone(handed.as_ref().map(|h| h.pid));
    let frames = cap.stop();
    let (v4_after, v6_after) = after(&frames, returned);
    timeline(&frames, returned - run.took);
    eprintln!(
        "dual-stack defaults: start {} ms; rounds after it returned: IPv4 {v4_after}, IPv6 \
         {v6_after}; handed over: {handed:?}",
        run.took.as_millis()
    );
    assert_eq!(arp_rounds(&frames, [192, 0, 2, 10]), (5, 5), "IPv4 rounds");
    assert_eq!(nas_for(&frames, V6_IP).len(), 5, "IPv6 rounds");
    assert_eq!(v4_after, 0, "the IPv4 rounds fit DAD's second");
    let v6_handed = handed.as_ref().map_or(0, |h| h.rounds_for("2001:db8::10"));
    assert!(
        v6_after <= v6_handed,
        "an IPv6 round after start returned that no announcer was given ({v6_handed})"
    );
    rig.stop_leaves_nothing(&call, V4);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6));

    // 8 rounds 1 s apart: start returns long before the last of either
    // family (IPv4's last is due 7 s after its first)
    let call = call.param("arp_count", "8").param("arp_interval", "1000");
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let run = expect(call.run(rig.node(), "start"), 0);
    let returned = Instant::now();
    let handed = handed_over(&run.stderr)
        .unwrap_or_else(|| panic!("no announcer named in start's log:\n{}", run.stderr));
    assert!(
        std::path::Path::new(&format!("/proc/{}", handed.pid)).exists(),
        "the announcer {} is running once start returned",
        handed.pid
    );
    wait_gone(Some(handed.pid));
    let frames = cap.stop();
    let (v4_after, v6_after) = after(&frames, returned);
    eprintln!(
        "dual-stack, 1 s apart: start {} ms; rounds after it returned: IPv4 {v4_after}, IPv6 \
         {v6_after}; handed over: {handed:?}",
        run.took.as_millis()
    );
    assert_eq!(arp_rounds(&frames, [192, 0, 2, 10]), (8, 8), "IPv4 rounds");
    assert_eq!(nas_for(&frames, V6_IP).len(), 8, "IPv6 rounds");
    for (family, ip, sent_after) in [
        ("IPv4", "192.0.2.10", v4_after),
        ("IPv6", "2001:db8::10", v6_after),
    ] {
        let given = handed.rounds_for(ip);
        assert!(
            (1..=given).contains(&sent_after),
            "{family}: {sent_after} round(s) after start returned, the announcer was given {given}"
        );
    }
    rig.stop_leaves_nothing(&call, V4);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6));
}

/// What start's log says it handed to the background announcer:
/// "N more announcement round(s) from pid P: n for <ips> on <link>, ...".
#[derive(Debug)]
struct Handed {
    pid: i32,
    /// (the addresses, as the log lists them; the rounds)
    groups: Vec<(String, usize)>,
}

impl Handed {
    /// The rounds given for the group holding `ip`.
    fn rounds_for(&self, ip: &str) -> usize {
        self.groups
            .iter()
            .filter(|(ips, _)| ips.split(' ').any(|i| i == ip))
            .map(|(_, n)| *n)
            .sum()
    }
}

fn handed_over(log: &str) -> Option<Handed> {
    let line = log
        .lines()
        .find(|l| l.contains("more announcement round(s) from pid "))?;
    let (_, rest) = line.split_once("from pid ")?;
    let (pid, groups) = rest.split_once(": ")?;
    let groups = groups
        .split(", ")
        .filter_map(|g| {
            let (n, rest) = g.split_once(" for ")?;
            let (ips, _link) = rest.rsplit_once(" on ")?;
            Some((ips.to_string(), n.parse().ok()?))
        })
        .collect();
    Some(Handed {
        pid: pid.trim().parse().ok()?,
        groups,
    })
}

/// Waits (up to 15 s) until the announcer `pid` is gone: it ends on its own
/// after its last round.
fn wait_gone(pid: Option<i32>) {
    let Some(pid) = pid else { return };
    assert!(
        wait_for(Duration::from_secs(15), || !alive(pid)),
        "the announcer {pid} still runs after 15 s"
    );
    // its last frame reaches the capture
    std::thread::sleep(Duration::from_millis(100));
}

/// When the IPv4 and the IPv6 rounds were captured.
fn rounds_at(frames: &[netns::Frame]) -> (Vec<Instant>, Vec<Instant>) {
    let v4 = frames
        .iter()
        .filter(|f| arp_rounds(std::slice::from_ref(f), [192, 0, 2, 10]).0 == 1)
        .map(|f| f.0)
        .collect();
    let v6 = nas_for(frames, V6_IP).iter().map(|(t, _)| *t).collect();
    (v4, v6)
}

/// Prints when each round was captured, in ms after `launch`.
fn timeline(frames: &[netns::Frame], launch: Instant) {
    let ms = |at: Vec<Instant>| -> Vec<u128> {
        at.iter()
            .map(|t| t.saturating_duration_since(launch).as_millis())
            .collect()
    };
    let (v4, v6) = rounds_at(frames);
    eprintln!(
        "ms after launch: IPv4 rounds {:?}, IPv6 rounds {:?}",
        ms(v4),
        ms(v6)
    );
}

/// How many IPv4 and IPv6 rounds were captured after `returned`.
fn after(frames: &[netns::Frame], returned: Instant) -> (usize, usize) {
    let (v4, v6) = rounds_at(frames);
    let later = |at: Vec<Instant>| at.iter().filter(|t| **t > returned).count();
    (later(v4), later(v6))
}
