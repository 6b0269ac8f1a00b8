"""Prints the times, peak memory and ratios of one comparison, and checks the engines agree."""
import json
import sys

prefix = sys.argv[1]
engines = ("strata", "duckdb", "polars")
runs = {e: [json.loads(l) for l in open(f"{prefix}-{e}.jsonl")] for e in engines}
mem = {e: int(open(f"{prefix}-{e}.mem").read().split()[-1]) / 1024 for e in engines}
best = {e: min(r["seconds"] for r in rs) for e, rs in runs.items()}
print()
print(f"{'engine':8} {'best s':>8} {'all runs':>24} {'peak MB':>8}")
for e in engines:
    all_runs = " ".join(f"{r['seconds']:.3f}" for r in runs[e])
    print(f"{e:8} {best[e]:8.3f} {all_runs:>24} {mem[e]:8.0f}")
print(f"strata is {best['duckdb'] / best['strata']:.2f}x DuckDB and {best['polars'] / best['strata']:.2f}x Polars")
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
print("all three engines computed the same numbers" if ok else "the engines DISAGREE")
