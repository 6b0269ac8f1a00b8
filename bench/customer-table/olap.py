"""The customer-table step in DuckDB and in Polars, on the same Parquet parts Strata reads.

Same definitions as strata-features (crates/strata-features/src/profile.rs): paid orders
(status paid or empty) before the end of the analysis date; refunds counted; totals, trailing
12-month spend, discounts, coupons, festival orders in the shop's local dates, modes of channel,
device and local hour; the latest k = min(3, orders - 1) order values against the earlier ones;
recency, frequency (orders) and monetary quintile cut points as lower quantiles (value at
floor(q * (n - 1))) and scores 1-5. Prints one JSON line per run with the same checksums as
the Rust example `orders_pass`.

Usage: olap.py duckdb|polars WORKSPACE AS_OF [REPEATS]
"""

import datetime as dt
import json
import os
import sys
import time
import zoneinfo

TZ = "Asia/Shanghai"
FESTIVALS = [((2, 12), (2, 14)), ((3, 8), (3, 8)), ((5, 20), (5, 20)), ((6, 1), (6, 18)),
             ((11, 1), (11, 11)), ((12, 10), (12, 12))]


def parts(ws):
    with open(os.path.join(ws, "manifest.json")) as f:
        m = json.load(f)
    return [os.path.join(ws, "tables", "orders", p["file"]) for p in m["tables"]["orders"]["parts"]]


def window(as_of):
    d = dt.date.fromisoformat(as_of) + dt.timedelta(days=1)
    end = dt.datetime.combine(d, dt.time(), zoneinfo.ZoneInfo(TZ)).astimezone(dt.timezone.utc)
    return end, end - dt.timedelta(days=365)


def festival_sql(m, d):
    terms = []
    for (m1, d1), (m2, d2) in FESTIVALS:
        terms.append(f"(({m} * 100 + {d}) BETWEEN {m1 * 100 + d1} AND {m2 * 100 + d2})")
    return "(" + " OR ".join(terms) + ")"


def run_duckdb(files, end, start12):
    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    flist = ", ".join(f"'{f}'" for f in files)
    local = f"timezone('{TZ}', ordered_at)"
    sql = f"""
    WITH o AS (
      SELECT customer_id, ordered_at, CAST(paid_amount AS DOUBLE) AS amt,
             CAST(coalesce(discount_amount, 0) AS DOUBLE) AS disc,
             coalesce(coupon_used, false) AS coupon, channel, device, status,
             {local} AS local
      FROM read_parquet([{flist}])
      WHERE ordered_at < TIMESTAMPTZ '{end.isoformat()}'
    ),
    paid AS (SELECT * FROM o WHERE status IS NULL OR status = 'paid'),
    agg AS (
      SELECT customer_id, count(*) AS orders, min(ordered_at) AS first, max(ordered_at) AS last,
             sum(amt) AS total,
             coalesce(sum(amt) FILTER (WHERE ordered_at >= TIMESTAMPTZ '{start12.isoformat()}'), 0) AS total_12m,
             sum(disc) AS disc, count(*) FILTER (WHERE coupon) AS coupons,
             count(*) FILTER (WHERE {festival_sql('month(local)', 'day(local)')}) AS fest,
             mode(channel) AS channel, mode(device) AS device, mode(hour(local)) AS hour
      FROM paid GROUP BY customer_id
    ),
    refunds AS (SELECT customer_id, count(*) AS refunds FROM o WHERE status = 'refunded' GROUP BY customer_id),
    ranked AS (
      SELECT customer_id, amt, row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at DESC) AS rn
      FROM paid
    ),
    recent AS (
      SELECT r.customer_id, sum(r.amt) FILTER (WHERE r.rn <= least(3, a.orders - 1)) AS recent_sum
      FROM ranked r JOIN agg a USING (customer_id) WHERE r.rn <= 3 GROUP BY r.customer_id
    ),
    feat AS (
      SELECT a.*, coalesce(f.refunds, 0) AS refunds,
             epoch_us(TIMESTAMPTZ '{end.isoformat()}' - a.last) / 86400e6 AS recency,
             CASE WHEN a.orders >= 2 THEN
               (r.recent_sum / least(3, a.orders - 1))
               / nullif((a.total - r.recent_sum) / (a.orders - least(3, a.orders - 1)), 0) - 1
             END AS trend
      FROM agg a LEFT JOIN refunds f USING (customer_id) LEFT JOIN recent r USING (customer_id)
    ),
    sorted AS (
      SELECT list_sort(list(recency)) AS rl, list_sort(list(orders)) AS fl,
             list_sort(list(total)) AS ml, count(*) AS n
      FROM feat
    ),
    cuts AS (
      -- Lower quantiles: the value at floor(q * (n - 1)), 1-based lists.
      SELECT [rl[floor(0.2 * (n - 1))::BIGINT + 1], rl[floor(0.4 * (n - 1))::BIGINT + 1],
              rl[floor(0.6 * (n - 1))::BIGINT + 1], rl[floor(0.8 * (n - 1))::BIGINT + 1]] AS rc,
             [fl[floor(0.2 * (n - 1))::BIGINT + 1], fl[floor(0.4 * (n - 1))::BIGINT + 1],
              fl[floor(0.6 * (n - 1))::BIGINT + 1], fl[floor(0.8 * (n - 1))::BIGINT + 1]] AS fc,
             [ml[floor(0.2 * (n - 1))::BIGINT + 1], ml[floor(0.4 * (n - 1))::BIGINT + 1],
              ml[floor(0.6 * (n - 1))::BIGINT + 1], ml[floor(0.8 * (n - 1))::BIGINT + 1]] AS mc
      FROM sorted
    ),
    scored AS (
      SELECT feat.*,
        5 - ((recency > rc[1])::INT + (recency > rc[2])::INT + (recency > rc[3])::INT + (recency > rc[4])::INT) AS r,
        1 + (orders > fc[1])::INT + (orders > fc[2])::INT + (orders > fc[3])::INT + (orders > fc[4])::INT AS f,
        1 + (total > mc[1])::INT + (total > mc[2])::INT + (total > mc[3])::INT + (total > mc[4])::INT AS m
      FROM feat, cuts
    )
    SELECT count(*), sum(orders), sum(total), sum(total_12m), sum(r), sum(f), sum(m),
           count(trend), avg(trend), sum(hour), sum(refunds), any_value(rc), any_value(fc), any_value(mc)
    FROM scored, cuts
    """
    # Materialise the per-customer table, as Strata does, then read the checksums off it.
    con.execute(f"CREATE OR REPLACE TEMP TABLE result AS {sql}")
    row = con.execute("SELECT * FROM result").fetchone()
    return row


