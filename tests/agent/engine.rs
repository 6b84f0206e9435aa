//! The engine side: one that does not answer, a stale socket, a container
//! already started or stopped by the engine.

use super::*;

/// A unix socket that accepts connections and never answers: an engine that
/// is there but hung. Returns the socket path; the listener lives as long as
/// the test process.
fn hung_engine(tag: &str) -> String {
    use std::io::Read;
    use std::os::unix::net::UnixListener;
    let path = format!("/run/croit-test-hung-{}-{tag}.sock", std::process::id());
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => panic!("bind {path}: {e}"),
    };
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut conn in listener.incoming().flatten() {
            // read the request so the client is not blocked on send, then hold
            let mut buf = [0u8; 4096];
            let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
            let _ = conn.read(&mut buf);
            held.push(conn);
        }
    });
    path
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn engine_that_does_not_answer_is_1_before_the_deadline_for_monitor_and_stop() {
    let rig = Rig::new("hung", &[], SERVE);
    let sock = hung_engine("a");
    let call = rig
        .call(V4)
        .param("docker_host", &format!("unix://{sock}"))
        .var("OCF_RESKEY_CRM_meta_timeout", "3000");
    // bound by hand, as a crashed earlier start would leave it. The engine
    // cannot be asked, but the kernel can: no container with this name
    // runs anywhere on the node (and none whose name cannot be read), so
    // the address is a leftover: monitor says partial, stop removes it
    rig.node_addr("add", V4);
    for call in [call.clone(), call.clone().recurring()] {
        let run = expect(call.run(rig.node(), "monitor"), 1);
        assert!(run.took < Duration::from_millis(3000), "{:?}", run.took);
        run.assert_reason("is bound but container");
    }
    let run = expect(call.run(rig.node(), "stop"), 0);
    assert!(run.took < Duration::from_millis(3000), "{:?}", run.took);
    assert!(run.stderr.contains("did not answer"), "{}", run.stderr);
    let run = expect(call.run(rig.node(), "start"), 1);
    assert!(run.took < Duration::from_millis(3000), "{:?}", run.took);
    let reason = run.reason().unwrap_or("");
    assert!(
        reason.contains("did not answer") && reason.contains(&sock),
        "start: {reason}"
    );
    assert!(
        !has_addr(&rig.net.node, &rig.net.node_if, V4),
        "start bound the address although the engine was hung"
    );
    let _ = std::fs::remove_file(&sock);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn stale_engine_socket_is_an_absent_engine() {
    use std::os::unix::net::UnixListener;
    let rig = Rig::new("stale", &[], SERVE);
    let path = format!("/run/croit-test-stale-{}.sock", std::process::id());
    let _ = std::fs::remove_file(&path);
    // bind and drop: the file stays, nobody listens (dockerd killed -9)
    drop(UnixListener::bind(&path).unwrap_or_else(|e| panic!("bind {path}: {e}")));
    assert!(std::path::Path::new(&path).exists());
    let call = rig.call(V4).param("docker_host", &format!("unix://{path}"));
    expect(call.run(rig.node(), "monitor"), 7);
    expect(call.run(rig.node(), "stop"), 0);
    // not running may be a restart: start waits for it, then 1 (not 5,
    // which bans the node until a cleanup)
    let run = expect(call.run(rig.node(), "start"), 1);
    run.assert_reason(&path);
    assert!(run.stderr.contains("waiting for it"), "{}", run.stderr);
    let _ = std::fs::remove_file(&path);
}

#[test]
#[ignore = "needs root, namespaces and dockerd: run with --include-ignored"]
fn engine_start_and_stop_of_a_container_already_there_are_fine() {
    use croit_container::engine::{Docker, Engine};
    let rig = Rig::new("noop", &[], SERVE);
    let name = rig.ctr.name().to_string();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let host = croit_container::engine::Endpoint::parse(&docker::docker_host())
            .unwrap_or_else(|e| panic!("docker host: {e}"));
        let engine = match Docker::connect(&host, deadline) {
            Ok(e) => e,
            Err(e) => panic!("connect: {e}"),
        };
        engine.start(&name).await.unwrap_or_else(|e| panic!("{e}"));
        // the engine answers 304 now: still fine
        engine
            .start(&name)
            .await
            .unwrap_or_else(|e| panic!("second start: {e}"));
        engine
            .stop(&name, 1)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        engine
            .stop(&name, 1)
            .await
            .unwrap_or_else(|e| panic!("second stop: {e}"));
    });
    assert_eq!(rig.status(), "exited");
}
