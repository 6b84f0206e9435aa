//! How announcement rounds fit an action's timeout.
//!
//! Rounds sleep `arp_interval` between them; an action must still answer
//! before its deadline. The rules:
//! - at run time, [`crate::announce::fitting`] with the end set by
//!   `Node::reserve` ([`crate::node`]): start and the monitor refresh leave
//!   out the rounds due later than the deadline minus what the action still
//!   needs afterwards (its reserve), with a warning;
//! - in validate-all, [`check_fit`]: the rounds' pauses must fit the
//!   action's budget (the timeout minus the agent's margin and the reserve)
//!   for the start and monitor timeouts of the meta-data, or for the
//!   timeout given to validate-all when that is longer (Pacemaker passes
//!   validate-all only its own timeout, so a longer one there is taken as
//!   the user's timeouts). Otherwise 6: such a pair is wrong on every node.
//! - in reload-agent, [`warn_fit`]: the same check, but only a warning.
//!   Pacemaker passes reload-agent only its own timeout too, and the pair
//!   may have been chosen for longer start or monitor timeouts
//!   (`op monitor timeout=90`): a 6 there would stop the resource on every
//!   node for a change that works, and the run-time rule cuts rounds that
//!   do not fit anyway.

use std::time::Duration;

use ra_api::{Deadline, ParamError};
use tracing::warn;

use crate::error::Error;
use crate::meta::META;
use crate::params::{Config, ARP_COUNT, ARP_COUNT_REFRESH, CONFLICT_WINDOW};

use crate::announce::rounds::pauses;
pub use crate::budget::{monitor_reserve, start_reserve};

/// What IPv6 DAD takes with the kernel's defaults: a random delay of up to
/// `router_solicitation_delay` (1 s; none with optimistic DAD) and
/// `dad_transmits` (1) solicitations `retrans_time_ms` (1 s) apart. A node
/// with other settings takes longer or shorter; validate-all at level 0
/// does not look at the node.
pub const DAD: Duration = Duration::from_secs(2);

/// How long start's proofs take before the rounds of the last address
/// can begin: the `conflict_check` window (IPv4) and DAD (IPv6 without
/// `nodad`) run at once; the longer counts. Returns it and whether the
/// window is the longer.
pub fn proofs(cfg: &Config) -> (Duration, bool) {
    let window = if cfg.conflict_check && cfg.vips.iter().any(|v| !v.is_v6()) {
        cfg.conflict_window
    } else {
        Duration::ZERO
    };
    let dad = if !cfg.nodad && cfg.any_v6() {
        DAD
    } else {
        Duration::ZERO
    };
    (window.max(dad), window > dad)
}

/// The longest pauses an action with `timeout` has room for.
fn room(timeout: Duration, reserve: fn(Duration) -> Duration) -> Duration {
    let budget = Deadline::margin(timeout);
    let budget = timeout.saturating_sub(budget);
    budget.saturating_sub(reserve(budget))
}

/// The meta-data's timeout for `action`, or `given` when longer.
fn timeout_of(action: &str, given: Duration) -> Duration {
    META.actions
        .iter()
        .find(|a| a.name == action)
        .map_or(given, |a| {
            Duration::from_secs(a.timeout_s.into()).max(given)
        })
}

/// validate-all's rule: `arp_count` and `arp_count_refresh` rounds,
/// `arp_interval` apart, fit the start and monitor timeouts (see the
/// module). `given`: the timeout passed to validate-all.
pub fn check_fit(cfg: &Config, given: Duration) -> Result<(), Error> {
    match misfit(cfg, given) {
        Some(e) => Err(Error::Param(e)),
        None => Ok(()),
    }
}

/// reload-agent's rule: what [`check_fit`] refuses is only logged as a
/// warning (see the module). `given`: the timeout passed to reload-agent.
pub fn warn_fit(cfg: &Config, given: Duration) {
    if let Some(e) = misfit(cfg, given) {
        warn!(
            "{e} by the meta-data's suggested timeout (reload-agent does not know the \
             configured ones): reloaded; rounds that would end too late are left out at run \
             time with a warning"
        );
    }
}

