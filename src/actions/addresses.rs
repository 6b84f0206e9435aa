//! Start's work on the addresses, one or several: binding each, the proofs
//! that each is free (the optional IPv4 conflict probe, IPv6 DAD), and
//! taking back what this start bound when one fails.

use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr};

use futures_util::future::join_all;
use tracing::{info, warn};

use crate::classify::Foreign;
use crate::engine::Engine;
use crate::error::Error;
use crate::net::{AddOptions, BoundAddr, DadOutcome, Link, Net, NetError};
use crate::observe::{named, Target};
use crate::params::Config;

use crate::announce::wait_carrier;
use crate::node::Node;

/// What this start found or did about one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// This start added it: taken back when start fails before the service
    /// ran.
    Added,
    /// It was bound already (an earlier start's): left as it is, unless
    /// it failed DAD.
    Found,
    /// It failed DAD (bound by this start or found): removed.
    DadFailed,
}

/// One address and what this start did about it.
pub struct Binding<'a> {
    /// The address.
    pub target: &'a Target,
    /// Added, found or failed.
    pub held: Held,
}

/// The addresses this start holds so far, in the order they were bound,
/// so that a failure takes back exactly those.
#[derive(Default)]
pub struct Ledger<'a> {
    bound: RefCell<Vec<Binding<'a>>>,
}

impl<'a> Ledger<'a> {
    fn record(&self, target: &'a Target, held: Held) {
        let mut b = self.bound.borrow_mut();
        match b.iter_mut().find(|b| b.target.ip == target.ip) {
            // a failed DAD outranks added or found: it goes either way
            Some(known) if held == Held::DadFailed => known.held = held,
            Some(_) => {}
            None => b.push(Binding { target, held }),
        }
    }

    /// Removes what this start added and what failed DAD, warning about
    /// any that cannot be removed.
    pub async fn take_back<E: Engine, N: Net>(&self, io: &Node<E, N>) {
        let gone: Vec<&Target> = self
            .bound
            .borrow()
            .iter()
            .filter(|b| b.held != Held::Found)
            .map(|b| b.target)
            .collect();
        for t in gone {
            match io.nl.del_addr(t.link.index, t.ip, t.prefix).await {
                Ok(_) => info!("removed {}/{} from {} again", t.ip, t.prefix, t.link.name),
                Err(e) => warn!("could not remove {} again: {e}", t.ip),
            }
        }
    }
}

/// The options every address is bound with.
pub fn options(cfg: &Config) -> AddOptions {
    AddOptions {
        nodad: cfg.nodad,
        preferred_lft: cfg.preferred_lft,
    }
}

/// Brings every address's link up.
pub async fn links_up<E: Engine, N: Net>(io: &Node<E, N>, targets: &[Target]) -> Result<(), Error> {
    let mut links: Vec<u32> = Vec::new();
    for t in targets {
        if !links.contains(&t.link.index) {
            io.nl.set_up(&t.link).await?;
            links.push(t.link.index);
        }
    }
    Ok(())
}

/// Binds `targets` one after the other into `ledger`. A failure names its
/// address (with `several`); the caller takes back what the ledger holds.
pub async fn bind<'a, E: Engine, N: Net>(
    io: &Node<E, N>,
    opts: AddOptions,
    targets: &[&'a Target],
    several: bool,
    ledger: &Ledger<'a>,
) -> Result<(), Error> {
    for t in targets {
        let held = bind_one(io, t, opts)
            .await
            .map_err(|e| named(several, t.ip, e))?;
        ledger.record(t, held);
    }
    Ok(())
}

async fn bind_one<E: Engine, N: Net>(
    io: &Node<E, N>,
    target: &Target,
    opts: AddOptions,
) -> Result<Held, Error> {
    let ip = target.ip;
    let added = io
        .nl
        .add_addr(target.link.index, ip, target.prefix, opts)
        .await
        .map_err(|e| match e {
            NetError::Ipv6Disabled { .. } => NetError::Ipv6Disabled {
                name: target.link.name.clone(),
            },
            e => e,
        })?;
    if added {
        info!("added {ip}/{} to {}", target.prefix, target.link.name);
        return Ok(Held::Added);
    }
    // EEXIST: IPv6 answers it for the address with any prefix; ours
    // only when it is there with our prefix.
    let here = io.nl.find_addr(ip).await?;
    let on_link = |b: &&BoundAddr| b.link_index == target.link.index;
    if let Some(b) = here
        .iter()
        .filter(on_link)
        .find(|b| b.prefix != target.prefix)
    {
        if !here
            .iter()
            .filter(on_link)
            .any(|b| b.prefix == target.prefix)
        {
            return Err(Foreign::OtherPrefix {
                ip,
                nic: target.link.name.clone(),
                found: b.prefix,
                want: target.prefix,
            }
            .into());
        }
    }
    info!("{ip}/{} was already on {}", target.prefix, target.link.name);
    Ok(Held::Found)
}

/// IPv6 DAD of `targets` (one link, all bound): returns once every one
/// passed; [`Error::DadFailed`] naming the ones that failed (recorded in
/// `ledger` for removal). Waits for carrier first: DAD does not run
/// without it.
pub async fn dad<'a, E: Engine, N: Net>(
    io: &Node<E, N>,
    link: &Link,
    targets: &[&'a Target],
    several: bool,
    ledger: &Ledger<'a>,
) -> Result<(), Error> {
    wait_carrier(&io.nl, link, io.budget.at()).await?;
    let waits = targets
        .iter()
        .map(|t| async move { io.nl.wait_dad(t.link.index, t.ip).await });
    let mut failed = Vec::new();
    for (t, o) in targets.iter().zip(join_all(waits).await) {
        match o {
            Ok(DadOutcome::Done) => {}
            Ok(DadOutcome::Failed) => {
                ledger.record(t, Held::DadFailed);
                failed.push(t.ip);
            }
            Err(e) => return Err(named(several, t.ip, e.into())),
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::DadFailed { ips: failed })
}

/// `conflict_check`: the RFC 5227 ARP probe for the IPv4 addresses of one
/// link (once the link has carrier), before any of
/// them is bound. [`Error::Conflict`] naming the first claimed address and
/// its claimant.
pub async fn probe_link<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
    link: &Link,
    targets: &[&Target],
) -> Result<(), Error> {
    let ips: Vec<Ipv4Addr> = targets
        .iter()
        .filter_map(|t| match t.ip {
            IpAddr::V4(a) => Some(a),
            IpAddr::V6(_) => None,
        })
        .collect();
    // a probe without carrier goes nowhere and would find nobody
    wait_carrier(&io.nl, link, io.budget.at()).await?;
    let window = cfg.conflict_window;
    let t0 = tokio::time::Instant::now();
    let found = io.nl.probe(link, ips, window).await?;
    if let Some((ip, mac)) = found.first() {
        return Err(Error::Conflict { ip: *ip, mac: *mac });
    }
    info!(
        "conflict_check: no answer for the IPv4 address(es) on {} within {} ms (took {} ms)",
        link.name,
        window.as_millis(),
        t0.elapsed().as_millis()
    );
    Ok(())
}
