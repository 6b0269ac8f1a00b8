#!/usr/bin/env bash
# The agreement check of issue 6: on a small demo shop, Strata's funnel (six steps, one-day
# window, by device) and monthly retention triangles (by first purchase and by first visit)
# must equal the same analyses written as SQL in DuckDB (bench/behaviour/duck.py), cell for
# cell. `.ci/run` runs it after the tests.
#
# Usage: bench/behaviour/agree.sh [STRATA_BINARY] (default: the debug build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
strata="${1:-$target/debug/strata}"
venv="$HOME/.cache/strata-olap-venv"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet duckdb==1.4.2

"$strata" --quiet demo --customers 2000 --no-import --out "$work/demo" > /dev/null
ws="$work/ws"
"$strata" init "$ws" > /dev/null
for t in orders events; do
  "$strata" --quiet -w "$ws" import "$t" "$(ls "$work/demo/data/$t".*)" > /dev/null
done
steps12=home,category,product,cart,checkout,paid,home,category,product,cart,checkout,paid
check() {
  local name="$1"; shift
  "$strata" -w "$ws" "$@" > "$work/$name.json"
  "$venv/bin/python" "$here/duck.py" "$name" "$ws" > "$work/$name-duckdb.jsonl"
  "$venv/bin/python" "$here/agree.py" "$name" "$work/$name.json" "$work/$name-duckdb.jsonl"
}
check funnel funnel --by device -f json
check funnel12 funnel --by device -f json --steps "$steps12"
check retention retention --counts -f json
check retention-visit retention --of visit --counts -f json
