//! The agent under the field's own tools: ocf-tester, crm_resource and pcs,
//! on the installed path, plus the committed meta-data.
//!
//! Needs root, network namespaces, dockerd and Debian's resource-agents,
//! pacemaker-cli-utils and pcs (`tests/run.sh` provides them).

use support::{agent, docker, install, netns};

use std::process::{Command, Output};

use docker::TestContainer;
use netns::NetnsPair;

const SERVE: &[&str] = &[
    "sh",
    "-c",
    "trap 'exit 0' TERM; while :; do sleep 0.1; done",
];

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[track_caller]
fn tool(args: &[&str]) -> Output {
    match Command::new(args[0]).args(&args[1..]).output() {
        Ok(o) => o,
        Err(e) => panic!(
            "{} not runnable ({e}): install it (tests/env/packages.sh)",
            args[0]
        ),
    }
}

#[test]
fn meta_data_is_byte_identical_to_the_committed_file_and_needs_nothing() {
    let run = agent::Call::default().run(None, "meta-data");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.is_empty(),
        "meta-data wrote to stderr: {}",
        run.stderr
    );
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/agents/container.xml"))
            .unwrap_or_default();
    assert_eq!(
        run.stdout, committed,
        "agents/container.xml is stale: regenerate with `target/debug/container meta-data > agents/container.xml`"
    );
}

