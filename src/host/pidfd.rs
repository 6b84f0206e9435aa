//! A process pinned by a pidfd (`pidfd_open`, Linux 5.3+): a signal sent
//! through it reaches that process or nobody, never a later process that
//! was given the same pid number after it was reaped. nix 0.31 has neither
//! call, so both are raw syscalls.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::signal::Signal;

/// Why a pidfd could not be opened or used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PidFdError {
    /// The kernel has no pidfds (before 5.3, or a seccomp filter that
    /// answers ENOSYS): the caller may fall back to signalling by number.
    #[error("pidfd_open is not supported by this kernel")]
    Unsupported,
    /// The process is gone (reaped): nothing was or will be signalled.
    #[error("no such process")]
    Gone,
    /// Anything else (EMFILE, EPERM from a filter, ...).
    #[error("{0}")]
    Other(Errno),
}

impl PidFdError {
    fn from_errno(e: Errno) -> PidFdError {
        match e {
            Errno::ENOSYS => PidFdError::Unsupported,
            Errno::ESRCH => PidFdError::Gone,
            e => PidFdError::Other(e),
        }
    }
}

/// One process, pinned. The fd is closed when this is dropped.
#[derive(Debug)]
pub struct PidFd {
    fd: OwnedFd,
    pid: i32,
}

impl PidFd {
    /// Pins the process that holds `pid` now.
    pub fn open(pid: i32) -> Result<PidFd, PidFdError> {
        if pid <= 0 {
            // 0 and negatives name groups for kill(2); never a process here
            return Err(PidFdError::Gone);
        }
        // SAFETY: pidfd_open takes a pid and a flags word and returns a new
        // fd or -1; no memory is passed.
        let r = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if r < 0 {
            return Err(PidFdError::from_errno(Errno::last()));
        }
        let raw = i32::try_from(r).map_err(|_| PidFdError::Other(Errno::EBADF))?;
        // SAFETY: the kernel just returned this fd to us and nothing else
        // owns it; OwnedFd closes it exactly once.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(PidFd { fd, pid })
    }

    /// The pid number the process had when it was pinned.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Sends `sig` to the pinned process. [`PidFdError::Gone`] once it has
    /// been reaped, whoever holds its number now. `None` probes only.
    pub fn send(&self, sig: Option<Signal>) -> Result<(), PidFdError> {
        let signo = sig.map_or(0, |s| s as libc::c_int);
        // SAFETY: pidfd_send_signal(fd, sig, info = NULL, flags = 0): no
        // memory is passed; the fd is ours and open for the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                signo,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        if r < 0 {
            return Err(PidFdError::from_errno(Errno::last()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Child, Command};
    use std::time::Duration;

    fn sleeper() -> Child {
        Command::new("sleep")
            .arg("600")
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_pinned_process_gets_the_signal() {
        let mut c = sleeper();
        let fd = PidFd::open(c.id() as i32).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fd.pid(), c.id() as i32);
        assert_eq!(fd.send(None), Ok(()));
        assert_eq!(fd.send(Some(Signal::SIGTERM)), Ok(()));
        let st = c.wait().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(st.signal(), Some(15), "{st:?}");
    }

    #[test]
    fn no_process_no_pidfd() {
        assert_eq!(PidFd::open(0).err(), Some(PidFdError::Gone));
        assert_eq!(PidFd::open(-1).err(), Some(PidFdError::Gone));
        // beyond pid_max (at most 2^22): nobody holds it
        assert_eq!(PidFd::open(1 << 23).err(), Some(PidFdError::Gone));
    }

    /// The pid is reused for real: the process behind the pidfd is reaped,
    /// `ns_last_pid` makes the next fork take the same number, and the
    /// signal sent through the old pidfd reaches nobody (ESRCH) while the
    /// new holder of that number lives on. kill(2) by number would have
    /// killed it.
    #[test]
    #[ignore = "needs root (writes /proc/sys/kernel/ns_last_pid): run with --include-ignored"]
    fn a_pidfd_never_reaches_the_next_holder_of_its_pid() {
        let mut old = sleeper();
        let pid = old.id() as i32;
        let fd = PidFd::open(pid).unwrap_or_else(|e| panic!("{e}"));
        let _ = old.kill();
        let _ = old.wait();
        // other processes fork meanwhile: try until the number is ours
        let mut reused = None;
        for _ in 0..200 {
            std::fs::write("/proc/sys/kernel/ns_last_pid", (pid - 1).to_string())
                .unwrap_or_else(|e| panic!("ns_last_pid: {e} (root?)"));
            let c = sleeper();
            if c.id() as i32 == pid {
                reused = Some(c);
                break;
            }
            let mut c = c;
            let _ = c.kill();
            let _ = c.wait();
        }
        let Some(mut new) = reused else {
            panic!("pid {pid} was not given out again in 200 forks");
        };
        assert_eq!(fd.send(Some(Signal::SIGKILL)), Err(PidFdError::Gone));
        std::thread::sleep(Duration::from_millis(100));
        let alive = new.try_wait().unwrap_or_else(|e| panic!("{e}")).is_none();
        let _ = new.kill();
        let _ = new.wait();
        assert!(
            alive,
            "the new holder of pid {pid} got the old pidfd's SIGKILL"
        );
    }
}
