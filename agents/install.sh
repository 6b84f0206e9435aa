#!/usr/bin/env bash
# Builds the agent and installs it at the OCF path (DESTDIR for staging):
#   bash agents/install.sh            -> /usr/lib/ocf/resource.d/croit/container
#   DESTDIR=/tmp/stage bash agents/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin container
install -D -m 0755 target/release/container "${DESTDIR:-}/usr/lib/ocf/resource.d/croit/container"
echo "installed ${DESTDIR:-}/usr/lib/ocf/resource.d/croit/container"