/// The meta-data a caller that speaks OCF 1.1 gets (Pacemaker's executor
/// sets `OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1`; ocf-tester sets
/// neither and gets `agents/container.xml`).
#[test]
fn ocf_1_1_callers_get_the_committed_1_1_meta_data() {
    let run = agent::Call::default()
        .var("OCF_RA_VERSION_MAJOR", "1")
        .var("OCF_RA_VERSION_MINOR", "1")
        .run(None, "meta-data");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/agents/container-ocf1.1.xml");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        run.stdout, committed,
        "agents/container-ocf1.1.xml is stale: regenerate with `OCF_RA_VERSION_MAJOR=1 \
OCF_RA_VERSION_MINOR=1 target/debug/container meta-data > agents/container-ocf1.1.xml`"
    );
    // the 1.0 form is the 1.1 form without reload-agent and reloadable
    let ocf10 =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/agents/container.xml"))
            .unwrap_or_default();
    let stripped = committed
        .replace(" reloadable=\"1\"", "")
        .replace("    <action name=\"reload-agent\" timeout=\"20s\"/>\n", "");
    assert_eq!(stripped, ocf10);
    assert!(committed.contains("<action name=\"reload-agent\""));
    // pcs's OCF 1.1 schema accepts it
    let o = tool(&[
        "xmllint",
        "--noout",
        "--relaxng",
        "/usr/share/pcs/data/ocf-1.1.rng",
        path,
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
#[ignore = "needs root, pcs and crmsh: run with --include-ignored"]
fn pacemaker_pcs_and_crmsh_read_the_ocf_1_1_form() {
    install::install_agent();
    let o = tool(&["crm_resource", "--show-metadata", "ocf:croit:container"]);
    let xml = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        xml.contains("name=\"monitor_cmd\" unique=\"0\" required=\"0\" reloadable=\"1\"")
            && xml.contains("<action name=\"reload-agent\""),
        "Pacemaker did not get the OCF 1.1 form:\n{xml}"
    );
    let o = tool(&["pcs", "resource", "describe", "ocf:croit:container"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("reload-agent:") && out.contains("monitor_cmd"),
        "{out}"
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = tool(&["crm", "ra", "info", "ocf:croit:container"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("reload-agent") && out.contains("monitor_cmd"),
        "{out}"
    );
}

#[test]
fn meta_data_is_valid_against_the_ocf_dtd() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/agents/container.xml");
    let o = tool(&[
        "xmllint",
        "--noout",
        "--dtdvalid",
        "/usr/share/resource-agents/ra-api-1.dtd",
        path,
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
#[ignore = "needs root: run with --include-ignored"]
fn meta_data_works_as_nobody_from_the_installed_path() {
    let path = install::install_agent();
    let o = tool(&[
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        path,
        "meta-data",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("<resource-agent name=\"container\""));
}

fn rig(tag: &str) -> (NetnsPair, TestContainer) {
    docker::require_engine();
    install::install_agent();
    (NetnsPair::new(tag), TestContainer::create(tag, &[], SERVE))
}

fn ocf_tester(net: &NetnsPair, ctr: &TestContainer, ip: &str) {
    ocf_tester_at(net, ctr, ip, install::OCF_PATH);
}

/// ocf-tester against the agent at `agent`.
fn ocf_tester_at(net: &NetnsPair, ctr: &TestContainer, ip: &str, agent: &str) {
    let host = docker::docker_host();
    let o = tool(&[
        "ip",
        "netns",
        "exec",
        &net.node,
        "ocf-tester",
        "-n",
        "test",
        "-o",
        &format!("ip={ip}"),
        "-o",
        &format!("nic={}", net.node_if),
        "-o",
        &format!("container={}", ctr.name()),
        "-o",
        &format!("docker_host={host}"),
        "-o",
        "arp_interval=10",
        agent,
    ]);
    let out = text(&o);
    eprintln!("{out}");
    assert!(o.status.success(), "ocf-tester failed:\n{out}");
    assert!(out.contains("passed all tests"), "{out}");
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn ocf_tester_passes_ipv4() {
    let (net, ctr) = rig("oct4");
    ocf_tester(&net, &ctr, "192.0.2.10/24");
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn ocf_tester_passes_ipv6() {
    let (net, ctr) = rig("oct6");
    ocf_tester(&net, &ctr, "2001:db8::10/64");
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn ocf_tester_passes_dual_stack() {
    // the binary as built, not installed: the OCF path is shared with the
    // cluster tests, which may run meanwhile
    docker::require_engine();
    let (net, ctr) = (
        NetnsPair::new("oct46"),
        TestContainer::create("oct46", &[], SERVE),
    );
    let both = "192.0.2.10/24 2001:db8::10/64";
    ocf_tester_at(&net, &ctr, both, env!("CARGO_BIN_EXE_container"));
    for cidr in ["192.0.2.10/24", "2001:db8::10/64"] {
        let o = tool(&[
            "ip",
            "-n",
            &net.node,
            "-o",
            "addr",
            "show",
            "dev",
            &net.node_if,
        ]);
        assert!(
            !text(&o).contains(cidr),
            "ocf-tester left {cidr}: {}",
            text(&o)
        );
    }
}

fn crm(net: &NetnsPair, op: &str, opts: &[String]) -> Output {
    let mut args: Vec<String> = ["ip", "netns", "exec", &net.node, "crm_resource", op]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for a in [
        "--class",
        "ocf",
        "--provider",
        "croit",
        "--agent",
        "container",
    ] {
        args.push(a.into());
    }
    for o in opts {
        args.push("--option".into());
        args.push(o.clone());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tool(&refs);
    eprintln!("crm_resource {op} -> {:?}\n{}", o.status.code(), text(&o));
    o
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn crm_resource_drives_the_agent_and_shows_exit_reasons() {
    let (net, ctr) = rig("crm");
    let opts = vec![
        "ip=192.0.2.10/24".to_string(),
        format!("nic={}", net.node_if),
        format!("container={}", ctr.name()),
        format!("docker_host={}", docker::docker_host()),
    ];
    let code = |o: &Output| o.status.code().unwrap_or(-1);
    assert_eq!(code(&crm(&net, "--validate", &opts)), 0);
    assert_eq!(code(&crm(&net, "--force-check", &opts)), 7);
    assert_eq!(code(&crm(&net, "--force-start", &opts)), 0);
    assert_eq!(code(&crm(&net, "--force-check", &opts)), 0);
    assert!(agent::has_addr(&net.node, &net.node_if, "192.0.2.10/24"));
    assert_eq!(code(&crm(&net, "--force-stop", &opts)), 0);
    assert_eq!(code(&crm(&net, "--force-check", &opts)), 7);
    // a bad parameter: 6, and its exit reason in crm_resource's output
    let mut bad = opts.clone();
    bad[0] = "ip=192.0.2.10/99".into();
    let o = crm(&net, "--validate", &bad);
    assert_eq!(code(&o), 6);
    assert!(text(&o).contains("ip=\"192.0.2.10/99\""), "{}", text(&o));
    let o = crm(&net, "--force-start", &bad);
    assert_eq!(code(&o), 6);
    assert!(text(&o).contains("prefix must be 1 to 32"), "{}", text(&o));
    // a node-local gap: 5 with its reason
    let mut nonic = opts.clone();
    nonic[1] = "nic=nosuch0".into();
    let o = crm(&net, "--force-start", &nonic);
    assert_eq!(code(&o), 5);
    assert!(
        text(&o).contains("nic nosuch0 does not exist"),
        "{}",
        text(&o)
    );
}

#[test]
#[ignore = "needs root and pcs: run with --include-ignored"]
fn pcs_creates_the_resource_with_agent_validation_and_refuses_unknown_options() {
    install::install_agent();
    let dir = std::env::temp_dir().join(format!("croit-pcs-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let cib = dir.join("cib.xml");
    let cib_s = cib.to_string_lossy().to_string();
    let o = tool(&["cibadmin", "--empty"]);
    assert!(o.status.success(), "{}", text(&o));
    let _ = std::fs::write(&cib, &o.stdout);
    let create = |args: &[&str]| {
        let mut argv = vec!["pcs", "-f", &cib_s, "resource", "create"];
        argv.extend_from_slice(args);
        tool(&argv)
    };
    let o = create(&[
        "t",
        "ocf:croit:container",
        "ip=192.0.2.10/24",
        "nic=eth0",
        "container=croit",
        "--agent-validation",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let xml = std::fs::read_to_string(&cib).unwrap_or_default();
    assert!(
        xml.contains("type=\"container\"") && xml.contains("provider=\"croit\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"monitor\"") && xml.contains("interval=\"10s\""),
        "{xml}"
    );
    let o = create(&[
        "u",
        "ocf:croit:container",
        "ip=192.0.2.11/24",
        "bogus_option=1",
    ]);
    assert!(!o.status.success(), "unknown option accepted");
    assert!(text(&o).contains("bogus_option"), "{}", text(&o));
    let o = create(&[
        "v",
        "ocf:croit:container",
        "ip=192.0.2.12/33",
        "--agent-validation",
    ]);
    assert!(
        !o.status.success(),
        "an invalid ip passed agent validation: {}",
        text(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
