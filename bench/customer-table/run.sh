#!/usr/bin/env bash
# The customer-table benchmark (issue 3): a demo shop of 1,000,000 customers (about ten
# million orders) imported into a workspace, then the customer-table step (per-customer
# aggregates, modes, latest orders and RFM quintile scores) timed in Strata, DuckDB and Polars
# on the same Parquet parts in the same run. Prints each time, peak memory and the ratios, and
# checks that the three engines computed the same numbers.
#
# Usage: bench/customer-table/run.sh [CUSTOMERS] (default 1000000)
# Needs: cargo, python3 with venv and pip (DuckDB and Polars are installed into a venv under
# ~/.cache). Uses ~4 GB of disk under ~/.cache/strata-bench.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
customers="${1:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
work="${STRATA_BENCH_DIR:-$HOME/.cache/strata-bench}/customers-$customers"
venv="$HOME/.cache/strata-olap-venv"
as_of="2026-10-31"
repeats=3

echo "== building (release)"
(cd "$root" && cargo build --release --quiet --workspace --examples --bins)
bin="$CARGO_TARGET_DIR/release"

if [ ! -x "$venv/bin/python" ]; then
  echo "== installing DuckDB and Polars into $venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet duckdb==1.4.2 polars==1.35.2 pyarrow==22.0.0

if [ ! -f "$work/workspace/manifest.json" ] || [ ! -f "$work/.complete" ]; then
  echo "== generating and importing a shop of $customers customers (no events)"
  mkdir -p "$work"
  rm -rf "$work/demo"
  /usr/bin/time -f "   generate+import: %e s, peak %M KB" \
    "$bin/strata" --quiet demo --customers "$customers" --no-events --out "$work/demo" > "$work/demo.log"
  rm -rf "$work/workspace" && mv "$work/demo/workspace" "$work/workspace" && rm -rf "$work/demo/data"
  touch "$work/.complete"
fi
ws="$work/workspace"
orders_bytes=$(du -cb "$ws"/tables/orders/*.parquet | tail -1 | cut -f1)
echo "   orders parts: $(ls "$ws"/tables/orders/*.parquet | wc -l) files, $((orders_bytes / 1048576)) MB"

peak() { /usr/bin/time -f "%M" -o "$1" "${@:2}"; }

# Runs the three engines on workspace $1, writing results with prefix $2.
compare() {
  local ws="$1" out="$2"
  echo "== strata (orders pass + RFM), $repeats runs"
  peak "$out-strata.mem" "$bin/examples/orders_pass" "$ws" "$as_of" "$repeats" | tee "$out-strata.jsonl"
  echo "== duckdb, $repeats runs"
  peak "$out-duckdb.mem" "$venv/bin/python" "$here/olap.py" duckdb "$ws" "$as_of" "$repeats" | tee "$out-duckdb.jsonl"
  echo "== polars, $repeats runs"
  peak "$out-polars.mem" "$venv/bin/python" "$here/olap.py" polars "$ws" "$as_of" "$repeats" | tee "$out-polars.jsonl"
  "$venv/bin/python" "$here/summary.py" "$out"
}

echo
echo "#### orders as the demo export writes them (each customer's orders together)"
compare "$ws" "$work/clustered"
echo "== strata analyze (the whole customer table: with customers, items, segments, written as Parquet)"
/usr/bin/time -f "   %e s wall, peak %M KB" "$bin/strata" --quiet -w "$ws" analyze --as-of "$as_of" > "$work/analyze.log"
head -1 "$work/analyze.log"

echo
echo "#### the same orders sorted by time (how many exports come), imported as Parquet"
if [ ! -f "$work/by-time/.complete" ]; then
  rm -rf "$work/by-time" && mkdir -p "$work/by-time"
  "$venv/bin/python" - "$ws" "$work/by-time/orders.parquet" <<'PY'
import json, os, sys, duckdb
ws, out = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(ws, "manifest.json")))
files = [os.path.join(ws, "tables", "orders", p["file"]) for p in m["tables"]["orders"]["parts"]]
duckdb.sql(f"COPY (SELECT * FROM read_parquet({files!r}) ORDER BY ordered_at) TO '{out}' (FORMAT parquet)")
PY
  "$bin/strata" init "$work/by-time/workspace" > /dev/null
  "$bin/strata" --quiet -w "$work/by-time/workspace" import orders "$work/by-time/orders.parquet" | tail -1
  rm "$work/by-time/orders.parquet"
  touch "$work/by-time/.complete"
fi
compare "$work/by-time/workspace" "$work/by-time"
