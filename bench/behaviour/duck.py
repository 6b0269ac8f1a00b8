"""The same funnel and retention triangle as `strata funnel` and `strata retention`, written
as SQL in DuckDB over the same Parquet parts: for the agreement check and the benchmark.

Funnel: home -> category -> product -> cart -> checkout -> paid, relaxed order, per customer
(anonymous visitors as 'anon:' || anonymous_id), a one-day window from the first step, broken
down by the device of the first step of the counted attempt. For every first step, each next
step is the earliest matching event after the previous one (ASOF joins); a customer's level is
the best over their first steps, and among equal levels the latest first step gives the device.
This greedy search and Strata's one-pass fold find the same furthest step.

Retention: monthly cohorts by first paid order (Shanghai time), customers active (a paid order)
in each later month; or by first visit over the events (--visit).

funnel12 is the same six steps twice over (twelve steps), to show that steps cost linearly.

Usage: duck.py funnel|funnel12|retention|retention-visit WORKSPACE [REPEATS]
Prints one JSON line per run: {"engine": "duckdb", "seconds": s, "rows": [...]}.
"""

import json
import os
import sys
import time

TZ = "Asia/Shanghai"
WINDOW_US = 86_400 * 1_000_000
STEPS = [
    "event_type = 'page_view' AND page = 'home'",
    "event_type = 'page_view' AND page = 'category'",
    "event_type = 'page_view' AND page = 'product'",
    "event_type = 'page_view' AND page = 'cart'",
    "event_type = 'page_view' AND page = 'checkout'",
    "event_type = 'order_paid'",
]


def parts(ws, table):
    with open(os.path.join(ws, "manifest.json")) as f:
        m = json.load(f)
    files = [os.path.join(ws, "tables", table, p["file"]) for p in m["tables"][table]["parts"]]
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def funnel_sql(ws, steps):
    unit = "coalesce(customer_id, 'anon:' || anonymous_id)"
    ctes = [
        f"e AS (SELECT {unit} AS u, epoch_us(event_time) AS t, device, event_type, page "
        f"FROM read_parquet({parts(ws, 'events')}) WHERE {unit} IS NOT NULL)"
    ]
    ctes.append(f"s0 AS (SELECT u, t, device FROM e WHERE {steps[0]})")
    for i, cond in enumerate(steps[1:], start=1):
        ctes.append(f"s{i} AS (SELECT u, t FROM e WHERE {cond})")
    ctes.append("j0 AS (SELECT u, t AS t0, device FROM s0)")
    prev = "t0"
    for i in range(1, len(steps)):
        ctes.append(
            # An ASOF join on a NULL key still matches a row: a chain that stopped stays stopped.
            f"j{i} AS (SELECT j{i - 1}.*, CASE WHEN j{i - 1}.{prev} IS NULL THEN NULL ELSE s{i}.t END AS t{i} FROM j{i - 1} "
            f"ASOF LEFT JOIN s{i} ON j{i - 1}.u = s{i}.u AND s{i}.t > j{i - 1}.{prev})"
        )
        prev = f"t{i}"
    last = len(steps) - 1
    cases = " ".join(
        f"WHEN t{i} - t0 <= {WINDOW_US} THEN {i}" for i in range(last, 0, -1)
    )
    ctes.append(f"lv AS (SELECT u, t0, device, CASE {cases} ELSE 0 END AS lvl FROM j{last})")
    ctes.append(
        # (Not named level inside: DuckDB would read that as the max(...) alias.)
        "best AS (SELECT u, max(lvl) AS level, "
        "arg_max(coalesce(device, '(none)'), lvl * 10000000000000000 + t0) AS device "
        "FROM lv GROUP BY u)"
    )
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        f"SELECT device, k + 1 AS step_no, count(*) AS units FROM best, range({len(steps)}) s(k) "
        "WHERE best.level >= k GROUP BY ALL ORDER BY device, step_no"
    )


def retention_sql(ws, visit):
    if visit:
        src = (f"SELECT coalesce(customer_id, 'anon:' || anonymous_id) AS u, event_time AS ts "
               f"FROM read_parquet({parts(ws, 'events')})")
    else:
        src = (f"SELECT customer_id AS u, ordered_at AS ts FROM read_parquet({parts(ws, 'orders')}) "
               "WHERE status IS NULL OR status = 'paid'")
    return f"""
    WITH o AS ({src}),
    m AS (SELECT DISTINCT u, year(timezone('{TZ}', ts)) * 12 + month(timezone('{TZ}', ts)) - 1 AS p
          FROM o WHERE u IS NOT NULL),
    f AS (SELECT u, min(p) AS c FROM m GROUP BY u)
    SELECT printf('%04d-%02d', f.c // 12, f.c % 12 + 1) AS cohort, m.p - f.c AS k, count(*) AS active
    FROM m JOIN f USING (u) GROUP BY ALL ORDER BY cohort, k
    """


def main():
    import duckdb
    what, ws = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if what == "funnel":
        sql = funnel_sql(ws, STEPS)
    elif what == "funnel12":
        sql = funnel_sql(ws, STEPS * 2)
    else:
        sql = retention_sql(ws, what == "retention-visit")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for _ in range(repeats):
        start = time.perf_counter()
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
        seconds = time.perf_counter() - start
        print(json.dumps({"engine": "duckdb", "seconds": round(seconds, 3), "rows": rows}), flush=True)


if __name__ == "__main__":
    main()
