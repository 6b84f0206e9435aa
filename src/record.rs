//! What the agent remembers between calls: the full id of the container
//! behind a (`docker_host`, `container`) pair, as the engine last told it.
//!
//! One small file per pair under `$HA_RSCTMP` (default
//! `/run/resource-agents`, a tmpfs: gone after a reboot, when no container
//! can have survived either). It is written atomically (a temporary file
//! renamed over it) and only when the id changed, so a monitor costs one
//! small read. Every reader takes a missing, truncated or garbled file as
//! "unknown", never as a fact. This module is its only writer.

use std::path::{Path, PathBuf};

/// Where the files live when `HA_RSCTMP` does not say.
pub const DEFAULT_DIR: &str = "/run/resource-agents";

/// What the record says about a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// Its full id, as the engine last reported it.
    Id(String),
    /// No record: the engine never answered for it on this node since boot.
    Nothing,
    /// A record that cannot be read or does not parse; the text says why.
    Garbled(String),
}

/// The records of this node.
#[derive(Debug, Clone)]
pub struct Records {
    dir: PathBuf,
}

/// A full container id: 64 lowercase hex digits.
pub fn is_full_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// FNV-1a, 64 bits: a stable, dependency-free name for an endpoint.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Records {
    /// Records under `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Records {
        Records { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for one pair: the container's name (Docker's names are safe
    /// in a file name) and a hash of the endpoint.
    pub fn path(&self, engine: &str, container: &str) -> PathBuf {
        self.dir.join(format!(
            "croit-container.{container}.{:016x}.id",
            fnv1a(engine)
        ))
    }

    fn render(engine: &str, container: &str, id: &str) -> String {
        format!("id={id}\nengine={engine}\ncontainer={container}\n")
    }

    /// What the record for the pair says.
    pub fn load(&self, engine: &str, container: &str) -> Known {
        let path = self.path(engine, container);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Known::Nothing,
            Err(e) => return Known::Garbled(format!("{}: {e}", path.display())),
        };
        Self::parse(&text, engine, container)
            .map(Known::Id)
            .unwrap_or_else(|why| Known::Garbled(format!("{}: {why}", path.display())))
    }

    fn parse(text: &str, engine: &str, container: &str) -> Result<String, &'static str> {
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
        };
        let id = field("id").ok_or("no id")?;
        if !is_full_id(id) {
            return Err("not a full container id");
        }
        if field("engine") != Some(engine) || field("container") != Some(container) {
            return Err("for another engine or container");
        }
        Ok(id.to_string())
    }

    /// Remembers `id` for the pair when the record says anything else.
    /// Failures are logged, never fatal: the record only matters once the
    /// engine is gone.
    pub fn remember(&self, engine: &str, container: &str, id: &str) {
        if !is_full_id(id) {
            tracing::debug!("engine gave a container id that is not a full id: {id:?}");
            return;
        }
        if self.load(engine, container) == Known::Id(id.to_string()) {
            return;
        }
        if let Err(e) = self.write(engine, container, id) {
            tracing::warn!(
                "cannot record the id of container {container} under {} ({e}): \
                 with the engine down, its processes cannot be checked",
                self.dir.display()
            );
        }
    }

    fn write(&self, engine: &str, container: &str, id: &str) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(&self.dir)?;
        let path = self.path(engine, container);
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        let written = f
            .write_all(Self::render(engine, container, id).as_bytes())
            .and_then(|()| f.sync_data())
            .and_then(|()| std::fs::rename(&tmp, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    /// Drops the record (the engine says the container does not exist).
    pub fn forget(&self, engine: &str, container: &str) {
        match std::fs::remove_file(self.path(engine, container)) {
            Ok(()) => tracing::debug!("forgot the id of container {container}"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove the record of container {container}: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";
    const E: &str = "unix:///var/run/docker.sock";

    fn scratch(tag: &str) -> Records {
        let d = std::env::temp_dir().join(format!("croit-rec-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        Records::at(d)
    }

    #[test]
    fn remembers_forgets_and_keeps_pairs_apart() {
        let r = scratch("a");
        assert_eq!(r.load(E, "croit"), Known::Nothing);
        r.remember(E, "croit", ID);
        assert_eq!(r.load(E, "croit"), Known::Id(ID.into()));
        assert_eq!(r.load(E, "other"), Known::Nothing);
        assert_eq!(
            r.load("unix:///run/podman/podman.sock", "croit"),
            Known::Nothing
        );
        r.forget(E, "croit");
        assert_eq!(r.load(E, "croit"), Known::Nothing);
        let _ = std::fs::remove_dir_all(r.dir());
    }

    #[test]
    fn an_unchanged_id_is_not_written_again() {
        let r = scratch("b");
        r.remember(E, "croit", ID);
        let p = r.path(E, "croit");
        let before = std::fs::metadata(&p).and_then(|m| m.modified());
        std::thread::sleep(std::time::Duration::from_millis(20));
        r.remember(E, "croit", ID);
        let after = std::fs::metadata(&p).and_then(|m| m.modified());
        assert_eq!(before.ok(), after.ok());
        let _ = std::fs::remove_dir_all(r.dir());
    }

    #[test]
    fn truncated_garbage_and_foreign_records_are_unknown() {
        let r = scratch("c");
        r.remember(E, "croit", ID);
        let p = r.path(E, "croit");
        let good = std::fs::read_to_string(&p).unwrap_or_default();
        for bad in [
            String::new(),
            good[..20].to_string(),
            "\u{0}\u{1}garbage\n=\n==".to_string(),
            good.replace("croit", "other"),
            good.replace(E, "unix:///x"),
            good.replace(&ID[..4], "XYZW"),
        ] {
            std::fs::write(&p, &bad).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                matches!(r.load(E, "croit"), Known::Garbled(_)),
                "{bad:?} read as {:?}",
                r.load(E, "croit")
            );
        }
        // a directory where the file should be
        let _ = std::fs::remove_file(&p);
        std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(r.load(E, "croit"), Known::Garbled(_)));
        let _ = std::fs::remove_dir_all(r.dir());
    }

    #[test]
    fn only_full_ids_are_recorded() {
        let r = scratch("d");
        r.remember(E, "croit", "24af5fa908a9");
        assert_eq!(r.load(E, "croit"), Known::Nothing);
        assert!(is_full_id(ID));
        assert!(!is_full_id(&ID.to_uppercase()));
    }
}
