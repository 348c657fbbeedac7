# Shared helpers for the scripts in this folder. Source it; do not run it.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One target directory outside the work tree, shared by every script and CI on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/depin-target}"
node_bin="$CARGO_TARGET_DIR/release/depin-node"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# setup.sh is idempotent; it is cheap once everything is installed.
ensure_setup() {
  bash "$repo_root/scripts/setup.sh" >&2
}

# The release build of the node (and with it the runtime wasm). The tests build with the same
# profile and features, so the dependency tree compiles once.
build_node() {
  log "cargo build --release --workspace (first build: 30-45 min on 2 cores)"
  (cd "$repo_root" && cargo build --release --workspace --locked)
}

# JSON-RPC over HTTP; prints the "result" field.
rpc_call() {
  local port="$1" method="$2" params="${3:-[]}"
  curl -s -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$method\",\"params\":$params}" \
    "http://127.0.0.1:$port" | python3 -c '
import json, sys
r = json.load(sys.stdin).get("result", "")
print(r if isinstance(r, str) else json.dumps(r))' 2>/dev/null
}

# Number of the best block (or of the block with hash $2).
block_number() {
  local port="$1" params="[]"
  [ -n "${2:-}" ] && params="[\"$2\"]"
  rpc_call "$port" chain_getHeader "$params" |
    python3 -c 'import json,sys; print(int(json.load(sys.stdin)["number"], 16))' 2>/dev/null || echo '?'
}

# Number of the last finalized block.
finalized_number() {
  block_number "$1" "$(rpc_call "$1" chain_getFinalizedHead)"
}

wait_rpc() {
  local port="$1" i
  for i in $(seq 1 120); do
    [ -n "$(rpc_call "$port" system_health)" ] && return 0
    sleep 0.5
  done
  return 1
}
