//! A scripted network for in-process tests of the actions' decisions:
//! links (up, down, missing), the addresses bound on each and the on-link
//! routes, read through [`Net`] as netlink would show them; the writes
//! change that world (bind, remove, link up), DAD and the ARP probe answer
//! as the addresses other hosts hold ([`ScriptedNet::taken`]) make them,
//! announcement rounds are recorded with their time
//! ([`ScriptedNet::rounds`]), and any call can be made to fail
//! ([`ScriptedNet::fail`]).

use std::cell::{Cell, RefCell};
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::time::Duration;

use tokio::time::Instant;

use super::{
    AddOptions, BoundAddr, ConnectedRoute, DadOutcome, Frames, Link, Net, NetError, OperState,
};

/// A call the scripted world can be asked, to count it or make it fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetOp {
    /// `find_addr`
    FindAddr,
    /// `link_by_name` and `link_by_index`
    Link,
    /// `connected_route`
    Route,
    /// `set_up`
    SetUp,
    /// `add_addr`
    Add,
    /// `del_addr`
    Del,
    /// `wait_dad`
    Dad,
    /// `probe`
    Probe,
    /// `announcer` (opening it)
    Announcer,
}

/// One announcement round that went out: when, on which link, for which
/// addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// When it was sent (tokio's clock).
    pub at: Instant,
    /// The link's ifindex.
    pub link: u32,
    /// The addresses it announced.
    pub ips: Vec<IpAddr>,
}

/// The scripted world.
#[derive(Default)]
pub struct ScriptedNet {
    links: RefCell<Vec<Link>>,
    addrs: RefCell<Vec<(IpAddr, BoundAddr)>>,
    routes: RefCell<Vec<(IpAddr, ConnectedRoute)>>,
    calls: RefCell<Vec<NetOp>>,
    fails: RefCell<Vec<(NetOp, usize, NetError)>>,
    taken: RefCell<Vec<(IpAddr, [u8; 6])>>,
    dad_time: Cell<Duration>,
    dad_ended: RefCell<Vec<(IpAddr, Instant)>>,
    rounds: Rc<RefCell<Vec<Round>>>,
}

/// What [`ScriptedNet::announcer`] opens: records each round.
pub struct Sender {
    link: u32,
    ips: Vec<IpAddr>,
    rounds: Rc<RefCell<Vec<Round>>>,
}

impl Frames for Sender {
    fn send_round(&mut self) -> Result<(), NetError> {
        self.rounds.borrow_mut().push(Round {
            at: Instant::now(),
            link: self.link,
            ips: self.ips.clone(),
        });
        Ok(())
    }

    fn frames_per_round(&self) -> usize {
        self.ips.len()
    }
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

    /// Marks the bindings of `ip` as still in IPv6 DAD.
    pub fn tentative(&self, ip: IpAddr) {
        for (a, b) in self.addrs.borrow_mut().iter_mut() {
            if *a == ip {
                b.tentative = true;
            }
        }
    }

    /// Every later call of `op` fails with `e`.
    pub fn fail(&self, op: NetOp, e: NetError) {
        self.fail_after(op, 0, e);
    }

    /// The next `ok` calls of `op` go through, every one after fails with `e`.
    pub fn fail_after(&self, op: NetOp, ok: usize, e: NetError) {
        let ok = ok + self.count(op);
        self.fails.borrow_mut().push((op, ok, e));
    }

    /// Another host holds `ip` (with `mac`): IPv6 DAD of it fails, the
    /// ARP probe for it is answered.
    pub fn taken(&self, ip: IpAddr, mac: [u8; 6]) {
        self.taken.borrow_mut().push((ip, mac));
    }

    /// How long IPv6 DAD takes (0 unless set).
    pub fn dad_takes(&self, d: Duration) {
        self.dad_time.set(d);
    }

    /// How often `op` was called.
    pub fn count(&self, op: NetOp) -> usize {
        self.calls.borrow().iter().filter(|c| **c == op).count()
    }

    /// Every announcement round sent, in order.
    pub fn rounds(&self) -> Vec<Round> {
        self.rounds.borrow().clone()
    }

    /// When DAD of `ip` ended (passed or failed), if it did.
    pub fn dad_ended(&self, ip: IpAddr) -> Option<Instant> {
        let ended = self.dad_ended.borrow();
        ended.iter().find(|(a, _)| *a == ip).map(|(_, at)| *at)
    }

    /// The bindings of `ip` now: (ifindex, prefix) each.
    pub fn bound(&self, ip: IpAddr) -> Vec<(u32, u8)> {
        let addrs = self.addrs.borrow();
        addrs
            .iter()
            .filter(|(a, _)| *a == ip)
            .map(|(_, b)| (b.link_index, b.prefix))
            .collect()
    }

