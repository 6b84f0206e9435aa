//! The schedule of one group's rounds and the fitting rule, with no clock
//! and no I/O: both executors ([`super::live`] on tokio's clock in the
//! action, [`super::handover`] on std's in the background announcer) are
//! driven by [`Rounds`], generic over the instant type so that the rule is
//! tested here on plain durations.

use std::ops::Add;
use std::time::Duration;

/// What a schedule needs of an instant: ordered, copied, moved on by a
/// duration (std's and tokio's `Instant`; `Duration` in the tests).
pub trait At: Copy + Ord + Add<Duration, Output = Self> {}
impl<T: Copy + Ord + Add<Duration, Output = T>> At for T {}

/// The rounds of one group of addresses (one family on one link): how many
/// in all, how far apart, how many are done and when the next is due. Only
/// arithmetic on plain data: the forked announcer child may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounds<T> {
    /// The rounds this group gets in all (`arp_count`, `arp_count_refresh`),
    /// less any that [`Rounds::fit`] left out.
    total: u32,
    /// The pause between two rounds.
    interval: Duration,
    /// Rounds that went out (with carrier).
    done: u32,
    /// When the next round is due; `None` before the first (due at once).
    next: Option<T>,
}

/// The pauses `rounds` rounds take, the first at once and each `interval`
/// after the one before: the `k`-th (from 1) is due `pauses(k, interval)`
/// after the first. validate-all checks an action's timeout with it,
/// [`fitting`] the rounds at run time.
pub fn pauses(rounds: u32, interval: Duration) -> Duration {
    interval.saturating_mul(rounds.saturating_sub(1))
}

/// How many of `left` rounds, the first due at `next`, are due by `until`
/// ([`pauses`]); a round due after `until` would outlast the operation's
/// deadline and is left out, and so is every one after it.
pub fn fitting<T: At>(next: T, interval: Duration, left: u32, until: T) -> u32 {
    let mut fit = 0;
    while fit < left && next + pauses(fit + 1, interval) <= until {
        fit += 1;
    }
    fit
}

/// Of several groups' schedules, the one whose round is due first (the
/// first given when two are due at once), none due after `until`.
pub fn first_due<'a, T: At + 'a>(
    groups: impl Iterator<Item = &'a Rounds<T>>,
    until: Option<T>,
) -> Option<usize> {
    let mut first: Option<(usize, T)> = None;
    for (i, r) in groups.enumerate() {
        let Some(next) = r.next.filter(|_| r.due_by(until)) else {
            continue;
        };
        match first {
            Some((_, at)) if at <= next => {}
            _ => first = Some((i, next)),
        }
    }
    first.map(|(i, _)| i)
}

impl<T: At> Rounds<T> {
    /// `total` rounds `interval` apart, none done, the first due at once.
    pub fn new(total: u32, interval: Duration) -> Rounds<T> {
        Rounds {
            total,
            interval,
            done: 0,
            next: None,
        }
    }

    /// Rounds in all.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// Rounds that went out.
    pub fn done(&self) -> u32 {
        self.done
    }

    /// Rounds still due.
    pub fn left(&self) -> u32 {
        self.total.saturating_sub(self.done)
    }

    /// When the next round is due (`None`: none went out yet, at once).
    pub fn next(&self) -> Option<T> {
        self.next
    }

    /// Whether a round is still due, and due by `until` (if given).
    pub fn due_by(&self, until: Option<T>) -> bool {
        match (self.next, until) {
            _ if self.left() == 0 => false,
            (Some(next), Some(until)) => fitting(next, self.interval, 1, until) == 1,
            _ => true,
        }
    }

    /// A round went out at `at`: the next is due an interval later.
    pub fn sent(&mut self, at: T) {
        self.done = self.done.saturating_add(1);
        self.next = Some(at + self.interval);
    }

    /// The last round went out without carrier: it went nowhere and does
    /// not count (it is sent again).
    pub fn lost(&mut self) {
        self.done = self.done.saturating_sub(1);
    }

    /// Leaves out the rounds still due that are due after `until`
    /// ([`fitting`]); when any was left out, returns how many of how many
    /// are sent then (done and still due).
    pub fn fit(&mut self, until: T) -> Option<(u32, u32)> {
        let next = self.next?;
        let left = self.left();
        let fit = fitting(next, self.interval, left, until);
        if fit == left {
            return None;
        }
        let (sending, of) = (self.done + fit, self.total);
        self.total = sending;
        Some((sending, of))
    }

