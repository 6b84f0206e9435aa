//! The netlink reads the observation makes, as a trait: what an address
//! and its interface look like on this node, read through [`Netlink`] on
//! a node and through a scripted world in the in-process tests. Only
//! reads: binding, removing and announcing stay on [`Netlink`] itself.

use std::net::IpAddr;

use super::{BoundAddr, ConnectedRoute, Link, NetError, Netlink};

/// The reads of addresses, links and routes the observation needs.
#[allow(async_fn_in_trait)]
pub trait Net {
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
}

impl Net for Netlink {
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
}
