use std::cell::RefCell;

use super::*;
use crate::metadata::ActionSpec;
use crate::outcome::Answer;

const META: AgentMeta = AgentMeta {
    name: "t",
    version: "0",
    shortdesc: "s",
    longdesc: "l",
    params: &[],
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("stop", 20),
        ActionSpec::new("monitor", 20),
        ActionSpec::new("validate-all", 20),
        ActionSpec::new("notify", 20),
        ActionSpec::new("reload-agent", 20),
        ActionSpec::new("meta-data", 5),
    ],
};

/// Records what was called; `configure` fails when OCF_RESKEY_bad is set.
#[derive(Default)]
struct Probe {
    calls: RefCell<Vec<String>>,
}

impl Agent for Probe {
    type Config = ();
    fn meta(&self) -> &AgentMeta {
        &META
    }
    fn configure(&self, ctx: &Context<'_>) -> Result<(), Failure> {
        self.calls.borrow_mut().push("configure".into());
        match ctx.env.param("bad") {
            Some(v) => Err(Failure::new(Status::ErrConfigured, format!("bad={v}"))),
            None => Ok(()),
        }
    }
    fn validate(&self, _: &Context<'_>, _: &()) -> Outcome {
        self.calls.borrow_mut().push("validate".into());
        Ok(Answer::Success)
    }
    fn start(&self, _: &Context<'_>, _: &()) -> Outcome {
        self.calls.borrow_mut().push("start".into());
        Err(Failure::new(Status::ErrInstalled, "nic missing"))
    }
    fn stop(&self, _: &Context<'_>, _: &()) -> Outcome {
        self.calls.borrow_mut().push("stop".into());
        Ok(Answer::Success)
    }
    fn monitor(&self, ctx: &Context<'_>, _: &()) -> Outcome {
        self.calls
            .borrow_mut()
            .push(format!("monitor probe={}", ctx.is_probe()));
        Ok(Answer::NotRunning)
    }
}

fn call(action: Option<&str>, env: &[(&str, &str)]) -> (Report, Vec<String>) {
    let agent = Probe::default();
    let mut args = vec!["agent".to_string()];
    args.extend(action.map(str::to_string));
    args.push("ignored-extra".into());
    let env = Env::from_pairs(env.iter().copied());
    let r = execute(&agent, &env, &args[..if action.is_some() { 3 } else { 1 }]);
    let calls = agent.calls.take();
    (r, calls)
}

#[test]
fn meta_data_and_usage_need_nothing() {
    let (r, calls) = call(Some("meta-data"), &[("OCF_RESKEY_bad", "x")]);
    assert_eq!(r.status, Status::Success);
    assert!(r.stdout.starts_with("<?xml"));
    assert!(calls.is_empty(), "{calls:?}");
    let (r, calls) = call(Some("help"), &[]);
    assert_eq!(
        (r.status, r.stdout.as_str()),
        (
            Status::Success,
            "usage: t {start|stop|monitor|validate-all|notify|reload-agent|meta-data}\n"
        )
    );
    assert!(calls.is_empty());
}

#[test]
fn unknown_missing_and_unlisted_actions_are_3() {
    for a in [
        Some("promote"),
        Some("demote"),
        Some("migrate_to"),
        Some("bogus"),
        None,
    ] {
        let (r, calls) = call(a, &[]);
        assert_eq!(r.status, Status::ErrUnimplemented, "{a:?}");
        assert!(r.stderr.starts_with("usage:"));
        let want = match a {
            Some(name) => format!("action {name:?} is not supported"),
            None => "no action given".into(),
        };
        assert_eq!(r.reason, Some(want));
        assert!(calls.is_empty(), "{a:?}: {calls:?}");
    }
}

#[test]
fn configure_runs_first_and_its_failure_ends_the_call() {
    for action in ["start", "monitor", "validate-all", "notify"] {
        let (r, calls) = call(Some(action), &[("OCF_RESKEY_bad", "1")]);
        assert_eq!(r.status, Status::ErrConfigured, "{action}");
        assert_eq!(r.reason.as_deref(), Some("bad=1"));
        assert_eq!(calls, ["configure"]);
    }
}

