//! Ending a `monitor_cmd` exec that outlived its monitor. The engine has no
//! request to kill an exec, and it keeps running when the client goes away:
//! without this, every monitor that times out leaves one more process in
//! the container. The engine reports the exec's pid (in its own pid
//! namespace, which is the host's: the agent runs there as root); that
//! process and its descendants get SIGKILL, each only after
//! `/proc/<pid>/cgroup` shows it is in the container (a pid reused by
//! another process since is never signalled).

use std::collections::HashMap;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// SIGKILLs `pid` and its descendants that belong to container `id`
/// (full id). Returns how many were signalled.
pub(super) fn end_tree(pid: i64, id: &str) -> Result<usize, String> {
    let root = i32::try_from(pid).map_err(|_| format!("pid {pid} out of range"))?;
    if root <= 1 || id.is_empty() {
        return Err(format!("no usable pid ({pid})"));
    }
    let tree = descendants(root, &parents());
    let mut ended = 0;
    let mut failed = None;
    for p in std::iter::once(root).chain(tree) {
        if !in_container(p, id) {
            continue;
        }
        match kill(Pid::from_raw(p), Signal::SIGKILL) {
            Ok(()) => ended += 1,
            Err(nix::errno::Errno::ESRCH) => {}
            Err(e) => failed = Some(format!("kill {p}: {e}")),
        }
    }
    match failed {
        Some(e) if ended == 0 => Err(e),
        _ => Ok(ended),
    }
}

/// Whether process `pid` is in a cgroup of container `id`.
fn in_container(pid: i32, id: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/cgroup")).is_ok_and(|c| c.contains(id))
}

/// Every process's parent, from `/proc/<pid>/stat`.
fn parents() -> HashMap<i32, i32> {
    let mut map = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return map;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        if let Some(ppid) = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| ppid_of(&s))
        {
            map.insert(pid, ppid);
        }
    }
    map
}

/// The parent pid in a `/proc/<pid>/stat` line (the field after the state,
/// which follows the command name in parentheses; the name may hold any
/// character, so the last `)` ends it).
fn ppid_of(stat: &str) -> Option<i32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// The descendants of `root` in `parents`, parents before children.
fn descendants(root: i32, parents: &HashMap<i32, i32>) -> Vec<i32> {
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (&child, _) in parents.iter().filter(|(_, &pp)| pp == p) {
            if child != root && !out.contains(&child) {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_is_read_after_the_last_parenthesis() {
        assert_eq!(ppid_of("42 (sleep) S 7 42 42 0 -1"), Some(7));
        assert_eq!(ppid_of("42 (a) b) (c) R 9 1"), Some(9));
        assert_eq!(ppid_of("garbage"), None);
    }

    #[test]
    fn descendants_are_the_whole_subtree_only() {
        let p: HashMap<i32, i32> = [(10, 1), (11, 10), (12, 11), (13, 10), (20, 1), (21, 20)]
            .into_iter()
            .collect();
        let mut d = descendants(10, &p);
        d.sort_unstable();
        assert_eq!(d, vec![11, 12, 13]);
        assert!(descendants(12, &p).is_empty());
    }

    #[test]
    fn nothing_outside_the_container_is_signalled() {
        // this test process is in no container with that id
        let me = i64::from(std::process::id());
        assert_eq!(end_tree(me, &"f".repeat(64)), Ok(0));
        assert!(end_tree(1, "x").is_err());
        assert!(end_tree(0, "x").is_err());
    }
}