/// The first count whose rounds do not fit its action's timeout.
fn misfit(cfg: &Config, given: Duration) -> Option<ParamError> {
    let rules = [
        (
            &ARP_COUNT,
            cfg.arp_count,
            "start",
            start_reserve as fn(Duration) -> Duration,
        ),
        (
            &ARP_COUNT_REFRESH,
            cfg.arp_count_refresh,
            "monitor",
            monitor_reserve,
        ),
    ];
    for (spec, rounds, action, reserve) in rules {
        let timeout = timeout_of(action, given);
        let pauses = pauses(rounds, cfg.arp_interval);
        let room = room(timeout, reserve);
        if pauses > room {
            return Some(ParamError::Invalid {
                name: spec.name,
                value: rounds.to_string(),
                problem: format!(
                    "{rounds} rounds {} ms apart take {} s, {action} timeout {} s has room for {} s",
                    cfg.arp_interval.as_millis(),
                    pauses.as_secs(),
                    timeout.as_secs(),
                    room.as_secs()
                ),
            });
        }
        if action != "start" {
            continue;
        }
        let (proof, window) = proofs(cfg);
        if proof + pauses > room {
            let (name, value, first) = if window {
                let ms = cfg.conflict_window.as_millis();
                (CONFLICT_WINDOW.name, ms.to_string(), format!("{ms} ms"))
            } else {
                (spec.name, rounds.to_string(), "DAD (2 s)".to_string())
            };
            return Some(ParamError::Invalid {
                name,
                value,
                problem: format!(
                    "{first} then {rounds} rounds take {} s, start timeout {} s has room for {} s",
                    (proof + pauses).as_secs(),
                    timeout.as_secs(),
                    room.as_secs()
                ),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(count: u32, refresh: u32, interval_ms: u64) -> Config {
        let env = ra_api::Env::from_pairs([("OCF_RESKEY_ip", "192.0.2.10/24")]);
        let mut c = Config::from_env(&env).unwrap_or_else(|e| panic!("{e}"));
        c.arp_count = count;
        c.arp_count_refresh = refresh;
        c.arp_interval = Duration::from_millis(interval_ms);
        c
    }

    #[test]
    fn room_is_the_budget_less_the_reserve() {
        // start 60 s: budget 58 s, reserve 2 s; monitor 30 s: 28 s less 0.5 s
        assert_eq!(
            room(Duration::from_secs(60), start_reserve),
            Duration::from_secs(56)
        );
        assert_eq!(
            room(Duration::from_secs(30), monitor_reserve),
            Duration::from_millis(27_500)
        );
        // 4 s: budget 3.6 s, reserve 0.9 s
        assert_eq!(
            room(Duration::from_secs(4), start_reserve),
            Duration::from_millis(2700)
        );
    }

    #[test]
    fn defaults_fit_and_long_pairs_are_6_naming_the_count() {
        let given = Duration::from_secs(20);
        assert!(check_fit(&cfg(5, 0, 200), given).is_ok());
        assert!(check_fit(&cfg(281, 0, 200), given).is_ok()); // 56 s
        let e = check_fit(&cfg(282, 0, 200), given).err();
        let e = e.unwrap_or_else(|| panic!("282 x 200 ms fits 56 s?"));
        assert_eq!(e.status(), ra_api::Status::ErrConfigured);
        let text = e.to_string();
        assert!(text.starts_with("arp_count=\"282\""), "{text}");
        assert!(text.chars().count() <= 128, "{text}");
        let e = check_fit(&cfg(5, 100, 1000), given).err();
        assert!(e.is_some_and(|e| e.to_string().starts_with("arp_count_refresh=")));
        // a longer timeout given to validate-all is the user's
        assert!(check_fit(&cfg(5, 100, 1000), Duration::from_secs(240)).is_ok());
        // IPv4 only: 281 rounds fit without a proof; DAD or a 10 s window
        // before them does not
        let mut v6 = cfg(281, 0, 200);
        v6.vips = crate::vip::parse_list("192.0.2.10/24 2001:db8::10/64").unwrap_or_default();
        let text = check_fit(&v6, given).err().map(|e| e.to_string());
        let text = text.unwrap_or_else(|| panic!("DAD not counted"));
        assert!(
            text.starts_with("arp_count=\"281\": DAD (2 s) then"),
            "{text}"
        );
        v6.nodad = true;
        assert!(check_fit(&v6, given).is_ok(), "nodad: no DAD");
        let mut probed = cfg(240, 0, 200); // 47.8 s of pauses
        probed.conflict_check = true;
        probed.conflict_window = Duration::from_secs(10);
        let text = check_fit(&probed, given).err().map(|e| e.to_string());
        let text = text.unwrap_or_else(|| panic!("conflict_window not counted"));
        assert!(text.starts_with("conflict_window=\"10000\""), "{text}");
        assert!(text.chars().count() <= 128, "{text}");
        probed.conflict_check = false;
        assert!(check_fit(&probed, given).is_ok(), "no check: no window");
        // the worst accepted by the parameter ranges: 1000 x 60 s
        let text = check_fit(&cfg(1000, 0, 60_000), given)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.chars().count() <= 128, "{text}");
    }

    #[test]
    fn reload_only_warns_about_rounds_validate_all_refuses() {
        // issue 21 item 6: made for `op monitor timeout=90`, refused by
        // validate-all under the meta-data's 30 s, only a warning in reload
        let long = cfg(5, 10, 5000);
        let given = Duration::from_secs(20);
        let refused = misfit(&long, given).map(|e| e.to_string());
        assert!(
            refused
                .as_deref()
                .is_some_and(|t| t.starts_with("arp_count_refresh=\"10\"")),
            "{refused:?}"
        );
        assert!(check_fit(&long, given).is_err());
        warn_fit(&long, given); // logs, cannot fail
        assert!(misfit(&cfg(5, 0, 200), given).is_none());
    }
}
