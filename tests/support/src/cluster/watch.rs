//! Watching from outside: background processes whose lines are collected
//! (`ip monitor`, `tcpdump`), the client's ARP frames, the client served in
//! a loop, and the timestamps of those lines and of the nodes' logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::network::{client_get, CLIENT_MAC};
use super::{sh_ok, VIP};

/// A process whose stdout lines are collected in the background.
pub struct Watcher {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<thread::JoinHandle<()>>,
}

impl Watcher {
    pub fn start(cmd: &str, args: &[&str], ready_on_stderr: Option<&str>) -> Watcher {
        let mut child = Command::new(cmd)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("watcher");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout");
        let l2 = lines.clone();
        let reader = thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(mut v) = l2.lock() {
                    v.push(line);
                }
            }
        });
        let err = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let want = ready_on_stderr.map(str::to_string);
        thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(w) = &want {
                    if !sent && line.contains(w.as_str()) {
                        let _ = tx.send(());
                        sent = true;
                    }
                }
            }
        });
        if ready_on_stderr.is_some() {
            assert!(
                rx.recv_timeout(Duration::from_secs(10)).is_ok(),
                "{cmd} did not get ready"
            );
        } else {
            thread::sleep(Duration::from_millis(200));
        }
        Watcher {
            child,
            lines,
            reader: Some(reader),
        }
    }

    pub fn stop(mut self) -> Vec<String> {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.lines.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An ARP frame as the client saw it.
#[derive(Debug, Clone)]
pub struct ArpLine {
    pub t: f64,
    pub src_mac: String,
    pub text: String,
}

impl ArpLine {
    /// A gratuitous ARP for the VIP (request who-has VIP tell VIP, or a broadcast reply).
    pub fn is_garp(&self) -> bool {
        self.text.contains(&format!("who-has {VIP} tell {VIP}"))
            || (self.text.contains(&format!("Reply {VIP} is-at"))
                && self.text.contains("ff:ff:ff:ff:ff:ff"))
    }
    /// Any answer for the VIP (gratuitous or not).
    pub fn is_reply_for_vip(&self) -> bool {
        self.text.contains(&format!("Reply {VIP} is-at"))
    }
    /// A question the client itself asked about the VIP.
    pub fn is_client_request_for_vip(&self) -> bool {
        self.src_mac == CLIENT_MAC && self.text.contains(&format!("who-has {VIP} tell"))
    }
}

pub fn parse_tcpdump(lines: &[String]) -> Vec<ArpLine> {
    lines
        .iter()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let t: f64 = it.next()?.parse().ok()?;
            let src = it.next()?.to_lowercase();
            Some(ArpLine {
                t,
                src_mac: src,
                text: l.clone(),
            })
        })
        .collect()
}

/// `[2026-11-23T05:30:24.789029] ...` (ip -ts monitor) to epoch seconds.
pub fn ip_ts(line: &str) -> Option<f64> {
    let s = line.strip_prefix('[')?.split(']').next()?;
    let (date, time) = s.split_once('T')?;
    let d: Vec<i64> = date.split('-').filter_map(|x| x.parse().ok()).collect();
    let (hms, frac) = time.split_once('.')?;
    let t: Vec<i64> = hms.split(':').filter_map(|x| x.parse().ok()).collect();
    if d.len() != 3 || t.len() != 3 {
        return None;
    }
    let f: f64 = format!("0.{frac}").parse().ok()?;
    Some(local_epoch(d[0], d[1], d[2], t[0], t[1], t[2]) + f)
}

/// `Nov 23 05:30:00.123 ...` (corosync and pacemaker hires logs) to epoch seconds.
pub fn log_ts(line: &str, year: i64) -> Option<f64> {
    let mut it = line.split_whitespace();
    let mon = it.next()?;
    let day: i64 = it.next()?.parse().ok()?;
    let time = it.next()?;
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = months.iter().position(|x| *x == mon)? as i64 + 1;
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i64> = hms.split(':').filter_map(|x| x.parse().ok()).collect();
    if t.len() != 3 {
        return None;
    }
    let f: f64 = format!("0.{frac}").parse().ok()?;
    Some(local_epoch(year, m, day, t[0], t[1], t[2]) + f)
}

