//! Announcements and the link against real network namespaces (issue 14):
//! carrier before the first round, no announcements on links without ARP (a
//! veth with `arp off`, a real tun), IPv6 disabled on the NIC, DAD without
//! carrier, the send-only packet socket, no refresh for a tentative address.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick
//! unprivileged loop.

use support::{agent, netns, nettest, rig};

use std::process::Command;
use std::time::Duration;

use agent::{expect, has_addr};
use nettest::{arp_rounds, link_set, read_in, short, sysctl_in, Tun};
use rig::{Rig, SERVE, V4};

// ------------------------------------------------------------- item 8 --

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn first_announcement_round_waits_for_carrier() {
    let rig = Rig::new("carrier1st", &[], SERVE);
    let (node, peer) = (rig.net.node.clone(), rig.net.peer.clone());
    link_set(&node, &rig.net.node_if, &["down"]);
    link_set(&peer, &rig.net.peer_if, &["down"]);
    let cap = netns::Capture::start(&peer, &rig.net.peer_if);
    let peer_if = rig.net.peer_if.clone();
    let later = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        link_set(&peer, &peer_if, &["up"]);
    });
    let call = rig.call(V4).param("arp_count", "3");
    let run = expect(call.run(rig.node(), "start"), 0);
    let _ = later.join();
    std::thread::sleep(Duration::from_millis(200));
    let frames = cap.stop();
    assert!(run.took >= Duration::from_millis(1400), "{:?}", run.took);
    assert_eq!(
        arp_rounds(&frames, [192, 0, 2, 10]),
        (3, 3),
        "3 rounds of request + reply after carrier came"
    );
    rig.stop_leaves_nothing(&call, V4);
}

// ------------------------------------------------------------- item 7 --

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn noarp_link_gets_no_announcements_and_start_only_warns() {
    let rig = Rig::new("noarp", &[], SERVE);
    link_set(&rig.net.node, &rig.net.node_if, &["arp", "off"]);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let call = rig
        .call(V4)
        .param("arp_count", "3")
        .param("arp_count_refresh", "2");
    let run = expect(
        call.clone()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        0,
    );
    assert!(
        run.stderr.contains("INFO") && run.stderr.contains("no announcements"),
        "{}",
        run.stderr
    );
    let run = expect(call.run(rig.node(), "start"), 0);
    assert!(
        run.stderr.contains("WARNING") && run.stderr.contains("NOARP"),
        "{}",
        run.stderr
    );
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(arp_rounds(&cap.stop(), [192, 0, 2, 10]), (0, 0));
    rig.stop_leaves_nothing(&call, V4);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn tun_link_without_mac_starts_with_a_warning() {
    let rig = Rig::new("tun", &[], SERVE);
    let _tun = Tun::new(&rig.net.node, "tun0");
    let call = rig.call("198.51.100.10/24").param("nic", "tun0");
    expect(
        call.clone()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        0,
    );
    let run = expect(call.run(rig.node(), "start"), 0);
    assert!(
        run.stderr.contains("WARNING") && run.stderr.contains("tun0"),
        "{}",
        run.stderr
    );
    assert!(has_addr(&rig.net.node, "tun0", "198.51.100.10/24"));
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, "tun0", "198.51.100.10/24"));
    expect(call.run(rig.node(), "monitor"), 7);
}

// ------------------------------------------------------------- extras --

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v6_disabled_on_the_nic_is_5_before_any_change() {
    let rig = Rig::new("nov6", &[], SERVE);
    sysctl_in(&rig.net.node, "net.ipv6.conf.eth0.disable_ipv6=1");
    let call = rig.call(rig::V6);
    let run = expect(call.run(rig.node(), "start"), 5);
    run.assert_reason("IPv6 is disabled on eth0");
    assert_eq!(rig.status(), "created");
    let run = expect(
        call.clone()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        5,
    );
    run.assert_reason("IPv6 is disabled");
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v6_start_without_carrier_says_carrier() {
    // Both ends down: start brings the NIC up, carrier never comes, and the
    // kernel keeps the address tentative (DAD waits for a ready link).
    let rig = Rig::new("dadcarrier", &[], SERVE);
    link_set(&rig.net.node, &rig.net.node_if, &["down"]);
    link_set(&rig.net.peer, &rig.net.peer_if, &["down"]);
    let call = rig.call(rig::V6);
    let run = expect(short(&call, 4000).run(rig.node(), "start"), 1);
    run.assert_reason("no carrier");
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, rig::V6));
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn announcement_socket_is_send_only() {
    let rig = Rig::new("sendonly", &[], SERVE);
    let call = rig
        .call(V4)
        .param("arp_count", "40")
        .param("arp_interval", "25");
    let node = rig.net.node.clone();
    let ns = node.clone();
    let starting = std::thread::spawn(move || call.run(Some(&ns), "start"));
    // /proc/net/packet of the node namespace: "sk RefCnt Type Proto Iface R Rmem User Inode"
    let mut protos = Vec::new();
    while !starting.is_finished() {
        let table = read_in(&node, "/proc/net/packet");
        for line in table.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() >= 7 {
                protos.push((f[3].to_string(), f[5].to_string(), f[6].to_string()));
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let run = starting.join().unwrap_or_else(|_| panic!("start thread"));
    expect(run, 0);
    assert!(!protos.is_empty(), "no packet socket seen during start");
    for (proto, running, rmem) in &protos {
        assert_eq!(
            (proto.as_str(), running.as_str(), rmem.as_str()),
            ("0000", "0", "0"),
            "a packet socket that receives: {protos:?}"
        );
    }
    rig.stop_leaves_nothing(&rig.call(V4), V4);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn no_refresh_announcement_for_a_tentative_v6_address() {
    let rig = Rig::new("tentative", &[], SERVE);
    let call = rig.call(rig::V6).param("arp_count_refresh", "3");
    expect(call.run(rig.node(), "start"), 0);
    // the address again, with DAD of 5 s: tentative for a while
    sysctl_in(&rig.net.node, "net.ipv6.conf.eth0.dad_transmits=5");
    rig.node_addr("del", rig::V6);
    rig.node_addr("add", rig::V6);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    let shown = Command::new("ip")
        .args([
            "-n",
            &rig.net.node,
            "-6",
            "-o",
            "addr",
            "show",
            "dev",
            "eth0",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    std::thread::sleep(Duration::from_millis(100));
    let nas = netns::na_frames(&cap.stop());
    assert!(
        shown
            .lines()
            .any(|l| l.contains("2001:db8::10/64") && l.contains("tentative")),
        "not tentative any more: {shown}"
    );
    let target: std::net::Ipv6Addr = "2001:db8::10"
        .parse()
        .unwrap_or(std::net::Ipv6Addr::LOCALHOST);
    let ours: Vec<_> = nas.iter().filter(|n| n.target == target).collect();
    assert!(ours.is_empty(), "advertised while tentative: {ours:?}");
    expect(call.run(rig.node(), "stop"), 0);
}
