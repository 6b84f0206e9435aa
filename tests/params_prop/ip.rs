//! The `ip` parser: IPv4 and IPv6 addresses and prefixes round-trip, zone
//! ids and unusable addresses are refused, address lists round-trip and
//! their defects are named, loopback and link-local need care.

use super::*;

proptest! {
    #![proptest_config(config())]

    /// Any usable IPv4 address with any prefix 1..=32 parses to itself.
    #[test]
    fn v4_cidr_round_trips(a in any::<Ipv4Addr>(), p in 1u8..=32) {
        // (the unusable ones: tests/unusable.rs and the unit tests of vip)
        prop_assume!(unusable(a.into(), Some(p)).is_none() && unusable(a.into(), None).is_none());
        let text = format!("{a}/{p}");
        let vip: Vip = text.parse().map_err(|e: String| TestCaseError::fail(e))?;
        prop_assert_eq!(vip, Vip { addr: IpAddr::V4(a), prefix: Some(p) });
        prop_assert_eq!(vip.to_string(), text.clone());
        let bare: Vip = a.to_string().parse().map_err(|e: String| TestCaseError::fail(e))?;
        prop_assert_eq!(bare.prefix, None);
        let env = Env::from_pairs([("OCF_RESKEY_ip", text)]);
        let cfg = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cfg.vips, vec![vip]);
    }

    /// Any usable IPv6 address, in any spelling Rust prints, with any prefix
    /// 1..=128, parses to itself.
    #[test]
    fn v6_cidr_round_trips(a in any::<Ipv6Addr>(), p in 1u8..=128, full in any::<bool>()) {
        prop_assume!(unusable(a.into(), Some(p)).is_none());
        let spelled = if full {
            a.segments().iter().map(|s| format!("{s:x}")).collect::<Vec<_>>().join(":")
        } else {
            a.to_string()
        };
        let vip: Vip = format!("{spelled}/{p}").parse().map_err(|e: String| TestCaseError::fail(e))?;
        prop_assert_eq!(vip, Vip { addr: IpAddr::V6(a), prefix: Some(p) });
        prop_assert_eq!(vip.to_string(), format!("{a}/{p}"));
    }

    /// Prefixes out of range, zone ids and unusable addresses are refused.
    #[test]
    fn out_of_range_prefixes_and_zones_are_refused(
        a in any::<Ipv6Addr>(), b in any::<Ipv4Addr>(), p in 129u32..100_000, zone in "[a-z0-9]{0,16}"
    ) {
        if unusable(a.into(), None).is_none() {
            prop_assert_eq!(format!("{a}/{p}").parse::<Vip>(), Err("prefix must be 1 to 128".to_string()));
        }
        let any = format!("{a}/{p}").parse::<Vip>();
        prop_assert!(any.is_err(), "{:?}", any);
        if p <= 999 {
            prop_assert_eq!(format!("{b}/{}", p - 96).parse::<Vip>().ok(), None);
        }
        let zero = format!("{b}/0").parse::<Vip>();
        prop_assert!(zero.is_err(), "{:?}", zero);
        let zoned = format!("{a}%{zone}/64").parse::<Vip>();
        prop_assert!(matches!(&zoned, Err(e) if e.contains("zone")), "{:?}", zoned);
    }

    /// One to a hundred distinct addresses, IPv4 and IPv6 mixed, joined by
    /// any mix of blanks and commas (and blanks around the whole), parse to
    /// themselves in order.
    #[test]
    fn address_lists_round_trip(
        fams in proptest::collection::vec(any::<bool>(), 1..=100),
        seps in proptest::collection::vec("[ \t]{1,3}|[ \t]{0,2},[ \t]{0,2}", 100),
        lead in "[ \t]{0,2}", trail in "[ \t]{0,2}",
    ) {
        let vips: Vec<Vip> = fams.iter().enumerate().map(|(i, v6)| numbered(i, *v6)).collect();
        let mut text = lead.clone();
        for (i, v) in vips.iter().enumerate() {
            if i > 0 {
                text.push_str(&seps[i]);
            }
            text.push_str(&v.to_string());
        }
        text.push_str(&trail);
        let env = Env::from_pairs([("OCF_RESKEY_ip", text.clone())]);
        let cfg = Config::from_env(&env).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(&cfg.vips, &vips);
        prop_assert_eq!(validate_all(&env).status, Status::Success);
    }

    /// Defects in a list are 6 with a reason that names ip and says what:
    /// an empty item (two commas, a leading or trailing comma), an address
    /// twice (same or other prefix), a zone id, a 101st address.
    #[test]
    fn list_defects_are_6_with_a_reason(
        n in 1usize..=100, at in any::<proptest::sample::Index>(), defect in 0u8..7,
        zone in "[a-z0-9]{1,12}", v6 in any::<bool>(),
    ) {
        let vips: Vec<String> = (0..n).map(|i| numbered(i, v6 ^ (i % 3 == 0)).to_string()).collect();
        let i = at.index(n);
        let mut items = vips.clone();
        let (text, says) = match defect {
            0 => { items.insert(i, String::new()); (items.join(","), "empty item") }
            1 => (format!(",{}", items.join(" ")), "empty item"),
            2 => (format!("{},", items.join(", ")), "empty item"),
            3 => { items.push(vips[i].clone()); (items.join(" "), "twice") }
            4 => {
                let other = vips[i].replace("/24", "/25").replace("/64", "/80");
                items.push(other);
                (items.join(" , "), "twice")
            }
            5 => { items.insert(i, format!("fe80::1%{zone}/64")); (items.join(" "), "zone ids") }
            _ => {
                let many: Vec<String> = (0..101).map(|k| numbered(k, k % 2 == 0).to_string()).collect();
                (many.join(","), "more than 100")
            }
        };
        let env = Env::from_pairs([("OCF_RESKEY_ip", text.clone())]);
        let e = Config::from_env(&env).err();
        prop_assert_eq!(e.as_ref().map(|e| e.name()), Some("ip"), "{:?}: {:?}", text, e);
        let report = validate_all(&env);
        prop_assert_eq!(report.status, Status::ErrConfigured);
        let reason = report.reason.unwrap_or_default();
        assert_reason_fits(&reason, "ip");
        prop_assert!(reason.contains(says), "{:?}: {:?}", text, reason);
    }

    /// Loopback addresses are refused by name; an IPv6 link-local address
    /// is refused without nic (naming ip) and taken with it.
    #[test]
    fn loopback_and_link_local_without_nic_are_refused(
        host in any::<u32>(), p in 1u8..=32, ll in any::<u128>(), nic in "[a-z][a-z0-9]{0,14}"
    ) {
        let lo = std::net::Ipv4Addr::from((127u32 << 24) | (host & 0x00ff_ffff));
        let refused = format!("{lo}/{p}").parse::<Vip>();
        prop_assert!(matches!(&refused, Err(e) if e.contains("loopback")), "{:?}", refused);
        let a = Ipv6Addr::from((0xfe80u128 << 112) | (ll & ((1u128 << 118) - 1)));
        let without = Env::from_pairs([("OCF_RESKEY_ip".to_string(), format!("{a}/64"))]);
        let e = Config::from_env(&without).err();
        prop_assert_eq!(e.as_ref().map(|e| e.name()), Some("ip"), "{:?}", e);
        let report = validate_all(&without);
        prop_assert_eq!(report.status, Status::ErrConfigured);
        assert_reason_fits(&report.reason.unwrap_or_default(), "nic");
        let with = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), format!("{a}/64")),
            ("OCF_RESKEY_nic".to_string(), nic.clone()),
        ]);
        let c = Config::from_env(&with).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.nic, Some(nic));
    }
}
