//! Logging as the OCF shell library does it, through `tracing`.
//!
//! Tag `<agent>(<instance>)[<pid>]`; messages prefixed `ERROR: `,
//! `WARNING: `, `INFO: `, `DEBUG: `. To syslog when `HA_LOGFACILITY` names a
//! facility (not `none`), appended to `HA_LOGFILE` when set, to stderr when
//! neither is set. Debug only when `HA_debug` is set and not `0`, or
//! `OCF_TRACE_RA` is true.
//!
//! Logging never fails and never blocks an action: a syslog datagram goes
//! out on a non-blocking socket and is dropped when the reader's queue is
//! full; the log file is opened and written with `O_NONBLOCK`, one
//! `write(2)` per line, and the line is dropped when the write would block
//! (a FIFO without a reader or with a full pipe). A regular file on a hung
//! file system can still block inside the kernel, where no flag helps: the
//! watchdog of [`crate::run`] answers before Pacemaker's timeout then.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixDatagram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

use crate::env::Env;
use crate::param::parse_bool;
use crate::reason::exit_reason_line;

/// Where log lines go, decided once from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sinks {
    /// `agent(instance)[pid]`.
    pub tag: String,
    /// Syslog facility number, when syslog is on.
    pub facility: Option<u8>,
    /// File to append to.
    pub logfile: Option<String>,
    /// Whether lines go to stderr (neither syslog nor file set).
    pub stderr: bool,
    /// Whether DEBUG lines are written.
    pub debug: bool,
}

impl Sinks {
    /// Decides the sinks from the environment.
    pub fn from_env(env: &Env, agent: &str) -> Sinks {
        let tag = match env.instance() {
            Some(i) => format!("{agent}({i})[{}]", std::process::id()),
            None => format!("{agent}[{}]", std::process::id()),
        };
        let facility = env
            .var("HA_LOGFACILITY")
            .map(str::trim)
            .filter(|f| !f.is_empty() && *f != "none")
            .map(facility_number);
        let logfile = env
            .var("HA_LOGFILE")
            .filter(|f| !f.trim().is_empty())
            .map(str::to_string);
        let debug = env
            .var("HA_debug")
            .is_some_and(|v| !v.is_empty() && v != "0")
            || env
                .var("OCF_TRACE_RA")
                .is_some_and(|v| parse_bool(v) == Ok(true));
        let stderr = facility.is_none() && logfile.is_none();
        Sinks {
            tag,
            facility,
            logfile,
            stderr,
            debug,
        }
    }

    /// Whether a line of `level` is written at all.
    pub fn enabled(&self, level: Level) -> bool {
        level != Level::TRACE && (level != Level::DEBUG || self.debug)
    }

    /// Writes one message to every sink. `to_stderr: false` keeps it off
    /// stderr (an exit reason is already there).
    pub fn emit(&self, level: Level, msg: &str, to_stderr: bool) {
        let line = format!("{}{msg}", prefix(level));
        if let Some(fac) = self.facility {
            let pri = u16::from(fac) * 8 + u16::from(severity(level));
            if let Some(sock) = syslog_socket() {
                // EAGAIN (the reader's queue is full) drops the line
                let _ = sock.send_to(
                    format!("<{pri}>{}: {line}", self.tag).as_bytes(),
                    SYSLOG_PATH,
                );
            }
        }
        if let Some(path) = &self.logfile {
            append_line(path, &format!("{}:\t{} {line}\n", self.tag, timestamp()));
        }
        if self.stderr && to_stderr {
            let _ = writeln!(std::io::stderr(), "{} {}: {line}", timestamp(), self.tag);
        }
    }
}

/// Where syslog listens.
const SYSLOG_PATH: &str = "/dev/log";

/// One non-blocking, unbound datagram socket for every syslog line.
fn syslog_socket() -> Option<&'static UnixDatagram> {
    static SOCKET: OnceLock<Option<UnixDatagram>> = OnceLock::new();
    SOCKET
        .get_or_init(|| {
            let sock = UnixDatagram::unbound().ok()?;
            sock.set_nonblocking(true).ok()?;
            Some(sock)
        })
        .as_ref()
}

/// Appends `text` with one non-blocking `write(2)`: dropped when the file
/// cannot be opened without waiting (ENXIO: a FIFO without a reader) or
/// the write would block (EAGAIN: a full pipe). Lines up to `PIPE_BUF`
/// bytes are never interleaved or cut.
fn append_line(path: &str, text: &str) {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path);
    if let Ok(mut f) = file {
        let _ = f.write(text.as_bytes());
    }
}

fn prefix(level: Level) -> &'static str {
    match level {
        Level::ERROR => "ERROR: ",
        Level::WARN => "WARNING: ",
        Level::INFO => "INFO: ",
        _ => "DEBUG: ",
    }
}

