//! start: bind, announce, start the container, return once monitor would say 0.

use std::cell::RefCell;
use std::net::IpAddr;
use std::time::Duration;

use ra_api::Deadline;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::announcer::{self, Handover};
use crate::classify::{classify, EngineView, Rules, Verdict};
use crate::engine::{ContainerStatus, Engine, EngineError, Health};
use crate::error::Error;
use crate::net::{Announcer, BoundCheck};
use crate::observe::{is_running, observe};
use crate::params::Config;

use super::validate::{check_node, Checked};
use super::{addresses, announce_tracked, tokio_deadline, Io, Progress};

/// How often start looks again while waiting for the container.
const POLL: Duration = Duration::from_millis(50);

/// Starts the resource. Idempotent: a running resource is left as it is
/// (the address is announced again). Returns once the container is ready
/// and the first announcement round is out; the rounds still due then go
/// out from the background announcer ([`crate::announcer`]).
pub fn start(cfg: &Config, deadline: &Deadline) -> Result<(), Error> {
    // At most one background announcer per resource: an earlier start's
    // ends before anything else.
    announcer::end(&cfg.state().announcer_path()).map_err(Error::StillRunning)?;
    let progress = RefCell::new(Progress::default());
    let later = super::block_on(async {
        let io = Io::open(cfg, tokio_deadline(deadline))?
            .reserve(deadline, super::timing::start_reserve);
        let checked = check_node(&io, cfg).await?;
        let added = bind(&io, cfg, &checked).await?;
        come_up(&io, cfg, &checked, &added, &progress).await
    })?;
    if let (Some(later), Some(announcer)) = (later, progress.into_inner().announcer) {
        hand_over(cfg, deadline, later, announcer);
    }
    Ok(())
}

/// The rounds still due when start is done.
struct Later {
    rounds: u32,
    interval: Duration,
    next: Instant,
    /// No round after this (start's deadline less its reserve, as in the
    /// foreground: see [`super::timing`]).
    until: Instant,
    link: (u32, String),
    /// The link's addresses: the announcer ends as soon as one of them is
    /// no longer bound (nothing is announced for an address the node does
    /// not hold); and as the log names them.
    ips: Vec<IpAddr>,
    label: String,
}

impl Later {
    /// The rounds due by `until`; warns about the rest.
    fn fitting(mut self, total: u32) -> Later {
        let mut fit = 0;
        while fit < self.rounds && self.next + self.interval_times(fit) <= self.until {
            fit += 1;
        }
        if fit < self.rounds {
            warn!(
                "sending {} of {total} announcement rounds for {} on {}: the rest would \
outlast the start timeout (arp_count x arp_interval is too long for it)",
                total - self.rounds + fit,
                self.label,
                self.link.1
            );
            self.rounds = fit;
        }
        self
    }

    fn interval_times(&self, k: u32) -> Duration {
        self.interval.saturating_mul(k)
    }
}

/// Sends the rounds still due from the background announcer, or, when it
/// cannot be forked or recorded, here before start returns.
fn hand_over(cfg: &Config, deadline: &Deadline, later: Later, announcer: Announcer) {
    let label = &later.label;
    if later.rounds == 0 {
        return;
    }
    let (index, name) = later.link;
    let check = BoundCheck::open(index, &later.ips)
        .map_err(|e| warn!("cannot prepare the background announcer ({e})"))
        .ok();
    let mut h = Handover {
        announcer,
        check,
        rounds: later.rounds,
        interval: cfg.arp_interval,
        next: later.next.into_std(),
    };
    if h.check.is_some() {
        if let Some(pid) = announcer::spawn(&mut h, &cfg.state().announcer_path()) {
            info!(
                "{} more announcement round(s) for {label} on {name} from pid {pid}",
                later.rounds
            );
            return;
        }
    }
    let until = deadline.at().checked_sub(FOREGROUND_RESERVE);
    let sent = h.run(until);
    if sent < later.rounds {
        warn!(
            "sent {sent} of the last {} announcement round(s) for {label} on {name}",
            later.rounds
        );
    }
}

/// How often start, ready before its first announcement round, looks
/// whether that round is out.
const FIRST_ROUND_POLL: Duration = Duration::from_millis(5);

/// What start keeps after announcing in the foreground, up to its deadline.
const FOREGROUND_RESERVE: Duration = Duration::from_millis(50);

/// Turns on the restart policy fix, brings the links up and binds the
/// addresses; returns which ones this start added.
async fn bind(io: &Io, cfg: &Config, checked: &Checked) -> Result<Vec<bool>, Error> {
    let Checked { targets, container } = checked;
    if container.restart_policy != "no" {
        warn!(
            "container {} had restart policy {}: set to no (Pacemaker restarts it)",
            cfg.container, container.restart_policy
        );
        io.engine
            .set_restart_policy_no(&container.id)
            .await
            .map_err(|e| match e {
                EngineError::Unsupported { .. } => Error::RestartPolicyUnfixable {
                    container: cfg.container.clone(),
                    policy: container.restart_policy.clone(),
                },
                e => e.into(),
            })?;
    }
    addresses::bind_all(io, cfg, targets).await
}

