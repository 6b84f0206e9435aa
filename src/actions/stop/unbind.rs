//! stop's work on the addresses: each removed from every interface where it
//! is this resource's ([`owned`]: on `nic`, or anywhere when `nic` is
//! empty), then checked; 0 only when none of them is left bound.

use tracing::{info, warn};

use crate::classify::AddrView;
use crate::error::Error;
use crate::net::{BoundAddr, Link, Netlink};
use crate::observe::{net_sight_of, owned};
use crate::vip::Vip;

/// Removes every address, going on past a failure on one; 0 only when
/// none is left bound. With several, each failure names its address and
/// all of them are reported.
pub(super) async fn remove_addresses(
    nl: &Netlink,
    vips: &[Vip],
    nic: Option<&str>,
) -> Result<(), Error> {
    let several = vips.len() > 1;
    let mut failed = Vec::new();
    for vip in vips {
        if let Err(e) = remove_checked(nl, vip, nic).await {
            failed.push(crate::observe::named(several, vip.addr, e));
        }
    }
    all_of(failed)
}

/// Removes one address and checks that it is gone: from no interface
/// where it is ours may it still be bound.
async fn remove_checked(nl: &Netlink, vip: &Vip, nic: Option<&str>) -> Result<(), Error> {
    remove_address(nl, vip, nic).await?;
    let left = owned(nl, vip, nic).await?;
    if !left.is_empty() {
        let on: Vec<&str> = left.iter().map(|(l, _)| l.name.as_str()).collect();
        return Err(Error::StillRunning(format!(
            "{vip} is still bound on {}",
            on.join(", ")
        )));
    }
    let sight = net_sight_of(nl, vip, nic).await;
    match &sight.addr_view {
        AddrView::Unknown(why) => Err(Error::StillRunning(why.to_string())),
        // Not this resource's: left alone; monitor keeps reporting it.
        AddrView::Foreign(f) => {
            warn!("{f}; left as it is");
            Ok(())
        }
        a if a.is_bound() => Err(Error::StillRunning(format!("{vip} is still bound"))),
        _ => Ok(()),
    }
}

/// Removes the address from every interface where it is ours, going on
/// past a failure on one.
async fn remove_address(nl: &Netlink, vip: &Vip, nic: Option<&str>) -> Result<(), Error> {
    let mut failed = Vec::new();
    for (link, bound) in owned(nl, vip, nic).await? {
        if let Err(e) = unbind(nl, vip, &link, &bound).await {
            failed.push(e);
        }
    }
    all_of(failed)
}

async fn unbind(nl: &Netlink, vip: &Vip, link: &Link, bound: &BoundAddr) -> Result<(), Error> {
    let ip = vip.addr;
    if ip.is_ipv4() && !bound.secondary {
        match crate::net::keep_secondaries(&link.name) {
            Ok(true) => info!(
                "set promote_secondaries on {}: other addresses of the subnet stay when {ip} goes",
                link.name
            ),
            Ok(false) => {}
            Err(e) => warn!(
                "cannot set promote_secondaries on {} ({e}): removing {ip} removes the other addresses of its subnet",
                link.name
            ),
        }
    }
    if nl.del_addr(link.index, ip, bound.prefix).await? {
        info!("removed {ip}/{} from {}", bound.prefix, link.name);
    }
    Ok(())
}

/// Ok when nothing failed, else the one failure or all of them.
fn all_of(mut failed: Vec<Error>) -> Result<(), Error> {
    match failed.len() {
        0 => Ok(()),
        1 => Err(failed.remove(0)),
        _ => Err(Error::All(failed)),
    }
}
