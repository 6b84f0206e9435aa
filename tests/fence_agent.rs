//! The fence agent of the cluster tests (tests/cluster/fence_hc) against
//! the power controller (tests/support/src/cluster/fencing.rs), without a
//! cluster: no root needed, nothing global touched.

use support::cluster;

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

/// Removes the test's folder, also when it fails.
struct Gone(PathBuf);

impl Drop for Gone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The fence agent and the power controller speak one protocol: the agent
/// run the way pacemaker-fenced runs it (options on stdin) and by hand
/// (command line), against a controller serving a private folder, for two
/// nodes that are off. Needs no root and touches nothing global.
#[test]
fn fence_agent_and_power_controller_agree() {
    use cluster::fencing::{events_in, PowerControl};
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("croit-fence-hc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test folder");
    let _gone = Gone(dir.clone());
    let agent = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cluster/fence_hc");
    let run = |args: &[&str], stdin: &str| -> (Option<i32>, String, String) {
        let mut child = Command::new("bash")
            .arg(agent)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run fence_hc");
        if let Some(mut i) = child.stdin.take() {
            let _ = i.write_all(stdin.as_bytes());
        }
        let o = child.wait_with_output().expect("fence_hc output");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (o.status.code(), text(&o.stdout), text(&o.stderr))
    };
    let d = dir.display().to_string();
    let ask = |lines: &str| {
        run(
            &[],
            &format!("# from pacemaker-fenced\n\nhc_dir={d}\n{lines}"),
        )
    };

    // No controller yet: every request that needs it fails at once.
    let (rc, _, err) = ask("action=monitor\n");
    assert_eq!(rc, Some(1), "{err}");
    let pc = PowerControl::start_in(
        dir.join("fence"),
        vec![cluster::Node::new(1), cluster::Node::new(2)],
    );
    thread::sleep(Duration::from_millis(200));
    assert_eq!(ask("action=monitor\n").0, Some(0));
    let (rc, _, err) = ask("action=status\nport=n1\n");
    assert_eq!((rc, err.trim()), (Some(2), "fence_hc: status n1: off"));
    let (rc, _, err) = ask("action=off\nnodename=n2\n");
    assert_eq!((rc, err.trim()), (Some(0), "fence_hc: off n2: already off"));
    let (rc, _, err) = ask("action=off\nplug=n9\n");
    assert_eq!((rc, err.trim()), (Some(1), "fence_hc: unknown node n9"));
    assert_eq!(ask("action=off\n").0, Some(1));
    assert_eq!(ask("action=explode\nport=n1\n").0, Some(1));
    assert_eq!(ask("action=list\n").1, "n1\nn2\n");
    assert_eq!(ask("action=list-status\n").1, "n1,,off\nn2,,off\n");
    let (rc, out, _) = ask("action=metadata\n");
    assert_eq!(rc, Some(0));
    for want in [
        "<resource-agent name=\"fence_hc\"",
        "<action name=\"off\" />",
        "<action name=\"monitor\" />",
        "name=\"plug\"",
        &format!("default=\"{d}\""),
    ] {
        assert!(out.contains(want), "metadata lacks {want}:\n{out}");
    }
    let (rc, _, err) = run(&["-o", "status", "-n", "n2", "--hc-dir", &d], "");
    assert_eq!((rc, err.trim()), (Some(2), "fence_hc: status n2: off"));
    drop(pc);

    // The controller logged what it did (monitor excluded; the agent itself
    // refused n9), and once it is gone the agent says so at once.
    let ev = events_in(&dir.join("fence"));
    let seen: Vec<(&str, &str, u8)> = ev
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str(), e.rc))
        .collect();
    assert_eq!(
        seen,
        [
            ("status", "n1", 2),
            ("off", "n2", 0),
            ("status", "n1", 2),
            ("status", "n2", 2),
            ("status", "n2", 2)
        ],
        "{ev:?}"
    );
    let t0 = Instant::now();
    let (rc, _, err) = ask("action=monitor\n");
    assert_eq!(rc, Some(1), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(2), "{err}");
}
