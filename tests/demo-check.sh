# The demo's check of what the peer captured (sourced by tests/demo.sh; a
# test calls it too, tests/demo.rs):
#   demo_check PCAP ROUNDS RETURNED IP MAC
# Prints every announcement round seen in PCAP (a gratuitous ARP request
# for IP from MAC followed by the reply), marks the rounds that arrived
# after RETURNED (epoch seconds: when start returned; those came from the
# background announcer), prints the counts, and returns 1 when fewer than
# ROUNDS rounds (request and reply) reached the peer.
demo_check() {
  local pcap=$1 rounds=$2 returned=$3 ip=$4 mac=$5 lines req rep
  lines=$(tcpdump -tt -n -e -r "$pcap" 2>/dev/null || true)
  req=$(grep -c "Request who-has $ip tell $ip," <<<"$lines" || true)
  rep=$(grep -c "Reply $ip is-at $mac," <<<"$lines" || true)
  # a round: a request, then the reply; its time is the request's
  awk -v ip="$ip" -v mac="$mac" -v t="$returned" '
    index($0, "Request who-has " ip " tell " ip ",") { at = $1; next }
    index($0, "Reply " ip " is-at " mac ",") && at != "" {
      n++; if (first == "") first = at
      printf "  round %d: +%.3f s request, reply %.3f ms later%s\n", n, at - first,
        ($1 - at) * 1000, (at > t ? "  (after start returned: background announcer)" : "")
      if (at > t) late++
      at = ""
    }
    END {
      printf "  rounds (request + reply): %d, after start returned: %d\n", n, late
      print n + 0 > "/dev/stderr"
    }' <<<"$lines" 2>"$pcap.rounds"
  local paired
  paired=$(cat "$pcap.rounds" 2>/dev/null || echo 0)
  rm -f "$pcap.rounds"
  echo "  gratuitous ARP requests: $req, replies: $rep (configured rounds: $rounds)"
  if [ "$paired" -lt "$rounds" ] || [ "$req" -lt "$rounds" ] || [ "$rep" -lt "$rounds" ]; then
    echo "FAIL: the peer saw $paired of $rounds announcement rounds" >&2
    return 1
  fi
  echo "  OK: all $rounds rounds reached the peer"
}
