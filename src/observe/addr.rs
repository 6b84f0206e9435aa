//! The addresses and their interfaces, as netlink shows them.

use std::net::IpAddr;

use crate::classify::{
    combine, AddrView, DownWhy, Foreign, LinkDown, LinkMissing, LinkRef, LinkView, SpreadOn, Vips,
};
use crate::error::Error;
use crate::net::{BoundAddr, Link, Net, NetError, OperState};
use crate::params::Config;
use crate::vip::Vip;

/// The interface and prefix an address belongs on, resolved on this node.
#[derive(Debug, Clone)]
pub struct Target {
    /// The address.
    pub ip: IpAddr,
    /// The interface.
    pub link: Link,
    /// The prefix length.
    pub prefix: u8,
    /// Where the address is bound on this node now (any interface).
    pub bound: Vec<BoundAddr>,
}

/// Where the address is, as netlink shows it.
#[derive(Debug, Clone)]
pub struct NetSight {
    /// The interface the address belongs on, when one is known.
    pub link: Option<Link>,
    /// The address on that interface, when bound there.
    pub bound: Option<BoundAddr>,
    /// For the classification.
    pub link_view: LinkView,
    /// For the classification.
    pub addr_view: AddrView,
}

/// Every address of the resource, as netlink shows it.
#[derive(Debug, Clone)]
pub struct Sights {
    /// Each address with what was seen of it, in the order of `ip`.
    pub each: Vec<(Vip, NetSight)>,
    /// All of them reduced to one view ([`combine`]).
    pub addr_view: AddrView,
    /// The interfaces reduced to one view.
    pub link_view: LinkView,
    /// The addresses the classification's reasons name.
    pub label: Vips,
}

/// Resolves interface and prefix of every address strictly, as start and
/// validate-all need. With several addresses a failure names its address.
pub async fn resolve(nl: &impl Net, cfg: &Config) -> Result<Vec<Target>, Error> {
    let all = futures_util::future::join_all(
        cfg.vips
            .iter()
            .map(|v| resolve_one(nl, v, cfg.nic.as_deref())),
    )
    .await;
    let several = cfg.vips.len() > 1;
    cfg.vips
        .iter()
        .zip(all)
        .map(|(v, r)| r.map_err(|e| named(several, v.addr, e)))
        .collect()
}

/// `e` named by its address when the resource has several.
pub fn named(several: bool, ip: IpAddr, e: Error) -> Error {
    if several {
        Error::For {
            ip,
            source: Box::new(e),
        }
    } else {
        e
    }
}

async fn resolve_one(nl: &impl Net, vip: &Vip, nic: Option<&str>) -> Result<Target, Error> {
    let ip = vip.addr;
    let bound = nl.find_addr(ip).await?;
    let link = match nic {
        Some(nic) => nl
            .link_by_name(nic)
            .await?
            .ok_or_else(|| Error::NicMissing {
                nic: nic.to_string(),
            })?,
        None => {
            let index = match preferred(&bound, vip.prefix) {
                Some(b) => b.link_index,
                None => route_link(nl, vip, nic, None).await?.0,
            };
            nl.link_by_index(index)
                .await?
                .ok_or_else(|| no_route(vip, nic))?
        }
    };
    let prefix = match vip.prefix {
        Some(p) => p,
        None => {
            let p = match bound.iter().find(|b| b.link_index == link.index) {
                Some(b) => b.prefix,
                None => route_link(nl, vip, nic, Some(link.index)).await?.1,
            };
            // the parameter's check saw no prefix: the node's gives one
            if let Some(why) = crate::vip::unusable(ip, Some(p)) {
                return Err(Error::NotAHost {
                    ip,
                    nic: link.name.clone(),
                    why,
                });
            }
            p
        }
    };
    Ok(Target {
        ip,
        link,
        prefix,
        bound,
    })
}

/// The binding that is most likely ours when `nic` is not set: one with
/// the configured prefix, else the first.
fn preferred(bound: &[BoundAddr], prefix: Option<u8>) -> Option<&BoundAddr> {
    bound
        .iter()
        .find(|b| prefix.map_or(true, |p| p == b.prefix))
        .or(bound.first())
}

