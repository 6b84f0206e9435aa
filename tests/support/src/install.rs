//! Installs the binary under test at the OCF path, so that ocf-tester,
//! crm_resource and pcs find exactly what was just built. Other worktrees'
//! cluster tests install their own build between two of ours (each holds
//! the cluster lock while it runs), so every call checks the installed
//! file and installs again when it is not this build's: call it after the
//! cluster's lock is taken.

use std::path::Path;
use std::sync::Mutex;

/// Where Pacemaker looks for ocf:croit:container.
pub const OCF_PATH: &str = "/usr/lib/ocf/resource.d/croit/container";

/// Copies the freshly built agent to [`OCF_PATH`] (atomically, mode 0755)
/// unless the file there is this build already.
pub fn install_agent() -> &'static str {
    crate::privileged::require_root("installing the agent at the OCF path");
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let bin = crate::paths::agent_bin();
    let built = match std::fs::read(bin) {
        Ok(b) => b,
        Err(e) => panic!("cannot read {bin}: {e}"),
    };
    if std::fs::read(OCF_PATH).ok().as_deref() == Some(built.as_slice()) {
        return OCF_PATH;
    }
    let dir = Path::new(OCF_PATH).parent().unwrap_or(Path::new("/"));
    if let Err(e) = std::fs::create_dir_all(dir) {
        panic!("cannot create {}: {e} (run as root)", dir.display());
    }
    let tmp = dir.join(format!(".container.{}", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, &built) {
        panic!("cannot copy {bin} to {}: {e} (run as root)", tmp.display());
    }
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755));
    if let Err(e) = std::fs::rename(&tmp, OCF_PATH) {
        panic!("cannot install {OCF_PATH}: {e}");
    }
    OCF_PATH
}
