//! The agent as `ra_api` runs it: meta-data, configuration and dispatch.

use ra_api::{Agent, AgentMeta, Answer, Context, Failure, ManPage, Outcome, Params};

use crate::actions::stop::StopPlan;
use crate::actions::{monitor, start, stop, timing, validate};
use crate::error::Error;
use crate::params::{self, Config};

pub use crate::meta::META;

/// The provider: the agent is `ocf:croit:container`.
pub const PROVIDER: &str = "croit";

/// The documentation the packages install, for the manual page's SEE ALSO.
const SEE_ALSO: &[&str] = &[
    concat!(
        "/usr/share/doc/",
        env!("CARGO_PKG_NAME"),
        "/README.md: installation, quick start with pcs and crm, the demo and the test suite, \
a summary of the parameters."
    ),
    concat!(
        "/usr/share/doc/",
        env!("CARGO_PKG_NAME"),
        "/docs/monitor-and-codes.md: what monitor returns, exit codes and reasons, \
troubleshooting, logging."
    ),
    concat!(
        "/usr/share/doc/",
        env!("CARGO_PKG_NAME"),
        "/docs/: parameters.md, addresses.md (dual stack, announcements), faults.md, \
engine-gone.md (the engine gone, which container is ours), security.md, podman.md, \
migrating.md (from croit's shell agent), performance.md."
    ),
];

/// The manual page `ocf_croit_container(7)`, written from [`META`] (also
/// committed as `agents/ocf_croit_container.7`; print it with
/// `cargo run --example man_page`).
pub fn man_page() -> String {
    ManPage::new(&META, PROVIDER)
        .source(concat!(
            env!("CARGO_PKG_NAME"),
            " ",
            env!("CARGO_PKG_VERSION")
        ))
        .see_also(SEE_ALSO)
        .to_roff()
}

/// What a stop can identify when some parameter is malformed: the
/// container (with the engine read as the normal path reads it) when its
/// name is valid, the address when `ip` and `nic` are valid on their own.
pub fn malformed_plan(env: &ra_api::Env) -> StopPlan {
    let container = params::container_only(env).ok();
    let host = params::docker_host_only(env).ok();
    let stop_timeout = Params::new(env)
        .integer(&params::STOP_TIMEOUT, 1..=86_400)
        .ok()
        .flatten()
        .and_then(|v| u32::try_from(v).ok());
    StopPlan {
        container: container.clone().zip(host),
        address: params::address_only(env).ok(),
        stop_timeout,
        state_dir: params::state_dir(env),
        instance: params::instance(env, container.as_ref()),
    }
}

/// ocf:croit:container.
pub struct ContainerAgent;

impl Agent for ContainerAgent {
    type Config = Config;

    fn meta(&self) -> &AgentMeta {
        &META
    }

    fn configure(&self, ctx: &Context<'_>) -> Result<Config, Failure> {
        Config::from_env(ctx.env).map_err(|e| Error::Param(e).into())
    }

    fn validate(&self, ctx: &Context<'_>, cfg: &Config) -> Outcome {
        timing::check_fit(cfg, ctx.env.timeout())?;
        if ctx.env.check_level() >= 10 {
            validate::validate_node(cfg, &ctx.deadline)?;
        }
        Ok(Answer::Success)
    }

    fn start(&self, ctx: &Context<'_>, cfg: &Config) -> Outcome {
        start::start(cfg, &ctx.deadline)?;
        Ok(Answer::Success)
    }

    fn stop(&self, ctx: &Context<'_>, cfg: &Config) -> Outcome {
        stop::stop(&StopPlan::of(cfg), &ctx.deadline)?;
        Ok(Answer::Success)
    }

    /// Some parameter is malformed (`failure` says which): a stop still
    /// ends what the readable parameters identify, a container and an
    /// address left over from an earlier definition ([`malformed_plan`]),
    /// and answers 0 only once nothing of it runs, as any stop.
    fn stop_unconfigured(&self, ctx: &Context<'_>, failure: Failure) -> Outcome {
        stop::stop_malformed(failure.reason(), &malformed_plan(ctx.env), &ctx.deadline)?;
        Ok(Answer::Success)
    }

    /// Only reloadable parameters changed (Pacemaker restarts the resource
    /// for any other): every one of them is read anew on each call, so the
    /// new values take effect with the next action. This checks their
    /// syntax as validate-all does at level 0 (6 with the reason when one
    /// is malformed) and changes nothing on the node: the container keeps
    /// running, the address stays bound. Announcement rounds that cannot
    /// fit the meta-data's timeouts are only a warning
    /// ([`timing::warn_fit`]): the configured timeouts are not known here.
    /// A `fix_restart_policy` turned on is applied by the next monitor,
    /// probes included, as always.
    fn reload(&self, ctx: &Context<'_>, cfg: &Config) -> Outcome {
        timing::warn_fit(cfg, ctx.env.timeout());
        Ok(Answer::Success)
    }

    fn monitor(&self, ctx: &Context<'_>, cfg: &Config) -> Outcome {
        let asked = monitor::Asked {
            probe: ctx.is_probe(),
            degraded: ctx.env.ocf_version().is_some_and(|v| v >= (1, 1)),
        };
        let verdict = monitor::monitor(cfg, &ctx.deadline, asked)?;
        ra_api::outcome(verdict.status, verdict.reason)
    }
}
