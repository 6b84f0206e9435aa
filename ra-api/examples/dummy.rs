//! A complete small agent in the spirit of `ocf:heartbeat:Dummy`: a state
//! file stands for the running resource. It passes `ocf-tester`.
//!
//! ```text
//! cargo build -p ra-api --example dummy
//! ocf-tester -n d -o state=/run/d.state target/debug/examples/dummy
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ra_api::{
    ActionSpec, Agent, AgentMeta, Context, Env, Failure, Outcome, ParamSpec, Params, Status,
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

const META: AgentMeta = AgentMeta {
    name: "dummy",
    version: "0.1.0",
    shortdesc: "Example agent of the ra-api crate",
    longdesc: "Creates a state file on start, removes it on stop; monitor checks it.",
    params: &[STATE, FAKE],
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("stop", 20),
        ActionSpec::new("monitor", 20).interval(10).depth(0),
        ActionSpec::new("validate-all", 20),
        ActionSpec::new("meta-data", 5),
    ],
};

struct Config {
    state: PathBuf,
    fake: String,
}

struct Dummy;

fn configured(e: ra_api::ParamError) -> Failure {
    Failure::new(Status::ErrConfigured, e.to_string())
}

impl Agent for Dummy {
    type Config = Config;

    fn meta(&self) -> &AgentMeta {
        &META
    }

    fn configure(&self, ctx: &Context<'_>) -> Result<Config, Failure> {
        let p = Params::new(ctx.env);
        let instance = ctx.instance().replace(['/', ':'], "_");
        let state = p
            .parse(&STATE, |s| {
                if s.starts_with('/') {
                    Ok(PathBuf::from(s))
                } else {
                    Err("must be an absolute path".to_string())
                }
            })
            .map_err(configured)?
            .unwrap_or_else(|| PathBuf::from(format!("/run/ra-api-dummy-{instance}.state")));
        let fake = p.string(&FAKE).map_err(configured)?.unwrap_or_default();
        Ok(Config { state, fake })
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
        Ok(Status::Success)
    }

    fn start(&self, ctx: &Context<'_>, c: &Config) -> Outcome {
        self.validate(ctx, c)?;
        std::fs::write(&c.state, &c.fake)
            .map_err(|e| Failure::new(Status::ErrGeneric, format!("{}: {e}", c.state.display())))?;
        tracing::info!("created {}", c.state.display());
        Ok(Status::Success)
    }

    fn stop(&self, _: &Context<'_>, c: &Config) -> Outcome {
        match std::fs::remove_file(&c.state) {
            Ok(()) => Ok(Status::Success),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Status::Success),
            Err(e) => Err(Failure::new(
                Status::ErrGeneric,
                format!("{}: {e}", c.state.display()),
            )),
        }
    }

    fn monitor(&self, _: &Context<'_>, c: &Config) -> Outcome {
        Ok(if c.state.exists() {
            Status::Success
        } else {
            Status::NotRunning
        })
    }
}

fn main() -> ExitCode {
    ra_api::run(&Dummy, Env::from_process(), std::env::args())
}
