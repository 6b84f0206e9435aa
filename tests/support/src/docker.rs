//! The real dockerd and the test image, through the docker CLI.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// The image `tests/env/image.sh` imports.
pub const IMAGE: &str = "croit-test/busybox:latest";

/// The engine the tests use (`CROIT_TEST_DOCKER_HOST`, default the standard socket).
pub fn docker_host() -> String {
    std::env::var("CROIT_TEST_DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// Runs the docker CLI against [`docker_host`].
pub fn docker(args: &[&str]) -> Output {
    match Command::new("docker")
        .env("DOCKER_HOST", docker_host())
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("docker CLI not runnable ({e}): install docker.io"),
    }
}

/// Fails the test (never skips it) when the engine or the image is missing.
pub fn require_engine() {
    let v = docker(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        v.status.success(),
        "dockerd not reachable at {}: run tests/env/dockerd.sh start and tests/env/image.sh ({})",
        docker_host(),
        String::from_utf8_lossy(&v.stderr).trim()
    );
    let i = docker(&["image", "inspect", IMAGE]);
    assert!(
        i.status.success(),
        "image {IMAGE} missing: run tests/env/image.sh"
    );
}

/// The name (`<prefix>-<pid>-<n>-<tag>`, unique to this process and test)
/// and the `create` arguments of a test container of [`IMAGE`]: labelled
/// `croit-test=1`, `--network none` unless `extra` names a network.
pub fn create_args(prefix: &str, tag: &str, extra: &[&str], cmd: &[&str]) -> (String, Vec<String>) {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let name = format!("{prefix}-{}-{n}-{tag}", std::process::id());
    let mut args = vec!["create", "--name", &name, "--label", "croit-test=1"];
    if !extra.iter().any(|a| a.starts_with("--network")) {
        args.extend(["--network", "none"]);
    }
    args.extend(extra);
    args.push(IMAGE);
    args.extend(cmd);
    let args = args.into_iter().map(String::from).collect();
    (name, args)
}

/// A container created (not started) for one test; removed on drop.
pub struct TestContainer {
    name: String,
}

impl TestContainer {
    /// `docker create` with a name unique to this process and test.
    pub fn create(tag: &str, extra: &[&str], cmd: &[&str]) -> TestContainer {
        let (name, args) = create_args("croit-test", tag, extra, cmd);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = docker(&args);
        assert!(
            o.status.success(),
            "docker create failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        TestContainer { name }
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestContainer {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.name]);
    }
}
