//! Ending a container through the kernel: SIGTERM to its init, a grace
//! period, then SIGKILL to all of it. A pid read from `/proc` may belong to
//! another process by the time it is signalled (the container's process
//! exited and was reaped, the number given out again), so no signal goes to
//! a bare number: each pid is pinned with a pidfd, checked to be in the
//! container still, and signalled through the pidfd. cgroup v2's
//! `cgroup.kill` names the cgroup, not pids, and stays the first choice for
//! SIGKILL.

use std::path::Path;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::time::Instant;

use super::pidfd::{PidFd, PidFdError};
use super::{cgroup, HostError, Kernel, Members};

/// How ending a container went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    /// Processes alive when it began.
    pub found: usize,
    /// Whether SIGKILL was needed (the grace period ran out).
    pub killed: bool,
    /// Processes still alive at the end (0: the container is gone).
    pub left: usize,
}

/// How often ending a container looks again.
const POLL: Duration = Duration::from_millis(20);

impl Kernel {
    /// Whether `pid` is, now, a process of container `id`.
    fn in_container(&self, pid: i32, id: &str) -> bool {
        std::fs::read_to_string(self.proc_root.join(pid.to_string()).join("cgroup"))
            .is_ok_and(|cg| cgroup::names_container(&cg, id))
    }

    /// Sends `sig` to `pid` if, and only if, it is still a process of
    /// container `id`; whether it was sent. The pidfd is opened before the
    /// cgroup is read again, and a send through it succeeds only while
    /// that process is unreaped: the cgroup read was that process's own.
    pub(crate) fn signal(&self, pid: i32, id: &str, sig: Signal) -> bool {
        let fd = match PidFd::open(pid) {
            Ok(fd) => fd,
            Err(PidFdError::Gone) => return false,
            Err(PidFdError::Unsupported) => {
                // before Linux 5.3: the number is all there is; read the
                // cgroup as late as possible
                tracing::debug!(
                    "pidfd_open is not supported by this kernel (ENOSYS): {sig} to pid {pid} \
                     by number"
                );
                return self.in_container(pid, id) && kill(Pid::from_raw(pid), sig).is_ok();
            }
            Err(e) => {
                tracing::warn!("cannot pin pid {pid} of container {id:.12} ({e}): {sig} not sent");
                return false;
            }
        };
        if !self.in_container(pid, id) {
            tracing::debug!("pid {pid} is no longer in container {id:.12}: {sig} not sent");
            return false;
        }
        match fd.send(Some(sig)) {
            Ok(()) => true,
            Err(PidFdError::Gone) => false,
            Err(e) => {
                tracing::warn!("cannot send {sig} to pid {pid} of container {id:.12}: {e}");
                false
            }
        }
    }

    /// SIGKILL to every process of the container: one write to cgroup v2's
    /// `cgroup.kill` of the container's own cgroup where there is one, else
    /// a signal through a pidfd to each pid just read.
    fn kill_all(&self, m: &Members, id: &str) {
        if let Some(cg) = &m.cgroup {
            let mounts = self.cgroup_mounts();
            if let (Some(root), Some(path)) = (&mounts.unified, cgroup::unified_path(cg, id)) {
                let file = Path::new(root)
                    .join(path.trim_start_matches('/'))
                    .join("cgroup.kill");
                if std::fs::write(&file, "1").is_ok() {
                    return;
                }
            }
        }
        for pid in &m.pids {
            self.signal(*pid, id, Signal::SIGKILL);
        }
    }