    /// Records a call of `op`; its scripted failure, if any.
    fn call(&self, op: NetOp) -> Result<(), NetError> {
        let before = self.count(op);
        self.calls.borrow_mut().push(op);
        let fails = self.fails.borrow();
        match fails.iter().find(|(o, ok, _)| *o == op && before >= *ok) {
            Some((_, _, e)) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn holder(&self, ip: IpAddr) -> Option<[u8; 6]> {
        let taken = self.taken.borrow();
        taken.iter().find(|(a, _)| *a == ip).map(|(_, m)| *m)
    }
}

impl Net for ScriptedNet {
    type Sender = Sender;

    async fn find_addr(&self, ip: IpAddr) -> Result<Vec<BoundAddr>, NetError> {
        self.call(NetOp::FindAddr)?;
        Ok(self
            .addrs
            .borrow()
            .iter()
            .filter(|(a, _)| *a == ip)
            .map(|(_, b)| *b)
            .collect())
    }

    async fn link_by_name(&self, name: &str) -> Result<Option<Link>, NetError> {
        self.call(NetOp::Link)?;
        Ok(self.links.borrow().iter().find(|l| l.name == name).cloned())
    }

    async fn link_by_index(&self, index: u32) -> Result<Option<Link>, NetError> {
        self.call(NetOp::Link)?;
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
        self.call(NetOp::Route)?;
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
    async fn set_up(&self, link: &Link) -> Result<(), NetError> {
        self.call(NetOp::SetUp)?;
        self.set_link(link.index, |l| l.admin_up = true);
        Ok(())
    }

    async fn add_addr(
        &self,
        link_index: u32,
        ip: IpAddr,
        prefix: u8,
        opts: AddOptions,
    ) -> Result<bool, NetError> {
        self.call(NetOp::Add)?;
        if self.bound(ip).iter().any(|(l, _)| *l == link_index) {
            return Ok(false);
        }
        let dad = ip.is_ipv6() && !opts.nodad;
        self.addrs.borrow_mut().push((
            ip,
            BoundAddr {
                link_index,
                prefix,
                tentative: dad,
                dadfailed: false,
                secondary: false,
            },
        ));
        Ok(true)
    }

    async fn del_addr(&self, link_index: u32, ip: IpAddr, prefix: u8) -> Result<bool, NetError> {
        self.call(NetOp::Del)?;
        let mut addrs = self.addrs.borrow_mut();
        let before = addrs.len();
        addrs.retain(|(a, b)| !(*a == ip && b.link_index == link_index && b.prefix == prefix));
        Ok(addrs.len() < before)
    }

    /// Takes [`ScriptedNet::dad_takes`], then fails for a [`ScriptedNet::taken`]
    /// address and passes for any other.
    async fn wait_dad(&self, link_index: u32, ip: IpAddr) -> Result<DadOutcome, NetError> {
        self.call(NetOp::Dad)?;
        if ip.is_ipv4() {
            return Ok(DadOutcome::Done);
        }
        tokio::time::sleep(self.dad_time.get()).await;
        let failed = self.holder(ip).is_some();
        let mut addrs = self.addrs.borrow_mut();
        let mine = addrs
            .iter_mut()
            .find(|(a, b)| *a == ip && b.link_index == link_index);
        self.dad_ended.borrow_mut().push((ip, Instant::now()));
        match mine {
            Some((_, b)) => {
                b.tentative = false;
                b.dadfailed = failed;
                Ok(if failed {
                    DadOutcome::Failed
                } else {
                    DadOutcome::Done
                })
            }
            None => Ok(DadOutcome::Failed),
        }
    }

    /// Answers at once for a [`ScriptedNet::taken`] address; listens the
    /// whole window when nobody claims any.
    async fn probe(
        &self,
        _: &Link,
        ips: Vec<Ipv4Addr>,
        window: Duration,
    ) -> Result<Vec<(Ipv4Addr, [u8; 6])>, NetError> {
        self.call(NetOp::Probe)?;
        let found: Vec<(Ipv4Addr, [u8; 6])> = ips
            .iter()
            .filter_map(|ip| Some((*ip, self.holder(IpAddr::V4(*ip))?)))
            .collect();
        if found.is_empty() {
            tokio::time::sleep(window).await;
        }
        Ok(found)
    }

    /// IPv6 is enabled everywhere in the scripted world.
    fn ipv6_disabled(&self, _: &Link) -> bool {
        false
    }

    /// Secondaries are promoted in the scripted world already.
    fn keep_secondaries(&self, _: &Link) -> std::io::Result<bool> {
        Ok(false)
    }

    fn announcer(&self, link: &Link, ips: &[IpAddr]) -> Result<Sender, NetError> {
        self.call(NetOp::Announcer)?;
        Ok(Sender {
            link: link.index,
            ips: ips.to_vec(),
            rounds: Rc::clone(&self.rounds),
        })
    }
}
