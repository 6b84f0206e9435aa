//! The example agent passes ocf-tester, Debian resource-agents' contract check.

use std::path::PathBuf;
use std::process::Command;

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

#[test]
fn example_agent_passes_ocf_tester() {
    let bin = example();
    let state = std::env::temp_dir().join(format!("ra-api-dummy-{}.state", std::process::id()));
    let out = Command::new("ocf-tester")
        .args(["-n", "dummy", "-o"])
        .arg(format!("state={}", state.display()))
        .arg(&bin)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!("ocf-tester not runnable ({e}): install Debian's resource-agents"),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "ocf-tester failed:\n{text}");
    assert!(text.contains("passed all tests"), "{text}");
    assert!(!state.exists(), "state file left behind");
}
