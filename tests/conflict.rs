//! `conflict_check` (issue 17): RFC 5227 ARP probes before an IPv4 address
//! is bound, against a real peer namespace that holds the address or not;
//! the probes as the peer captures them; what the check adds to start.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick
//! unprivileged loop.

use support::{agent, netns, nettest, rig};

use std::net::Ipv4Addr;
use std::process::Command;
use std::time::Duration;

use agent::{expect, has_addr};
use nettest::{arp_rounds, probe};
use rig::{Rig, SERVE, V4};

const VIP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);

fn mac_of(ns: &str, dev: &str) -> String {
    let o = Command::new("ip")
        .args(["-n", ns, "-o", "link", "show", dev])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    o.split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// Our probes among the frames: ARP requests from the node's MAC with
/// sender 0.0.0.0 and target the address.
fn probes(frames: &[netns::Frame], mac: [u8; 6]) -> usize {
    netns::arp_frames(frames)
        .iter()
        .filter(|a| {
            a.op == 1
                && a.sender_mac == mac
                && a.eth_src == mac
                && a.eth_dst == [0xff; 6]
                && a.sender_ip == Ipv4Addr::UNSPECIFIED
                && a.target_mac == [0; 6]
                && a.target_ip == VIP
        })
        .count()
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn conflict_check_fails_start_naming_the_holder_and_binds_nothing() {
    let rig = Rig::new("conflict", &[], SERVE);
    agent::ip(&[
        "-n",
        &rig.net.peer,
        "addr",
        "add",
        V4,
        "dev",
        &rig.net.peer_if,
    ]);
    let peer_mac = mac_of(&rig.net.peer, &rig.net.peer_if);
    assert_eq!(peer_mac.len(), 17, "{peer_mac}");
    let call = rig.call(V4).param("conflict_check", "true");
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let run = expect(call.run(rig.node(), "start"), 1);
    let frames = cap.stop();
    run.assert_reason(&format!(
        "192.0.2.10 is already in use on the network: {peer_mac} answered"
    ));
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "bound anyway"
    );
    let node_mac = rig.net.node_mac();
    let sent = probes(&frames, node_mac);
    assert!(sent >= 1, "no RFC 5227 probe captured");
    // nothing announced, nothing in the peer's neighbour table learnt from us
    assert_eq!(
        arp_rounds(&frames, [192, 0, 2, 10]).0,
        0,
        "an announcement went out"
    );
    eprintln!(
        "conflict: start 1 in {} ms, {sent} probe(s) captured",
        run.took.as_millis()
    );
    assert!(rig.status() != "running", "the container was started");
    expect(call.run(rig.node(), "stop"), 0);
    expect(probe(&call).run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn conflict_check_with_nobody_holding_it_starts_after_the_window() {
    let rig = Rig::new("noconflict", &[], SERVE);
    let plain = rig.call(V4).param("arp_count", "1");
    let checked = plain
        .clone()
        .param("conflict_check", "true")
        .param("conflict_window", "200");
    let mut took = (Vec::new(), Vec::new());
    let mut gaps = Vec::new();
    for i in 0..6 {
        let call = if i % 2 == 0 { &plain } else { &checked };
        let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
        let run = expect(call.run(rig.node(), "start"), 0);
        let frames = cap.stop();
        assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
        let sent = probes(&frames, rig.net.node_mac());
        if i % 2 == 0 {
            assert_eq!(sent, 0, "probes without conflict_check");
            took.0.push(run.took);
        } else {
            assert_eq!(sent, 2, "two probes in the window");
            took.1.push(run.took);
            // on the wire: the first announcement follows the first probe
            // after the window (nothing is bound before it ends)
            let first = |f: &dyn Fn(&netns::ArpSeen) -> bool| {
                frames.iter().find(|fr| {
                    netns::arp_frames(std::slice::from_ref(fr))
                        .first()
                        .is_some_and(f)
                })
            };
            let probe_at = first(&|a| a.sender_ip == Ipv4Addr::UNSPECIFIED).map(|f| f.0);
            let garp_at = first(&|a| a.sender_ip == VIP).map(|f| f.0);
            let gap = match (probe_at, garp_at) {
                (Some(p), Some(g)) => g.saturating_duration_since(p),
                _ => panic!("probe or announcement not captured"),
            };
            eprintln!("first probe -> first announcement: {} ms", gap.as_millis());
            // (the capture stamps frames as its thread reads them: a late
            // read of the probe shortens the gap by a few ms under load)
            assert!(gap >= Duration::from_millis(180), "{gap:?}");
            // and only the window is waited: RFC 5227's own probing
            // (PROBE_WAIT, three probes, ANNOUNCE_WAIT) would take over 3 s;
            // the bound leaves room for a loaded machine
            assert!(gap < Duration::from_millis(1000), "{gap:?}");
            gaps.push(gap);
        }
        rig.stop_leaves_nothing(call, V4);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut took.0), median(&mut took.1));
    eprintln!(
        "start median of 3: {} ms without, {} ms with conflict_check (window 200 ms); \
         probe -> announcement median {} ms",
        a.as_millis(),
        b.as_millis(),
        median(&mut gaps).as_millis()
    );
}
