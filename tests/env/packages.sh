#!/usr/bin/env bash
# Installs the Debian 12 packages the demo and the test suite use (as root).
set -euo pipefail
PKGS=(
  docker.io busybox-static tini          # the real engine, the image's root, docker --init
  podman                                 # Podman's Docker-compatible socket (tests/podman.rs; uses runc)
  iproute2 procps tcpdump                # namespaces and veth pairs for tests; the demo's capture
  pacemaker pacemaker-cli-utils pcs      # crm_resource, pcs (offline CIB)
  resource-agents libxml2-utils          # ocf-tester, ra-api-1.dtd, xmllint
  jq iputils-arping                      # what croit's shell agent calls (side-by-side timing)
  curl ca-certificates
  groff-base man-db crmsh rpm dpkg-dev file lintian rpmlint   # man pages; crm; rpmbuild; dpkg-shlibdeps; file (tests/package.sh)
  strace                                 # tests/security.rs: the agent executes nothing
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
