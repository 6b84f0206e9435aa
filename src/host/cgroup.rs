//! Reading `/proc/<pid>/cgroup` and `/proc/self/mountinfo`: which container
//! a process belongs to, and where its cgroup directories are. Pure text
//! functions, tested with the layouts of every engine and driver.

/// The prefixes engines put before a container's full id in a cgroup path
/// component: Docker's systemd driver (`docker-<id>.scope`), Podman
/// (`libpod-<id>.scope`, `libpod-<id>` with cgroupfs), CRI-O and containerd.
/// Docker's cgroupfs driver and a custom `--cgroup-parent` use the bare id.
const PREFIXES: &[&str] = &["docker-", "libpod-", "crio-", "cri-containerd-", ""];

/// Whether one path component names container `id` (a full 64-hex id).
/// `libpod-conmon-<id>` (Podman's monitor, not the container) does not.
pub fn component_names(component: &str, id: &str) -> bool {
    let c = component.strip_suffix(".scope").unwrap_or(component);
    PREFIXES
        .iter()
        .any(|p| c.strip_prefix(p).is_some_and(|rest| rest == id))
}

/// One line of `/proc/<pid>/cgroup`: `hierarchy:controllers:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupLine<'a> {
    /// `0` for the unified (v2) hierarchy.
    pub hierarchy: &'a str,
    /// Comma-separated controllers (empty for v2, `name=systemd` for the
    /// named v1 hierarchy).
    pub controllers: &'a str,
    /// The path from the hierarchy's root.
    pub path: &'a str,
}

/// Splits one line; `None` for anything malformed.
pub fn parse_line(line: &str) -> Option<CgroupLine<'_>> {
    let mut it = line.splitn(3, ':');
    let hierarchy = it.next()?;
    let controllers = it.next()?;
    let path = it.next()?;
    path.starts_with('/').then_some(CgroupLine {
        hierarchy,
        controllers,
        path,
    })
}

/// The path up to and including the component that names `id`: the
/// container's own cgroup (Podman's systemd layout nests a `container`
/// cgroup below it). `None` when no component names it.
pub fn container_path<'a>(path: &'a str, id: &str) -> Option<&'a str> {
    let mut end = 0;
    for component in path.split('/') {
        let after = end + component.len();
        if !component.is_empty() && component_names(component, id) {
            return Some(&path[..after]);
        }
        end = after + 1;
    }
    None
}

/// Whether the content of `/proc/<pid>/cgroup` places the process in
/// container `id` in any hierarchy.
pub fn names_container(content: &str, id: &str) -> bool {
    content
        .lines()
        .filter_map(parse_line)
        .any(|l| container_path(l.path, id).is_some())
}

/// The container's cgroup in the unified hierarchy (the `0::` line), when
/// the process is placed there by the container.
pub fn unified_path<'a>(content: &'a str, id: &str) -> Option<&'a str> {
    content
        .lines()
        .filter_map(parse_line)
        .find(|l| l.hierarchy == "0" && l.controllers.is_empty())
        .and_then(|l| container_path(l.path, id))
}

/// The container's cgroup in the v1 freezer hierarchy.
pub fn freezer_path<'a>(content: &'a str, id: &str) -> Option<&'a str> {
    content
        .lines()
        .filter_map(parse_line)
        .find(|l| l.controllers.split(',').any(|c| c == "freezer"))
        .and_then(|l| container_path(l.path, id))
}

/// Where cgroup hierarchies are mounted, from `/proc/self/mountinfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mounts {
    /// The cgroup2 mount whose root is the hierarchy's root.
    pub unified: Option<String>,
    /// The v1 freezer mount whose root is the hierarchy's root.
    pub freezer: Option<String>,
}

