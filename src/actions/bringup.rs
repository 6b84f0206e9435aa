//! Start's plan for the addresses and the container: every address is bound
//! and proven free before the container runs, and each group of addresses
//! is announced as soon as it is proven, not when the slowest is.
//!
//! The order, per group (the addresses of one family on one link):
//! - IPv4 without `conflict_check`: bound at once and announced at once (as
//!   an IPv4-only start; IPv4 has no DAD).
//! - IPv4 with `conflict_check`: probed (RFC 5227, `conflict_window`), then
//!   bound and announced.
//! - IPv6: bound at once (optimistic DAD where the node allows it, see
//!   [`crate::net::AddOptions`]), announced once DAD passed; with `nodad`
//!   at once.
//!
//! The container is started once every group is proven free. When a proof
//! fails (DAD failed, a probe answered, or they cannot finish), the groups'
//! rounds end, every address this start added is removed (IPv4 too: the
//! holder of the IPv6 address holds the service) and the container has
//! never run.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::net::IpAddr;
use std::task::{Poll, Waker};
use std::time::Duration;

use futures_util::future::try_join_all;
use tracing::{info, warn};

use crate::engine::{ContainerStatus, Engine};
use crate::error::Error;
use crate::net::{Link, Net};
use crate::observe::{is_running, Target};
use crate::params::Config;

use super::addresses::{self, Ledger};
use super::start::wait_ready;
use super::validate::Checked;
use crate::announce::{announce_tracked, Progress, Schedule};
use crate::node::Node;

/// What proves the addresses of a group free before the container runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    /// Nothing (IPv4 without `conflict_check`, IPv6 with `nodad`, IPv4 on
    /// a link without ARP).
    None,
    /// The ARP probe, then the bind.
    Probe,
    /// IPv6 duplicate address detection.
    Dad,
}

/// The addresses of one family on one link.
struct Group<'a, S> {
    link: Link,
    v4: bool,
    targets: Vec<&'a Target>,
    proof: Proof,
    /// Announced (the link has a MAC and ARP).
    loud: bool,
    /// How far its rounds have got.
    progress: RefCell<Progress<S>>,
}

impl<S> Group<'_, S> {
    fn ips(&self) -> Vec<IpAddr> {
        self.targets.iter().map(|t| t.ip).collect()
    }
}

/// The groups, in the order of `ip`.
fn plan<'a, S>(cfg: &Config, targets: &'a [Target]) -> Vec<Group<'a, S>> {
    let mut groups: Vec<Group<'a, S>> = Vec::new();
    for t in targets {
        let mute = t.link.mute();
        let proof = match t.ip {
            IpAddr::V4(_) if cfg.conflict_check && mute.is_none() => Proof::Probe,
            IpAddr::V4(a) => {
                if let (true, Some(why)) = (cfg.conflict_check, &mute) {
                    warn!("{why}: conflict_check cannot probe {a}");
                }
                Proof::None
            }
            IpAddr::V6(_) if cfg.nodad => Proof::None,
            IpAddr::V6(_) => Proof::Dad,
        };
        if let Some(why) = &mute {
            warn!("{why}: no announcements sent for {}", t.ip);
        }
        let same = |g: &&mut Group<'a, S>| g.link.index == t.link.index && g.v4 == t.ip.is_ipv4();
        match groups.iter_mut().find(same) {
            Some(g) => g.targets.push(t),
            None => groups.push(Group {
                link: t.link.clone(),
                v4: t.ip.is_ipv4(),
                targets: vec![t],
                proof,
                loud: mute.is_none(),
                progress: RefCell::new(Progress::new(cfg.arp_count, cfg.arp_interval)),
            }),
        }
    }
    groups
}

/// Opens once every group passed its proof.
struct Gate {
    closed: Cell<usize>,
    waker: RefCell<Option<Waker>>,
}

