//! The address side: the lifecycle, announcements on the peer, IPv6 DAD,
//! the address deleted or added by hand, no carrier, the prefix and NIC
//! found from the route.

use super::*;

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v4_lifecycle_is_idempotent_and_leaves_nothing_behind() {
    let rig = Rig::new("life4", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "start"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "start"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(rig.status(), "exited");
    // exited on SIGTERM, inside the grace period: exit code 0, not 137
    assert_eq!(inspect(rig.ctr.name(), "{{.State.ExitCode}}"), "0");
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v4_announcements_reach_the_peer_as_requests_and_replies() {
    let rig = Rig::new("garp4", &[], SERVE);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    expect(
        rig.call(V4)
            .param("arp_count", "3")
            .run(rig.node(), "start"),
        0,
    );
    std::thread::sleep(Duration::from_millis(200));
    let frames = cap.stop();
    let arps = netns::arp_frames(&frames);
    let mac = rig.net.node_mac();
    let ip: std::net::Ipv4Addr = [192, 0, 2, 10].into();
    let ours: Vec<_> = arps.iter().filter(|a| a.sender_ip == ip).collect();
    assert_eq!(ours.len(), 6, "3 rounds x (request + reply): {arps:?}");
    assert_eq!(ours.iter().filter(|a| a.op == 1).count(), 3, "requests");
    assert_eq!(ours.iter().filter(|a| a.op == 2).count(), 3, "replies");
    for a in &ours {
        assert_eq!(a.sender_mac, mac);
        assert_eq!(a.eth_src, mac);
        assert_eq!(a.eth_dst, [0xff; 6]);
        assert_eq!(a.target_ip, ip, "sender = target = the address");
    }
    expect(rig.call(V4).run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v6_start_waits_for_dad_then_advertises() {
    let rig = Rig::new("life6", &[], SERVE);
    let cap = netns::Capture::start(&rig.net.peer, &rig.net.peer_if);
    let call = rig.call(V6).param("arp_count", "2");
    expect(call.run(rig.node(), "start"), 0);
    std::thread::sleep(Duration::from_millis(200));
    let nas = netns::na_frames(&cap.stop());
    let ip: std::net::Ipv6Addr = "2001:db8::10"
        .parse()
        .unwrap_or(std::net::Ipv6Addr::LOCALHOST);
    let ours: Vec<_> = nas.iter().filter(|n| n.target == ip).collect();
    assert_eq!(ours.len(), 2, "{nas:?}");
    for n in &ours {
        assert_eq!(n.tlla, Some(rig.net.node_mac()));
        assert!(n.override_flag);
        assert_eq!(n.hop_limit, 255);
    }
    // DAD finished before the advertisement: the address is no longer tentative
    let out = std::process::Command::new("ip")
        .args([
            "-n",
            &rig.net.node,
            "-6",
            "-o",
            "addr",
            "show",
            "dev",
            &rig.net.node_if,
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // only our address's line: the link-local one of a fresh veth may still be tentative
    let line = out.lines().find(|l| l.contains("2001:db8::10/64"));
    assert!(line.is_some_and(|l| !l.contains("tentative")), "{out}");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    rig.stop_leaves_nothing(&call, V6);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn v6_address_held_by_the_peer_fails_start_and_is_removed() {
    let rig = Rig::new("dad6", &[], SERVE);
    rig.net.peer_holds(V6);
    let run = expect(rig.call(V6).run(rig.node(), "start"), 1);
    run.assert_reason("DAD");
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6));
    expect(rig.call(V6).run(rig.node(), "stop"), 0);
    expect(rig.call(V6).run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn address_deleted_by_hand_is_partial_1() {
    let rig = Rig::new("deladdr", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    rig.node_addr("del", V4);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("not bound");
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn address_added_by_hand_with_the_container_stopped_is_1_and_stop_removes_it() {
    let rig = Rig::new("addaddr", &[], SERVE);
    let call = rig.call(V4);
    rig.node_addr("add", V4);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("partial");
    rig.stop_leaves_nothing(&call, V4);
    // The same address with another prefix is not ours: left alone, but
    // never 7 while it is bound here.
    rig.node_addr("add", "192.0.2.10/25");
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("192.0.2.10/25");
    expect(call.run(rig.node(), "stop"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, "192.0.2.10/25"));
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn nic_without_carrier_while_running_is_1() {
    let rig = Rig::new("carrier", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "down"]);
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("carrier");
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "up"]);
    let (up, last) = rig.monitor_until(&call, Duration::from_secs(5), |run| run.code == 0);
    assert!(up, "monitor never returned to 0: {last:?}");
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn prefix_and_nic_are_found_from_the_connected_route() {
    let rig = Rig::new("auto", &[], SERVE);
    rig.node_addr("add", "192.0.2.1/24");
    let call = rig.call("192.0.2.10").param("nic", "");
    expect(call.run(rig.node(), "start"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, V4));
    expect(call.run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert!(
        has_addr(&rig.net.node, &rig.net.node_if, "192.0.2.1/24"),
        "the node's own address stays"
    );
    expect(call.run(rig.node(), "monitor"), 7);
}
