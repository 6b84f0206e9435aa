//! A complete small agent in the spirit of `ocf:heartbeat:Dummy`: a state
//! file stands for the running resource. It passes `ocf-tester`.
//!
//! ```text
//! cargo build -p ra-api --example dummy
//! ocf-tester -n d -o state=/run/d.state target/debug/examples/dummy
//! ```
//!
//! Its stop shows the rules every agent's stop follows:
//! - it needs only what identifies the resource (`state`), so a malformed
//!   other parameter (`delay_ms=abc`) does not keep it from stopping
//!   ([`Agent::stop_unconfigured`]);
//! - it answers 0 once nothing runs (also when nothing ran), never 7;
//! - when it cannot tell, it fails with 1 and a reason: Pacemaker then
//!   fences the node instead of starting a second copy elsewhere;
//! - it never outlives its timeout: the watchdog of [`ra_api::run`] answers
//!   1 before Pacemaker's SIGKILL (try `delay_ms` above the timeout).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use ra_api::{
    ActionSpec, Agent, AgentMeta, Answer, Context, Env, Failure, Outcome, ParamError, ParamSpec,
    Params, Status,
};

const STATE: ParamSpec = ParamSpec::string("state")
    .unique()
    .shortdesc("State file")
    .longdesc(
        "The file whose existence means the resource runs. Default: \
/run/ra-api-dummy-<instance>.state, from OCF_RESOURCE_INSTANCE.",
    );

const FAKE: ParamSpec = ParamSpec::string("fake")
    .default("dummy")
    .shortdesc("Written into the state file")
    .longdesc("Any text; written into the state file at start.");

const DELAY: ParamSpec = ParamSpec::integer("delay_ms")
    .default("0")
    .reloadable()
    .shortdesc("Milliseconds every start, stop and monitor waits first")
    .longdesc(
        "Every start, stop and monitor sleeps this long before it acts, to try what happens \
when an action outlives its timeout (0 to 3600000).",
    );

const META: AgentMeta = AgentMeta {
    name: "dummy",
    version: "0.1.0",
    shortdesc: "Example agent of the ra-api crate",
    longdesc: "Creates a state file on start, removes it on stop; monitor checks it.",
    params: &[STATE, FAKE, DELAY],
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("stop", 20),
        ActionSpec::new("monitor", 20).interval(10).depth(0),
        ActionSpec::new("validate-all", 20),
        // delay_ms is read on every call: reload-agent (the default
        // Agent::reload, validate) has nothing to apply
        ActionSpec::new("reload-agent", 20),
        ActionSpec::new("meta-data", 5),
    ],
};

struct Config {
    state: PathBuf,
    fake: String,
    delay: Duration,
}

struct Dummy;

fn configured(e: ParamError) -> Failure {
    Failure::new(Status::ErrConfigured, e.to_string())
}

/// The state file alone: all that stop needs.
fn state_file(ctx: &Context<'_>) -> Result<PathBuf, ParamError> {
    let instance = ctx.instance().replace(['/', ':'], "_");
    let state = Params::new(ctx.env).parse(&STATE, |s| {
        if s.starts_with('/') {
            Ok(PathBuf::from(s))
        } else {
            Err("must be an absolute path".to_string())
        }
    })?;
    Ok(state.unwrap_or_else(|| PathBuf::from(format!("/run/ra-api-dummy-{instance}.state"))))
}

/// Removes the state file; 0 when it is gone (or never was).
fn remove(state: &Path) -> Outcome {
    match std::fs::remove_file(state) {
        Ok(()) => Ok(Answer::Success),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Answer::Success),
        Err(e) => Err(Failure::new(
            Status::ErrGeneric,
            format!("cannot remove {}: {e}", state.display()),
        )),
    }
}

impl Agent for Dummy {
    type Config = Config;

    fn meta(&self) -> &AgentMeta {
        &META
    }

    fn configure(&self, ctx: &Context<'_>) -> Result<Config, Failure> {
        let p = Params::new(ctx.env);
        let state = state_file(ctx).map_err(configured)?;
        let fake = p.string(&FAKE).map_err(configured)?.unwrap_or_default();
        let delay = p.integer(&DELAY, 0..=3_600_000).map_err(configured)?;
        let delay = Duration::from_millis(delay.and_then(|d| u64::try_from(d).ok()).unwrap_or(0));
        Ok(Config { state, fake, delay })
    }

    fn validate(&self, ctx: &Context<'_>, c: &Config) -> Outcome {
        if ctx.env.check_level() >= 10 {
            let dir = c.state.parent().unwrap_or(Path::new("/"));
            if !dir.is_dir() {
                return Err(Failure::new(
                    Status::ErrInstalled,
                    format!("directory {} does not exist", dir.display()),
                ));
            }
        }
        Ok(Answer::Success)
    }

    fn start(&self, ctx: &Context<'_>, c: &Config) -> Outcome {
        self.validate(ctx, c)?;
        std::thread::sleep(c.delay);
        std::fs::write(&c.state, &c.fake)
            .map_err(|e| Failure::new(Status::ErrGeneric, format!("{}: {e}", c.state.display())))?;
        tracing::info!("created {}", c.state.display());
        Ok(Answer::Success)
    }

    fn stop(&self, _: &Context<'_>, c: &Config) -> Outcome {
        std::thread::sleep(c.delay);
        remove(&c.state)
    }

    /// A malformed `fake` or `delay_ms` does not hide which file to remove;
    /// a malformed `state` does: then 1, and the node is fenced.
    fn stop_unconfigured(&self, ctx: &Context<'_>, failure: Failure) -> Outcome {
        match state_file(ctx) {
            Ok(state) => {
                tracing::warn!("{}; stopping all the same", failure.reason());
                remove(&state)
            }
            Err(e) => Err(Failure::new(
                Status::ErrGeneric,
                format!("cannot tell which state file to remove: {e}"),
            )),
        }
    }

    fn monitor(&self, _: &Context<'_>, c: &Config) -> Outcome {
        std::thread::sleep(c.delay);
        Ok(if c.state.exists() {
            Answer::Success
        } else {
            Answer::NotRunning
        })
    }
}

fn main() -> ExitCode {
    ra_api::run(&Dummy, Env::from_process(), std::env::args())
}
