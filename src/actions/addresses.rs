//! Start's work on the addresses, one or several: the optional conflict
//! probe, binding each, waiting for carrier and IPv6 DAD of each, and taking
//! back what this start bound when one fails.

use std::net::{IpAddr, Ipv4Addr};

use futures_util::future::join_all;
use tracing::{info, warn};

use crate::error::Error;
use crate::net::{probe, AddOptions, BoundAddr, DadOutcome, Link, NetError};
use crate::observe::{named, Target};
use crate::params::Config;

use super::{wait_carrier, Io};

/// Binds every address of `targets` (after the conflict probe when
/// `conflict_check`). Returns which ones this start added (`true`) or
/// found already bound (`false`), in the order of `targets`. When one
/// fails, the ones added before it are removed again and the failure names
/// its address (with several).
pub async fn bind_all(io: &Io, cfg: &Config, targets: &[Target]) -> Result<Vec<bool>, Error> {
    let several = targets.len() > 1;
    let mut links: Vec<u32> = Vec::new();
    for t in targets {
        if !links.contains(&t.link.index) {
            io.nl.set_up(&t.link).await?;
            links.push(t.link.index);
        }
    }
    if cfg.conflict_check {
        check_conflicts(io, cfg, targets).await?;
    }
    let opts = AddOptions {
        nodad: cfg.nodad,
        preferred_lft: cfg.preferred_lft,
    };
    let mut added = Vec::new();
    for t in targets {
        match bind_one(io, t, opts).await {
            Ok(a) => added.push(a),
            Err(e) => {
                unbind(io, targets, &added).await;
                return Err(named(several, t.ip, e));
            }
        }
    }
    Ok(added)
}

async fn bind_one(io: &Io, target: &Target, opts: AddOptions) -> Result<bool, Error> {
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
        return Ok(true);
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
            return Err(Error::AddressOtherPrefix {
                ip: ip.to_string(),
                nic: target.link.name.clone(),
                found: b.prefix,
                want: target.prefix,
            });
        }
    }
    info!("{ip}/{} was already on {}", target.prefix, target.link.name);
    Ok(false)
}

/// Removes the addresses this start added (`added[i]` for `targets[i]`),
/// warning about any that cannot be removed.
pub async fn unbind(io: &Io, targets: &[Target], added: &[bool]) {
    for (t, _) in targets.iter().zip(added).filter(|(_, a)| **a) {
        match io.nl.del_addr(t.link.index, t.ip, t.prefix).await {
            Ok(_) => info!("removed {}/{} from {} again", t.ip, t.prefix, t.link.name),
            Err(e) => warn!("could not remove {} again: {e}", t.ip),
        }
    }
}

/// Waits for carrier on each address's link and for DAD of each IPv6
/// address (all at once). When DAD fails for one, every address this start
/// added is removed and the start fails naming the ones that failed.
pub async fn settle(io: &Io, targets: &[Target], added: &[bool]) -> Result<(), Error> {
    let several = targets.len() > 1;
    let waits = targets.iter().map(|t| async move {
        wait_carrier(&io.nl, &t.link, io.deadline).await?;
        Ok::<_, Error>(io.nl.wait_dad(t.link.index, t.ip).await?)
    });
    let outcomes = join_all(waits).await;
    let mut failed = Vec::new();
    for (t, o) in targets.iter().zip(outcomes) {
        match o {
            Ok(DadOutcome::Done) => {}
            Ok(DadOutcome::Failed) => failed.push(t),
            // With one address it stays, as it always did (stop removes it).
            Err(e) if !several => return Err(e),
            Err(e) => {
                unbind(io, targets, added).await;
                return Err(named(several, t.ip, e));
            }
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    // A failed address stays (dadfailed) until removed: this start's own
    // and the failed ones go.
    let mut gone: Vec<bool> = added.to_vec();
    for (i, t) in targets.iter().enumerate() {
        if failed.iter().any(|f| f.ip == t.ip) {
            gone[i] = true;
        }
    }
    unbind(io, targets, &gone).await;
    let ips: Vec<String> = failed.iter().map(|t| t.ip.to_string()).collect();
    Err(Error::DadFailed { ip: ips.join(" ") })
}

/// The addresses that get announcements, grouped by link in the order of
/// `ip` (links without ARP or MAC get none: a warning says so).
pub fn by_link(targets: &[Target]) -> Vec<(Link, Vec<IpAddr>)> {
    let mut groups: Vec<(Link, Vec<IpAddr>)> = Vec::new();
    for t in targets {
        if let Some(why) = t.link.mute() {
            warn!("{why}: no announcements sent for {}", t.ip);
            continue;
        }
        match groups.iter_mut().find(|(l, _)| l.index == t.link.index) {
            Some((_, ips)) => ips.push(t.ip),
            None => groups.push((t.link.clone(), vec![t.ip])),
        }
    }
    groups
}

/// `conflict_check`: the ARP probe for every IPv4 address (links probed at
/// once, each in a thread of its own, once they have carrier), before
/// anything is bound.
async fn check_conflicts(io: &Io, cfg: &Config, targets: &[Target]) -> Result<(), Error> {
    let mut per_link: Vec<(Link, Vec<Ipv4Addr>)> = Vec::new();
    for t in targets {
        let IpAddr::V4(a) = t.ip else { continue };
        if let Some(why) = t.link.mute() {
            warn!("{why}: conflict_check cannot probe {a}");
            continue;
        }
        match per_link.iter_mut().find(|(l, _)| l.index == t.link.index) {
            Some((_, ips)) => ips.push(a),
            None => per_link.push((t.link.clone(), vec![a])),
        }
    }
    // a probe without carrier goes nowhere and would find nobody
    for (link, _) in &per_link {
        wait_carrier(&io.nl, link, io.deadline).await?;
    }
    let window = cfg.conflict_window;
    let probes = per_link
        .into_iter()
        .map(|(link, ips)| tokio::task::spawn_blocking(move || probe::probe(&link, &ips, window)));
    let t0 = tokio::time::Instant::now();
    for r in join_all(probes).await {
        let found = r.map_err(|e| Error::Runtime(e.to_string()))??;
        if let Some((ip, mac)) = found.first() {
            return Err(Error::Conflict {
                ip: ip.to_string(),
                mac: probe::mac_string(*mac),
            });
        }
    }
    info!(
        "conflict_check: no answer for the IPv4 address(es) within {} ms (took {} ms)",
        window.as_millis(),
        t0.elapsed().as_millis()
    );
    Ok(())
}
