//! Engine endpoints that exist only for the sweep: a missing path, a regular
//! file, a socket that accepts and never answers, one that answers garbage.

use super::generate::Rng;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Engine endpoints that exist only for this test.
pub(super) struct Engines {
    pub(super) dir: PathBuf,
    pub(super) _held: Arc<Mutex<Vec<UnixStream>>>,
}

impl Engines {
    pub(super) fn new() -> Engines {
        let dir = std::env::temp_dir().join(format!("croit-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(dir.join("a-dir")) {
            panic!("{}: {e}", dir.display());
        }
        if let Err(e) = std::fs::write(dir.join("regular-file"), b"not a socket") {
            panic!("{e}");
        }
        // accepts and never answers
        let held = Arc::new(Mutex::new(Vec::new()));
        let hang = bind(&dir.join("hang.sock"));
        let keep = held.clone();
        std::thread::spawn(move || {
            for s in hang.incoming().flatten() {
                if let Ok(mut v) = keep.lock() {
                    v.push(s);
                }
            }
        });
        // answers with something that is not the Engine API
        let junk = bind(&dir.join("junk.sock"));
        std::thread::spawn(move || {
            for (n, s) in junk.incoming().flatten().enumerate() {
                std::thread::spawn(move || answer_junk(s, n));
            }
        });
        Engines { dir, _held: held }
    }

    pub(super) fn pick(&self, rng: &mut Rng, timeout: Duration) -> String {
        let path = |p: &str| self.dir.join(p).display().to_string();
        match rng.below(10) {
            // a hanging engine costs the whole timeout: only with short ones
            0 | 1 if timeout <= Duration::from_secs(3) => format!("unix://{}", path("hang.sock")),
            2 | 3 => format!("unix://{}", path("junk.sock")),
            4 => path("regular-file"),
            5 => format!("unix://{}", path("a-dir")),
            6 => rng
                .pick(&[
                    "tcp://127.0.0.1:2375",
                    "relative.sock",
                    "unix://",
                    "ssh://h",
                ])
                .to_string(),
            _ => format!("unix://{}", path("missing.sock")),
        }
    }
}

impl Drop for Engines {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(super) fn bind(p: &Path) -> UnixListener {
    match UnixListener::bind(p) {
        Ok(l) => l,
        Err(e) => panic!("bind {}: {e}", p.display()),
    }
}

pub(super) fn answer_junk(mut s: UnixStream, n: usize) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf);
    let reply: &[u8] = match n % 4 {
        0 => b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nnope!",
        1 => b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 44\r\n\r\n{\"State\":{\"Status\":\"frobnicated\",\"Pid\":-1}}",
        2 => b"\x00\xff garbage \r\n\r\n",
        _ => b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
    };
    let _ = s.write_all(reply);
}
