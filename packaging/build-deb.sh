#!/usr/bin/env bash
# Builds the Debian package from the workspace with cargo-deb:
#   bash packaging/build-deb.sh        -> target/debian/ocf-croit-container_<version>-1_<arch>.deb
# Installs cargo-deb first when it is missing (cargo install --locked; about
# 1.5 to 3 minutes on 2 cores). Prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PATH
CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version >/dev/null 2>&1; then
  echo "installing cargo-deb $CARGO_DEB_VERSION" >&2
  start=$(date +%s)
  cargo install cargo-deb --locked --version "$CARGO_DEB_VERSION" >&2
  echo "cargo-deb installed in $(($(date +%s) - start)) s" >&2
fi
# The man page shipped is the committed one; tests/man.rs checks that it is
# what the declarations produce. cargo-deb builds the release binary, gzips
# the man page and the changelogs, writes the copyright file and computes the
# shared-library dependencies ($auto).
# The binary is the one agents/build.sh makes (static, see there): same
# flags, same target; cargo-deb maps target/release/ in the assets to it.
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static"
cargo deb -p ocf-croit-container --locked --target "$TRIPLE" "$@" | tail -n 1