fn severity(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// Syslog facility names as `logger` knows them; unknown names are `daemon`.
fn facility_number(name: &str) -> u8 {
    match name.to_ascii_lowercase().as_str() {
        "kern" => 0,
        "user" => 1,
        "mail" => 2,
        "auth" | "security" => 4,
        "syslog" => 5,
        "lpr" => 6,
        "news" => 7,
        "uucp" => 8,
        "cron" => 9,
        "authpriv" => 10,
        "ftp" => 11,
        "local0" => 16,
        "local1" => 17,
        "local2" => 18,
        "local3" => 19,
        "local4" => 20,
        "local5" => 21,
        "local6" => 22,
        "local7" => 23,
        _ => 3,
    }
}

/// UTC `YYYY/MM/DD_HH:MM:SS` without a time-zone database.
fn timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}/{m:02}/{d:02}_{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A minimal `tracing` subscriber writing to [`Sinks`].
struct ShellLog {
    sinks: Sinks,
    next_id: AtomicU64,
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        } else {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_string();
        } else {
            self.0.push_str(&format!(" {}={value}", field.name()));
        }
    }
}

impl Subscriber for ShellLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.sinks.enabled(*metadata.level())
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed).max(1))
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut m = Message(String::new());
        event.record(&mut m);
        self.sinks.emit(*event.metadata().level(), &m.0, true);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

static SINKS: std::sync::OnceLock<Sinks> = std::sync::OnceLock::new();

/// Installs the global subscriber for `agent`. Calling it again does nothing.
/// Writing a line never blocks: see the module's rules (syslog datagrams and
/// log file lines that cannot go out at once are dropped).
pub fn init_logging(env: &Env, agent: &str) {
    let sinks = SINKS.get_or_init(|| Sinks::from_env(env, agent)).clone();
    let _ = tracing::subscriber::set_global_default(ShellLog {
        sinks,
        next_id: AtomicU64::new(1),
    });
}

/// Prints the exit reason line on stderr and logs it as an error to syslog
/// and the log file (not a second time to stderr), as `ocf_exit_reason` does.
pub fn exit_reason(text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", exit_reason_line(text));
    if let Some(sinks) = SINKS.get() {
        sinks.emit(Level::ERROR, text, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn stderr_only_without_facility_or_file() {
        let s = Sinks::from_env(&env(&[("OCF_RESOURCE_INSTANCE", "pxe")]), "container");
        assert!(s.stderr && s.facility.is_none() && s.logfile.is_none() && !s.debug);
        assert!(s.tag.starts_with("container(pxe)["), "{}", s.tag);
        let s = Sinks::from_env(&env(&[("HA_LOGFACILITY", "none")]), "container");
        assert!(s.stderr && s.tag.starts_with("container["));
    }

    #[test]
    fn syslog_and_file_replace_stderr() {
        let s = Sinks::from_env(
            &env(&[
                ("HA_LOGFACILITY", "daemon"),
                ("HA_LOGFILE", "/var/log/x.log"),
            ]),
            "a",
        );
        assert_eq!(s.facility, Some(3));
        assert_eq!(s.logfile.as_deref(), Some("/var/log/x.log"));
        assert!(!s.stderr);
        assert_eq!(
            Sinks::from_env(&env(&[("HA_LOGFACILITY", "local5")]), "a").facility,
            Some(21)
        );
    }

    #[test]
    fn debug_only_when_asked() {
        let off = Sinks::from_env(&env(&[("HA_debug", "0")]), "a");
        assert!(!off.enabled(Level::DEBUG) && off.enabled(Level::INFO));
        assert!(Sinks::from_env(&env(&[("HA_debug", "1")]), "a").enabled(Level::DEBUG));
        assert!(Sinks::from_env(&env(&[("OCF_TRACE_RA", "yes")]), "a").enabled(Level::DEBUG));
        assert!(!Sinks::from_env(&env(&[("OCF_TRACE_RA", "nope")]), "a").enabled(Level::DEBUG));
    }

    #[test]
    fn file_lines_carry_tag_time_and_level() {
        let path = std::env::temp_dir().join(format!("ra-api-log-{}.log", std::process::id()));
        let p = path.to_string_lossy().to_string();
        let s = Sinks::from_env(
            &env(&[("HA_LOGFILE", &p), ("OCF_RESOURCE_INSTANCE", "r")]),
            "agent",
        );
        s.emit(Level::WARN, "careful", true);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        assert!(text.starts_with("agent(r)["), "{text}");
        assert!(text.trim_end().ends_with(" WARNING: careful"), "{text}");
    }

    #[test]
    fn a_fifo_nobody_reads_is_skipped_at_once() {
        let path = std::env::temp_dir().join(format!("ra-api-fifo-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let c = std::ffi::CString::new(path.to_string_lossy().as_bytes()).unwrap_or_default();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let p = path.to_string_lossy().to_string();
        let s = Sinks::from_env(&env(&[("HA_LOGFILE", &p)]), "agent");
        let t0 = std::time::Instant::now();
        for _ in 0..100 {
            s.emit(Level::INFO, "nobody reads this", true);
        }
        let took = t0.elapsed();
        let _ = std::fs::remove_file(&path);
        assert!(took < std::time::Duration::from_secs(1), "{took:?}");
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
    }
}
