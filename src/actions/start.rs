//! start: bind, announce, start the container, return once monitor would say 0.

use std::cell::RefCell;
use std::time::Duration;

use ra_api::Deadline;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::announcer::{self, Handover};
use crate::classify::{classify, EngineView, Verdict};
use crate::engine::{ContainerStatus, Engine, EngineError, Health};
use crate::error::Error;
use crate::net::{Announcer, BoundCheck, DadOutcome, NetError};
use crate::observe::{is_running, observe};
use crate::params::Config;

use super::validate::{check_node, Checked};
use super::{announce_tracked, tokio_deadline, wait_carrier, Io, Progress};

/// How often start looks again while waiting for the container.
const POLL: Duration = Duration::from_millis(50);

/// Starts the resource. Idempotent: a running resource is left as it is
/// (the address is announced again). Returns once the container is ready
/// and the first announcement round is out; the rounds still due then go
/// out from the background announcer ([`crate::announcer`]).
pub fn start(cfg: &Config, deadline: &Deadline) -> Result<(), Error> {
    // At most one background announcer per resource: an earlier start's
    // ends before anything else.
    announcer::end(&cfg.state_dir, &cfg.container).map_err(Error::StillRunning)?;
    let progress = RefCell::new(Progress::default());
    let later = super::block_on(async {
        let io = Io::open(cfg, tokio_deadline(deadline))?
            .reserve(deadline, super::timing::start_reserve);
        let checked = check_node(&io, cfg).await?;
        bind(&io, cfg, &checked).await?;
        come_up(&io, cfg, &checked, &progress).await
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
}

impl Later {
    /// The rounds due by `until`; warns about the rest.
    fn fitting(mut self, ip: std::net::IpAddr, total: u32) -> Later {
        let mut fit = 0;
        while fit < self.rounds && self.next + self.interval_times(fit) <= self.until {
            fit += 1;
        }
        if fit < self.rounds {
            warn!(
                "sending {} of {total} announcement rounds for {ip} on {}: the rest would \
outlast the start timeout (arp_count x arp_interval is too long for it)",
                total - self.rounds + fit,
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
    let ip = cfg.ip();
    if later.rounds == 0 {
        return;
    }
    let (index, name) = later.link;
    let check = BoundCheck::open(index, ip)
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
        if let Some(pid) = announcer::spawn(&mut h, &cfg.state_dir, &cfg.container) {
            info!(
                "{} more announcement round(s) for {ip} on {name} from pid {pid}",
                later.rounds
            );
            return;
        }
    }
    let until = deadline.at().checked_sub(FOREGROUND_RESERVE);
    let sent = h.run(until);
    if sent < later.rounds {
        warn!(
            "sent {sent} of the last {} announcement round(s) for {ip} on {name}",
            later.rounds
        );
    }
}

/// What start keeps after announcing in the foreground, up to its deadline.
const FOREGROUND_RESERVE: Duration = Duration::from_millis(50);

/// Turns on the restart policy fix, brings the link up and binds the address.
async fn bind(io: &Io, cfg: &Config, checked: &Checked) -> Result<(), Error> {
    let Checked { target, container } = checked;
    let ip = cfg.ip();
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
    io.nl.set_up(&target.link).await?;
    let added = io
        .nl
        .add_addr(target.link.index, ip, target.prefix)
        .await
        .map_err(|e| match e {
            NetError::Ipv6Disabled { .. } => NetError::Ipv6Disabled {
                name: target.link.name.clone(),
            },
            e => e,
        })?;
    if added {
        info!("added {ip}/{} to {}", target.prefix, target.link.name);
    } else {
        // EEXIST: IPv6 answers it for the address with any prefix; ours
        // only when it is there with our prefix.
        let here = io.nl.find_addr(ip).await?;
        let on_link = |b: &&crate::net::BoundAddr| b.link_index == target.link.index;
        if let Some(b) = here
            .iter()
            .filter(on_link)
            .find(|b| b.prefix != target.prefix)
        {
            if !here
                .iter()
                .filter(on_link)
                .any(|b| b.prefix == target.prefix)
            {
                return Err(Error::AddressOtherPrefix {
                    ip: ip.to_string(),
                    nic: target.link.name.clone(),
                    found: b.prefix,
                    want: target.prefix,
                });
            }
        }
        info!("{ip}/{} was already on {}", target.prefix, target.link.name);
    }
    Ok(())
}

/// Announces the address and starts the container at once. Returns once
/// the container is ready and the first round is out, with the rounds still
/// due then (none when `arp_count` is 1 or `arp_interval` 0: those go out
/// before start returns, as all did before the background announcer).
async fn come_up(
    io: &Io,
    cfg: &Config,
    checked: &Checked,
    progress: &RefCell<Progress>,
) -> Result<Option<Later>, Error> {
    let Checked { target, container } = checked;
    let ip = cfg.ip();
    let announcing = async {
        // Carrier first: DAD does not run and announcements go nowhere
        // without it (start may just have brought the link up).
        wait_carrier(&io.nl, &target.link, io.deadline)
            .await
            .map_err(timed_out)?;
        if io.nl.wait_dad(target.link.index, ip).await? == DadOutcome::Failed {
            if let Err(e) = io.nl.del_addr(target.link.index, ip, target.prefix).await {
                warn!("could not remove {ip} after failed DAD: {e}");
            }
            return Err(Error::DadFailed { ip: ip.to_string() });
        }
        if let Some(why) = target.link.mute() {
            warn!("{why}: no announcements sent for {ip}");
            return Ok(());
        }
        announce_tracked(
            &io.nl,
            &target.link,
            ip,
            (cfg.arp_count, cfg.arp_interval),
            io.announce_until,
            progress,
        )
        .await
        .map_err(timed_out)
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
    let background = cfg.arp_count > 1 && !cfg.arp_interval.is_zero();
    let mut announcing = Box::pin(announcing);
    let mut ready = Box::pin(ready);
    let (mut announced, mut up) = (None, None);
    loop {
        tokio::select! {
            a = &mut announcing, if announced.is_none() => announced = Some(a),
            r = &mut ready, if up.is_none() => up = Some(r),
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
    Ok(p.next.map(|next| {
        Later {
            rounds: cfg.arp_count.saturating_sub(p.sent),
            interval: cfg.arp_interval,
            next,
            until: io.announce_until,
            link: (target.link.index, target.link.name.clone()),
        }
        .fitting(ip, cfg.arp_count)
    }))
}

/// A wait for carrier that ran into start's deadline.
fn timed_out(e: Error) -> Error {
    match e {
        Error::NoCarrier { .. } => Error::NotReady(format!("start timed out: {e}")),
        e => e,
    }
}

/// Waits until monitor would return 0 (and the container is healthy when
/// `wait_healthy`), or fails with the last reason when it cannot get there.
async fn wait_ready(io: &Io, cfg: &Config) -> Result<(), Error> {
    let vip = cfg.vip.to_string();
    // Why it was not ready when the engine last answered: an inspect cut
    // short by the deadline itself says less than that.
    let mut answered: Option<String> = None;
    loop {
        let (obs, _) = observe(io, cfg, true).await;
        let verdict = classify(&obs, cfg.check_health, &cfg.container, &vip);
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
