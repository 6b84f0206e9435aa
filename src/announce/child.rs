//! The background announcer: the announcement rounds that are still due
//! when start is otherwise done go out from a forked copy of the agent, so
//! that start returns as soon as the service is up (IPaddr2's `arp_bg`,
//! without a shell or another program).
//!
//! - The child is forked, never exec'd: it runs [`Handover::run`] (the
//!   fork-safe executor of [`super::handover`]) and exits
//!   with `_exit`. The parent had threads (the watchdog, the log writer),
//!   so the child only makes system calls on descriptors opened before the
//!   fork and uses memory allocated before it: no allocation, no lock, no
//!   runtime, no logging.
//! - It leaves Pacemaker's pipes (stdin, stdout and stderr become
//!   `/dev/null`, every other inherited descriptor is closed) and its
//!   process group (`setsid`): the operation ends when start exits.
//! - One child serves every group of addresses (one family on one link),
//!   on one link or several, each group on its own schedule.
//! - Before every round it asks the kernel whether every address is still
//!   bound on its interface, and ends when one is not (or when it cannot
//!   tell).
//! - At most one per resource: its pid and start time are recorded under
//!   `$HA_RSCTMP`; start and stop end a recorded one (SIGKILL, then wait
//!   until it is gone) before they touch the address, so no announcement
//!   leaves the node after stop returned.

use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::handover::Handover;

/// A process as recorded: its pid and its start time (field 22 of
/// `/proc/<pid>/stat`), so a reused pid is never mistaken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Proc {
    pid: i32,
    started: u64,
}

/// Field 22 (start time) and field 3 (state) of `/proc/<pid>/stat`.
fn stat(pid: i32) -> Option<(u64, char)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command is in parentheses and may hold anything: split after it
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // rest starts at field 3; field 22 is 19 further
    let started = fields.nth(18)?.parse().ok()?;
    Some((started, state))
}

impl Proc {
    fn render(&self) -> String {
        format!("pid={}\nstarted={}\n", self.pid, self.started)
    }

    fn parse(text: &str) -> Option<Proc> {
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
        };
        Some(Proc {
            pid: field("pid")?.parse().ok().filter(|p| *p > 1)?,
            started: field("started")?.parse().ok()?,
        })
    }

    /// Still this process, and not yet a zombie.
    fn alive(&self) -> bool {
        stat(self.pid).is_some_and(|(s, state)| s == self.started && state != 'Z')
    }
}

/// Forks the announcer for `h` and records it; returns its pid. `None`
/// when it could not be forked or recorded (a forked child is then ended
/// again): the caller sends the rounds itself.
pub fn spawn(h: &mut Handover, record_at: &Path) -> Option<i32> {
    use nix::unistd::{fork, ForkResult};
    let devnull_file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .ok()?;
    let keep = h.sockets()?;
    let devnull = std::os::fd::AsRawFd::as_raw_fd(&devnull_file);
    // SAFETY: the child runs only `child`, which makes async-signal-safe
    // system calls and uses what was allocated before the fork, then
    // `_exit`s (no destructor, no atexit handler runs there).
    match unsafe { fork() } {
        Ok(ForkResult::Child) => child(h, &keep, devnull),
        Ok(ForkResult::Parent { child }) => {
            let pid = child.as_raw();
            match record(record_at, pid) {
                Ok(()) => Some(pid),
                Err(e) => {
                    tracing::warn!(
                        "cannot record the background announcer under {} ({e}): \
                         announcing in the foreground",
                        record_at.display()
                    );
                    let _ = kill(child, Signal::SIGKILL);
                    let _ = nix::sys::wait::waitpid(child, None);
                    None
                }
            }
        }
        Err(e) => {
            tracing::warn!(
                "cannot fork the background announcer ({e}): announcing in the foreground"
            );
            None
        }
    }
}

