//! One NETLINK_ROUTE socket with methods named by intent. Kernel errno is
//! translated into meaning here.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use netlink_packet_route::address::AddressMessage;
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use rtnetlink::packet_core::{
    NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use rtnetlink::{Handle, LinkUnspec, RouteMessageBuilder};
use tokio::time::Instant;

use super::NetError;

/// `IF_OPER_*` of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperState {
    /// Up and running.
    Up,
    /// Down.
    Down,
    /// Down because the lower layer is (a veth whose peer is down, no carrier).
    LowerLayerDown,
    /// A component is missing.
    NotPresent,
    /// Waiting for an external event.
    Dormant,
    /// In test mode.
    Testing,
    /// Not reported (dummy, loopback): counts as up.
    Unknown,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// ifindex.
    pub index: u32,
    /// Name.
    pub name: String,
    /// Ethernet address, when it has one.
    pub mac: Option<[u8; 6]>,
    /// `IFF_UP`.
    pub admin_up: bool,
    /// `IFF_LOWER_UP`: the link has carrier.
    pub carrier: bool,
    /// `IFF_NOARP`: the link resolves no neighbours (tun, WireGuard, GRE,
    /// or set with `ip link set ... arp off`).
    pub noarp: bool,
    /// Operational state.
    pub oper: OperState,
}

impl Link {
    /// Why no announcement can be sent on this link (no Ethernet address,
    /// or NOARP): nobody on it resolves the address through ARP or NDP.
    pub fn mute(&self) -> Option<String> {
        if self.mac.is_none() {
            Some(format!("nic {} has no Ethernet address", self.name))
        } else if self.noarp {
            Some(format!("nic {} does not use ARP (NOARP)", self.name))
        } else {
            None
        }
    }

    /// Administratively down, or without carrier.
    pub fn is_down(&self) -> bool {
        !self.admin_up
            || !self.carrier
            || matches!(
                self.oper,
                OperState::Down | OperState::LowerLayerDown | OperState::NotPresent
            )
    }
}

/// The address as bound to one interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundAddr {
    /// ifindex of the interface.
    pub link_index: u32,
    /// Prefix length.
    pub prefix: u8,
    /// IPv6 DAD still running.
    pub tentative: bool,
    /// IPv6 DAD failed.
    pub dadfailed: bool,
    /// IPv4: a secondary address (another address of the same subnet on the
    /// interface is the primary).
    pub secondary: bool,
}

/// An on-link route of the main table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectedRoute {
    /// Output interface.
    pub link_index: u32,
    /// Destination prefix length.
    pub prefix: u8,
    /// Metric (priority).
    pub metric: u32,
}

/// Result of duplicate address detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DadOutcome {
    /// The address is usable.
    Done,
    /// Another host holds it.
    Failed,
}

/// The netlink socket, every call bounded by one deadline.
pub struct Netlink {
    handle: Handle,
    /// A second socket for address dumps, whose connection also forwards
    /// the final NLMSG_DONE: when the entry a dump skipped was the last one,
    /// only that message carries NLM_F_DUMP_INTR (rtnetlink's own requests
    /// would take a forwarded Done for an unexpected message).
    dumps: Handle,
    /// One dump at a time on `dumps`: the kernel refuses a second one on
    /// the same socket while the first runs (EBUSY), and several addresses
    /// are looked at concurrently.
    dumping: futures_util::lock::Mutex<()>,
    deadline: Instant,
}

const ENODEV: i32 = 19;
const EEXIST: i32 = 17;
const EADDRNOTAVAIL: i32 = 99;
const EPERM: i32 = 1;
const EACCES: i32 = 13;

fn errno(e: &rtnetlink::Error) -> Option<i32> {
    match e {
        rtnetlink::Error::NetlinkError(m) => m.code.map(|c| -c.get()),
        _ => None,
    }
}

