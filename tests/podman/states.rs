//! Podman's own container states and settings: stopping, stopped in a crash
//! loop, a health check run by hand, restart policies, monitor_cmd through
//! its exec.

use super::*;

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
