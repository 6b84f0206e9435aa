//! What the agent remembers between calls, in one directory with one
//! writer: the container this node started or found (its full id and the
//! name it had), and the background announcer of the last start.
//!
//! The files live under `$HA_RSCTMP` (default `/run/resource-agents`, a
//! tmpfs: gone after a reboot, when no container can have survived either),
//! one set per resource instance (`OCF_RESOURCE_INSTANCE`) and engine
//! endpoint, so that two resources never share a record: not two resources
//! with the same container name on two engines, not a resource renamed in
//! the CIB. Every file is written atomically (a temporary file renamed over
//! it) and only when its content changes, so a monitor costs one small read.
//! Every reader takes a missing, truncated or garbled file as "unknown",
//! never as a fact.

use std::path::{Path, PathBuf};

use crate::engine::{is_full_id, ContainerName};

/// Where the files live when `HA_RSCTMP` does not say.
pub const DEFAULT_DIR: &str = "/run/resource-agents";

/// FNV-1a, 64 bits: a stable, dependency-free name for a key.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The container this node remembers for a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ours {
    /// Its full id.
    pub id: String,
    /// The name it had when the engine last answered for it.
    pub name: String,
}

/// What the record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// The container the engine last answered for.
    Ours(Ours),
    /// No record: the engine never answered for the resource on this node
    /// since boot (or the record could not be written).
    Nothing,
    /// A record that cannot be read or does not parse; the text says why.
    Garbled(String),
}

impl Known {
    /// The remembered id, when there is one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Known::Ours(o) => Some(&o.id),
            _ => None,
        }
    }
}

/// The records of one resource instance (with its configured container
/// name) on one engine.
#[derive(Debug, Clone)]
pub struct State {
    dir: PathBuf,
    instance: String,
    container: Option<ContainerName>,
    engine: String,
}

/// Writes `text` to `path` atomically (a temporary file in the same
/// directory, synced, renamed over it); the directory is created.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)?;
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(&tmp)?;
    let written = f
        .write_all(text.as_bytes())
        .and_then(|()| f.sync_data())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

impl State {
    /// The records of `instance`, configured with `container`, on `engine`
    /// under `dir`. The container name is part of the key because callers
    /// outside a cluster share instance names (`crm_resource --force-*`
    /// calls every resource `test`, ocf-tester whatever `-n` says). Without
    /// a readable name (a stop of a malformed definition) the key has an
    /// empty one.
    pub fn new(
        dir: impl Into<PathBuf>,
        instance: &str,
        container: Option<&ContainerName>,
        engine: &str,
    ) -> State {
        State {
            dir: dir.into(),
            instance: instance.to_string(),
            container: container.cloned(),
            engine: engine.to_string(),
        }
    }

    /// The engine endpoint the records are for.
    pub fn engine(&self) -> &str {
        &self.engine
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The base name of this resource's files: the instance as far as it is
    /// safe in a file name (for people reading the directory), then a hash
    /// of the exact instance and engine (what keeps two resources apart).
    fn base(&self, with_engine: bool) -> String {
        let readable: String = self
            .instance
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        let container = self.container.as_ref().map_or("", ContainerName::as_str);
        let key = if with_engine {
            format!("{}\u{0}{container}\u{0}{}", self.instance, self.engine)
        } else {
            format!("{}\u{0}{container}", self.instance)
        };
        format!("croit-container.{readable}.{:016x}", fnv1a(&key))
    }

    /// The file of the remembered container (per instance and engine).
    pub fn container_path(&self) -> PathBuf {
        self.dir.join(format!("{}.id", self.base(true)))
    }

    /// The file of the background announcer: per instance and container
    /// only (it announces the resource's addresses, whatever the engine),
    /// so that a stop whose `docker_host` is malformed still ends it.
    pub fn announcer_path(&self) -> PathBuf {
        self.dir.join(format!("{}.announcer", self.base(false)))
    }

    /// The file of what is known of the engine itself (per engine only:
    /// every resource on it learns and uses it).
    fn engine_path(&self) -> PathBuf {
        self.dir.join(format!(
            "croit-container.engine.{:016x}.root",
            fnv1a(&self.engine)
        ))
    }

    /// Where the engine keeps its containers' files, as it last said
    /// (see `ContainerState::engine_root`); `None` when never learned.
    pub fn engine_root(&self) -> Option<PathBuf> {
        let text = std::fs::read_to_string(self.engine_path()).ok()?;
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
        };
        if field("engine") != Some(self.engine.as_str()) {
            return None;
        }
        field("root")
            .filter(|r| r.starts_with('/'))
            .map(PathBuf::from)
    }

    /// Remembers the engine's root when the record says anything else.
    pub fn remember_engine_root(&self, root: &Path) {
        if self.engine_root().as_deref() == Some(root) {
            return;
        }
        let text = format!("root={}\nengine={}\n", root.display(), self.engine);
        if let Err(e) = write_atomic(&self.engine_path(), &text) {
            tracing::warn!(
                "cannot record the engine's root under {} ({e})",
                self.dir.display()
            );
        }
    }

    fn render(&self, o: &Ours) -> String {
        format!(
            "id={}\nname={}\nengine={}\ninstance={}\n",
            o.id, o.name, self.engine, self.instance
        )
    }

    /// What the record of the container says.
    pub fn load(&self) -> Known {
        let path = self.container_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Known::Nothing,
            Err(e) => return Known::Garbled(format!("{}: {e}", path.display())),
        };
        self.parse(&text)
            .map(Known::Ours)
            .unwrap_or_else(|why| Known::Garbled(format!("{}: {why}", path.display())))
    }

    fn parse(&self, text: &str) -> Result<Ours, &'static str> {
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
        };
        let id = field("id").ok_or("no id")?;
        if !is_full_id(id) {
            return Err("not a full container id");
        }
        let name = field("name").filter(|n| !n.is_empty()).ok_or("no name")?;
        if field("engine") != Some(self.engine.as_str())
            || field("instance") != Some(self.instance.as_str())
        {
            return Err("for another engine or resource");
        }
        Ok(Ours {
            id: id.to_string(),
            name: name.to_string(),
        })
    }

    /// Remembers `ours` when the record says anything else. A failure is
    /// logged: without a record, a node whose engine is gone falls back to
    /// the engine's own state on disk, and says 1 where that cannot tell.
    pub fn remember(&self, ours: &Ours) {
        if !is_full_id(&ours.id) {
            tracing::debug!(
                "engine gave a container id that is not a full id: {:?}",
                ours.id
            );
            return;
        }
        if self.load() == Known::Ours(ours.clone()) {
            return;
        }
        if let Err(e) = write_atomic(&self.container_path(), &self.render(ours)) {
            tracing::warn!(
                "cannot record the id of container {} under {} ({e})",
                ours.name,
                self.dir.display()
            );
        }
    }

    /// Drops the record (nothing of the container is left).
    pub fn forget(&self) {
        match std::fs::remove_file(self.container_path()) {
            Ok(()) => tracing::debug!("forgot the remembered container"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove the record of the container: {e}"),
        }
    }
}

#[cfg(test)]
mod tests;
