//! monitor (probes and recurring alike): observe, classify, answer.

use ra_api::{Deadline, Status};
use tracing::warn;

use crate::classify::{classify, AddrView, Verdict};
use crate::error::Error;
use crate::observe::observe;
use crate::params::Config;

use super::{announce, tokio_deadline, Io};

/// The verdict of one monitor. `probe`: no `monitor_cmd` and no refresh
/// announcements.
pub fn monitor(cfg: &Config, deadline: &Deadline, probe: bool) -> Result<Verdict, Error> {
    super::block_on(async {
        let io = Io::open(&cfg.docker_host, tokio_deadline(deadline))?;
        let (obs, sight) = observe(&io.nl, &io.engine, cfg, !probe).await;
        let verdict = classify(&obs, cfg.check_health, &cfg.container, &cfg.vip.to_string());
        // Only a settled address is announced: never one still in (or
        // failed at) IPv6 DAD, never on a link that resolves nothing.
        let settled = sight.addr_view == AddrView::Present;
        if verdict.status == Status::Success && !probe && cfg.arp_count_refresh > 0 && settled {
            if let Some(link) = sight.link.as_ref().filter(|l| l.mute().is_none()) {
                let sent = announce(
                    &io.nl,
                    link,
                    cfg.ip(),
                    cfg.arp_count_refresh,
                    cfg.arp_interval,
                    io.deadline,
                )
                .await;
                if let Err(e) = sent {
                    warn!("refresh announcements for {} failed: {e}", cfg.ip());
                }
            }
        }
        Ok(verdict)
    })
}
