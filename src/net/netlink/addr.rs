//! Adding and removing an address, with the IPv6 options of `ip address
//! add` that the agent offers (`nodad`, `preferred_lft`) and optimistic
//! DAD (RFC 4429) where the node allows it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_route::address::{AddressAttribute, AddressFlags, CacheInfo};
use rtnetlink::AddressMessageBuilder;

use super::{errno, kernel, Netlink, EACCES, EADDRNOTAVAIL, EEXIST, ENODEV};
use crate::net::NetError;

/// The lifetime the kernel reads as forever (`INFINITY_LIFE_TIME`).
const FOREVER: u32 = u32::MAX;

/// How an address is bound. IPv4 addresses take neither option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddOptions {
    /// IPv6: `IFA_F_NODAD`, no duplicate address detection. Without it the
    /// address asks for `IFA_F_OPTIMISTIC` (RFC 4429): the kernel keeps the
    /// flag only where `net.ipv6.conf.<nic>.optimistic_dad` (or `all`) is
    /// 1, and then starts DAD at once instead of after a random delay of
    /// up to `router_solicitation_delay` (1 s); elsewhere it drops the flag
    /// and DAD runs as always.
    pub nodad: bool,
    /// IPv6: the preferred lifetime in seconds (`IFA_CACHEINFO`, the valid
    /// lifetime forever); `None` is forever. 0 binds it deprecated.
    pub preferred_lft: Option<u32>,
}

impl AddOptions {
    /// The attributes these options add to an `RTM_NEWADDR` for `ip`.
    pub fn attributes(&self, ip: IpAddr) -> Vec<AddressAttribute> {
        let mut attrs = Vec::new();
        if ip.is_ipv4() {
            return attrs;
        }
        attrs.push(AddressAttribute::Flags(if self.nodad {
            AddressFlags::Nodad
        } else {
            AddressFlags::Optimistic
        }));
        if let Some(lft) = self.preferred_lft {
            let mut ci = CacheInfo::default();
            ci.ifa_preferred = lft;
            ci.ifa_valid = FOREVER;
            attrs.push(AddressAttribute::CacheInfo(ci));
        }
        attrs
    }
}

impl Netlink {
    /// Adds `ip/prefix` to the link: `true` when added, `false` when it was
    /// already there (then as it is: its flags and lifetimes unchanged).
    pub async fn add_addr(
        &self,
        link_index: u32,
        ip: IpAddr,
        prefix: u8,
        opts: AddOptions,
    ) -> Result<bool, NetError> {
        self.bounded("add address", async {
            let mut req = self.handle.address().add(link_index, ip, prefix);
            req.message_mut().attributes.extend(opts.attributes(ip));
            match req.execute().await {
                Ok(()) => Ok(true),
                Err(e) if errno(&e) == Some(EEXIST) => Ok(false),
                // addrconf refuses with EACCES where IPv6 is disabled
                // (CAP_NET_ADMIN missing is EPERM).
                Err(e) if ip.is_ipv6() && errno(&e) == Some(EACCES) => {
                    Err(NetError::Ipv6Disabled {
                        name: format!("#{link_index}"),
                    })
                }
                Err(e) => Err(kernel("add address", e)),
            }
        })
        .await
    }

    /// Removes `ip/prefix` from the link: `true` when removed, `false` when
    /// it was not there.
    pub async fn del_addr(
        &self,
        link_index: u32,
        ip: IpAddr,
        prefix: u8,
    ) -> Result<bool, NetError> {
        let msg = match ip {
            IpAddr::V4(a) => AddressMessageBuilder::<Ipv4Addr>::new()
                .index(link_index)
                .address(a, prefix)
                .build(),
            IpAddr::V6(a) => AddressMessageBuilder::<Ipv6Addr>::new()
                .index(link_index)
                .address(a, prefix)
                .build(),
        };
        self.bounded("remove address", async {
            match self.handle.address().del(msg).execute().await {
                Ok(()) => Ok(true),
                Err(e) if matches!(errno(&e), Some(EADDRNOTAVAIL | ENODEV)) => Ok(false),
                Err(e) => Err(kernel("remove address", e)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_takes_no_options_ipv6_takes_both() {
        let all = AddOptions {
            nodad: true,
            preferred_lft: Some(0),
        };
        assert!(all
            .attributes(
                "192.0.2.1"
                    .parse()
                    .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
            )
            .is_empty());
        let v6 = all.attributes(IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(v6.len(), 2);
        assert!(v6.contains(&AddressAttribute::Flags(AddressFlags::Nodad)));
        let ci = v6.iter().find_map(|a| match a {
            AddressAttribute::CacheInfo(c) => Some(*c),
            _ => None,
        });
        assert_eq!(
            ci.map(|c| (c.ifa_preferred, c.ifa_valid)),
            Some((0, u32::MAX))
        );
        assert_eq!(
            AddOptions::default().attributes(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            vec![AddressAttribute::Flags(AddressFlags::Optimistic)],
            "with DAD: optimistic where the node allows it"
        );
    }
}
