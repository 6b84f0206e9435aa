//! start's bring-up decided in-process against the scripted engine and
//! network: every address is proven free before the container runs, a
//! failed proof leaves nothing of the start behind, IPv4 is not held back
//! by IPv6 DAD, and each link gets its own rounds.

use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::start_on;
use crate::announce::Schedule;
use crate::engine::scripted::{block_on, ctr, Op, Scripted};
use crate::engine::ContainerStatus;
use crate::net::scripted::{eth, NetOp, Round, ScriptedNet, Sender};
use crate::net::NetError;
use crate::observe::scratch::{Scratch, NAME};
use crate::params::Config;

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const V4: &str = "192.0.2.10";
const V6: &str = "2001:db8::10";
const THEIRS: [u8; 6] = [2, 0, 0, 0, 0, 0x99];

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn cfg(extra: &[(&str, &str)]) -> Config {
    let mut pairs = vec![
        ("OCF_RESKEY_ip", "192.0.2.10/24 2001:db8::10/64"),
        ("OCF_RESKEY_container", NAME),
        ("OCF_RESKEY_arp_count", "3"),
        ("OCF_RESKEY_arp_interval", "100"),
    ];
    pairs.extend_from_slice(extra);
    Config::from_env(&ra_api::Env::from_pairs(pairs)).unwrap_or_else(|e| panic!("{e}"))
}

/// Links sn1 (ifindex 2) and sn2 (3) with on-link routes to 192.0.2.0/24
/// and 2001:db8::/64 on sn1 and 198.51.100.0/24 on sn2; nothing bound.
fn world() -> ScriptedNet {
    let nl = ScriptedNet::with([eth(2, "sn1"), eth(3, "sn2")]);
    nl.route(ip("192.0.2.0"), 24, 2);
    nl.route(ip("2001:db8::"), 64, 2);
    nl.route(ip("198.51.100.0"), 24, 3);
    nl
}

/// The rounds still due after a start: each group's addresses and how many.
type Later = Vec<(Vec<IpAddr>, u32)>;

/// What one start did: its code and reason (0 and the rounds still due
/// when it succeeded), the engine and network as it left them, and when
/// it began.
struct Outcome {
    result: Result<Later, (u8, String)>,
    engine: Scripted,
    nl: ScriptedNet,
    t0: Instant,
}

fn start(cfg: &Config, nl: ScriptedNet, status: ContainerStatus) -> Outcome {
    let s = Scratch::new("start-proofs");
    let engine = Scripted::with([ctr(A, NAME, status)]);
    block_on(async {
        let t0 = Instant::now();
        let io = s.node(engine, nl, Duration::from_secs(20));
        let result = start_on(&io, cfg)
            .await
            .map(|later: Vec<Schedule<Sender>>| {
                later.iter().map(|s| (s.ips().to_vec(), s.left())).collect()
            })
            .map_err(|e| (e.status().code(), e.to_string()));
        Outcome {
            result,
            engine: io.engine,
            nl: io.nl,
            t0,
        }
    })
}

/// The rounds that announced `addr`.
fn rounds_of(nl: &ScriptedNet, addr: &str) -> Vec<Round> {
    let a = ip(addr);
    nl.rounds()
        .into_iter()
        .filter(|r| r.ips.contains(&a))
        .collect()
}

#[test]
fn a_free_dual_stack_start_binds_both_starts_once_and_hands_over_the_rest() {
    let o = start(&cfg(&[]), world(), ContainerStatus::Exited);
    // each group's first round is out; two of three are left for later
    assert_eq!(
        o.result,
        Ok(vec![(vec![ip(V4)], 2), (vec![ip(V6)], 2)]),
        "one schedule per family"
    );
    assert_eq!(o.engine.count(Op::Start), 1);
    assert_eq!(o.nl.bound(ip(V4)), vec![(2, 24)]);
    assert_eq!(o.nl.bound(ip(V6)), vec![(2, 64)]);
    assert_eq!(o.nl.count(NetOp::Probe), 0, "no conflict_check, no probe");
}

#[test]
fn ipv4_is_announced_while_ipv6_dad_runs() {
    let nl = world();
    nl.dad_takes(Duration::from_millis(400));
    let o = start(&cfg(&[]), nl, ContainerStatus::Exited);
    assert!(o.result.is_ok(), "{:?}", o.result);
    let dad_end = o.nl.dad_ended(ip(V6)).unwrap_or_else(|| panic!("no DAD"));
    let v4 = rounds_of(&o.nl, V4);
    let v6 = rounds_of(&o.nl, V6);
    let first_v4 = v4
        .first()
        .map(|r| r.at)
        .unwrap_or_else(|| panic!("no IPv4 round"));
    let first_v6 = v6
        .first()
        .map(|r| r.at)
        .unwrap_or_else(|| panic!("no IPv6 round"));
    assert!(
        first_v4 < o.t0 + Duration::from_millis(50),
        "IPv4 at once, not after DAD ({:?})",
        first_v4 - o.t0
    );
    assert!(first_v6 >= dad_end, "IPv6 only once DAD passed");
    // IPv4's second round (100 ms apart) went out during DAD as well
    assert!(v4.len() >= 2 && v4[1].at < dad_end, "{v4:?}");
}

