//! The lifecycle through Podman's socket: its 304 answers, the node's
//! network, containers killed and paused.

use super::*;

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
    let _turn = shared();
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
    let _turn = shared();
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
        let host = croit_container::engine::Endpoint::parse(&podman_host())
            .unwrap_or_else(|e| panic!("podman host: {e}"));
        let engine = Docker::connect(&host, deadline).unwrap_or_else(|e| panic!("{e}"));
        let configured = croit_container::engine::ContainerName::parse(&name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let st = engine
            .inspect(&configured)
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
        let missing = croit_container::engine::ContainerName::parse("pm-test-no-such-container")
            .unwrap_or_else(|e| panic!("{e}"));
        let gone = engine
            .inspect(&missing)
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