/// Announces the addresses and starts the container at once. Returns once
/// the container is ready and the first round is out, with the rounds still
/// due then (none when `arp_count` is 1 or `arp_interval` 0: those go out
/// before start returns, as all did before the background announcer).
/// Every address settles (carrier, IPv6 DAD) before the first round of
/// any; the addresses of one link share each round. Addresses on several
/// links (nic empty) get all their rounds before start returns.
async fn come_up(
    io: &Io,
    cfg: &Config,
    checked: &Checked,
    added: &[bool],
    progress: &RefCell<Progress>,
) -> Result<Option<Later>, Error> {
    let Checked { targets, container } = checked;
    let groups = addresses::by_link(targets);
    let announcing = async {
        // Carrier first: DAD does not run and announcements go nowhere
        // without it (start may just have brought the link up).
        addresses::settle(io, targets, added)
            .await
            .map_err(timed_out)?;
        let rounds = (cfg.arp_count, cfg.arp_interval);
        let others = groups.iter().skip(1).map(|(link, ips)| async move {
            let own = RefCell::new(Progress::default());
            announce_tracked(&io.nl, link, ips, rounds, io.announce_until, &own).await
        });
        let first = async {
            match groups.first() {
                Some((link, ips)) => {
                    announce_tracked(&io.nl, link, ips, rounds, io.announce_until, progress).await
                }
                None => Ok(()),
            }
        };
        let (first, others) = tokio::join!(first, futures_util::future::join_all(others));
        first.map_err(timed_out)?;
        others.into_iter().try_for_each(|r| r.map_err(timed_out))
    };
    let ready = async {
        if container.paused || container.status == ContainerStatus::Paused {
            io.engine.unpause(&container.id).await?;
        }
        if !is_running(container) {
            io.engine.start(&container.id).await?;
            info!("started container {}", cfg.container);
        }
        wait_ready(io, cfg).await
    };
    let background = cfg.arp_count > 1 && !cfg.arp_interval.is_zero() && groups.len() == 1;
    let mut announcing = Box::pin(announcing);
    let mut ready = Box::pin(ready);
    let (mut announced, mut up) = (None, None);
    loop {
        tokio::select! {
            a = &mut announcing, if announced.is_none() => announced = Some(a),
            r = &mut ready, if up.is_none() => up = Some(r),
            // Ready before the first round (IPv6 DAD outlasts the container's
            // start): look again soon, the first round ends the wait.
            () = tokio::time::sleep(FIRST_ROUND_POLL), if up.is_some() && background => {}
        }
        if matches!(announced, Some(Err(_))) || matches!(up, Some(Err(_))) {
            break;
        }
        let first_out = progress.borrow().sent > 0;
        if up.is_some() && (announced.is_some() || (background && first_out)) {
            break;
        }
    }
    drop(announcing);
    if let Some(Err(e)) = announced {
        return Err(e);
    }
    if let Some(Err(e)) = up {
        return Err(e);
    }
    if announced.is_some() {
        return Ok(None);
    }
    let p = progress.borrow();
    let Some((link, ips)) = groups.first() else {
        return Ok(None);
    };
    Ok(p.next.map(|next| {
        Later {
            rounds: cfg.arp_count.saturating_sub(p.sent),
            interval: cfg.arp_interval,
            next,
            until: io.announce_until,
            link: (link.index, link.name.clone()),
            ips: ips.clone(),
            label: list(ips),
        }
        .fitting(cfg.arp_count)
    }))
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

/// Addresses as the log names them.
fn list(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Waits until monitor would return 0 (and the container is healthy when
/// `wait_healthy`), or fails with the last reason when it cannot get there.
async fn wait_ready(io: &Io, cfg: &Config) -> Result<(), Error> {
    // Why it was not ready when the engine last answered: an inspect cut
    // short by the deadline itself says less than that.
    let mut answered: Option<String> = None;
    loop {
        let (obs, sights) = observe(io, cfg, true).await;
        // degraded (the engine away) is not ready: start waits for the
        // engine's own word
        let rules = Rules {
            check_health: cfg.check_health,
            container: &cfg.container,
            label: &sights.label,
            degraded: true,
        };
        let verdict = classify(&obs, &rules);
        let state = match &obs.engine {
            EngineView::Container(st) => Some(st),
            _ => None,
        };
        let healthy_enough = !cfg.wait_healthy
            || state.is_some_and(|st| matches!(st.health, Health::Healthy | Health::None));
        if verdict.is_running() && healthy_enough {
            return Ok(());
        }
        if let Some(reason) = hopeless(&obs.engine, &verdict, &cfg.container) {
            return Err(Error::NotReady(reason));
        }
        let why = verdict
            .reason
            .unwrap_or_else(|| match state.map(|s| &s.health) {
                Some(Health::Starting) => format!("container {} not healthy yet", cfg.container),
                _ => format!("container {} not running", cfg.container),
            });
        let why = match (&obs.engine, answered.take()) {
            (EngineView::Unresponsive(_), Some(earlier)) => earlier,
            _ => why,
        };
        if tokio::time::Instant::now() + POLL >= io.deadline {
            return Err(Error::NotReady(format!("start timed out: {why}")));
        }
        answered = Some(why);
        tokio::time::sleep(POLL).await;
    }
}

/// States that waiting will not fix.
fn hopeless(engine: &EngineView, verdict: &Verdict, container: &str) -> Option<String> {
    match engine {
        EngineView::Container(st) => match st.status {
            ContainerStatus::Exited | ContainerStatus::Dead => Some(format!(
                "container {container} exited during start (code {})",
                st.exit_code.map_or("?".to_string(), |c| c.to_string())
            )),
            _ if st.health == Health::Unhealthy => verdict.reason.clone(),
            _ => None,
        },
        EngineView::NoContainer => Some(format!("container {container} disappeared during start")),
        EngineView::Down(_) | EngineView::NotSocket(_) => {
            Some("the engine went away during start".into())
        }
        EngineView::Forbidden(e) => Some(e.clone()),
        _ => None,
    }
}