impl Gate {
    fn new(closed: usize) -> Gate {
        Gate {
            closed: Cell::new(closed),
            waker: RefCell::new(None),
        }
    }

    fn pass(&self) {
        self.closed.set(self.closed.get().saturating_sub(1));
        if self.is_open() {
            if let Some(w) = self.waker.borrow_mut().take() {
                w.wake();
            }
        }
    }

    fn is_open(&self) -> bool {
        self.closed.get() == 0
    }

    async fn open(&self) {
        poll_fn(|cx| {
            if self.is_open() {
                Poll::Ready(())
            } else {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// How often start, ready before a group's first announcement round, looks
/// whether that round is out.
const FIRST_ROUND_POLL: Duration = Duration::from_millis(5);

/// Binds, proves and announces the addresses and starts the container once
/// all are proven free (see the module). Returns once the container is
/// ready and every group's first round is out, with the rounds still due
/// then (none when `arp_count` is 1 or `arp_interval` 0: those go out before
/// start returns).
pub async fn come_up<E: Engine, N: Net>(
    io: &Node<E, N>,
    cfg: &Config,
    checked: &Checked,
) -> Result<Vec<Schedule<N::Sender>>, Error> {
    let Checked { targets, container } = checked;
    let several = targets.len() > 1;
    let groups: Vec<Group<'_, N::Sender>> = plan(cfg, targets);
    let ledger = Ledger::default();
    let gate = Gate::new(groups.len());
    let opts = addresses::options(cfg);

    addresses::links_up(io, targets).await?;
    // What needs no proof before its bind is bound at once, one after the
    // other (IPv6 too: its DAD is the proof).
    for g in groups.iter().filter(|g| g.proof != Proof::Probe) {
        if let Err(e) = addresses::bind(io, opts, &g.targets, several, &ledger).await {
            ledger.take_back(io).await;
            return Err(e);
        }
    }
    let each = groups.iter().map(|g| {
        let (ledger, gate) = (&ledger, &gate);
        async move {
            match g.proof {
                Proof::None => {}
                Proof::Probe => {
                    addresses::probe_link(io, cfg, &g.link, &g.targets).await?;
                    addresses::bind(io, opts, &g.targets, several, ledger).await?;
                }
                Proof::Dad => addresses::dad(io, &g.link, &g.targets, several, ledger).await?,
            }
            gate.pass();
            if !g.loud {
                return Ok(());
            }
            let ips = g.ips();
            announce_tracked(&io.nl, &g.link, &ips, io.announce_until, &g.progress).await
        }
    });
    let ready = async {
        gate.open().await;
        if container.paused || container.status == ContainerStatus::Paused {
            io.engine.unpause(&container.id).await?;
        }
        if !is_running(container) {
            io.engine.start(&container.id).await?;
            info!("started container {}", cfg.container);
        }
        wait_ready(io, cfg).await
    };
    let background = cfg.arp_count > 1 && !cfg.arp_interval.is_zero();
    let mut announcing = Box::pin(try_join_all(each));
    let mut ready = Box::pin(ready);
    let (mut announced, mut up) = (None, None);
    loop {
        tokio::select! {
            a = &mut announcing, if announced.is_none() => announced = Some(a.map(|_| ())),
            r = &mut ready, if up.is_none() => up = Some(r),
            // Ready before a group's first round: look again soon, the
            // first round ends the wait.
            () = tokio::time::sleep(FIRST_ROUND_POLL), if up.is_some() && background => {}
        }
        if matches!(announced, Some(Err(_))) || matches!(up, Some(Err(_))) {
            break;
        }
        let first_out = groups
            .iter()
            .all(|g| !g.loud || g.progress.borrow().rounds.done() > 0);
        if up.is_some() && (announced.is_some() || (background && first_out)) {
            break;
        }
    }
    drop(announcing);
    let failed = match (announced, up) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some(timed_out(e)),
        _ => None,
    };
    if let Some(e) = failed {
        // Before the gate opened the container never ran: nothing of this
        // start stays. After, the addresses stay as the container does
        // (stop removes both).
        if !gate.is_open() {
            ledger.take_back(io).await;
        }
        return Err(e);
    }
    let later = groups
        .iter()
        .filter_map(|g| {
            let rest = g
                .progress
                .borrow_mut()
                .rest(&g.link, g.ips(), io.announce_until);
            rest
        })
        .collect();
    Ok(later)
}

/// A wait for carrier that ran into start's deadline.
fn timed_out(e: Error) -> Error {
    match e {
        Error::NoCarrier { .. } => Error::NotReady(format!("start timed out: {e}")),
        Error::For { ip, source } if matches!(*source, Error::NoCarrier { .. }) => {
            Error::NotReady(format!("start timed out: {ip}: {source}"))
        }
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::OperState;

    fn link(index: u32, mac: bool) -> Link {
        Link {
            index,
            name: format!("eth{index}"),
            mac: mac.then_some([2, 0, 0, 0, 0, index as u8]),
            admin_up: true,
            carrier: true,
            noarp: false,
            oper: OperState::Up,
        }
    }

    fn target(ip: &str, link: Link) -> Target {
        Target {
            ip: ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}")),
            link,
            prefix: 24,
            bound: Vec::new(),
        }
    }

    fn cfg(extra: &[(&str, &str)]) -> Config {
        let mut pairs = vec![("OCF_RESKEY_ip", "192.0.2.10/24")];
        pairs.extend_from_slice(extra);
        Config::from_env(&ra_api::Env::from_pairs(pairs)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// (link, IPv4, proof, loud, addresses) of each group.
    fn shape(groups: &[Group<'_, ()>]) -> Vec<(u32, bool, Proof, bool, usize)> {
        groups
            .iter()
            .map(|g| (g.link.index, g.v4, g.proof, g.loud, g.targets.len()))
            .collect()
    }

    #[test]
    fn groups_are_one_family_on_one_link_with_its_proof() {
        let targets = [
            target("192.0.2.10", link(1, true)),
            target("2001:db8::10", link(1, true)),
            target("192.0.2.11", link(1, true)),
            target("198.51.100.10", link(2, true)),
            target("2001:db8:1::10", link(2, true)),
            target("2001:db8::11", link(1, true)),
            target("203.0.113.10", link(3, false)),
        ];
        let plain = plan(&cfg(&[]), &targets);
        assert_eq!(
            shape(&plain),
            vec![
                (1, true, Proof::None, true, 2),
                (1, false, Proof::Dad, true, 2),
                (2, true, Proof::None, true, 1),
                (2, false, Proof::Dad, true, 1),
                (3, true, Proof::None, false, 1),
            ]
        );
        let checked = plan(
            &cfg(&[
                ("OCF_RESKEY_conflict_check", "true"),
                ("OCF_RESKEY_nodad", "true"),
            ]),
            &targets,
        );
        assert_eq!(
            shape(&checked),
            vec![
                (1, true, Proof::Probe, true, 2),
                (1, false, Proof::None, true, 2),
                (2, true, Proof::Probe, true, 1),
                (2, false, Proof::None, true, 1),
                // no ARP on it: nothing to probe with, nothing announced
                (3, true, Proof::None, false, 1),
            ]
        );
    }

    #[test]
    fn the_gate_opens_when_every_group_passed() {
        let gate = Gate::new(2);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(async {
            let waiting = async {
                gate.open().await;
                gate.is_open()
            };
            let passing = async {
                assert!(!gate.is_open());
                gate.pass();
                tokio::task::yield_now().await;
                assert!(!gate.is_open(), "one of two");
                gate.pass();
            };
            let (opened, ()) = tokio::join!(waiting, passing);
            assert!(opened);
        });
        assert!(Gate::new(0).is_open(), "no proof to wait for");
    }
}
