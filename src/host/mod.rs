//! What the kernel says runs, whatever state the engine is in: the processes
//! of a container found by its full id in `/proc/<pid>/cgroup`, and ending
//! them (SIGTERM to the container's init, a grace period, then SIGKILL to
//! every process: cgroup v2 `cgroup.kill` where present, else each pid until
//! none is left).
//!
//! A container's processes outlive its engine: dockerd killed (its
//! `containerd-shim` keeps them), dockerd stopped under `live-restore`, or
//! Podman's service gone (conmon keeps them). This module is how monitor and
//! stop tell the truth then.

pub mod cgroup;
mod scan;
pub use scan::Alive;

use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::time::Instant;

/// What went wrong reading the process table.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// `/proc` cannot be read as the agent needs (unprivileged, `hidepid`).
    #[error(
        "cannot read {path} ({detail}): the container's processes cannot be checked (run as root)"
    )]
    Unreadable {
        /// What could not be read.
        path: String,
        /// The error.
        detail: String,
    },
}

/// The living processes of one container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    /// Their pids (host PID namespace).
    pub pids: Vec<i32>,
    /// The container's init (PID 1 in its namespace), when one is among them.
    pub init: Option<i32>,
    /// `/proc/<pid>/cgroup` of one of them (where its cgroups are).
    pub cgroup: Option<String>,
}

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

/// The process table of this node.
#[derive(Debug, Clone)]
pub struct Kernel {
    proc_root: PathBuf,
}

impl Default for Kernel {
    fn default() -> Self {
        Kernel::new()
    }
}

/// How often ending a container looks again.
const POLL: Duration = Duration::from_millis(20);

impl Kernel {
    /// The real `/proc`.
    pub fn new() -> Kernel {
        Kernel::at("/proc")
    }

    /// A process table rooted elsewhere (unit tests).
    pub fn at(proc_root: impl Into<PathBuf>) -> Kernel {
        Kernel {
            proc_root: proc_root.into(),
        }
    }

    fn unreadable(path: &Path, e: &std::io::Error) -> HostError {
        HostError::Unreadable {
            path: path.display().to_string(),
            detail: e.kind().to_string(),
        }
    }

