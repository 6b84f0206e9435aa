//! The command line (`ra_api::cli`) and `reload-agent`, on the real binary.
//!
//! Unprivileged: `--help` against the meta-data, `--version`, OCF codes for
//! malformed command lines and unknown actions, a flag winning over its
//! variable. Privileged (`#[ignore]`d, root, namespaces and dockerd): the
//! same start/monitor/stop through flags and through the environment, and
//! reload-agent on a running resource.

use support::{agent, rig};

use std::collections::BTreeSet;

use agent::{expect, has_addr, Call};
use rig::{inspect, Rig, SERVE, V4, V6};

/// The `name="..."` values of `<tag ` elements in `xml`.
fn names(xml: &str, tag: &str) -> BTreeSet<String> {
    xml.split(&format!("<{tag} name=\""))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

fn ocf11() -> Call {
    Call::default()
        .var("OCF_RA_VERSION_MAJOR", "1")
        .var("OCF_RA_VERSION_MINOR", "1")
}

#[test]
fn help_lists_every_parameter_and_action_of_the_meta_data() {
    let help = expect(Call::default().run(None, "--help"), 0);
    assert!(help.stderr.is_empty(), "{}", help.stderr);
    let meta = expect(ocf11().run(None, "meta-data"), 0).stdout;
    let params = names(&meta, "parameter");
    assert_eq!(params.len(), 16, "{meta}");
    // `--name-with-dashes <TYPE>` lines of the Parameters section
    let flags: BTreeSet<String> = help
        .stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--"))
        .filter_map(|l| l.split_whitespace().next())
        .map(|f| f.replace('-', "_"))
        .collect();
    assert_eq!(flags, params, "--help and the meta-data disagree");
    for p in &params {
        let line = help
            .stdout
            .lines()
            .find(|l| {
                l.trim_start()
                    .starts_with(&format!("--{} ", p.replace('_', "-")))
            })
            .unwrap_or_default();
        assert!(
            line.contains(&format!("[env: OCF_RESKEY_{p}]")),
            "{p}: {line}"
        );
        // the default the meta-data declares, when there is one
        let decl = meta
            .split(&format!("<parameter name=\"{p}\""))
            .nth(1)
            .and_then(|s| s.split("</parameter>").next())
            .unwrap_or_default();
        if let Some(d) = decl
            .split("default=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
        {
            assert!(line.contains(&format!("[default: {d}]")), "{p}: {line}");
        }
        assert_eq!(
            line.contains("(reloadable)"),
            decl.starts_with(" unique=\"0\" required=\"0\" reloadable=\"1\""),
            "{p}: {line}"
        );
    }
    for a in names(&meta, "action") {
        assert!(
            help.stdout.contains(&format!("\n  {a} ")),
            "action {a} missing from --help:\n{}",
            help.stdout
        );
    }
}

/// clap's own consistency checks of the command built from the agent's
/// declarations (no two flags alike, no clash with --help/--version).
#[test]
fn the_command_line_definition_is_sound() {
    ra_api::cli::command(&croit_container::agent::META).debug_assert();
}

#[test]
fn version_is_0_and_names_the_agent() {
    for word in ["--version", "-V"] {
        let r = expect(Call::default().run(None, word), 0);
        assert_eq!(
            r.stdout,
            format!("container {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert!(r.stderr.is_empty());
    }
}

#[test]
fn malformed_command_lines_are_2_and_unknown_actions_3_with_one_reason_each() {
    let call = Call::new(&[("ip", "192.0.2.10/24")]);
    for (action, args, want) in [
        (
            "monitor",
            &["--bogus"][..],
            "unexpected argument '--bogus' found",
        ),
        (
            "monitor",
            &["--ip"],
            "a value is required for '--ip <STRING>'",
        ),
        (
            "--ip=192.0.2.1/24",
            &["--ip=192.0.2.2/24", "monitor"],
            "the argument '--ip <STRING>' cannot be used multiple times",
        ),
        ("-x", &[], "unexpected argument '-x' found"),
    ] {
        let mut c = call.clone();
        for a in args {
            c = c.arg(a);
        }
        let r = expect(c.run(None, action), 2);
        r.assert_reason(want);
        r.assert_reason("; see container --help");
    }
    for (action, args) in [
        ("status", &[][..]),
        ("reload", &["--ip=192.0.2.1/24"]),
        ("--ip=192.0.2.1/24", &["promote"]),
    ] {
        let mut c = call.clone();
        for a in args {
            c = c.arg(a);
        }
        let r = expect(c.run(None, action), 3);
        r.assert_reason("is not supported");
    }
    // meta-data and usage never fail, whatever follows them
    for action in ["meta-data", "usage"] {
        let r = expect(call.clone().arg("--bogus").run(None, action), 0);
        assert!(r.stderr.is_empty(), "{action}: {}", r.stderr);
    }
}

#[test]
fn a_flag_wins_over_its_variable() {
    // validate-all at level 0 reads the parameters only
    let bad_env = Call::new(&[("ip", "192.0.2.10/33"), ("arp_count", "0")]);
    expect(bad_env.run(None, "validate-all"), 6);
    let r = bad_env
        .clone()
        .arg("--ip=192.0.2.10/24")
        .arg("--arp-count")
        .arg("3")
        .run(None, "validate-all");
    expect(r, 0);
    let good_env = Call::new(&[("ip", "192.0.2.10/24")]);
    expect(good_env.run(None, "validate-all"), 0);
    let r = expect(
        good_env
            .clone()
            .arg("--ip")
            .arg("-1")
            .run(None, "validate-all"),
        6,
    );
    r.assert_reason("ip=\"-1\"");
    // the name as declared works too
    let r = expect(good_env.arg("--arp_count=0").run(None, "validate-all"), 6);
    r.assert_reason("arp_count=\"0\"");
}

/// The rig's parameters as flags, on top of an environment whose own
/// values would fail (a container that does not exist, an address that is
/// malformed): only the flags make the call work.
fn as_flags(call: &Call) -> Call {
    let mut c = Call::new(&[("ip", "192.0.2.10/33"), ("container", "no-such-ctr")]);
    for (k, v) in &call.params {
        c = c.arg(&format!("--{}={v}", k.replace('_', "-")));
    }
    c
}

fn lifecycle_by_flags_and_by_env(tag: &str, ip: &str) {
    let rig = Rig::new(tag, &[], SERVE);
    let env = rig.call(ip);
    let flags = as_flags(&env);
    let both = |action: &str, recurring: bool| {
        let (e, f) = if recurring {
            (env.clone().recurring(), flags.clone().recurring())
        } else {
            (env.clone(), flags.clone())
        };
        let (a, b) = (e.run(rig.node(), action), f.run(rig.node(), action));
        assert_eq!(
            (a.code, a.reason()),
            (b.code, b.reason()),
            "{action}: environment and flags disagree"
        );
        a.code
    };
    assert_eq!(both("monitor", false), 7);
    expect(flags.run(rig.node(), "start"), 0);
    assert!(has_addr(&rig.net.node, &rig.net.node_if, ip));
    assert_eq!(rig.status(), "running");
    assert_eq!(both("monitor", false), 0);
    assert_eq!(both("monitor", true), 0);
    expect(flags.run(rig.node(), "stop"), 0);
    assert!(!has_addr(&rig.net.node, &rig.net.node_if, ip));
    assert_ne!(rig.status(), "running");
    assert_eq!(both("monitor", false), 7);
    // and the other way round
    expect(env.run(rig.node(), "start"), 0);
    assert_eq!(both("monitor", true), 0);
    assert_eq!(both("start", false), 0);
    expect(flags.run(rig.node(), "stop"), 0);
    assert_eq!(both("stop", false), 0);
    rig.stop_leaves_nothing(&env, ip);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn flags_and_environment_give_the_same_answers_v4() {
    lifecycle_by_flags_and_by_env("cli4", V4);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn flags_and_environment_give_the_same_answers_v6() {
    lifecycle_by_flags_and_by_env("cli6", V6);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn reload_agent_takes_new_values_without_touching_the_container_or_the_address() {
    let rig = Rig::new("reload", &[], SERVE);
    let call = rig.call(V4);
    expect(call.run(rig.node(), "start"), 0);
    let started = inspect(rig.ctr.name(), "{{.State.StartedAt}}");
    let pid = inspect(rig.ctr.name(), "{{.State.Pid}}");
    let untouched = |what: &str| {
        assert_eq!(rig.status(), "running", "{what}");
        assert_eq!(
            inspect(rig.ctr.name(), "{{.State.StartedAt}}"),
            started,
            "{what}: the container was restarted"
        );
        assert_eq!(inspect(rig.ctr.name(), "{{.State.Pid}}"), pid, "{what}");
        assert!(
            has_addr(&rig.net.node, &rig.net.node_if, V4),
            "{what}: the address left"
        );
    };
    // every reloadable parameter at once, with a monitor_cmd that fails
    let failing = call
        .clone()
        .param("arp_count", "3")
        .param("arp_interval", "50")
        .param("arp_count_refresh", "1")
        .param("stop_timeout", "5")
        .param("check_health", "false")
        .param("wait_healthy", "true")
        .param("fix_restart_policy", "false")
        .param("monitor_cmd", "false");
    let r = expect(failing.run(rig.node(), "reload-agent"), 0);
    assert!(r.stderr.is_empty() || r.reason().is_none(), "{}", r.stderr);
    untouched("reload-agent");
    // the next recurring monitor uses the new value
    let r = expect(failing.clone().recurring().run(rig.node(), "monitor"), 1);
    r.assert_reason("monitor_cmd");
    untouched("monitor with the new monitor_cmd");
    let passing = failing.param("monitor_cmd", "true");
    expect(passing.run(rig.node(), "reload-agent"), 0);
    expect(passing.clone().recurring().run(rig.node(), "monitor"), 0);
    untouched("reload-agent back");
    // malformed values: 6 with one reason, nothing changed
    for (k, v, want) in [
        ("arp_count", "0", "arp_count=\"0\""),
        ("monitor_cmd", "'unclosed", "monitor_cmd"),
        ("check_health", "maybe", "check_health="),
    ] {
        let bad = passing.clone().param(k, v);
        let r = expect(bad.run(rig.node(), "reload-agent"), 6);
        r.assert_reason(want);
        untouched(&format!("reload-agent with {k}={v}"));
    }
    // rounds that do not fit the meta-data's timeouts: only a warning
    // (issue 21 item 6; tests/inputs.rs has the unprivileged case)
    let long = passing
        .clone()
        .param("arp_interval", "60000")
        .param("arp_count", "1000");
    let r = expect(long.run(rig.node(), "reload-agent"), 0);
    assert!(r.reason().is_none(), "{}", r.stderr);
    untouched("reload-agent with rounds that do not fit");
    expect(passing.clone().recurring().run(rig.node(), "monitor"), 0);
    rig.stop_leaves_nothing(&passing, V4);
    // on a stopped resource it changes nothing either
    expect(passing.run(rig.node(), "reload-agent"), 0);
    expect(passing.run(rig.node(), "monitor"), 7);
}
