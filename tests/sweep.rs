//! The real binary against 1,200 generated environments: random actions
//! (unknown ones and none included), random and adversarial `OCF_RESKEY_*`
//! values, timeouts and intervals. Every call must end in a code 0..=7 before
//! its operation timeout, print no exit reason for 0 and 7 and exactly one
//! for every other code, and agree with the parameter parser (a malformed
//! definition is 6 for every action but stop, meta-data and usage). A quarter
//! of the calls pass the parameters as `--name=value` flags instead of
//! variables, with the same expectations.
//!
//! Nothing here can touch the machine: every call runs in a fresh network
//! namespace (`unshare -n`: only a down `lo`), and `docker_host` never names
//! a real engine: a missing path, a regular file, a socket that accepts and
//! never answers, one that answers garbage, or a malformed value. Needs root
//! for `unshare`; `SWEEP_SEED` repeats a run, `SWEEP_RUNS` changes its size.

use support::agent;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use croit_container::actions::timing::check_fit;
use croit_container::params::{Config, PARAMS};
use ra_api::Env;

/// How far past its operation timeout a call may end (process start-up on a
/// loaded machine); the agent itself aims at the timeout minus a margin.
const SLACK: Duration = Duration::from_millis(400);
/// A call still running this long after its timeout is killed (and fails).
const KILL_AFTER: Duration = Duration::from_secs(2);

/// splitmix64: small, seeded, good enough to pick test values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// Random text: printable ASCII, unicode, blanks, control characters
    /// (no NUL: an environment cannot carry one).
    fn text(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n)
            .map(|_| match self.below(6) {
                0 => char::from_u32(1 + (self.next() % 31) as u32).unwrap_or('x'),
                1 => char::from_u32((self.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}'),
                2 => ' ',
                _ => char::from(b' ' + (self.next() % 95) as u8),
            })
            .filter(|c| *c != '\0')
            .collect()
    }
}

const ACTIONS: &[&str] = &[
    "start",
    "stop",
    "monitor",
    "validate-all",
    "meta-data",
    "usage",
    "help",
    "promote",
    "demote",
    "notify",
    "reload",
    "migrate_to",
    "migrate_from",
    "status",
    "START",
    "",
    " start",
    "monitor\n",
    "-h",
    "--help",
    "reload-agent",
    "--version",
    "--bogus",
];

/// Values any parameter may get.
const ADVERSARIAL: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "+5",
    "1e3",
    "0x10",
    "18446744073709551616",
    "-9223372036854775809",
    "١٢",
    "yes",
    "OFF",
    "maybe",
    "192.0.2.10/33",
    "fe80::1%eth0/64",
    "::ffff:192.0.2.1/120",
    "224.0.0.1/4",
    "eth0:1",
    "a-very-long-interface-name",
    "..",
    "-bad",
    "ümlaut",
    "'unclosed",
    "sh -c 'touch /tmp/croit-sweep-owned'",
    "; touch /tmp/croit-sweep-owned",
    "$(touch /tmp/croit-sweep-owned)",
    "tcp://127.0.0.1:2375",
    "\u{202e}\u{200b}",
    "🦀",
];

/// A value for parameter `name`; `wild` cases draw from the adversarial
/// values and random text too, the others mostly parse.
fn value_for(rng: &mut Rng, name: &str, wild: bool) -> Option<String> {
    if name == "ip" && !wild {
        return Some(
            rng.pick(&["192.0.2.10/24", "2001:db8::10/64", "127.0.0.7/8"])
                .to_string(),
        );
    }
    // the namespace has only `lo`: name it often, so that start gets past the NIC
    if name == "nic" && !wild && rng.chance(60) {
        return Some("lo".into());
    }
    if rng.chance(if wild { 35 } else { 60 }) {
        return None;
    }
    let plausible: &[&str] = match name {
        "ip" => &[
            "192.0.2.10/24",
            "192.0.2.10",
            "2001:db8::10/64",
            "2001:db8::10",
            "127.0.0.7/8",
            "198.51.100.1/32",
        ],
        "nic" => &["lo", "eth0", "nosuch0", "bond0.100", "veth-x"],
        "container" => &["croit", "pxe", "/pxe-1", "croit-sweep-absent"],
        "arp_count" | "arp_count_refresh" => &["1", "5", "0", "1000", "1001", "100", "101"],
        "arp_interval" => &["0", "200", "60000", "60001"],
        "stop_timeout" => &["1", "30", "86400", "86401", "0"],
        "check_health" | "wait_healthy" | "fix_restart_policy" => {
            &["yes", "no", "true", "false", "1", "0", "on", "off", "ON "]
        }
        "monitor_cmd" => &[
            "true",
            "sh -c 'exit 3'",
            "test -f \"/tmp/a b\"",
            "; touch /tmp/croit-sweep-owned",
        ],
        _ => &["x"],
    };
    Some(match rng.below(10) {
        _ if !wild => rng.pick(plausible).to_string(),
        0..=4 => rng.pick(plausible).to_string(),
        5..=7 => rng.pick(ADVERSARIAL).to_string(),
        _ => rng.text(60),
    })
}