    /// The living processes whose cgroup names container `id` (full id).
    /// Fails when `/proc` does not show every process: PID 1's cgroup must
    /// be readable (it is not under `hidepid` for an unprivileged caller).
    pub fn members(&self, id: &str) -> Result<Members, HostError> {
        let init_cgroup = self.proc_root.join("1/cgroup");
        if let Err(e) = std::fs::read(&init_cgroup) {
            return Err(Self::unreadable(&init_cgroup, &e));
        }
        let dir = std::fs::read_dir(&self.proc_root)
            .map_err(|e| Self::unreadable(&self.proc_root, &e))?;
        let mut m = Members::default();
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            let base = entry.path();
            // A process that exits meanwhile has no files any more: skip it.
            let Ok(cg) = std::fs::read_to_string(base.join("cgroup")) else {
                continue;
            };
            if !cgroup::names_container(&cg, id) {
                continue;
            }
            let Ok(status) = std::fs::read_to_string(base.join("status")) else {
                continue;
            };
            if !cgroup::status_alive(&status) {
                continue;
            }
            if cgroup::status_is_ns_init(&status) {
                m.init = Some(pid);
            }
            m.pids.push(pid);
            if m.cgroup.is_none() {
                m.cgroup = Some(cg);
            }
        }
        m.pids.sort_unstable();
        Ok(m)
    }

    fn cgroup_mounts(&self) -> cgroup::Mounts {
        std::fs::read_to_string(self.proc_root.join("self/mountinfo"))
            .map(|s| cgroup::mounts(&s))
            .unwrap_or_default()
    }

    /// Thaws a paused (frozen) container: a frozen process acts on no
    /// signal, SIGTERM included.
    fn thaw(&self, m: &Members, id: &str) {
        let Some(cg) = &m.cgroup else { return };
        let mounts = self.cgroup_mounts();
        if let (Some(root), Some(path)) = (&mounts.freezer, cgroup::freezer_path(cg, id)) {
            let state = Path::new(root).join(path.trim_start_matches('/'));
            let file = state.join("freezer.state");
            if std::fs::read_to_string(&file).is_ok_and(|s| s.trim() != "THAWED") {
                match std::fs::write(&file, "THAWED") {
                    Ok(()) => tracing::info!("thawed the frozen cgroup {}", state.display()),
                    Err(e) => tracing::warn!("cannot thaw {}: {e}", file.display()),
                }
            }
        }
        if let (Some(root), Some(path)) = (&mounts.unified, cgroup::unified_path(cg, id)) {
            let file = Path::new(root)
                .join(path.trim_start_matches('/'))
                .join("cgroup.freeze");
            if std::fs::read_to_string(&file).is_ok_and(|s| s.trim() == "1") {
                match std::fs::write(&file, "0") {
                    Ok(()) => tracing::info!("thawed {}", file.display()),
                    Err(e) => tracing::warn!("cannot thaw {}: {e}", file.display()),
                }
            }
        }
    }

    /// SIGKILL to every process of the container: one write to cgroup v2's
    /// `cgroup.kill` of the container's own cgroup where there is one, else
    /// a signal to each pid just read.
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
            let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
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
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
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

    const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";

    fn fake_proc(procs: &[(i32, &str, &str)]) -> tempdir::Dir {
        let d = tempdir::Dir::new();
        for (pid, cg, status) in procs {
            let p = d.path().join(pid.to_string());
            std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p.join("cgroup"), cg.replace("{id}", ID))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(p.join("status"), status).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::create_dir_all(d.path().join("self")).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    mod tempdir {
        use std::path::{Path, PathBuf};
        pub struct Dir(PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicU32, Ordering};
                static N: AtomicU32 = AtomicU32::new(0);
                let p = std::env::temp_dir().join(format!(
                    "croit-host-test-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                let _ = std::fs::remove_dir_all(&p);
                std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{e}"));
                Dir(p)
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    const LIVE: &str = "State:\tS (sleeping)\nThreads:\t1\nNSpid:\t500\t7\n";
    const INIT: &str = "State:\tS (sleeping)\nThreads:\t1\nNSpid:\t400\t1\n";
    const ZOMBIE: &str = "State:\tZ (zombie)\nThreads:\t1\nNSpid:\t600\t9\n";

    #[test]
    fn members_are_the_living_processes_of_that_container_only() {
        let d = fake_proc(&[
            (1, "0::/\n", "State:\tS\nNSpid:\t1\n"),
            (400, "0::/docker/{id}\n", INIT),
            (500, "4:memory:/docker/{id}\n0::/docker/{id}\n", LIVE),
            (600, "0::/docker/{id}\n", ZOMBIE),
            (700, "0::/docker/{id}0\n", LIVE),
            (800, "0::/libpod_parent/conmon\n", LIVE),
        ]);
        let m = Kernel::at(d.path())
            .members(ID)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.pids, vec![400, 500]);
        assert_eq!(m.init, Some(400));
        assert!(m.cgroup.is_some_and(|c| c.contains(ID)));
    }

    #[test]
    fn an_unreadable_process_table_is_an_error_never_an_empty_one() {
        let d = fake_proc(&[(400, "0::/docker/{id}\n", INIT)]);
        // no /proc/1/cgroup: as under hidepid for an unprivileged caller
        match Kernel::at(d.path()).members(ID) {
            Err(HostError::Unreadable { path, .. }) => assert!(path.ends_with("1/cgroup")),
            other => panic!("{other:?}"),
        }
        match Kernel::at("/nonexistent-proc").members(ID) {
            Err(HostError::Unreadable { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ending_a_container_without_processes_does_nothing() {
        let d = fake_proc(&[(1, "0::/\n", "State:\tS\n")]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let e = rt
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

    /// A real process in a real cgroup named like a container: SIGTERM
    /// ignored, the deadline already passed; SIGKILL still goes out once
    /// and ends it (cgroup v2 `cgroup.kill` of that cgroup).
    #[test]
    #[ignore = "needs root and a cgroup2 mount: run with --include-ignored"]
    fn a_late_end_still_kills_a_process_deaf_to_sigterm() {
        let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let Some(root) = cgroup::mounts(&info).unified else {
            panic!("no cgroup2 mount: this test needs one (run as root on Linux)");
        };
        let id = format!("{:0>64}", format!("c0ffee{:x}", std::process::id()));
        let dir = std::path::Path::new(&root).join(&id);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e} (root?)", dir.display()));
        let mut child = std::process::Command::new("sh")
            .args(["-c", "trap '' TERM; exec sleep 600"])
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("cgroup.procs"), child.id().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let k = Kernel::new();
        let m = k.members(&id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.pids, vec![child.id() as i32]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let e = rt
            .block_on(k.end(&id, Duration::from_secs(5), Instant::now()))
            .unwrap_or_else(|e| panic!("{e}"));
        let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir(&dir);
        assert_eq!(
            e,
            Ending {
                found: 1,
                killed: true,
                left: 0
            }
        );
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }
}
