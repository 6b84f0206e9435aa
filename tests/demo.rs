//! The demo's checks in the test suite (issue 22): `bash tests/demo.sh`
//! with this build's binary shows every announcement round on the wire and
//! exits 0; its check (`tests/demo-check.sh`) fails when the capture holds
//! fewer rounds than configured.
//!
//! The demo needs root, namespaces, dockerd, crm_resource and tcpdump;
//! `#[ignore]`d for the quick unprivileged loop. The check's test needs only
//! bash and tcpdump.

use std::path::PathBuf;
use std::process::{Command, Output};

use croit_container::net::{garp_reply, garp_request};

const MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root, namespaces, dockerd, crm_resource and tcpdump: run with --include-ignored"]
fn the_demo_shows_every_round_on_the_wire() {
    let out = Command::new("bash")
        .arg("tests/demo.sh")
        .current_dir(root())
        .env("CROIT_DEMO_AGENT", env!("CARGO_BIN_EXE_container"))
        .env("CROIT_DEMO_TAG", format!("ad{}demo", std::process::id()))
        .output()
        .unwrap_or_else(|e| panic!("bash tests/demo.sh: {e}"));
    let (stdout, stderr) = text(&out);
    eprintln!("{stdout}\n{stderr}");
    assert_eq!(out.status.code(), Some(0), "the demo failed");
    for line in [
        "=> crm_resource --force-start: OCF code 0",
        "=> crm_resource --force-stop: OCF code 0",
        "rounds (request + reply): 5,",
        "gratuitous ARP requests: 5, replies: 5 (configured rounds: 5)",
        "OK: all 5 rounds reached the peer",
    ] {
        assert!(stdout.contains(line), "missing {line:?}");
    }
    assert!(
        stdout.contains("more announcement round(s) from pid"),
        "start handed no rounds to the background announcer"
    );
}

/// A pcap (microsecond stamps, Ethernet) of `rounds` announcement rounds of
/// 192.0.2.10 from [`MAC`], 200 ms apart.
fn pcap(rounds: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    for v in [0u32, 0, 65535, 1] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    let ip = std::net::Ipv4Addr::new(192, 0, 2, 10);
    for r in 0..rounds {
        for (k, frame) in [garp_request(MAC, ip), garp_reply(MAC, ip)]
            .into_iter()
            .enumerate()
        {
            let usec = r * 200_000 + k as u32 * 10;
            for v in [1_000 + usec / 1_000_000, usec % 1_000_000] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            let len = frame.len() as u32;
            b.extend_from_slice(&len.to_le_bytes());
            b.extend_from_slice(&len.to_le_bytes());
            b.extend_from_slice(&frame);
        }
    }
    b
}

fn check(rounds_seen: u32, configured: u32) -> Output {
    let path = std::env::temp_dir().join(format!(
        "ad-demo-check-{}-{rounds_seen}.pcap",
        std::process::id()
    ));
    if let Err(e) = std::fs::write(&path, pcap(rounds_seen)) {
        panic!("{}: {e}", path.display());
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source tests/demo-check.sh && demo_check {} {configured} 1000.3 192.0.2.10 02:00:00:00:00:01",
            path.display()
        ))
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    let _ = std::fs::remove_file(&path);
    out
}

#[test]
fn the_demo_check_fails_on_fewer_rounds_than_configured() {
    let all = check(5, 5);
    let (stdout, stderr) = text(&all);
    assert_eq!(all.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("rounds (request + reply): 5, after start returned: 3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("round 5: +0.800 s request, reply 0.010 ms later  (after start returned"),
        "{stdout}"
    );
    let short = check(4, 5);
    let (stdout, stderr) = text(&short);
    assert_eq!(short.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("gratuitous ARP requests: 4, replies: 4"));
    assert!(stderr.contains("FAIL: the peer saw 4 of 5 announcement rounds"));
    let none = check(0, 5);
    assert_eq!(none.status.code(), Some(1), "{:?}", text(&none));
}