/// Engine endpoints that exist only for this test.
struct Engines {
    dir: PathBuf,
    _held: Arc<Mutex<Vec<UnixStream>>>,
}

impl Engines {
    fn new() -> Engines {
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

    fn pick(&self, rng: &mut Rng, timeout: Duration) -> String {
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

fn bind(p: &Path) -> UnixListener {
    match UnixListener::bind(p) {
        Ok(l) => l,
        Err(e) => panic!("bind {}: {e}", p.display()),
    }
}

fn answer_junk(mut s: UnixStream, n: usize) {
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

struct Case {
    action: Option<String>,
    vars: Vec<(String, String)>,
    /// The parameters go on the command line (`--name=value` after the
    /// action) instead of the environment: the answers must not change.
    flags: bool,
}

impl Case {
    fn generate(rng: &mut Rng, engines: &Engines) -> Case {
        let action = match rng.below(40) {
            0 => None,
            1 | 2 => Some(rng.text(12)),
            3..=24 => Some(rng.pick(&ACTIONS[..4]).to_string()),
            _ => Some(rng.pick(ACTIONS).to_string()),
        };
        // half the cases are well-formed definitions (drawn until one parses),
        // half anything at all
        let wild = rng.chance(50);
        let mut vars: Vec<(String, String)> = Vec::new();
        for _ in 0..20 {
            vars.clear();
            for spec in PARAMS {
                if spec.name == "docker_host" {
                    continue;
                }
                if let Some(v) = value_for(rng, spec.name, wild) {
                    vars.push((format!("OCF_RESKEY_{}", spec.name), v));
                }
            }
            let probe = [("OCF_RESKEY_docker_host".to_string(), "/x".to_string())];
            let with_host = vars.iter().cloned().chain(probe);
            if wild || Config::from_env(&Env::from_pairs(with_host)).is_ok() {
                break;
            }
        }
        let timeout = match rng.below(10) {
            0 => None,
            1 => Some(
                rng.pick(&["", "0", "-5", "abc", "2s", "99999999999999999999"])
                    .to_string(),
            ),
            _ => Some((100 + rng.below(2900)).to_string()),
        };
        if let Some(t) = &timeout {
            vars.push(("OCF_RESKEY_CRM_meta_timeout".into(), t.clone()));
        }
        match rng.below(4) {
            0 => {}
            1 => vars.push(("OCF_RESKEY_CRM_meta_interval".into(), "0".into())),
            2 => vars.push(("OCF_RESKEY_CRM_meta_interval".into(), "10000".into())),
            _ => vars.push(("OCF_RESKEY_CRM_meta_interval".into(), rng.text(6))),
        }
        if rng.chance(20) {
            vars.push((
                "OCF_CHECK_LEVEL".into(),
                rng.pick(&["0", "10", "20", "x"]).into(),
            ));
        }
        if rng.chance(30) {
            vars.push(("OCF_RESOURCE_INSTANCE".into(), rng.text(20)));
        }
        if rng.chance(10) {
            vars.push((
                format!("OCF_RESKEY_{}", "x".repeat(1 + rng.below(300))),
                rng.text(20),
            ));
        }
        let effective = Env::from_pairs(vars.clone()).timeout();
        // never the real engine: docker_host always set (an empty value would
        // mean the default socket), $DOCKER_HOST never
        vars.push((
            "OCF_RESKEY_docker_host".into(),
            engines.pick(rng, effective),
        ));
        let flags = rng.chance(25);
        Case {
            action,
            vars,
            flags,
        }
    }

    fn describe(&self) -> String {
        format!(
            "action {:?} {} {:?}",
            self.action,
            if self.flags { "flags" } else { "env" },
            self.vars
        )
    }

    /// `--name=value` for a parameter's variable, when passed as flags.
    fn flag(&self, key: &str, value: &str) -> Option<String> {
        let name = key.strip_prefix("OCF_RESKEY_")?;
        (self.flags && PARAMS.iter().any(|p| p.name == name))
            .then(|| format!("--{}={value}", name.replace('_', "-")))
    }
}

struct Outcome {
    code: i32,
    stdout: String,
    reasons: Vec<String>,
    took: Duration,
    timeout: Duration,
}

fn run(case: &Case) -> Outcome {
    let timeout = Env::from_pairs(case.vars.clone()).timeout();
    let mut cmd = Command::new("unshare");
    cmd.arg("-n").arg(agent::bin());
    if let Some(a) = &case.action {
        cmd.arg(a);
    }
    cmd.args(case.vars.iter().filter_map(|(k, v)| case.flag(k, v)));
    cmd.env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .envs(
            case.vars
                .iter()
                .filter(|(k, v)| case.flag(k, v).is_none())
                .map(|(k, v)| (k, v)),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let t0 = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("unshare: {e} (util-linux)"),
    };
    // drain both pipes while waiting, so a chatty call cannot block
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut o = String::new();
        let mut e = String::new();
        if let Some(s) = out.as_mut() {
            let _ = s.read_to_string(&mut o);
        }
        if let Some(s) = err.as_mut() {
            let _ = s.read_to_string(&mut e);
        }
        (o, e)
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if t0.elapsed() > timeout + KILL_AFTER => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "still running {} ms after its {} ms timeout: killed; {}",
                    KILL_AFTER.as_millis(),
                    timeout.as_millis(),
                    case.describe()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("wait: {e}"),
        }
    };
    let took = t0.elapsed();
    let (stdout, stderr) = reader.join().unwrap_or_default();
    let code = match status.code() {
        Some(c) => c,
        None => panic!(
            "killed by a signal ({status}): {}\n{stderr}",
            case.describe()
        ),
    };
    let reasons = stderr
        .lines()
        .filter(|l| l.contains("ocf-exit-reason:"))
        .map(str::to_string)
        .collect();
    Outcome {
        code,
        stdout,
        reasons,
        took,
        timeout,
    }
}

/// Whether the case's `docker_host` is the regular file or the directory.
fn not_a_socket(case: &Case) -> bool {
    case.vars.iter().any(|(k, v)| {
        k == "OCF_RESKEY_docker_host" && (v.ends_with("/regular-file") || v.ends_with("/a-dir"))
    })
}

fn check(case: &Case, o: &Outcome) {
    let what = case.describe();
    assert!((0..=7).contains(&o.code), "code {}: {what}", o.code);
    assert!(
        o.took <= o.timeout + SLACK,
        "took {} ms with a {} ms timeout: {what}",
        o.took.as_millis(),
        o.timeout.as_millis()
    );
    if o.code == 0 || o.code == 7 {
        assert!(
            o.reasons.is_empty(),
            "code {} with a reason {:?}: {what}",
            o.code,
            o.reasons
        );
    } else {
        assert_eq!(
            o.reasons.len(),
            1,
            "code {}: {:?}: {what}",
            o.code,
            o.reasons
        );
        let line = &o.reasons[0];
        assert!(line.starts_with("ocf-exit-reason:"), "{line:?}");
        let text = &line["ocf-exit-reason:".len()..];
        assert!(
            !text.trim().is_empty() && text.chars().count() <= 128,
            "{line:?}"
        );
    }
    let action = case.action.as_deref();
    let parsed = Config::from_env(&Env::from_pairs(case.vars.clone()));
    match action {
        Some("meta-data") => {
            assert_eq!(o.code, 0, "{what}");
            assert!(
                o.stdout.contains("<resource-agent name=\"container\""),
                "{what}"
            );
        }
        Some("usage" | "help") => assert_eq!(o.code, 0, "{what}"),
        Some("start" | "monitor" | "validate-all") if parsed.is_err() => {
            assert_eq!(o.code, 6, "{parsed:?}: {what}")
        }
        // with no engine and an empty namespace nothing can be running
        Some("start") => assert!(matches!(o.code, 1 | 5), "start {}: {what}", o.code),
        // a path that holds no socket is this node's mistake: 5, never 7
        Some("monitor") if not_a_socket(case) => {
            assert!(matches!(o.code, 1 | 5), "monitor {}: {what}", o.code)
        }
        Some("monitor") => assert!(matches!(o.code, 1 | 7), "monitor {}: {what}", o.code),
        // rounds that cannot fit the timeouts are 6 (actions/timing.rs)
        Some("validate-all")
            if parsed
                .as_ref()
                .is_ok_and(|c| check_fit(c, o.timeout).is_err()) =>
        {
            assert_eq!(o.code, 6, "{what}")
        }
        Some("validate-all") => assert!(matches!(o.code, 0 | 1 | 5), "{}: {what}", o.code),
        Some("stop") => assert!(matches!(o.code, 0 | 1), "stop {}: {what}", o.code),
        // reload-agent checks the values and changes nothing on the node
        // (rounds that do not fit the meta-data's timeouts are only a
        // warning there: issue 21 item 6)
        Some("reload-agent") if parsed.is_err() => assert_eq!(o.code, 6, "{parsed:?}: {what}"),
        Some("reload-agent") => assert_eq!(o.code, 0, "{what}"),
        // the command line's own answers (ra_api::cli)
        Some("-h" | "--help" | "--version") => {
            assert_eq!(o.code, 0, "{what}");
            assert!(o.stdout.contains("container "), "{what}: {}", o.stdout);
        }
        Some("--bogus") => assert_eq!(o.code, 2, "{what}"),
        // other words that look like options: an option (help, version:
        // 0), a malformed command line (2), or no action at all (`--`: 3)
        Some(a) if a.starts_with('-') && a != "-" => {
            assert!(matches!(o.code, 0 | 2 | 3), "{a:?} {}: {what}", o.code)
        }
        _ => assert_eq!(o.code, 3, "unsupported action: {what}"),
    }
}

#[test]
#[ignore = "needs root (unshare -n): run with --include-ignored"]
fn a_thousand_generated_environments_end_in_a_known_code_before_their_deadline() {
    let seed = std::env::var("SWEEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    let runs: usize = std::env::var("SWEEP_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1200);
    eprintln!("sweep: seed {seed} (SWEEP_SEED={seed} repeats it), {runs} calls");
    let owned = Path::new("/tmp/croit-sweep-owned");
    let _ = std::fs::remove_file(owned);
    let engines = Engines::new();
    let mut rng = Rng(seed);
    let cases: Vec<Case> = (0..runs)
        .map(|_| Case::generate(&mut rng, &engines))
        .collect();
    // four at a time: most of a call is waiting (a hanging engine)
    let next = Arc::new(Mutex::new(0usize));
    let tally = Arc::new(Mutex::new(BTreeMap::<(String, i32), usize>::new()));
    let worst = Arc::new(Mutex::new(Duration::ZERO));
    let cases = Arc::new(cases);
    let t0 = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (next, tally, worst, cases) =
                (next.clone(), tally.clone(), worst.clone(), cases.clone());
            std::thread::spawn(move || loop {
                let i = {
                    let Ok(mut n) = next.lock() else { return };
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(case) = cases.get(i) else { return };
                let o = run(case);
                check(case, &o);
                let key = match case.action.as_deref() {
                    Some(a) if ACTIONS[..13].contains(&a) => a.to_string(),
                    _ => "(other)".to_string(),
                };
                if let Ok(mut t) = tally.lock() {
                    *t.entry((key, o.code)).or_default() += 1;
                }
                if let Ok(mut w) = worst.lock() {
                    *w = (*w).max(o.took.saturating_sub(o.timeout));
                }
            })
        })
        .collect();
    let mut failed = Vec::new();
    for w in workers {
        if let Err(e) = w.join() {
            failed.push(e);
        }
    }
    if let Some(e) = failed.pop() {
        std::panic::resume_unwind(e);
    }
    let tally = tally.lock().map(|t| t.clone()).unwrap_or_default();
    let worst = worst.lock().map(|w| *w).unwrap_or_default();
    eprintln!(
        "sweep: {runs} calls in {} ms; latest answer {} ms past its timeout; action/code counts:",
        t0.elapsed().as_millis(),
        worst.as_millis()
    );
    for ((a, c), n) in &tally {
        eprintln!("  {a:>14} {c}: {n}");
    }
    assert_eq!(tally.values().sum::<usize>(), runs);
    // the spread the sweep is for: every code a generated case can reach
    for code in [0, 1, 3, 5, 6, 7] {
        assert!(
            tally.keys().any(|(_, c)| *c == code),
            "no call ended in {code}: {tally:?}"
        );
    }
    assert!(
        !owned.exists(),
        "something ran a shell: {} exists",
        owned.display()
    );
}
