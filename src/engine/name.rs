//! The configured container (`container`), checked once where the
//! parameter is read.

/// A container name or full id as Docker accepts them
/// (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, at most 253 characters), without the
/// leading `/` the engine shows names with. It renders as kept, so reasons,
/// logs and the records keyed by it read as before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerName(String);

impl ContainerName {
    /// Parses a `container` value; one leading `/` is dropped (`/croit` is
    /// `croit`). The error says why not.
    pub fn parse(s: &str) -> Result<ContainerName, String> {
        let name = s.strip_prefix('/').unwrap_or(s);
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if name.len() < 2 || name.len() > 253 || !first_ok || !rest_ok {
            return Err("not a Docker container name or id ([a-zA-Z0-9][a-zA-Z0-9_.-]+)".into());
        }
        Ok(ContainerName(name.to_string()))
    }

    /// The name (or id), without a leading `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A full container id: 64 lowercase hex digits.
pub fn is_full_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
impl ContainerName {
    /// A name a test knows to be valid.
    pub(crate) fn of(s: &str) -> ContainerName {
        ContainerName::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }
}

impl std::fmt::Display for ContainerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for ContainerName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ContainerName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::ContainerName;

    #[test]
    fn a_name_is_checked_once_and_kept_without_its_slash() {
        let long = "a".repeat(253);
        for (given, kept) in [
            ("croit", "croit"),
            ("/croit", "croit"),
            ("pxe-1", "pxe-1"),
            ("a_b.c-d", "a_b.c-d"),
            ("0f", "0f"),
            (long.as_str(), long.as_str()),
        ] {
            let n = ContainerName::parse(given);
            assert_eq!(
                n.as_ref().map(|n| (n.as_str(), n.to_string())),
                Ok((kept, kept.to_string())),
                "{given}"
            );
        }
        let why = "not a Docker container name or id ([a-zA-Z0-9][a-zA-Z0-9_.-]+)";
        let too_long = "a".repeat(254);
        for bad in [
            "",
            "/",
            "a",
            "/a",
            "//croit",
            "-croit",
            "_croit",
            ".croit",
            "cro it",
            "croit/x",
            "croit:1",
            "cröit",
            "croit\n",
            too_long.as_str(),
        ] {
            assert_eq!(ContainerName::parse(bad), Err(why.to_string()), "{bad:?}");
        }
    }
}
