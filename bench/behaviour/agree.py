"""Checks that Strata and DuckDB agree on the funnel and the retention triangle.

Usage: agree.py funnel|funnel12|retention|retention-visit STRATA_JSON DUCKDB_JSONL
STRATA_JSON is the output of `strata funnel --by device -f json` or
`strata retention --counts -f json`; DUCKDB_JSONL a line of duck.py. Exits 1 on any difference.
"""

import json
import sys


def main():
    what, strata_path, duck_path = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(strata_path) as f:
        text = f.read()
    # The retention command prints the triangle and then the repurchase table, each a JSON array.
    strata = json.JSONDecoder().raw_decode(text.lstrip())[0]
    with open(duck_path) as f:
        duck = json.loads(f.readline())["rows"]
    if what.startswith("funnel"):
        ours = {(r["device"], r["step_no"]): r["units"] for r in strata if r["device"] != "(all)"}
        theirs = {(r["device"], r["step_no"]): r["units"] for r in duck}
    else:
        ours = {}
        for r in strata:
            for key, v in r.items():
                if key.startswith("m") and key[1:].isdigit() and v:
                    ours[(r["cohort"], int(key[1:]))] = v
        theirs = {(r["cohort"], r["k"]): r["active"] for r in duck}
    diff = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    total = sum(ours.values())
    if diff:
        for k in diff[:20]:
            print(f"  {k}: strata {ours.get(k)}, duckdb {theirs.get(k)}")
        print(f"{what}: {len(diff)} of {len(set(ours) | set(theirs))} cells differ")
        sys.exit(1)
    print(f"{what}: strata and duckdb agree on all {len(ours)} cells ({total} counted)")


if __name__ == "__main__":
    main()