def run_polars(files, end, start12):
    import polars as pl
    m = pl.col("local").dt.month()
    d = pl.col("local").dt.day()
    md = m.cast(pl.Int32) * 100 + d.cast(pl.Int32)
    fest = pl.lit(False)
    for (m1, d1), (m2, d2) in FESTIVALS:
        fest = fest | md.is_between(m1 * 100 + d1, m2 * 100 + d2)
    o = (
        pl.scan_parquet(files)
        .filter(pl.col("ordered_at") < end)
        .with_columns(
            amt=pl.col("paid_amount").cast(pl.Float64),
            disc=pl.col("discount_amount").cast(pl.Float64).fill_null(0.0),
            coupon=pl.col("coupon_used").fill_null(False),
            local=pl.col("ordered_at").dt.convert_time_zone(TZ),
        )
    )
    refunds = (
        o.filter(pl.col("status") == "refunded").group_by("customer_id").agg(refunds=pl.len())
    )
    paid = o.filter(pl.col("status").is_null() | (pl.col("status") == "paid"))
    agg = paid.group_by("customer_id").agg(
        orders=pl.len(),
        first=pl.col("ordered_at").min(),
        last=pl.col("ordered_at").max(),
        total=pl.col("amt").sum(),
        total_12m=pl.col("amt").filter(pl.col("ordered_at") >= start12).sum(),
        disc=pl.col("disc").sum(),
        coupons=pl.col("coupon").sum(),
        fest=fest.sum(),
        channel=pl.col("channel").drop_nulls().mode().first(),
        device=pl.col("device").drop_nulls().mode().first(),
        hour=pl.col("local").dt.hour().mode().first(),
        recent=pl.col("amt").top_k_by("ordered_at", 3),
    )
    k = pl.min_horizontal(pl.lit(3), pl.col("orders") - 1)
    r = pl.col("recent")
    recent_sum = (
        pl.when(k >= 1).then(r.list.get(0, null_on_oob=True)).otherwise(0.0)
        + pl.when(k >= 2).then(r.list.get(1, null_on_oob=True)).otherwise(0.0)
        + pl.when(k >= 3).then(r.list.get(2, null_on_oob=True)).otherwise(0.0)
    )
    feat = (
        agg.join(refunds, on="customer_id", how="left")
        .with_columns(
            refunds=pl.col("refunds").fill_null(0),
            recency=(pl.lit(end) - pl.col("last")).dt.total_microseconds() / 86400e6,
            recent_sum=recent_sum,
            k=k,
        )
        .with_columns(
            trend=pl.when(pl.col("orders") >= 2).then(
                (pl.col("recent_sum") / pl.col("k"))
                / ((pl.col("total") - pl.col("recent_sum")) / (pl.col("orders") - pl.col("k")))
                - 1
            )
        )
    )
    qs = [0.2, 0.4, 0.6, 0.8]

    def score(col, up):
        exceed = sum(
            (pl.col(col) > pl.col(col).quantile(q, interpolation="lower")).cast(pl.Int32) for q in qs
        )
        return (1 + exceed) if up else (5 - exceed)

    scored = feat.with_columns(r=score("recency", False), f=score("orders", True), m=score("total", True))
    df = scored.collect()
    cuts = [[df[c].quantile(q, interpolation="lower") for q in qs] for c in ("recency", "orders", "total")]
    trend = df["trend"].drop_nulls().drop_nans()
    return (
        df.height, df["orders"].sum(), df["total"].sum(), df["total_12m"].sum(),
        df["r"].sum(), df["f"].sum(), df["m"].sum(), trend.len(), trend.mean(),
        df["hour"].sum(), df["refunds"].sum(), cuts[0], cuts[1], cuts[2],
    )


def main():
    engine, ws, as_of = sys.argv[1], sys.argv[2], sys.argv[3]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    files = parts(ws)
    end, start12 = window(as_of)
    fn = run_duckdb if engine == "duckdb" else run_polars
    for run in range(repeats):
        t = time.perf_counter()
        row = fn(files, end, start12)
        seconds = time.perf_counter() - t
        (buyers, orders, revenue, revenue12, r, f, m, trend_n, trend_mean, hour_sum, refunds,
         rc, fc, mc) = row
        print(json.dumps({
            "engine": engine, "run": run, "seconds": round(seconds, 4), "buyers": buyers,
            "orders": int(orders), "revenue": round(revenue, 2), "revenue_12m": round(revenue12, 2),
            "r_sum": int(r), "f_sum": int(f), "m_sum": int(m),
            "cuts": [list(map(float, rc)), list(map(float, fc)), list(map(float, mc))],
            "trend_n": trend_n, "trend_mean": round(trend_mean, 6), "hour_sum": int(hour_sum),
        }), flush=True)


if __name__ == "__main__":
    main()