#[test]
fn a_failed_dad_leaves_the_container_never_started_and_nothing_bound() {
    let nl = world();
    nl.taken(ip(V6), THEIRS);
    nl.dad_takes(Duration::from_millis(150));
    let o = start(&cfg(&[]), nl, ContainerStatus::Exited);
    let (code, why) = o.result.err().unwrap_or_else(|| panic!("started"));
    assert_eq!(code, 1, "{why}");
    assert!(why.contains("2001:db8::10"), "{why}");
    assert_eq!(o.engine.count(Op::Start), 0, "the container never ran");
    // IPv4 was bound and announced at once, and is taken back with IPv6:
    // the holder of the IPv6 address holds the service
    assert_eq!(o.nl.bound(ip(V4)), vec![]);
    assert_eq!(o.nl.bound(ip(V6)), vec![]);
    let failed_at = o.nl.dad_ended(ip(V6)).unwrap_or_else(|| panic!("no DAD"));
    assert!(rounds_of(&o.nl, V6).is_empty(), "IPv6 never announced");
    assert!(
        rounds_of(&o.nl, V4).iter().all(|r| r.at <= failed_at),
        "no IPv4 round after the failure"
    );
}

#[test]
fn a_claimed_ipv4_address_is_never_bound_and_the_container_never_started() {
    let cfg = cfg(&[
        ("OCF_RESKEY_ip", "192.0.2.10/24"),
        ("OCF_RESKEY_conflict_check", "true"),
    ]);
    let nl = world();
    nl.taken(ip(V4), THEIRS);
    let o = start(&cfg, nl, ContainerStatus::Exited);
    let (code, why) = o.result.err().unwrap_or_else(|| panic!("started"));
    assert_eq!(code, 1, "{why}");
    assert!(
        why.contains("02:00:00:00:00:99"),
        "names the claimant: {why}"
    );
    assert_eq!(o.nl.count(NetOp::Add), 0, "probed before any bind");
    assert_eq!(o.engine.count(Op::Start), 0);
    assert!(o.nl.rounds().is_empty(), "nothing announced");
    // nobody answers: probed once, then bound and started
    let o = start(&cfg, world(), ContainerStatus::Exited);
    assert!(o.result.is_ok(), "{:?}", o.result);
    assert_eq!(
        (o.nl.count(NetOp::Probe), o.engine.count(Op::Start)),
        (1, 1)
    );
}

#[test]
fn addresses_on_two_links_each_get_their_own_rounds() {
    let cfg = cfg(&[("OCF_RESKEY_ip", "192.0.2.10/24 198.51.100.10/24")]);
    let o = start(&cfg, world(), ContainerStatus::Exited);
    assert_eq!(
        o.result,
        Ok(vec![(vec![ip(V4)], 2), (vec![ip("198.51.100.10")], 2)])
    );
    let links: Vec<u32> = o.nl.rounds().iter().map(|r| r.link).collect();
    assert!(links.contains(&2) && links.contains(&3), "{links:?}");
    assert_eq!(o.nl.bound(ip("198.51.100.10")), vec![(3, 24)]);
}

#[test]
fn a_bind_the_kernel_refuses_takes_back_what_this_start_bound() {
    let nl = world();
    // the first add (IPv4) goes through, then the kernel refuses IPv6
    nl.fail_after(NetOp::Add, 1, NetError::Permission { op: "add address" });
    let o = start(&cfg(&[]), nl, ContainerStatus::Exited);
    let (code, why) = o.result.err().unwrap_or_else(|| panic!("started"));
    assert_eq!(code, 4, "{why}");
    assert_eq!(o.nl.count(NetOp::Add), 2);
    assert_eq!(o.nl.bound(ip(V4)), vec![], "taken back");
    assert_eq!(o.engine.count(Op::Start), 0);
    assert!(o.nl.rounds().is_empty(), "binds come before any round");
}

#[test]
fn a_running_container_with_its_addresses_bound_is_left_running() {
    let nl = world();
    nl.bind(ip(V4), 2, 24);
    nl.bind(ip(V6), 2, 64);
    let o = start(&cfg(&[]), nl, ContainerStatus::Running);
    assert!(o.result.is_ok(), "{:?}", o.result);
    assert_eq!(o.engine.count(Op::Start), 0, "running: not started again");
    assert_eq!(o.nl.count(NetOp::Add), 2, "both found bound (EEXIST)");
    // announced again all the same
    assert!(!rounds_of(&o.nl, V4).is_empty() && !rounds_of(&o.nl, V6).is_empty());
}
