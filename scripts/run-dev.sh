#!/usr/bin/env bash
# The main job: set up, build (release), start a development chain with a temporary base path
# and a simulated device fleet on it, and show the network working: epochs turning,
# attestations verified, rewards accruing. Ctrl-C stops both and prints the fleet's table.
#
# Usage: scripts/run-dev.sh [extra depin-node flags]
#   FLEET_DEVICES (default 300) honest devices; FLEET_ARGS extra `depin-device fleet` flags
#   (default: a few of each adversary, see docs/fleet.md); FLEET=0 runs the node alone.
#   RPC_PORT (default 9944), P2P_PORT (30333), PROMETHEUS_PORT (9615)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_setup
build_node

rpc_port="${RPC_PORT:-9944}"
base="$(mktemp -d -t depin-dev-XXXXXX)"
node_log="$base/node.log"
fleet_bin="$CARGO_TARGET_DIR/release/depin-device"
fleet_args="${FLEET_ARGS:---spoofers 4 --colluders 4 --replayers 3 --forgers 3 --witness-farmers 4 --pre-signers 4}"

cat >&2 <<MSG

  depin-node --dev is starting (base path $base, removed on exit)
    WebSocket / HTTP RPC : ws://127.0.0.1:$rpc_port   http://127.0.0.1:$rpc_port
    polkadot.js apps     : https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$rpc_port
    Prometheus metrics   : http://127.0.0.1:${PROMETHEUS_PORT:-9615}/metrics
    node log             : $node_log
  Ctrl-C stops the fleet (printing its table) and the node.

MSG

"$node_bin" --dev \
  --base-path "$base" \
  --rpc-port "$rpc_port" \
  --port "${P2P_PORT:-30333}" \
  --prometheus-port "${PROMETHEUS_PORT:-9615}" \
  --rpc-cors all \
  "$@" >"$node_log" 2>&1 &
node_pid=$!
cleanup() {
  kill -TERM "$node_pid" 2>/dev/null
  wait "$node_pid" 2>/dev/null
  rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! wait_rpc "$rpc_port"; then
  log "the node did not answer on port $rpc_port; its log:"
  tail -n 40 "$node_log" >&2
  exit 1
fi
log "node up: best block #$(block_number "$rpc_port")"

if [ "${FLEET:-1}" = 0 ]; then
  log "FLEET=0: node only; following its log"
  tail -f "$node_log" &
  wait "$node_pid"
  exit $?
fi

# In the foreground: Ctrl-C reaches the fleet, which prints its table before the node stops.
# shellcheck disable=SC2086  # FLEET_ARGS is a list of flags
"$fleet_bin" fleet --devices "${FLEET_DEVICES:-300}" --node "ws://127.0.0.1:$rpc_port" $fleet_args
