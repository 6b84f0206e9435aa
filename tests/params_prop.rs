//! Property tests of the parameter parser: `Config::from_env` and what it
//! calls (the `ip` parser, the `monitor_cmd` splitter, ra-api's `Params`),
//! driven through the agent's own execution block (`ra_api::execute` with
//! `validate-all`, which checks syntax only at check level 0).
//!
//! Random and adversarial values for every parameter (unicode, huge and
//! negative numbers, empty and blank strings, over-long names, malformed
//! CIDR, IPv6 zone ids, control characters, shell syntax) must end in
//! success or in `OCF_ERR_CONFIGURED` (6) with one exit reason of at most
//! 128 characters that names the parameter; never a panic. Valid values
//! round-trip. Unprivileged and quick: 256 cases per property.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use croit_container::agent::{ContainerAgent, Setup};
use croit_container::cmdline;
use croit_container::error::Error;
use croit_container::params::{Config, PARAMS};
use croit_container::vip::{unusable, Vip};
use proptest::prelude::*;
use ra_api::{execute, Action, Agent, Context, Deadline, Env, ParamError, Status, EXIT_REASON_MAX};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

/// Values no parameter should be surprised by.
const ADVERSARIAL: &[&str] = &[
    "",
    " ",
    "\t",
    " \n ",
    "0",
    "-0",
    "+0",
    "-1",
    "+",
    "--1",
    "0x10",
    "1e3",
    "1.5",
    "١٢",
    "NaN",
    "∞",
    "18446744073709551616",
    "-9223372036854775809",
    "9223372036854775807",
    "yes",
    "YES ",
    "oN",
    "ja",
    "192.0.2.10/",
    "/24",
    "192.0.2.10/024",
    "192.0.2.10/0",
    "192.0.2.10/33",
    "192.0.2.10/24/24",
    "192.0.2.256/24",
    "1.2.3/24",
    "::ffff:192.0.2.1/96",
    "fe80::1%eth0/64",
    "fe80::1%/64",
    "fe80::1%25eth0",
    "2001:db8::10/129",
    "2001:db8:::10/64",
    "[2001:db8::10]/64",
    "0.0.0.0/0",
    "255.255.255.255/32",
    "ff02::1/64",
    "::/0",
    "127.0.0.3/8",
    "::1/128",
    "fe80::2",
    "fe80::2/64",
    "unix://",
    "unix:///",
    "unix://relative.sock",
    "tcp://127.0.0.1:2375",
    "ssh://root@host",
    "/",
    "'",
    "\"",
    "\\",
    "a\\",
    "'a'\"b\"\\ c",
    "sh -c 'echo; touch /tmp/x'",
    "; touch /tmp/x",
    "$(reboot)",
    "`reboot`",
    "a|b&c>d<e",
    "eth0:1",
    "..",
    ".",
    "a/b",
    "veth-with-a-very-long-name0",
    "\u{200b}\u{feff}\u{202e}",
    "\u{1}\u{7f}\u{9b}",
    "é",
    "日本語",
    "🦀🦀🦀",
];

/// Any value: adversarial, random unicode (no NUL: an environment cannot
/// carry one), numbers of every size, blanks, long runs, CIDR-like shapes.
fn junk() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(ADVERSARIAL).prop_map(str::to_string),
        3 => "[^\u{0}]{0,48}",
        1 => "[ \t\r\n\u{b}\u{c}]{0,6}",
        2 => any::<i128>().prop_map(|n| n.to_string()),
        2 => (-10i64..70_000, "[ \t]{0,2}", "[ \t]{0,2}")
            .prop_map(|(n, a, b)| format!("{a}{n}{b}")),
        1 => "[+-]?[0-9]{12,60}",
        1 => (1usize..2000, proptest::char::any().prop_filter("no NUL", |c| *c != '\0'))
            .prop_map(|(n, c)| c.to_string().repeat(n)),
        2 => cidr_like(),
        2 => list_like(),
        1 => "[a-zA-Z0-9_.:/-]{1,40}",
        1 => "[ -~]{0,40}",
    ]
}

