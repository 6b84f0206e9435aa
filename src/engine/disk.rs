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
