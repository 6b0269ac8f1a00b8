#!/usr/bin/env bash
# Churn scoring speed: a million customers against the 2-second target, in a release build.
# Usage: bench/churn/run.sh [CUSTOMERS]   (default 1,000,000; needs ~3 GB of memory)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
N="${1:-1000000}"
WORK="${STRATA_BENCH_DIR:-$HOME/.cache/strata-bench/churn}"
# The whole workspace, so features resolve as the CLI builds them (no second DataFusion build).
cargo build --release --workspace --examples --bins
BIN="$CARGO_TARGET_DIR/release"
if [ ! -f "$WORK/workspace/models/churn/current" ]; then
  rm -rf "$WORK"
  "$BIN/strata" demo --out "$WORK" > "$WORK.log"
fi
echo "== strata churn score on the demo shop (20,000 customers), whole command"
/usr/bin/time -f "wall %e s, peak %M KB" "$BIN/strata" -w "$WORK/workspace" churn score --top 0 | head -1
echo "== scoring $N customers"
/usr/bin/time -f "wall %e s, peak %M KB" "$BIN/examples/score_bench" "$WORK/workspace" "$N"
