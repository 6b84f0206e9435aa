//! What the agent may do and what it needs, checked for real:
//! - it executes nothing and forks nothing but its announcer: start,
//!   reload-agent, a recurring monitor with `monitor_cmd` and stop under
//!   `strace -f` show one execve (the agent) and only thread clones, except
//!   start's one fork of the background announcer (which executes nothing);
//! - without CAP_NET_ADMIN / CAP_NET_RAW (root with them dropped from the
//!   bounding set) and as a user that may not open the engine socket, the
//!   actions that need them end in 4 with a reason that names what is missing;
//! - shell syntax in `monitor_cmd` is never interpreted: the words go to the
//!   container as an argv, nothing happens on the host.
//!
//! Needs root, namespaces, dockerd and the test image (`tests/run.sh`), and
//! strace, setpriv (util-linux); `#[ignore]`d for the quick loop.

use support::{agent, docker, rig};

use std::path::Path;
use std::process::Command;

use agent::{expect, has_addr, Call, Run};
use rig::{Rig, SERVE, V4};

/// Runs the agent in the rig's node namespace behind `wrapper`.
fn run_wrapped(rig: &Rig, call: &Call, wrapper: &[&str], action: &str) -> Run {
    call.run_via(Some(&rig.net.node), wrapper, action)
}

/// The process-creating and program-executing system calls of one agent
/// call, from `strace -f`.
fn traced(rig: &Rig, call: &Call, action: &str, code: i32) -> Vec<String> {
    let log =
        std::env::temp_dir().join(format!("croit-strace-{}-{action}.log", std::process::id()));
    let log_s = log.display().to_string();
    let wrapper = [
        "strace",
        "-f",
        "-qq",
        "-o",
        &log_s,
        "-e",
        "trace=execve,execveat,fork,vfork,clone,clone3",
    ];
    expect(run_wrapped(rig, call, &wrapper, action), code);
    let text = match std::fs::read_to_string(&log) {
        Ok(t) => t,
        Err(e) => panic!("no strace log {log_s}: {e} (install strace)"),
    };
    let _ = std::fs::remove_file(&log);
    text.lines().map(str::to_string).collect()
}

#[test]
#[ignore = "needs root, namespaces, dockerd and strace: run with --include-ignored"]
fn start_monitor_and_stop_execute_nothing_and_fork_only_the_announcer() {
    let rig = Rig::new("noexec", &[], SERVE);
    let call = rig.call(V4).param("monitor_cmd", "sh -c 'exit 0'");
    for (action, call, code) in [
        // rounds 200 ms apart: start is done long before the fifth
        ("start", call.clone().param("arp_interval", "200"), 0),
        ("monitor", call.clone().recurring(), 0),
        ("monitor", call.clone(), 0),
        ("reload-agent", call.clone().param("arp_count", "3"), 0),
        // parameters as flags (ra_api::cli) change nothing here either
        ("monitor", call.clone().arg("--arp-count=3").recurring(), 0),
        ("stop", call.clone(), 0),
    ] {
        let lines = traced(&rig, &call, action, code);
        let execs: Vec<&String> = lines.iter().filter(|l| l.contains("execve")).collect();
        assert_eq!(execs.len(), 1, "{action}: {lines:#?}");
        assert!(
            execs[0].contains(&format!("execve(\"{}\"", agent::bin())),
            "{action}: the one execve is not the agent: {}",
            execs[0]
        );
        // threads (CLONE_THREAD) are fine, new processes are not, but
        // for start's background announcer: exactly one
        let forks: Vec<&String> = lines
            .iter()
            .filter(|l| {
                ["fork(", "vfork(", "clone(", "clone3("]
                    .iter()
                    .any(|c| l.contains(c))
            })
            .filter(|l| !l.contains("CLONE_THREAD"))
            .collect();
        let allowed = usize::from(action == "start");
        assert_eq!(
            forks.len(),
            allowed,
            "{action} created processes: {forks:#?}"
        );
        eprintln!(
            "{action}: 1 execve, {} thread clone(s)",
            lines.iter().filter(|l| l.contains("CLONE_THREAD")).count()
        );
    }
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
}

