//! The environment snapshot and what the execution block derives from it:
//! the first line is argv[1] (the action), every further line that starts
//! with `-` one more argv word (a flag), every other `NAME=value` line a
//! variable. Checks the action name, timeout, interval and probe, check
//! level, instance, the deadline and the log sinks, then runs `ra_api::execute`
//! with the agent's meta-data and parameter parsing but no node I/O.
//! Must never panic; codes stay in 0..=7 and a reason comes with failures only.
#![no_main]

use std::time::Duration;

use croit_container::agent::META;
use croit_container::params::Config;
use libfuzzer_sys::fuzz_target;
use ra_api::{
    execute, Action, Agent, AgentMeta, Answer, Context, Deadline, Env, Failure, Outcome, Sinks,
    Status, DEFAULT_TIMEOUT,
};

/// The agent's meta-data and parsing; actions answer from the deadline alone.
struct NoIo;

impl Agent for NoIo {
    type Config = Config;
    fn meta(&self) -> &AgentMeta {
        &META
    }
    fn configure(&self, ctx: &Context<'_>) -> Result<Config, Failure> {
        Config::from_env(ctx.env).map_err(|e| croit_container::error::Error::Param(e).into())
    }
    fn validate(&self, ctx: &Context<'_>, _: &Config) -> Outcome {
        assert!(ctx.deadline.budget() <= ctx.env.timeout());
        Ok(Answer::Success)
    }
    fn start(&self, ctx: &Context<'_>, _: &Config) -> Outcome {
        if ctx.deadline.expired() {
            return Err(Failure::new(Status::ErrGeneric, "start timed out"));
        }
        Ok(Answer::Success)
    }
    fn stop(&self, _: &Context<'_>, _: &Config) -> Outcome {
        Ok(Answer::Success)
    }
    fn monitor(&self, ctx: &Context<'_>, _: &Config) -> Outcome {
        Ok(if ctx.is_probe() {
            Answer::NotRunning
        } else {
            Answer::Success
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let arg = lines.next().filter(|a| !a.is_empty()).map(str::to_string);
    let rest: Vec<&str> = lines.collect();
    let env = Env::from_pairs(
        rest.iter()
            .filter(|l| !l.starts_with('-'))
            .filter_map(|l| l.split_once('=')),
    );
    let words: Vec<String> = rest
        .iter()
        .filter(|l| l.starts_with('-'))
        .map(|l| l.to_string())
        .collect();

    let action = Action::parse(arg.as_deref());
    if !matches!(action, Action::Other(_) | Action::Missing) {
        assert_eq!(Action::parse(Some(action.as_str())), action);
    }
    let timeout = env.timeout();
    assert!(timeout > Duration::ZERO);
    if env.var("OCF_RESKEY_CRM_meta_timeout").is_none() {
        assert_eq!(timeout, DEFAULT_TIMEOUT);
    }
    if let Some(i) = env.interval() {
        assert!(i > Duration::ZERO);
        assert!(!env.is_probe(&action));
    }
    assert_eq!(
        env.is_probe(&action),
        action == Action::Monitor && env.interval().is_none()
    );
    let _ = env.check_level();
    if let Some(i) = env.instance() {
        assert!(!i.is_empty());
    }
    let deadline = Deadline::new(timeout);
    assert!(deadline.budget() <= timeout);
    assert!(deadline.budget() >= timeout / 2);
    let sinks = Sinks::from_env(&env, "container");
    assert_eq!(
        sinks.stderr,
        sinks.facility.is_none() && sinks.logfile.is_none()
    );

    // execute() logs where the environment says: keep it off the file system
    // and syslog, and keep node checks (check level) out: no I/O here
    let safe = Env::from_pairs(
        rest.iter()
            .filter(|l| !l.starts_with('-'))
            .filter_map(|l| l.split_once('='))
            .filter(|(k, _)| !k.starts_with("HA_") && *k != "OCF_CHECK_LEVEL"),
    );
    let mut args = vec!["container".to_string()];
    let looks_like_an_option = arg.as_deref().is_some_and(|a| a.starts_with('-'));
    args.extend(arg);
    args.extend(words.iter().cloned());
    let report = execute(&NoIo, &safe, &args);
    let code = report.status.code();
    assert!(code <= 7, "{report:?}");
    if let Some(r) = &report.reason {
        assert!(
            !matches!(report.status, Status::Success | Status::NotRunning),
            "{report:?}"
        );
        assert!(!r.is_empty());
    }
    if report.status == Status::ErrArgs {
        // a malformed command line: only with words that look like options
        assert!(looks_like_an_option || !words.is_empty(), "{report:?}");
        return;
    }
    match action {
        Action::MetaData => assert!(report.stdout.starts_with("<?xml")),
        Action::Usage => assert!(report.stdout.starts_with("usage: container")),
        // --help or --version anywhere answers 0; flags change the values
        // (then the action is not argv[1] either): only the rules above hold
        _ if looks_like_an_option || !words.is_empty() => {}
        Action::Start
        | Action::Stop
        | Action::Monitor
        | Action::ValidateAll
        | Action::ReloadAgent => {
            assert!(matches!(code, 0 | 1 | 6 | 7), "{report:?}")
        }
        _ => assert_eq!(report.status, Status::ErrUnimplemented, "{report:?}"),
    }
});
