#!/usr/bin/env bash
# The segments agreement check: on a small demo shop (2,000 customers), the members of the 50
# segments of bench/segments/rules.tsv as `strata segment refresh` computes them must equal the
# same segments written by hand as DuckDB SQL (bench/segments/duck.py) over the workspace's
# tables exported to Parquet, customer for customer. Checked twice: at the default analysis
# date (the day of the latest order), and at an earlier one, 2026-09-20, where every table has
# data after the end of the analysis date that must not count.
#
# Exits non-zero on any difference, naming the first differing segment and a few customer ids
# on each side.
#
# Usage: bench/segments/agree.sh [STRATA_BINARY] (default: the debug build)
# Env: STRATA_AGREE_CUSTOMERS (default 2000), STRATA_AGREE_KEEP=1 keeps the work folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-$HOME/.cache/strata-target}"
strata="${1:-$target/debug/strata}"
customers="${STRATA_AGREE_CUSTOMERS:-2000}"
venv="$HOME/.cache/strata-olap-venv"
work="$(mktemp -d)"
if [ "${STRATA_AGREE_KEEP:-0}" = 1 ]; then
  echo "work folder: $work"
else
  trap 'rm -rf "$work"' EXIT
fi

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet duckdb==1.4.2
py="$venv/bin/python"

"$strata" --quiet demo --customers "$customers" --no-import --out "$work/demo" > /dev/null
ws="$work/ws"
"$strata" init "$ws" > /dev/null
for t in customers orders order_items events reviews; do
  "$strata" --quiet -w "$ws" import "${t//_/-}" "$(ls "$work/demo/data/$t".*)" > /dev/null
done
# The churn model gives churn_risk and the warning signals some rules use.
"$strata" --quiet -w "$ws" churn train > /dev/null
"$strata" --quiet -w "$ws" analyze > /dev/null

while IFS=$'\t' read -r name rule; do
  [ -z "$name" ] && continue
  case "$name" in \#*) continue ;; esac
  "$strata" --quiet -w "$ws" segment create "$name" --rule "$rule" > /dev/null
done < "$here/rules.tsv"

# check LABEL AS_OF: refreshes, exports, and compares; AS_OF `latest` is the latest order's day.
check() {
  local label="$1" as_of="$2" used
  "$strata" --quiet -w "$ws" segment refresh > "$work/refresh-$label.log"
  "$strata" -w "$ws" query -f csv \
    "SELECT segment, customer_id FROM segment_members ORDER BY 1, 2" > "$work/strata-$label.csv"
  used=$("$strata" -w "$ws" query -f csv "SELECT max(as_of) FROM segment_refreshes
      WHERE generation = (SELECT max(generation) FROM segment_refreshes)" | tail -1)
  rm -rf "$work/pq" && mkdir -p "$work/pq"
  for t in customer_profile customers orders order_items events reviews; do
    "$strata" -w "$ws" query -o "$work/pq/$t.parquet" "SELECT * FROM $t" > /dev/null
  done
  local status=0
  "$py" "$here/duck.py" --parquet "$work/pq" --as-of "$as_of" --quiet \
    --strata "$work/strata-$label.csv" > "$work/duck-$label.json" || status=$?
  local expected
  expected=$("$py" -c "import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])['as_of'])" \
    "$work/duck-$label.json")
  if [ "$used" != "$expected" ]; then
    echo "segments ($label): Strata refreshed as of $used, expected $expected" >&2
    return 1
  fi
  if [ "$status" -ne 0 ]; then
    echo "segments ($label, as of $used): Strata and DuckDB disagree" >&2
    return "$status"
  fi
  local members
  members=$(($(wc -l < "$work/strata-$label.csv") - 1))
  echo "segments ($label, as of $used): all $(grep -c . "$here/rules.tsv") segments agree ($members memberships, $customers customers)"
}

check latest latest
# An earlier analysis date: analyze refreshes the segments; the refresh must find them current.
"$strata" --quiet -w "$ws" analyze --as-of 2026-09-20 > /dev/null
check earlier 2026-09-20
