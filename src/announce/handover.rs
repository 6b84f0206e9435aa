//! The fork-safe executor: the rounds still due when start is otherwise
//! done, per group of addresses, on std's clock with blocking sleeps, in
//! the background announcer ([`super::child`]) or, when that cannot be
//! forked, in start itself before it returns.

use std::net::IpAddr;
use std::time::Instant;

use ra_api::Deadline;
use tracing::{info, warn};

use super::rounds::first_due;
use super::{child, label, Rounds};
use crate::net::{Announcer, BoundCheck, Link};
use crate::params::Config;

/// The rounds of one group of addresses (one link, one family) still due
/// after start: their own socket, check and schedule. Counted apart, so an
/// address that passed its proof early (IPv4) is not held back by one
/// still in DAD (IPv6).
pub struct Schedule<S = Announcer> {
    /// The packet socket and the frames of a round.
    announcer: S,
    /// When each round is due.
    rounds: Rounds<Instant>,
    /// The question "still bound?" (always there in the background; start
    /// sending the rounds itself may go without).
    check: Option<BoundCheck>,
    /// The link's index and name.
    link: (u32, String),
    /// The group's addresses: nothing is announced once one of them is no
    /// longer bound; and as the log names them.
    ips: Vec<IpAddr>,
}

impl<S> Schedule<S> {
    /// `rounds` for `ips` on `link`, sent by `announcer`.
    pub fn new(
        announcer: S,
        rounds: Rounds<Instant>,
        link: &Link,
        ips: Vec<IpAddr>,
    ) -> Schedule<S> {
        Schedule {
            announcer,
            rounds,
            check: None,
            link: (link.index, link.name.clone()),
            ips,
        }
    }

    /// Rounds still due.
    pub fn left(&self) -> u32 {
        self.rounds.left()
    }

    /// The group's addresses.
    pub fn ips(&self) -> &[IpAddr] {
        &self.ips
    }
}

/// What the child needs: everything opened and allocated before the fork.
pub struct Handover {
    /// One per group, on one link or several.
    schedules: Vec<Schedule>,
}

impl Handover {
    /// The rounds of every schedule, each when due and once the addresses
    /// of all schedules are found still bound, none due after `until`. Ends
    /// as soon as an address is gone (or it cannot tell, or cannot send):
    /// nothing is announced for a resource that lost an address.
    /// Returns how many rounds went out. Only async-signal-safe work, no
    /// allocation (see [`super::child`]).
    pub fn run(&mut self, until: Option<Instant>) -> u32 {
        let mut sent = 0;
        while let Some(i) = self.due(until) {
            let Some(due) = self.schedules.get(i).and_then(|s| s.rounds.next()) else {
                break;
            };
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if !self.all_bound() {
                break;
            }
            let Some(s) = self.schedules.get_mut(i) else {
                break;
            };
            if s.announcer.send_round().is_err() {
                break;
            }
            sent += 1;
            // on the schedule, not on the clock: a late round does not
            // push the later ones back
            s.rounds.sent(due);
        }
        sent
    }

    /// The schedule whose round is due first (none due after `until`).
    fn due(&self, until: Option<Instant>) -> Option<usize> {
        first_due(self.schedules.iter().map(|s| &s.rounds), until)
    }

    /// Whether the addresses of every schedule (due or done) are still
    /// bound; schedules without a check count as bound.
    fn all_bound(&mut self) -> bool {
        self.schedules
            .iter_mut()
            .filter_map(|s| s.check.as_mut())
            .all(|c| c.is_bound() == Ok(true))
    }

    /// Rounds still due in all schedules.
    fn left(&self) -> u32 {
        self.schedules.iter().map(|s| s.rounds.left()).sum()
    }

    /// The sockets the child keeps, sorted.
    pub(super) fn sockets(&self) -> Option<Vec<i32>> {
        let mut fds = Vec::new();
        for s in &self.schedules {
            fds.push(s.announcer.raw_fd());
            fds.push(s.check.as_ref()?.raw_fd());
        }
        fds.sort_unstable();
        Some(fds)
    }
}

/// What start keeps after announcing in the foreground, up to its deadline.
const FOREGROUND_RESERVE: std::time::Duration = std::time::Duration::from_millis(50);

/// Sends the rounds still due from one background announcer for every
/// group, or, when it cannot be forked or recorded, here before start
/// returns.
pub fn hand_over(cfg: &Config, deadline: &Deadline, later: Vec<Schedule>) {
    let later: Vec<Schedule> = later.into_iter().filter(|s| s.rounds.left() > 0).collect();
    if later.is_empty() {
        return;
    }
    let what: Vec<String> = later
        .iter()
        .map(|s| format!("{} for {} on {}", s.rounds.left(), label(&s.ips), s.link.1))
        .collect();
    let mut schedules = Vec::new();
    let mut checked = true;
    for mut s in later {
        s.check = BoundCheck::open(s.link.0, &s.ips)
            .map_err(|e| warn!("cannot prepare the background announcer ({e})"))
            .ok();
        checked &= s.check.is_some();
        schedules.push(s);
    }
    let mut h = Handover { schedules };
    let due = h.left();
    if checked {
        if let Some(pid) = child::spawn(&mut h, &cfg.state().announcer_path()) {
            info!(
                "{} more announcement round(s) from pid {pid}: {}",
                due,
                what.join(", ")
            );
            return;
        }
    }
    let until = deadline.at().checked_sub(FOREGROUND_RESERVE);
    let sent = h.run(until);
    if sent < due {
        warn!(
            "sent {sent} of the last {due} announcement round(s) ({})",
            what.join(", ")
        );
    }
}
