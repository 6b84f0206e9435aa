#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine, as root:  bash tests/demo.sh
#
# Builds the agent, installs it at the OCF path, starts a dockerd if none runs,
# imports a tiny busybox image, makes a node/peer namespace pair joined by a
# veth, and drives start -> monitor -> docker kill -> monitor -> stop -> monitor
# through crm_resource, printing each OCF code and the frames the peer saw.
# Waits for every announcement round (the first from start, the rest from the
# background announcer) before going on, and exits 1 when the peer saw fewer
# than the configured rounds. Cleans up what it created.
#
# For a test (tests/demo.rs): CROIT_DEMO_AGENT=/path/to/container uses that
# binary (no build, no package install, nothing written to the OCF path: it
# is bind-mounted there for crm_resource only), CROIT_DEMO_TAG names the
# namespaces and the container.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ "$(id -u)" = 0 ] || { echo "tests/demo.sh needs root" >&2; exit 1; }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin:$PATH

source tests/demo-check.sh
TAG=${CROIT_DEMO_TAG:-croitdemo}
NODE=$TAG-node PEER=$TAG-peer CTR=$TAG-ctr VIP=192.0.2.10/24 MAC=02:00:00:00:00:01
ROUNDS=5 INTERVAL=200   # arp_count, arp_interval (the defaults, given explicitly)
OCFDIR=/usr/lib/ocf/resource.d/croit AGENT=/usr/lib/ocf/resource.d/croit/container
PCAP=$(mktemp /tmp/croit-demo.XXXXXX.pcap)
TCPDUMP=
BACKUP=
IMPORTED=
STARTED_DOCKERD=
OWN=${CROIT_DEMO_AGENT:-}
OWNDIR=
cleanup() {
  set +e
  [ -n "$TCPDUMP" ] && kill "$TCPDUMP" 2>/dev/null && wait "$TCPDUMP" 2>/dev/null
  docker rm -f "$CTR" >/dev/null 2>&1
  ip netns del "$NODE" 2>/dev/null; ip netns del "$PEER" 2>/dev/null
  if [ -n "$OWN" ]; then rm -rf "$OWNDIR"
  elif [ -n "$BACKUP" ]; then mv -f "$BACKUP" "$AGENT"
  else rm -f "$AGENT"; rmdir "$OCFDIR" 2>/dev/null; fi
  rm -f "$PCAP"
  # only what the demo itself set up: other users of the engine keep theirs
  [ -n "$IMPORTED" ] && bash "$ROOT/tests/env/image.sh" remove >/dev/null 2>&1
  # and never a dockerd that answered before the demo ran (dockerd.sh stop
  # stops any it ever started, and removes every container on it)
  [ -n "$STARTED_DOCKERD" ] && bash "$ROOT/tests/env/dockerd.sh" stop
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "setup: packages, dockerd, image, agent"
[ -n "$OWN" ] || bash tests/env/packages.sh >/dev/null
if bash tests/env/dockerd.sh status; then :; else bash tests/env/dockerd.sh start; STARTED_DOCKERD=1; fi
docker image inspect croit-test/busybox:latest >/dev/null 2>&1 || IMPORTED=1
bash tests/env/image.sh
if [ -n "$OWN" ]; then
  # the given binary at the OCF path in a mount namespace of crm_resource's own
  OWNDIR=$(mktemp -d /tmp/croit-demo-agent.XXXXXX)
  install -m 0755 "$OWN" "$OWNDIR/container"
  echo "agent: $OWN (bind-mounted at $AGENT for crm_resource only)"
else
  [ -e "$AGENT" ] && { BACKUP=$(mktemp /tmp/croit-agent-backup.XXXXXX); cp -a "$AGENT" "$BACKUP"; }
  bash agents/install.sh
fi

step "namespaces: $NODE (eth0, 02:00:00:00:00:01) <-veth-> $PEER (eth0)"
ip netns del "$NODE" 2>/dev/null || true; ip netns del "$PEER" 2>/dev/null || true
ip netns add "$NODE"; ip netns add "$PEER"
ip link add eth0 netns "$NODE" address 02:00:00:00:00:01 type veth peer name eth0 netns "$PEER" address 02:00:00:00:00:02
for ns in "$NODE" "$PEER"; do ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up; done

step "container $CTR (created, not started; restart policy always: the agent fixes it)"
docker rm -f "$CTR" >/dev/null 2>&1 || true
docker create --name "$CTR" --network none --restart always croit-test/busybox:latest \
  sh -c "trap 'exit 0' TERM; while :; do sleep 0.1; done" >/dev/null

ip netns exec "$PEER" tcpdump -Z root -i eth0 -n -e -U -w "$PCAP" arp 2>/dev/null &
TCPDUMP=$!
sleep 1

crm() {
  local op=$1; shift
  local run=(ip netns exec "$NODE" crm_resource "$op" --class ocf --provider croit --agent container
    --option ip=$VIP --option nic=eth0 --option container=$CTR
    --option arp_count=$ROUNDS --option arp_interval=$INTERVAL "$@")
  set +e
  if [ -n "$OWN" ]; then
    mkdir -p "$OCFDIR"
    unshare -m --propagation private sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' \
      "$OWNDIR" "$OCFDIR" "${run[@]}" 2>&1 | sed 's/^/    /'
  else
    "${run[@]}" 2>&1 | sed 's/^/    /'
  fi
  local rc=${PIPESTATUS[0]}
  set -e
  echo "  => crm_resource $op: OCF code $rc"
}

# Our rounds (request + reply) in the capture so far.
seen() { tcpdump -n -r "$PCAP" 2>/dev/null | grep -c "Reply ${VIP%/*} is-at $MAC," || true; }

step "start";              crm --force-start
RETURNED=$(date +%s.%N)
echo "  waiting for the announcement rounds ($ROUNDS, $INTERVAL ms apart; the first from start, the rest from the background announcer)"
for _ in $(seq $(( (ROUNDS * INTERVAL + 3000) / 50 ))); do [ "$(seen)" -ge "$ROUNDS" ] && break; sleep 0.05; done
echo "  the peer has seen $(seen) round(s)"
echo "  address on the node: $(ip -n $NODE -o -4 addr show dev eth0 | awk '{print $4}' | xargs)"
echo "  container: $(docker inspect -f '{{.State.Status}}, restart policy {{.HostConfig.RestartPolicy.Name}}' $CTR)"
step "monitor";            crm --force-check
step "docker kill $CTR";   docker kill "$CTR" >/dev/null; echo "  container: $(docker inspect -f '{{.State.Status}}' $CTR)"
step "monitor (partial: address bound, container dead)"; crm --force-check
step "stop";               crm --force-stop
echo "  address on the node: '$(ip -n $NODE -o -4 addr show dev eth0 | awk '{print $4}' | xargs)'"
step "monitor";            crm --force-check

sleep 0.5; kill "$TCPDUMP" 2>/dev/null; wait "$TCPDUMP" 2>/dev/null || true; TCPDUMP=
step "what the peer captured on its eth0"
tcpdump -n -e -r "$PCAP" 2>/dev/null | sed 's/^/    /'
step "check: every round on the wire"
demo_check "$PCAP" "$ROUNDS" "$RETURNED" "${VIP%/*}" "$MAC"
