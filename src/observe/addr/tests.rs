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
    let on = |v: &[&str]| {
        v.iter()
            .map(|n| SpreadOn {
                link: LinkRef::Named(n.to_string()),
                prefixes: Vec::new(),
            })
            .collect::<Vec<_>>()
    };
    let spread = |vip_s: &str, on| {
        Foreign::Spread {
            vip: vip(vip_s),
            on,
        }
        .to_string()
    };
    assert_eq!(
        spread("192.0.2.10/24", on(&["eth0", "eth1"])),
        "192.0.2.10/24 is bound on both eth0 and eth1"
    );
    assert_eq!(
        spread("192.0.2.10/24", on(&["a", "b", "c"])),
        "192.0.2.10/24 is bound on a, b and c"
    );
    // no prefix configured: each interface names its own; an interface
    // whose name cannot be read is named by its index
    let mixed = vec![
        SpreadOn {
            link: LinkRef::Named("eth0".into()),
            prefixes: vec![24, 16],
        },
        SpreadOn {
            link: LinkRef::Index(7),
            prefixes: vec![32],
        },
    ];
    assert_eq!(
        spread("192.0.2.10", mixed),
        "192.0.2.10 is bound on both eth0 (/24, /16) and interface #7 (/32)"
    );
}
