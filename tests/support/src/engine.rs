//! A dockerd of the test's own, on its own socket, data root and exec root,
//! that a test may stop, kill or freeze without touching anybody else's.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A private dockerd with the test image imported.
pub struct PrivateEngine {
    dir: PathBuf,
    data: PathBuf,
    extra: Vec<String>,
    child: Option<Child>,
    created: std::cell::RefCell<Vec<String>>,
}

fn run(cmd: &mut Command) -> Output {
    match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("{cmd:?}: {e}"),
    }
}

impl PrivateEngine {
    /// Starts `dockerd` for `tag` and imports the test image into it.
    pub fn start(tag: &str) -> PrivateEngine {
        PrivateEngine::start_with(tag, &[])
    }

    /// [`PrivateEngine::start`] with more dockerd options (`--live-restore`).
    pub fn start_with(tag: &str, extra: &[&str]) -> PrivateEngine {
        crate::privileged::require_root("a private dockerd");
        let dir = PathBuf::from(format!("/run/croit-fe-{tag}"));
        let data = PathBuf::from(format!("/var/lib/croit-fe-{tag}"));
        let mut e = PrivateEngine {
            dir,
            data,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
            created: Default::default(),
        };
        e.cleanup_dirs();
        for d in [&e.dir, &e.data, &e.exec()] {
            if let Err(err) = std::fs::create_dir_all(d) {
                panic!("mkdir {}: {err}", d.display());
            }
        }
        e.spawn();
        let script = crate::paths::repo("tests/env/image.sh");
        let o = run(Command::new("bash")
            .arg(script)
            .env("DOCKER_HOST", e.host()));
        assert!(
            o.status.success(),
            "image import into the private dockerd: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        e
    }

    /// Starts dockerd again on the same state (after [`PrivateEngine::kill`]
    /// or [`PrivateEngine::stop`]) and waits until it answers.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "dockerd still runs");
        self.spawn();
    }

    /// Starts dockerd; on a loaded machine its containerd may miss
    /// dockerd's start timeout, so a dockerd that exits is started again
    /// (three tries).
    fn spawn(&mut self) {
        for attempt in 1..=3 {
            if self.spawn_once() {
                return;
            }
            eprintln!("private dockerd exited while starting (try {attempt} of 3)");
            let _ = Command::new("pkill")
                .args([
                    "-KILL",
                    "-f",
                    &format!("containerd --config {}", self.exec().display()),
                ])
                .status();
        }
        panic!(
            "private dockerd did not come up: see {}",
            self.dir.join("dockerd.log").display()
        );
    }

    fn spawn_once(&mut self) -> bool {
        let e = self;
        let log = match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(e.dir.join("dockerd.log"))
        {
            Ok(f) => f,
            Err(err) => panic!("dockerd log: {err}"),
        };
        let child = Command::new("dockerd")
            .args(["-H", &e.host()])
            .arg("--data-root")
            .arg(&e.data)
            .arg("--exec-root")
            .arg(e.exec())
            .arg("--pidfile")
            .arg(e.dir.join("dockerd.pid"))
            .args([
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-forward=false",
                "--ip-masq=false",
                "--exec-opt",
                "native.cgroupdriver=cgroupfs",
                "--storage-driver=vfs",
            ])
            .args(&e.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn();
        e.child = match child {
            Ok(c) => Some(c),
            Err(err) => panic!("dockerd not runnable ({err}): install docker.io"),
        };
        let t0 = Instant::now();
        while !e.answers() {
            let exited = e
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited {
                e.child = None;
                return false;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(90),
                "private dockerd did not come up: see {}",
                e.dir.join("dockerd.log").display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        true
    }

    fn exec(&self) -> PathBuf {
        self.dir.join("exec")
    }

    /// `unix://...` of its socket.
    pub fn host(&self) -> String {
        format!("unix://{}", self.dir.join("docker.sock").display())
    }

    /// The socket path.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("docker.sock")
    }

    fn answers(&self) -> bool {
        Command::new("docker")
            .args([
                "-H",
                &self.host(),
                "version",
                "--format",
                "{{.Server.Version}}",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// The docker CLI against this engine.
    pub fn docker(&self, args: &[&str]) -> Output {
        run(Command::new("docker").args(["-H", &self.host()]).args(args))
    }

    /// `docker create` (asserting success) of the test image; its full id.
    pub fn create(&self, name: &str, extra: &[&str], cmd: &[&str]) -> String {
        let mut args = vec!["create", "--name", name, "--network", "none"];
        args.extend(extra);
        args.push(crate::docker::IMAGE);
        args.extend(cmd);
        let o = self.docker(&args);
        assert!(
            o.status.success(),
            "create {name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
        self.created.borrow_mut().push(id.clone());
        id
    }

    fn pid(&self) -> Option<i32> {
        self.child.as_ref().map(|c| c.id() as i32)
    }

    fn signal(&self, sig: &str) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill")
                .args([&format!("-{sig}"), &pid.to_string()])
                .status();
        }
    }

    /// SIGKILL to dockerd, waited for: it dies with its containerd, the
    /// containers' shims keep their processes (no live-restore needed).
    pub fn kill(&mut self) {
        self.thaw();
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let exec = self.exec();
        let _ = Command::new("pkill")
            .args([
                "-KILL",
                "-f",
                &format!("containerd --config {}", exec.display()),
            ])
            .status();
    }

    /// `docker inspect -f <format> <name>`, trimmed.
    pub fn inspect(&self, name: &str, format: &str) -> String {
        let o = self.docker(&["inspect", "-f", format, name]);
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }

    /// SIGSTOP to dockerd: it accepts connections and answers nothing.
    pub fn freeze(&self) {
        self.signal("STOP");
    }

    /// SIGCONT.
    pub fn thaw(&self) {
        self.signal("CONT");
    }

    /// Stops dockerd the way an administrator does (SIGTERM, waited for):
    /// it stops its containers and removes its socket.
    pub fn stop(&mut self) {
        self.thaw();
        self.signal("TERM");
        if let Some(mut c) = self.child.take() {
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(30) {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn cleanup_dirs(&self) {
        let exec = self.exec();
        // a dockerd of an earlier, killed test run on the same socket
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &format!("dockerd -H {}", self.host())])
            .status();
        for pattern in [
            format!("containerd --config {}", exec.display()),
            format!("containerd-shim.* -address {}", exec.display()),
        ] {
            let _ = Command::new("pkill")
                .args(["-KILL", "-f", &pattern])
                .status();
        }
        for m in [&exec, &self.data] {
            for _ in 0..5 {
                let mounted = Command::new("mountpoint")
                    .arg("-q")
                    .arg(m)
                    .status()
                    .is_ok_and(|s| s.success());
                if !mounted {
                    break;
                }
                let _ = Command::new("umount").arg("-R").arg(m).status();
                let _ = Command::new("umount").arg("-l").arg(m).status();
            }
        }
        // container shim mounts under the data root
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "grep -o ' {}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l",
                self.data.display()
            ))
            .status();
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for PrivateEngine {
    fn drop(&mut self) {
        // a test that failed with the engine frozen: the CLI would hang
        self.thaw();
        if self.child.is_some() {
            let ids = self.docker(&["ps", "-aq"]);
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = self.docker(&["rm", "-f", id]);
            }
            self.stop();
        }
        // processes a killed engine left behind (their shims keep them)
        for id in self.created.borrow().iter() {
            crate::procs::kill_all(id);
        }
        self.cleanup_dirs();
    }
}
