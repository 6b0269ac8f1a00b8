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
echo "== strata (orders pass + RFM), $repeats runs"
peak "$work/strata.mem" "$bin/examples/orders_pass" "$ws" "$as_of" "$repeats" | tee "$work/strata.jsonl"
echo "== duckdb, $repeats runs"
peak "$work/duckdb.mem" "$venv/bin/python" "$here/olap.py" duckdb "$ws" "$as_of" "$repeats" | tee "$work/duckdb.jsonl"
echo "== polars, $repeats runs"
peak "$work/polars.mem" "$venv/bin/python" "$here/olap.py" polars "$ws" "$as_of" "$repeats" | tee "$work/polars.jsonl"
echo "== strata analyze (the whole customer table: with customers, items, segments, written as Parquet)"
peak "$work/analyze.mem" "$bin/strata" --quiet -w "$ws" analyze --as-of "$as_of" > "$work/analyze.log"
head -1 "$work/analyze.log"

"$venv/bin/python" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
runs = {e: [json.loads(l) for l in open(f"{work}/{e}.jsonl")] for e in ("strata", "duckdb", "polars")}
mem = {e: int(open(f"{work}/{e}.mem").read().split()[-1]) / 1024 for e in ("strata", "duckdb", "polars", "analyze")}
best = {e: min(r["seconds"] for r in rs) for e, rs in runs.items()}
print()
print(f"{'engine':8} {'best s':>8} {'runs':>24} {'peak MB':>8}")
for e in ("strata", "duckdb", "polars"):
    print(f"{e:8} {best[e]:8.3f} {' '.join(f'{r['seconds']:.3f}' for r in runs[e]):>24} {mem[e]:8.0f}")
print(f"strata analyze (whole table) peak {mem['analyze']:.0f} MB")
print(f"speed-up: {best['duckdb'] / best['strata']:.2f}x DuckDB, {best['polars'] / best['strata']:.2f}x Polars")
keys = ["buyers", "orders", "revenue", "revenue_12m", "r_sum", "f_sum", "m_sum", "trend_n"]
ref = runs["strata"][0]
ok = True
for e in ("duckdb", "polars"):
    other = runs[e][0]
    for k in keys:
        a, b = ref[k], other[k]
        same = abs(a - b) <= 1e-6 * max(1, abs(a)) if isinstance(a, float) else a == b
        if not same:
            ok = False
            print(f"MISMATCH {e} {k}: strata {a} vs {b}")
    if abs(ref["trend_mean"] - other["trend_mean"]) > 1e-5:
        ok = False
        print(f"MISMATCH {e} trend_mean: {ref['trend_mean']} vs {other['trend_mean']}")
print("results agree" if ok else "results DIFFER")
PY
