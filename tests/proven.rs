//! Addresses proven free before the service runs (issue 22), against real
//! namespaces, the real engine and frames captured on the peer: a failed
//! IPv6 DAD and an answered IPv4 probe leave the container never started
//! (its `State.StartedAt` unchanged) and nothing of ours bound or announced;
//! IPv4 is announced without waiting for IPv6 DAD; addresses on two links
//! get their later rounds from one background announcer.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick
//! unprivileged loop.

use support::{agent, netns, nettest, rig, v6wire};

use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

use agent::{expect, has_addr};
use nettest::{arp_rounds, probe, sysctl_in};
use rig::{inspect, Rig, SERVE, V4, V6};
use v6wire::{addr_line, nas_for, AddrWatch};

const BOTH: &str = "192.0.2.10/24 2001:db8::10/64";
const V6_IP: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10);

fn started_at(rig: &Rig) -> String {
    inspect(rig.ctr.name(), "{{.State.StartedAt}}")
}

/// Nothing of ours on the node: neither address, no failed leftover.
#[track_caller]
fn nothing_bound(rig: &Rig) {
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4), "IPv4 left");
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6), "IPv6 left");
    let line = addr_line(&rig.net.node, "2001:db8::10/");
    assert!(line.is_none(), "{line:?}");
}

/// The peer holds the IPv6 address: DAD fails, start answers 1, the
/// container has never run, the IPv4 address announced meanwhile is
/// withdrawn and no frame of ours follows start's answer.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn a_failed_dad_never_starts_the_container_and_withdraws_ipv4() {
    let rig = Rig::new("addadfail", &[], SERVE);
    rig.net.peer_holds(V6);
    let before = started_at(&rig);
    let call = rig
        .call(BOTH)
        .param("arp_count", "5")
        .param("arp_interval", "200");
    let mut watch = AddrWatch::start(&rig.net.node);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let run = expect(call.run(rig.node(), "start"), 1);
    let returned = Instant::now();
    std::thread::sleep(Duration::from_millis(700));
    let frames = cap.stop();
    let events = watch.stop();
    run.assert_reason("2001:db8::10 is already in use on the network (DAD failed)");
    assert_eq!(started_at(&rig), before, "the container was started");
    assert_eq!(rig.status(), "created");
    nothing_bound(&rig);
    let mac = rig.net.node_mac();
    let ours_v4: Vec<Instant> = frames
        .iter()
        .filter(|f| arp_rounds(std::slice::from_ref(f), [192, 0, 2, 10]).0 == 1)
        .map(|f| f.0)
        .collect();
    let late_v4 = ours_v4.iter().filter(|t| **t > returned).count();
    let nas = nas_for(&frames, V6_IP)
        .into_iter()
        .filter(|(_, na)| na.tlla == Some(mac))
        .count();
    // when the kernel said DAD failed, and when IPv4 was gone
    let at = |needle: &str, extra: &str| {
        events
            .iter()
            .find(|(_, l)| l.contains(needle) && l.contains(extra))
            .map(|(t, _)| *t)
    };
    let failed = at("2001:db8::10/64", "dadfailed");
    let withdrawn = at("Deleted", "192.0.2.10/24");
    let gap = match (failed, withdrawn) {
        (Some(f), Some(w)) => w.saturating_duration_since(f),
        _ => panic!("no dadfailed or no IPv4 deletion event: {events:?}"),
    };
    eprintln!(
        "DAD failure: start 1 in {} ms; {} IPv4 rounds went out during DAD, none after; \
         IPv4 withdrawn {} ms after the kernel's dadfailed event; {nas} NAs of ours",
        run.took.as_millis(),
        ours_v4.len(),
        gap.as_millis()
    );
    assert!(!ours_v4.is_empty(), "IPv4 was not announced during DAD");
    assert_eq!(late_v4, 0, "IPv4 announced after start answered");
    assert_eq!(nas, 0, "the failed IPv6 address was advertised");
    expect(call.run(rig.node(), "stop"), 0);
    expect(probe(&call).run(rig.node(), "monitor"), 7);
    assert_eq!(started_at(&rig), before, "stop started it?");
    // the IPv6 address alone: the same
    let alone = rig.call(V6);
    let run = expect(alone.run(rig.node(), "start"), 1);
    run.assert_reason("2001:db8::10 is already in use on the network (DAD failed)");
    assert_eq!(started_at(&rig), before, "started with IPv6 alone");
    nothing_bound(&rig);
    expect(alone.run(rig.node(), "stop"), 0);
}

