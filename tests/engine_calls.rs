//! Which container the agent acts on and what it leaves in it, against the
//! real shared dockerd: a name that is only an id prefix of another
//! container, a restart policy found on a node where start never ran, engine
//! socket paths that cannot be examined, and `monitor_cmd` execs that outlive
//! their monitor.
//!
//! Needs root, namespaces and dockerd; `#[ignore]`d for the quick
//! unprivileged loop.

use support::{agent, docker, netns, rig};

use std::time::Duration;

use agent::{expect, has_addr};
use rig::{inspect, Rig, SERVE, V4};

/// The full ids of every container on the shared engine.
fn all_ids() -> Vec<String> {
    let out = docker::docker(&["ps", "-aq", "--no-trunc"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The commands of the container's processes (`docker top`, host view).
fn processes(name: &str) -> Vec<String> {
    let out = docker::docker(&["top", name, "-o", "pid,args"]);
    assert!(
        out.status.success(),
        "docker top {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn an_id_prefix_of_another_container_is_no_container() {
    let rig = Rig::new("prefix", &[], SERVE);
    let o = docker::docker(&["start", rig.ctr.name()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let id = inspect(rig.ctr.name(), "{{.Id}}");
    assert_eq!(id.len(), 64, "{id}");
    let prefix = &id[..6];
    // the engine resolves `prefix` to this container and nothing else
    let sharing = all_ids()
        .into_iter()
        .filter(|i| i.starts_with(prefix))
        .count();
    assert_eq!(sharing, 1, "another container's id starts with {prefix}");
    let named = docker::docker(&["ps", "-aq", "--filter", &format!("name=^/{prefix}$")]);
    assert!(
        String::from_utf8_lossy(&named.stdout).trim().is_empty(),
        "a container is named {prefix}"
    );
    // its main process (pid and command line), which stop must not touch
    let main = || {
        processes(rig.ctr.name())
            .into_iter()
            .filter(|p| p.contains("while :"))
            .collect::<Vec<_>>()
    };
    let before = main();
    assert_eq!(before.len(), 1, "{before:?}");

    let call = rig.call(V4).param("container", prefix);
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.clone().recurring().run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "stop"), 0);
    assert_eq!(rig.status(), "running", "stop of {prefix} stopped {id}");
    assert_eq!(main(), before, "its main process changed");
    let run = expect(call.run(rig.node(), "start"), 5);
    run.assert_reason(&format!("container {prefix} does not exist"));
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "start bound the address for a container that is not there"
    );
    expect(
        call.clone()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        5,
    );
    assert_eq!(rig.status(), "running");
    assert_eq!(main(), before, "its main process changed");

    // the full id is the container itself: the whole cycle works with it
    let by_id = rig.call(V4).param("container", &id);
    expect(by_id.run(rig.node(), "monitor"), 1).assert_reason("not bound");
    expect(by_id.run(rig.node(), "start"), 0);
    expect(by_id.run(rig.node(), "monitor"), 0);
    expect(by_id.run(rig.node(), "stop"), 0);
    assert_eq!(rig.status(), "exited");
    expect(by_id.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn an_ambiguous_id_prefix_is_no_container_either() {
    docker::require_engine();
    // containers of this test until two of them share their first two hex
    // digits (about 20, by the birthday bound; names need two characters):
    // those are then an ambiguous prefix whatever else the engine holds
    let mut mine: Vec<(docker::TestContainer, String)> = Vec::new();
    let digit = loop {
        assert!(mine.len() < 100, "100 ids with distinct first two digits");
        let c = docker::TestContainer::create("ambig", &[], &["true"]);
        let id = inspect(c.name(), "{{.Id}}");
        let first = id[..2].to_string();
        let shared = mine.iter().any(|(_, i)| i.starts_with(&first));
        mine.push((c, id));
        if shared {
            break first;
        }
    };
    let named = docker::docker(&["ps", "-aq", "--filter", &format!("name=^/{digit}$")]);
    assert!(String::from_utf8_lossy(&named.stdout).trim().is_empty());
    let net = netns::NetnsPair::new("ambig");
    let call = agent::Call::new(&[
        ("ip", V4),
        ("nic", &net.node_if),
        ("container", &digit),
        ("docker_host", &docker::docker_host()),
    ]);
    // the engine refuses the ambiguous prefix (HTTP 500 "Multiple IDs found
    // with provided prefix"): no container has that name or id
    expect(call.run(Some(&net.node), "monitor"), 7);
    expect(call.run(Some(&net.node), "start"), 5).assert_reason("does not exist");
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn a_probe_fixes_or_reports_a_restart_policy_where_start_never_ran() {
    let rig = Rig::new("policy9", &["--restart", "always"], SERVE);
    let policy = || inspect(rig.ctr.name(), "{{.HostConfig.RestartPolicy.Name}}");
    assert_eq!(policy(), "always");
    // fix_restart_policy=true (the default): a probe fixes it
    let call = rig.call(V4);
    let run = expect(call.run(rig.node(), "monitor"), 7);
    assert!(
        run.stderr.contains("restart policy always"),
        "{}",
        run.stderr
    );
    assert_eq!(policy(), "no", "the probe left the restart policy");
    assert_eq!(rig.status(), "created", "the probe started the container");
    // policy `no` already: nothing to say, nothing done
    let run = expect(call.run(rig.node(), "monitor"), 7);
    assert!(!run.stderr.contains("restart policy"), "{}", run.stderr);

    // fix_restart_policy=false: reported, not changed
    let o = docker::docker(&["update", "--restart", "unless-stopped", rig.ctr.name()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let keep = rig.call(V4).param("fix_restart_policy", "false");
    let run = expect(keep.run(rig.node(), "monitor"), 7);
    assert!(
        run.stderr.contains("restart policy unless-stopped"),
        "no warning: {}",
        run.stderr
    );
    assert_eq!(policy(), "unless-stopped");
    let run = expect(
        keep.clone()
            .var("OCF_CHECK_LEVEL", "10")
            .run(rig.node(), "validate-all"),
        5,
    );
    run.assert_reason("restart policy unless-stopped");
    assert_eq!(policy(), "unless-stopped");
    assert_eq!(rig.status(), "created");
}

/// A directory under /run for one test, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::path::PathBuf::from(format!("/run/croit-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        if let Err(e) = std::fs::create_dir(&p) {
            panic!("mkdir {}: {e}", p.display());
        }
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn an_engine_path_that_is_not_a_socket_is_not_an_absent_engine() {
    use std::os::unix::fs::PermissionsExt;
    let rig = Rig::new("nosock", &[], SERVE);
    let dir = TempDir::new("nosock");
    let file = dir.0.join("file");
    if let Err(e) = std::fs::write(&file, b"not a socket") {
        panic!("{e}");
    }
    let cases = [
        ("unix:///etc/passwd/x".to_string(), "not a directory"),
        (format!("unix://{}", file.display()), "not a socket"),
        (format!("unix://{}", dir.0.display()), "not a socket"),
    ];
    for (host, why) in &cases {
        let call = rig.call(V4).param("docker_host", host);
        for action in ["monitor", "start"] {
            let run = expect(call.run(rig.node(), action), 5);
            run.assert_reason(why);
        }
        let run = expect(
            call.clone()
                .var("OCF_CHECK_LEVEL", "10")
                .run(rig.node(), "validate-all"),
            5,
        );
        run.assert_reason(why);
        // nothing can listen there: no container can run through it
        expect(call.run(rig.node(), "stop"), 0);
        assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    }

    // a socket in a directory the agent may not search: permission, 4
    let locked = TempDir::new("locked");
    let sock = locked.0.join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock)
        .unwrap_or_else(|e| panic!("bind {}: {e}", sock.display()));
    if let Err(e) = std::fs::set_permissions(&locked.0, std::fs::Permissions::from_mode(0o000)) {
        panic!("{e}");
    }
    let call = rig
        .call(V4)
        .param("docker_host", &format!("unix://{}", sock.display()));
    let nobody = &[
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "--",
    ];
    let run = expect(call.run_via(rig.node(), nobody, "monitor"), 4);
    run.assert_reason("permission");
    run.assert_reason(&sock.display().to_string());
    drop(listener);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn a_monitor_cmd_that_outlives_its_monitor_is_ended() {
    let rig = Rig::new("mcmdleft", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    let slow = call
        .clone()
        .recurring()
        .param("monitor_cmd", "sleep 600")
        .var("OCF_RESKEY_CRM_meta_timeout", "3000");
    for _ in 0..3 {
        let run = expect(slow.run(rig.node(), "monitor"), 1);
        run.assert_reason("did not finish");
        assert!(run.took < Duration::from_secs(3), "took {:?}", run.took);
        assert!(
            run.stderr.contains("killed it (pid"),
            "no kill logged:\n{}",
            run.stderr
        );
    }
    let sleeping = || {
        processes(rig.ctr.name())
            .into_iter()
            .filter(|p| p.contains("sleep 600"))
            .count()
    };
    let gone = agent::wait_for(Duration::from_secs(2), || sleeping() == 0);
    assert!(
        gone,
        "{} monitor_cmd process(es) left in the container: {:?}",
        sleeping(),
        processes(rig.ctr.name())
    );
    // the container itself is untouched
    assert_eq!(rig.status(), "running");
    expect(call.clone().recurring().run(rig.node(), "monitor"), 0);
    expect(call.run(rig.node(), "stop"), 0);
}
