#!/usr/bin/env bash
# Regenerates a DePIN pallet's weights.rs from its benchmarks, with the node's
# `benchmark pallet` command, on this machine.
#
# Usage: scripts/bench-weights.sh [pallet ...]      default: every DePIN pallet
#   STEPS=50 REPEAT=20 (defaults) control the sampling; EXTRINSICS=a,b,c runs only those
#   benchmarks (default '*': all of them).
#
# The node is built with `--features runtime-benchmarks` into its own target directory
# (BENCH_TARGET_DIR, default ~/.cache/depin-bench-target) so the normal build, which
# `scripts/test.sh` and `scripts/run-dev.sh` use, is never rebuilt with benchmarking code.
# A first build takes as long as a first normal build (30-45 min on 2 cores).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo_root"

pallets=("$@")
if ((${#pallets[@]} == 0)); then
  pallets=(device-registry proof-of-coverage rewards)
fi
steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
extrinsics="${EXTRINSICS:-*}"
bench_target="${BENCH_TARGET_DIR:-$HOME/.cache/depin-bench-target}"

log "cargo build --release -p depin-node --features runtime-benchmarks (target: $bench_target)"
CARGO_TARGET_DIR="$bench_target" cargo build --release --locked -p depin-node --features runtime-benchmarks
node="$bench_target/release/depin-node"

for p in "${pallets[@]}"; do
  crate="pallet_${p//-/_}"
  out="pallets/$p/src/weights.rs"
  log "benchmark pallet $crate (steps $steps, repeat $repeat) -> $out"
  "$node" benchmark pallet \
    --chain dev \
    --pallet "$crate" \
    --extrinsic "$extrinsics" \
    --wasm-execution compiled \
    --steps "$steps" \
    --repeat "$repeat" \
    --heap-pages 4096 \
    --template scripts/templates/pallet-weights.hbs \
    --output "$out"
done
log "done; review with: git diff pallets/*/src/weights.rs"
