#!/usr/bin/env bash
# Builds the agent (agents/build.sh) and installs it at the OCF path (DESTDIR
# for staging):
#   bash agents/install.sh            -> /usr/lib/ocf/resource.d/croit/container
#   DESTDIR=/tmp/stage bash agents/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(bash agents/build.sh | tail -n 1)
install -D -m 0755 "$BIN" "${DESTDIR:-}/usr/lib/ocf/resource.d/croit/container"
echo "installed ${DESTDIR:-}/usr/lib/ocf/resource.d/croit/container"