/// root without the two network capabilities (gone from the bounding set,
/// so not regained by exec).
const NO_NET_CAPS: &[&str] = &["setpriv", "--bounding-set=-net_admin,-net_raw", "--"];
const NO_NET_RAW: &[&str] = &["setpriv", "--bounding-set=-net_raw", "--"];
/// An unprivileged user (nobody) that keeps CAP_NET_ADMIN and CAP_NET_RAW
/// through the ambient set but may not open the engine socket.
const NOBODY_WITH_NET_CAPS: &[&str] = &[
    "setpriv",
    "--reuid=nobody",
    "--regid=nogroup",
    "--clear-groups",
    "--inh-caps=+net_admin,+net_raw",
    "--ambient-caps=+net_admin,+net_raw",
    "--",
];
const NOBODY: &[&str] = &[
    "setpriv",
    "--reuid=nobody",
    "--regid=nogroup",
    "--clear-groups",
    "--",
];

#[test]
#[ignore = "needs root, namespaces, dockerd and setpriv: run with --include-ignored"]
fn without_network_capabilities_start_and_stop_are_4() {
    let rig = Rig::new("nocaps", &[], SERVE);
    let call = rig.call(V4);
    // start checks first and changes nothing
    let run = expect(run_wrapped(&rig, &call, NO_NET_CAPS, "start"), 4);
    run.assert_reason("missing CAP_NET_ADMIN");
    let run = expect(run_wrapped(&rig, &call, NO_NET_RAW, "start"), 4);
    run.assert_reason("missing CAP_NET_RAW");
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    assert_eq!(
        rig.status(),
        "created",
        "start without privileges touched the container"
    );
    let run = expect(run_wrapped(&rig, &call, NO_NET_CAPS, "validate-all"), 0);
    assert_eq!(run.reasons(), 0);
    let deep = call.clone().var("OCF_CHECK_LEVEL", "10");
    let run = expect(run_wrapped(&rig, &deep, NO_NET_CAPS, "validate-all"), 4);
    run.assert_reason("missing CAP_NET_ADMIN");
    // monitor only reads: it works without them
    expect(run_wrapped(&rig, &call, NO_NET_CAPS, "monitor"), 7);
    expect(call.run(rig.node(), "start"), 0);
    expect(
        run_wrapped(&rig, &call.clone().recurring(), NO_NET_CAPS, "monitor"),
        0,
    );
    // stop cannot remove the address without CAP_NET_ADMIN: 4, and it says so
    let run = expect(run_wrapped(&rig, &call, NO_NET_CAPS, "stop"), 4);
    run.assert_reason("permission");
    rig.stop_leaves_nothing(&call, V4);
}

