//! The executable Pacemaker runs as /usr/lib/ocf/resource.d/croit/container.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

fn main() -> ExitCode {
    ra_api::run(
        &croit_container::agent::ContainerAgent,
        ra_api::Env::from_process(),
        // not env::args(): it panics on an argument that is not UTF-8
        std::env::args_os().map(|a| a.to_string_lossy().into_owned()),
    )
}
