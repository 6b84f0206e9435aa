//! stop's work on the addresses: each removed from every interface where it
//! is this resource's ([`owned`]: on `nic`, or anywhere when `nic` is
//! empty), then checked; 0 only when none of them is left bound.

use tracing::{info, warn};

use crate::classify::AddrView;
use crate::error::Error;
use crate::net::{BoundAddr, Link, Net};
use crate::observe::{net_sight_of, owned};
use crate::vip::Vip;

/// Removes every address, going on past a failure on one; 0 only when
/// none is left bound. With several, each failure names its address and
/// all of them are reported.
pub(super) async fn remove_addresses(
    nl: &impl Net,
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
async fn remove_checked(nl: &impl Net, vip: &Vip, nic: Option<&str>) -> Result<(), Error> {
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
async fn remove_address(nl: &impl Net, vip: &Vip, nic: Option<&str>) -> Result<(), Error> {
    let mut failed = Vec::new();
    for (link, bound) in owned(nl, vip, nic).await? {
        if let Err(e) = unbind(nl, vip, &link, &bound).await {
            failed.push(e);
        }
    }
    all_of(failed)
}

async fn unbind(nl: &impl Net, vip: &Vip, link: &Link, bound: &BoundAddr) -> Result<(), Error> {
    let ip = vip.addr;
    if ip.is_ipv4() && !bound.secondary {
        match nl.keep_secondaries(link) {
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

#[cfg(test)]
mod tests {
    //! stop's removal decided in-process against the scripted network.

    use std::net::IpAddr;

    use super::*;
    use crate::engine::scripted::block_on;
    use crate::net::scripted::{eth, NetOp, ScriptedNet};
    use crate::net::NetError;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// sn1 (2) and sn2 (3), both on-link for 192.0.2.0/24.
    fn world() -> ScriptedNet {
        let nl = ScriptedNet::with([eth(2, "sn1"), eth(3, "sn2")]);
        nl.route(ip("192.0.2.0"), 24, 2);
        nl.route(ip("192.0.2.0"), 24, 3);
        nl
    }

    /// stop's removal of `ips` with `nic`: its code (0 or the error's).
    fn remove(nl: &ScriptedNet, ips: &str, nic: Option<&str>) -> (u8, String) {
        let vips = crate::vip::parse_list(ips).unwrap_or_else(|e| panic!("{e}"));
        match block_on(remove_addresses(nl, &vips, nic)) {
            Ok(()) => (0, String::new()),
            Err(e) => (e.status().code(), e.to_string()),
        }
    }

    #[test]
    fn with_nic_empty_the_address_goes_from_every_link_it_is_on() {
        let nl = world();
        nl.bind(ip("192.0.2.10"), 2, 24);
        nl.bind(ip("192.0.2.10"), 3, 24);
        assert_eq!(remove(&nl, "192.0.2.10/24", None), (0, String::new()));
        assert_eq!(nl.bound(ip("192.0.2.10")), vec![]);
        assert_eq!(nl.count(NetOp::Del), 2);
    }

    #[test]
    fn with_nic_set_the_binding_on_another_link_is_left_alone() {
        let nl = world();
        nl.bind(ip("192.0.2.10"), 2, 24);
        nl.bind(ip("192.0.2.10"), 3, 24);
        assert_eq!(remove(&nl, "192.0.2.10/24", Some("sn1")).0, 0);
        assert_eq!(nl.bound(ip("192.0.2.10")), vec![(3, 24)], "not ours");
    }

    #[test]
    fn an_address_the_kernel_keeps_is_never_0_and_the_others_still_go() {
        let nl = world();
        nl.bind(ip("192.0.2.10"), 2, 24);
        nl.bind(ip("192.0.2.11"), 2, 24);
        nl.fail_after(
            NetOp::Del,
            1,
            NetError::Permission {
                op: "remove address",
            },
        );
        let (code, why) = remove(&nl, "192.0.2.10/24 192.0.2.11/24", Some("sn1"));
        assert_ne!(code, 0);
        assert!(why.contains("192.0.2.11"), "names it: {why}");
        assert_eq!(nl.bound(ip("192.0.2.10")), vec![], "the first went");
        assert_eq!(nl.bound(ip("192.0.2.11")), vec![(2, 24)]);
    }

    #[test]
    fn an_address_that_cannot_be_read_after_its_removal_is_never_0() {
        let nl = world();
        nl.bind(ip("192.0.2.10"), 2, 24);
        // the removal goes through, the look after it cannot be made
        nl.fail_after(
            NetOp::FindAddr,
            1,
            NetError::Timeout {
                op: "dump addresses",
            },
        );
        let (code, why) = remove(&nl, "192.0.2.10/24", Some("sn1"));
        assert_eq!(code, 1, "{why}");
        assert_eq!(nl.bound(ip("192.0.2.10")), vec![]);
    }
}
