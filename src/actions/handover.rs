//! What start leaves to the background announcer: the rounds still due
//! when the service is up, per group of addresses (one family on one link),
//! on one link or several.

use std::net::IpAddr;
use std::time::Duration;

use ra_api::Deadline;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::announcer::{self, Handover, Schedule};
use crate::net::{Announcer, BoundCheck, Link};
use crate::params::Config;

/// The rounds of one group still due when start is done.
pub struct Later {
    announcer: Announcer,
    rounds: u32,
    next: Instant,
    /// No round after this (start's deadline less its reserve, as in the
    /// foreground: see [`super::timing`]).
    until: Instant,
    link: (u32, String),
    /// The group's addresses: the announcer ends as soon as one of them is
    /// no longer bound (nothing is announced for an address the node does
    /// not hold); and as the log names them.
    ips: Vec<IpAddr>,
}

impl Later {
    /// `rounds` due from `next` (none after `until`) for `ips` on `link`,
    /// sent by `announcer`.
    pub fn new(
        announcer: Announcer,
        (rounds, next, until): (u32, Instant, Instant),
        link: &Link,
        ips: Vec<IpAddr>,
    ) -> Later {
        Later {
            announcer,
            rounds,
            next,
            until,
            link: (link.index, link.name.clone()),
            ips,
        }
    }

    /// The rounds due by `until`; warns about the rest (`total`: the
    /// group's `arp_count`).
    pub fn fitting(mut self, total: u32, interval: Duration) -> Later {
        let mut fit = 0;
        while fit < self.rounds && self.next + interval.saturating_mul(fit) <= self.until {
            fit += 1;
        }
        if fit < self.rounds {
            warn!(
                "sending {} of {total} announcement rounds for {} on {}: the rest would \
outlast the start timeout (arp_count x arp_interval is too long for it)",
                total - self.rounds + fit,
                self.label(),
                self.link.1
            );
            self.rounds = fit;
        }
        self
    }

    fn label(&self) -> String {
        self.ips
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What start keeps after announcing in the foreground, up to its deadline.
const FOREGROUND_RESERVE: Duration = Duration::from_millis(50);

/// Sends the rounds still due from one background announcer for every
/// group, or, when it cannot be forked or recorded, here before start
/// returns.
pub fn hand_over(cfg: &Config, deadline: &Deadline, later: Vec<Later>) {
    let later: Vec<Later> = later.into_iter().filter(|l| l.rounds > 0).collect();
    if later.is_empty() {
        return;
    }
    let what: Vec<String> = later
        .iter()
        .map(|l| format!("{} for {} on {}", l.rounds, l.label(), l.link.1))
        .collect();
    let mut schedules = Vec::new();
    let mut checked = true;
    for l in later {
        let check = BoundCheck::open(l.link.0, &l.ips)
            .map_err(|e| warn!("cannot prepare the background announcer ({e})"))
            .ok();
        checked &= check.is_some();
        schedules.push(Schedule {
            announcer: l.announcer,
            check,
            rounds: l.rounds,
            next: l.next.into_std(),
        });
    }
    let mut h = Handover {
        schedules,
        interval: cfg.arp_interval,
    };
    let due = h.rounds();
    if checked {
        if let Some(pid) = announcer::spawn(&mut h, &cfg.state().announcer_path()) {
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
