//! The async executor: the rounds an action sends itself (start's first
//! round and those until the container is ready, the monitor's refresh
//! rounds), on tokio's clock, and the waits for carrier.

use std::cell::RefCell;
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::{label, left_out, Rounds, Schedule};
use crate::error::Error;
use crate::net::{Announcer, Frames, Link, Net};

/// How often a wait for carrier looks at the link again.
const CARRIER_POLL: Duration = Duration::from_millis(20);

/// Returns once `link` is up with carrier, bounded by `deadline`
/// ([`Error::NoCarrier`] when it passes). `link` is a snapshot: when it
/// already shows carrier, nothing is asked.
pub async fn wait_carrier(nl: &impl Net, link: &Link, deadline: Instant) -> Result<(), Error> {
    if !link.is_down() {
        return Ok(());
    }
    loop {
        match nl.link_by_index(link.index).await? {
            Some(now) if !now.is_down() => return Ok(()),
            Some(_) => {}
            None => {
                return Err(Error::NicMissing {
                    nic: link.name.clone(),
                })
            }
        }
        // room for the sleep's overshoot and one more look before the deadline
        if Instant::now() + 3 * CARRIER_POLL >= deadline {
            return Err(Error::NoCarrier {
                nic: link.name.clone(),
            });
        }
        tokio::time::sleep(CARRIER_POLL).await;
    }
}

/// How far the rounds of one group have got in an action; start reads it
/// between two awaits and hands what is left to the background announcer
/// ([`Progress::rest`]).
pub struct Progress<S = Announcer> {
    /// The packet socket and the frames, once opened.
    pub announcer: Option<S>,
    /// The schedule: rounds done, when the next is due.
    pub rounds: Rounds<Instant>,
}

impl<S> Progress<S> {
    /// `rounds` rounds `interval` apart, none sent.
    pub fn new(rounds: u32, interval: Duration) -> Progress<S> {
        Progress {
            announcer: None,
            rounds: Rounds::new(rounds, interval),
        }
    }

    /// The rounds still due, with the socket they go out on, for `ips` on
    /// `link`, none due after `until` ([`Rounds::fit`], with a warning);
    /// `None` when none is left or none went out yet.
    pub fn rest(&mut self, link: &Link, ips: Vec<IpAddr>, until: Instant) -> Option<Schedule<S>> {
        let mut rounds = self.rounds;
        rounds.next()?;
        if rounds.left() == 0 {
            return None;
        }
        let announcer = self.announcer.take()?;
        if let Some((sending, of)) = rounds.fit(until) {
            left_out(sending, of, &label(&ips), &link.name);
        }
        Some(Schedule::new(
            announcer,
            rounds.on(crate::budget::on_std_clock),
            link,
            ips,
        ))
    }
}

/// Sends `rounds` announcement rounds for `ip` on `link`, `interval`
/// apart, none after `until` (see [`announce_tracked`]).
pub async fn announce<N: Net>(
    nl: &N,
    link: &Link,
    ip: IpAddr,
    (rounds, interval): (u32, Duration),
    until: Instant,
) -> Result<(), Error> {
    let progress = RefCell::new(Progress::<N::Sender>::new(rounds, interval));
    announce_tracked(nl, link, &[ip], until, &progress).await
}

/// Sends the rounds of `progress` for `ips` on `link` (several addresses
/// share each round, their frames back to back). The first waits for
/// carrier; a round after which the link has no carrier went nowhere and
/// does not count: it is sent again once carrier is back. No round goes
/// out after `until`: the rounds that would are left out with a warning
/// (the action's deadline comes first). The progress is kept in
/// `progress` (read between two awaits; start may drop this future after
/// any round and go on from there).
pub async fn announce_tracked<N: Net>(
    nl: &N,
    link: &Link,
    ips: &[IpAddr],
    until: Instant,
    progress: &RefCell<Progress<N::Sender>>,
) -> Result<(), Error> {
    wait_carrier(nl, link, until).await?;
    let frames = {
        let announcer = nl.announcer(link, ips)?;
        let n = announcer.frames_per_round();
        progress.borrow_mut().announcer = Some(announcer);
        n
    };
    let mut lost = 0;
    loop {
        let rounds = {
            let mut p = progress.borrow_mut();
            if let Some(a) = p.announcer.as_mut() {
                a.send_round()?;
            }
            p.rounds.sent(Instant::now());
            p.rounds
        };
        if let Some(now) = nl.link_by_index(link.index).await?.filter(|l| l.is_down()) {
            lost += 1;
            progress.borrow_mut().rounds.lost();
            wait_carrier(nl, &now, until).await?;
            continue;
        }
        if rounds.left() == 0 {
            break;
        }
        if !rounds.due_by(Some(until)) {
            left_out(rounds.done(), rounds.total(), &label(ips), &link.name);
            return Ok(());
        }
        if let Some(next) = rounds.next() {
            tokio::time::sleep_until(next).await;
        }
    }
    tracing::debug!(
        "sent {} announcement round(s) of {frames} frame(s) for {} on {}{}",
        progress.borrow().rounds.done(),
        label(ips),
        link.name,
        if lost > 0 {
            format!(" ({lost} more sent without carrier did not count)")
        } else {
            String::new()
        }
    );
    Ok(())
}
