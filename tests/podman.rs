//! The agent against a real Podman through its Docker-compatible socket
//! (Debian 12's podman 4.3.1, started by `tests/env/podman.sh`, runc,
//! cgroupfs, no systemd), with real network namespaces: the lifecycle, the
//! 304 answers, Podman's own state words, health, the restart policy,
//! `monitor_cmd` through exec, and ocf-tester.
//!
//! Needs root, network namespaces and the test podman with its image
//! (`tests/run.sh` provides them); `#[ignore]`d for the quick unprivileged loop.

use support::{agent, matrix, netns, podman, procs};

use std::process::Command;
use std::time::Duration;

use agent::{expect, has_addr, Call};
use matrix::probe;
use netns::NetnsPair;
use podman::{inspect, podman, podman_host, podman_ok, PodmanContainer};

const V4: &str = "192.0.2.10/24";
/// Exits 0 on SIGTERM (busybox sh as PID 1 ignores TERM unless trapped).
const SERVE: &[&str] = &[
    "sh",
    "-c",
    "trap 'exit 0' TERM; while :; do sleep 0.1; done",
];

struct Rig {
    net: NetnsPair,
    ctr: PodmanContainer,
}

impl Rig {
    fn new(tag: &str, extra: &[&str], cmd: &[&str]) -> Rig {
        podman::require_podman();
        Rig {
            net: NetnsPair::new(tag),
            ctr: PodmanContainer::create(tag, extra, cmd),
        }
    }
    fn call(&self) -> Call {
        Call::new(&[
            ("ip", V4),
            ("nic", &self.net.node_if),
            ("container", self.ctr.name()),
            ("docker_host", &podman_host()),
            ("arp_interval", "20"),
        ])
    }
    fn node(&self) -> Option<&str> {
        Some(self.net.node.as_str())
    }
    fn bound(&self) -> bool {
        has_addr(&self.net.node, &self.net.node_if, V4)
    }
    fn status(&self) -> String {
        inspect(self.ctr.name(), "{{.State.Status}}")
    }
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn lifecycle_through_podmans_socket_with_its_304_answers() {
    let rig = Rig::new("pmlife", &[], SERVE);
    let call = rig.call();
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "start"), 0);
    assert!(rig.bound(), "start did not bind {V4}");
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "monitor"), 0);
    // running already: the agent does not start it again; the engine's own
    // 304 is covered by the engine-level test below
    expect(call.run(rig.node(), "start"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!rig.bound(), "stop left {V4} bound");
    assert_eq!(rig.status(), "exited");
    assert_eq!(inspect(rig.ctr.name(), "{{.State.ExitCode}}"), "0");
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
    // and back: a stopped Podman container starts again
    expect(call.run(rig.node(), "start"), 0);
    assert_eq!(rig.status(), "running");
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn container_in_the_node_network_serves_the_address_to_the_peer() {
    // the node's network namespace is the container's "host network"
    podman::require_podman();
    let net = NetnsPair::new("pmserve");
    let ctr = PodmanContainer::create(
        "pmserve",
        &["--network", &format!("ns:/run/netns/{}", net.node)],
        &[
            "sh",
            "-c",
            "echo pm-served > /www/index.html; httpd -p 8080 -h /www; \
             trap 'exit 0' TERM; while :; do sleep 0.1; done",
        ],
    );
    agent::ip(&[
        "-n",
        &net.peer,
        "addr",
        "add",
        "192.0.2.2/24",
        "dev",
        &net.peer_if,
    ]);
    let call = Call::new(&[
        ("ip", V4),
        ("nic", &net.node_if),
        ("container", ctr.name()),
        ("docker_host", &podman_host()),
        ("arp_interval", "20"),
    ]);
    let node = Some(net.node.as_str());
    let get = || {
        Command::new("ip")
            .args(["netns", "exec", &net.peer, "curl", "-s", "--max-time", "2"])
            .arg("http://192.0.2.10:8080/")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    expect(call.run(node, "start"), 0);
    let served = agent::wait_for(Duration::from_secs(5), || get() == "pm-served");
    assert!(served, "the peer got no answer from {V4}: {:?}", get());
    expect(call.clone().recurring().run(node, "monitor"), 0);
    expect(call.run(node, "stop"), 0);
    assert_eq!(get(), "", "still served after stop");
    expect(call.run(node, "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn engine_start_and_stop_twice_take_podmans_304_as_success() {
    use croit_container::engine::{ContainerStatus, Docker, Engine};
    podman::require_podman();
    let ctr = PodmanContainer::create("pmnoop", &[], SERVE);
    let name = ctr.name().to_string();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let engine = Docker::connect(&podman_host(), deadline).unwrap_or_else(|e| panic!("{e}"));
        let st = engine
            .inspect(&name)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let st = st.unwrap_or_else(|| panic!("{name} not found"));
        assert_eq!(st.status, ContainerStatus::Created);
        assert_eq!(
            st.restart_policy,
            croit_container::engine::RestartPolicy::No,
            "Podman's empty policy name"
        );
        engine.start(&name).await.unwrap_or_else(|e| panic!("{e}"));
        engine
            .start(&name)
            .await
            .unwrap_or_else(|e| panic!("second start (304): {e}"));
        engine
            .stop(&name, 2)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        engine
            .stop(&name, 2)
            .await
            .unwrap_or_else(|e| panic!("second stop (304): {e}"));
        let gone = engine
            .inspect("pm-test-no-such-container")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(gone.is_none(), "Podman's 404 is an absent container");
    });
    assert_eq!(inspect(&name, "{{.State.Status}}"), "exited");
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn killed_and_paused_containers_are_1_and_stop_cleans_up() {
    let rig = Rig::new("pmkill", &[], SERVE);
    let call = rig.call();
    expect(call.run(rig.node(), "start"), 0);
    podman_ok(&["kill", rig.ctr.name()]);
    let run = expect(call.clone().recurring().run(rig.node(), "monitor"), 1);
    run.assert_reason("partial");
    expect(call.run(rig.node(), "stop"), 0);
    assert!(!rig.bound());
    expect(call.run(rig.node(), "monitor"), 7);
    // paused: 1; stop unpauses so that the container can act on SIGTERM
    expect(call.run(rig.node(), "start"), 0);
    podman_ok(&["pause", rig.ctr.name()]);
    assert_eq!(podman::compat_status(rig.ctr.name()), "paused");
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("paused");
    expect(call.run(rig.node(), "stop"), 0);
    assert_eq!(rig.status(), "exited");
    assert_eq!(inspect(rig.ctr.name(), "{{.State.ExitCode}}"), "0");
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn podmans_stopping_state_is_1_never_7() {
    // busybox sleep as PID 1 ignores SIGTERM: `podman stop -t 4` keeps it in
    // Podman's `stopping` (with State.Running false) for 4 s
    let rig = Rig::new("pmstopping", &[], &["sleep", "1000"]);
    let call = rig.call();
    expect(call.run(rig.node(), "start"), 0);
    let host = podman_host();
    let mut stopper = Command::new("podman")
        .args([
            "--remote",
            "--url",
            &host,
            "stop",
            "-t",
            "4",
            rig.ctr.name(),
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("podman stop: {e}"));
    let seen = agent::wait_for(Duration::from_secs(3), || {
        podman::compat_status(rig.ctr.name()) == "stopping"
    });
    assert!(seen, "never saw Podman's stopping state");
    let run = expect(call.run(rig.node(), "monitor"), 1);
    run.assert_reason("is stopping");
    // stop during Podman's own stop: waits for it, then 0
    expect(
        call.clone()
            .var("OCF_RESKEY_CRM_meta_timeout", "15000")
            .run(rig.node(), "stop"),
        0,
    );
    let _ = stopper.wait();
    assert!(!rig.bound());
    assert_eq!(inspect(rig.ctr.name(), "{{.State.ExitCode}}"), "137");
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn podmans_stopped_state_in_a_crash_loop_is_read_and_never_7() {
    // Podman restarts at once and never sets State.Restarting: between two
    // runs the compatible socket says `stopped`, a word bollard refuses
    // (with an immediate exit about three answers in four).
    let rig = Rig::new("pmloop", &["--restart", "always"], &["sh", "-c", "exit 1"]);
    podman_ok(&["start", rig.ctr.name()]);
    let call = rig.call();
    let mut words = std::collections::BTreeMap::<String, u32>::new();
    let mut codes = std::collections::BTreeMap::<i32, u32>::new();
    let mut restarting = 0;
    let t0 = std::time::Instant::now();
    while t0.elapsed() < Duration::from_secs(20) && (restarting == 0 || words.len() < 2) {
        *words
            .entry(podman::compat_status(rig.ctr.name()))
            .or_default() += 1;
        let run = call.run(rig.node(), "monitor");
        *codes.entry(run.code).or_default() += 1;
        let reason = run.reason().unwrap_or("").to_string();
        assert!(
            !reason.contains("inspect"),
            "Podman's answer was not readable: {reason}"
        );
        assert_ne!(run.code, 7, "a crash-looping container reported stopped");
        if reason.contains("restarting") {
            restarting += 1;
        }
    }
    eprintln!("compatible socket said {words:?}; monitor answered {codes:?}");
    assert!(
        words.contains_key("stopped"),
        "Podman never said stopped: {words:?}"
    );
    assert!(
        restarting > 0,
        "`stopped` under a restart policy never read as restarting: {codes:?}"
    );
    // the agent's stop ends the loop (Podman does not restart a container
    // stopped through the API)
    expect(call.run(rig.node(), "stop"), 0);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(rig.status(), "exited");
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn health_check_run_by_hand_drives_monitor() {
    let health = [
        "--health-cmd",
        "sh -c 'echo sick-output; test -f /tmp/healthy'",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
    ];
    let rig = Rig::new("pmhealth", &health, SERVE);
    let call = rig.call();
    // created: Podman sends Health with an empty status
    expect(call.run(rig.node(), "monitor"), 7);
    // no systemd, no timer, no verdict: wait_healthy waits until the deadline
    let run = expect(
        call.clone()
            .param("wait_healthy", "true")
            .var("OCF_RESKEY_CRM_meta_timeout", "3000")
            .run(rig.node(), "start"),
        1,
    );
    run.assert_reason("not healthy yet");
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "start"), 0);
    // Podman's checks are run by systemd timers; there is no systemd here,
    // so the verdict stays `starting`, which passes
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        inspect(rig.ctr.name(), "{{.State.Health.Status}}"),
        "starting"
    );
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    // run by hand (what the systemd timer would do): failing
    let o = podman(&["healthcheck", "run", rig.ctr.name()]);
    assert!(!o.status.success(), "the check should fail");
    let run = expect(call.clone().recurring().run(rig.node(), "monitor"), 1);
    run.assert_reason("unhealthy: sick-output");
    expect(
        call.clone()
            .param("check_health", "false")
            .run(rig.node(), "monitor"),
        0,
    );
    // passing
    podman_ok(&["exec", rig.ctr.name(), "touch", "/tmp/healthy"]);
    podman_ok(&["healthcheck", "run", rig.ctr.name()]);
    assert_eq!(
        inspect(rig.ctr.name(), "{{.State.Health.Status}}"),
        "healthy"
    );
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "stop"), 0);
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn restart_policy_cannot_be_changed_through_podman_4_so_start_refuses_with_5() {
    let rig = Rig::new("pmpolicy", &["--restart", "always"], SERVE);
    assert_eq!(
        inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}"),
        "always"
    );
    let refuse = rig.call().param("fix_restart_policy", "false");
    let run = expect(refuse.run(rig.node(), "start"), 5);
    run.assert_reason("has restart policy always: set it to no");
    // fix_restart_policy=true: Podman 4.3 answers 404 to Docker's container
    // update, so the policy cannot be switched; start refuses, changes nothing
    let run = expect(rig.call().run(rig.node(), "start"), 5);
    run.assert_reason("which this engine cannot change: recreate it with --restart=no");
    assert!(!rig.bound(), "side effect of a refused start");
    assert_eq!(rig.status(), "created");
    assert_eq!(
        inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}"),
        "always"
    );
    // validate-all at depth 10 does not try to change anything: it passes
    // with the default fix_restart_policy=true
    expect(
        rig.call()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        0,
    );
    expect(rig.call().run(rig.node(), "stop"), 0);
    expect(rig.call().run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn restart_policy_no_given_explicitly_is_fine() {
    let rig = Rig::new("pmpolno", &["--restart", "no"], SERVE);
    assert_eq!(
        inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}"),
        "no"
    );
    let call = rig.call().param("fix_restart_policy", "false");
    expect(call.run(rig.node(), "start"), 0);
    expect(call.run(rig.node(), "stop"), 0);
}

#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn monitor_cmd_runs_through_podmans_exec() {
    let rig = Rig::new("pmexec", &[], SERVE);
    let call = rig
        .call()
        .param("monitor_cmd", "sh -c 'echo probe-output; test -f /tmp/ok'");
    podman_ok(&["start", rig.ctr.name()]);
    podman_ok(&["exec", rig.ctr.name(), "touch", "/tmp/ok"]);
    expect(call.run(rig.node(), "start"), 0);
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    podman_ok(&["exec", rig.ctr.name(), "rm", "/tmp/ok"]);
    let run = expect(call.clone().recurring().run(rig.node(), "monitor"), 1);
    run.assert_reason("monitor_cmd exited 1: probe-output");
    // a probe does not run it
    expect(call.run(rig.node(), "monitor"), 0);
    // a missing program: Podman says 127 (Docker 126)
    let missing = call.clone().param("monitor_cmd", "/bin/no-such-check");
    let run = expect(missing.recurring().run(rig.node(), "monitor"), 1);
    run.assert_reason("monitor_cmd exited 127");
    expect(call.run(rig.node(), "stop"), 0);
}

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
/// 0 with no process of it left, and Podman reports it exited.
#[test]
#[ignore = "needs root, namespaces and the test podman: run with --include-ignored"]
fn the_service_gone_while_the_container_runs_under_conmon_is_1_and_stop_ends_it() {
    let rig = Rig::new("pmgone", &[], SERVE);
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
