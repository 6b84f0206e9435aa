//! The execution block: one dispatch, one exit point.

use std::io::Write;
use std::process::ExitCode;

use crate::action::Action;
use crate::deadline::Deadline;
use crate::env::Env;
use crate::log::{exit_reason, init_logging};
use crate::metadata::AgentMeta;
use crate::status::Status;

/// A failed action: its status and the exit reason Pacemaker shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit status.
    pub status: Status,
    /// The exit reason (one line; cut to 128 characters when printed).
    pub reason: String,
}

impl Failure {
    /// A failure with its reason.
    pub fn new(status: Status, reason: impl Into<String>) -> Self {
        Failure {
            status,
            reason: reason.into(),
        }
    }
}

/// What an action returns: a status without reason, or a failure with one.
pub type Outcome = Result<Status, Failure>;

/// What an action is called with.
#[derive(Debug)]
pub struct Context<'e> {
    /// The environment snapshot.
    pub env: &'e Env,
    /// The action.
    pub action: Action,
    /// When the action must have answered.
    pub deadline: Deadline,
}

impl Context<'_> {
    /// A monitor without an interval.
    pub fn is_probe(&self) -> bool {
        self.env.is_probe(&self.action)
    }
    /// The resource instance (`""` when absent).
    pub fn instance(&self) -> &str {
        self.env.instance().unwrap_or("")
    }
}

/// An OCF resource agent.
pub trait Agent {
    /// The validated parameters.
    type Config;
    /// The agent's meta-data (also decides which actions exist).
    fn meta(&self) -> &AgentMeta;
    /// Syntax validation of the parameters (validate-all level 0); runs
    /// before every action but meta-data and usage.
    fn configure(&self, ctx: &Context<'_>) -> Result<Self::Config, Failure>;
    /// `validate-all` (deeper checks by `OCF_CHECK_LEVEL`).
    fn validate(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome;
    /// `start`.
    fn start(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome;
    /// `stop`.
    fn stop(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome;
    /// `monitor`, probes included.
    fn monitor(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome;
    /// Any other action the meta-data lists (notify, reload, ...); by
    /// default 3 with a reason.
    fn other(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome {
        let _ = config;
        Err(Failure::new(
            Status::ErrUnimplemented,
            unsupported(&ctx.action),
        ))
    }
}

/// The exit reason of an action the agent does not implement (the name
/// quoted and shortened: it comes from the command line).
fn unsupported(action: &Action) -> String {
    match action {
        Action::Missing => "no action given".to_string(),
        a => {
            let mut width = 0;
            let name: String = a
                .as_str()
                .chars()
                .take_while(|c| {
                    width += c.escape_debug().count();
                    width <= 40
                })
                .collect();
            format!("action {name:?} is not supported")
        }
    }
}

/// `usage: NAME {start|stop|...}` from the meta-data's actions.
pub fn usage(meta: &AgentMeta) -> String {
    let names: Vec<&str> = meta.actions.iter().map(|a| a.name).collect();
    format!("usage: {} {{{}}}", meta.name, names.join("|"))
}

/// What one call produced, before anything is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The exit status.
    pub status: Status,
    /// Text for stdout (meta-data, usage).
    pub stdout: String,
    /// Text for stderr (usage of an unknown action).
    pub stderr: String,
    /// The exit reason, when the action failed.
    pub reason: Option<String>,
}

impl Report {
    fn status(status: Status) -> Self {
        Report {
            status,
            stdout: String::new(),
            stderr: String::new(),
            reason: None,
        }
    }
}

/// Runs one call without printing: the testable core of [`run`].
pub fn execute<A: Agent>(agent: &A, env: &Env, args: &[String]) -> Report {
    let meta = agent.meta();
    let action = Action::parse(args.get(1).map(String::as_str));
    match action {
        Action::MetaData => {
            return Report {
                stdout: meta.to_xml(),
                ..Report::status(Status::Success)
            }
        }
        Action::Usage => {
            return Report {
                stdout: format!("{}\n", usage(meta)),
                ..Report::status(Status::Success)
            }
        }
        ref a if !meta.supports(a) => {
            return Report {
                stderr: format!("{}\n", usage(meta)),
                reason: Some(unsupported(a)),
                ..Report::status(Status::ErrUnimplemented)
            }
        }
        _ => {}
    }
    init_logging(env, meta.name);
    let ctx = Context {
        env,
        action,
        deadline: Deadline::new(env.timeout()),
    };
    let outcome = agent.configure(&ctx).and_then(|config| match ctx.action {
        Action::Start => agent.start(&ctx, &config),
        Action::Stop => agent.stop(&ctx, &config),
        Action::Monitor => agent.monitor(&ctx, &config),
        Action::ValidateAll => agent.validate(&ctx, &config),
        _ => agent.other(&ctx, &config),
    });
    let report = match outcome {
        Ok(status) => Report::status(status),
        Err(f) => Report {
            reason: Some(f.reason),
            ..Report::status(f.status)
        },
    };
    tracing::debug!(
        "{} {}: {}",
        ctx.instance(),
        ctx.action.as_str(),
        report.status.code()
    );
    report
}

/// Runs the agent: reads `argv[1]`, dispatches, prints, and returns the exit
/// code. Never reads stdin. A panic still ends in exit 1 with a reason.
pub fn run<A: Agent>(agent: &A, env: Env, args: impl IntoIterator<Item = String>) -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        exit_reason(&format!("internal error: {info}"));
        std::process::exit(1);
    }));
    let args: Vec<String> = args.into_iter().collect();
    let report = execute(agent, &env, &args);
    if !report.stdout.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(report.stdout.as_bytes());
        let _ = out.flush();
    }
    if !report.stderr.is_empty() {
        let _ = std::io::stderr().write_all(report.stderr.as_bytes());
    }
    if let Some(reason) = &report.reason {
        exit_reason(reason);
    }
    report.status.into()
}

#[cfg(test)]
mod tests;