/// The peer answers the IPv4 probe (`conflict_check`): start answers 1,
/// the container has never run and the IPv6 address bound during the probe
/// is gone too.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn an_answered_probe_never_starts_the_container_and_binds_nothing() {
    let rig = Rig::new("adprobe", &[], SERVE);
    agent::ip(&[
        "-n",
        &rig.net.peer,
        "addr",
        "add",
        V4,
        "dev",
        &rig.net.peer_if,
    ]);
    let before = started_at(&rig);
    let call = rig.call(BOTH).param("conflict_check", "true");
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let run = expect(call.run(rig.node(), "start"), 1);
    let frames = cap.stop();
    run.assert_reason("192.0.2.10 is already in use on the network");
    assert_eq!(started_at(&rig), before, "the container was started");
    assert_eq!(rig.status(), "created");
    nothing_bound(&rig);
    let mac = rig.net.node_mac();
    let announced = netns::arp_frames(&frames)
        .iter()
        .filter(|a| a.eth_src == mac && a.sender_ip == std::net::Ipv4Addr::new(192, 0, 2, 10))
        .count();
    assert_eq!(announced, 0, "IPv4 announced");
    let nas = nas_for(&frames, V6_IP)
        .into_iter()
        .filter(|(_, na)| na.tlla == Some(mac))
        .count();
    assert_eq!(nas, 0, "IPv6 announced");
    eprintln!("probe answered: start 1 in {} ms", run.took.as_millis());
    expect(call.run(rig.node(), "stop"), 0);
    expect(probe(&call).run(rig.node(), "monitor"), 7);
}

/// Dual stack with DAD: the IPv4 rounds start at once (not after IPv6 DAD),
/// the container only once DAD passed, IPv6 is advertised only then.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn ipv4_is_announced_at_once_and_the_container_waits_for_dad() {
    let rig = Rig::new("adorder", &[], SERVE);
    let call = rig
        .call(BOTH)
        .param("arp_count", "3")
        .param("arp_interval", "100");
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let t0 = Instant::now();
    let run = expect(call.run(rig.node(), "start"), 0);
    std::thread::sleep(Duration::from_millis(400));
    let frames = cap.stop();
    let first_arp = frames
        .iter()
        .find(|f| arp_rounds(std::slice::from_ref(f), [192, 0, 2, 10]).0 == 1)
        .map(|f| f.0)
        .unwrap_or_else(|| panic!("no ARP"));
    let first_na = v6wire::first_na(&frames, V6_IP).unwrap_or_else(|| panic!("no NA"));
    // DAD: its solicitation on the wire, then retrans_time (1 s) of silence
    let dad = *v6wire::dad_probes(&frames, V6_IP)
        .last()
        .unwrap_or_else(|| panic!("no DAD probe"));
    eprintln!(
        "dual stack: first ARP {} ms after launch, DAD probe at {} ms, first NA {} ms, start {} ms",
        (first_arp - t0).as_millis(),
        (dad - t0).as_millis(),
        (first_na - t0).as_millis(),
        run.took.as_millis()
    );
    // DAD ends 1 s after its solicitation: IPv4 goes out long before
    assert!(
        first_arp < dad + Duration::from_millis(900),
        "IPv4 waited for DAD"
    );
    assert!(
        first_na >= dad + Duration::from_millis(900),
        "advertised while tentative"
    );
    assert_eq!(arp_rounds(&frames, [192, 0, 2, 10]), (3, 3));
    assert_eq!(nas_for(&frames, V6_IP).len(), 3);
    rig.stop_leaves_nothing(&call, V4);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6));
}

