#!/bin/bash
# The dockerd of one cluster node: started by node-init.sh at boot, and by
# the harness again after a test stopped it (tests/support/src/cluster/dockerd.rs).
# Runs inside the node's namespaces and execs dockerd (its pid is the
# caller's child pid and is written to /run/hc-dockerd.pid); output appended
# to DIR/dockerd.out, stdin from /dev/null (no pipe of the caller held open).
#   node-dockerd.sh DIR NAME      DIR = the node's state folder on the host
set -u
D=$1
N=$2
# Extra flags from the harness (e.g. --live-restore), one word each.
FLAGS=$(cat "$D/dockerd.flags" 2>/dev/null)
mkdir -p "$D/docker-data" /run/hc-docker
# shellcheck disable=SC2086 # FLAGS: one word each
exec dockerd --data-root "$D/docker-data" --exec-root /run/hc-docker -H unix:///run/docker.sock \
  --pidfile /run/hc-dockerd.pid --bridge=none --iptables=false --ip6tables=false \
  --ip-forward=false --ip-masq=false --storage-driver=vfs \
  --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent="/hc-$N" $FLAGS \
  </dev/null >>"$D/dockerd.out" 2>&1