/// Reads the cgroup mounts out of mountinfo. A mount whose root is not `/`
/// (inside a cgroup namespace) is ignored: paths from `/proc/<pid>/cgroup`
/// would not resolve under it.
pub fn mounts(mountinfo: &str) -> Mounts {
    let mut m = Mounts::default();
    for line in mountinfo.lines() {
        // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let fields: Vec<&str> = left.split(' ').collect();
        let (Some(root), Some(point)) = (fields.get(3), fields.get(4)) else {
            continue;
        };
        if *root != "/" {
            continue;
        }
        let mut r = right.split(' ');
        let fstype = r.next().unwrap_or_default();
        let superopts = r.nth(1).unwrap_or_default();
        let point = unescape(point);
        match fstype {
            "cgroup2" if m.unified.is_none() => m.unified = Some(point),
            "cgroup" if m.freezer.is_none() && superopts.split(',').any(|o| o == "freezer") => {
                m.freezer = Some(point)
            }
            _ => {}
        }
    }
    m
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if let Some(v) = s
                .get(i + 1..i + 4)
                .and_then(|o| u8::from_str_radix(o, 8).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a process is alive, from `/proc/<pid>/status`: a zombie whose
/// threads are all gone serves nothing.
pub fn status_alive(status: &str) -> bool {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
    };
    let state = field("State:").and_then(|s| s.chars().next());
    let threads = field("Threads:").and_then(|t| t.parse::<u32>().ok());
    match state {
        Some('Z') | Some('X') => threads.is_some_and(|t| t > 1),
        Some(_) => true,
        None => false,
    }
}

/// Whether the process is the init of a PID namespace below the host's
/// (`NSpid:` has more than one entry and ends in 1).
pub fn status_is_ns_init(status: &str) -> bool {
    let Some(ids) = status.lines().find_map(|l| l.strip_prefix("NSpid:")) else {
        return false;
    };
    let ids: Vec<&str> = ids.split_whitespace().collect();
    ids.len() > 1 && ids.last() == Some(&"1")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";
    const OTHER: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb162";

    fn cg(lines: &[&str]) -> String {
        lines.iter().map(|l| l.replace("{id}", ID) + "\n").collect()
    }

    #[test]
    fn every_engine_and_driver_layout_names_the_container() {
        let layouts = [
            // Docker, cgroupfs, v1 hybrid (this machine) and pure v2
            cg(&["4:memory:/docker/{id}", "0::/docker/{id}"]),
            cg(&["0::/docker/{id}"]),
            // Docker, systemd driver
            cg(&["0::/system.slice/docker-{id}.scope"]),
            cg(&["6:freezer:/system.slice/docker-{id}.scope", "0::/"]),
            // a custom --cgroup-parent, cgroupfs and systemd
            cg(&["0::/x/{id}"]),
            cg(&["0::/croit.slice/docker-{id}.scope"]),
            // Podman: systemd (with its nested cgroup) and cgroupfs
            cg(&["0::/machine.slice/libpod-{id}.scope/container"]),
            cg(&["0::/libpod_parent/libpod-{id}"]),
            cg(&["3:cpuset:/libpod_parent/libpod-{id}", "0::/"]),
        ];
        for l in &layouts {
            assert!(names_container(l, ID), "{l}");
            assert!(!names_container(l, OTHER), "{l}");
        }
    }

    #[test]
    fn the_monitor_the_host_and_prefixes_are_not_the_container() {
        for l in [
            cg(&["0::/machine.slice/libpod-conmon-{id}.scope"]),
            cg(&["0::/libpod_parent/conmon"]),
            cg(&["0::/", "4:memory:/process_api/1eee"]),
            cg(&["0::/docker/24af5fa908a9"]),
            cg(&["0::/docker/{id}-sidecar"]),
            cg(&["0::/docker/x{id}"]),
            "garbage\n\n::\n".to_string(),
            String::new(),
        ] {
            assert!(!names_container(&l, ID), "{l}");
        }
    }

    #[test]
    fn the_container_path_stops_at_the_container() {
        assert_eq!(
            unified_path(&cg(&["0::/machine.slice/libpod-{id}.scope/container"]), ID),
            Some(format!("/machine.slice/libpod-{ID}.scope").as_str())
        );
        assert_eq!(
            unified_path(&cg(&["4:memory:/docker/{id}", "0::/docker/{id}"]), ID),
            Some(format!("/docker/{ID}").as_str())
        );
        // placed in v1 only: no unified path, never the root
        assert_eq!(
            unified_path(&cg(&["4:memory:/docker/{id}", "0::/"]), ID),
            None
        );
        assert_eq!(
            freezer_path(&cg(&["6:freezer:/docker/{id}", "0::/docker/{id}"]), ID),
            Some(format!("/docker/{ID}").as_str())
        );
    }

    #[test]
    fn mounts_of_a_hybrid_and_a_pure_v2_host() {
        let hybrid = "\
30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
35 30 0:31 / /sys/fs/cgroup/freezer rw,relatime shared:9 - cgroup cgroup rw,freezer
36 30 0:32 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
        assert_eq!(
            mounts(hybrid),
            Mounts {
                unified: Some("/sys/fs/cgroup/unified".into()),
                freezer: Some("/sys/fs/cgroup/freezer".into()),
            }
        );
        let v2 = "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(mounts(v2).unified.as_deref(), Some("/sys/fs/cgroup"));
        // inside a cgroup namespace: not usable
        let ns = "29 23 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assert_eq!(mounts(ns), Mounts::default());
        let esc = "29 23 0:26 / /mnt/a\\040b rw - cgroup2 cgroup2 rw\n";
        assert_eq!(mounts(esc).unified.as_deref(), Some("/mnt/a b"));
        assert_eq!(mounts("junk\n- \n"), Mounts::default());
    }

    #[test]
    fn zombies_are_not_alive_and_init_is_found_by_nspid() {
        assert!(status_alive(
            "Name:\tsh\nState:\tS (sleeping)\nThreads:\t1\n"
        ));
        assert!(!status_alive("State:\tZ (zombie)\nThreads:\t1\n"));
        assert!(status_alive("State:\tZ (zombie)\nThreads:\t3\n"));
        assert!(!status_alive("State:\tX (dead)\n"));
        assert!(!status_alive(""));
        assert!(status_is_ns_init("NSpid:\t9619\t1\n"));
        assert!(!status_is_ns_init("NSpid:\t9619\t7\n"));
        // the host's own PID 1 is not a container's init
        assert!(!status_is_ns_init("NSpid:\t1\n"));
    }
}
