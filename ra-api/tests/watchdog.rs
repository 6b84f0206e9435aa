//! The execution block seen from outside: the example agent run as
//! Pacemaker runs it, with actions that outlive their timeout and
//! parameters that cannot be read.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Builds the example and returns its path.
fn example() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "ra-api", "--example", "dummy"])
        .status();
    assert!(
        matches!(status, Ok(s) if s.success()),
        "cargo build --example dummy failed"
    );
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/examples/dummy")
}

struct Run {
    code: i32,
    reasons: Vec<String>,
    took: Duration,
}

/// Runs `action` with a timeout of `timeout_ms` and the parameters.
fn run(action: &str, timeout_ms: u32, params: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(example());
    cmd.arg(action)
        .env_clear()
        .env("OCF_RESOURCE_INSTANCE", "wd")
        .env("OCF_RESKEY_CRM_meta_timeout", timeout_ms.to_string())
        .stdin(Stdio::null());
    for (k, v) in params {
        cmd.env(format!("OCF_RESKEY_{k}"), v);
    }
    let t0 = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("run dummy: {e}"));
    let took = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let reasons = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("ocf-exit-reason:"))
        .map(str::to_string)
        .collect();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        reasons,
        took,
    };
    eprintln!("{action} -> {} in {:?}: {:?}", r.code, r.took, r.reasons);
    r
}

fn state(tag: &str) -> (PathBuf, String) {
    let p = std::env::temp_dir().join(format!("ra-api-wd-{}-{tag}.state", std::process::id()));
    let s = p.to_string_lossy().into_owned();
    (p, s)
}

#[test]
fn an_action_that_outlives_its_timeout_answers_1_before_it() {
    let (path, s) = state("slow");
    let _ = std::fs::remove_file(&path);
    for (action, says) in [
        ("start", "start did not finish within its 1000 ms timeout"),
        (
            "monitor",
            "monitor did not finish within its 1000 ms timeout",
        ),
        (
            "stop",
            "stop did not finish within its 1000 ms timeout: the resource may still run",
        ),
    ] {
        let r = run(action, 1000, &[("state", &s), ("delay_ms", "5000")]);
        assert_eq!(r.code, 1, "{action}");
        assert_eq!(r.reasons.len(), 1, "{action}: {:?}", r.reasons);
        assert!(r.reasons[0].starts_with(says), "{:?}", r.reasons);
        assert!(
            r.took >= Duration::from_millis(800) && r.took < Duration::from_millis(1000),
            "{action} answered after {:?}",
            r.took
        );
    }
    assert!(!path.exists(), "the cut-short start wrote its file");
}

#[test]
fn the_watchdog_and_a_late_answer_never_give_two_reasons() {
    let (path, s) = state("race");
    // deadline at 800 ms, watchdog at 900 ms: answers around both
    for delay in [780, 820, 860, 880, 890, 895, 900, 905, 910, 920] {
        let r = run(
            "monitor",
            1000,
            &[("state", &s), ("delay_ms", &delay.to_string())],
        );
        match r.code {
            7 => assert!(r.reasons.is_empty(), "{delay}: {:?}", r.reasons),
            1 => assert_eq!(r.reasons.len(), 1, "{delay}: {:?}", r.reasons),
            c => panic!("{delay}: exit {c}"),
        }
        assert!(
            r.took < Duration::from_millis(1000),
            "{delay}: {:?}",
            r.took
        );
    }
    assert!(!path.exists());
}

#[test]
fn stop_with_malformed_parameters_stops_what_it_can_identify() {
    let (path, s) = state("malformed");
    assert_eq!(run("start", 5000, &[("state", &s)]).code, 0);
    assert!(path.exists());
    // delay_ms is malformed: start refuses with 6, stop still removes the file
    let bad = [("state", s.as_str()), ("delay_ms", "abc")];
    assert_eq!(run("start", 5000, &bad).code, 6);
    let r = run("stop", 5000, &bad);
    assert_eq!((r.code, r.reasons.len()), (0, 0), "{:?}", r.reasons);
    assert!(!path.exists(), "stop left the state file");
    // state itself is malformed: stop cannot tell, and fails with 1, not 6
    let r = run("stop", 5000, &[("state", "relative")]);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons.len(), 1);
    assert!(r.reasons[0].contains("state"), "{:?}", r.reasons);
}
