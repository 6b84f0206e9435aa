#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine, as root:
#   bash tests/run.sh
# Installs its Debian packages, starts a dockerd when none answers, imports a
# busybox image, runs formatting, clippy and every test (the privileged ones
# included: a missing prerequisite fails them, nothing is skipped), and cleans
# up what it created. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ "$(id -u)" != 0 ]; then
  echo "tests/run.sh needs root (namespaces, netlink, dockerd, the OCF path)" >&2
  exit 1
fi
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin:$PATH

AGENT=/usr/lib/ocf/resource.d/croit/container
BACKUP=
# what this run started or imported, and so removes again (a dockerd that
# answered before, and an image it already had, stay as they were)
OWN_DOCKERD=
OWN_IMAGE=
cleanup() {
  rc=$?
  set +e
  # containers and namespaces the tests may have left after a crash
  docker ps -aq --filter label=croit-test 2>/dev/null | xargs -r docker rm -f >/dev/null
  for ns in $(ip netns list 2>/dev/null | awk '/^ct[0-9a-z]+-/ {print $1}'); do ip netns del "$ns"; done
  # private dockerds of tests/faults/ (tests/support/src/engine.rs) left by a crashed run
  pkill -CONT -f "dockerd -H unix:///run/croit-fe-" 2>/dev/null
  pkill -KILL -f "dockerd -H unix:///run/croit-fe-" 2>/dev/null
  pkill -KILL -f "containerd --config /run/croit-fe-" 2>/dev/null
  pkill -KILL -f "containerd-shim.* -address /run/croit-fe-" 2>/dev/null
  for d in /run/croit-fe-* /var/lib/croit-fe-*; do
    [ -e "$d" ] || continue
    grep -o " $d[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
    rm -rf "$d"
  done
  # cluster nodes (tests/support/src/cluster/) left by a crashed test run, and their fence agent
  pkill -KILL -f "node-init.sh /tmp/croit-hc/" 2>/dev/null
  for ns in hc-n1 hc-n2 hc-n3 hc-client hc-lan hc-ring; do ip netns del "$ns" 2>/dev/null; done
  grep -qs "fence agent of the croit-hc test harness" /usr/sbin/fence_hc && rm -f /usr/sbin/fence_hc
  # the agent the tests installed: restore what was there before
  if [ -n "$BACKUP" ]; then mv -f "$BACKUP" "$AGENT"; else rm -f "$AGENT"; rmdir --ignore-fail-on-non-empty /usr/lib/ocf/resource.d/croit 2>/dev/null; fi
  [ -n "$OWN_IMAGE" ] && bash "$ROOT/tests/env/image.sh" remove >/dev/null 2>&1
  bash "$ROOT/tests/env/podman.sh" stop   # the test podman (tests/podman/): containers, service, state
  [ -n "$OWN_DOCKERD" ] && bash "$ROOT/tests/env/dockerd.sh" stop
  exit $rc
}
# how long each phase took, printed as it ends and again at the end (the
# suite's time is compared from run to run; these say where it went)
LAST=$SECONDS
PHASES=
took() {
  local line="$(printf '%5d s  %s' $((SECONDS - LAST)) "$1")"
  echo "== took$line"
  PHASES="$PHASES$line"$'\n'
  LAST=$SECONDS
}
if [ -e "$AGENT" ]; then BACKUP=$(mktemp /tmp/croit-agent-backup.XXXXXX); cp -a "$AGENT" "$BACKUP"; fi
trap cleanup EXIT

bash tests/env/packages.sh
bash tests/env/dockerd.sh status >/dev/null 2>&1 || OWN_DOCKERD=1
bash tests/env/dockerd.sh start
docker image inspect croit-test/busybox:latest >/dev/null 2>&1 || OWN_IMAGE=1
bash tests/env/image.sh
bash tests/env/podman.sh start
took "packages, dockerd, image, podman"

cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --all --check   # fuzz/ is a workspace of its own
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings   # the fuzz targets use the agent's API: fail here, not after the campaign
cargo build --workspace --all-targets
took "fmt, clippy, build"
# every test, the privileged ones (#[ignore]d for a quick unprivileged loop) included;
# the fault campaign on its own below, where its seed and table are printed
cargo test --workspace --all-targets -- --include-ignored --skip chaos_campaign
took "cargo test (every test but the campaign)"
# the fault campaign (tests/cluster_chaos.rs): 40 faults, the seed from the clock
bash tests/chaos.sh
took "the fault campaign"
cargo test --workspace --doc
# the .deb and .rpm, built, inspected, installed, used by the cluster tools and
# purged (after the Rust tests: it sets their copy at the OCF path aside and
# puts it back)
bash tests/package.sh
took "doc tests, packages"
# the parameter parser and the environment snapshot under libFuzzer (FUZZ_SECONDS each)
bash tests/fuzz.sh
took "fuzzing"
# the failover timing of this run (tests/cluster_failover.rs), ours next to the stock pair,
# and the fault campaign's table
cat target/tmp/cluster-timing.md
cat target/tmp/chaos-table.md
printf '\n== where the time went (%d s in all)\n%s' "$SECONDS" "$PHASES"
