//! The agent's own processes inside a node, found from the host: every
//! process whose command line runs the installed agent with a given action
//! and whose network namespace is the node's.

use std::fs;
use std::os::unix::fs::MetadataExt;

use super::Node;

/// The installed agent (tests/support/src/install.rs puts the build there).
const AGENT: &str = "/usr/lib/ocf/resource.d/croit/container";

/// Pids of `container <action>` running in `node`'s network namespace.
pub fn agent_pids(node: &Node, action: &str) -> Vec<i32> {
    let Ok(want) = fs::metadata(format!("/run/netns/{}", node.ns())).map(|m| m.ino()) else {
        return Vec::new();
    };
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids = Vec::new();
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(cmd) = fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let words: Vec<&[u8]> = cmd.split(|b| *b == 0).collect();
        let runs_agent = words.iter().any(|w| w.ends_with(AGENT.as_bytes()));
        if !runs_agent || !words.contains(&action.as_bytes()) {
            continue;
        }
        if fs::metadata(e.path().join("ns/net")).is_ok_and(|m| m.ino() == want) {
            pids.push(pid);
        }
    }
    pids
}
