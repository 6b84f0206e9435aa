//! The test Podman (`tests/env/podman.sh`): its Docker-compatible socket,
//! the podman CLI against it, and containers created for one test.

use std::process::{Command, Output};

/// The image `tests/env/podman.sh start` imports (the same as dockerd's).
pub use crate::docker::IMAGE;

/// The socket the agent is pointed at (`CROIT_TEST_PODMAN_HOST`, default
/// the one `tests/env/podman.sh` starts).
pub fn podman_host() -> String {
    std::env::var("CROIT_TEST_PODMAN_HOST")
        .unwrap_or_else(|_| "unix:///run/croit-podman/podman.sock".into())
}

/// Runs `podman --remote` against [`podman_host`].
pub fn podman(args: &[&str]) -> Output {
    let host = podman_host();
    match Command::new("podman")
        .args(["--remote", "--url", &host])
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("podman CLI not runnable ({e}): install podman"),
    }
}

/// Runs podman and asserts success; returns stdout, trimmed.
#[track_caller]
pub fn podman_ok(args: &[&str]) -> String {
    let o = podman(args);
    assert!(
        o.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Fails the test (never skips it) when the service or the image is missing.
pub fn require_podman() {
    let v = podman(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        v.status.success(),
        "podman service not reachable at {}: run tests/env/podman.sh start ({})",
        podman_host(),
        String::from_utf8_lossy(&v.stderr).trim()
    );
    let i = podman(&["image", "exists", IMAGE]);
    assert!(
        i.status.success(),
        "image {IMAGE} missing in the test podman: run tests/env/podman.sh start"
    );
}

/// `podman inspect -f FMT NAME`, trimmed (empty when it failed).
pub fn inspect(name: &str, fmt: &str) -> String {
    let o = podman(&["inspect", "-f", fmt, name]);
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// What the compatible socket itself answers for `State.Status` (not the
/// podman CLI, which reads the libpod API): through curl.
pub fn compat_status(name: &str) -> String {
    let host = podman_host();
    let sock = host.strip_prefix("unix://").unwrap_or(&host);
    let o = Command::new("curl")
        .args([
            "-s",
            "--unix-socket",
            sock,
            &format!("http://d/v1.41/containers/{name}/json"),
        ])
        .output();
    let body = o
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // "State":{"Status":"..."
    body.split("\"State\":{\"Status\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_string()
}

/// A container created (not started) for one test; removed on drop.
pub struct PodmanContainer {
    name: String,
}

impl PodmanContainer {
    /// `podman create` with a name unique to this process and test, and
    /// `--network none` unless `extra` names a network. The test podman's
    /// configuration supplies runc, cgroupfs and ulimits that fit.
    pub fn create(tag: &str, extra: &[&str], cmd: &[&str]) -> PodmanContainer {
        let (name, args) = crate::docker::create_args("pm-test", tag, extra, cmd);
        podman_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        PodmanContainer { name }
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PodmanContainer {
    fn drop(&mut self) {
        let _ = podman(&["rm", "-f", "-t", "0", &self.name]);
    }
}
