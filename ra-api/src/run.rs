//! The execution block: one dispatch, one exit point, one answer.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::action::Action;
use crate::cli;
use crate::deadline::Deadline;
use crate::env::Env;
use crate::log::{exit_reason, init_logging};
use crate::metadata::{AgentMeta, MetaForm};
use crate::outcome::{Failure, Outcome};
use crate::status::Status;
use crate::watchdog;

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
    /// `reload-agent` (OCF 1.1), called by Pacemaker when only parameters
    /// declared [`ParamSpec::reloadable`](crate::ParamSpec::reloadable)
    /// changed, with the new values; it must not restart the resource.
    /// [`Agent::configure`] has already checked their syntax. By default
    /// it answers what [`Agent::validate`] does; override it to apply
    /// values the agent does not read on every call. List
    /// `ActionSpec::new("reload-agent", ..)` in the meta-data to offer it.
    fn reload(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome {
        self.validate(ctx, config)
    }
    /// Any other action the meta-data lists (notify, reload, ...); by
    /// default 3 with a reason.
    fn other(&self, ctx: &Context<'_>, config: &Self::Config) -> Outcome {
        let _ = config;
        Err(Failure::new(
            Status::ErrUnimplemented,
            unsupported(&ctx.action),
        ))
    }
    /// `stop` when [`Agent::configure`] failed (`failure` is what it said).
    ///
    /// A stop must not answer 6 for a parameter it cannot read: the
    /// resource may still run from an earlier, valid definition, and 6
    /// tells Pacemaker nothing about that. By default this answers 1 with
    /// configure's reason: a stop that cannot tell whether the resource
    /// still runs fails, so Pacemaker fences the node (or blocks the
    /// resource without fencing) instead of starting a second copy
    /// elsewhere. Override it to stop whatever the readable parameters
    /// identify and answer 0 once nothing can run (see the crate's example
    /// agent, `examples/dummy.rs`).
    fn stop_unconfigured(&self, ctx: &Context<'_>, failure: Failure) -> Outcome {
        let _ = ctx;
        Err(Failure::new(
            Status::ErrGeneric,
            format!("cannot tell what to stop: {}", failure.reason()),
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

/// A call the command line allows, before it runs.
#[derive(Debug)]
struct Call {
    action: Action,
    env: Env,
}

/// Reads the command line: either a call to dispatch, or the answer
/// itself (meta-data, usage, `--help`, `--version`, a malformed command
/// line, an unsupported action), which needs no configuration.
fn prepare(meta: &AgentMeta, env: &Env, args: &[String]) -> Result<Call, Report> {
    // meta-data and usage as argv[1] need nothing and never fail, whatever
    // follows them
    match Action::parse(args.get(1).map(String::as_str)) {
        Action::MetaData => {
            return Err(Report {
                stdout: meta.to_xml_in(MetaForm::for_env(env)),
                ..Report::status(Status::Success)
            })
        }
        Action::Usage => {
            return Err(Report {
                stdout: format!("{}\n", usage(meta)),
                ..Report::status(Status::Success)
            })
        }
        _ => {}
    }
    let (action, env) = match cli::parse(meta, env, args) {
        cli::Parsed::Call { action, env } => (action, env),
        cli::Parsed::Text(text) => {
            return Err(Report {
                stdout: text,
                ..Report::status(Status::Success)
            })
        }
        cli::Parsed::Malformed(reason) => {
            return Err(Report {
                stderr: format!("{}\n", usage(meta)),
                reason: Some(reason),
                ..Report::status(Status::ErrArgs)
            })
        }
    };
    match action {
        // flags before the action: `AGENT --ip x meta-data`
        Action::MetaData | Action::Usage => {
            prepare(meta, &env, &[String::new(), action.as_str().into()])
        }
        ref a if !meta.supports(a) => Err(Report {
            stderr: format!("{}\n", usage(meta)),
            reason: Some(unsupported(a)),
            ..Report::status(Status::ErrUnimplemented)
        }),
        _ => Ok(Call { action, env }),
    }
}

/// Configures and runs the action of `call`.
fn dispatch<A: Agent>(agent: &A, call: &Call) -> Report {
    let env = &call.env;
    init_logging(env, agent.meta().name);
    let ctx = Context {
        env,
        action: call.action.clone(),
        deadline: Deadline::new(env.timeout()),
    };
    let outcome = match agent.configure(&ctx) {
        Ok(config) => match ctx.action {
            Action::Start => agent.start(&ctx, &config),
            Action::Stop => agent.stop(&ctx, &config),
            Action::Monitor => agent.monitor(&ctx, &config),
            Action::ValidateAll => agent.validate(&ctx, &config),
            Action::ReloadAgent => agent.reload(&ctx, &config),
            _ => agent.other(&ctx, &config),
        },
        Err(failure) if ctx.action == Action::Stop => agent.stop_unconfigured(&ctx, failure),
        Err(failure) => Err(failure),
    };
    let report = match outcome {
        Ok(answer) => Report::status(answer.status()),
        Err(f) => Report {
            reason: Some(f.reason().to_string()),
            ..Report::status(f.status())
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

/// Runs one call without printing: the testable core of [`run`]
/// (`args[0]` is the program, then the action and any flags).
pub fn execute<A: Agent>(agent: &A, env: &Env, args: &[String]) -> Report {
    match prepare(agent.meta(), env, args) {
        Ok(call) => dispatch(agent, &call),
        Err(answer) => answer,
    }
}

/// Runs the agent: reads `argv[1]`, dispatches, prints, and returns the exit
/// code. Never reads stdin.
///
/// Exactly one answer leaves the process, with exactly one exit reason
/// when it is not 0, 7 or 8:
/// - the action's own, when it returns in time;
/// - the watchdog's (1, "... did not finish within its N ms timeout ..."),
///   when the action has not returned halfway between its [`Deadline`] and
///   the operation timeout: the process then exits before Pacemaker's
///   SIGKILL, which would leave no reason at all. For stop that 1 is right:
///   a stop that cannot finish must fail, so that the node is fenced
///   rather than the resource started twice;
/// - the panic hook's (1, "internal error: ...").
///
/// Whichever comes first wins; the others stay silent.
pub fn run<A: Agent>(agent: &A, env: Env, args: impl IntoIterator<Item = String>) -> ExitCode {
    let started = Instant::now();
    std::panic::set_hook(Box::new(|info| {
        if watchdog::ANSWER.claim() {
            exit_reason(&format!("internal error: {info}"));
            std::process::exit(1);
        }
        // Another answer is on its way out and its exit ends this thread;
        // should it not come, still exit 1 rather than hang.
        std::thread::sleep(Duration::from_secs(1));
        std::process::exit(1);
    }));
    let args: Vec<String> = args.into_iter().collect();
    let report = match prepare(agent.meta(), &env, &args) {
        Ok(call) => {
            watchdog::arm(call.action.clone(), call.env.timeout(), started);
            dispatch(agent, &call)
        }
        Err(answer) => answer,
    };
    if !watchdog::ANSWER.claim() {
        // the watchdog or the panic hook answered and is exiting
        loop {
            std::thread::park();
        }
    }
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