/// The child: detach, announce, `_exit`.
fn child(h: &mut Handover, keep: &[i32], devnull: i32) -> ! {
    let _ = nix::unistd::setsid();
    for fd in 0..3 {
        if !keep.contains(&fd) {
            // SAFETY: dup2 onto the standard descriptors, which this
            // process owns; nothing in it uses them as Rust objects.
            unsafe { nix::libc::dup2(devnull, fd) };
        }
    }
    close_all_but(keep);
    let _ = nix::unistd::chdir("/");
    h.run(None);
    // SAFETY: ends the child without running the parent's destructors.
    unsafe { nix::libc::_exit(0) }
}

/// Closes every descriptor from 3 up except `keep` (sorted; close_range(2)
/// over the gaps).
fn close_all_but(keep: &[i32]) {
    let mut from: u32 = 3;
    for fd in keep {
        let Ok(fd) = u32::try_from(*fd) else { continue };
        if fd >= from {
            if fd > from {
                close_range(from, fd - 1);
            }
            from = fd + 1;
        }
    }
    close_range(from, u32::MAX);
}

fn close_range(first: u32, last: u32) {
    // SAFETY: a plain system call on descriptor numbers.
    let r = unsafe { nix::libc::syscall(nix::libc::SYS_close_range, first, last, 0u32) };
    if r != 0 {
        // before Linux 5.9: one by one, up to a sane limit
        for fd in first..=last.min(4095) {
            // SAFETY: as above.
            unsafe { nix::libc::close(fd as i32) };
        }
    }
}

fn record(path: &Path, pid: i32) -> std::io::Result<()> {
    let started = stat(pid)
        .map(|(s, _)| s)
        .ok_or_else(|| std::io::Error::other(format!("no /proc/{pid}/stat")))?;
    crate::state::write_atomic(path, &Proc { pid, started }.render())
}

/// How long [`end`] waits for a SIGKILLed announcer to be gone.
const GONE: Duration = Duration::from_secs(1);

/// Ends the announcer recorded at `path` (the resource's, see
/// [`crate::state::State::announcer_path`]), if one runs, and returns once
/// it is gone. `Err` (with the reason) only when it survives SIGKILL for a
/// second: it may still send.
pub fn end(path: &Path) -> Result<(), String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    if let Some(p) = Proc::parse(&text) {
        if p.alive() {
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            let t0 = Instant::now();
            while p.alive() {
                if t0.elapsed() > GONE {
                    return Err(format!(
                        "the background announcer (pid {}) survived SIGKILL",
                        p.pid
                    ));
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            tracing::debug!("ended the background announcer (pid {})", p.pid);
        }
    }
    let _ = std::fs::remove_file(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_parses_back_and_garbage_is_nothing() {
        let p = Proc {
            pid: 4242,
            started: 987_654,
        };
        assert_eq!(Proc::parse(&p.render()), Some(p));
        for bad in [
            "",
            "pid=1\nstarted=5\n",
            "pid=x\nstarted=5",
            "pid=7\n",
            "started=3",
        ] {
            assert_eq!(Proc::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn stat_reads_this_process_and_a_reused_pid_is_not_it() {
        let me = std::process::id() as i32;
        let Some((started, state)) = stat(me) else {
            panic!("no /proc/self/stat")
        };
        assert!(started > 0);
        assert!(matches!(state, 'R' | 'S'), "{state}");
        assert!(Proc { pid: me, started }.alive());
        assert!(!Proc {
            pid: me,
            started: started + 1
        }
        .alive());
    }

    #[test]
    fn end_kills_the_recorded_process_and_forgets_it() {
        let dir = std::env::temp_dir().join(format!("croit-ann-{}", std::process::id()));
        let mut sleeper = match std::process::Command::new("sleep").arg("30").spawn() {
            Ok(c) => c,
            Err(e) => panic!("sleep: {e}"),
        };
        let pid = sleeper.id() as i32;
        let at = dir.join("c1.announcer");
        if let Err(e) = record(&at, pid) {
            panic!("record: {e}");
        }
        // reap it as soon as it dies, as init does for a real announcer
        let reaper = std::thread::spawn(move || sleeper.wait());
        assert_eq!(end(&at), Ok(()));
        assert!(!at.exists());
        let status = reaper.join().ok().and_then(Result::ok);
        assert_eq!(
            status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s)),
            Some(9)
        );
        assert_eq!(end(&at), Ok(()), "nothing recorded: nothing to do");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
