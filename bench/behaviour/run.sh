#!/usr/bin/env bash
# The behaviour benchmark (issue 6): a demo shop with about 100 million events, then a six-step
# funnel (one-day window, by device) and the monthly retention triangles (by first purchase
# over orders, by first visit over all events) timed in Strata and in DuckDB on the same Parquet
# parts in the same run. Prints each time, peak memory and the ratio, and checks that both
# engines counted the same.
#
# A twelve-step funnel (the six steps twice) shows how the cost grows with the steps.
#
# Usage: bench/behaviour/run.sh [CUSTOMERS] (default 520000, about 100 million events)
# Needs: cargo, python3 with venv and pip (DuckDB goes into a venv under ~/.cache). At the
# default size, generating and importing takes about 18 minutes and needs about 32 GB of disk
# under ~/.cache/strata-bench while the 30 GB events file exists (it is removed after import;
# the workspace keeps about 1.6 GB). The import of events peaks near 10 GB of memory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
customers="${1:-520000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
work="${STRATA_BENCH_DIR:-$HOME/.cache/strata-bench}/behaviour-$customers"
venv="$HOME/.cache/strata-olap-venv"
repeats=3

echo "== building (release)"
(cd "$root" && cargo build --release --quiet --bins)
strata="$CARGO_TARGET_DIR/release/strata"

if [ ! -x "$venv/bin/python" ]; then
  echo "== installing DuckDB into $venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet duckdb==1.4.2

if [ ! -f "$work/.complete" ]; then
  echo "== generating and importing a shop of $customers customers"
  rm -rf "$work" && mkdir -p "$work"
  /usr/bin/time -f "   generate: %e s, peak %M KB" \
    "$strata" --quiet demo --customers "$customers" --no-import --out "$work/demo" > "$work/demo.log"
  "$strata" init "$work/workspace" > /dev/null
  for t in customers orders events; do
    f=$(ls "$work/demo/data/$t".*)
    /usr/bin/time -f "   import $t: %e s, peak %M KB" \
      "$strata" --quiet -w "$work/workspace" import "$t" "$f" | tail -1
  done
  rm -rf "$work/demo"
  touch "$work/.complete"
fi
ws="$work/workspace"
events=$("$strata" -w "$ws" query -f csv "SELECT count(*) FROM events" | tail -1)
echo "   $events events, $(du -sh "$ws/tables/events" | cut -f1) of Parquet"

# best-of-N wall time and peak memory of a command; prints "seconds peak_kb"
best() {
  local best_s="" peak=0
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.txt"
    read -r s kb < "$work/time.txt"
    if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; fi
    if [ "$kb" -gt "$peak" ]; then peak=$kb; fi
  done
  echo "$best_s $peak"
}

compare() {
  local name="$1" check="$2"; shift 2
  echo "== $name"
  read -r s_strata kb_strata < <(best "$@")
  cp "$work/out.txt" "$work/$name-strata.json"
  read -r s_duck kb_duck < <(best "$venv/bin/python" "$here/duck.py" "$check" "$ws")
  head -1 "$work/out.txt" > "$work/$name-duckdb.jsonl"
  local q_duck
  q_duck=$("$venv/bin/python" -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['seconds'])" "$work/$name-duckdb.jsonl")
  "$venv/bin/python" "$here/agree.py" "$check" "$work/$name-strata.json" "$work/$name-duckdb.jsonl"
  printf "   strata %6.2f s (peak %5d MB) | duckdb %6.2f s, query alone %6.2f s (peak %5d MB) | duckdb/strata %.2fx\n" \
    "$s_strata" $((kb_strata / 1024)) "$s_duck" "$q_duck" $((kb_duck / 1024)) \
    "$(awk "BEGIN{print $s_duck / $s_strata}")"
}

compare funnel funnel "$strata" -w "$ws" funnel --by device -f json
compare funnel12 funnel12 "$strata" -w "$ws" funnel --by device -f json \
  --steps home,category,product,cart,checkout,paid,home,category,product,cart,checkout,paid
compare retention retention "$strata" -w "$ws" retention --counts -f json
compare retention-visit retention-visit "$strata" -w "$ws" retention --of visit --counts -f json
