#!/bin/sh
# A test stand-in for croit's published shell agent, used only by the
# migration rehearsal in tests/cluster.rs when the real one is not at hand
# (CROIT_SHELL_AGENT=/path/to/it makes the test use the real agent). It has
# that agent's type name (croit), its parameters (ip in CIDR, nic) and its
# effects: the address on the NIC and `docker start croit`.
case "$1" in
meta-data)
  cat <<'XML'
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="croit" version="1.0">
<version>1.0</version>
<longdesc lang="en">Test stand-in for croit's shell agent.</longdesc>
<shortdesc lang="en">croit stand-in</shortdesc>
<parameters>
<parameter name="ip" required="1"><longdesc lang="en">ip</longdesc><shortdesc lang="en">ip</shortdesc><content type="string"/></parameter>
<parameter name="nic" required="1"><longdesc lang="en">nic</longdesc><shortdesc lang="en">nic</shortdesc><content type="string"/></parameter>
</parameters>
<actions>
<action name="start" timeout="20s"/>
<action name="stop" timeout="20s"/>
<action name="monitor" timeout="20s" interval="10s"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>
XML
  exit 0 ;;
start)
  ip address replace "$OCF_RESKEY_ip" dev "$OCF_RESKEY_nic" || exit 1
  docker start croit >/dev/null || exit 1
  exit 0 ;;
stop)
  ip address del "$OCF_RESKEY_ip" dev "$OCF_RESKEY_nic" 2>/dev/null
  docker stop croit >/dev/null 2>&1
  exit 0 ;;
monitor)
  running=$(docker inspect -f '{{.State.Running}}' croit 2>/dev/null)
  if ip -o address show dev "$OCF_RESKEY_nic" | grep -q " $OCF_RESKEY_ip "; then bound=1; else bound=0; fi
  [ "$running" = true ] && [ $bound = 1 ] && exit 0
  [ "$running" != true ] && [ $bound = 0 ] && exit 7
  exit 1 ;;
validate-all) exit 0 ;;
*) exit 3 ;;
esac