#[test]
#[ignore = "needs root, namespaces, dockerd and setpriv: run with --include-ignored"]
fn a_user_without_access_to_the_engine_socket_gets_4() {
    let rig = Rig::new("nosock", &[], SERVE);
    let call = rig.call(V4);
    let sock = docker::docker_host();
    let path = sock.strip_prefix("unix://").unwrap_or(&sock);
    // the premise: nobody may not open the socket
    let probe = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .args(["test", "-w", path])
        .status();
    assert!(
        matches!(probe, Ok(s) if !s.success()),
        "nobody can write {path}: the test needs a socket only root (and its group) may use"
    );
    let run = expect(run_wrapped(&rig, &call, NOBODY_WITH_NET_CAPS, "start"), 4);
    run.assert_reason(&format!("no permission to use the engine socket {sock}"));
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, V4));
    let run = expect(run_wrapped(&rig, &call, NOBODY_WITH_NET_CAPS, "monitor"), 4);
    run.assert_reason("no permission to use the engine socket");
    // without the capabilities as well: the capability is named first
    let run = expect(run_wrapped(&rig, &call, NOBODY, "start"), 4);
    run.assert_reason("missing CAP_NET_ADMIN");
    // nothing was started
    assert_eq!(rig.status(), "created");
    expect(call.run(rig.node(), "monitor"), 7);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn shell_syntax_in_monitor_cmd_is_never_interpreted() {
    let rig = Rig::new("meta", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    let mark = format!("/tmp/croit-owned-{}", std::process::id());
    let _ = std::fs::remove_file(&mark);
    let in_container = |p: &str| {
        docker::docker(&["exec", rig.ctr.name(), "test", "-e", p])
            .status
            .success()
    };
    // one word, looked up as a program of that name
    let run = call
        .clone()
        .recurring()
        .param("monitor_cmd", &format!("true;touch {mark}"))
        .run(rig.node(), "monitor");
    expect(run, 1).assert_reason("exec: \"true;touch\": executable");
    for cmd in [
        format!("true ; touch {mark}"),
        format!("true && touch {mark}"),
        format!("true || touch {mark}"),
        format!("true | touch {mark}"),
        format!("true $(touch {mark})"),
        format!("true `touch {mark}`"),
        format!("true > {mark}"),
        format!("true\ttouch {mark} &"),
    ] {
        let run = call
            .clone()
            .recurring()
            .param("monitor_cmd", &cmd)
            .run(rig.node(), "monitor");
        // `true` ignores its arguments: the whole line was one argv
        expect(run, 0);
        assert!(
            !Path::new(&mark).exists(),
            "{cmd:?} created {mark} on the host"
        );
        assert!(
            !in_container(&mark),
            "{cmd:?} created {mark} in the container"
        );
    }
    // words are words: `test` gets `;` as an argument and fails
    let run = call
        .clone()
        .recurring()
        .param("monitor_cmd", &format!("test -e / ; touch {mark}"))
        .run(rig.node(), "monitor");
    let run = expect(run, 1);
    run.assert_reason("monitor_cmd exited");
    assert!(!Path::new(&mark).exists());
    // the container's own shell, asked for explicitly, runs in the container
    let run = call
        .clone()
        .recurring()
        .param("monitor_cmd", &format!("sh -c 'true; touch {mark}'"))
        .run(rig.node(), "monitor");
    expect(run, 0);
    assert!(
        in_container(&mark),
        "sh -c did not run inside the container"
    );
    assert!(!Path::new(&mark).exists(), "sh -c ran on the host");
    rig.stop_leaves_nothing(&call, V4);
}

/// With the engine gone the agent asks the kernel; a `/proc` that hides
/// other users' processes (`hidepid=2`, read by nobody) must give 4 with a
/// reason, never a guess of "nothing runs" (7).
#[test]
#[ignore = "needs root, namespaces, dockerd, unshare and setpriv: run with --include-ignored"]
fn with_the_engine_gone_an_unreadable_proc_is_4_never_a_guess() {
    let rig = Rig::new("hidepid", &[], SERVE);
    // the engine through a path of the test's own, so that it can vanish
    let dir = std::env::temp_dir().join(format!("croit-hidepid-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let sock = dir.join("docker.sock");
    let real = docker::docker_host();
    let real = real.strip_prefix("unix://").unwrap_or(&real).to_string();
    std::os::unix::fs::symlink(&real, &sock).unwrap_or_else(|e| panic!("{e}"));
    let state = dir.join("state");
    let call = rig
        .call(V4)
        .param("docker_host", &format!("unix://{}", sock.display()))
        .var("HA_RSCTMP", &state.display().to_string());
    expect(call.run(rig.node(), "start"), 0);
    // the engine gone (for this resource): the socket path vanishes
    std::fs::remove_file(&sock).unwrap_or_else(|e| panic!("{e}"));
    // root, with the real /proc: the truth (it runs, named by the
    // engine's own files: served, with a warning)
    let run = expect(call.run(rig.node(), "monitor"), 0);
    assert!(
        run.stderr.contains("engine cannot be asked"),
        "{}",
        run.stderr
    );
    // nobody, with a /proc that hides PID 1 and the container: 4
    let hidden: &[&str] = &[
        "unshare",
        "--mount",
        "sh",
        "-c",
        "mount -t proc -o hidepid=2 proc /proc && exec setpriv --reuid=nobody \
         --regid=nogroup --clear-groups -- \"$@\"",
        "hidepid",
    ];
    let run = expect(run_wrapped(&rig, &call, hidden, "monitor"), 4);
    run.assert_reason("cannot read /proc/1/cgroup");
    // the container still runs: cleaned up by root
    expect(call.run(rig.node(), "stop"), 0);
    assert_ne!(rig.status(), "running");
    let _ = std::fs::remove_dir_all(&dir);
}
