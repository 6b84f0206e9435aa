//! Write OCF resource agents for Pacemaker in Rust.
//!
//! An OCF agent is an executable Pacemaker runs with the action in `argv[1]`
//! and the parameters in `OCF_RESKEY_*`; it answers with an exit code and, on
//! failure, one `ocf-exit-reason:` line on stderr. This crate gives an agent
//! everything around its own logic:
//!
//! - [`Status`]: the exit codes; [`Action`]: the action names.
//! - [`Env`]: an immutable snapshot of the environment, with the instance,
//!   the timeout, the interval, whether a monitor is a probe, and the check
//!   level. Nothing in this crate reads `std::env` otherwise, so tests build
//!   an `Env` from pairs.
//! - [`ParamSpec`] and [`Params`]: each parameter declared once; the same
//!   declaration reads and checks the value and writes the meta-data.
//! - [`AgentMeta`]: the meta-data XML that ocf-tester and pcs both accept.
//! - [`ManPage`]: the manual page (section 7, resource-agents' layout) from
//!   the same declarations.
//! - [`Deadline`]: the timeout minus a margin, so the agent answers before
//!   Pacemaker's SIGKILL.
//! - [`init_logging`] and [`exit_reason`]: logging the way the OCF shell
//!   library does (syslog, `HA_LOGFILE`, stderr) through `tracing`.
//! - [`Agent`] and [`run`]: the execution block. meta-data and usage need
//!   nothing; unknown actions are 3; everything else is configured (the
//!   parameters' syntax checked) first, then dispatched; one exit point.
//! - [`cli`]: the command line for people, built with clap from the same
//!   [`ParamSpec`]s: `AGENT monitor --ip 192.0.2.10/24`, `--help`,
//!   `--version`.
//!
//! # The command line
//!
//! [`run`] reads argv through [`cli::parse`]: the action is the first
//! positional word; every parameter has a flag named after it (`_` turned
//! into `-`: `arp_count` is `--arp-count`; `--arp_count` works too) that
//! overrides its `OCF_RESKEY_` variable. Pacemaker and ocf-tester pass
//! only the action, so for them nothing changes. `--help` (actions, every
//! parameter with its short description, default and variable) and
//! `--version` answer 0; a malformed command line answers 2
//! ([`Status::ErrArgs`]) with one exit reason; an unknown action 3.
//! `meta-data` and `usage` as `argv[1]` answer before anything is parsed
//! and never fail.
//!
//! # reload-agent and the OCF version rule
//!
//! A parameter declared [`ParamSpec::reloadable`] can change on a running
//! resource: Pacemaker 2.1 then calls `reload-agent` (list
//! `ActionSpec::new("reload-agent", ..)` among the actions) instead of stop
//! and start; [`run`] dispatches it to [`Agent::reload`] after
//! [`Agent::configure`] (by default it answers what [`Agent::validate`]
//! does).
//!
//! OCF 1.1 added `reload-agent` and `reloadable`, and resource-agents'
//! `ra-api-1.dtd`, which ocf-tester validates against, refuses both. The
//! rule ([`MetaForm::for_env`]): a caller whose `OCF_RA_VERSION_MAJOR` and
//! `OCF_RA_VERSION_MINOR` say 1.1 or later gets the OCF 1.1 meta-data; any
//! other caller (neither set, or an older version) gets the form that is
//! valid against `ra-api-1.dtd`, without those two elements. Checked on
//! Debian 12 with Pacemaker 2.1.5: `crm_resource --show-metadata` and
//! `--force-check` (Pacemaker's services library, which the cluster's
//! executor uses too), `pcs resource describe` and `crm ra info` all run
//! the agent with `OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1`;
//! ocf-tester sets neither. Both forms carry `<version>1.1</version>`, and
//! `reload-agent` is accepted whichever form the caller read.
//!
//! # The rules `run` keeps for every agent
//!
//! - **Every non-zero answer has exactly one exit reason.** An action
//!   returns an [`Outcome`]: an [`Answer`] (0, 7 or 8, the codes that report
//!   a state) or a [`Failure`], which can only be built with a reason that
//!   is not blank ([`Failure::new`]). [`outcome`] turns a status decided
//!   elsewhere into one or the other. Unsupported actions (3), the panic
//!   hook (1, "internal error: ...") and the watchdog all give a reason.
//! - **The deadline is enforced by `run` itself.** Actions should answer by
//!   [`Context::deadline`] (the timeout minus a margin). If one has not
//!   returned halfway between that deadline and the timeout, a watchdog
//!   prints "`<action>` did not finish within its N ms timeout: ..." and
//!   exits 1, before Pacemaker's SIGKILL (which leaves no reason). For
//!   stop, 1 is the right answer: a stop that cannot finish fails, and
//!   Pacemaker fences the node rather than run the resource twice. Only one
//!   of the normal exit, the watchdog and the panic hook answers.
//! - **stop is never refused for malformed parameters.** When
//!   [`Agent::configure`] fails for stop, `run` calls
//!   [`Agent::stop_unconfigured`]: by default 1 with configure's reason (the
//!   agent cannot tell whether the resource still runs; 6 would say nothing
//!   about that). Agents override it to stop what the readable parameters
//!   identify and answer 0 once nothing can run; `examples/dummy.rs` does.
//! - **Logging never blocks an action** (syslog on a non-blocking socket,
//!   the log file written with `O_NONBLOCK`; lines that cannot go out at
//!   once are dropped). See [`init_logging`].
//!
//! ```no_run
//! use ra_api::{Agent, AgentMeta, ActionSpec, Answer, Context, Env, Failure, Outcome, ParamSpec, Params, Status};
//!
//! const STATE: ParamSpec = ParamSpec::string("state").default("/run/demo.state")
//!     .shortdesc("State file").longdesc("The file whose presence means running.");
//! const META: AgentMeta = AgentMeta {
//!     name: "demo", version: "1.0", shortdesc: "Demo", longdesc: "A demo agent.",
//!     params: &[STATE],
//!     actions: &[ActionSpec::new("start", 20), ActionSpec::new("stop", 20),
//!                ActionSpec::new("monitor", 20).interval(10), ActionSpec::new("validate-all", 20),
//!                ActionSpec::new("meta-data", 5)],
//! };
//! struct Demo;
//! impl Agent for Demo {
//!     type Config = String;
//!     fn meta(&self) -> &AgentMeta { &META }
//!     fn configure(&self, ctx: &Context<'_>) -> Result<String, Failure> {
//!         Params::new(ctx.env).string(&STATE)
//!             .map_err(|e| Failure::new(Status::ErrConfigured, e.to_string()))
//!             .map(Option::unwrap_or_default)
//!     }
//!     fn validate(&self, _: &Context<'_>, _: &String) -> Outcome { Ok(Answer::Success) }
//!     fn start(&self, _: &Context<'_>, f: &String) -> Outcome {
//!         std::fs::write(f, b"").map_err(|e| Failure::new(Status::ErrGeneric, e.to_string()))?;
//!         Ok(Answer::Success)
//!     }
//!     fn stop(&self, _: &Context<'_>, f: &String) -> Outcome {
//!         match std::fs::remove_file(f) {
//!             Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
//!                 Err(Failure::new(Status::ErrGeneric, format!("{f}: {e}")))
//!             }
//!             _ => Ok(Answer::Success),
//!         }
//!     }
//!     fn monitor(&self, _: &Context<'_>, f: &String) -> Outcome {
//!         Ok(if std::path::Path::new(f).exists() { Answer::Success } else { Answer::NotRunning })
//!     }
//! }
//! fn main() -> std::process::ExitCode {
//!     ra_api::run(&Demo, Env::from_process(), std::env::args())
//! }
//! ```

// No panics in the agent: a panic exits 101, which Pacemaker reads as a
// generic error with no reason. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(missing_docs)]

mod action;
pub mod cli;
mod deadline;
mod env;
mod log;
mod man;
mod metadata;
mod outcome;
mod param;
mod reason;
mod run;
mod status;
mod watchdog;

pub use action::Action;
pub use deadline::Deadline;
pub use env::{Env, DEFAULT_TIMEOUT};
pub use log::{exit_reason, init_logging, Sinks};
pub use man::{escape as roff_escape, ManPage};
pub use metadata::{ActionSpec, AgentMeta, MetaForm};
pub use outcome::{outcome, Answer, Failure, Outcome};
pub use param::{parse_bool, ContentType, ParamError, ParamSpec, Params};
pub use reason::{exit_reason_line, EXIT_REASON_MAX, EXIT_REASON_PREFIX};
pub use run::{execute, run, usage, Agent, Context, Report};
pub use status::Status;
