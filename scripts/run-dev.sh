#!/usr/bin/env bash
# The main job: set up, build (release) and start a development chain with a temporary base
# path. Blocks are produced by Alice (BABE) and finalized (GRANDPA) from the first minute.
#
# Usage: scripts/run-dev.sh [extra depin-node flags]
#   RPC_PORT (default 9944), P2P_PORT (30333), PROMETHEUS_PORT (9615)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_setup
build_node

rpc_port="${RPC_PORT:-9944}"
base="$(mktemp -d -t depin-dev-XXXXXX)"
trap 'rm -rf "$base"' EXIT

cat >&2 <<MSG

  depin-node --dev is starting (base path $base, removed on exit)
    WebSocket / HTTP RPC : ws://127.0.0.1:$rpc_port   http://127.0.0.1:$rpc_port
    polkadot.js apps     : https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$rpc_port
    Prometheus metrics   : http://127.0.0.1:${PROMETHEUS_PORT:-9615}/metrics
  Ctrl-C stops the node.

MSG

"$node_bin" --dev \
  --base-path "$base" \
  --rpc-port "$rpc_port" \
  --port "${P2P_PORT:-30333}" \
  --prometheus-port "${PROMETHEUS_PORT:-9615}" \
  --rpc-cors all \
  "$@" &
node_pid=$!
trap 'kill -TERM $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' INT TERM EXIT
wait $node_pid