fn utc_offset() -> i64 {
    use std::sync::OnceLock;
    static OFF: OnceLock<i64> = OnceLock::new();
    *OFF.get_or_init(|| {
        let z = sh_ok("date", &["+%z"]);
        let z = z.trim();
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let digits: String = z.chars().filter(|c| c.is_ascii_digit()).collect();
        let v: i64 = digits.parse().unwrap_or(0);
        sign * ((v / 100) * 3600 + (v % 100) * 60)
    })
}

pub fn local_epoch(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> f64 {
    // days from civil (Howard Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = if y2 >= 0 { y2 } else { y2 - 399 } / 400;
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    (days * 86400 + hh * 3600 + mm * 60 + ss - utc_offset()) as f64
}

pub fn this_year() -> i64 {
    sh_ok("date", &["+%Y"]).trim().parse().unwrap_or(1970)
}

/// First line of a log at or after `since` that contains `needle`.
pub fn first_log(text: &str, needle: &str, since: f64) -> Option<f64> {
    let year = this_year();
    text.lines()
        .filter(|l| l.contains(needle))
        .filter_map(|l| log_ts(l, year))
        .find(|t| *t >= since - 0.05)
}

/// The time of the last line with `needle` at or after `since`.
pub fn last_log(text: &str, needle: &str, since: f64) -> Option<f64> {
    let year = this_year();
    text.lines()
        .filter(|l| l.contains(needle))
        .filter_map(|l| log_ts(l, year))
        .filter(|t| *t >= since - 0.05)
        .reduce(f64::max)
}

/// What the client and the node saw while something was being changed.
#[derive(Debug)]
pub struct Seen {
    pub requests: usize,
    pub failed: usize,
    pub addr_deleted: usize,
}

/// Client requests every 50 ms and the node's address events, in the background.
pub struct ServiceWatch {
    stop: Arc<AtomicBool>,
    client: thread::JoinHandle<(usize, usize)>,
    addr: Watcher,
}

impl ServiceWatch {
    pub fn start(node: &str) -> ServiceWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let s2 = stop.clone();
        let client = thread::spawn(move || {
            let (mut n, mut bad) = (0, 0);
            while !s2.load(Ordering::Relaxed) {
                n += 1;
                if client_get(Duration::from_secs(1)).is_none() {
                    bad += 1;
                }
                thread::sleep(Duration::from_millis(50));
            }
            (n, bad)
        });
        let ns = format!("hc-{node}");
        let addr = Watcher::start("ip", &["-n", &ns, "-ts", "monitor", "address"], None);
        ServiceWatch { stop, client, addr }
    }

    pub fn stop(self) -> Seen {
        self.stop.store(true, Ordering::Relaxed);
        let (requests, failed) = self.client.join().unwrap_or((0, usize::MAX));
        let lines = self.addr.stop();
        Seen {
            requests,
            failed,
            addr_deleted: lines
                .iter()
                .filter(|l| l.contains("Deleted") && l.contains(&format!("inet {VIP}/")))
                .count(),
        }
    }
}

/// One request of the client: when it was sent (epoch seconds) and the
/// line it was served (`None`: no answer within 1 s).
#[derive(Debug, Clone)]
pub struct ClientSample {
    pub at: f64,
    pub got: Option<String>,
}

/// The client asking for the service every `every` in the background, each
/// answer kept (what it was served, not only whether).
pub struct ClientSampler {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<Vec<ClientSample>>,
}

impl ClientSampler {
    pub fn start(every: Duration) -> ClientSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let s2 = stop.clone();
        let handle = thread::spawn(move || {
            let mut v = Vec::new();
            while !s2.load(Ordering::Relaxed) {
                let at = super::now();
                let got = client_get(Duration::from_secs(1));
                v.push(ClientSample { at, got });
                thread::sleep(every);
            }
            v
        });
        ClientSampler { stop, handle }
    }

    pub fn stop(self) -> Vec<ClientSample> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}
