#!/usr/bin/env bash
# A private Podman for the tests (tests/podman.rs): its own configuration,
# storage and Docker-compatible socket, so nothing of a Podman the machine
# may have is used or touched.
#   tests/env/podman.sh start    start `podman system service` on $SOCK and
#                                import the busybox test image into it
#   tests/env/podman.sh stop     remove its containers, stop it, remove all
#                                its state
#   tests/env/podman.sh status
# What this machine kind needs (Debian 12, cgroup v1 hybrid, no systemd):
# runc (crun refuses "cgroups in hybrid mode"), cgroupfs, a file event log,
# and ulimits within the hard limits here (Podman's defaults exceed them).
set -euo pipefail
DIR=/run/croit-podman
SOCK=$DIR/podman.sock
DATA=/var/lib/croit-podman
PIDFILE=$DIR/service.pid
LOG=/tmp/croit-podman.log
IMAGE=croit-test/busybox:latest
export CONTAINERS_CONF=$DIR/containers.conf CONTAINERS_STORAGE_CONF=$DIR/storage.conf

remote() { podman --remote --url "unix://$SOCK" "$@"; }
answers() { [ -S "$SOCK" ] && timeout 10 podman --remote --url "unix://$SOCK" version >/dev/null 2>&1; }

image() {
  if remote image exists "$IMAGE"; then return 0; fi
  bash "$(dirname "$0")/image.sh" rootfs |
    remote import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  echo "imported $IMAGE into the test podman"
}

case "${1:-}" in
start)
  command -v podman >/dev/null || { echo "podman missing: install podman (tests/env/packages.sh)" >&2; exit 1; }
  if answers; then echo "test podman answers on unix://$SOCK"; image; exit 0; fi
  mkdir -p "$DIR/tmp" "$DIR/cni" "$DATA"
  cat >"$DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$DIR/tmp"
[network]
network_config_dir = "$DIR/cni"
EOF
  cat >"$DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$DIR/runroot"
graphroot = "$DATA/storage"
EOF
  rm -f "$SOCK"
  setsid podman system service --time=0 "unix://$SOCK" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 60); do
    if answers; then echo "started the test podman (pid $(cat "$PIDFILE")) on unix://$SOCK, log $LOG"; image; exit 0; fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
    sleep 0.5
  done
  echo "podman system service did not come up; last lines of $LOG:" >&2
  tail -n 30 "$LOG" >&2
  exit 1
  ;;
stop)
  [ -e "$DIR" ] || [ -e "$DATA" ] || exit 0
  # directly on the storage (the service may be gone): the same configuration
  if [ -f "$DIR/containers.conf" ]; then timeout 60 podman rm -af -t 0 >/dev/null 2>&1 || true; fi
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # a conmon whose container could not be removed
  for p in $(pgrep -f "conmon .* -b $DATA/" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  for m in $(grep -o " \($DIR\|$DATA\)[^ ]*" /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$DIR" "$DATA"
  echo "stopped the test podman and removed its state"
  ;;
status)
  if answers; then echo "test podman answers on unix://$SOCK"; else echo "no test podman on unix://$SOCK"; exit 1; fi
  ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
