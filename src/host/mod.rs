//! What the kernel says runs, whatever state the engine is in: the processes
//! of a container found by its full id in `/proc/<pid>/cgroup`, and ending
//! them (SIGTERM to the container's init, a grace period, then SIGKILL to
//! every process: cgroup v2 `cgroup.kill` where present, else each pid until
//! none is left). Every signal to a pid goes through a pidfd opened and
//! checked against the container's cgroup just before: a pid reused by
//! another process since it was read never gets it (`end.rs`).
//!
//! A container's processes outlive its engine: dockerd killed (its
//! `containerd-shim` keeps them), dockerd stopped under `live-restore`, or
//! Podman's service gone (conmon keeps them). This module is how monitor and
//! stop tell the truth then.

pub mod cgroup;
mod end;
pub mod pidfd;
mod scan;

pub use end::Ending;
pub use scan::Alive;

use std::path::{Path, PathBuf};

/// What went wrong reading the process table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// The container's init (PID 1 in its namespace), when one is among them:
    /// the shallowest namespace init, and only when no member sits in a
    /// shallower namespace (`--pid=host`). A container that runs PID
    /// namespaces of its own (`unshare -pf`, Docker in Docker) has deeper
    /// inits too, which are not it.
    pub init: Option<i32>,
    /// `/proc/<pid>/cgroup` of one of them (where its cgroups are).
    pub cgroup: Option<String>,
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
        let mut m = Members::default();
        let mut shallowest: Option<usize> = None;
        let mut inits = Vec::new();
        self.each_alive(
            |cg| cgroup::names_container(cg, id),
            |pid, cg, status| {
                if let Some(ns) = cgroup::status_nspid(status) {
                    shallowest = Some(shallowest.map_or(ns.depth, |d| d.min(ns.depth)));
                    if ns.init && ns.depth > 1 {
                        inits.push((ns.depth, pid));
                    }
                }
                m.pids.push(pid);
                if m.cgroup.is_none() {
                    m.cgroup = Some(cg.to_string());
                }
            },
        )?;
        m.pids.sort_unstable();
        m.init = container_init(shallowest, &inits);
        Ok(m)
    }

    /// Calls `found(pid, cgroup, status)` for every living process whose
    /// `/proc/<pid>/cgroup` passes `wanted`: the one walk of the process
    /// table. Fails when `/proc` does not show every process: PID 1's
    /// cgroup must be readable (it is not under `hidepid` for an
    /// unprivileged caller).
    pub(crate) fn each_alive(
        &self,
        wanted: impl Fn(&str) -> bool,
        mut found: impl FnMut(i32, &str, &str),
    ) -> Result<(), HostError> {
        let init_cgroup = self.proc_root.join("1/cgroup");
        if let Err(e) = std::fs::read(&init_cgroup) {
            return Err(Self::unreadable(&init_cgroup, &e));
        }
        let dir = std::fs::read_dir(&self.proc_root)
            .map_err(|e| Self::unreadable(&self.proc_root, &e))?;
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
            if !wanted(&cg) {
                continue;
            }
            let Ok(status) = std::fs::read_to_string(base.join("status")) else {
                continue;
            };
            if cgroup::status_alive(&status) {
                found(pid, &cg, &status);
            }
        }
        Ok(())
    }

    pub(crate) fn cgroup_mounts(&self) -> cgroup::Mounts {
        std::fs::read_to_string(self.proc_root.join("self/mountinfo"))
            .map(|s| cgroup::mounts(&s))
            .unwrap_or_default()
    }

    /// Thaws a paused (frozen) container: a frozen process acts on no
    /// signal, SIGTERM included.
    pub(crate) fn thaw(&self, m: &Members, id: &str) {
        let Some(cg) = &m.cgroup else { return };
        let (v1, v2) = self.freeze_files(cg, id);
        if let Some(file) = v1 {
            if std::fs::read_to_string(&file).is_ok_and(|s| s.trim() != "THAWED") {
                match std::fs::write(&file, "THAWED") {
                    Ok(()) => tracing::info!("thawed the frozen cgroup {}", file.display()),
                    Err(e) => tracing::warn!("cannot thaw {}: {e}", file.display()),
                }
            }
        }
        if let Some(file) = v2 {
            if std::fs::read_to_string(&file).is_ok_and(|s| s.trim() == "1") {
                match std::fs::write(&file, "0") {
                    Ok(()) => tracing::info!("thawed {}", file.display()),
                    Err(e) => tracing::warn!("cannot thaw {}: {e}", file.display()),
                }
            }
        }
    }

    /// The files that freeze container `id` (its process's cgroup text
    /// `cg`): the v1 freezer's `freezer.state` and the v2 `cgroup.freeze`,
    /// where those hierarchies are mounted and place it.
    pub(crate) fn freeze_files(&self, cg: &str, id: &str) -> (Option<PathBuf>, Option<PathBuf>) {
        let mounts = self.cgroup_mounts();
        let at = |root: &Option<String>, path: Option<&str>, file: &str| {
            let (Some(root), Some(path)) = (root, path) else {
                return None;
            };
            Some(
                Path::new(root)
                    .join(path.trim_start_matches('/'))
                    .join(file),
            )
        };
        (
            at(
                &mounts.freezer,
                cgroup::freezer_path(cg, id),
                "freezer.state",
            ),
            at(
                &mounts.unified,
                cgroup::unified_path(cg, id),
                "cgroup.freeze",
            ),
        )
    }
}

