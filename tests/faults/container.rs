//! Faults of the container: an id prefix for a name, removed, crash loop,
//! paused, unhealthy, health starting, a restart policy, a monitor_cmd that
//! fails, a PID 1 that ignores SIGTERM.

use agent::{expect, has_addr};
use matrix::{probe, timeout, Rows};
use rig::{inspect, Rig, SERVE, V4};
use std::time::Duration;
use support::{agent, docker, matrix, rig};

pub(super) fn container_is_an_id_prefix() -> Rows {
    let rig = Rig::new("fprefix", &[], SERVE);
    let started = docker::docker(&["start", rig.ctr.name()]);
    assert!(started.status.success(), "docker start");
    let id = inspect(rig.ctr.name(), "{{.Id}}");
    let prefix = id.get(..6).unwrap_or_else(|| panic!("id {id:?}"));
    let call = rig.call(V4).param("container", prefix);
    let mut r = Rows::new(
        "4. `container` is only a prefix of another container's id (no container of that name)",
    )
    .sub(prefix, "<container>");
    r.go(&probe(&call), rig.node(), "monitor", "probe", 7);
    r.go(
        &call,
        rig.node(),
        "stop",
        "stop (the other container keeps running)",
        0,
    );
    assert_eq!(rig.status(), "running", "stop stopped {id}");
    r.go(&call, rig.node(), "start", "start", 5);
    assert_eq!(rig.status(), "running");
    r
}

pub(super) fn container_removed() -> Rows {
    let rig = Rig::new("fgone", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r = Rows::new("4. container removed between start and monitor")
        .sub(rig.ctr.name(), "<container>");
    expect(call.run(rig.node(), "start"), 0);
    docker::docker(&["rm", "-f", rig.ctr.name()]);
    r.go(&call, rig.node(), "monitor", "monitor", 1);
    r.go(&call, rig.node(), "stop", "stop", 0);
    r.go(&probe(&call), rig.node(), "monitor", "probe after stop", 7);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    r
}

pub(super) fn crash_loop() -> Rows {
    let rig = Rig::new(
        "fcrash",
        &["--restart", "always"],
        &["sh", "-c", "sleep 0.2; exit 3"],
    );
    // fix_restart_policy=true would end the loop at the first monitor
    let call = rig
        .call(V4)
        .recurring()
        .param("fix_restart_policy", "false");
    let mut r = Rows::new("5. container crash-looping under restart=always (started by hand)")
        .sub(rig.ctr.name(), "<container>");
    docker::docker(&["start", rig.ctr.name()]);
    let looping = agent::wait_for(Duration::from_secs(20), || {
        inspect(rig.ctr.name(), "{{.State.Restarting}}") == "true"
    });
    assert!(looping, "the container never restarted");
    // restarting is what the engine reports between the runs; catch one
    let (seen, last) = rig.monitor_until(&call, Duration::from_secs(20), |run| {
        run.reason().is_some_and(|x| x.contains("crash loop"))
    });
    assert!(seen, "monitor never saw the crash loop: {last:?}");
    let run = last.unwrap_or_else(|| panic!("no monitor ran"));
    r.keep(&call, "monitor, fix_restart_policy=false", expect(run, 1));
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert_ne!(rig.status(), "running");
    assert_ne!(rig.status(), "restarting");
    r
}

pub(super) fn paused() -> Rows {
    let rig = Rig::new("fpause", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r = Rows::new("5. container paused").sub(rig.ctr.name(), "<container>");
    expect(call.run(rig.node(), "start"), 0);
    docker::docker(&["pause", rig.ctr.name()]);
    r.go(&call, rig.node(), "monitor", "monitor", 1);
    r.go(&call, rig.node(), "stop", "stop", 0);
    assert_eq!(rig.status(), "exited");
    r
}

pub(super) fn unhealthy() -> Rows {
    let rig = Rig::new(
        "fsick",
        &[
            "--health-cmd",
            "echo sick; false",
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
        ],
        SERVE,
    );
    let call = rig.call(V4).recurring();
    let mut r =
        Rows::new("6. container unhealthy (HEALTHCHECK fails)").sub(rig.ctr.name(), "<container>");
    expect(call.run(rig.node(), "start"), 0);
    let (seen, last) = rig.monitor_until(&call, Duration::from_secs(20), |run| run.code != 0);
    assert!(seen, "never unhealthy: {last:?}");
    let run = last.unwrap_or_else(|| panic!("no monitor ran"));
    r.keep(&call, "monitor", expect(run, 1));
    r.go(
        &call.clone().param("check_health", "false"),
        rig.node(),
        "monitor",
        "monitor, check_health=false",
        0,
    );
    r.go(&call, rig.node(), "stop", "stop", 0);
    r
}

pub(super) fn health_starting() -> Rows {
    let rig = Rig::new(
        "fslow",
        &[
            "--health-cmd",
            "false",
            "--health-interval",
            "1s",
            "--health-start-period",
            "120s",
        ],
        SERVE,
    );
    let call = rig.call(V4).recurring();
    let mut r = Rows::new("6. health `starting` through a 120 s start period")
        .sub(rig.ctr.name(), "<container>");
    r.go(
        &timeout(call.clone().param("wait_healthy", "true"), 4000),
        rig.node(),
        "start",
        "start, wait_healthy=true, op timeout 4 s",
        1,
    );
    r.go(&call, rig.node(), "monitor", "monitor", 0);
    r.go(&call, rig.node(), "start", "start, wait_healthy=false", 0);
    r.go(&call, rig.node(), "stop", "stop", 0);
    r
}

pub(super) fn restart_always() -> Rows {
    let rig = Rig::new("falways", &["--restart", "always"], SERVE);
    let call = rig.call(V4).recurring();
    let mut r =
        Rows::new("7. container created with --restart=always").sub(rig.ctr.name(), "<container>");
    let refuse = call.clone().param("fix_restart_policy", "false");
    r.go(
        &refuse,
        rig.node(),
        "start",
        "start, fix_restart_policy=false",
        5,
    );
    assert_eq!(rig.status(), "created", "refused start started it");
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    let policy = || inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}");
    assert_eq!(policy(), "always");
    // a probe on a node where start never ran: reported (log) or fixed
    r.go(
        &probe(&refuse),
        rig.node(),
        "monitor",
        "probe, fix_restart_policy=false (warning logged)",
        7,
    );
    assert_eq!(policy(), "always");
    r.go(
        &probe(&call),
        rig.node(),
        "monitor",
        "probe, fix_restart_policy=true (set to no)",
        7,
    );
    assert_eq!(policy(), "no");
    assert_eq!(rig.status(), "created", "the probe started it");
    let set = docker::docker(&["update", "--restart", "always", rig.ctr.name()]);
    assert!(set.status.success(), "docker update");
    r.go(
        &call,
        rig.node(),
        "start",
        "start, fix_restart_policy=true",
        0,
    );
    assert_eq!(
        inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}"),
        "no"
    );
    expect(call.run(rig.node(), "stop"), 0);
    r
}

