//! Runs the real agent binary the way Pacemaker does: an action in argv[1],
//! parameters as OCF_RESKEY_*, nothing on stdin; inside a network namespace.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary cargo built for this test run.
pub fn bin() -> &'static str {
    crate::paths::agent_bin()
}

/// What one agent call returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// The last exit reason, as Pacemaker keeps it.
    pub fn reason(&self) -> Option<&str> {
        self.stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("ocf-exit-reason:"))
    }
    /// Asserts that the exit reason mentions `needle`.
    #[track_caller]
    pub fn assert_reason(&self, needle: &str) {
        let reason = self.reason().unwrap_or("");
        assert!(
            reason.contains(needle),
            "exit reason {reason:?} does not mention {needle:?}; stderr:\n{}",
            self.stderr
        );
    }
    /// Number of exit-reason lines.
    pub fn reasons(&self) -> usize {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("ocf-exit-reason:"))
            .count()
    }
}

/// Environment for one call: parameters plus meta variables.
#[derive(Clone, Default)]
pub struct Call {
    pub params: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
    /// Command-line words after the action (flags such as `--ip=...`).
    pub args: Vec<String>,
}

impl Call {
    pub fn new(params: &[(&str, &str)]) -> Call {
        let mut c = Call::default();
        for (k, v) in params {
            c.params.push((k.to_string(), v.to_string()));
        }
        c.env
            .push(("OCF_RESKEY_CRM_meta_timeout".into(), "20000".into()));
        c
    }
    /// Sets (or replaces) a parameter.
    pub fn param(mut self, k: &str, v: &str) -> Call {
        self.params.retain(|(n, _)| n != k);
        self.params.push((k.into(), v.into()));
        self
    }
    /// Sets (or replaces) an environment variable.
    pub fn var(mut self, k: &str, v: &str) -> Call {
        self.env.retain(|(n, _)| n != k);
        self.env.push((k.into(), v.into()));
        self
    }
    /// Appends a command-line word after the action.
    pub fn arg(mut self, a: &str) -> Call {
        self.args.push(a.into());
        self
    }
    /// A recurring monitor (interval set).
    pub fn recurring(self) -> Call {
        self.var("OCF_RESKEY_CRM_meta_interval", "10000")
    }

    /// Runs `action` inside network namespace `netns` (None: this namespace).
    pub fn run(&self, netns: Option<&str>, action: &str) -> Run {
        self.run_via(netns, &[], action)
    }

    /// Like [`Call::run`], behind `wrapper` (a program and its arguments,
    /// e.g. `strace -f ...` or `setpriv ...`; the agent and the action are
    /// appended).
    pub fn run_via(&self, netns: Option<&str>, wrapper: &[&str], action: &str) -> Run {
        let mut argv: Vec<&str> = Vec::new();
        // nsenter, not `ip netns exec`: the agent keeps the host's mount
        // namespace as under Pacemaker (`ip netns exec` mounts a fresh /sys
        // that hides the cgroup hierarchies).
        let netns_arg = netns.map(|ns| format!("--net=/run/netns/{ns}"));
        if let Some(arg) = &netns_arg {
            argv.extend(["nsenter", arg.as_str()]);
        }
        argv.extend(wrapper);
        argv.extend([bin(), action]);
        argv.extend(self.args.iter().map(String::as_str));
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..]);
        cmd.env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("OCF_ROOT", "/usr/lib/ocf");
        for (k, v) in &self.params {
            cmd.env(format!("OCF_RESKEY_{k}"), v);
        }
        // one resource instance per container, as a cluster has one per
        // resource: the agent keeps its records by instance, and tests
        // run side by side
        if !self.env.iter().any(|(k, _)| k == "OCF_RESOURCE_INSTANCE") {
            let container = self.params.iter().find(|(k, _)| k == "container");
            cmd.env(
                "OCF_RESOURCE_INSTANCE",
                container.map_or("test", |(_, v)| v.as_str()),
            );
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null());
        let t0 = Instant::now();
        let out = match cmd.output() {
            Ok(o) => o,
            Err(e) => panic!("cannot run the agent ({argv:?}): {e}"),
        };
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: t0.elapsed(),
        };
        eprintln!(
            "{}agent {action} -> {} ({} ms) {:?}",
            wrapper.first().map_or(String::new(), |w| format!("{w}: ")),
            run.code,
            run.took.as_millis(),
            run.reason()
        );
        run
    }
}

/// Asserts the code and returns the run for further checks.
#[track_caller]
pub fn expect(run: Run, code: i32) -> Run {
    assert_eq!(
        run.code, code,
        "expected {code}, got {}; stderr:\n{}",
        run.code, run.stderr
    );
    if code != 0 && code != 7 {
        assert_eq!(
            run.reasons(),
            1,
            "one exit reason expected:\n{}",
            run.stderr
        );
    }
    run
}

/// `ip -o addr show dev IF` in namespace `ns`: whether `cidr` is bound.
pub fn has_addr(ns: &str, ifname: &str, cidr: &str) -> bool {
    let out = Command::new("ip")
        .args(["-n", ns, "-o", "addr", "show", "dev", ifname])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    out.split_whitespace().any(|w| w == cidr)
}

/// Runs `ip ARGS` and asserts success.
#[track_caller]
pub fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!("ip {args:?}: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("ip {args:?}: {e}"),
    }
}

/// Polls `f` every 50 ms for at most `limit`.
pub fn wait_for(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}
