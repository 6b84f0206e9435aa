#!/usr/bin/env bash
# The release binary as it is shipped, for every consumer (install.sh, the
# packages, the benchmark): fat LTO, one codegen unit, panic=abort, stripped
# (Cargo.toml's release profile) and linked statically against glibc
# (crt-static, a static PIE): no loader, no shared-library lookups and
# relocations at each of the thousands of monitor calls a day (about a fifth
# of a monitor's CPU time, measured with callgrind and rusage), and no
# run-time dependency at all. The target triple is given explicitly so that
# RUSTFLAGS reach the agent but not build scripts and proc-macros (which
# cannot be static).
#   bash agents/build.sh [cargo args]   -> prints the binary's path (last line)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PATH
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static"
cargo build --release --locked --bin container --target "$TRIPLE" "$@" >&2
echo "target/$TRIPLE/release/container"
