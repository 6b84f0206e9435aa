#!/usr/bin/env bash
# The side-by-side benchmark (not part of the test suite), on a fresh Debian 12
# machine, as root:
#   bash bench/run.sh [path/to/croit's/shell/agent]
# Installs its packages, builds the release agent, starts its own dockerd (own
# socket, data root and exec root: any other dockerd is left alone), imports the
# busybox image, builds a namespace pair, runs every contender alternately
# through the scenarios and prints a markdown table; raw numbers (CSV), the
# table and a chart go to bench/results/<time>/. Cleans up what it created.
# Environment: ROUNDS (60), START_ROUNDS (30), SCALE_N (200, 0 = skip),
# SCALE_SECONDS (60), ONLY (one scenario alone, e.g. addresses: IPv6 start with
# and without nodad, what conflict_check adds, dual stack).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root" >&2; exit 1; }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin:$PATH
CROIT=$(realpath "${1:-$ROOT/../shared/reference/croit-shell}")
[ -f "$CROIT" ] || { echo "croit's shell agent not found at $CROIT (pass its path)" >&2; exit 1; }

B=/run/croit-bench
SOCK=$B/docker.sock
DATA=/var/lib/croit-bench-docker
EXEC=$B/exec
OUT=$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)
DPID=
cleanup() {
  rc=$?
  set +e
  for ns in cb-node cb-peer; do ip netns del $ns 2>/dev/null; done
  if [ -n "$DPID" ]; then
    DOCKER_HOST=unix://$SOCK docker ps -aq --filter label=croit-bench | xargs -r docker -H unix://$SOCK rm -f >/dev/null
    kill -TERM "$DPID" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$DPID" 2>/dev/null
    pkill -f "containerd --config $EXEC" 2>/dev/null
    for m in "$EXEC" "$DATA"; do while mountpoint -q "$m"; do umount -R "$m" 2>/dev/null || umount -l "$m" || break; done; done
    rm -rf "$DATA" "$B"
  fi
  exit $rc
}
trap cleanup EXIT

bash tests/env/packages.sh
for pkg in strace time; do  # exec counting; peak RSS by GNU time
  dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q "install ok installed" \
    || apt-get install -y -q --no-install-recommends $pkg
done
AGENT=$ROOT/$(bash agents/build.sh | tail -n 1)  # the binary as shipped (static)
cargo build --release --example raw_engine

mkdir -p "$B" "$EXEC" "$DATA"
dockerd -H "unix://$SOCK" --data-root "$DATA" --exec-root "$EXEC" --pidfile "$B/dockerd.pid" \
  --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  --exec-opt native.cgroupdriver=cgroupfs --storage-driver=vfs >"$B/dockerd.log" 2>&1 &
DPID=$!
for _ in $(seq 120); do docker -H "unix://$SOCK" version >/dev/null 2>&1 && break; sleep 0.5; done
docker -H "unix://$SOCK" version --format 'benchmark dockerd {{.Server.Version}}'
DOCKER_HOST=unix://$SOCK bash tests/env/image.sh

python3 bench/bench.py --agent "$AGENT" \
  --raw "$ROOT/target/release/examples/raw_engine" --croit "$CROIT" \
  --socket "$SOCK" --exec-root "$EXEC" --out "$OUT" \
  --rounds "${ROUNDS:-60}" --start-rounds "${START_ROUNDS:-30}" \
  --scale-n "${SCALE_N:-200}" --scale-seconds "${SCALE_SECONDS:-60}" ${ONLY:+--only "$ONLY"}
echo "raw numbers, table and chart: $OUT"