/// Where the node allows optimistic DAD (`optimistic_dad=1`), the address
/// is bound optimistic: DAD starts at once, no random delay before it.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn optimistic_dad_where_the_node_allows_it() {
    let rig = Rig::new("adoptim", &[], SERVE);
    sysctl_in(&rig.net.node, "net.ipv6.conf.eth0.optimistic_dad=1");
    let call = rig.call(V6).param("arp_count", "1");
    let ns = rig.net.node.clone();
    let t0 = Instant::now();
    let starting = std::thread::spawn(move || call_start(call, &ns));
    // the address's flags while start runs (a tentative address has no
    // event before its DAD ends)
    let mut seen = Vec::new();
    while !starting.is_finished() {
        if let Some(l) = addr_line(&rig.net.node, "2001:db8::10/64") {
            seen.push((t0.elapsed(), l));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (call, run) = starting.join().unwrap_or_else(|_| panic!("start thread"));
    let run = expect(run, 0);
    let optimistic = seen
        .iter()
        .filter(|(_, l)| l.contains("optimistic"))
        .count();
    let settled = seen
        .iter()
        .find(|(_, l)| !l.contains("tentative"))
        .map(|(t, _)| t.as_millis());
    eprintln!(
        "optimistic DAD: {optimistic} of {} looks optimistic, DAD over {settled:?} ms after launch",
        seen.len()
    );
    assert!(optimistic > 0, "never optimistic: {seen:?}");
    eprintln!("optimistic DAD: IPv6 start {} ms", run.took.as_millis());
    rig.stop_leaves_nothing(&call, V6);
}

fn call_start(call: agent::Call, ns: &str) -> (agent::Call, agent::Run) {
    let run = call.run(Some(ns), "start");
    (call, run)
}

/// Addresses on two links (`nic` empty): start returns after the first
/// round of each, one background announcer sends the rest on both links.
#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn addresses_on_two_links_get_their_rounds_from_one_announcer() {
    let rig = Rig::new("ad2links", &[], SERVE);
    let (node, peer) = (&rig.net.node, &rig.net.peer);
    agent::ip(&[
        "link", "add", "eth1", "netns", node, "type", "veth", "peer", "name", "eth1", "netns", peer,
    ]);
    for ns in [node, peer] {
        agent::ip(&["-n", ns, "link", "set", "eth1", "up"]);
    }
    // the node's own addresses: the connected routes that pick each link
    agent::ip(&["-n", node, "addr", "add", "192.0.2.2/24", "dev", "eth0"]);
    agent::ip(&["-n", node, "addr", "add", "198.51.100.2/24", "dev", "eth1"]);
    let call = rig
        .call("192.0.2.10/24 198.51.100.10/24")
        .param("nic", "")
        .param("arp_count", "5")
        .param("arp_interval", "400");
    let cap0 = netns::Capture::start(peer, "eth0");
    let cap1 = netns::Capture::start(peer, "eth1");
    let run = expect(call.run(rig.node(), "start"), 0);
    let returned = Instant::now();
    let copies = agents_running(rig.ctr.name());
    std::thread::sleep(Duration::from_millis(1900));
    let (f0, f1) = (cap0.stop(), cap1.stop());
    let after = |frames: &[netns::Frame], ip: [u8; 4]| {
        frames
            .iter()
            .filter(|f| f.0 > returned)
            .filter(|f| arp_rounds(std::slice::from_ref(f), ip).0 == 1)
            .count()
    };
    let (a0, a1) = (after(&f0, [192, 0, 2, 10]), after(&f1, [198, 51, 100, 10]));
    eprintln!(
        "two links: start {} ms; rounds after it returned: eth0 {a0}, eth1 {a1}; \
         agent processes right after start: {copies}",
        run.took.as_millis()
    );
    assert_eq!(arp_rounds(&f0, [192, 0, 2, 10]), (5, 5), "eth0");
    assert_eq!(arp_rounds(&f1, [198, 51, 100, 10]), (5, 5), "eth1");
    assert_eq!(
        arp_rounds(&f0, [198, 51, 100, 10]),
        (0, 0),
        "eth1's on eth0"
    );
    // rounds 400 ms apart: a start under load may have seen two
    assert!(a0 >= 2 && a1 >= 2, "later rounds from the background");
    assert_eq!(copies, 1, "one announcer for both links");
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(node, "eth0", "192.0.2.10/24"));
    assert!(!has_addr(node, "eth1", "198.51.100.10/24"));
}

/// Live processes that are copies of the agent for `container` (its
/// OCF_RESKEY_container in their environment).
fn agents_running(container: &str) -> usize {
    let needle = format!("OCF_RESKEY_container={container}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|s| s.parse::<u32>().is_ok())
        })
        .filter(|e| {
            let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            let zombie = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z');
            !zombie && env.split(|b| *b == 0).any(|v| v == needle.as_bytes())
        })
        .count()
}
