#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine, as root:  bash tests/demo.sh
#
# Builds the agent, installs it at the OCF path, starts a dockerd if none runs,
# imports a tiny busybox image, makes a node/peer namespace pair joined by a
# veth, and drives start -> monitor -> docker kill -> monitor -> stop -> monitor
# through crm_resource, printing each OCF code and the frames the peer saw.
# Cleans up what it created.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ "$(id -u)" = 0 ] || { echo "tests/demo.sh needs root" >&2; exit 1; }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin:$PATH

NODE=croitdemo-node PEER=croitdemo-peer CTR=croit-demo VIP=192.0.2.10/24
AGENT=/usr/lib/ocf/resource.d/croit/container
PCAP=$(mktemp /tmp/croit-demo.XXXXXX.pcap)
TCPDUMP=
BACKUP=
cleanup() {
  set +e
  [ -n "$TCPDUMP" ] && kill "$TCPDUMP" 2>/dev/null && wait "$TCPDUMP" 2>/dev/null
  docker rm -f "$CTR" >/dev/null 2>&1
  ip netns del "$NODE" 2>/dev/null; ip netns del "$PEER" 2>/dev/null
  if [ -n "$BACKUP" ]; then mv -f "$BACKUP" "$AGENT"; else rm -f "$AGENT"; rmdir /usr/lib/ocf/resource.d/croit 2>/dev/null; fi
  rm -f "$PCAP"
  bash "$ROOT/tests/env/image.sh" remove >/dev/null 2>&1
  bash "$ROOT/tests/env/dockerd.sh" stop
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "setup: packages, dockerd, image, agent"
bash tests/env/packages.sh >/dev/null
bash tests/env/dockerd.sh start
bash tests/env/image.sh
[ -e "$AGENT" ] && { BACKUP=$(mktemp /tmp/croit-agent-backup.XXXXXX); cp -a "$AGENT" "$BACKUP"; }
bash agents/install.sh

step "namespaces: $NODE (eth0, 02:00:00:00:00:01) <-veth-> $PEER (eth0)"
ip netns del "$NODE" 2>/dev/null || true; ip netns del "$PEER" 2>/dev/null || true
ip netns add "$NODE"; ip netns add "$PEER"
ip link add eth0 netns "$NODE" address 02:00:00:00:00:01 type veth peer name eth0 netns "$PEER" address 02:00:00:00:00:02
for ns in "$NODE" "$PEER"; do ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up; done

step "container $CTR (created, not started; restart policy always: the agent fixes it)"
docker rm -f "$CTR" >/dev/null 2>&1 || true
docker create --name "$CTR" --network none --restart always croit-test/busybox:latest \
  sh -c "trap 'exit 0' TERM; while :; do sleep 0.1; done" >/dev/null

ip netns exec "$PEER" tcpdump -i eth0 -n -e -U -w "$PCAP" arp 2>/dev/null &
TCPDUMP=$!
sleep 1

crm() {
  local op=$1; shift
  set +e
  ip netns exec "$NODE" crm_resource "$op" --class ocf --provider croit --agent container \
    --option ip=$VIP --option nic=eth0 --option container=$CTR "$@" 2>&1 | sed 's/^/    /'
  local rc=${PIPESTATUS[0]}
  set -e
  echo "  => crm_resource $op: OCF code $rc"
}

step "start";              crm --force-start
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
echo "  gratuitous ARP requests: $(tcpdump -n -r "$PCAP" 2>/dev/null | grep -c 'Request who-has 192.0.2.10 tell 192.0.2.10')"
echo "  gratuitous ARP replies:  $(tcpdump -n -r "$PCAP" 2>/dev/null | grep -c 'Reply 192.0.2.10 is-at 02:00:00:00:00:01')"