#[test]
fn stop_with_malformed_parameters_is_1_not_6_by_default() {
    let (r, calls) = call(Some("stop"), &[("OCF_RESKEY_bad", "1")]);
    assert_eq!(r.status, Status::ErrGeneric);
    assert_eq!(r.reason.as_deref(), Some("cannot tell what to stop: bad=1"));
    assert_eq!(calls, ["configure"]);
}

/// Configure always fails; stop still finds what it needs.
struct Knows;

impl Agent for Knows {
    type Config = ();
    fn meta(&self) -> &AgentMeta {
        &META
    }
    fn configure(&self, _: &Context<'_>) -> Result<(), Failure> {
        Err(Failure::new(Status::ErrConfigured, "x is malformed"))
    }
    fn validate(&self, _: &Context<'_>, _: &()) -> Outcome {
        Ok(Answer::Success)
    }
    fn start(&self, _: &Context<'_>, _: &()) -> Outcome {
        Ok(Answer::Success)
    }
    fn stop(&self, _: &Context<'_>, _: &()) -> Outcome {
        Err(Failure::new(Status::ErrGeneric, "unreachable"))
    }
    fn monitor(&self, _: &Context<'_>, _: &()) -> Outcome {
        Ok(Answer::NotRunning)
    }
    fn stop_unconfigured(&self, ctx: &Context<'_>, failure: Failure) -> Outcome {
        assert_eq!(failure.reason(), "x is malformed");
        match ctx.env.param("still_there") {
            Some(_) => Err(Failure::new(Status::ErrGeneric, "y still runs")),
            None => Ok(Answer::Success),
        }
    }
}

#[test]
fn an_agent_that_can_stop_unconfigured_decides_itself() {
    let run = |pairs: &[(&str, &str)]| {
        execute(
            &Knows,
            &Env::from_pairs(pairs.iter().copied()),
            &["a".to_string(), "stop".to_string()],
        )
    };
    let r = run(&[]);
    assert_eq!((r.status, r.reason), (Status::Success, None));
    let r = run(&[("OCF_RESKEY_still_there", "1")]);
    assert_eq!(
        (r.status, r.reason.as_deref()),
        (Status::ErrGeneric, Some("y still runs"))
    );
    // start is still refused by configure
    let r = execute(
        &Knows,
        &Env::default(),
        &["a".to_string(), "start".to_string()],
    );
    assert_eq!(r.status, Status::ErrConfigured);
}

#[test]
fn every_non_0_7_8_report_carries_a_reason() {
    let env: &[(&str, &str)] = &[("OCF_RESKEY_bad", "1")];
    for action in [
        None,
        Some("start"),
        Some("stop"),
        Some("monitor"),
        Some("validate-all"),
        Some("notify"),
        Some("promote"),
        Some("meta-data"),
        Some("usage"),
    ] {
        for env in [env, &[]] {
            let (r, _) = call(action, env);
            let silent = matches!(r.status.code(), 0 | 7 | 8);
            assert_eq!(r.reason.is_none(), silent, "{action:?}: {r:?}");
            assert!(r.reason.is_none_or(|t| !t.trim().is_empty()));
        }
    }
}

