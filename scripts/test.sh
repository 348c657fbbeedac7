#!/usr/bin/env bash
# The whole test suite: Rust unit and runtime tests, then the end-to-end tests that drive the
# real release binary with polkadot.js. Ends with the test runners' summary lines.
#
# Usage: scripts/test.sh            everything
#        E2E=0 scripts/test.sh      Rust tests only
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo_root"

ensure_setup
build_node

logs="$(mktemp -d -t depin-test-XXXXXX)"
status=0

log "cargo test --release --workspace"
set +e
cargo test --release --workspace --locked 2>&1 | tee "$logs/cargo.log"
cargo_status=${PIPESTATUS[0]}
set -e
[ "$cargo_status" -eq 0 ] || status=1

# The pallets' benchmarks, run once each as tests (they need the runtime-benchmarks feature,
# so they build apart from the workspace; the weights themselves come from
# scripts/bench-weights.sh).
log "cargo test --release (runtime-benchmarks): DePIN pallet benchmarks as tests"
set +e
cargo test --release --locked -p pallet-device-registry -p pallet-proof-of-coverage -p pallet-rewards \
  -p pallet-service-payments \
  --features runtime-benchmarks \
  -- benchmarking:: 2>&1 | tee -a "$logs/cargo.log"
bench_status=${PIPESTATUS[0]}
set -e
[ "$bench_status" -eq 0 ] || status=1

e2e_status=skipped
if [ "${E2E:-1}" != 0 ]; then
  log "end-to-end tests (node --test, @polkadot/api) against $node_bin"
  set +e
  (cd e2e && DEPIN_NODE="$node_bin" node --test --test-concurrency=1 tests/) 2>&1 | tee "$logs/e2e.log"
  e2e_status=${PIPESTATUS[0]}
  set -e
  [ "$e2e_status" -eq 0 ] || status=1
fi

echo
echo "================ summary ================"
python3 - "$logs/cargo.log" <<'PY'
import re, sys
passed = failed = ignored = suites = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
    if m:
        suites += 1
        passed += int(m.group(2)); failed += int(m.group(3)); ignored += int(m.group(4))
print(f"cargo test: {suites} suites, {passed} passed, {failed} failed, {ignored} ignored")
PY
if [ "$e2e_status" != skipped ]; then
  echo "e2e (node --test):"
  grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)' "$logs/e2e.log" || echo "  (no summary: see $logs/e2e.log)"
fi
if [ "$status" -eq 0 ]; then echo "RESULT: all tests passed"; else echo "RESULT: FAILED (logs in $logs)"; fi
exit "$status"
