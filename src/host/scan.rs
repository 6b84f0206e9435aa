//! Every container alive on this node, whatever its engine, and where its
//! engine keeps its files: what monitor and stop need when the engine
//! cannot be asked and the remembered id is missing, stale or not the
//! container that now has the configured name.
//!
//! A container's processes name its full id in `/proc/<pid>/cgroup` (see
//! [`super::cgroup`]). Its `/etc/hostname` is a bind mount of a file in the
//! engine's own directory for that container: Docker's
//! `<data-root>/containers/<id>/hostname` (next to its `config.v2.json`,
//! which names the container), Podman's `<runroot>/<driver>-containers/<id>/userdata/hostname`.
//! [`Kernel::engine_dir`] finds that directory on the host from the
//! process's mount table, whatever data root the engine was started with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{cgroup, HostError, Kernel};

/// A container with living processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alive {
    /// Its full id.
    pub id: String,
    /// One of its processes (the lowest pid).
    pub pid: i32,
    /// How many of its processes live.
    pub count: usize,
}

/// The full container id one cgroup path component names, if any:
/// `<id>`, `docker-<id>.scope`, `libpod-<id>`, ... (never Podman's
/// `libpod-conmon-<id>`, the monitor).
pub fn component_id(component: &str) -> Option<&str> {
    let c = component.strip_suffix(".scope").unwrap_or(component);
    if c.starts_with("libpod-conmon-") {
        return None;
    }
    let id = c.rsplit('-').next().unwrap_or(c);
    crate::engine::is_full_id(id).then_some(id)
}

/// The container id `/proc/<pid>/cgroup` places the process in, if any.
pub fn container_of(content: &str) -> Option<&str> {
    content
        .lines()
        .filter_map(cgroup::parse_line)
        .find_map(|l| l.path.split('/').find_map(component_id))
}

impl Kernel {
    /// Every container with living processes, by id. Fails when `/proc`
    /// does not show every process (as [`Kernel::members`]).
    pub fn alive_containers(&self) -> Result<Vec<Alive>, HostError> {
        let mut found: BTreeMap<String, Alive> = BTreeMap::new();
        self.each_alive(
            |cg| container_of(cg).is_some(),
            |pid, cg, _| {
                let Some(id) = container_of(cg) else { return };
                let a = found.entry(id.to_string()).or_insert(Alive {
                    id: id.to_string(),
                    pid,
                    count: 0,
                });
                a.count += 1;
                a.pid = a.pid.min(pid);
            },
        )?;
        Ok(found.into_values().collect())
    }

    /// The process's command name (`/proc/<pid>/comm`).
    pub fn comm(&self, pid: i32) -> Option<String> {
        std::fs::read_to_string(self.proc_root.join(format!("{pid}/comm")))
            .ok()
            .map(|c| c.trim_end().to_string())
    }

    /// The host directory whose `hostname` file is bind-mounted on the
    /// process's `/etc/hostname` (the engine's directory for its
    /// container); `None` when the process has none or it cannot be read.
    pub fn engine_dir(&self, pid: i32) -> Option<PathBuf> {
        let theirs =
            std::fs::read_to_string(self.proc_root.join(format!("{pid}/mountinfo"))).ok()?;
        let ours = std::fs::read_to_string(self.proc_root.join("self/mountinfo")).ok()?;
        let file = host_path(&theirs, &ours, "/etc/hostname")?;
        file.parent().map(Path::to_path_buf)
    }
}

impl Kernel {
    /// Whether container `id` (with process `pid`) is frozen (paused):
    /// its v1 freezer cgroup is not THAWED, or its v2 `cgroup.freeze` is 1.
    /// A frozen container serves nothing, whatever else is true.
    pub fn frozen(&self, pid: i32, id: &str) -> bool {
        let Ok(cg) = std::fs::read_to_string(self.proc_root.join(format!("{pid}/cgroup"))) else {
            return false;
        };
        let (v1, v2) = self.freeze_files(&cg, id);
        let read = |f: Option<PathBuf>| f.and_then(|f| std::fs::read_to_string(f).ok());
        let (v1, v2) = (read(v1), read(v2));
        v1.is_some_and(|s| s.trim() != "THAWED") || v2.is_some_and(|s| s.trim() == "1")
    }
}