/// Address-shaped values, valid and not: any address, any prefix, zone ids.
fn cidr_like() -> impl Strategy<Value = String> {
    let addr = prop_oneof![
        any::<Ipv4Addr>().prop_map(IpAddr::V4),
        any::<Ipv6Addr>().prop_map(IpAddr::V6),
    ];
    (
        addr,
        proptest::option::of(0u32..300),
        proptest::option::of("[a-z0-9]{0,20}"),
    )
        .prop_map(|(a, p, zone)| {
            let mut s = a.to_string();
            if let Some(z) = zone {
                s.push('%');
                s.push_str(&z);
            }
            if let Some(p) = p {
                s.push_str(&format!("/{p}"));
            }
            s
        })
}

/// Lists of address-shaped items (valid and not) joined by any mix of
/// separators, empty items included.
fn list_like() -> impl Strategy<Value = String> {
    proptest::collection::vec((cidr_like(), separator()), 0..110).prop_map(|items| {
        items
            .into_iter()
            .map(|(item, sep)| format!("{item}{sep}"))
            .collect()
    })
}

/// What may stand between two items: blanks, a comma with or without
/// blanks; sometimes two commas (an empty item).
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        3 => Just(",".to_string()),
        2 => "[ \t]{0,2},[ \t]{0,2}",
        2 => "[ \t]{1,4}",
        1 => Just(",,".to_string()),
        1 => Just(", ,".to_string()),
    ]
}

/// A usable address of either family with a prefix, numbered so that a list
/// of them holds no duplicate.
fn numbered(i: usize, v6: bool) -> Vip {
    let n = u32::try_from(i).unwrap_or(0);
    if v6 {
        let a = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x100 + n as u16);
        Vip {
            addr: IpAddr::V6(a),
            prefix: Some(64),
        }
    } else {
        let a = Ipv4Addr::from(0xc000_0200u32 + 10 + n);
        Vip {
            addr: IpAddr::V4(a),
            prefix: Some(24),
        }
    }
}

/// Unset or some value, for each declared parameter; plus `$DOCKER_HOST`
/// and parameters nobody declared (over-long and odd names).
fn any_env() -> impl Strategy<Value = Vec<(String, String)>> {
    let per_param: Vec<_> = PARAMS
        .iter()
        .map(|spec| {
            // ip is mostly set, so that the other parameters get looked at
            let unset = if spec.name == "ip" { 1 } else { 3 };
            prop_oneof![
                unset => Just(None),
                5 => junk().prop_map(Some),
            ]
            .prop_map(move |v| v.map(|v| (format!("OCF_RESKEY_{}", spec.name), v)))
        })
        .collect();
    (
        per_param,
        proptest::option::of(junk()),
        proptest::collection::vec(("[A-Za-z0-9_]{1,300}", junk()), 0..3),
    )
        .prop_map(|(params, docker_host, extra)| {
            let mut pairs: Vec<(String, String)> = params.into_iter().flatten().collect();
            if let Some(h) = docker_host {
                pairs.push(("DOCKER_HOST".into(), h));
            }
            for (k, v) in extra {
                pairs.push((format!("OCF_RESKEY_{k}"), v));
            }
            // syntax only: check level 0, no meta timeout games here
            pairs.retain(|(k, _)| k != "OCF_RESKEY_OCF_CHECK_LEVEL");
            pairs
        })
}

fn validate_all(env: &Env) -> ra_api::Report {
    let args = vec!["container".to_string(), "validate-all".to_string()];
    execute(&ContainerAgent, env, &args)
}

#[track_caller]
fn assert_reason_fits(reason: &str, name: &str) {
    let n = reason.chars().count();
    assert!(n <= EXIT_REASON_MAX, "{n} characters: {reason:?}");
    assert!(!reason.trim().is_empty(), "empty reason");
    assert!(!reason.chars().any(char::is_control), "{reason:?}");
    assert!(reason.contains(name), "{reason:?} does not name {name}");
}

