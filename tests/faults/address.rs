//! Faults of the NIC and the address: missing and downed NICs, no carrier,
//! the address elsewhere or with another prefix, removed or added by hand,
//! IPv6 DAD failing.

use agent::{expect, has_addr};
use matrix::{probe, timeout, Rows};
use rig::{Rig, SERVE, V4, V6};
use support::{agent, matrix, rig};

pub(super) fn nic_missing() -> Rows {
    let rig = Rig::new("fnonic", &[], SERVE);
    let call = rig.call(V4).param("nic", "nosuch0").recurring();
    let mut r = Rows::new("8. nic missing on this node").sub(rig.ctr.name(), "<container>");
    r.go(&call, rig.node(), "start", "start", 5);
    r.go(&probe(&call), rig.node(), "monitor", "probe", 7);
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert_eq!(rig.status(), "created");
    r
}

pub(super) fn nic_down() -> Rows {
    let rig = Rig::new("fdown", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r = Rows::new("8. nic administratively down").sub(rig.ctr.name(), "<container>");
    let set = |state: &str| {
        agent::ip(&["-n", &rig.net.node, "link", "set", &rig.net.node_if, state]);
    };
    set("down");
    r.go(&call, rig.node(), "start", "start (brings it up)", 0);
    set("down");
    r.go(
        &call,
        rig.node(),
        "monitor",
        "monitor, set down while running",
        1,
    );
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert_eq!(rig.status(), "exited");
    r
}

pub(super) fn no_carrier() -> Rows {
    let rig = Rig::new("fcarrier", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r =
        Rows::new("8. nic without carrier (peer end down)").sub(rig.ctr.name(), "<container>");
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "down"]);
    r.go(
        &timeout(call.clone(), 4000),
        rig.node(),
        "start",
        "start, op timeout 4 s",
        1,
    );
    r.go(&call, rig.node(), "stop", "stop", 0);
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "up"]);
    expect(call.run(rig.node(), "start"), 0);
    agent::ip(&["-n", &rig.net.peer, "link", "set", &rig.net.peer_if, "down"]);
    r.go(
        &call,
        rig.node(),
        "monitor",
        "monitor, carrier lost while running",
        1,
    );
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    r
}

pub(super) fn address_elsewhere() -> Rows {
    let rig = Rig::new("felse", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r = Rows::new("9. address already on another interface of this node")
        .sub(rig.ctr.name(), "<container>");
    agent::ip(&[
        "-n",
        &rig.net.node,
        "link",
        "add",
        "other0",
        "type",
        "veth",
        "peer",
        "name",
        "other1",
    ]);
    agent::ip(&["-n", &rig.net.node, "link", "set", "other0", "up"]);
    agent::ip(&["-n", &rig.net.node, "addr", "add", V4, "dev", "other0"]);
    r.go(&call, rig.node(), "start", "start", 5);
    assert_eq!(rig.status(), "created", "refused start started it");
    r.go(&probe(&call), rig.node(), "monitor", "probe", 1);
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert!(
        has_addr(&rig.net.node, "other0", V4),
        "stop removed what is not ours"
    );
    r
}

pub(super) fn address_other_prefix() -> Rows {
    let rig = Rig::new("foprefix", &[], SERVE);
    let call = rig.call("192.0.2.59/24").recurring();
    let mut r =
        Rows::new("9. the same address with another prefix on the NIC (another tool's /32)")
            .sub(rig.ctr.name(), "<container>");
    rig.node_addr("add", "192.0.2.59/32");
    r.go(&call, rig.node(), "start", "start", 5);
    assert_eq!(rig.status(), "created", "refused start started it");
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, "192.0.2.59/24"),
        "refused start bound the address"
    );
    r.go(&probe(&call), rig.node(), "monitor", "probe", 1);
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert!(
        has_addr(&rig.net.node, &rig.net.node_if, "192.0.2.59/32"),
        "stop removed what is not ours"
    );
    rig.node_addr("del", "192.0.2.59/32");
    r.go(
        &probe(&call),
        rig.node(),
        "monitor",
        "probe once it is gone",
        7,
    );
    r
}

pub(super) fn address_removed() -> Rows {
    let rig = Rig::new("fdel", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r =
        Rows::new("9. address removed by hand while running").sub(rig.ctr.name(), "<container>");
    expect(call.run(rig.node(), "start"), 0);
    rig.node_addr("del", V4);
    r.go(&call, rig.node(), "monitor", "monitor", 1);
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert_eq!(rig.status(), "exited");
    r
}

pub(super) fn address_added() -> Rows {
    let rig = Rig::new("fadd", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r =
        Rows::new("9. address added by hand, container stopped").sub(rig.ctr.name(), "<container>");
    rig.node_addr("add", V4);
    r.go(&probe(&call), rig.node(), "monitor", "probe", 1);
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    r.go(&probe(&call), rig.node(), "monitor", "probe after stop", 7);
    r
}

pub(super) fn dad_fails() -> Rows {
    let rig = Rig::new("fdad", &[], SERVE);
    let call = rig.call(V6).recurring();
    let mut r = Rows::new("10. IPv6: the address already held by the peer (DAD fails)")
        .sub(rig.ctr.name(), "<container>");
    rig.net.peer_holds(V6);
    r.go(&call, rig.node(), "start", "start", 1);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V6));
    r.go(&call, rig.node(), "stop", "stop", 0);
    r.go(&probe(&call), rig.node(), "monitor", "probe after stop", 7);
    r
}
