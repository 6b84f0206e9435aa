//! Single addresses, unusable ones, and lists as `ip` gives them.

use super::*;

fn ok(s: &str) -> Vip {
    match s.parse::<Vip>() {
        Ok(v) => v,
        Err(e) => panic!("{s}: {e}"),
    }
}

#[test]
fn parses_v4_and_v6_with_and_without_prefix() {
    assert_eq!(ok("192.0.2.10/24").prefix, Some(24));
    assert_eq!(ok("192.0.2.10").prefix, None);
    assert_eq!(ok("2001:db8::10/64").prefix, Some(64));
    assert!(ok("2001:db8::10/128").is_v6());
    assert_eq!(ok("192.0.2.10/32").to_string(), "192.0.2.10/32");
    assert_eq!(ok("2001:db8::10").to_string(), "2001:db8::10");
}

#[test]
fn refuses_malformed_values() {
    for bad in [
        "",
        "192.0.2.10/",
        "192.0.2.10/33",
        "192.0.2.10/0",
        "192.0.2.10/+24",
        "192.0.2.10/024x",
        "2001:db8::10/129",
        "fe80::1%eth0/64",
        "192.0.2.256/24",
        "192.0.2.10 /24",
        " 192.0.2.10/24",
        "host.example/24",
        "0.0.0.0/8",
        "224.0.0.1/4",
        "255.255.255.255/32",
        "::/64",
        "ff02::1/64",
        "127.0.0.3/8",
        "127.255.255.254",
        "::1/128",
        "::1",
        "192.0.2.10/24/24",
        "192.0.2.10/99999999999999999999",
    ] {
        assert!(bad.parse::<Vip>().is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn link_local_is_fe80_slash_10() {
    assert!(ok("fe80::2").is_link_local());
    assert!(ok("febf::2/64").is_link_local());
    assert!(!ok("fec0::2/64").is_link_local());
    assert!(!ok("2001:db8::2/64").is_link_local());
    assert!(!ok("169.254.1.1/16").is_link_local());
}

#[test]
fn loopback_is_refused_by_name() {
    for bad in ["127.0.0.3/8", "::1"] {
        let e = bad.parse::<Vip>().err().unwrap_or_default();
        assert!(e.contains("loopback"), "{bad}: {e}");
    }
}

#[test]
fn lists_take_blanks_and_commas() {
    let l = parse_list("192.0.2.10/24 2001:db8::10/64").unwrap_or_default();
    assert_eq!(list_string(&l), "192.0.2.10/24 2001:db8::10/64");
    let l = parse_list(" 192.0.2.10/24 ,\t2001:db8::10/64,192.0.2.11  198.51.100.1 ")
        .unwrap_or_default();
    assert_eq!(l.len(), 4);
    assert_eq!(parse_list("192.0.2.10/24"), Ok(vec![ok("192.0.2.10/24")]));
}

#[test]
fn lists_refuse_empty_items_duplicates_and_bad_items() {
    for (bad, why) in [
        ("", "no address given"),
        (" , ", "empty item before the first comma"),
        (",192.0.2.1", "empty item before the first comma"),
        ("192.0.2.1,", "empty item after comma 1"),
        ("192.0.2.1,,192.0.2.2", "empty item after comma 1"),
        ("192.0.2.1 192.0.2.1", "192.0.2.1 is given twice"),
        (
            "192.0.2.1/24,192.0.2.1/25",
            "192.0.2.1 is given twice (/24 and /25)",
        ),
        (
            "192.0.2.1 fe80::1%eth0/64",
            "fe80::1%eth0/64: zone ids are not supported: name the interface in nic",
        ),
        (
            "192.0.2.1 2001:db8::1/64 2001:db8:0:0:0:0:0:1",
            "2001:db8::1 is given twice (/64 and no prefix)",
        ),
        ("192.0.2.1/33", "prefix must be 1 to 32"),
    ] {
        assert_eq!(parse_list(bad), Err(why.to_string()), "{bad:?}");
    }
    let many: Vec<String> = (1..=101)
        .map(|i| format!("10.0.{}.{}", i / 200, i % 200 + 1))
        .collect();
    assert_eq!(parse_list(&many[..100].join(" ")).map(|l| l.len()), Ok(100));
    assert_eq!(
        parse_list(&many.join(",")),
        Err("more than 100 addresses".to_string())
    );
}

#[test]
fn addresses_no_host_can_use_are_refused_with_their_reason() {
    for (bad, why) in [
        (
            "::ffff:192.0.2.10/64",
            "IPv4-mapped, never on the wire: give 192.0.2.10",
        ),
        (
            "::ffff:127.0.0.1",
            "IPv4-mapped, never on the wire: give 127.0.0.1",
        ),
        ("192.0.2.0/24", "the network address of 192.0.2.0/24"),
        ("192.0.2.255/24", "the broadcast address of 192.0.2.0/24"),
        ("10.0.0.4/30", "the network address of 10.0.0.4/30"),
        ("10.0.0.7/30", "the broadcast address of 10.0.0.4/30"),
        ("10.255.255.255/8", "the broadcast address of 10.0.0.0/8"),
        ("224.0.0.5/24", "a multicast address"),
        ("239.1.2.3", "a multicast address"),
        ("ff05::2/64", "a multicast address"),
        (
            "0.1.2.3/8",
            "in 0.0.0.0/8 (this network): not a host address",
        ),
        (
            "240.0.0.1/4",
            "in 240.0.0.0/4 (reserved): not a host address",
        ),
        (
            "254.1.2.3/24",
            "in 240.0.0.0/4 (reserved): not a host address",
        ),
        ("255.255.255.255", "the limited broadcast address"),
        ("0.0.0.0", "the unspecified address"),
        ("::", "the unspecified address"),
    ] {
        assert_eq!(bad.parse::<Vip>(), Err(why.to_string()), "{bad}");
    }
    // /31 and /32 have no network or broadcast address; without a
    // prefix it is not known here
    for good in [
        "192.0.2.0/31",
        "192.0.2.1/31",
        "192.0.2.255/32",
        "192.0.2.0/32",
        "192.0.2.0",
        "10.0.0.5/30",
        "223.255.255.254/8",
        "2001:db8::/64",
    ] {
        assert!(good.parse::<Vip>().is_ok(), "{good}");
    }
}

#[test]
fn an_ipv4_mapped_duplicate_names_both_forms() {
    assert_eq!(
        parse_list("192.0.2.10/24 ::ffff:192.0.2.10"),
        Err("192.0.2.10 is given twice (once as ::ffff:192.0.2.10)".into())
    );
    // alone or first: refused as mapped, named
    assert_eq!(
        parse_list("2001:db8::1/64 ::ffff:192.0.2.10/96 192.0.2.10"),
        Err("::ffff:192.0.2.1…: IPv4-mapped, never on the wire: give 192.0.2.10".into())
    );
}

#[test]
fn prefix_errors_name_the_range() {
    assert_eq!(
        "192.0.2.1/40".parse::<Vip>(),
        Err("prefix must be 1 to 32".into())
    );
    assert_eq!(
        "2001:db8::1/200".parse::<Vip>(),
        Err("prefix must be 1 to 128".into())
    );
}