fn kernel(op: &'static str, e: rtnetlink::Error) -> NetError {
    match errno(&e) {
        Some(EPERM | EACCES) => NetError::Permission { op },
        Some(ENODEV) => NetError::NoSuchLink {
            name: "(by index)".into(),
        },
        Some(n) => NetError::Kernel {
            op,
            errno: n,
            message: std::io::Error::from_raw_os_error(n).to_string(),
        },
        None => NetError::Io {
            op,
            message: e.to_string(),
        },
    }
}

impl Netlink {
    /// Opens the socket and spawns its connection task on the current tokio
    /// runtime.
    pub fn open(deadline: Instant) -> Result<Netlink, NetError> {
        let io = |e: std::io::Error| NetError::Io {
            op: "open netlink socket",
            message: e.to_string(),
        };
        let (conn, handle, _) = rtnetlink::new_connection().map_err(io)?;
        tokio::spawn(conn);
        let (mut conn, dumps, _) = rtnetlink::new_connection().map_err(io)?;
        conn.set_forward_done(true);
        tokio::spawn(conn);
        Ok(Netlink {
            handle,
            dumps,
            dumping: futures_util::lock::Mutex::new(()),
            deadline,
        })
    }

    async fn bounded<T>(
        &self,
        op: &'static str,
        f: impl Future<Output = Result<T, NetError>>,
    ) -> Result<T, NetError> {
        tokio::time::timeout_at(self.deadline, f)
            .await
            .map_err(|_| NetError::Timeout { op })?
    }

    async fn get_link(&self, req: rtnetlink::LinkGetRequest) -> Result<Option<Link>, NetError> {
        self.bounded("read link", async {
            match req.execute().try_next().await {
                Ok(Some(msg)) => Ok(Some(link_from(msg))),
                Ok(None) => Ok(None),
                Err(e) if errno(&e) == Some(ENODEV) => Ok(None),
                Err(e) => Err(kernel("read link", e)),
            }
        })
        .await
    }

    /// The link called `name`; `None` when there is none.
    pub async fn link_by_name(&self, name: &str) -> Result<Option<Link>, NetError> {
        self.get_link(self.handle.link().get().match_name(name.to_string()))
            .await
    }

    /// The link with ifindex `index`; `None` when there is none.
    pub async fn link_by_index(&self, index: u32) -> Result<Option<Link>, NetError> {
        self.get_link(self.handle.link().get().match_index(index))
            .await
    }

    /// Sets the link administratively up (nothing when it already is).
    pub async fn set_up(&self, link: &Link) -> Result<(), NetError> {
        if link.admin_up {
            return Ok(());
        }
        let msg = LinkUnspec::new_with_index(link.index).up().build();
        self.bounded("set link up", async {
            self.handle
                .link()
                .set(msg)
                .execute()
                .await
                .map_err(|e| match errno(&e) {
                    Some(ENODEV) => NetError::NoSuchLink {
                        name: link.name.clone(),
                    },
                    _ => kernel("set link up", e),
                })
        })
        .await
    }

    /// Every binding of exactly `ip` on this node (any interface, any prefix).
    /// A dump the kernel marks as interrupted by a concurrent change
    /// (`NLM_F_DUMP_INTR`: entries may be missing or doubled) is not trusted
    /// but taken again, until one is consistent or the deadline passes.
    pub async fn find_addr(&self, ip: IpAddr) -> Result<Vec<BoundAddr>, NetError> {
        self.bounded("list addresses", async {
            loop {
                if let Some(found) = self.dump_addr(ip).await? {
                    return Ok(found);
                }
                tracing::debug!("address dump interrupted by a concurrent change: again");
            }
        })
        .await
    }

