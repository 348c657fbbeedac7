#!/usr/bin/env bash
# Throughput benchmark (a benchmark, not a test). In one run on one machine it reports:
#   (a) raw signature verifications per second on one core, per scheme
#       (`depin-device bench-verify`, the node's native code);
#   (b) attestations verified and finalized per second end to end: a node on the `benchmark`
#       preset (63 one-block uptime slots an epoch) whose genesis holds BENCH_DEVICES Ed25519
#       devices (`depin-device bench-spec`), saturated by `depin-device load` (a heartbeat per
#       device per slot, signed as soon as the slot's anchor is known), counted from the
#       chain's `BatchProcessed` events over the block time of the blocks that carried them,
#       once those blocks are final;
#   (c) the ratio (b) / (a) for Ed25519;
#   (d) per attestation: the weight the chain charged its batch (after refunds, from the
#       batches' `ExtrinsicSuccess` events) and what building its block measured (the author's
#       "Prepared block for proposing ... (X ms)" over the attestations in the block: an upper
#       bound, it includes the block's inherents, hooks and storage root), each against one
#       Ed25519 check (a);
#   (e) the same load again with a flooding device (a registered device posting junk it signs
#       itself) and a keyless flooder (calls of forged heartbeats naming a registered P-256
#       device, each call on a new connection) alongside: the honest throughput, its share
#       of (b), and the share of honest heartbeats the chain accepted.
#
# Usage: scripts/bench.sh
#   BENCH_DEVICES (default 30000) honest devices, BENCH_SECONDS (default 300) seconds per run,
#   BENCH_CONNECTIONS (default 2) the load's connections, BENCH_RPC_PORT (default 9966),
#   BENCH_OUT (default $CARGO_TARGET_DIR/bench) results dir.
# Writes $BENCH_OUT/results.md (the table for docs/performance.md) and the raw JSON and logs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo_root"

ensure_setup
build_node

device_bin="$CARGO_TARGET_DIR/release/depin-device"
out="${BENCH_OUT:-$CARGO_TARGET_DIR/bench}"
devices="${BENCH_DEVICES:-30000}"
seconds="${BENCH_SECONDS:-300}"
connections="${BENCH_CONNECTIONS:-2}"
rpc_port="${BENCH_RPC_PORT:-9966}"
mkdir -p "$out"

log "(a) signature verifications per second on one core"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$device_bin" bench-verify --seconds 3 --json >"$out/verify.json"
cat "$out/verify.json" >&2

base="$(mktemp -d -t depin-bench-XXXXXX)"
log "benchmark chain spec with $devices + 1 genesis devices (the last one floods)"
"$node_bin" export-chain-spec --chain benchmark >"$base/base.json"
"$device_bin" bench-spec --base "$base/base.json" --out "$base/spec.json" --devices "$((devices + 1))"

log "node on the benchmark chain (log: $out/node.log)"
"$node_bin" --chain "$base/spec.json" --alice --validator --force-authoring \
  --unsafe-force-node-key-generation --base-path "$base/db" --rpc-port "$rpc_port" \
  --port "${BENCH_P2P_PORT:-30966}" --no-prometheus --no-mdns >"$out/node.log" 2>&1 &
node_pid=$!
trap 'kill -TERM $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' EXIT
wait_rpc "$rpc_port" || { tail -n 40 "$out/node.log" >&2; exit 1; }
node_url="ws://127.0.0.1:$rpc_port"

log "a P-256 device for the keyless flooder to forge (registered by Alice)"
"$device_bin" key generate --scheme p256 --file "$base/p256.key" --output-type json >"$base/p256.json"
victim="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["deviceId"])' "$base/p256.json")"
"$device_bin" register --key-file "$base/p256.key" --owner-uri //Alice \
  --location 48.85,2.35 --node "$node_url" >&2

log "(b) honest load: $devices devices, ${seconds}s"
"$device_bin" load --node "$node_url" --devices "$devices" --seconds "$seconds" \
  --connections "$connections" --summary-json "$out/honest.json" >&2

log "(e) the same load with a flooding device and a keyless P-256 flooder"
"$device_bin" load --node "$node_url" --devices "$devices" --seconds "$seconds" \
  --connections "$connections" --flood-device --keyless-victim "$victim" \
  --summary-json "$out/flooded.json" >&2

