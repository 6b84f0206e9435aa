//! What an engine's own files say about a container, read when the engine
//! cannot be asked: Docker keeps `config.v2.json` in its directory for the
//! container (`<data-root>/containers/<id>/`), which names it. The directory
//! is found through the container's own mounts (`crate::host`), so any data
//! root works. Podman keeps no name there (its `userdata` directory holds
//! only runtime files): a Podman container is named only through the
//! record.

use std::path::{Path, PathBuf};

/// The engine's directory for all its containers, from a path of one
/// container's files: the part before the component that is its id
/// (Docker: `<data-root>/containers`; Podman: `<runroot>/<driver>-containers`).
pub fn root_of(path: &Path, id: &str) -> Option<PathBuf> {
    let mut root = PathBuf::new();
    for c in path.components() {
        if c.as_os_str() == id {
            return Some(root);
        }
        root.push(c);
    }
    None
}

/// The data root of Docker on its default socket when the engine cannot
/// say: `data-root` (or the old `graph`) from `/etc/docker/daemon.json`,
/// else `/var/lib/docker`; as the engine root ([`root_of`]). `None` for
/// any other endpoint.
pub fn default_root(endpoint: &str) -> Option<PathBuf> {
    let path = endpoint.strip_prefix("unix://").unwrap_or(endpoint);
    if path != "/var/run/docker.sock" && path != "/run/docker.sock" {
        return None;
    }
    let configured = std::fs::read_to_string("/etc/docker/daemon.json")
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            let hosts_elsewhere = v.get("hosts").and_then(|h| h.as_array()).is_some_and(|h| {
                !h.iter()
                    .filter_map(|x| x.as_str())
                    .any(|x| x.ends_with(path))
            });
            if hosts_elsewhere {
                return None;
            }
            ["data-root", "graph"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|d| d.as_str()).map(PathBuf::from))
        });
    Some(
        configured
            .unwrap_or_else(|| PathBuf::from("/var/lib/docker"))
            .join("containers"),
    )
}

/// The name (without the leading `/`) Docker's `config.v2.json` in `dir`
/// gives container `id`; `None` when there is no such file, it does not
/// parse, or it is for another id.
pub fn docker_name(dir: &Path, id: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("config.v2.json")).ok()?;
    name_in(&text, id)
}

fn name_in(config: &str, id: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(config).ok()?;
    if v.get("ID")?.as_str()? != id {
        return None;
    }
    let name = v.get("Name")?.as_str()?;
    let name = name.strip_prefix('/').unwrap_or(name);
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";

    #[test]
    fn the_engine_root_of_docker_and_podman_paths() {
        let docker = format!("/var/lib/docker/containers/{ID}/hostname");
        assert_eq!(
            root_of(Path::new(&docker), ID),
            Some(PathBuf::from("/var/lib/docker/containers"))
        );
        let podman = format!("/run/containers/storage/overlay-containers/{ID}/userdata/hostname");
        assert_eq!(
            root_of(Path::new(&podman), ID),
            Some(PathBuf::from("/run/containers/storage/overlay-containers"))
        );
        assert_eq!(root_of(Path::new("/etc/hostname"), ID), None);
        assert_eq!(default_root("unix:///run/croit/docker.sock"), None);
    }

    #[test]
    fn the_name_for_the_right_id_only() {
        let c = format!(r#"{{"ID":"{ID}","Name":"/croit","State":{{"Running":true}}}}"#);
        assert_eq!(name_in(&c, ID), Some("croit".into()));
        assert_eq!(name_in(&c, &ID.replace('2', "3")), None);
        assert_eq!(name_in(r#"{"ID":"x"}"#, "x"), None);
        assert_eq!(name_in("{garbage", ID), None);
        assert_eq!(name_in(&format!(r#"{{"ID":"{ID}","Name":"/"}}"#), ID), None);
        assert_eq!(docker_name(Path::new("/nonexistent"), ID), None);
    }
}
