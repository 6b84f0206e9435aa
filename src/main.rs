//! The executable Pacemaker runs as /usr/lib/ocf/resource.d/croit/container.

use std::process::ExitCode;

fn main() -> ExitCode {
    ra_api::run(
        &croit_container::agent::ContainerAgent,
        ra_api::Env::from_process(),
        std::env::args(),
    )
}
