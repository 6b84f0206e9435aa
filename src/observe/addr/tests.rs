//! The address sight's pure parts: which bindings are ours, how the reason names them.
use super::*;

fn at(link_index: u32, prefix: u8) -> BoundAddr {
    BoundAddr {
        link_index,
        prefix,
        tentative: false,
        dadfailed: false,
        secondary: false,
    }
}

fn vip(s: &str) -> Vip {
    crate::vip::parse_list(s)
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or_else(|| panic!("{s}"))
}

#[test]
fn ours_on_several_links_is_seen_by_the_configured_prefix() {
    let bound = [at(2, 24), at(3, 24), at(2, 24), at(4, 32)];
    // issue 21 item 7: both /24 bindings count, the /32 is foreign
    assert_eq!(links_bound(&bound, &vip("192.0.2.10/24")), [2, 3]);
    assert_eq!(links_bound(&bound, &vip("192.0.2.10/32")), [4]);
    // no prefix configured: any prefix is ours
    assert_eq!(links_bound(&bound, &vip("192.0.2.10")), [2, 3, 4]);
    assert!(links_bound(&[], &vip("192.0.2.10/24")).is_empty());
}

#[test]
fn the_links_read_as_a_list() {
    let n = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(both(&n(&["eth0", "eth1"])), "both eth0 and eth1");
    assert_eq!(both(&n(&["a", "b", "c"])), "a, b and c");
}
