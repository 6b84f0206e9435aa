//! The agent's own deadline: the operation timeout minus a margin, so the
//! answer always comes before Pacemaker's SIGKILL.

use std::time::{Duration, Instant};

/// When the action must have answered.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Instant,
    end: Instant,
}

impl Deadline {
    /// Starts now and ends `timeout - margin(timeout)` later.
    pub fn new(timeout: Duration) -> Deadline {
        let start = Instant::now();
        Deadline {
            start,
            end: start + timeout.saturating_sub(Deadline::margin(timeout)),
        }
    }

    /// What is kept back from the timeout: a tenth, between 200 ms and 2 s,
    /// never more than half.
    pub fn margin(timeout: Duration) -> Duration {
        (timeout / 10)
            .clamp(Duration::from_millis(200), Duration::from_secs(2))
            .min(timeout / 2)
    }

    /// The instant of the deadline.
    pub fn at(&self) -> Instant {
        self.end
    }

    /// Time left (zero once passed).
    pub fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.end
    }

    /// The whole budget, from start to deadline.
    pub fn budget(&self) -> Duration {
        self.end - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_a_tenth_within_bounds() {
        assert_eq!(
            Deadline::margin(Duration::from_secs(20)),
            Duration::from_secs(2)
        );
        assert_eq!(
            Deadline::margin(Duration::from_secs(60)),
            Duration::from_secs(2)
        );
        assert_eq!(
            Deadline::margin(Duration::from_secs(5)),
            Duration::from_millis(500)
        );
        assert_eq!(
            Deadline::margin(Duration::from_secs(1)),
            Duration::from_millis(200)
        );
        assert_eq!(
            Deadline::margin(Duration::from_millis(300)),
            Duration::from_millis(150)
        );
    }

    #[test]
    fn budget_and_remaining() {
        let d = Deadline::new(Duration::from_secs(20));
        assert_eq!(d.budget(), Duration::from_secs(18));
        assert!(d.remaining() <= Duration::from_secs(18));
        assert!(!d.expired());
        let z = Deadline::new(Duration::ZERO);
        assert!(z.expired());
        assert_eq!(z.remaining(), Duration::ZERO);
    }
}
