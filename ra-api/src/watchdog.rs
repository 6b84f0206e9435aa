//! The watchdog: an answer just before Pacemaker's SIGKILL when the action
//! has not answered, and the gate that lets exactly one answer out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::action::Action;
use crate::deadline::Deadline;
use crate::log::exit_reason;

/// Lets exactly one of the normal exit, the watchdog and the panic hook
/// print an exit reason and choose the exit status.
#[derive(Debug, Default)]
pub(crate) struct Gate(AtomicBool);

impl Gate {
    /// A gate nobody has passed.
    pub(crate) const fn new() -> Gate {
        Gate(AtomicBool::new(false))
    }
    /// True for the first caller only.
    pub(crate) fn claim(&self) -> bool {
        !self.0.swap(true, Ordering::SeqCst)
    }
}

/// The process's gate.
pub(crate) static ANSWER: Gate = Gate::new();

/// When the watchdog answers: halfway between the agent's own deadline
/// (the timeout minus [`Deadline::margin`]) and the timeout, so an action
/// that honours its deadline always answers first and Pacemaker's SIGKILL
/// always comes after.
pub(crate) fn fires_after(timeout: Duration) -> Duration {
    timeout.saturating_sub(Deadline::margin(timeout) / 2)
}

/// The reason the watchdog gives.
pub(crate) fn reason(action: &Action, timeout: Duration) -> String {
    let what = match action {
        Action::Stop => "the resource may still run",
        Action::Start => "the resource may be partly started",
        _ => "its result is unknown",
    };
    format!(
        "{} did not finish within its {} ms timeout: {what}",
        action.as_str(),
        timeout.as_millis()
    )
}

/// Starts the watchdog thread for `action`, measured from `start`.
pub(crate) fn arm(action: Action, timeout: Duration, start: Instant) {
    let at = start + fires_after(timeout);
    let name = action.as_str().to_string();
    let spawned = std::thread::Builder::new()
        .name("ocf-watchdog".into())
        .spawn(move || {
            loop {
                let left = at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                std::thread::sleep(left);
            }
            if ANSWER.claim() {
                exit_reason(&reason(&action, timeout));
                std::process::exit(1);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("no watchdog for {name}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_claim_answers() {
        let gate = std::sync::Arc::new(Gate::new());
        let winners: usize = (0..8)
            .map(|_| {
                let g = gate.clone();
                std::thread::spawn(move || g.claim())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap_or(false)))
            .sum();
        assert_eq!(winners, 1);
        assert!(!gate.claim());
    }

    #[test]
    fn fires_after_the_deadline_and_before_the_timeout() {
        for ms in [300, 1000, 4000, 20_000, 60_000, 600_000] {
            let t = Duration::from_millis(ms);
            let at = fires_after(t);
            assert!(at > Deadline::new(t).budget() && at < t, "{ms}: {at:?}");
        }
        assert_eq!(
            fires_after(Duration::from_secs(20)),
            Duration::from_secs(19)
        );
        assert_eq!(
            fires_after(Duration::from_secs(4)),
            Duration::from_millis(3800)
        );
    }

    #[test]
    fn the_reason_names_the_action_and_what_it_means() {
        let r = reason(&Action::Stop, Duration::from_secs(86_400));
        assert_eq!(
            r,
            "stop did not finish within its 86400000 ms timeout: the resource may still run"
        );
        assert!(r.chars().count() <= crate::EXIT_REASON_MAX);
        assert!(reason(&Action::Monitor, Duration::from_secs(1)).starts_with("monitor "));
    }
}
