//! ocf-tester against Podman, and a private Podman service that goes away
//! while the container runs under conmon.

use super::*;

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn ocf_tester_passes_against_podman() {
    let rig = Rig::new("pmoct", &[], SERVE);
    // ocf-tester runs meta-data as nobody: a copy nobody can read and run
    let dir = std::env::temp_dir().join(format!("croit-pm-agent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let bin = dir.join("container");
    std::fs::copy(agent::bin(), &bin).unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    for (p, mode) in [(&dir, 0o755), (&bin, 0o755)] {
        let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
    }
    let bin_s = bin.to_string_lossy().into_owned();
    let o = Command::new("ip")
        .args([
            "netns",
            "exec",
            &rig.net.node,
            "ocf-tester",
            "-n",
            "test",
            "-o",
            &format!("ip={V4}"),
            "-o",
            &format!("nic={}", rig.net.node_if),
            "-o",
            &format!("container={}", rig.ctr.name()),
            "-o",
            &format!("docker_host={}", podman_host()),
            "-o",
            "arp_interval=10",
            &bin_s,
        ])
        .output()
        .unwrap_or_else(|e| panic!("ocf-tester not runnable ({e}): install resource-agents"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!("{out}");
    assert!(o.status.success(), "ocf-tester failed:\n{out}");
    assert!(out.contains("passed all tests"), "{out}");
    assert_eq!(rig.status(), "exited", "ocf-tester ends with a stop");
    assert!(!rig.bound());
}

/// A second `podman system service` on the test Podman's storage and
/// configuration, on a socket of its own: this test kills it without
/// touching the service the other tests use.
struct PrivateService {
    sock: String,
    child: Option<std::process::Child>,
}

impl PrivateService {
    fn start(tag: &str) -> PrivateService {
        let sock = format!("/run/croit-podman/{tag}.sock");
        let _ = std::fs::remove_file(&sock);
        let child = Command::new("podman")
            .env("CONTAINERS_CONF", "/run/croit-podman/containers.conf")
            .env("CONTAINERS_STORAGE_CONF", "/run/croit-podman/storage.conf")
            .args(["system", "service", "--time=0", &format!("unix://{sock}")])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("podman system service: {e}"));
        let up = agent::wait_for(Duration::from_secs(30), || {
            Command::new("podman")
                .args(["--remote", "--url", &format!("unix://{sock}"), "version"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        assert!(up, "private podman service on {sock} did not answer");
        PrivateService {
            sock,
            child: Some(child),
        }
    }
    fn host(&self) -> String {
        format!("unix://{}", self.sock)
    }
    /// SIGKILL, and the socket file removed (as systemd's stop does).
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(&self.sock);
    }
}

impl Drop for PrivateService {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Podman's service gone while the container runs on under conmon: the
/// probe says it still runs (1), stop ends it through the kernel and returns
/// 0 with no process of it left, and Podman reports it exited. Alone: any
/// other Podman container running then is one whose name the kernel view
/// cannot read, and the last probe would rightly be 1, not 7.
#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn the_service_gone_while_the_container_runs_under_conmon_is_1_and_stop_ends_it() {
    let rig = Rig::alone("pmgone", &[], SERVE);
    let mut svc = PrivateService::start("pmgone");
    let state = std::env::temp_dir().join(format!("croit-pmgone-{}", std::process::id()));
    let call = rig
        .call()
        .param("docker_host", &svc.host())
        .var("HA_RSCTMP", &state.display().to_string());
    expect(call.run(rig.node(), "start"), 0);
    let id = inspect(rig.ctr.name(), "{{.Id}}");
    let before = procs::live_pids(&id).len();
    assert!(before > 0, "started, but no process of {id} runs");
    svc.kill();
    assert!(
        !procs::live_pids(&id).is_empty(),
        "the container died with the service"
    );
    let run = expect(probe(&call).run(rig.node(), "monitor"), 1);
    run.assert_reason("still runs");
    let run = expect(call.clone().recurring().run(rig.node(), "monitor"), 1);
    run.assert_reason("still runs");
    expect(call.run(rig.node(), "stop"), 0);
    let after = procs::live_pids(&id).len();
    eprintln!("podman service gone: processes {before} -> {after} after stop");
    assert_eq!(after, 0, "stop answered 0 while the container runs");
    assert!(!rig.bound(), "stop left the address");
    expect(probe(&call).run(rig.node(), "monitor"), 7);
    // conmon saw its container exit: Podman says so
    let exited = agent::wait_for(Duration::from_secs(10), || rig.status() == "exited");
    assert!(exited, "podman reports {:?}", rig.status());
    let _ = std::fs::remove_dir_all(&state);
}
