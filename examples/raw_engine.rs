//! The floor for the benchmarks (bench/run.sh): one Engine API request over
//! the unix socket with nothing else, no runtime, no parsing beyond the
//! status line.
//!
//!     raw_engine /run/croit-bench/docker.sock GET /containers/croit/json
//!
//! Exits 0 when the status is 2xx or 304, 1 otherwise.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: raw_engine SOCKET METHOD PATH");
        std::process::exit(2);
    }
    let code = match request(&args[1], &args[2], &args[3]) {
        Ok(status) if (200..300).contains(&status) || status == 304 => 0,
        Ok(status) => {
            eprintln!("HTTP {status}");
            1
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    };
    std::process::exit(code);
}

fn request(socket: &str, method: &str, path: &str) -> std::io::Result<u16> {
    let mut s = UnixStream::connect(socket)?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(64)]).into_owned();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {head:?}")))
}
