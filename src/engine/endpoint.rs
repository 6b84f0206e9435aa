//! What is at the socket path before anything connects to it. Only a
//! missing path means "no engine here"; a path that cannot be searched is a
//! permission problem, and one that cannot be a socket (a file, a
//! directory, a path through a file) is a mistake on this node, not an
//! engine that is down.

use std::io::ErrorKind;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// Why the socket path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unusable {
    /// Nothing at the path: no engine listens here.
    Missing,
    /// The path cannot be searched or examined (EACCES).
    Permission,
    /// Something that is not a socket; the text says what.
    NotSocket(String),
}

/// Examines `path` (following symbolic links, as `connect` does).
pub(super) fn examine(path: &str) -> Result<(), Unusable> {
    match std::fs::metadata(path) {
        Ok(m) if m.file_type().is_socket() => Ok(()),
        Ok(m) => Err(Unusable::NotSocket(format!(
            "it is {}",
            kind(&m.file_type())
        ))),
        Err(e) => Err(match e.kind() {
            ErrorKind::NotFound => Unusable::Missing,
            ErrorKind::PermissionDenied => Unusable::Permission,
            _ if e.raw_os_error() == Some(nix::libc::ENOTDIR) => {
                Unusable::NotSocket(match not_a_directory(Path::new(path)) {
                    Some(p) => format!("{} is not a directory", p.display()),
                    None => "a parent is not a directory".into(),
                })
            }
            _ => Unusable::NotSocket(format!("cannot examine it: {e}")),
        }),
    }
}

fn kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_file() {
        "a regular file"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "no socket"
    }
}

/// The first parent of `path` that exists and is not a directory.
fn not_a_directory(path: &Path) -> Option<&Path> {
    let mut parents: Vec<&Path> = path.ancestors().skip(1).collect();
    parents.reverse();
    parents
        .into_iter()
        .find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_dir()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_path_is_decides() {
        assert_eq!(examine("/nonexistent-croit/x.sock"), Err(Unusable::Missing));
        assert_eq!(
            examine("/etc/passwd/x"),
            Err(Unusable::NotSocket("/etc/passwd is not a directory".into()))
        );
        assert_eq!(
            examine("/etc/passwd"),
            Err(Unusable::NotSocket("it is a regular file".into()))
        );
        assert_eq!(
            examine("/etc"),
            Err(Unusable::NotSocket("it is a directory".into()))
        );
    }
}

/// The Engine API's endpoint as configured (`unix:///path` or `/path`),
/// checked once where the parameter is read. It renders as written, so
/// reasons, logs and the records keyed by it read as the parameter does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    text: String,
    /// Where the socket path starts in `text`.
    path_at: usize,
}

impl Endpoint {
    /// Parses a `docker_host` value: a unix socket's absolute path, with or
    /// without `unix://`, no blank or control character. The error says why
    /// not.
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("a blank or control character is not allowed".into());
        }
        let path = s.strip_prefix("unix://").unwrap_or(s);
        if path.starts_with('/') {
            Ok(Endpoint {
                text: s.to_string(),
                path_at: s.len() - path.len(),
            })
        } else if path.len() < s.len() {
            Err("the socket's path must be absolute: unix:///path (three slashes)".into())
        } else if s.contains("://") {
            Err("only unix:// sockets are supported".into())
        } else {
            Err("expected unix:///path/to/socket".into())
        }
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The socket's path.
    pub fn path(&self) -> &str {
        &self.text[self.path_at..]
    }
}

/// Where Docker listens unless told otherwise (`docker_host`'s default).
pub const DEFAULT_ENDPOINT: &str = "unix:///var/run/docker.sock";

impl Default for Endpoint {
    /// [`DEFAULT_ENDPOINT`].
    fn default() -> Endpoint {
        Endpoint {
            text: DEFAULT_ENDPOINT.to_string(),
            path_at: "unix://".len(),
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod endpoint_tests {
    use super::Endpoint;

    #[test]
    fn an_endpoint_keeps_its_text_and_knows_its_path() {
        let e = Endpoint::parse("unix:///run/docker.sock");
        assert_eq!(
            e.as_ref().map(|e| (e.as_str(), e.path(), e.to_string())),
            Ok((
                "unix:///run/docker.sock",
                "/run/docker.sock",
                "unix:///run/docker.sock".to_string()
            ))
        );
        assert_eq!(
            Endpoint::parse("/run/docker.sock").map(|e| e.path().to_string()),
            Ok("/run/docker.sock".to_string())
        );
        for (bad, why) in [
            ("tcp://h:2375", "only unix:// sockets are supported"),
            ("docker.sock", "expected unix:///path/to/socket"),
            (
                "unix://run/x",
                "the socket's path must be absolute: unix:///path (three slashes)",
            ),
            (
                "/run/docker.sock ",
                "a blank or control character is not allowed",
            ),
        ] {
            assert_eq!(Endpoint::parse(bad), Err(why.to_string()), "{bad}");
        }
        let d = Endpoint::default();
        assert_eq!(Endpoint::parse(super::DEFAULT_ENDPOINT), Ok(d.clone()));
        assert_eq!(d.path(), "/var/run/docker.sock");
    }
}
