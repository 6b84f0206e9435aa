//! Installs the binary under test at the OCF path, once per test process, so
//! that ocf-tester, crm_resource and pcs find exactly what was just built.

use std::path::Path;
use std::sync::OnceLock;

/// Where Pacemaker looks for ocf:croit:container.
pub const OCF_PATH: &str = "/usr/lib/ocf/resource.d/croit/container";

/// Copies the freshly built agent to [`OCF_PATH`] (atomically, mode 0755).
pub fn install_agent() -> &'static str {
    crate::privileged::require_root("installing the agent at the OCF path");
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = Path::new(OCF_PATH).parent().unwrap_or(Path::new("/"));
        if let Err(e) = std::fs::create_dir_all(dir) {
            panic!("cannot create {}: {e} (run as root)", dir.display());
        }
        let tmp = dir.join(format!(".container.{}", std::process::id()));
        let bin = crate::paths::agent_bin();
        if let Err(e) = std::fs::copy(bin, &tmp) {
            panic!("cannot copy {bin} to {}: {e} (run as root)", tmp.display());
        }
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755));
        if let Err(e) = std::fs::rename(&tmp, OCF_PATH) {
            panic!("cannot install {OCF_PATH}: {e}");
        }
    });
    OCF_PATH
}
