#!/usr/bin/env bash
# strata-models against lifetimes 0.11.3 on 1,000,000 simulated CDNOW-like customers.
#
# Builds and runs the `bench_clv` example (simulation, CSV, Rust fits and predictions), then
# fits lifetimes on the same CSV in a pinned virtualenv and prints times, ratios and parameter
# differences. A benchmark, not a test: it takes about two minutes of CPU in lifetimes.
#
# Environment: CARGO_TARGET_DIR (default $HOME/.cache/strata-target), OUT (results,
# default $HOME/.cache/strata-bench/clv), VENV (default $HOME/.cache/strata-bench-venv),
# CUSTOMERS (default 1000000), PARETO_SUBSET (default 100000), THREADS (0 = all cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
OUT="${OUT:-$HOME/.cache/strata-bench/clv}"
VENV="${VENV:-$HOME/.cache/strata-bench-venv}"
CUSTOMERS="${CUSTOMERS:-1000000}"
PARETO_SUBSET="${PARETO_SUBSET:-100000}"
THREADS="${THREADS:-0}"
mkdir -p "$OUT"

echo "== building bench_clv (release) into $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release -p strata-models --example bench_clv)

echo "== strata-models"
"$CARGO_TARGET_DIR/release/examples/bench_clv" --customers "$CUSTOMERS" \
    --pareto-subset "$PARETO_SUBSET" --threads "$THREADS" --out "$OUT" | tee "$OUT/rust.log"

echo "== lifetimes (virtualenv $VENV)"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    lifetimes==0.11.3 numpy==1.26.4 scipy==1.11.4 pandas==1.5.3 autograd==1.6.2
"$VENV/bin/pip" freeze --disable-pip-version-check > "$OUT/python-freeze.txt"
"$VENV/bin/python" "$ROOT/bench/clv/lifetimes_bench.py" --out "$OUT" \
    --pareto-subset "$PARETO_SUBSET" | tee "$OUT/comparison.md"
echo "== results in $OUT"
