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

use croit_container::agent::{malformed_plan, ContainerAgent};
use croit_container::cmdline;
use croit_container::error::Error;
use croit_container::params::{Config, PARAMS};
use croit_container::vip::{unusable, Vip};
use proptest::prelude::*;
use ra_api::{execute, Action, Agent, Context, Deadline, Env, ParamError, Status, EXIT_REASON_MAX};

mod env;
mod ip;
mod values;

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