    /// Ends container `id`: SIGTERM to its init (to every process when no
    /// init is among them, as with `--pid=host`), up to `grace` for them to
    /// exit, then SIGKILL until none is left or `until` comes.
    pub async fn end(
        &self,
        id: &str,
        grace: Duration,
        until: Instant,
    ) -> Result<Ending, HostError> {
        let first = self.members(id)?;
        let found = first.pids.len();
        if found == 0 {
            return Ok(Ending {
                found,
                killed: false,
                left: 0,
            });
        }
        self.thaw(&first, id);
        let targets = match first.init {
            Some(init) => vec![init],
            None => first.pids.clone(),
        };
        for pid in targets {
            self.signal(pid, id, Signal::SIGTERM);
        }
        let term_end = (Instant::now() + grace).min(until);
        loop {
            tokio::time::sleep(POLL).await;
            let m = self.members(id)?;
            if m.pids.is_empty() {
                return Ok(Ending {
                    found,
                    killed: false,
                    left: 0,
                });
            }
            if Instant::now() >= term_end {
                break;
            }
        }
        // SIGKILL at least once, however late it is: a kill costs nothing
        // and may still end the container before the deadline.
        loop {
            let m = self.members(id)?;
            if m.pids.is_empty() {
                return Ok(Ending {
                    found,
                    killed: true,
                    left: 0,
                });
            }
            self.kill_all(&m, id);
            tokio::time::sleep(POLL).await;
            if Instant::now() >= until {
                let m = self.members(id)?;
                return Ok(Ending {
                    found,
                    killed: true,
                    left: m.pids.len(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::{fake_proc, ID};
    use std::os::unix::process::ExitStatusExt;
    use std::path::PathBuf;
    use std::process::{Child, Command};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn ending_a_container_without_processes_does_nothing() {
        let d = fake_proc(&[(1, "0::/\n", "State:\tS\n")]);
        let e = runtime()
            .block_on(Kernel::at(d.path()).end(ID, Duration::from_secs(5), Instant::now()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            e,
            Ending {
                found: 0,
                killed: false,
                left: 0
            }
        );
    }

    /// A real cgroup named like a container, in the hierarchy mounted at
    /// `root` (removed on drop), and a child that ignores SIGTERM in it.
    struct Caged {
        id: String,
        dir: PathBuf,
        child: Child,
    }

    impl Caged {
        fn new(root: &str, tag: &str) -> Caged {
            let id = format!("{:0>64}", format!("{tag}{:x}", std::process::id()));
            let dir = Path::new(root).join(&id);
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("{}: {e} (root?)", dir.display()));
            let child = Command::new("sh")
                .args(["-c", "trap '' TERM; exec sleep 600"])
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(dir.join("cgroup.procs"), child.id().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            let c = Caged { id, dir, child };
            c.deaf_to_sigterm();
            c
        }
        /// Returns once the child ignores SIGTERM (`SigIgn` bit 15 in its
        /// status): a SIGTERM sent before the shell ran its `trap` would
        /// end it and the test would measure nothing.
        fn deaf_to_sigterm(&self) {
            let status = format!("/proc/{}/status", self.pid());
            for _ in 0..500 {
                let ignored = std::fs::read_to_string(&status)
                    .ok()
                    .and_then(|s| {
                        let hex = s.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
                        u64::from_str_radix(hex.trim(), 16).ok()
                    })
                    .is_some_and(|mask| mask & (1 << (15 - 1)) != 0);
                if ignored {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!("the child never ignored SIGTERM");
        }
        fn pid(&self) -> i32 {
            self.child.id() as i32
        }
        /// Moves the child out to the hierarchy's root.
        fn release(&self) {
            let root = self.dir.parent().unwrap_or(Path::new("/"));
            std::fs::write(root.join("cgroup.procs"), self.pid().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    impl Drop for Caged {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::remove_dir(&self.dir);
        }
    }

    fn mounts() -> cgroup::Mounts {
        cgroup::mounts(&std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default())
    }

    /// A real process in a real cgroup named like a container: SIGTERM
    /// ignored, the deadline already passed; SIGKILL still goes out once
    /// and ends it (cgroup v2 `cgroup.kill` of that cgroup).
    #[test]
    #[ignore = "needs root and a cgroup2 mount: run with --include-ignored"]
    fn a_late_end_still_kills_a_process_deaf_to_sigterm() {
        let Some(root) = mounts().unified else {
            panic!("no cgroup2 mount: this test needs one (run as root on Linux)");
        };
        let mut c = Caged::new(&root, "c0ffee");
        let k = Kernel::new();
        let m = k.members(&c.id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.pids, vec![c.pid()]);
        let e = runtime()
            .block_on(k.end(&c.id, Duration::from_secs(5), Instant::now()))
            .unwrap_or_else(|e| panic!("{e}"));
        let status = c.child.wait().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            e,
            Ending {
                found: 1,
                killed: true,
                left: 0
            }
        );
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }

    /// Without `cgroup.kill` (the process placed in a v1 hierarchy only, as
    /// on cgroup v1 hosts), SIGKILL goes through a pidfd to each pid.
    #[test]
    #[ignore = "needs root and a cgroup v1 freezer mount: run with --include-ignored"]
    fn without_cgroup_kill_sigkill_goes_through_pidfds() {
        let Some(root) = mounts().freezer else {
            panic!("no v1 freezer mount: this test needs one (run as root on a hybrid host)");
        };
        let mut c = Caged::new(&root, "f1d0");
        let k = Kernel::new();
        let m = k.members(&c.id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.pids, vec![c.pid()]);
        let cg = m.cgroup.unwrap_or_default();
        assert_eq!(cgroup::unified_path(&cg, &c.id), None, "{cg}");
        let e = runtime()
            .block_on(k.end(&c.id, Duration::from_millis(100), Instant::now()))
            .unwrap_or_else(|e| panic!("{e}"));
        let status = c.child.wait().unwrap_or_else(|e| panic!("{e}"));
        assert!(e.killed && e.left == 0, "{e:?}");
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }

    /// A pid read as the container's that has left the container by the
    /// time of the signal (as a pid reused by another process has) is not
    /// signalled; while it was in, it was.
    #[test]
    #[ignore = "needs root and a cgroup2 mount: run with --include-ignored"]
    fn a_pid_that_left_the_container_gets_no_signal() {
        let Some(root) = mounts().unified else {
            panic!("no cgroup2 mount: this test needs one (run as root on Linux)");
        };
        let mut c = Caged::new(&root, "5eed");
        let k = Kernel::new();
        let seen = k.members(&c.id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.pids, vec![c.pid()]);
        c.release();
        assert!(!k.signal(c.pid(), &c.id, Signal::SIGKILL), "sent");
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            c.child
                .try_wait()
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none(),
            "a process outside the container was killed"
        );
        // the same call reaches it while it is in the container
        std::fs::write(c.dir.join("cgroup.procs"), c.pid().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(k.signal(c.pid(), &c.id, Signal::SIGKILL), "not sent");
        let status = c.child.wait().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }
}