#[test]
fn dispatch_maps_outcomes_to_status_and_reason() {
    let (r, calls) = call(Some("start"), &[]);
    assert_eq!(
        (r.status, r.reason.as_deref()),
        (Status::ErrInstalled, Some("nic missing"))
    );
    assert_eq!(calls, ["configure", "start"]);
    let (r, _) = call(Some("stop"), &[]);
    assert_eq!((r.status, r.reason), (Status::Success, None));
    let (r, calls) = call(Some("monitor"), &[("OCF_RESKEY_CRM_meta_interval", "0")]);
    assert_eq!(r.status, Status::NotRunning);
    assert_eq!(calls[1], "monitor probe=true");
    let (_, calls) = call(Some("monitor"), &[("OCF_RESKEY_CRM_meta_interval", "5000")]);
    assert_eq!(calls[1], "monitor probe=false");
    let (r, calls) = call(Some("validate-all"), &[]);
    assert_eq!(r.status, Status::Success);
    assert_eq!(calls, ["configure", "validate"]);
    // listed but not implemented by the agent: the default `other` says 3
    let (r, _) = call(Some("notify"), &[]);
    assert_eq!(r.status, Status::ErrUnimplemented);
    assert_eq!(
        r.reason.as_deref(),
        Some("action \"notify\" is not supported")
    );
}

#[test]
fn reload_agent_is_configured_then_validated_by_default() {
    let (r, calls) = call(Some("reload-agent"), &[]);
    assert_eq!((r.status, r.reason), (Status::Success, None));
    assert_eq!(calls, ["configure", "validate"]);
    let (r, calls) = call(Some("reload-agent"), &[("OCF_RESKEY_bad", "1")]);
    assert_eq!(
        (r.status, r.reason.as_deref()),
        (Status::ErrConfigured, Some("bad=1"))
    );
    assert_eq!(calls, ["configure"]);
}

#[test]
fn the_command_line_answers_with_ocf_codes() {
    let run = |words: &[&str], env: &[(&str, &str)]| {
        let agent = Probe::default();
        let args: Vec<String> = std::iter::once("t")
            .chain(words.iter().copied())
            .map(String::from)
            .collect();
        let r = execute(&agent, &Env::from_pairs(env.iter().copied()), &args);
        (r, agent.calls.take())
    };
    let (r, calls) = run(&["--help"], &[]);
    assert_eq!((r.status, r.reason.is_none()), (Status::Success, true));
    assert!(r.stdout.contains("reload-agent"), "{}", r.stdout);
    assert!(calls.is_empty());
    let (r, _) = run(&["--version"], &[]);
    assert_eq!((r.status, r.stdout.as_str()), (Status::Success, "t 0\n"));
    let (r, calls) = run(&["monitor", "--nope"], &[]);
    assert_eq!(r.status, Status::ErrArgs);
    assert_eq!(
        r.reason.as_deref(),
        Some("unexpected argument '--nope' found; see t --help")
    );
    assert!(calls.is_empty());
    // an unknown action is still 3, also with flags around it
    let (r, _) = run(&["--help-me"], &[]);
    assert_eq!(r.status, Status::ErrArgs);
    let (r, _) = run(&["status", "ignored"], &[]);
    assert_eq!(
        (r.status, r.reason.as_deref()),
        (
            Status::ErrUnimplemented,
            Some("action \"status\" is not supported")
        )
    );
    // meta-data and usage never fail, whatever follows
    for words in [&["meta-data", "--nope"][..], &["usage", "--nope", "x"]] {
        let (r, calls) = run(words, &[("OCF_RESKEY_bad", "1")]);
        assert_eq!((r.status, r.reason), (Status::Success, None), "{words:?}");
        assert!(calls.is_empty());
    }
}

#[test]
fn meta_data_speaks_the_callers_ocf_version() {
    let (r, _) = call(Some("meta-data"), &[]);
    assert!(!r.stdout.contains("reload-agent"), "{}", r.stdout);
    let (r, _) = call(
        Some("meta-data"),
        &[("OCF_RA_VERSION_MAJOR", "1"), ("OCF_RA_VERSION_MINOR", "1")],
    );
    assert!(
        r.stdout.contains("<action name=\"reload-agent\""),
        "{}",
        r.stdout
    );
    let (r, _) = call(
        Some("meta-data"),
        &[("OCF_RA_VERSION_MAJOR", "1"), ("OCF_RA_VERSION_MINOR", "0")],
    );
    assert!(!r.stdout.contains("reload-agent"));
}
