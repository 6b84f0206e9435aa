#!/usr/bin/env bash
# A dockerd for the demo and the tests:
#   tests/env/dockerd.sh start   use the one answering on $DOCKER_HOST (default
#                                /var/run/docker.sock), else start our own
#   tests/env/dockerd.sh stop    stop it again, only if we started it
#   tests/env/dockerd.sh status
set -euo pipefail
SOCK=/var/run/docker.sock
STATE=/run/croit-test-dockerd.started
PIDFILE=/run/croit-test-dockerd.pid
DATA=/var/lib/croit-test-docker
EXEC=/run/croit-test-docker
LOG=/tmp/croit-test-dockerd.log
export DOCKER_HOST=${DOCKER_HOST:-unix://$SOCK}

answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

case "${1:-}" in
start)
  if answers; then echo "dockerd answers on $DOCKER_HOST"; exit 0; fi
  if [ "$DOCKER_HOST" != "unix://$SOCK" ]; then
    echo "dockerd does not answer on $DOCKER_HOST (only $SOCK is started here)" >&2; exit 1
  fi
  command -v dockerd >/dev/null || { echo "dockerd missing: install docker.io" >&2; exit 1; }
  mkdir -p "$DATA" "$EXEC"
  # No bridge, no iptables: the tests' containers use --network none and the
  # machine's firewall stays as it is. cgroupfs: there is no systemd here.
  dockerd -H "unix://$SOCK" --data-root "$DATA" --exec-root "$EXEC" --pidfile "$PIDFILE" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --exec-opt native.cgroupdriver=cgroupfs --storage-driver=vfs \
    >"$LOG" 2>&1 &
  echo $! >"$STATE"
  for _ in $(seq 120); do
    if answers; then echo "started dockerd (pid $(cat "$STATE")), log $LOG"; exit 0; fi
    kill -0 "$(cat "$STATE")" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd did not come up; last lines of $LOG:" >&2
  tail -n 30 "$LOG" >&2
  exit 1
  ;;
stop)
  [ -f "$STATE" ] || exit 0
  pid=$(cat "$STATE")
  docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  pkill -f "containerd --config $EXEC" 2>/dev/null || true
  rm -f "$STATE" "$PIDFILE"
  # dockerd bind-mounts its data root onto itself and leaves it behind.
  for m in "$EXEC" "$DATA"; do
    while mountpoint -q "$m"; do umount -R "$m" 2>/dev/null || umount -l "$m" || break; done
    # and what it mounted below them (netns/default, an nsfs mount), deepest first
    awk -v d="$m" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  done
  rm -rf "$DATA" "$EXEC"
  echo "stopped the dockerd we started"
  ;;
status)
  if answers; then echo "dockerd answers on $DOCKER_HOST"; else echo "no dockerd on $DOCKER_HOST"; exit 1; fi
  ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