log "results"
python3 - "$out" "$devices" "$seconds" <<'PY'
import json, os, platform, re, sys
out, devices, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
verify = json.load(open(os.path.join(out, "verify.json")))
honest = json.load(open(os.path.join(out, "honest.json")))
flooded = json.load(open(os.path.join(out, "flooded.json")))
built = {}
pattern = re.compile(r"Prepared block for proposing at (\d+) \((\d+) ms\)")
for line in open(os.path.join(out, "node.log"), errors="replace"):
    m = pattern.search(line)
    if m:
        built[int(m.group(1))] = int(m.group(2))
cpu = "unknown CPU"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
ed = next(v for v in verify if v["scheme"] == "ed25519")
sig = ed["microsEach"]

def measured(run):
    blocks = [b for b in run["blocks"] if b["number"] in built]
    accepted = sum(b["accepted"] for b in blocks)
    ms = sum(built[b["number"]] for b in blocks)
    return (1000.0 * ms / accepted if accepted else 0.0), len(blocks)

def share(a, b):
    return a / b if b else 0.0

rows = []
for v in verify:
    rows.append(f"| (a) {v['scheme']} verifications per second, one core | {v['perSecond']:,.0f} ({v['microsEach']:.1f} µs each) |")
e2e = honest["acceptedPerSecond"]
first, last = honest.get("acceptedBlocks") or (0, 0)
rows.append(f"| (b) attestations verified and finalized per second, end to end ({devices:,} devices, blocks #{first}-#{last}; offered {honest['offeredPerSecond']:,.0f}/s; generator {honest['generatorCores']:.2f} cores) | **{e2e:,.0f}** |")
rows.append(f"| (c) (b) / (a) for Ed25519 | {share(e2e, ed['perSecond']):.3f} ({100 * share(e2e, ed['perSecond']):.1f} %) |")
charged = honest["chargedMicrosPerAttestation"]
meas, nblocks = measured(honest)
rows.append(f"| (d) charged per attestation (after refunds) | {charged:.1f} µs = {share(charged, sig):.2f}× one Ed25519 check |")
rows.append(f"| (d) measured per attestation (block build time / attestations, {nblocks} blocks) | {meas:.1f} µs = {share(meas, sig):.2f}× one Ed25519 check; charged / measured = {share(charged, meas):.2f} |")
rows.append(f"| (b) honest heartbeats accepted | {honest['honestAccepted']:,} of {honest['offered']:,} ({100 * honest['honestAcceptedShare']:.2f} %) |")
f_rate = flooded["acceptedPerSecond"]
fd, kl = flooded["floodingDevice"], flooded["keylessFlooder"]
honest_rate = f_rate * share(flooded["honestAccepted"], flooded["acceptedOnChain"])
rows.append(f"| (e) with both flooders: honest attestations per second | {honest_rate:,.0f} ({100 * share(honest_rate, e2e):.1f} % of (b)) |")
rows.append(f"| (e) honest heartbeats accepted | {flooded['honestAccepted']:,} of {flooded['offered']:,} ({100 * flooded['honestAcceptedShare']:.2f} %) |")
rows.append(f"| (e) flooding device: attestations posted / queued | {fd['attestations']:,} / {fd['queued']:,} |")
rows.append(f"| (e) keyless flooder: calls / forged attestations posted / queued | {kl['calls']:,} / {kl['attestations']:,} / {kl['queued']:,} |")
lines = [
    f"Machine: {cpu}, {os.cpu_count()} cores; {platform.platform()}. Runs of {seconds} s each.",
    "",
    "| figure | value |",
    "|---|---|",
    *rows,
    "",
    f"Honest run: refused at the RPC {honest['refused']}, rejected on chain {honest['rejectedOnChain']}, all finalized: {honest['allFinalized']}.",
    f"Flooded run: refused at the RPC {flooded['refused']}, rejected on chain {flooded['rejectedOnChain']}, all finalized: {flooded['allFinalized']}.",
    f"Flooding device answers: {fd['answers']}. Keyless flooder answers: {kl['answers']}.",
]
text = "\n".join(lines) + "\n"
open(os.path.join(out, "results.md"), "w").write(text)
print(text)
PY
log "written: $out/results.md (and verify.json, honest.json, flooded.json, node.log)"