async fn route_link(
    nl: &impl Net,
    vip: &Vip,
    nic: Option<&str>,
    link: Option<u32>,
) -> Result<(u32, u8), Error> {
    let r = nl
        .connected_route(vip.addr, link)
        .await?
        .ok_or_else(|| no_route(vip, nic))?;
    Ok((r.link_index, r.prefix))
}

fn no_route(vip: &Vip, nic: Option<&str>) -> Error {
    Error::NoRoute {
        ip: vip.addr,
        nic: nic.map(str::to_string),
        prefix_given: vip.prefix.is_some(),
    }
}

/// A binding of the address on this node that is not this resource's: on
/// `link` with another prefix, or on another interface. What start refuses
/// with 5 and monitor reports (never 7 while one exists).
pub async fn foreign(
    nl: &impl Net,
    ip: IpAddr,
    link: &Link,
    prefix: u8,
    bound: &[BoundAddr],
) -> Result<Option<Foreign>, NetError> {
    if let Some(b) = bound
        .iter()
        .find(|b| b.link_index == link.index && b.prefix != prefix)
    {
        return Ok(Some(Foreign::OtherPrefix {
            ip,
            nic: link.name.clone(),
            found: b.prefix,
            want: prefix,
        }));
    }
    let Some(b) = bound.iter().find(|b| b.link_index != link.index) else {
        return Ok(None);
    };
    let other = link_ref(nl, b.link_index).await?;
    Ok(Some(Foreign::Elsewhere { ip, other }))
}

/// The interface with index `index` as a reason names it.
async fn link_ref(nl: &impl Net, index: u32) -> Result<LinkRef, NetError> {
    Ok(match nl.link_by_index(index).await? {
        Some(l) => LinkRef::Named(l.name),
        None => LinkRef::Index(index),
    })
}

/// Looks for every address without failing: what monitor and stop need.
pub async fn net_sights(nl: &impl Net, vips: &[Vip], nic: Option<&str>) -> Sights {
    let seen = futures_util::future::join_all(vips.iter().map(|v| net_sight_of(nl, v, nic))).await;
    let each: Vec<(Vip, NetSight)> = vips.iter().copied().zip(seen).collect();
    let views: Vec<_> = each
        .iter()
        .map(|(v, s)| (*v, s.addr_view.clone(), s.link_view.clone()))
        .collect();
    let (addr_view, link_view, label) = combine(&views);
    Sights {
        each,
        addr_view,
        link_view,
        label,
    }
}

/// [`net_sight`] for an address and interface alone (a stop whose other
/// parameters are malformed).
pub async fn net_sight_of(nl: &impl Net, vip: &Vip, nic: Option<&str>) -> NetSight {
    match try_net_sight(nl, vip, nic).await {
        Ok(s) => s,
        Err(e) => NetSight {
            link: None,
            bound: None,
            link_view: LinkView::Up,
            addr_view: AddrView::Unknown(e),
        },
    }
}

async fn try_net_sight(nl: &impl Net, vip: &Vip, nic: Option<&str>) -> Result<NetSight, NetError> {
    let ip = vip.addr;
    let bound = nl.find_addr(ip).await?;
    if nic.is_none() {
        // Ours wherever it is: bound on two interfaces is not served as
        // configured (nothing says which one answers), never adopted.
        if let Some(why) = spread(nl, vip, &bound).await? {
            return Ok(NetSight {
                link: None,
                bound: None,
                link_view: LinkView::Up,
                addr_view: AddrView::Foreign(why),
            });
        }
    }
    let link = match nic {
        Some(nic) => nl.link_by_name(nic).await?,
        None => match preferred(&bound, vip.prefix) {
            Some(b) => nl.link_by_index(b.link_index).await?,
            None => match nl.connected_route(ip, None).await? {
                Some(r) => nl.link_by_index(r.link_index).await?,
                None => None,
            },
        },
    };
    let Some(link) = link else {
        let why = match nic {
            Some(nic) => LinkMissing::Nic(nic.to_string()),
            None => LinkMissing::NoRoute(ip),
        };
        // Our interface is missing, but the address may be live here on
        // another one: that is never "stopped".
        let addr_view = match bound.first() {
            Some(b) => AddrView::Foreign(Foreign::Elsewhere {
                ip,
                other: link_ref(nl, b.link_index).await?,
            }),
            None => AddrView::Absent,
        };
        return Ok(NetSight {
            link: None,
            bound: None,
            link_view: LinkView::Missing(why),
            addr_view,
        });
    };
    // Ours: on the interface with the configured prefix (any prefix when
    // none is configured), among every binding of the address there.
    let mine = bound
        .iter()
        .find(|b| b.link_index == link.index && vip.prefix.map_or(true, |p| p == b.prefix))
        .copied();
    let addr_view = match &mine {
        Some(b) if b.dadfailed => AddrView::DadFailed,
        Some(b) if b.tentative => AddrView::Tentative,
        Some(_) => AddrView::Present,
        None => {
            let prefix = vip.prefix.unwrap_or(0);
            match foreign(nl, ip, &link, prefix, &bound).await? {
                Some(f) => AddrView::Foreign(f),
                None => AddrView::Absent,
            }
        }
    };
    let link_view = link_view(&link);
    Ok(NetSight {
        link: Some(link),
        bound: mine,
        link_view,
        addr_view,
    })
}