    /// The same schedule on another clock.
    pub fn on<U: At>(self, clock: impl Fn(T) -> U) -> Rounds<U> {
        Rounds {
            total: self.total,
            interval: self.interval,
            done: self.done,
            next: self.next.map(clock),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_pauses_are_one_interval_fewer_than_the_rounds() {
        // (rounds, interval, pauses)
        for (rounds, interval, total) in [(0, 200, 0), (1, 200, 0), (5, 200, 800), (3, 0, 0)] {
            assert_eq!(
                pauses(rounds, ms(interval)),
                ms(total),
                "{rounds} x {interval}"
            );
        }
        assert_eq!(pauses(u32::MAX, Duration::MAX), Duration::MAX, "saturates");
    }

    #[test]
    fn fitting_keeps_the_rounds_due_by_the_deadline() {
        // (next, interval, left, until, fit)
        let table = [
            (0, 200, 5, 10_000, 5),  // all well before
            (0, 200, 5, 800, 5),     // the last exactly at the deadline
            (0, 200, 5, 799, 4),     // the last a moment late
            (0, 200, 5, 0, 1),       // only the first, due now
            (1, 200, 5, 0, 0),       // even the first is late
            (100, 1000, 4, 2150, 3), // 100, 1100, 2100 | 3100
            (0, 0, 7, 0, 7),         // no pause: all at once
            (0, 500, 0, 10_000, 0),  // nothing left
            (5000, 100, 3, 4999, 0), // due after the deadline
        ];
        for (next, interval, left, until, fit) in table {
            assert_eq!(
                fitting(ms(next), ms(interval), left, ms(until)),
                fit,
                "next {next} interval {interval} left {left} until {until}"
            );
        }
    }

    #[test]
    fn a_schedule_counts_rounds_and_moves_on_by_the_interval() {
        let mut r: Rounds<Duration> = Rounds::new(3, ms(100));
        assert_eq!((r.done(), r.left(), r.next()), (0, 3, None));
        assert!(r.due_by(Some(ms(0))), "the first is due at once");
        r.sent(ms(40));
        assert_eq!((r.done(), r.left(), r.next()), (1, 2, Some(ms(140))));
        r.sent(ms(140));
        r.lost(); // no carrier: it does not count
        assert_eq!((r.done(), r.left(), r.next()), (1, 2, Some(ms(240))));
        assert!(r.due_by(None));
        assert!(r.due_by(Some(ms(240))));
        assert!(!r.due_by(Some(ms(239))));
        r.sent(ms(240));
        r.sent(ms(340));
        assert_eq!((r.done(), r.left()), (3, 0));
        assert!(!r.due_by(None), "all done");
    }

    #[test]
    fn fit_leaves_out_what_outlasts_the_deadline() {
        // (rounds, done, until, (sending, of) when cut, left after)
        type Row = (u32, u32, u64, Option<(u32, u32)>, u32);
        let table: [Row; 6] = [
            (5, 1, 10_000, None, 4),
            (5, 1, 500, None, 4),           // next 100 .. 400
            (5, 1, 399, Some((4, 5)), 3),   // 100, 200, 300 | 400
            (5, 1, 99, Some((1, 5)), 0),    // not even the next
            (5, 5, 0, None, 0),             // all done
            (10, 3, 850, Some((9, 10)), 6), // 300 .. 800 | 900
        ];
        for (total, done, until, cut, left) in table {
            let mut r: Rounds<Duration> = Rounds::new(total, ms(100));
            for k in 0..done {
                r.sent(ms(u64::from(k) * 100));
            }
            assert_eq!(r.fit(ms(until)), cut, "{total} {done} {until}");
            assert_eq!(r.left(), left, "{total} {done} {until}");
        }
        let mut first: Rounds<Duration> = Rounds::new(5, ms(100));
        assert_eq!(first.fit(ms(0)), None, "nothing sent: nothing to fit yet");
    }

    #[test]
    fn the_group_due_first_goes_first() {
        // each group: (rounds, sent at); then until, the group due first
        type Row = (&'static [(u32, Option<u64>)], Option<u64>, Option<usize>);
        let table: [Row; 6] = [
            (&[(3, Some(0)), (3, Some(50))], None, Some(0)), // 100 before 150
            (&[(3, Some(80)), (3, Some(10))], None, Some(1)), // 110 before 180
            (&[(3, Some(0)), (3, Some(0))], None, Some(0)),  // a tie: the first
            (&[(1, Some(0)), (3, Some(70))], None, Some(1)), // the first is done
            (&[(3, Some(0)), (3, Some(50))], Some(99), None), // both too late
            (&[], None, None),
        ];
        for (groups, until, first) in table {
            let rounds: Vec<Rounds<Duration>> = groups
                .iter()
                .map(|(total, at)| {
                    let mut r = Rounds::new(*total, ms(100));
                    if let Some(at) = at {
                        r.sent(ms(*at));
                    }
                    r
                })
                .collect();
            assert_eq!(
                first_due(rounds.iter(), until.map(ms)),
                first,
                "{groups:?} until {until:?}"
            );
        }
    }

    #[test]
    fn a_schedule_changes_clock_and_keeps_its_rounds() {
        let mut r: Rounds<Duration> = Rounds::new(4, ms(50));
        r.sent(ms(10));
        let moved = r.on(|d| d + ms(1000));
        assert_eq!(
            (moved.total(), moved.done(), moved.next()),
            (4, 1, Some(ms(1060)))
        );
    }
}
