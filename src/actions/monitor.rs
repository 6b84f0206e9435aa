//! monitor (probes and recurring alike): observe, classify, answer.

use ra_api::{Deadline, Status};
use tracing::warn;

use crate::classify::{classify, Verdict};
use crate::error::Error;
use crate::observe::observe;
use crate::params::Config;

use super::{announce, tokio_deadline, Io};

/// The verdict of one monitor. `probe`: no `monitor_cmd` and no refresh
/// announcements.
pub fn monitor(cfg: &Config, deadline: &Deadline, probe: bool) -> Result<Verdict, Error> {
    super::block_on(async {
        let io = Io::open(&cfg.docker_host, tokio_deadline(deadline))?
            .reserve(deadline, super::timing::monitor_reserve);
        let (obs, sight) = observe(&io.nl, &io.engine, cfg, !probe).await;
        let verdict = classify(&obs, cfg.check_health, &cfg.container, &cfg.vip.to_string());
        if verdict.status == Status::Success && !probe && cfg.arp_count_refresh > 0 {
            if let Some(link) = &sight.link {
                let (count, every) = (cfg.arp_count_refresh, cfg.arp_interval);
                let sent = announce(link, cfg.ip(), count, every, io.announce_until).await;
                if let Err(e) = sent {
                    warn!("refresh announcements for {} failed: {e}", cfg.ip());
                }
            }
        }
        Ok(verdict)
    })
}
