#!/usr/bin/env bash
# Fuzzes the parameter parser and the environment snapshot with cargo-fuzz
# (libFuzzer), each target for a bounded time; fails on a crash, a panic or an
# assertion in a target (the input is kept in fuzz/artifacts/<target>/).
#   FUZZ_SECONDS=60      run time per target
#   FUZZ_TARGETS="params env_snapshot"
#   FUZZ_SANITIZER=none  (address, leak, ...: the code is safe Rust, so none
#                         by default; overflow checks and debug assertions are on)
# Installs cargo-fuzz when missing. libFuzzer needs nightly compiler flags:
# RUSTC_BOOTSTRAP=1 lets the stable toolchain take them. The seed corpus
# (fuzz/corpus/<target>/) is read, never written: new inputs go to a temporary
# directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PATH
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-params env_snapshot}
SANITIZER=${FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1

t0=$(date +%s)
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi
t1=$(date +%s)
for t in $TARGETS; do
  cargo fuzz build --sanitizer "$SANITIZER" --codegen-units 16 "$t"
done
t2=$(date +%s)

work=$(mktemp -d /tmp/croit-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
for t in $TARGETS; do
  mkdir -p "$work/$t"
  echo "fuzz: $t for ${SECONDS_EACH}s"
  # the first corpus directory receives new inputs; the seeds are read only
  if ! cargo fuzz run --sanitizer "$SANITIZER" --codegen-units 16 "$t" "$work/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$SECONDS_EACH" -dict=fuzz/params.dict -max_len=4096 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$work/$t.log" 2>&1; then
    tail -n 60 "$work/$t.log"
    echo "fuzz: $t FAILED; input kept in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done )" "$work/$t.log" | sed "s/^/fuzz: $t: /" || true
  echo "fuzz: $t: corpus $(ls "$work/$t" | wc -l) new inputs (seeds $(ls "fuzz/corpus/$t" | wc -l))"
done
t3=$(date +%s)
echo "fuzz: install $((t1 - t0))s, build $((t2 - t1))s, run $((t3 - t2))s"
