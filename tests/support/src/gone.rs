//! The rig of tests/engine_gone.rs: a resource started for real on a
//! dockerd of its own ([`Gone`]), the watch that samples the address and the
//! container's processes while stop runs, and a socket that answers HTTP 500.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::agent::{self, expect, has_addr, Call};
use crate::engine::PrivateEngine;
use crate::matrix::{probe, Rows};
use crate::netns::NetnsPair;
use crate::procs::{self, live_pids};
use crate::rig::V4;

/// A resource started for real on an engine of its own.
pub struct Gone {
    pub net: NetnsPair,
    pub eng: PrivateEngine,
    pub id: String,
    pub call: Call,
    pub state: PathBuf,
}

impl Gone {
    /// A private engine (`dockerd_opts`), container `svc` created with
    /// `create_opts` running `cmd`, the resource started, its processes
    /// seen alive.
    pub fn up(tag: &str, dockerd_opts: &[&str], create_opts: &[&str], cmd: &[&str]) -> Gone {
        let net = NetnsPair::new(tag);
        let eng = PrivateEngine::start_with(tag, dockerd_opts);
        let id = eng.create("svc", create_opts, cmd);
        let state = std::env::temp_dir().join(format!("croit-eg-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        let call = Call::new(&[
            ("ip", V4),
            ("nic", &net.node_if),
            ("container", "svc"),
            ("docker_host", &eng.host()),
            ("arp_interval", "20"),
        ])
        .var("HA_RSCTMP", &state.display().to_string())
        .recurring();
        expect(call.run(Some(&net.node), "start"), 0);
        assert!(!live_pids(&id).is_empty(), "started, but no process runs");
        Gone {
            net,
            eng,
            id,
            call,
            state,
        }
    }
    pub fn ns(&self) -> Option<&str> {
        Some(self.net.node.as_str())
    }
    pub fn bound(&self) -> bool {
        has_addr(&self.net.node, &self.net.node_if, V4)
    }
    pub fn alive(&self) -> usize {
        live_pids(&self.id).len()
    }
    /// The one record of this resource's container (`*.id`; the engine's
    /// own record, `*.root`, is beside it).
    pub fn record(&self) -> PathBuf {
        let files: Vec<PathBuf> = std::fs::read_dir(&self.state)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "id"))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(files.len(), 1, "one record expected: {files:?}");
        files[0].clone()
    }
    /// stop gives 0 with no process left and the address gone, and while it
    /// ran the address never went before the last process.
    #[track_caller]
    pub fn stop_ends_everything(&self, r: &mut Rows, call: &Call, label: &str) {
        let before = self.alive();
        assert!(before > 0, "{label}: nothing ran before stop");
        let sampler = AddressWatch::start(
            self.net.node.clone(),
            self.net.node_if.clone(),
            self.id.clone(),
        );
        let run = r.go(call, self.ns(), "stop", label, 0);
        sampler.check(label);
        assert_eq!(self.alive(), 0, "{label}: processes left after stop 0");
        assert!(!self.bound(), "{label}: stop left the address");
        let line = format!(
            "{}: {label}: stop -> {} in {} ms, live container processes {before} -> 0\n",
            self.eng.host(),
            run.code,
            run.took.as_millis()
        );
        eprint!("{line}");
        // the run's record, for the release notes and the issue
        let path = crate::paths::target_tmp().join("engine-gone-stops.md");
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            use std::io::Write;
            let _ = f.write_all(line.as_bytes());
        }
    }
}

impl Drop for Gone {
    fn drop(&mut self) {
        procs::kill_all(&self.id);
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

/// Samples, every few ms while stop runs, whether the address is bound and
/// whether the container has live processes: the address must not go while
/// the container may still serve.
struct AddressWatch {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<(bool, usize)>>,
}

impl AddressWatch {
    fn start(ns: String, ifname: String, id: String) -> AddressWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                // the address first: processes never come back during a
                // stop, so alive after "gone" means alive while it was gone
                let bound = has_addr(&ns, &ifname, V4);
                let n = live_pids(&id).len();
                samples.push((bound, n));
                std::thread::sleep(Duration::from_millis(5));
            }
            samples
        });
        AddressWatch { stop, handle }
    }
    #[track_caller]
    fn check(self, label: &str) {
        self.stop.store(true, Ordering::SeqCst);
        let samples = self.handle.join().unwrap_or_default();
        assert!(!samples.is_empty(), "{label}: no sample taken");
        let early = samples.iter().filter(|(b, n)| !b && *n > 0).count();
        assert_eq!(
            early,
            0,
            "{label}: the address was gone while the container still ran ({early} of {} samples)",
            samples.len()
        );
    }
}

/// The engine is back: it reports the container exited (or never running).
#[track_caller]
pub fn engine_sees_it_exited(g: &mut Gone) {
    g.eng.restart();
    let ok = agent::wait_for(Duration::from_secs(20), || {
        g.eng.inspect("svc", "{{.State.Status}}") == "exited"
    });
    assert!(
        ok,
        "restarted engine reports {:?}",
        g.eng.inspect("svc", "{{.State.Status}}")
    );
    expect(probe(&g.call).run(g.ns(), "monitor"), 7);
}

/// A unix socket that answers every request with HTTP 500.
pub fn failing_engine(tag: &str) -> String {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixListener;
    let path = format!("/run/croit-test-500-{}-{tag}.sock", std::process::id());
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => panic!("bind {path}: {e}"),
    };
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let body = r#"{"message":"injected failure"}"#;
                let reply = format!(
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nApi-Version: 1.41\r\n\r\n{body}",
                    body.len()
                );
                let mut buf = [0u8; 8192];
                // one reply per request head read; keep-alive connections get more
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 || conn.write_all(reply.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    path
}
