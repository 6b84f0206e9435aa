//! Where the tests find the repository, the agent binary and Cargo's scratch
//! directory.
//!
//! Cargo hands `CARGO_BIN_EXE_container` and `CARGO_TARGET_TMPDIR` to the
//! root package's integration tests when it compiles them, not to this crate
//! (compiled before them, as a dependency). What this crate needs of them is
//! therefore read when a test runs: Cargo (1.94 on) sets
//! `CARGO_BIN_EXE_container` in the environment of the test it runs too; a
//! test binary started by hand (or by an older Cargo) finds the agent where
//! Cargo has always put it, beside the `deps/` folder that holds the test.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository's root (this crate is `tests/support` in it).
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// `path` (relative to the repository's root) as an absolute path.
pub fn repo(path: &str) -> PathBuf {
    Path::new(ROOT).join(path)
}

/// The agent binary Cargo built for this test run.
pub fn agent_bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("CARGO_BIN_EXE_container") {
            return bin.to_string_lossy().into_owned();
        }
        // <target>/<profile>/deps/<test>-<hash> -> <target>/<profile>/container
        let exe = std::env::current_exe().unwrap_or_default();
        match exe.parent().and_then(Path::parent) {
            Some(profile) if profile.join("container").is_file() => {
                profile.join("container").to_string_lossy().into_owned()
            }
            _ => panic!(
                "where is the agent binary? {} is not in Cargo's deps/ folder and \
                 CARGO_BIN_EXE_container is not set: run the test through cargo test",
                exe.display()
            ),
        }
    })
}

/// Cargo's scratch directory for integration tests (what
/// `CARGO_TARGET_TMPDIR` names at build time: `tmp` in the target
/// directory, the one that holds Cargo's `CACHEDIR.TAG`); created if missing.
pub fn target_tmp() -> &'static Path {
    static TMP: OnceLock<PathBuf> = OnceLock::new();
    TMP.get_or_init(|| {
        let bin = Path::new(agent_bin());
        let Some(target) = bin.ancestors().find(|d| d.join("CACHEDIR.TAG").is_file()) else {
            panic!(
                "no Cargo target directory (with CACHEDIR.TAG) above {}",
                bin.display()
            );
        };
        let tmp = target.join("tmp");
        if let Err(e) = std::fs::create_dir_all(&tmp) {
            panic!("cannot create {}: {e}", tmp.display());
        }
        tmp
    })
}
