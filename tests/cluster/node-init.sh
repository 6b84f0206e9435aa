#!/bin/bash
# One cluster node of the test harness (tests/support/src/cluster/). Runs as the
# child of tini (PID 1 of the node) in fresh mount, UTS, IPC and PID
# namespaces, already inside the node's network namespace. Makes the node's
# state private, starts corosync, the node's own dockerd, then pacemakerd.
#   node-init.sh DIR NAME      DIR = the node's state folder on the host
# SIGTERM (forwarded by tini) stops pacemakerd, dockerd and corosync in order;
# SIGKILL to tini from outside is a power failure.
set -u
D=$1
N=$2
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8
export DOCKER_HOST=unix:///run/docker.sock
export DOCKER_CONFIG=$D/docker-cli
log() { echo "$(date +%T.%N | cut -c1-12) [$N-init] $*"; }

hostname "$N"
# Private /run (== /var/run). -n: libmount would otherwise create /run/mount
# in the host's /run before the tmpfs covers it.
mount -n -t tmpfs -o mode=755,size=64m "hc-run-$N" /run
# A /sys that shows this network namespace, with the host's cgroup tree kept
# (a plain `ip netns exec` leaves /sys/fs/cgroup empty and dockerd fails).
mkdir -p /run/.cg
mount --rbind /sys/fs/cgroup /run/.cg
mount -t sysfs "hc-sys-$N" /sys
mount --move /run/.cg /sys/fs/cgroup
rmdir /run/.cg
mount -t tmpfs -o mode=1777,size=256m "hc-shm-$N" /dev/shm   # libqb ring buffers
mount --bind "$D/etc-corosync" /etc/corosync
mount --bind "$D/lib-corosync" /var/lib/corosync
mount --bind "$D/lib-pacemaker" /var/lib/pacemaker
mount --bind "$D/log-corosync" /var/log/corosync
mount --bind "$D/log-pacemaker" /var/log/pacemaker
mkdir -p /run/lock /run/crm /run/resource-agents
chown hacluster:haclient /run/crm
chmod 750 /run/crm
chmod 1755 /run/resource-agents
ip link set lo up

log "starting corosync"
corosync -f >>"$D/corosync.out" 2>&1 &
COROSYNC=$!
for _ in $(seq 100); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.1; done

# The node's dockerd, before pacemakerd: the first probes must find it.
log "starting dockerd"
"$(dirname "$0")/node-dockerd.sh" "$D" "$N" &
DOCKERD=$!
for _ in $(seq 150); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
docker version >/dev/null 2>&1 && touch "$D/docker.ready"
log "dockerd up"

log "starting pacemakerd"
pacemakerd >>"$D/pacemakerd.out" 2>&1 &
PCMK=$!

stop() {
  log "graceful stop"
  kill -TERM $PCMK 2>/dev/null
  for _ in $(seq 1200); do kill -0 $PCMK 2>/dev/null || break; sleep 0.1; done
  # the dockerd of the pidfile: a test may have started another one since boot
  P=$(cat /run/hc-dockerd.pid 2>/dev/null || echo $DOCKERD)
  kill -TERM "$P" 2>/dev/null
  for _ in $(seq 600); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
  corosync-cfgtool -H --force >/dev/null 2>&1 || kill -TERM $COROSYNC
  wait $COROSYNC
  log "stopped"
  exit 0
}
trap stop TERM INT
while kill -0 $COROSYNC 2>/dev/null; do sleep 1 & wait $!; done
log "corosync exited"
