//! What the agent asks of the node's network, as a trait: the reads the
//! observation makes (addresses, links, routes) and the writes of start and
//! stop (link up, bind, remove, DAD, the ARP probe, announcement rounds).
//! [`Netlink`] is the node's; a scripted world ([`super::scripted`]) stands
//! in for it in the in-process tests of start's, monitor's and stop's
//! decisions.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::{
    probe, AddOptions, Announcer, BoundAddr, ConnectedRoute, DadOutcome, Link, NetError, Netlink,
};

/// What sends a group's announcement rounds once opened (a packet socket
/// and the frames of a round, on a node).
pub trait Frames {
    /// Sends one round.
    fn send_round(&mut self) -> Result<(), NetError>;
    /// Frames in one round.
    fn frames_per_round(&self) -> usize;
}

impl Frames for Announcer {
    fn send_round(&mut self) -> Result<(), NetError> {
        Announcer::send_round(self)
    }

    fn frames_per_round(&self) -> usize {
        Announcer::frames_per_round(self)
    }
}

/// The node's addresses, links and routes, read and changed.
#[allow(async_fn_in_trait)]
pub trait Net {
    /// What [`Net::announcer`] opens.
    type Sender: Frames;

    /// Every binding of exactly `ip` on this node (any interface, any prefix).
    async fn find_addr(&self, ip: IpAddr) -> Result<Vec<BoundAddr>, NetError>;
    /// The link called `name`; `None` when there is none.
    async fn link_by_name(&self, name: &str) -> Result<Option<Link>, NetError>;
    /// The link with ifindex `index`; `None` when there is none.
    async fn link_by_index(&self, index: u32) -> Result<Option<Link>, NetError>;
    /// The on-link route of the main table whose destination contains `ip`
    /// (optionally only on `link_index`): longest prefix, then lowest metric.
    async fn connected_route(
        &self,
        ip: IpAddr,
        link_index: Option<u32>,
    ) -> Result<Option<ConnectedRoute>, NetError>;

    /// Sets the link administratively up (nothing when it already is).
    async fn set_up(&self, link: &Link) -> Result<(), NetError>;
    /// Adds `ip/prefix` to the link: `true` when added, `false` when it
    /// was there already.
    async fn add_addr(
        &self,
        link_index: u32,
        ip: IpAddr,
        prefix: u8,
        opts: AddOptions,
    ) -> Result<bool, NetError>;
    /// Removes `ip/prefix` from the link: `true` when removed, `false`
    /// when it was not there.
    async fn del_addr(&self, link_index: u32, ip: IpAddr, prefix: u8) -> Result<bool, NetError>;
    /// Waits until IPv6 DAD for `ip` on the link passed or failed (IPv4:
    /// passed at once).
    async fn wait_dad(&self, link_index: u32, ip: IpAddr) -> Result<DadOutcome, NetError>;
    /// The RFC 5227 ARP probe for `ips` on `link`, listening for `window`:
    /// the first claimant of each claimed address.
    async fn probe(
        &self,
        link: &Link,
        ips: Vec<Ipv4Addr>,
        window: Duration,
    ) -> Result<Vec<(Ipv4Addr, [u8; 6])>, NetError>;
    /// Opens what sends the announcement rounds of `ips` on `link` (their
    /// frames back to back in each round).
    fn announcer(&self, link: &Link, ips: &[IpAddr]) -> Result<Self::Sender, NetError>;
    /// IPv6 is disabled on `link` ([`super::ipv6_disabled`]).
    fn ipv6_disabled(&self, link: &Link) -> bool;
    /// Makes the other addresses of a subnet stay when its primary goes
    /// ([`super::keep_secondaries`]): whether it changed anything.
    fn keep_secondaries(&self, link: &Link) -> std::io::Result<bool>;
}

impl Net for Netlink {
    type Sender = Announcer;

    async fn find_addr(&self, ip: IpAddr) -> Result<Vec<BoundAddr>, NetError> {
        Netlink::find_addr(self, ip).await
    }

    async fn link_by_name(&self, name: &str) -> Result<Option<Link>, NetError> {
        Netlink::link_by_name(self, name).await
    }

    async fn link_by_index(&self, index: u32) -> Result<Option<Link>, NetError> {
        Netlink::link_by_index(self, index).await
    }

    async fn connected_route(
        &self,
        ip: IpAddr,
        link_index: Option<u32>,
    ) -> Result<Option<ConnectedRoute>, NetError> {
        Netlink::connected_route(self, ip, link_index).await
    }

    async fn set_up(&self, link: &Link) -> Result<(), NetError> {
        Netlink::set_up(self, link).await
    }

    async fn add_addr(
        &self,
        link_index: u32,
        ip: IpAddr,
        prefix: u8,
        opts: AddOptions,
    ) -> Result<bool, NetError> {
        Netlink::add_addr(self, link_index, ip, prefix, opts).await
    }

    async fn del_addr(&self, link_index: u32, ip: IpAddr, prefix: u8) -> Result<bool, NetError> {
        Netlink::del_addr(self, link_index, ip, prefix).await
    }

    async fn wait_dad(&self, link_index: u32, ip: IpAddr) -> Result<DadOutcome, NetError> {
        Netlink::wait_dad(self, link_index, ip).await
    }

    /// In a thread of its own: the probe blocks on its socket.
    async fn probe(
        &self,
        link: &Link,
        ips: Vec<Ipv4Addr>,
        window: Duration,
    ) -> Result<Vec<(Ipv4Addr, [u8; 6])>, NetError> {
        let l = link.clone();
        tokio::task::spawn_blocking(move || probe::probe(&l, &ips, window))
            .await
            .map_err(|e| NetError::Io {
                op: "ARP probe",
                message: e.to_string(),
            })?
    }

    fn announcer(&self, link: &Link, ips: &[IpAddr]) -> Result<Announcer, NetError> {
        Announcer::open_all(link, ips)
    }

    fn ipv6_disabled(&self, link: &Link) -> bool {
        super::ipv6_disabled(&link.name)
    }

    fn keep_secondaries(&self, link: &Link) -> std::io::Result<bool> {
        super::keep_secondaries(&link.name)
    }
}
