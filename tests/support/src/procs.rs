//! The container's processes as the kernel sees them, checked independently
//! of the agent: every pid whose `/proc/<pid>/cgroup` mentions the
//! container's full id and that is not a zombie.

/// Live pids of the container with full id `id`.
pub fn live_pids(id: &str) -> Vec<i32> {
    assert_eq!(id.len(), 64, "not a full container id: {id:?}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        panic!("cannot read /proc");
    };
    let mut pids = Vec::new();
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(cg) = std::fs::read_to_string(e.path().join("cgroup")) else {
            continue;
        };
        if cg.contains(id) && alive(pid) {
            pids.push(pid);
        }
    }
    pids.sort_unstable();
    pids
}

/// Whether `pid` lives: it is in `/proc` and neither a zombie nor dead.
pub fn alive(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (comm) S ...": the state follows the last ')'
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, Some('Z') | Some('X') | None)
}

/// SIGKILL to every live process of the container (test cleanup), until
/// none is left or 10 s pass.
pub fn kill_all(id: &str) {
    let t0 = std::time::Instant::now();
    loop {
        let pids = live_pids(id);
        if pids.is_empty() || t0.elapsed() > std::time::Duration::from_secs(10) {
            return;
        }
        for p in pids {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &p.to_string()])
                .status();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
