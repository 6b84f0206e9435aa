//! An operation's time and its shares, in one place. Pacemaker gives every
//! action a timeout and SIGKILLs it at the end; ra-api keeps a margin back
//! ([`ra_api::Deadline`]); what is left (the budget) is shared out here,
//! each share a fraction of the budget within bounds, so that a short
//! timeout still leaves every step a moment and a long one does not waste
//! minutes on a step that takes milliseconds. The agent runs on tokio's
//! clock: [`Budget::of`] is the one conversion from ra-api's, and
//! [`on_std_clock`] the one back, for the rounds start hands to the forked
//! background announcer (which has no runtime).

use std::time::Duration;

use tokio::time::Instant;

/// An operation's time: its deadline on tokio's clock and the whole budget
/// up to it, which the shares are taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    at: Instant,
    whole: Duration,
}

impl Budget {
    /// The action's budget, from ra-api's deadline (once per action).
    pub fn of(d: &ra_api::Deadline) -> Budget {
        Budget {
            at: Instant::from_std(d.at()),
            whole: d.remaining(),
        }
    }

    /// A budget of `whole` ending at `at` (tests, scripted runs).
    pub fn new(at: Instant, whole: Duration) -> Budget {
        Budget { at, whole }
    }

    /// The deadline everything is bounded by.
    pub fn at(&self) -> Instant {
        self.at
    }

    /// The whole budget the shares are taken of.
    pub fn whole(&self) -> Duration {
        self.whole
    }

    /// What is left of it now.
    pub fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// See [`engine_wait`].
    pub fn engine_wait(&self) -> Duration {
        engine_wait(self.whole)
    }

    /// See [`engine_patience`].
    pub fn engine_patience(&self) -> Duration {
        engine_patience(self.whole)
    }

    /// See [`stop_tail`].
    pub fn stop_tail(&self) -> Duration {
        stop_tail(self.whole)
    }

    /// See [`grace_room`].
    pub fn grace_room(&self) -> u32 {
        grace_room(self.whole)
    }
}

/// An instant of tokio's clock on std's (the background announcer's).
pub fn on_std_clock(at: Instant) -> std::time::Instant {
    at.into_std()
}

/// `budget / div`, within `lo..=hi`, never more than the budget.
fn share(budget: Duration, div: u32, lo: Duration, hi: Duration) -> Duration {
    (budget / div).clamp(lo, hi).min(budget)
}

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The engine's share before the agent asks the kernel instead: a quarter,
/// 1 to 10 s. A healthy engine answers an inspect in milliseconds.
fn engine_wait(budget: Duration) -> Duration {
    share(budget, 4, ms(1000), ms(10_000))
}

/// How long start waits for an engine that is not running: a third, 1 to
/// 20 s (an engine restart takes seconds; a node whose engine stays away
/// should not hold a failover much longer).
fn engine_patience(budget: Duration) -> Duration {
    share(budget, 3, ms(1000), ms(20_000))
}

/// What start keeps after its last announcement round (the container's
/// readiness check): a quarter, at most 2 s.
pub fn start_reserve(budget: Duration) -> Duration {
    (budget / 4).min(ms(2000))
}

/// What a monitor keeps after its last refresh round (only the answer): a
/// tenth, at most 500 ms.
pub fn monitor_reserve(budget: Duration) -> Duration {
    (budget / 10).min(ms(500))
}

/// What stop keeps for removing the address and checking: a tenth, 0.3 to
/// 2 s.
fn stop_tail(budget: Duration) -> Duration {
    (budget / 10).clamp(ms(300), ms(2000))
}

/// What stop keeps for the engine's SIGKILL after the grace period and the
/// container's exit (a loaded engine takes a second or more): a fifth, 1
/// to 5 s.
fn stop_kill(budget: Duration) -> Duration {
    (budget / 5).clamp(ms(1000), ms(5000))
}

/// The grace period stop has room for: the budget less its two reserves,
/// in whole seconds, at least 1.
pub fn grace_room(budget: Duration) -> u32 {
    let room = budget.saturating_sub(stop_tail(budget) + stop_kill(budget));
    u32::try_from(room.as_secs()).unwrap_or(u32::MAX).max(1)
}

/// When a command run in the container (`monitor_cmd`) must have finished:
/// before `deadline` by a tenth of the time left (0.1 to 0.5 s), the time
/// it takes to end it.
pub fn exec_end(deadline: Instant) -> Instant {
    let left = deadline.saturating_duration_since(Instant::now());
    let reserve = (left / 10).clamp(ms(100), ms(500));
    deadline.checked_sub(reserve).unwrap_or(deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shares_of_the_default_timeouts() {
        // monitor 30 s: budget 27 s; start and stop 60 s: 58 s
        let (m, s) = (Duration::from_secs(27), Duration::from_secs(58));
        let at = |b| Budget::new(Instant::now() + b, b);
        let (bm, bs) = (at(m), at(s));
        assert_eq!(bm.engine_wait(), ms(6750));
        assert_eq!(bs.engine_wait(), ms(10_000));
        assert_eq!(
            bs.engine_patience(),
            ms(19_333) + Duration::from_nanos(333_333)
        );
        assert_eq!(start_reserve(s), ms(2000));
        assert_eq!(monitor_reserve(m), ms(500));
        assert_eq!(bs.grace_room(), 51);
        assert_eq!(bs.stop_tail(), ms(2000));
        // a 20 s stop (ocf-tester, crm_resource): 18 s budget
        assert_eq!(grace_room(Duration::from_secs(18)), 12);
    }

    #[test]
    fn a_tiny_budget_is_never_exceeded_by_a_share() {
        let tiny = ms(300);
        let b = Budget::new(Instant::now() + tiny, tiny);
        for share in [b.engine_wait(), b.engine_patience(), b.stop_tail()] {
            assert!(share <= tiny, "{share:?}");
        }
        for f in [start_reserve, monitor_reserve] {
            assert!(f(tiny) <= tiny);
        }
        assert_eq!(grace_room(tiny), 1, "SIGTERM always gets a second");
    }
}
