#!/usr/bin/env bash
# The fault campaign of issue 15 (tests/cluster_chaos.rs), as root:
#   bash tests/chaos.sh [--faults N] [--seed S] [--stock]
# Defaults: 40 faults, the seed from the clock (printed: --seed S repeats a
# run). --stock runs the stock IPaddr2 + heartbeat docker pair instead of
# ocf:croit:container (reports its violations, does not fail on them).
# Prints the table per fault kind and writes it to
# $CARGO_TARGET_DIR/tmp/chaos-table.md (chaos-stock-table.md with --stock).
# tests/run.sh runs it with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin:$PATH
faults=40
seed=$(date +%s)
stock=0
while [ $# -gt 0 ]; do
  case $1 in
    --faults) faults=${2:?--faults needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --stock) stock=1; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "tests/chaos.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$faults" "$seed"; do
  case $v in ''|*[!0-9]*) echo "tests/chaos.sh: not a number: $v" >&2; exit 2 ;; esac
done
echo "tests/chaos.sh: $faults faults, seed $seed$([ "$stock" = 1 ] && echo ', the stock pair')"
CHAOS_FAULTS=$faults CHAOS_SEED=$seed CHAOS_STOCK=$stock \
  cargo test --test cluster_chaos -- --include-ignored --nocapture chaos_campaign
