//! One file per action; each decides from the classification in
//! [`crate::classify`].

pub mod addresses;
pub mod bringup;
pub mod handover;
pub mod monitor;
pub mod start;
pub mod stop;
pub mod timing;
pub mod validate;

use std::cell::RefCell;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::net::{Announcer, Link, Netlink};

/// Runs one action's future on a single-threaded runtime (one short-lived
/// process per action: a multi-threaded runtime costs ten times more).
pub fn block_on<T>(f: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?
        .block_on(f)
}

/// How often a wait for carrier looks at the link again.
const CARRIER_POLL: Duration = Duration::from_millis(20);

/// Returns once `link` is up with carrier, bounded by `deadline`
/// ([`Error::NoCarrier`] when it passes). `link` is a snapshot: when it
/// already shows carrier, nothing is asked.
pub async fn wait_carrier(nl: &Netlink, link: &Link, deadline: Instant) -> Result<(), Error> {
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

/// How far the announcement rounds of one action have got; shared with
/// start, which hands what is left to the background announcer.
#[derive(Default)]
pub struct Progress {
    /// The packet socket and the frames, once opened.
    pub announcer: Option<Announcer>,
    /// Rounds that went out with carrier.
    pub sent: u32,
    /// When the next round is due (a round's time plus the interval).
    pub next: Option<Instant>,
}

/// Sends `rounds` announcement rounds `interval` apart. The first waits for
/// carrier; a round after which the link has no carrier went nowhere and
/// does not count: it is sent again once carrier is back. No round goes out
/// after `until`: the rounds that would are left out with a warning (the
/// action's deadline comes first).
pub async fn announce(
    nl: &Netlink,
    link: &Link,
    ip: IpAddr,
    rounds: u32,
    interval: Duration,
    until: Instant,
) -> Result<(), Error> {
    let progress = RefCell::new(Progress::default());
    announce_tracked(nl, link, &[ip], (rounds, interval), until, &progress).await
}

/// [`announce`], keeping its progress in `progress` (read between two
/// awaits; start may drop this future after any round and go on from there).
/// Several addresses on one link share each round (their frames back to
/// back).
pub async fn announce_tracked(
    nl: &Netlink,
    link: &Link,
    ips: &[IpAddr],
    (rounds, interval): (u32, Duration),
    until: Instant,
    progress: &RefCell<Progress>,
) -> Result<(), Error> {
    let ip = ips
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    wait_carrier(nl, link, until).await?;
    let frames = {
        let announcer = Announcer::open_all(link, ips)?;
        let n = announcer.frames_per_round();
        progress.borrow_mut().announcer = Some(announcer);
        n
    };
    let mut lost = 0;
    loop {
        let sent = {
            let mut p = progress.borrow_mut();
            if let Some(a) = p.announcer.as_mut() {
                a.send_round()?;
            }
            p.sent += 1;
            p.next = Some(Instant::now() + interval);
            p.sent
        };
        if let Some(now) = nl.link_by_index(link.index).await?.filter(|l| l.is_down()) {
            lost += 1;
            progress.borrow_mut().sent -= 1;
            wait_carrier(nl, &now, until).await?;
            continue;
        }
        if sent >= rounds {
            break;
        }
        if Instant::now() + interval > until {
            tracing::warn!(
                "sent {sent} of {rounds} announcement rounds for {ip} on {}: the rest would \
outlast the operation timeout (arp_count or arp_count_refresh x arp_interval is too long for it)",
                link.name
            );
            return Ok(());
        }
        tokio::time::sleep(interval).await;
    }
    tracing::debug!(
        "sent {rounds} announcement round(s) of {frames} frame(s) for {ip} on {}{}",
        link.name,
        if lost > 0 {
            format!(" ({lost} more sent without carrier did not count)")
        } else {
            String::new()
        }
    );
    Ok(())
}
