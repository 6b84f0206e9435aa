//! One case run (in a fresh network namespace, killed when it overstays) and
//! what its outcome must be.

use super::generate::Case;
use croit_container::actions::timing::check_fit;
use croit_container::params::Config;
use ra_api::Env;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::agent;

/// How far past its operation timeout a call may end (process start-up on a
/// loaded machine); the agent itself aims at the timeout minus a margin.
pub(super) const SLACK: Duration = Duration::from_millis(400);
/// A call still running this long after its timeout is killed (and fails).
pub(super) const KILL_AFTER: Duration = Duration::from_secs(2);

pub(super) struct Outcome {
    pub(super) code: i32,
    pub(super) stdout: String,
    pub(super) reasons: Vec<String>,
    pub(super) took: Duration,
    pub(super) timeout: Duration,
}

pub(super) fn run(case: &Case) -> Outcome {
    let timeout = Env::from_pairs(case.vars.clone()).timeout();
    let mut cmd = Command::new("unshare");
    // --kill-child: the agent (PID 1 there) goes when unshare is killed
    cmd.args(["-n", "-p", "-f", "--kill-child", "--mount-proc"])
        .arg(agent::bin());
    if let Some(a) = &case.action {
        cmd.arg(a);
    }
    cmd.args(case.vars.iter().filter_map(|(k, v)| case.flag(k, v)));
    cmd.env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .envs(
            case.vars
                .iter()
                .filter(|(k, v)| case.flag(k, v).is_none())
                .map(|(k, v)| (k, v)),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let t0 = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("unshare: {e} (util-linux)"),
    };
    // drain both pipes while waiting, so a chatty call cannot block
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut o = String::new();
        let mut e = String::new();
        if let Some(s) = out.as_mut() {
            let _ = s.read_to_string(&mut o);
        }
        if let Some(s) = err.as_mut() {
            let _ = s.read_to_string(&mut e);
        }
        (o, e)
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if t0.elapsed() > timeout + KILL_AFTER => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "still running {} ms after its {} ms timeout: killed; {}",
                    KILL_AFTER.as_millis(),
                    timeout.as_millis(),
                    case.describe()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("wait: {e}"),
        }
    };
    let took = t0.elapsed();
    let (stdout, stderr) = reader.join().unwrap_or_default();
    let code = match status.code() {
        Some(c) => c,
        None => panic!(
            "killed by a signal ({status}): {}\n{stderr}",
            case.describe()
        ),
    };
    let reasons = stderr
        .lines()
        .filter(|l| l.contains("ocf-exit-reason:"))
        .map(str::to_string)
        .collect();
    Outcome {
        code,
        stdout,
        reasons,
        took,
        timeout,
    }
}

/// Whether the case's `docker_host` is the regular file or the directory.
pub(super) fn not_a_socket(case: &Case) -> bool {
    case.vars.iter().any(|(k, v)| {
        k == "OCF_RESKEY_docker_host" && (v.ends_with("/regular-file") || v.ends_with("/a-dir"))
    })
}

pub(super) fn check(case: &Case, o: &Outcome) {
    let what = case.describe();
    assert!((0..=7).contains(&o.code), "code {}: {what}", o.code);
    assert!(
        o.took <= o.timeout + SLACK,
        "took {} ms with a {} ms timeout: {what}",
        o.took.as_millis(),
        o.timeout.as_millis()
    );
    if o.code == 0 || o.code == 7 {
        assert!(
            o.reasons.is_empty(),
            "code {} with a reason {:?}: {what}",
            o.code,
            o.reasons
        );
    } else {
        assert_eq!(
            o.reasons.len(),
            1,
            "code {}: {:?}: {what}",
            o.code,
            o.reasons
        );
        let line = &o.reasons[0];
        assert!(line.starts_with("ocf-exit-reason:"), "{line:?}");
        let text = &line["ocf-exit-reason:".len()..];
        assert!(
            !text.trim().is_empty() && text.chars().count() <= 128,
            "{line:?}"
        );
    }
    let action = case.action.as_deref();
    let parsed = Config::from_env(&Env::from_pairs(case.vars.clone()));
    match action {
        Some("meta-data") => {
            assert_eq!(o.code, 0, "{what}");
            assert!(
                o.stdout.contains("<resource-agent name=\"container\""),
                "{what}"
            );
        }
        Some("usage" | "help") => assert_eq!(o.code, 0, "{what}"),
        Some("start" | "monitor" | "validate-all") if parsed.is_err() => {
            assert_eq!(o.code, 6, "{parsed:?}: {what}")
        }
        // with no engine and an empty namespace nothing can be running
        Some("start") => assert!(matches!(o.code, 1 | 5), "start {}: {what}", o.code),
        // a path that holds no socket is this node's mistake: 5, never 7
        Some("monitor") if not_a_socket(case) => {
            assert!(matches!(o.code, 1 | 5), "monitor {}: {what}", o.code)
        }
        Some("monitor") => assert!(matches!(o.code, 1 | 7), "monitor {}: {what}", o.code),
        // rounds that cannot fit the timeouts are 6 (actions/timing.rs)
        Some("validate-all")
            if parsed
                .as_ref()
                .is_ok_and(|c| check_fit(c, o.timeout).is_err()) =>
        {
            assert_eq!(o.code, 6, "{what}")
        }
        Some("validate-all") => assert!(matches!(o.code, 0 | 1 | 5), "{}: {what}", o.code),
        Some("stop") => assert!(matches!(o.code, 0 | 1), "stop {}: {what}", o.code),
        // reload-agent checks the values and changes nothing on the node
        // (rounds that do not fit the meta-data's timeouts are only a
        // warning there: issue 21 item 6)
        Some("reload-agent") if parsed.is_err() => assert_eq!(o.code, 6, "{parsed:?}: {what}"),
        Some("reload-agent") => assert_eq!(o.code, 0, "{what}"),
        // the command line's own answers (ra_api::cli)
        Some("-h" | "--help" | "--version") => {
            assert_eq!(o.code, 0, "{what}");
            assert!(o.stdout.contains("container "), "{what}: {}", o.stdout);
        }
        Some("--bogus") => assert_eq!(o.code, 2, "{what}"),
        // other words that look like options: an option (help, version:
        // 0), a malformed command line (2), or no action at all (`--`: 3)
        Some(a) if a.starts_with('-') && a != "-" => {
            assert!(matches!(o.code, 0 | 2 | 3), "{a:?} {}: {what}", o.code)
        }
        _ => assert_eq!(o.code, 3, "unsupported action: {what}"),
    }
}