/// Whether binding `b` has the prefix `vip` is configured with (any prefix
/// when none is configured).
fn prefix_fits(vip: &Vip, b: &BoundAddr) -> bool {
    vip.prefix.map_or(true, |p| p == b.prefix)
}

/// The interfaces (by index, in the order seen) where `vip` is bound with
/// its configured prefix.
fn links_bound(bound: &[BoundAddr], vip: &Vip) -> Vec<u32> {
    let mut links: Vec<u32> = Vec::new();
    for b in bound.iter().filter(|b| prefix_fits(vip, b)) {
        if !links.contains(&b.link_index) {
            links.push(b.link_index);
        }
    }
    links
}

/// The bindings of `vip` that are this resource's, each with its
/// interface: with the configured prefix (any prefix when none is
/// configured), on `nic` when it is set, on any interface when it is empty
/// (the resource then owns the address wherever it is bound). What stop
/// removes.
pub async fn owned(
    nl: &impl Net,
    vip: &Vip,
    nic: Option<&str>,
) -> Result<Vec<(Link, BoundAddr)>, Error> {
    let bound = nl.find_addr(vip.addr).await?;
    let only = match nic {
        Some(nic) => match nl.link_by_name(nic).await? {
            Some(l) => Some(l.index),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let mut owned = Vec::new();
    for b in bound
        .iter()
        .filter(|b| prefix_fits(vip, b) && only.map_or(true, |i| i == b.link_index))
    {
        if let Some(link) = nl.link_by_index(b.link_index).await? {
            owned.push((link, *b));
        }
    }
    Ok(owned)
}

/// With `nic` empty: the address bound with its configured prefix on more
/// than one interface ([`Foreign::Spread`]; with no prefix configured each
/// interface names its own).
async fn spread(
    nl: &impl Net,
    vip: &Vip,
    bound: &[BoundAddr],
) -> Result<Option<Foreign>, NetError> {
    let links = links_bound(bound, vip);
    if links.len() < 2 {
        return Ok(None);
    }
    let mut on = Vec::new();
    for index in links {
        let prefixes = bound
            .iter()
            .filter(|b| b.link_index == index && vip.prefix.is_none())
            .map(|b| b.prefix)
            .collect();
        on.push(SpreadOn {
            link: link_ref(nl, index).await?,
            prefixes,
        });
    }
    Ok(Some(Foreign::Spread { vip: *vip, on }))
}

/// Up, or down with the reason an administrator can act on.
pub fn link_view(link: &Link) -> LinkView {
    let why = if !link.admin_up {
        DownWhy::AdminDown
    } else if link.is_down() {
        match link.oper {
            _ if !link.carrier => DownWhy::NoCarrier,
            OperState::LowerLayerDown => DownWhy::LowerLayerDown,
            OperState::NotPresent => DownWhy::NotPresent,
            _ => DownWhy::Down,
        }
    } else {
        return LinkView::Up;
    };
    LinkView::Down(LinkDown {
        nic: link.name.clone(),
        why,
    })
}

#[cfg(test)]
mod tests;
