#!/usr/bin/env bash
# A local network of validators on 127.0.0.1: Alice, Bob and Charlie (`--chain local`), each
# with its own base path and ports, all authoring (BABE) and finalizing (GRANDPA).
# Ctrl-C stops every node cleanly and removes the base paths (KEEP=1 keeps them).
#
# Usage: scripts/local-testnet.sh            three validators, chain `local`
#        VALIDATORS=4 scripts/local-testnet.sh  four (plus Dave), chain `local-bft`
# Ports: validator i (0-based) uses p2p 30333+i, RPC 9944+i, Prometheus 9615+i.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

count="${VALIDATORS:-3}"
case "$count" in
  3) chain=local ;;
  4) chain=local-bft ;;
  *) log "VALIDATORS must be 3 or 4"; exit 2 ;;
esac
names=(alice bob charlie dave)

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ensure_setup
  build_node
fi

root="$(mktemp -d -t depin-local-XXXXXX)"
pids=()

status_pid=""
shutdown() {
  trap - INT TERM EXIT
  [ -n "$status_pid" ] && kill -TERM "$status_pid" 2>/dev/null
  log "stopping ${#pids[@]} node(s)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then log "base paths kept in $root"; else rm -rf "$root"; fi
  log "stopped"
}
# The status loop runs in a child shell and this shell only `wait`s for it: bash 5.2 runs a
# trap in the middle of re-parsing a `$(...)` if the signal lands there, and the trap then fails
# with a syntax error (exit 2). `wait` returns as soon as a trapped signal arrives.
on_signal() {
  shutdown
  exit 0
}
trap on_signal INT TERM
trap shutdown EXIT

bootnode=""
for i in $(seq 0 $((count - 1))); do
  name="${names[$i]}"
  p2p=$((30333 + i)); rpc=$((9944 + i)); prom=$((9615 + i))
  # A fixed node key per validator gives a stable peer id (and validators must have one).
  key="$(printf '%064x' $((i + 1)))"
  mkdir -p "$root/$name"
  args=(--chain "$chain" "--$name" --validator --base-path "$root/$name" --node-key "$key"
        --port "$p2p" --rpc-port "$rpc" --prometheus-port "$prom" --no-mdns --rpc-cors all)
  [ -n "$bootnode" ] && args+=(--bootnodes "$bootnode")
  "$node_bin" "${args[@]}" >"$root/$name.log" 2>&1 &
  pids+=($!)
  wait_rpc "$rpc" || { log "$name did not start; see $root/$name.log"; exit 1; }
  if [ -z "$bootnode" ]; then
    bootnode="/ip4/127.0.0.1/tcp/$p2p/p2p/$(rpc_call "$rpc" system_localPeerId)"
  fi
  log "$name: rpc ws://127.0.0.1:$rpc  p2p $p2p  log $root/$name.log"
done

log "network up ($count validators, chain $chain); Ctrl-C to stop"
status_loop() {
  while true; do
    line=""
    for i in $(seq 0 $((count - 1))); do
      rpc=$((9944 + i))
      line+="${names[$i]}: best #$(block_number "$rpc") final #$(finalized_number "$rpc")   "
    done
    log "$line"
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { log "a node exited; see logs in $root"; exit 1; }
    done
    sleep 6
  done
}
status_loop &
status_pid=$!
# Returns only when the loop saw a node exit (Ctrl-C runs on_signal instead).
wait "$status_pid" || true
status_pid=""
KEEP=1
exit 1
