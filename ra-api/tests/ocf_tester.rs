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
    // ocf-tester got the DTD-valid form; a caller that speaks OCF 1.1 gets
    // reload-agent and reloadable
    let meta = Command::new(&bin)
        .arg("meta-data")
        .env("OCF_RA_VERSION_MAJOR", "1")
        .env("OCF_RA_VERSION_MINOR", "1")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    assert!(
        meta.contains("<parameter name=\"delay_ms\" unique=\"0\" required=\"0\" reloadable=\"1\">")
            && meta.contains("<action name=\"reload-agent\""),
        "{meta}"
    );
}