/// The container's init among the namespace inits found (depth, pid): the
/// one at the shallowest depth of any member. None when a member sits
/// shallower than every init (the container shares a PID namespace above:
/// `--pid=host`), or when two inits share that depth (no single init).
fn container_init(shallowest: Option<usize>, inits: &[(usize, i32)]) -> Option<i32> {
    let depth = shallowest?;
    let mut at = inits.iter().filter(|(d, _)| *d == depth);
    let (_, pid) = at.next()?;
    at.next().is_none().then_some(*pid)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";

    pub(crate) fn fake_proc(procs: &[(i32, &str, &str)]) -> tempdir::Dir {
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

    pub(crate) mod tempdir {
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

    fn st(nspid: &str) -> String {
        format!("State:\tS (sleeping)\nThreads:\t1\nNSpid:\t{nspid}\n")
    }

    fn init_of(procs: &[(i32, String)]) -> Option<i32> {
        let mut all: Vec<(i32, &str, &str)> = vec![(1, "0::/\n", "State:\tS\nNSpid:\t1\n")];
        all.extend(
            procs
                .iter()
                .map(|(p, s)| (*p, "0::/docker/{id}\n", s.as_str())),
        );
        let d = fake_proc(&all);
        let m = Kernel::at(d.path())
            .members(ID)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.pids.len(), procs.len());
        m.init
    }

    /// A container that runs PID namespaces of its own (`unshare -pf`,
    /// Docker in Docker): the nested inits end in 1 too, with longer NSpid
    /// lists; the container's init is the one with the shortest, whatever
    /// the pid numbers (they wrap) and the order `/proc` lists them in.
    #[test]
    fn the_init_of_a_container_with_nested_pid_namespaces_is_the_shallowest() {
        let nested = |outer: i32, nested: [i32; 2]| {
            vec![
                (outer, st(&format!("{outer}\t1"))),
                // `unshare -f` itself, in the container's namespace
                (nested[0] - 1, st(&format!("{}\t5", nested[0] - 1))),
                (nested[0], st(&format!("{}\t6\t1", nested[0]))),
                (nested[0] + 1, st(&format!("{}\t7\t2", nested[0] + 1))),
                // a second level (Docker in Docker running a container)
                (nested[1], st(&format!("{}\t8\t3\t1", nested[1]))),
                (nested[1] + 1, st(&format!("{}\t9\t4\t2", nested[1] + 1))),
            ]
        };
        for (outer, inner) in [
            (400, [460, 480]),
            (400, [300, 350]),
            (400, [300, 480]),
            (400, [460, 350]),
            (30000, [12, 40]),
            (7, [29999, 31000]),
        ] {
            assert_eq!(
                init_of(&nested(outer, inner)),
                Some(outer),
                "{outer} {inner:?}"
            );
        }
    }

    /// `--pid=host`: the container's processes are in the host's
    /// namespace; a namespace it made (`unshare -pf`) has an init, which
    /// is not the container's: no init, SIGTERM goes to every process.
    #[test]
    fn a_container_in_the_hosts_pid_namespace_has_no_init() {
        for procs in [
            vec![(500, st("500")), (510, st("510\t1")), (511, st("511\t2"))],
            vec![(510, st("510\t1")), (520, st("520"))],
        ] {
            assert_eq!(init_of(&procs), None, "{procs:?}");
        }
        // two inits at the same depth and nobody above them: no single init
        let twins = vec![(510, st("510\t1")), (520, st("520\t1"))];
        assert_eq!(init_of(&twins), None);
        // without NSpid (kernels before 4.1) nothing can be told
        assert_eq!(init_of(&[(510, "State:\tS\n".to_string())]), None);
    }
}