/// One line of mountinfo: device, root within it, mount point.
struct Mount {
    dev: String,
    root: String,
    point: String,
}

fn mounts(mountinfo: &str) -> impl Iterator<Item = Mount> + '_ {
    mountinfo.lines().filter_map(|line| {
        // id parent maj:min root mountpoint opts ... - fstype source superopts
        let mut f = line.split(' ');
        let (_, _, dev, root, point) = (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
        Some(Mount {
            dev: dev.to_string(),
            root: cgroup::unescape(root),
            point: cgroup::unescape(point),
        })
    })
}

/// Where the file mounted on `target` in one mount table (`theirs`) is in
/// another (`ours`): the same device, mounted in ours with the longest root
/// that is a prefix of the file's root in theirs.
pub fn host_path(theirs: &str, ours: &str, target: &str) -> Option<PathBuf> {
    let m = mounts(theirs).filter(|m| m.point == target).last()?;
    let (best, rest) = mounts(ours)
        .filter(|o| o.dev == m.dev)
        .filter_map(|o| {
            let rest = if o.root == "/" {
                Some(m.root.as_str())
            } else {
                m.root
                    .strip_prefix(o.root.as_str())
                    .filter(|r| r.starts_with('/'))
            }?;
            Some((o, rest.to_string()))
        })
        .max_by_key(|(o, _)| o.root.len())?;
    Some(Path::new(&best.point).join(rest.trim_start_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";

    #[test]
    fn ids_of_every_layout_and_nothing_else() {
        for c in [
            ID.to_string(),
            format!("docker-{ID}.scope"),
            format!("libpod-{ID}"),
            format!("libpod-{ID}.scope"),
            format!("cri-containerd-{ID}.scope"),
        ] {
            assert_eq!(component_id(&c), Some(ID), "{c}");
        }
        for c in [
            format!("libpod-conmon-{ID}.scope"),
            ID[..12].to_string(),
            format!("{ID}0"),
            "docker".to_string(),
            String::new(),
        ] {
            assert_eq!(component_id(&c), None, "{c}");
        }
        let cg = format!("4:memory:/docker/{ID}\n0::/docker/{ID}\n");
        assert_eq!(container_of(&cg), Some(ID));
        assert_eq!(container_of("0::/user.slice\n"), None);
    }

    #[test]
    fn the_hostname_file_is_found_on_the_host() {
        let dir = format!("/var/lib/docker/containers/{ID}");
        // the data root on the root file system
        let theirs = format!(
            "89 72 254:0 {dir}/resolv.conf /etc/resolv.conf rw - ext4 /dev/vda rw\n\
             90 72 254:0 {dir}/hostname /etc/hostname rw - ext4 /dev/vda rw\n"
        );
        let ours = "27 1 254:0 / / rw - ext4 /dev/vda rw\n";
        assert_eq!(
            host_path(&theirs, ours, "/etc/hostname"),
            Some(PathBuf::from(format!("{dir}/hostname")))
        );
        // a file system of its own mounted on /var/lib/docker
        let theirs =
            format!("90 72 8:17 /containers/{ID}/hostname /etc/hostname rw - xfs /dev/sdb1 rw\n");
        let ours = "27 1 254:0 / / rw - ext4 /dev/vda rw\n40 27 8:17 / /var/lib/docker rw - xfs /dev/sdb1 rw\n";
        assert_eq!(
            host_path(&theirs, ours, "/etc/hostname"),
            Some(PathBuf::from(format!("{dir}/hostname")))
        );
        // a bind mount of a subdirectory, with an escaped blank
        let theirs = format!(
            "90 72 8:17 /d\\040x/containers/{ID}/hostname /etc/hostname rw - xfs /dev/sdb1 rw\n"
        );
        let ours = "40 27 8:17 /d\\040x /srv/docker rw - xfs /dev/sdb1 rw\n";
        assert_eq!(
            host_path(&theirs, ours, "/etc/hostname"),
            Some(PathBuf::from(format!(
                "/srv/docker/containers/{ID}/hostname"
            )))
        );
        // no such mount, or its device not mounted here
        assert_eq!(host_path("", ours, "/etc/hostname"), None);
        let theirs = format!("90 72 9:9 /x/{ID}/hostname /etc/hostname rw - xfs /dev/sdc rw\n");
        assert_eq!(host_path(&theirs, ours, "/etc/hostname"), None);
    }
}