pub(super) fn monitor_cmd() -> Rows {
    let rig = Rig::new("fcmd", &[], SERVE);
    let call = rig.call(V4).recurring();
    let mut r = Rows::new("11. monitor_cmd").sub(rig.ctr.name(), "<container>");
    expect(call.run(rig.node(), "start"), 0);
    r.go(
        &timeout(call.clone().param("monitor_cmd", "sleep 600"), 3000),
        rig.node(),
        "monitor",
        "monitor, `sleep 600` (hangs), op timeout 3 s",
        1,
    );
    r.go(
        &call.clone().param("monitor_cmd", "/bin/no-such-check"),
        rig.node(),
        "monitor",
        "monitor, `/bin/no-such-check` (missing)",
        1,
    );
    r.go(
        &call
            .clone()
            .param("monitor_cmd", "sh -c 'echo backend down; exit 3'"),
        rig.node(),
        "monitor",
        "monitor, `sh -c 'echo backend down; exit 3'`",
        1,
    );
    r.go(
        &probe(&call.clone().param("monitor_cmd", "sleep 600")),
        rig.node(),
        "monitor",
        "probe (monitor_cmd not run)",
        0,
    );
    r.go(&call, rig.node(), "stop", "stop", 0);
    r
}

pub(super) fn ignores_sigterm() -> Rows {
    // busybox sleep as PID 1 has no TERM handler: the kernel ignores SIGTERM
    let rig = Rig::new("fterm", &[], &["sleep", "1000"]);
    let call = timeout(rig.call(V4), 6000);
    let mut r = Rows::new("12. PID 1 ignores SIGTERM").sub(rig.ctr.name(), "<container>");
    expect(call.run(rig.node(), "start"), 0);
    r.go(&call, rig.node(), "stop", "stop, op timeout 6 s", 0);
    assert_eq!(inspect(rig.ctr.name(), "{{.State.ExitCode}}"), "137");
    r
}