    /// One address dump; `None` when the kernel flagged it interrupted.
    async fn dump_addr(&self, ip: IpAddr) -> Result<Option<Vec<BoundAddr>>, NetError> {
        let _one = self.dumping.lock().await;
        let mut msg = AddressMessage::default();
        // The kernel dumps only the address's family: a node's IPv6
        // link-local addresses are not parsed for an IPv4 lookup.
        msg.header.family = match ip {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        };
        let mut req = NetlinkMessage::from(RouteNetlinkMessage::GetAddress(msg));
        req.header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        let mut stream = self
            .dumps
            .clone()
            .request(req)
            .map_err(|e| kernel("list addresses", e))?;
        let mut found = Vec::new();
        let mut interrupted = false;
        while let Some(msg) = stream.next().await {
            interrupted |= msg.header.flags & NLM_F_DUMP_INTR != 0;
            match msg.payload {
                NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewAddress(m)) => {
                    if let Some(b) = bound_if(&m, ip) {
                        found.push(b);
                    }
                }
                NetlinkPayload::Error(e) => {
                    return Err(kernel("list addresses", rtnetlink::Error::NetlinkError(e)))
                }
                _ => {}
            }
        }
        Ok((!interrupted).then_some(found))
    }

    /// The on-link route of the main table whose destination contains `ip`
    /// (optionally only on `link_index`): longest prefix, then lowest metric.
    /// Host routes and default routes do not count.
    pub async fn connected_route(
        &self,
        ip: IpAddr,
        link_index: Option<u32>,
    ) -> Result<Option<ConnectedRoute>, NetError> {
        let query = match ip {
            IpAddr::V4(_) => RouteMessageBuilder::<Ipv4Addr>::new().build(),
            IpAddr::V6(_) => RouteMessageBuilder::<Ipv6Addr>::new().build(),
        };
        self.bounded("list routes", async {
            let mut best: Option<ConnectedRoute> = None;
            let mut stream = self.handle.route().get(query).execute();
            while let Some(msg) = stream
                .try_next()
                .await
                .map_err(|e| kernel("list routes", e))?
            {
                let Some(r) = connected(&msg, ip) else {
                    continue;
                };
                if link_index.is_some_and(|l| l != r.link_index) {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some(b) => r.prefix > b.prefix || (r.prefix == b.prefix && r.metric < b.metric),
                };
                if better {
                    best = Some(r);
                }
            }
            Ok(best)
        })
        .await
    }

    /// IPv6: waits until DAD for `ip` on the link finished (`Done`) or failed
    /// (`Failed`), looking every [`DAD_POLL`]. IPv4: `Done` at once. The
    /// deadline bounds the wait.
    pub async fn wait_dad(&self, link_index: u32, ip: IpAddr) -> Result<DadOutcome, NetError> {
        if ip.is_ipv4() {
            return Ok(DadOutcome::Done);
        }
        loop {
            let mine = self
                .find_addr(ip)
                .await?
                .into_iter()
                .find(|b| b.link_index == link_index);
            match mine {
                Some(b) if b.dadfailed => return Ok(DadOutcome::Failed),
                Some(b) if !b.tentative => return Ok(DadOutcome::Done),
                Some(_) => {}
                // Removed meanwhile: the kernel drops a failed address only
                // when told to, so treat it as taken.
                None => return Ok(DadOutcome::Failed),
            }
            if Instant::now() + DAD_POLL >= self.deadline {
                // DAD does not run while the link has no carrier: say so.
                let why = match self.link_by_index(link_index).await {
                    Ok(Some(l)) if l.is_down() => format!(": nic {} has no carrier", l.name),
                    _ => String::new(),
                };
                return Err(NetError::DadUnfinished { why });
            }
            tokio::time::sleep(DAD_POLL).await;
        }
    }
}

/// How often [`Netlink::wait_dad`] looks at the address: the container
/// starts once DAD is over, so this is what the end of DAD may cost it (one
/// dump of the node's IPv6 addresses, well under a millisecond).
const DAD_POLL: Duration = Duration::from_millis(10);

mod addr;
mod parse;

pub use addr::AddOptions;

pub use parse::contains;
use parse::{bound_if, connected, link_from};