proptest! {
    #![proptest_config(config())]

    /// Every environment gives Ok, or a typed error whose code is 6 and whose
    /// one-line reason (at most 128 characters) names the parameter.
    #[test]
    fn any_environment_is_ok_or_configured_with_a_short_reason(pairs in any_env()) {
        let env = Env::from_pairs(pairs.clone());
        let parsed = Config::from_env(&env);
        let report = validate_all(&env);
        match &parsed {
            Ok(_) => {
                prop_assert_eq!(report.status, Status::Success, "{:?}", report);
                prop_assert_eq!(report.reason, None);
            }
            Err(e) => {
                prop_assert!(PARAMS.iter().any(|s| s.name == e.name()), "{:?}", e);
                prop_assert_eq!(Error::Param(e.clone()).status(), Status::ErrConfigured);
                prop_assert_eq!(report.status, Status::ErrConfigured, "{:?}", report);
                let reason = report.reason.clone().unwrap_or_default();
                assert_reason_fits(&reason, e.name());
            }
        }
        // every action but stop refuses the same environment the same way
        for action in ["start", "monitor"] {
            let mut with_deadline = pairs.clone();
            with_deadline.push(("OCF_RESKEY_CRM_meta_timeout".into(), "1".into()));
            if parsed.is_err() {
                let env = Env::from_pairs(with_deadline);
                let args = vec!["container".to_string(), action.to_string()];
                let r = execute(&ContainerAgent, &env, &args);
                prop_assert_eq!(r.status, Status::ErrConfigured, "{} {:?}", action, r);
            }
        }
    }

    /// Stop never refuses at configuration: it gets what it needs to stop a
    /// leftover container, and the container name only when it is valid.
    #[test]
    fn stop_always_gets_a_setup(pairs in any_env()) {
        let env = Env::from_pairs(pairs);
        let ctx = Context { env: &env, action: Action::Stop, deadline: Deadline::new(Duration::from_secs(1)) };
        let setup = ContainerAgent.configure(&ctx);
        prop_assert!(setup.is_ok(), "{:?}", setup.err());
        match (setup, Config::from_env(&env)) {
            (Ok(Setup::Valid(c)), Ok(expected)) => prop_assert_eq!(c, expected),
            (Ok(Setup::Malformed { error, plan }), Err(expected)) => {
                prop_assert_eq!(error, expected);
                // the container when its name and its engine are readable
                prop_assert_eq!(
                    plan.container,
                    croit_container::params::container_only(&env)
                        .ok()
                        .zip(croit_container::params::docker_host_only(&env).ok())
                );
                // the address only when ip and nic are well-formed on their own
                prop_assert_eq!(
                    plan.address,
                    croit_container::params::address_only(&env).ok()
                );
            }
            (s, c) => prop_assert!(false, "configure {:?} vs from_env {:?}", s, c),
        }
    }

    /// Each parameter alone, set to junk, next to a valid ip: Ok or 6 naming
    /// exactly that parameter.
    #[test]
    fn one_bad_parameter_is_named(idx in 0..PARAMS.len(), value in junk()) {
        let name = PARAMS[idx].name;
        let mut pairs = vec![("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string())];
        pairs.retain(|(k, _)| k != &format!("OCF_RESKEY_{name}"));
        pairs.push((format!("OCF_RESKEY_{name}"), value));
        let env = Env::from_pairs(pairs);
        if let Err(e) = Config::from_env(&env) {
            prop_assert_eq!(e.name(), name);
            let report = validate_all(&env);
            prop_assert_eq!(report.status, Status::ErrConfigured);
            assert_reason_fits(&report.reason.unwrap_or_default(), name);
        }
    }

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

    /// Counts in range parse to their value (blanks and a + allowed); out of
    /// range they are refused with the range.
    #[test]
    fn counts_round_trip_and_ranges_hold(
        n in -100_000i64..100_000, which in 0usize..4, pad in "[ \t]{0,2}", plus in any::<bool>()
    ) {
        let (name, lo, hi) = [
            ("arp_count", 1, 1000),
            ("arp_interval", 0, 60_000),
            ("arp_count_refresh", 0, 100),
            ("stop_timeout", 1, 86_400),
        ][which];
        let text = if plus && n >= 0 { format!("{pad}+{n}{pad}") } else { format!("{pad}{n}{pad}") };
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
            (format!("OCF_RESKEY_{name}"), text),
        ]);
        match Config::from_env(&env) {
            Ok(c) => {
                prop_assert!((lo..=hi).contains(&n), "{} accepted {}", name, n);
                let got = match name {
                    "arp_count" => i64::from(c.arp_count),
                    "arp_interval" => i64::try_from(c.arp_interval.as_millis()).unwrap_or(-1),
                    "arp_count_refresh" => i64::from(c.arp_count_refresh),
                    _ => c.stop_timeout.map(i64::from).unwrap_or(-1),
                };
                prop_assert_eq!(got, n);
            }
            Err(e) => {
                prop_assert!(!(lo..=hi).contains(&n), "{} refused {}: {}", name, n, e);
                prop_assert_eq!(e.to_string().contains(&format!("must be {lo} to {hi}")), true);
            }
        }
    }

    /// The boolean words in any case and with blanks; nothing else.
    #[test]
    fn booleans_take_their_words_in_any_case(
        word in proptest::sample::select(&["yes", "true", "1", "on", "no", "false", "0", "off"][..]),
        upper in proptest::collection::vec(any::<bool>(), 5), pad in "[ \t]{0,2}", other in "[a-zA-Z0-9]{1,8}"
    ) {
        let cased: String = word.chars().zip(upper.iter().cycle())
            .map(|(c, u)| if *u { c.to_ascii_uppercase() } else { c }).collect();
        let want = matches!(word, "yes" | "true" | "1" | "on");
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
            ("OCF_RESKEY_wait_healthy".to_string(), format!("{pad}{cased}{pad}")),
        ]);
        let c = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.wait_healthy, want);
        let known = ["yes", "true", "1", "on", "no", "false", "0", "off"];
        if !known.contains(&other.to_ascii_lowercase().as_str()) {
            let env = Env::from_pairs([
                ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
                ("OCF_RESKEY_check_health".to_string(), other),
            ]);
            let r = Config::from_env(&env);
            prop_assert!(matches!(r, Err(ParamError::Invalid { name: "check_health", .. })), "{:?}", r);
        }
    }

    /// Any argv (no control characters), quoted by the documented rule, splits
    /// back to itself, whatever shell syntax the words contain.
    #[test]
    fn quoted_argv_splits_back(argv in proptest::collection::vec("[^\\p{Cc}]{0,12}", 1..6), dq in any::<bool>()) {
        let quoted: Vec<String> = argv.iter().map(|w| {
            if dq {
                format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        }).collect();
        let line = quoted.join(" \t ");
        prop_assert_eq!(cmdline::split(&line), Ok(argv.clone()));
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
            ("OCF_RESKEY_monitor_cmd".to_string(), line),
        ]);
        let c = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.monitor_cmd, Some(argv));
    }

    /// The splitter never panics and never returns an empty argv.
    #[test]
    fn split_is_total(s in "[^\u{0}]{0,64}") {
        if let Ok(argv) = cmdline::split(&s) {
            prop_assert!(!argv.is_empty());
        }
    }

    /// Valid names, interfaces and sockets are taken as given.
    #[test]
    fn valid_names_round_trip(
        container in "[a-zA-Z0-9][a-zA-Z0-9_.-]{1,100}", slash in any::<bool>(),
        nic in "[a-zA-Z0-9_.-]{1,15}", path in "(/[a-zA-Z0-9_.-]{1,20}){1,5}", scheme in any::<bool>()
    ) {
        prop_assume!(nic != "." && nic != "..");
        let host = if scheme { format!("unix://{path}") } else { path };
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "2001:db8::10/64".to_string()),
            ("OCF_RESKEY_container".to_string(), if slash { format!("/{container}") } else { container.clone() }),
            ("OCF_RESKEY_nic".to_string(), nic.clone()),
            ("OCF_RESKEY_docker_host".to_string(), host.clone()),
        ]);
        let c = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.container, container);
        prop_assert_eq!(c.nic, Some(nic));
        prop_assert_eq!(c.docker_host, host);
    }
}
