#!/usr/bin/env bash
# Throughput benchmark (a benchmark, not a test):
#   (a) raw signature verifications per second on one core of this machine, per scheme: the
#       physical limit of proof checking (`depin-device bench-verify`, the node's native code);
#   (b) attestations verified and finalized per second end to end: a dev node driven by a
#       simulated fleet sending as fast as its devices may (a heartbeat per device per slot,
#       beacons and witness reports), counted from the chain's BatchProcessed events over
#       block time, once those blocks are final;
#   (c) the ratio (b) / (a) for Ed25519, the fleet's scheme.
#
# Usage: scripts/bench.sh
#   BENCH_DEVICES (default 3000) fleet size, BENCH_EPOCHS (default 2) epochs measured,
#   BENCH_RPC_PORT (default 9966), BENCH_OUT (default $CARGO_TARGET_DIR/bench) results dir.
# Writes $BENCH_OUT/results.md (the table for docs/performance.md) and the raw JSON.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo_root"

ensure_setup
build_node

device_bin="$CARGO_TARGET_DIR/release/depin-device"
out="${BENCH_OUT:-$CARGO_TARGET_DIR/bench}"
devices="${BENCH_DEVICES:-3000}"
epochs="${BENCH_EPOCHS:-2}"
rpc_port="${BENCH_RPC_PORT:-9966}"
mkdir -p "$out"

log "(a) signature verifications per second on one core"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$device_bin" bench-verify --seconds 3 --json >"$out/verify.json"
cat "$out/verify.json" >&2

log "(b) dev node + fleet of $devices devices at full rate for $epochs epochs"
base="$(mktemp -d -t depin-bench-XXXXXX)"
"$node_bin" --dev --base-path "$base" --rpc-port "$rpc_port" --port "${BENCH_P2P_PORT:-30966}" \
  --no-prometheus >"$base/node.log" 2>&1 &
node_pid=$!
trap 'kill -TERM $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' EXIT
wait_rpc "$rpc_port" || { tail -n 40 "$base/node.log" >&2; exit 1; }

# A country-sized area keeps radio neighbourhoods realistic at this size (a city would put
# hundreds of witnesses on every beacon, nearly all beyond the witness cap).
"$device_bin" fleet --devices "$devices" --epochs "$epochs" --downtime 0 --no-scores \
  --devices-per-owner 25 --area 42.5,-4.5,51.0,7.5 --seed 2026 \
  --node "ws://127.0.0.1:$rpc_port" --summary-json "$out/fleet.json" | tee "$out/fleet.txt"

log "(c) results"
python3 - "$out" "$devices" "$epochs" <<'PY'
import json, os, platform, subprocess, sys
out, devices, epochs = sys.argv[1], sys.argv[2], sys.argv[3]
verify = json.load(open(os.path.join(out, "verify.json")))
fleet = json.load(open(os.path.join(out, "fleet.json")))
cpu = "unknown CPU"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
ed = next(v for v in verify if v["scheme"] == "ed25519")
e2e = fleet.get("acceptedPerSecond") or 0.0
first, last = fleet.get("acceptedBlocks") or (0, 0)
lines = [
    f"Machine: {cpu}, {os.cpu_count()} cores; {platform.platform()}.",
    "",
    "| figure | value |",
    "|---|---|",
]
for v in verify:
    lines.append(f"| (a) {v['scheme']} verifications per second, one core | {v['perSecond']:,.0f} ({v['microsEach']:.1f} µs each) |")
lines += [
    f"| (b) attestations verified and finalized per second, end to end ({devices} devices, {epochs} epochs, blocks #{first}-#{last}) | {e2e:,.1f} |",
    f"| (c) (b) / (a) for Ed25519 | {e2e / ed['perSecond']:.4f} ({100 * e2e / ed['perSecond']:.2f} %) |",
    "",
    f"Accepted on chain: {fleet['acceptedOnChain']:,} attestations; all finalized: {fleet['allFinalized']}.",
]
text = "\n".join(lines) + "\n"
open(os.path.join(out, "results.md"), "w").write(text)
print(text)
PY
log "written: $out/results.md (and verify.json, fleet.json, fleet.txt)"
