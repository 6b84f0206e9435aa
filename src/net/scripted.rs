//! A scripted netlink world for in-process tests of the observation: links
//! (up, down, missing), the addresses bound on each and the on-link
//! routes, read through [`Net`] as netlink would show them.

use std::cell::RefCell;
use std::net::IpAddr;

use super::{BoundAddr, ConnectedRoute, Link, Net, NetError, OperState};

/// The scripted world.
#[derive(Default)]
pub struct ScriptedNet {
    links: RefCell<Vec<Link>>,
    addrs: RefCell<Vec<(IpAddr, BoundAddr)>>,
    routes: RefCell<Vec<(IpAddr, ConnectedRoute)>>,
}

/// An Ethernet link `name` with ifindex `index`, up with carrier.
pub fn eth(index: u32, name: &str) -> Link {
    Link {
        index,
        name: name.into(),
        mac: Some([2, 0, 0, 0, 0, index as u8]),
        admin_up: true,
        carrier: true,
        noarp: false,
        oper: OperState::Up,
    }
}

impl ScriptedNet {
    /// A world with these links and nothing bound.
    pub fn with(links: impl IntoIterator<Item = Link>) -> ScriptedNet {
        let n = ScriptedNet::default();
        n.links.borrow_mut().extend(links);
        n
    }

    /// Binds `ip/prefix` on the link with ifindex `link` (settled).
    pub fn bind(&self, ip: IpAddr, link: u32, prefix: u8) {
        self.addrs.borrow_mut().push((
            ip,
            BoundAddr {
                link_index: link,
                prefix,
                tentative: false,
                dadfailed: false,
                secondary: false,
            },
        ));
    }

    /// An on-link route to `net/prefix` through the link with ifindex `link`.
    pub fn route(&self, net: IpAddr, prefix: u8, link: u32) {
        self.routes.borrow_mut().push((
            net,
            ConnectedRoute {
                link_index: link,
                prefix,
                metric: 0,
            },
        ));
    }

    /// Changes the link with ifindex `index` (down, no carrier...).
    pub fn set_link(&self, index: u32, f: impl FnOnce(&mut Link)) {
        if let Some(l) = self
            .links
            .borrow_mut()
            .iter_mut()
            .find(|l| l.index == index)
        {
            f(l);
        }
    }

    /// Removes the link with ifindex `index` (its addresses stay in the
    /// world: a test removes a link it bound nothing on).
    pub fn remove_link(&self, index: u32) {
        self.links.borrow_mut().retain(|l| l.index != index);
    }
}

impl Net for ScriptedNet {
    async fn find_addr(&self, ip: IpAddr) -> Result<Vec<BoundAddr>, NetError> {
        Ok(self
            .addrs
            .borrow()
            .iter()
            .filter(|(a, _)| *a == ip)
            .map(|(_, b)| *b)
            .collect())
    }

    async fn link_by_name(&self, name: &str) -> Result<Option<Link>, NetError> {
        Ok(self.links.borrow().iter().find(|l| l.name == name).cloned())
    }

    async fn link_by_index(&self, index: u32) -> Result<Option<Link>, NetError> {
        Ok(self
            .links
            .borrow()
            .iter()
            .find(|l| l.index == index)
            .cloned())
    }

    async fn connected_route(
        &self,
        ip: IpAddr,
        link_index: Option<u32>,
    ) -> Result<Option<ConnectedRoute>, NetError> {
        Ok(self
            .routes
            .borrow()
            .iter()
            .filter(|(net, r)| {
                super::netlink::contains(*net, r.prefix, ip)
                    && link_index.map_or(true, |l| l == r.link_index)
            })
            .map(|(_, r)| *r)
            .max_by_key(|r| (r.prefix, std::cmp::Reverse(r.metric))))
    }
}
