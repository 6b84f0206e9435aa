#!/usr/bin/env bash
# Builds the RPM package from the release binary with rpmbuild (on Debian:
# apt-get install rpm):
#   bash packaging/build-rpm.sh   -> target/rpmbuild/RPMS/<arch>/ocf-croit-container-<version>-1.<arch>.rpm
# The spec compiles nothing: cargo builds the binary here and rpmbuild packs it
# with the committed man page, README, docs/, CHANGELOG.md and LICENSE. --nodeps:
# rpmbuild would look up build dependencies in the rpm database, which is
# empty on Debian (the spec declares none; the flag keeps rpmbuild from
# consulting it at all). Prints the path of the .rpm as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PATH
command -v rpmbuild >/dev/null || { echo "rpmbuild missing: apt-get install rpm" >&2; exit 1; }
BIN=$(bash agents/build.sh | tail -n 1)
TOP=$PWD/target/rpmbuild
rm -rf "$TOP"
mkdir -p "$TOP"/{SOURCES,BUILD,BUILDROOT,RPMS,SRPMS,SPECS}
cp "$BIN" agents/ocf_croit_container.7 README.md CHANGELOG.md LICENSE "$TOP/SOURCES/"
mkdir "$TOP/SOURCES/docs" && cp docs/*.md "$TOP/SOURCES/docs/"
rpmbuild -bb --quiet --nodeps --define "_topdir $TOP" packaging/rpm/ocf-croit-container.spec >&2
ls "$TOP"/RPMS/*/ocf-croit-container-*.rpm
