"""The 50 segments of rules.tsv written by hand as DuckDB SQL, for the agreement check and the
benchmark (bench/segments/agree.sh, run.sh).

Semantics, as docs/segments.md and crates/strata-segments (compile.rs, eval.rs) define them:

- The universe is customer_profile's customers; `customers` columns (member_level,
  marketing_consent, ...) are looked up by customer_id.
- The analysis date's end, END, is the start of the day after the analysis date in the shop's
  time zone (Asia/Shanghai), as a UTC instant. `in last N days` is [END - N days, END)
  (weeks = 7 days, months = 30 days, hours); `N days ago` is END - N days; a date is its whole
  local day (`>= 2026-10-01` from its local start, `between a and b` up to the start of b + 1);
  nothing at or after END ever counts.
- Purchases are orders with status = 'paid', refunds status = 'refunded', both by ordered_at;
  `bought category X` counts paid orders with at least one line of X; `spent` sums
  orders.paid_amount (or the matching lines' paid_amount). `did page P` is a page_view of P.
  Events without a customer_id are left out.
- A condition on an empty value is false, and `not` is the exact complement: every leaf is
  written as `(cond) IS TRUE` (or as a null-free `customer_id IN (...)`), and negated with NOT.
  `not in (...)` and `not between` are false for an empty value.
- `excluding new`: the customer was first seen before the window began, first seen being the
  earliest of registered_at, first_order_at (both from customer_profile) and the first event
  before END (least() ignores NULLs in DuckDB as in DataFusion).
- `in segment X` reads X's members, computed before (rules.tsv lists segments after those
  they use).

Usage:
  duck.py (--parquet DIR | --workspace WS) --as-of YYYY-MM-DD [--rules rules.tsv]
          [--out members.tsv] [--strata strata.csv] [--repeats N] [--quiet]

--parquet reads DIR/<table>.parquet (as `strata query -o` exported them); --workspace reads
the Parquet parts the workspace manifest lists (what Strata itself reads; no export needed).
Prints the time of the 50 queries (best of --repeats), and with --strata compares the members
with Strata's (a CSV with header segment,customer_id) and exits 1 on any difference, naming the
first differing segment with a few customer ids. The last line of output is one JSON object.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
import zoneinfo

TZ = "Asia/Shanghai"
TABLES = ["customer_profile", "customers", "orders", "order_items", "events", "reviews"]
HERE = os.path.dirname(os.path.abspath(__file__))


class Clock:
    """Window bounds as TIMESTAMPTZ literals."""

    def __init__(self, as_of):
        self.tz = zoneinfo.ZoneInfo(TZ)
        self.as_of = dt.date.fromisoformat(as_of)
        self.end = self.day_start(self.as_of + dt.timedelta(days=1))

    def day_start(self, d):
        return dt.datetime.combine(d, dt.time(), self.tz).astimezone(dt.timezone.utc)

    @staticmethod
    def lit(t):
        return f"TIMESTAMPTZ '{t.strftime('%Y-%m-%d %H:%M:%S')}+00'"

    def E(self):
        """The end of the analysis date."""
        return self.lit(self.end)

    def T(self, days=0, hours=0):
        """END minus a duration: the start of `in last N …`, or `N … ago`."""
        return self.lit(self.end - dt.timedelta(days=days, hours=hours))

    def D(self, day):
        """The start of a local day."""
        return self.lit(self.day_start(dt.date.fromisoformat(day)))


def segment_sql(c):
    """name -> (rule as in rules.tsv, DuckDB SELECT of the members' customer_id)."""
    T, D = c.T, c.D

    def seg(name):
        return f'p.customer_id IN (SELECT customer_id FROM "seg:{name}")'

    def sql(where):
        return f"SELECT p.customer_id FROM profile p WHERE {where}"

    return {
        "vip": ("spend_tier in (diamond, gold) and churn_risk < 0.3", sql(
            "(p.spend_tier IN ('diamond', 'gold')) IS TRUE AND (p.churn_risk < 0.3) IS TRUE")),
        "high_value": ("clv_12m > 3000", sql("(p.clv_12m > 3000) IS TRUE")),
        "at_risk_rfm": ('rfm_segment = "At risk"', sql("(p.rfm_segment = 'At risk') IS TRUE")),
        # a case slip: the value is folded to the closed vocabulary's `Champions`
        "champions": ("rfm_segment = champions", sql("(p.rfm_segment = 'Champions') IS TRUE")),
        # 上海市 folds to 上海 as import folds provinces
        "上海夜猫子": ("province = 上海市 and active_hour between 20 and 22", sql(
            "(p.province = '上海') IS TRUE AND (p.active_hour BETWEEN 20 AND 22) IS TRUE")),
        "江浙沪": ("province in (上海, 江苏, 浙江)", sql(
            "(p.province IN ('上海', '江苏', '浙江')) IS TRUE")),
        "lower_tier_cities": ("city_tier not in (tier1, new_tier1)", sql(
            "(p.city_tier NOT IN ('tier1', 'new_tier1')) IS TRUE")),
        "加购未付款": ("did add_to_cart in last 7 days and not bought in last 7 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM ev
                              WHERE event_type = 'add_to_cart' AND event_time >= {T(7)})
            AND NOT p.customer_id IN (SELECT customer_id FROM paid WHERE ordered_at >= {T(7)})""")),
        "product_browsers": ("did page product at least 3 times in last 30 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM ev
                              WHERE event_type = 'page_view' AND page = 'product'
                                AND event_time >= {T(30)}
                              GROUP BY customer_id HAVING count(*) >= 3)""")),
        "lapsed_login": ("did not login in last 30 days excluding new", sql(f"""
            NOT p.customer_id IN (SELECT customer_id FROM ev
                                  WHERE event_type = 'login' AND event_time >= {T(30)})
            AND p.customer_id IN (SELECT customer_id FROM first_seen WHERE first_seen < {T(30)})""")),
        "login_cooling": ("last_time(login) < 14 days ago", sql(f"""
            p.customer_id IN (SELECT customer_id FROM ev WHERE event_type = 'login'
                              GROUP BY customer_id HAVING max(event_time) < {T(14)})""")),
        "服装_90d": ("bought category 服装 in last 90 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid_lines
                              WHERE category = '服装' AND ordered_at >= {T(90)})""")),
        "美妆母婴_repeat": ("bought category in (美妆, 母婴) at least 2 times in last 180 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid_lines
                              WHERE category IN ('美妆', '母婴') AND ordered_at >= {T(180)}
                              GROUP BY customer_id HAVING count(DISTINCT order_id) >= 2)""")),
        "步履_fans": ("spent brand 步履 ever > 1000", sql("""
            p.customer_id IN (SELECT customer_id FROM paid_lines WHERE brand = '步履'
                              GROUP BY customer_id HAVING sum(line_amount) > 1000)""")),
        "spent_500_90d": ("spent in last 90 days >= 500", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid WHERE ordered_at >= {T(90)}
                              GROUP BY customer_id HAVING sum(paid_amount) >= 500)""")),
        "coupon_hunters": ("bought with coupon at least 3 times in last 90 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid
                              WHERE coupon_used IS TRUE AND ordered_at >= {T(90)}
                              GROUP BY customer_id HAVING count(*) >= 3)""")),
        "refunders": ("refunded in last 90 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM refunds WHERE ordered_at >= {T(90)})""")),
        "unhappy": ("reviewed rating <= 2 in last 30 days", sql(f"""
            p.customer_id IN (SELECT customer_id FROM rv
                              WHERE rating <= 2 AND created_at >= {T(30)})""")),
        "vip_cooling": (
            "in segment vip and (did not login in last 14 days or last_time(order) < 60 days ago)",
            sql(f"""{seg('vip')} AND (
                NOT p.customer_id IN (SELECT customer_id FROM ev
                                      WHERE event_type = 'login' AND event_time >= {T(14)})
                OR p.customer_id IN (SELECT customer_id FROM paid GROUP BY customer_id
                                     HAVING max(ordered_at) < {T(60)}))""")),
        "高价值流失预警": (
            "in segment high_value and (lifecycle in (at_risk, dormant) or churn_risk >= 0.6)",
            sql(f"""{seg('high_value')} AND ((p.lifecycle IN ('at_risk', 'dormant')) IS TRUE
                                              OR (p.churn_risk >= 0.6) IS TRUE)""")),
        "win_back_target": (
            "in segment 高价值流失预警 and not in segment refunders and marketing_consent",
            sql(f"""{seg('高价值流失预警')} AND NOT {seg('refunders')}
                AND p.customer_id IN (SELECT customer_id FROM customers
                                      WHERE marketing_consent IS TRUE)""")),
        "newcomers": ("lifecycle = new or first_time(order) >= 30 days ago", sql(f"""
            (p.lifecycle = 'new') IS TRUE
            OR p.customer_id IN (SELECT customer_id FROM paid GROUP BY customer_id
                                 HAVING min(ordered_at) >= {T(30)})""")),
        "coupon_active": (
            "customer_type = price_sensitive and lifecycle = active and bought with coupon in last 30 days",
            sql(f"""(p.customer_type = 'price_sensitive') IS TRUE AND (p.lifecycle = 'active') IS TRUE
                AND p.customer_id IN (SELECT customer_id FROM paid
                                      WHERE coupon_used IS TRUE AND ordered_at >= {T(30)})""")),
        # 直播 folds to live_stream
        "live_fans": ("preferred_channel = 直播 or did live_watch at least 2 times in last 30 days",
                      sql(f"""(p.preferred_channel = 'live_stream') IS TRUE
            OR p.customer_id IN (SELECT customer_id FROM ev
                                 WHERE event_type = 'live_watch' AND event_time >= {T(30)}
                                 GROUP BY customer_id HAVING count(*) >= 2)""")),
        "search_no_buy": (
            "did search at least 2 times in last 30 days and bought not in last 30 days",
            sql(f"""p.customer_id IN (SELECT customer_id FROM ev
                                  WHERE event_type = 'search' AND event_time >= {T(30)}
                                  GROUP BY customer_id HAVING count(*) >= 2)
            AND NOT p.customer_id IN (SELECT customer_id FROM paid WHERE ordered_at >= {T(30)})""")),
        "service_trouble": (
            "did cs_contact in last 30 days and (reviewed rating <= 2 in last 90 days or refunded in last 90 days)",
            sql(f"""p.customer_id IN (SELECT customer_id FROM ev
                                  WHERE event_type = 'cs_contact' AND event_time >= {T(30)})
            AND (p.customer_id IN (SELECT customer_id FROM rv
                                   WHERE rating <= 2 AND created_at >= {T(90)})
                 OR p.customer_id IN (SELECT customer_id FROM refunds
                                      WHERE ordered_at >= {T(90)}))""")),
        "gold_members_no_consent": (
            "member_level in (金卡会员, 钻石会员) and not marketing_consent",
            sql("""p.customer_id IN (SELECT customer_id FROM customers
                                 WHERE member_level IN ('金卡会员', '钻石会员'))
            AND NOT p.customer_id IN (SELECT customer_id FROM customers
                                      WHERE marketing_consent IS TRUE)""")),
        # 女 folds to female
        "young_women": ("gender = 女 and age between 20 and 30", sql(
            "(p.gender = 'female') IS TRUE AND (p.age BETWEEN 20 AND 30) IS TRUE")),
        "dormant_big": (
            "lifecycle = dormant and monetary >= 2000 and last_order_at < 200 days ago",
            sql(f"""(p.lifecycle = 'dormant') IS TRUE
            AND (CAST(p.monetary AS DOUBLE) >= 2000) IS TRUE
            AND (p.last_order_at < {T(200)}) IS TRUE""")),
        "repeat_90d": ("bought at least 2 times in last 90 days excluding new", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid WHERE ordered_at >= {T(90)}
                              GROUP BY customer_id HAVING count(*) >= 2)
            AND p.customer_id IN (SELECT customer_id FROM first_seen WHERE first_seen < {T(90)})""")),
        "first_order_october": ("first_time(order) between 2026-10-01 and 2026-10-31", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid GROUP BY customer_id
                              HAVING min(ordered_at) >= {D('2026-10-01')}
                                 AND min(ordered_at) < {D('2026-11-01')})""")),
        "registered_never_bought": ("registered_at >= 2026-01-01 and not bought ever", sql(f"""
            (p.registered_at >= {D('2026-01-01')}) IS TRUE
            AND NOT p.customer_id IN (SELECT customer_id FROM paid)""")),
        # 加购 is add_to_cart
        "cart_no_checkout": (
            "did 加购 at least 2 times in last 14 days and did not page checkout in last 14 days",
            sql(f"""p.customer_id IN (SELECT customer_id FROM ev
                                  WHERE event_type = 'add_to_cart' AND event_time >= {T(14)}
                                  GROUP BY customer_id HAVING count(*) >= 2)
            AND NOT p.customer_id IN (SELECT customer_id FROM ev
                                      WHERE event_type = 'page_view' AND page = 'checkout'
                                        AND event_time >= {T(14)})""")),
        # 商品详情 is the product page
        "digital_browsers": (
            "did page 商品详情 >= 10 in last 30 days and bought category 数码 in last 180 days",
            sql(f"""p.customer_id IN (SELECT customer_id FROM ev
                                  WHERE event_type = 'page_view' AND page = 'product'
                                    AND event_time >= {T(30)}
                                  GROUP BY customer_id HAVING count(*) >= 10)
            AND p.customer_id IN (SELECT customer_id FROM paid_lines
                                  WHERE category = '数码' AND ordered_at >= {T(180)})""")),
        # 12 months of 30 days
        "数码发烧友": ("spent category 数码 in last 12 months >= 3000", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid_lines
                              WHERE category = '数码' AND ordered_at >= {T(360)}
                              GROUP BY customer_id HAVING sum(line_amount) >= 3000)""")),
        "母婴_since_june": ("bought category 母婴 at least 2 times since 2026-06-01", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid_lines
                              WHERE category = '母婴' AND ordered_at >= {D('2026-06-01')}
                              GROUP BY customer_id HAVING count(DISTINCT order_id) >= 2)""")),
        "double11_2025": ("bought between 2025-11-01 and 2025-11-11", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid
                              WHERE ordered_at >= {D('2025-11-01')}
                                AND ordered_at < {D('2025-11-12')})""")),
        "old_buyers_gone": ("bought before 2025-06-01 and not bought since 2026-05-01", sql(f"""
            p.customer_id IN (SELECT customer_id FROM paid WHERE ordered_at < {D('2025-06-01')})
            AND NOT p.customer_id IN (SELECT customer_id FROM paid
                                      WHERE ordered_at >= {D('2026-05-01')})""")),
        "night_owls": ("active_hour not between 8 and 22", sql(
            "(p.active_hour NOT BETWEEN 8 AND 22) IS TRUE")),
        "unprofiled": ("tag is null or rfm_segment is null", sql(
            "p.tag IS NULL OR p.rfm_segment IS NULL")),
        "beauty_tag": ("tag contains 美妆 and spend_tier != bronze", sql(
            "(strpos(p.tag, '美妆') > 0) IS TRUE AND (p.spend_tier <> 'bronze') IS TRUE")),
        "warning_signals": ("signal_cart_unpaid or signal_negative_review = true", sql(
            "(p.signal_cart_unpaid) IS TRUE OR (p.signal_negative_review = true) IS TRUE")),
        "login_48h": ("did login in last 48 hours", sql(f"""
            p.customer_id IN (SELECT customer_id FROM ev
                              WHERE event_type = 'login' AND event_time >= {T(hours=48)})""")),
        "one_and_done": ("bought exactly 1 times ever and recency_days > 180", sql("""
            p.customer_id IN (SELECT customer_id FROM paid GROUP BY customer_id
                              HAVING count(*) = 1)
            AND (p.recency_days > 180) IS TRUE""")),
        "沉睡唤醒": ("in segment lapsed_login and in segment 江浙沪 and not in segment vip", sql(
            f"{seg('lapsed_login')} AND {seg('江浙沪')} AND NOT {seg('vip')}")),
        "campaign_pool": (
            "in segment 沉睡唤醒 or in segment win_back_target or in segment 加购未付款",
            sql(f"{seg('沉睡唤醒')} OR {seg('win_back_target')} OR {seg('加购未付款')}")),
        "mixed_reviews": (
            "reviewed rating <= 2 at least 2 times ever and reviewed rating >= 4 at least 3 times ever",
            sql("""p.customer_id IN (SELECT customer_id FROM rv WHERE rating <= 2
                                  GROUP BY customer_id HAVING count(*) >= 2)
            AND p.customer_id IN (SELECT customer_id FROM rv WHERE rating >= 4
                                  GROUP BY customer_id HAVING count(*) >= 3)""")),
        "unscored_buyers": ("churn_risk is null and rfm_segment != Hibernating", sql(
            "p.churn_risk IS NULL AND (p.rfm_segment <> 'Hibernating') IS TRUE")),
        "engaged_non_bronze": (
            "not (spend_tier = bronze or lifecycle in (churned, dormant)) and (did video_view in "
            "last 7 days or did share in last 30 days) and not in segment unhappy",
            sql(f"""NOT ((p.spend_tier = 'bronze') IS TRUE
                     OR (p.lifecycle IN ('churned', 'dormant')) IS TRUE)
            AND (p.customer_id IN (SELECT customer_id FROM ev
                                   WHERE event_type = 'video_view' AND event_time >= {T(7)})
                 OR p.customer_id IN (SELECT customer_id FROM ev
                                      WHERE event_type = 'share' AND event_time >= {T(30)}))
            AND NOT {seg('unhappy')}""")),
        # `a 且 非 b || c` is `(a and (not b)) or c`
        "coupon_claimers": (
            "did coupon_claim at least 2 times in last 3 weeks excluding new 且 非 bought with "
            "coupon in last 3 weeks || first_time(page product) >= 2026-10-25",
            sql(f"""(p.customer_id IN (SELECT customer_id FROM ev
                                   WHERE event_type = 'coupon_claim' AND event_time >= {T(21)}
                                   GROUP BY customer_id HAVING count(*) >= 2)
                 AND p.customer_id IN (SELECT customer_id FROM first_seen
                                       WHERE first_seen < {T(21)})
                 AND NOT p.customer_id IN (SELECT customer_id FROM paid
                                           WHERE coupon_used IS TRUE AND ordered_at >= {T(21)}))
            OR p.customer_id IN (SELECT customer_id FROM ev
                                 WHERE event_type = 'page_view' AND page = 'product'
                                 GROUP BY customer_id
                                 HAVING min(event_time) >= {D('2026-10-25')})""")),
    }


def base_views(c, src):
    """The tables as views, each cut at END; customers without an id left out."""
    E = c.E()
    return [
        f"CREATE VIEW profile AS SELECT * FROM read_parquet({src['customer_profile']})",
        f"CREATE VIEW customers AS SELECT * FROM read_parquet({src['customers']})",
        f"""CREATE VIEW ev AS
            SELECT customer_id, event_time, event_type, page FROM read_parquet({src['events']})
            WHERE customer_id IS NOT NULL AND event_time < {E}""",
        f"""CREATE VIEW paid AS
            SELECT order_id, customer_id, ordered_at, paid_amount, coupon_used
            FROM read_parquet({src['orders']})
            WHERE status = 'paid' AND customer_id IS NOT NULL AND ordered_at < {E}""",
        f"""CREATE VIEW refunds AS
            SELECT customer_id, ordered_at FROM read_parquet({src['orders']})
            WHERE status = 'refunded' AND customer_id IS NOT NULL AND ordered_at < {E}""",
        f"""CREATE VIEW paid_lines AS
            SELECT o.customer_id, o.order_id, o.ordered_at, o.coupon_used,
                   i.category, i.brand, i.sku, i.paid_amount AS line_amount
            FROM paid o JOIN read_parquet({src['order_items']}) i ON i.order_id = o.order_id""",
        f"""CREATE VIEW rv AS
            SELECT customer_id, created_at, rating FROM read_parquet({src['reviews']})
            WHERE customer_id IS NOT NULL AND created_at < {E}""",
    ]


FIRST_SEEN = """CREATE TEMP TABLE first_seen AS
    SELECT p.customer_id, least(p.registered_at, p.first_order_at, e.first_event) AS first_seen
    FROM profile p
    LEFT JOIN (SELECT customer_id, min(event_time) AS first_event FROM ev GROUP BY customer_id) e
      ON e.customer_id = p.customer_id"""


def sources(args):
    out = {}
    for t in TABLES:
        if args.parquet:
            files = [os.path.join(args.parquet, f"{t}.parquet")]
        else:
            with open(os.path.join(args.workspace, "manifest.json")) as f:
                m = json.load(f)
            files = [os.path.join(args.workspace, "tables", t, p["file"])
                     for p in m["tables"][t]["parts"]]
        out[t] = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    return out


def read_rules(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            name, rule = line.split("\t", 1)
            rules.append((name, rule))
    return rules


def run_once(c, src, rules, defs, threads):
    """Runs the 50 queries in a fresh connection; (seconds, per-segment seconds, connection)."""
    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {threads}")
    for v in base_views(c, src):
        con.execute(v)
    started = time.perf_counter()
    con.execute(FIRST_SEEN)
    seconds = {}
    for name, _ in rules:
        t = time.perf_counter()
        con.execute(f'CREATE TEMP TABLE "seg:{name}" AS {defs[name][1]}')
        seconds[name] = time.perf_counter() - t
    return time.perf_counter() - started, seconds, con


def latest_order_day(src):
    """The local day of the latest order: the analysis date `strata analyze` defaults to."""
    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    t = con.execute(f"SELECT epoch_us(max(ordered_at)) FROM read_parquet({src['orders']})").fetchone()[0]
    con.close()
    utc = dt.datetime.fromtimestamp(t / 1e6, dt.timezone.utc)
    return utc.astimezone(zoneinfo.ZoneInfo(TZ)).date().isoformat()


def compare(con, rules, strata_csv):
    """Compares with Strata's members inside DuckDB: the first differing segment (in rules
    order) with a few customer ids each way, or None."""
    path = strata_csv.replace("'", "''")
    con.execute(f"""CREATE TEMP TABLE strata AS
        SELECT segment, customer_id FROM read_csv('{path}', header = true, all_varchar = true)""")
    for name, rule in rules:
        q = name.replace("'", "''")
        only_s = [r[0] for r in con.execute(f"""
            SELECT customer_id FROM strata WHERE segment = '{q}'
            EXCEPT SELECT customer_id FROM "seg:{name}" ORDER BY 1""").fetchall()]
        only_d = [r[0] for r in con.execute(f"""
            SELECT customer_id FROM "seg:{name}"
            EXCEPT SELECT customer_id FROM strata WHERE segment = '{q}' ORDER BY 1""").fetchall()]
        dup = con.execute(f"""SELECT count(*) - count(DISTINCT customer_id) FROM strata
                              WHERE segment = '{q}'""").fetchone()[0]
        if only_s or only_d or dup:
            n_s = con.execute(f"SELECT count(*) FROM strata WHERE segment = '{q}'").fetchone()[0]
            n_d = con.execute(f'SELECT count(*) FROM "seg:{name}"').fetchone()[0]
            return {"segment": name, "rule": rule, "strata": n_s, "duckdb": n_d,
                    "duplicates_in_strata": dup,
                    "only_strata_count": len(only_s), "only_strata": only_s[:8],
                    "only_duckdb_count": len(only_d), "only_duckdb": only_d[:8]}
    names = [n for n, _ in rules]
    extra = [r[0] for r in con.execute("SELECT DISTINCT segment FROM strata ORDER BY 1").fetchall()
             if r[0] not in names]
    if extra:
        n_s = con.execute("SELECT count(*) FROM strata WHERE segment = ?", [extra[0]]).fetchone()[0]
        return {"segment": extra[0], "rule": None, "strata": n_s, "duckdb": 0,
                "duplicates_in_strata": 0, "only_strata_count": n_s, "only_strata": [],
                "only_duckdb_count": 0, "only_duckdb": []}
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--parquet", help="folder of <table>.parquet exports")
    g.add_argument("--workspace", help="a Strata workspace: read its Parquet parts")
    ap.add_argument("--as-of", required=True,
                    help="the analysis date (YYYY-MM-DD), or `latest`: the local day of the latest order")
    ap.add_argument("--rules", default=os.path.join(HERE, "rules.tsv"))
    ap.add_argument("--out", help="write the members here (segment<TAB>customer_id)")
    ap.add_argument("--strata", help="Strata's members (CSV: segment,customer_id) to compare")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--quiet", action="store_true", help="no per-segment lines")
    args = ap.parse_args()

    rules = read_rules(args.rules)
    defs = segment_sql(Clock("2026-01-01"))  # only the rule texts, to check rules.tsv
    names = [n for n, _ in rules]
    problems = []
    for name, rule in rules:
        if name not in defs:
            problems.append(f"{name}: in rules.tsv but has no SQL in duck.py")
        elif defs[name][0] != rule:
            problems.append(f"{name}: rules.tsv says {rule!r}, duck.py was written for {defs[name][0]!r}")
    for name in defs:
        if name not in names:
            problems.append(f"{name}: has SQL in duck.py but is not in rules.tsv")
    if problems:
        print("duck.py and rules.tsv disagree:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(2)

    src = sources(args)
    as_of = latest_order_day(src) if args.as_of == "latest" else args.as_of
    c = Clock(as_of)
    defs = segment_sql(c)
    best, con = None, None
    for _ in range(max(1, args.repeats)):
        if con is not None:
            con.close()
        total, seconds, con = run_once(c, src, rules, defs, args.threads)
        if best is None or total < best[0]:
            best = (total, seconds)
    total, seconds = best
    customers = con.execute("SELECT count(*) FROM profile").fetchone()[0]
    counts = {name: con.execute(f'SELECT count(*) FROM "seg:{name}"').fetchone()[0]
              for name, _ in rules}

    if not args.quiet:
        print(f"duckdb: {len(rules)} segments over {customers} customers as of {as_of} "
              f"(end {c.end.isoformat()}): {total:.3f} s")
        for name, _ in rules:
            n = counts[name]
            print(f"  {name:<28} {n:>9} {100.0 * n / max(customers, 1):6.2f}%  {seconds[name]:7.3f} s")
    if args.out:
        union = " UNION ALL ".join(
            "SELECT '" + name.replace("'", "''") + f"' AS segment, customer_id FROM \"seg:{name}\""
            for name, _ in rules)
        out = args.out.replace("'", "''")
        con.execute(f"COPY ({union}) TO '{out}' (HEADER, DELIMITER '\t')")
    result = {"engine": "duckdb", "seconds": round(total, 4), "as_of": as_of,
              "segments": len(rules), "customers": customers, "members": sum(counts.values())}
    status = 0
    if args.strata:
        diff = compare(con, rules, args.strata)
        result["agree"] = diff is None
        if diff:
            status = 1
            result["first_difference"] = diff
            print(f"DIFFERENCE in segment {diff['segment']} ({diff['rule']}): "
                  f"strata {diff['strata']} members, duckdb {diff['duckdb']}"
                  + (f", {diff['duplicates_in_strata']} duplicated in strata"
                     if diff["duplicates_in_strata"] else ""), file=sys.stderr)
            print(f"  only in strata ({diff['only_strata_count']}): {' '.join(diff['only_strata'])}",
                  file=sys.stderr)
            print(f"  only in duckdb ({diff['only_duckdb_count']}): {' '.join(diff['only_duckdb'])}",
                  file=sys.stderr)
        elif not args.quiet:
            print(f"agree: all {len(rules)} segments have the same members in Strata and DuckDB")
    con.close()
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(status)


if __name__ == "__main__":
    main()
