//! The report's sections: each runs its queries and lays out KPIs, charts and tables.

use datafusion::prelude::SessionContext;
use strata_charts::{
    Annotation, BarChart, Block, Cell, Donut, Format, Heatmap, Kpi, Lang, LineChart, Section,
    Series, Table, XYChart, XYSeries, format_value,
};
use strata_features::AnalysisMeta;

use crate::Result;
use crate::i18n::{class_action, label, segment_action, tr};
use crate::query::rows;

/// What every section needs.
pub struct Cx<'a> {
    pub ctx: &'a SessionContext,
    pub meta: &'a AnalysisMeta,
    pub lang: Lang,
}

impl Cx<'_> {
    pub(crate) fn t(&self, zh: &'static str, en: &'static str) -> String {
        tr(self.lang, zh, en).to_string()
    }

    /// Paid orders up to the analysis date, as a SQL condition on `orders`.
    fn paid(&self) -> String {
        format!(
            "(status IS NULL OR status = 'paid') AND ordered_at < to_timestamp_micros({})",
            self.meta.end_us
        )
    }

    fn local(&self, col: &str) -> String {
        format!(
            "({col} AT TIME ZONE '{}')",
            self.meta.timezone.replace('\'', "''")
        )
    }
}

pub(crate) const YUAN: Format = Format::Money {
    symbol: "¥",
    decimals: 0,
};
pub(crate) const PCT: Format = Format::Percent(1);

pub(crate) fn pct(v: f64) -> String {
    format_value(v, PCT)
}

/// Money for a headline: ¥6,155.4万 / ¥61.6M from a million up, exact below.
pub(crate) fn compact_money(lang: Lang, v: f64) -> String {
    if v.abs() < 1e6 {
        return format_value(v, YUAN);
    }
    match lang {
        Lang::Zh if v.abs() >= 1e8 => format!("¥{}亿", format_value(v / 1e8, Format::Decimal(2))),
        Lang::Zh => format!("¥{}万", format_value(v / 1e4, Format::Decimal(1))),
        Lang::En if v.abs() >= 1e9 => format!("¥{}B", format_value(v / 1e9, Format::Decimal(2))),
        Lang::En => format!("¥{}M", format_value(v / 1e6, Format::Decimal(1))),
    }
}

/// Half-width charts for two-column grids.
pub(crate) const HALF: f64 = 480.0;

pub async fn overview(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let k = rows(
        cx.ctx,
        "SELECT count(*), count(*) FILTER (WHERE orders > 0), sum(orders),
                CAST(sum(monetary) AS DOUBLE),
                count(*) FILTER (WHERE orders >= 2),
                CAST(sum(spend_12m) AS DOUBLE)
         FROM customer_profile",
    )
    .await?;
    let (customers, buyers, orders, revenue, repeaters, revenue_12m) = (
        k.first(0)?,
        k.first(1)?,
        k.first(2)?,
        k.first(3)?,
        k.num(4)?[0],
        k.num(5)?[0],
    );
    let kpis = vec![
        Kpi::new(
            cx.t("客户数", "Customers"),
            format_value(customers, Format::Integer),
        )
        .note(format!(
            "{} {}",
            format_value(buyers, Format::Integer),
            cx.t("位有付款订单", "with paid orders")
        )),
        Kpi::new(
            cx.t("订单数", "Paid orders"),
            format_value(orders, Format::Integer),
        )
        .note(format!(
            "{} {:.1}",
            cx.t("人均", "per buyer"),
            orders / buyers.max(1.0)
        )),
        Kpi::new(cx.t("销售额", "Revenue"), compact_money(lang, revenue)).note(format!(
            "{} {}",
            cx.t("近 12 个月", "last 12 months"),
            compact_money(lang, revenue_12m)
        )),
        Kpi::new(
            cx.t("客单价", "Average order value"),
            format_value(
                revenue / orders.max(1.0),
                Format::Money {
                    symbol: "¥",
                    decimals: 1,
                },
            ),
        ),
        Kpi::new(
            cx.t("复购率", "Repeat rate"),
            pct(repeaters / buyers.max(1.0)),
        )
        .note(cx.t("下单 2 次及以上的买家占比", "buyers with 2+ orders")),
    ];

    // Revenue and buyers by quarter, new against returning.
    let local = cx.local("ordered_at");
    let q = rows(
        cx.ctx,
        &format!(
            "WITH o AS (
               SELECT customer_id, CAST(paid_amount AS DOUBLE) AS amount,
                      CAST(date_part('year', {local}) AS BIGINT) * 10
                        + CAST(date_part('quarter', {local}) AS BIGINT) AS q
               FROM orders WHERE {paid}),
             f AS (SELECT customer_id, min(q) AS fq FROM o GROUP BY customer_id),
             b AS (SELECT DISTINCT o.customer_id, o.q, f.fq FROM o JOIN f USING (customer_id)),
             n AS (SELECT q, count(*) FILTER (WHERE q = fq) AS new_buyers,
                          count(*) FILTER (WHERE q > fq) AS returning FROM b GROUP BY q),
             r AS (SELECT q, sum(amount) AS revenue, count(*) AS orders FROM o GROUP BY q)
             SELECT r.q, r.revenue, r.orders, n.new_buyers, n.returning
             FROM r JOIN n USING (q) ORDER BY r.q",
            paid = cx.paid()
        ),
    )
    .await?;
    let quarters: Vec<String> = q
        .num(0)?
        .iter()
        .map(|&v| {
            let v = v as i64;
            format!("{}Q{}", v / 10, v % 10)
        })
        .collect();
    let partial = match lang {
        Lang::Zh => format!("最后一个季度截至分析日 {}。", cx.meta.as_of),
        Lang::En => format!(
            "The last quarter runs to the analysis date, {}.",
            cx.meta.as_of
        ),
    };
    let revenue_chart = BarChart {
        title: cx.t("季度销售额", "Revenue by quarter"),
        categories: quarters.clone(),
        series: vec![Series::new(cx.t("销售额", "Revenue"), q.num(1)?)],
        format: YUAN,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let buyers_chart = BarChart {
        title: cx.t(
            "季度买家：新客与老客",
            "Buyers by quarter: new and returning",
        ),
        categories: quarters,
        series: vec![
            Series::new(
                cx.t("新客（首单在本季度）", "New (first order this quarter)"),
                q.num(3)?,
            ),
            Series::new(cx.t("老客", "Returning"), q.num(4)?),
        ],
        stacked: true,
        width: HALF,
        lang,
        ..BarChart::default()
    };

    // Where customers are.
    let regions = rows(
        cx.ctx,
        "SELECT coalesce(province, ''), count(*), CAST(sum(monetary) AS DOUBLE)
         FROM customer_profile WHERE orders > 0
         GROUP BY 1 ORDER BY 2 DESC LIMIT 12",
    )
    .await?;
    let region_chart = BarChart {
        title: cx.t(
            "客户最多的省份（前 12）",
            "Provinces with most buyers (top 12)",
        ),
        categories: regions.text(0)?.iter().map(|r| label(lang, r)).collect(),
        series: vec![Series::new(cx.t("买家", "Buyers"), regions.num(1)?)],
        horizontal: true,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let tiers = rows(
        cx.ctx,
        "SELECT coalesce(city_tier, ''), count(*) FROM customer_profile WHERE orders > 0
         GROUP BY 1 ORDER BY 2 DESC",
    )
    .await?;
    let tier_chart = Donut {
        title: cx.t("城市线级", "City tiers"),
        slices: slices(lang, &tiers.text(0)?, &tiers.num(1)?),
        width: HALF,
        lang,
        ..Donut::default()
    };

    // Devices and channels, from orders.
    let by = |col: &str| {
        format!(
            "SELECT coalesce({col}, ''), count(*), avg(CAST(paid_amount AS DOUBLE)),
                    sum(CAST(paid_amount AS DOUBLE))
             FROM orders WHERE {} GROUP BY 1 ORDER BY 2 DESC",
            cx.paid()
        )
    };
    let devices = rows(cx.ctx, &by("device")).await?;
    let device_chart = Donut {
        title: cx.t("下单设备（订单占比）", "Devices (share of orders)"),
        slices: slices(lang, &devices.text(0)?, &devices.num(1)?),
        width: HALF,
        lang,
        ..Donut::default()
    };
    let channels = rows(cx.ctx, &by("channel")).await?;
    let channel_names: Vec<String> = channels.text(0)?.iter().map(|c| label(lang, c)).collect();
    let channel_share = Donut {
        title: cx.t("渠道（订单占比）", "Channels (share of orders)"),
        slices: channel_names
            .iter()
            .cloned()
            .zip(channels.num(1)?)
            .collect(),
        width: HALF,
        lang,
        ..Donut::default()
    };
    let channel_aov = BarChart {
        title: cx.t("各渠道客单价", "Average order value by channel"),
        categories: channel_names,
        series: vec![Series::new(
            cx.t("客单价", "Average order value"),
            channels.num(2)?,
        )],
        horizontal: true,
        format: YUAN,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let aov = channels.num(2)?;
    let names = channels.text(0)?;
    let callout = best_and_worst(&names, &aov).map(|((hi, hv), (lo, lv))| match lang {
        Lang::Zh => format!(
            "{}渠道客单价最高（{}），{}最低（{}），相差 {}。",
            label(lang, hi),
            format_value(hv, YUAN),
            label(lang, lo),
            format_value(lv, YUAN),
            pct(hv / lv - 1.0)
        ),
        Lang::En => format!(
            "{} orders are the largest ({} on average), {} the smallest ({}): {} apart.",
            label(lang, hi),
            format_value(hv, YUAN),
            label(lang, lo),
            format_value(lv, YUAN),
            pct(hv / lv - 1.0)
        ),
    });

    let mut s = Section::new("overview", cx.t("概览", "Overview"))
        .with(Block::Kpis(kpis))
        .with(Block::Grid(vec![
            Block::chart_with_caption(revenue_chart.to_svg(), partial.clone()),
            Block::chart_with_caption(buyers_chart.to_svg(), partial),
            Block::chart(region_chart.to_svg()),
            Block::chart(tier_chart.to_svg()),
            Block::chart(device_chart.to_svg()),
            Block::chart(channel_share.to_svg()),
        ]))
        .with(Block::chart(channel_aov.to_svg()));
    if let Some(c) = callout {
        s = s.with(Block::Callout(c));
    }
    Ok(s)
}

/// Donut slices with translated labels.
fn slices(lang: Lang, names: &[String], values: &[f64]) -> Vec<(String, f64)> {
    names
        .iter()
        .map(|n| label(lang, n))
        .zip(values.iter().copied())
        .collect()
}

/// A name and its value.
type Named<'a> = (&'a str, f64);

fn best_and_worst<'a>(names: &'a [String], values: &[f64]) -> Option<(Named<'a>, Named<'a>)> {
    let mut items: Vec<(&str, f64)> = names
        .iter()
        .map(String::as_str)
        .zip(values.iter().copied())
        .filter(|(n, v)| !n.is_empty() && v.is_finite() && *v > 0.0)
        .collect();
    if items.len() < 2 {
        return None;
    }
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    Some((items[0], items[items.len() - 1]))
}

/// Shares of customers and revenue by one column of the customer table.
struct Split {
    names: Vec<String>,
    customers: Vec<f64>,
    customer_share: Vec<f64>,
    revenue_share: Vec<f64>,
    avg_monetary: Vec<f64>,
    avg_recency: Vec<f64>,
    avg_orders: Vec<f64>,
}

async fn split(cx: &Cx<'_>, col: &str, order: &[&str]) -> Result<Split> {
    let r = rows(
        cx.ctx,
        &format!(
            "SELECT coalesce({col}, ''), count(*),
                    CAST(count(*) AS DOUBLE) / sum(count(*)) OVER (),
                    sum(CAST(monetary AS DOUBLE)) / sum(sum(CAST(monetary AS DOUBLE))) OVER (),
                    avg(CAST(monetary AS DOUBLE)), avg(recency_days), avg(orders)
             FROM customer_profile WHERE orders > 0 GROUP BY 1"
        ),
    )
    .await?;
    let names = r.text(0)?;
    let mut idx: Vec<usize> = (0..names.len()).collect();
    let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
    let customers = r.num(1)?;
    idx.sort_by(|&a, &b| {
        rank(&names[a])
            .cmp(&rank(&names[b]))
            .then(customers[b].total_cmp(&customers[a]))
    });
    let pick = |v: Vec<f64>| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    Ok(Split {
        names: idx.iter().map(|&i| names[i].clone()).collect(),
        customers: pick(customers.clone()),
        customer_share: pick(r.num(2)?),
        revenue_share: pick(r.num(3)?),
        avg_monetary: pick(r.num(4)?),
        avg_recency: pick(r.num(5)?),
        avg_orders: pick(r.num(6)?),
    })
}

/// A split as a table of buyers, shares of buyers and revenue, spend per buyer (and mean days
/// since the last order) and what to do for each group.
fn action_table(
    cx: &Cx<'_>,
    s: &Split,
    head: String,
    action_head: String,
    action: fn(Lang, &str) -> &'static str,
    with_recency: bool,
) -> Table {
    let mut headers = vec![
        head,
        cx.t("客户数", "Buyers"),
        cx.t("客户占比", "Share of buyers"),
        cx.t("销售额占比", "Share of revenue"),
        cx.t("人均消费", "Spend per buyer"),
    ];
    if with_recency {
        headers.push(cx.t("平均距今天数", "Mean days since last order"));
    }
    headers.push(action_head);
    let rows = (0..s.names.len())
        .map(|i| {
            let mut row = vec![
                Cell::text(label(cx.lang, &s.names[i])),
                Cell::Number(s.customers[i], Format::Integer),
                Cell::Bar(s.customer_share[i], PCT),
                Cell::Bar(s.revenue_share[i], PCT),
                Cell::Number(s.avg_monetary[i], YUAN),
            ];
            if with_recency {
                row.push(Cell::Number(s.avg_recency[i], Format::Decimal(0)));
            }
            row.push(Cell::text(action(cx.lang, &s.names[i])));
            row
        })
        .collect();
    Table {
        headers,
        rows,
        caption: None,
    }
}

/// The customer-share against revenue-share chart of a split.
fn share_chart(cx: &Cx<'_>, title: String, s: &Split, width: f64) -> BarChart {
    BarChart {
        title,
        categories: s.names.iter().map(|n| label(cx.lang, n)).collect(),
        series: vec![
            Series::new(
                cx.t("客户占比", "Share of buyers"),
                s.customer_share.clone(),
            ),
            Series::new(
                cx.t("销售额占比", "Share of revenue"),
                s.revenue_share.clone(),
            ),
        ],
        horizontal: true,
        format: PCT,
        width,
        lang: cx.lang,
        ..BarChart::default()
    }
}

pub async fn value(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    // RFM heat maps: rows R 5 (recent) to 1, columns F 1 to 5.
    let h = rows(
        cx.ctx,
        "SELECT r_score, f_score, count(*), avg(CAST(monetary AS DOUBLE))
         FROM customer_profile WHERE r_score IS NOT NULL GROUP BY 1, 2",
    )
    .await?;
    let mut counts = vec![vec![None; 5]; 5];
    let mut money = vec![vec![None; 5]; 5];
    let (rs, fs, ns, ms) = (h.num(0)?, h.num(1)?, h.num(2)?, h.num(3)?);
    for i in 0..rs.len() {
        let (r, f) = (rs[i] as usize, fs[i] as usize);
        if (1..=5).contains(&r) && (1..=5).contains(&f) {
            counts[5 - r][f - 1] = Some(ns[i]);
            money[5 - r][f - 1] = Some(ms[i]);
        }
    }
    let ylabels: Vec<String> = (1..=5).rev().map(|r| format!("R{r}")).collect();
    let xlabels: Vec<String> = (1..=5).map(|f| format!("F{f}")).collect();
    let heat_counts = Heatmap {
        title: cx.t(
            "RFM 分布：客户数（R 近度 × F 频次）",
            "RFM: buyers by recency and frequency score",
        ),
        x_labels: xlabels.clone(),
        y_labels: ylabels.clone(),
        values: counts,
        format: Format::Integer,
        x_title: Some(cx.t("F 频次得分 →", "Frequency score →")),
        y_title: Some(cx.t("R 近度得分（5 = 最近）", "Recency score (5 = most recent)")),
        cell_text: true,
        width: HALF,
        lang,
        ..Heatmap::default()
    };
    let heat_money = Heatmap {
        title: cx.t("RFM 分布：人均消费", "RFM: average spend per buyer"),
        x_labels: xlabels,
        y_labels: ylabels,
        values: money,
        format: YUAN,
        x_title: Some(cx.t("F 频次得分 →", "Frequency score →")),
        y_title: Some(cx.t("R 近度得分（5 = 最近）", "Recency score (5 = most recent)")),
        cell_text: true,
        width: HALF,
        lang,
        ..Heatmap::default()
    };

    let segs = split(cx, "rfm_segment", &strata_features::segment::RFM_SEGMENTS).await?;
    let seg_table = action_table(
        cx,
        &segs,
        cx.t("RFM 分群", "RFM segment"),
        cx.t("建议动作", "Recommended action"),
        segment_action,
        true,
    );

    let classes = split(cx, "rfm_class", &strata_features::segment::RFM_CLASSES).await?;
    let class_table = action_table(
        cx,
        &classes,
        cx.t("八类客户", "Eight-type class"),
        cx.t("运营策略", "Strategy"),
        class_action,
        false,
    );

    // The reports' rule segments, against the figures the reports found.
    let rules = split(cx, "rule_segment", &["loyal", "potential_churn", "regular"]).await?;
    let rule = |name: &str| {
        rules
            .names
            .iter()
            .position(|n| n == name)
            .map(|i| (rules.customer_share[i], rules.revenue_share[i]))
            .unwrap_or((0.0, 0.0))
    };
    let (loyal_c, loyal_r) = rule("loyal");
    let (churn_c, churn_r) = rule("potential_churn");
    let r = &cx.meta.config.rules;
    let rule_text = match lang {
        Lang::Zh => format!(
            "忠诚客户（近 {} 天内购买、至少 {} 单、累计消费至少 ¥{}）占买家的 {}，贡献 {} 的销售额（行业报告：8% 的客户贡献 40%）。潜在流失客户（超过 {} 天未购、不超过 {} 单、累计不足 ¥{}）占 {}（报告：25%），只贡献 {} 的销售额。",
            r.loyal_max_recency_days,
            r.loyal_min_orders,
            r.loyal_min_monetary,
            pct(loyal_c),
            pct(loyal_r),
            r.churn_min_recency_days,
            r.churn_max_orders,
            r.churn_max_monetary,
            pct(churn_c),
            pct(churn_r)
        ),
        Lang::En => format!(
            "Loyal customers (bought in the last {} days, at least {} orders and ¥{} in all) are {} of buyers and bring {} of revenue (the industry report: 8% bring 40%). Potential churners (nothing for over {} days, at most {} orders, under ¥{} in all) are {} (report: 25%) and bring {}.",
            r.loyal_max_recency_days,
            r.loyal_min_orders,
            r.loyal_min_monetary,
            pct(loyal_c),
            pct(loyal_r),
            r.churn_min_recency_days,
            r.churn_max_orders,
            r.churn_max_monetary,
            pct(churn_c),
            pct(churn_r)
        ),
    };

    let tiers = split(cx, "spend_tier", &strata_features::segment::TIERS).await?;
    let tier_chart = share_chart(
        cx,
        cx.t(
            "消费等级（近 12 个月消费）",
            "Spending tiers (last 12 months)",
        ),
        &tiers,
        HALF,
    );
    let tier_table = Table {
        headers: vec![
            cx.t("等级", "Tier"),
            cx.t("客户数", "Buyers"),
            cx.t("客户占比", "Share of buyers"),
            cx.t("销售额占比", "Share of revenue"),
            cx.t("平均订单数", "Mean orders"),
        ],
        rows: (0..tiers.names.len())
            .map(|i| {
                vec![
                    Cell::text(label(lang, &tiers.names[i])),
                    Cell::Number(tiers.customers[i], Format::Integer),
                    Cell::Number(tiers.customer_share[i], PCT),
                    Cell::Number(tiers.revenue_share[i], PCT),
                    Cell::Number(tiers.avg_orders[i], Format::Decimal(1)),
                ]
            })
            .collect(),
        caption: None,
    };

    // Revenue concentration: the Lorenz curve of spend, largest buyers first.
    let m = rows(
        cx.ctx,
        "SELECT CAST(monetary AS DOUBLE) FROM customer_profile WHERE orders > 0",
    )
    .await?;
    let mut spend = m.num(0)?;
    spend.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = spend.iter().sum();
    let n = spend.len();
    let mut points = vec![(0.0, 0.0)];
    let mut acc = 0.0;
    let step = (n / 200).max(1);
    for (i, v) in spend.iter().enumerate() {
        acc += v;
        if (i + 1) % step == 0 || i + 1 == n {
            points.push((
                (i + 1) as f64 / n as f64,
                acc / total.max(f64::MIN_POSITIVE),
            ));
        }
    }
    let top20 = share_of_top(&spend, 0.2);
    let lorenz = XYChart {
        title: cx.t("销售额集中度", "Revenue concentration"),
        series: vec![XYSeries::new(
            cx.t("累计销售额占比", "Cumulative share of revenue"),
            points,
        )],
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some(cx.t(
            "买家（按消费从高到低）累计占比",
            "Share of buyers, biggest spenders first",
        )),
        y_label: Some(cx.t("累计销售额占比", "Share of revenue")),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some(cx.t("完全平均", "Equal spend")),
        area: true,
        annotations: vec![Annotation::new(
            0.2,
            top20,
            match lang {
                Lang::Zh => format!("前 20% 买家 → {}", pct(top20)),
                Lang::En => format!("top 20% → {}", pct(top20)),
            },
        )],
        width: HALF,
        lang,
        ..XYChart::default()
    };
    let concentration = match lang {
        Lang::Zh => format!(
            "消费最高的 20% 买家贡献了 {} 的销售额（行业报告：68%），前 5% 贡献 {}。",
            pct(top20),
            pct(share_of_top(&spend, 0.05))
        ),
        Lang::En => format!(
            "The top 20% of buyers bring {} of revenue (the industry report: 68%); the top 5% bring {}.",
            pct(top20),
            pct(share_of_top(&spend, 0.05))
        ),
    };

    Ok(Section::new("value", cx.t("客户价值与分层", "Value and tiers"))
        .with(Block::Paragraph(cx.t(
            "RFM 用三个数字给每位买家打分：R 近度（距上次购买的天数）、F 频次（订单数）、M 金额（累计消费），各 1–5 分。",
            "RFM scores each buyer on three numbers, 1 to 5 each: recency (days since the last order), frequency (orders) and monetary value (total spend).",
        )))
        .with(Block::Grid(vec![
            Block::chart(heat_counts.to_svg()),
            Block::chart(heat_money.to_svg()),
        ]))
        .with(Block::Heading(cx.t("RFM 分群与建议动作", "RFM segments and what to do")))
        .with(Block::Table(seg_table))
        .with(Block::Heading(cx.t("RFM 八类客户", "The eight-type scheme")))
        .with(Block::Table(class_table))
        .with(Block::Heading(cx.t("规则分群", "Rule segments")))
        .with(Block::Callout(rule_text))
        .with(Block::Heading(cx.t("消费等级与集中度", "Tiers and concentration")))
        .with(Block::Grid(vec![
            Block::chart(tier_chart.to_svg()),
            Block::chart(lorenz.to_svg()),
        ]))
        .with(Block::Table(tier_table))
        .with(Block::Callout(concentration)))
}

/// Share of the total that the largest `q` of values bring (values sorted descending).
fn share_of_top(sorted_desc: &[f64], q: f64) -> f64 {
    let total: f64 = sorted_desc.iter().sum();
    if total <= 0.0 || sorted_desc.is_empty() {
        return 0.0;
    }
    let k = ((sorted_desc.len() as f64 * q).round() as usize).max(1);
    sorted_desc[..k.min(sorted_desc.len())].iter().sum::<f64>() / total
}

/// Lifetime value: the model, CLV by segment and tier, the P(alive) map and the holdout check.
pub async fn lifetime_value(cx: &Cx<'_>) -> Result<Option<Section>> {
    let lang = cx.lang;
    let Some(v) = cx.meta.value.as_ref() else {
        return Ok(None);
    };
    let mut s = Section::new("clv", cx.t("客户终身价值", "Lifetime value"));
    if let Some(why) = &v.skipped {
        return Ok(Some(s.with(Block::Callout(match lang {
            Lang::Zh => format!("未计算终身价值：{why}"),
            Lang::En => format!("No lifetime value: {why}"),
        }))));
    }
    let k = rows(
        cx.ctx,
        "SELECT sum(clv_12m), avg(clv_12m), avg(p_alive),
                CAST(count(*) FILTER (WHERE p_alive < 0.5) AS DOUBLE) / count(*),
                sum(expected_purchases_365d)
         FROM customer_profile WHERE p_alive IS NOT NULL",
    )
    .await?;
    let chosen = v
        .candidates
        .iter()
        .find(|c| c.model == v.model)
        .map(|c| c.bic)
        .unwrap_or(f64::NAN);
    let mut kpis = vec![
        Kpi::new(
            cx.t("未来 12 个月预测价值", "Predicted value, next 12 months"),
            compact_money(lang, k.first(0)?),
        )
        .note(format!(
            "{} {}",
            cx.t("人均", "per buyer"),
            format_value(k.first(1)?, YUAN)
        )),
        Kpi::new(cx.t("平均活跃概率", "Mean P(alive)"), pct(k.first(2)?)).note(format!(
            "{} {}",
            pct(k.first(3)?),
            cx.t("的买家低于 50%", "of buyers below 50%")
        )),
        Kpi::new(cx.t("购买模型", "Purchase model"), v.model.clone())
            .note(format!("BIC {}", format_value(chosen, Format::Integer))),
    ];
    if let Some(h) = &v.holdout {
        kpis.push(
            Kpi::new(
                cx.t("留出期预测误差", "Holdout error"),
                if h.actual_total > 0.0 {
                    format!(
                        "{:+.1}%",
                        100.0 * (h.predicted_total / h.actual_total - 1.0)
                    )
                } else {
                    "—".to_string()
                },
            )
            .note(match lang {
                Lang::Zh => format!(
                    "预测 {:.0} 次 / 实际 {:.0} 次",
                    h.predicted_total, h.actual_total
                ),
                Lang::En => format!(
                    "{:.0} predicted / {:.0} actual",
                    h.predicted_total, h.actual_total
                ),
            }),
        );
    }
    s = s.with(Block::Kpis(kpis));

    let by = |col: &str| {
        format!(
            "SELECT coalesce({col}, ''), count(*), avg(p_alive), avg(expected_purchases_365d),
                    avg(clv_12m), sum(clv_12m) / sum(sum(clv_12m)) OVER ()
             FROM customer_profile WHERE p_alive IS NOT NULL GROUP BY 1 ORDER BY 5 DESC"
        )
    };
    let table_of = |r: &crate::query::Rows, head: String| -> Result<Table> {
        let (names, n, pa, e, clv, share) = (
            r.text(0)?,
            r.num(1)?,
            r.num(2)?,
            r.num(3)?,
            r.num(4)?,
            r.num(5)?,
        );
        Ok(Table {
            headers: vec![
                head,
                cx.t("买家", "Buyers"),
                cx.t("平均活跃概率", "Mean P(alive)"),
                cx.t("预计 12 个月购买天数", "Expected purchase days, 12 months"),
                cx.t("人均 12 个月价值", "12-month value per buyer"),
                cx.t("价值占比", "Share of value"),
            ],
            rows: (0..names.len())
                .map(|i| {
                    vec![
                        Cell::text(label(lang, &names[i])),
                        Cell::Number(n[i], Format::Integer),
                        Cell::Number(pa[i], PCT),
                        Cell::Number(e[i], Format::Decimal(1)),
                        Cell::Number(clv[i], YUAN),
                        Cell::Bar(share[i], PCT),
                    ]
                })
                .collect(),
            caption: None,
        })
    };
    let seg = rows(cx.ctx, &by("rfm_segment")).await?;
    let tier = rows(cx.ctx, &by("spend_tier")).await?;

    // P(alive) by orders and days since the last order.
    let m = rows(
        cx.ctx,
        "SELECT CASE WHEN orders = 1 THEN 0 WHEN orders = 2 THEN 1 WHEN orders = 3 THEN 2
                     WHEN orders <= 5 THEN 3 WHEN orders <= 9 THEN 4 ELSE 5 END AS fb,
                CASE WHEN recency_days <= 30 THEN 0 WHEN recency_days <= 90 THEN 1
                     WHEN recency_days <= 180 THEN 2 WHEN recency_days <= 365 THEN 3 ELSE 4 END AS rb,
                avg(p_alive)
         FROM customer_profile WHERE p_alive IS NOT NULL GROUP BY 1, 2",
    )
    .await?;
    let mut grid = vec![vec![None; 6]; 5];
    for ((f, r), p) in m.num(0)?.iter().zip(m.num(1)?).zip(m.num(2)?) {
        grid[r as usize][*f as usize] = Some(p);
    }
    let alive_map = Heatmap {
        title: cx.t(
            "活跃概率：按订单数与距今天数",
            "P(alive) by orders and days since the last order",
        ),
        x_labels: ["1", "2", "3", "4–5", "6–9", "10+"]
            .map(String::from)
            .to_vec(),
        y_labels: match lang {
            Lang::Zh => ["≤30 天", "31–90 天", "91–180 天", "181–365 天", ">365 天"],
            Lang::En => ["≤30 days", "31–90", "91–180", "181–365", ">365"],
        }
        .map(String::from)
        .to_vec(),
        values: grid,
        format: Format::Percent(0),
        x_title: Some(cx.t("订单数", "Orders")),
        y_title: Some(cx.t("距上次购买", "Since the last order")),
        cell_text: true,
        color_range: Some((0.0, 1.0)),
        width: HALF,
        lang,
        ..Heatmap::default()
    };
    s = s
        .with(Block::Heading(cx.t("按 RFM 分群", "By RFM segment")))
        .with(Block::Table(table_of(
            &seg,
            cx.t("RFM 分群", "RFM segment"),
        )?))
        .with(Block::Heading(cx.t("按消费等级", "By spending tier")))
        .with(Block::Table(table_of(&tier, cx.t("等级", "Tier"))?));

    let mut grid_blocks = vec![Block::chart(alive_map.to_svg())];
    if let Some(h) = &v.holdout {
        let tracking = LineChart {
            title: match lang {
                Lang::Zh => format!("留出期检验：累计复购天数（{} 之后）", h.calibration_end),
                Lang::En => format!(
                    "Holdout check: cumulative purchase days after {}",
                    h.calibration_end
                ),
            },
            x_labels: h.cumulative.iter().map(|c| format!("{}", c.0)).collect(),
            series: vec![
                Series::new(
                    cx.t("实际", "Actual"),
                    h.cumulative.iter().map(|c| c.1).collect(),
                ),
                Series::new(
                    cx.t("模型预测", "Predicted"),
                    h.cumulative.iter().map(|c| c.2).collect(),
                ),
            ],
            x_label: Some(cx.t("周", "Week")),
            y_min_zero: true,
            width: HALF,
            lang,
            ..LineChart::default()
        };
        grid_blocks.push(Block::chart(tracking.to_svg()));
        let by_freq = BarChart {
            title: cx.t(
                "留出期人均购买天数：按校准期复购次数",
                "Holdout purchase days by calibration repeats",
            ),
            categories: h.by_frequency.iter().map(|b| b.frequency.clone()).collect(),
            series: vec![
                Series::new(
                    cx.t("实际", "Actual"),
                    h.by_frequency.iter().map(|b| b.actual).collect(),
                ),
                Series::new(
                    cx.t("模型预测", "Predicted"),
                    h.by_frequency.iter().map(|b| b.predicted).collect(),
                ),
            ],
            format: Format::Decimal(1),
            width: HALF,
            lang,
            ..BarChart::default()
        };
        grid_blocks.push(Block::chart(by_freq.to_svg()));
        let gap = if h.actual_total > 0.0 {
            h.predicted_total / h.actual_total - 1.0
        } else {
            0.0
        };
        let note = match lang {
            Lang::Zh => format!(
                "模型在 {} 之前的数据上拟合，预测之后 {:.0} 天的购买天数：预测 {:.0}、实际 {:.0}（{:+.1}%），人均绝对误差 {:.2}。{}",
                h.calibration_end,
                h.holdout_days,
                h.predicted_total,
                h.actual_total,
                100.0 * gap,
                h.mae,
                if gap.abs() > 0.1 {
                    "BTYD（“购买直至流失”）模型不含季节性：留出期若含大促，实际会高于预测，预测宜看作平日基线。"
                } else {
                    ""
                }
            ),
            Lang::En => format!(
                "Fitted on the data before {}, the model predicted the next {:.0} days' purchase days: {:.0} predicted, {:.0} actual ({:+.1}%), mean absolute error {:.2} per customer. {}",
                h.calibration_end,
                h.holdout_days,
                h.predicted_total,
                h.actual_total,
                100.0 * gap,
                h.mae,
                if gap.abs() > 0.1 {
                    "Buy-till-you-die models have no seasonality: when the holdout holds big promotions, actual purchases run above the prediction, which is best read as an ordinary-days baseline."
                } else {
                    ""
                }
            ),
        };
        s = s
            .with(Block::Heading(
                cx.t("活跃概率与模型检验", "P(alive) and the model check"),
            ))
            .with(Block::Grid(grid_blocks))
            .with(Block::Callout(note));
    } else {
        s = s.with(Block::Grid(grid_blocks));
    }
    Ok(Some(s))
}

pub async fn types_and_lifecycle(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let types = split(cx, "customer_type", &strata_features::segment::TYPES).await?;
    let extra = rows(
        cx.ctx,
        "SELECT coalesce(customer_type, ''), avg(coupon_rate), avg(festival_share),
                avg(top_brand_share), avg(avg_order_value)
         FROM customer_profile WHERE orders > 0 GROUP BY 1",
    )
    .await?;
    let extra_names = extra.text(0)?;
    let (coupon, festival, brand, aov) =
        (extra.num(1)?, extra.num(2)?, extra.num(3)?, extra.num(4)?);
    let at = |name: &str| extra_names.iter().position(|n| n == name);
    let type_table = Table {
        headers: vec![
            cx.t("客户类型", "Customer type"),
            cx.t("客户占比", "Share of buyers"),
            cx.t("销售额占比", "Share of revenue"),
            cx.t("用券订单", "Coupon orders"),
            cx.t("大促订单", "Festival orders"),
            cx.t("首选品牌占比", "Top brand"),
            cx.t("客单价", "AOV"),
        ],
        rows: (0..types.names.len())
            .map(|i| {
                let j = at(&types.names[i]);
                let v = |col: &Vec<f64>| j.map_or(f64::NAN, |j| col[j]);
                vec![
                    Cell::text(label(lang, &types.names[i])),
                    Cell::Bar(types.customer_share[i], PCT),
                    Cell::Bar(types.revenue_share[i], PCT),
                    Cell::Number(v(&coupon), PCT),
                    Cell::Number(v(&festival), PCT),
                    Cell::Number(v(&brand), PCT),
                    Cell::Number(v(&aov), YUAN),
                ]
            })
            .collect(),
        caption: Some(cx.t(
            "行业报告：品牌忠诚型 15%、价格敏感型 45%（78% 的订单用券）、场景驱动型 40%。",
            "The industry report: brand-loyal 15%, price-sensitive 45% (coupons on 78% of orders), scenario-driven 40%.",
        )),
    };
    let type_donut = Donut {
        title: cx.t("客户类型", "Customer types"),
        slices: types
            .names
            .iter()
            .map(|n| label(lang, n))
            .zip(types.customers.iter().copied())
            .collect(),
        width: HALF,
        lang,
        ..Donut::default()
    };
    let stages = rows(
        cx.ctx,
        "SELECT lifecycle, count(*) FROM customer_profile GROUP BY 1",
    )
    .await?;
    let (stage_names, stage_counts) = (stages.text(0)?, stages.num(1)?);
    let ordered: Vec<(String, f64)> = strata_features::segment::STAGES
        .iter()
        .filter_map(|s| {
            stage_names
                .iter()
                .position(|n| n == s)
                .map(|i| (label(lang, s), stage_counts[i]))
        })
        .collect();
    let stage_chart = BarChart {
        title: cx.t("生命周期阶段", "Lifecycle stages"),
        categories: ordered.iter().map(|(n, _)| n.clone()).collect(),
        series: vec![Series::new(
            cx.t("客户数", "Customers"),
            ordered.iter().map(|(_, v)| *v).collect(),
        )],
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let channels = split(cx, "preferred_channel", &[]).await?;
    let channel_chart = share_chart(
        cx,
        cx.t(
            "首选渠道：客户与销售额占比",
            "Preferred channel: buyers and revenue",
        ),
        &channels,
        HALF,
    );
    let hours = rows(
        cx.ctx,
        "SELECT active_hour, count(*) FROM customer_profile
         WHERE active_hour IS NOT NULL GROUP BY 1 ORDER BY 1",
    )
    .await?;
    let mut per_hour = vec![0.0; 24];
    for (h, n) in hours.num(0)?.iter().zip(hours.num(1)?) {
        if (0.0..24.0).contains(h) {
            per_hour[*h as usize] = n;
        }
    }
    let hour_chart = BarChart {
        title: cx.t(
            "最活跃的下单时段（买家数）",
            "Most active ordering hour (buyers)",
        ),
        categories: (0..24).map(|h| format!("{h}")).collect(),
        series: vec![Series::new(cx.t("买家", "Buyers"), per_hour)],
        width: HALF,
        value_labels: Some(false),
        lang,
        ..BarChart::default()
    };
    Ok(
        Section::new("types", cx.t("客户类型与生命周期", "Types and lifecycle"))
            .with(Block::Grid(vec![
                Block::chart(type_donut.to_svg()),
                Block::chart(stage_chart.to_svg()),
            ]))
            .with(Block::Table(type_table))
            .with(Block::Grid(vec![
                Block::chart(channel_chart.to_svg()),
                Block::chart(hour_chart.to_svg()),
            ])),
    )
}

pub async fn methods(cx: &Cx<'_>) -> Result<Section> {
    let m = cx.meta;
    let c = &m.config;
    let lang = cx.lang;
    let cuts = |k: usize, f: Format| {
        m.rfm_cuts[k]
            .iter()
            .map(|&v| format_value(v, f))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let method = match c.rfm.method {
        strata_features::config::RfmMethod::Quantile => cx.t(
            "按买家自身数值的五分位切分（下分位数：排序后第 floor(q·(n−1)) 个值），并列值同分",
            "quintiles of the buyers' own values (lower quantiles: the value at floor(q·(n−1)) when sorted); ties share a score",
        ),
        strata_features::config::RfmMethod::Fixed => {
            cx.t("按 strata.toml 中的固定切分点", "fixed cut points from strata.toml")
        }
    };
    let rows_: Vec<(String, String)> = vec![
        (
            cx.t("分析日期", "Analysis date"),
            match lang {
                Lang::Zh => format!("{}（之后的订单不计入；时区 {}）", m.as_of, m.timezone),
                Lang::En => format!("{} (later orders are ignored; time zone {})", m.as_of, m.timezone),
            },
        ),
        (
            cx.t("购买", "Purchase"),
            cx.t(
                "状态为已付款（或未注明状态）的订单；退款、取消、待付款订单不算购买，退款单独计数",
                "an order with status paid (or no status); refunded, cancelled and pending orders are not purchases, refunds are counted apart",
            ),
        ),
        (
            cx.t("R / F / M", "R / F / M"),
            cx.t(
                "R：距分析日结束的天数；F：付款订单数；M：付款金额合计",
                "R: days from the last paid order to the end of the analysis date; F: paid orders; M: total paid",
            ),
        ),
        (cx.t("RFM 打分方法", "RFM scoring"), method),
        (
            cx.t("R 切分点（天）", "R cut points (days)"),
            cuts(0, Format::Decimal(1)),
        ),
        (cx.t("F 切分点（单）", "F cut points (orders)"), cuts(1, Format::Decimal(0))),
        (cx.t("M 切分点", "M cut points"), cuts(2, YUAN)),
        (
            cx.t("RFM 分群", "RFM segments"),
            cx.t(
                "由 R 与 F 得分确定：冠军 R5F4–5；忠诚 R3–4F4–5；潜力 R4–5F2–3；新客户 R5F1；有望 R4F1；需要关注 R3F3；即将沉睡 R3F1–2；不能失去 R1–2F5；流失风险 R1–2F3–4；沉睡 R1–2F1–2",
                "from the R and F scores: Champions R5 F4–5; Loyal R3–4 F4–5; Potential loyalist R4–5 F2–3; New customers R5 F1; Promising R4 F1; Need attention R3 F3; About to sleep R3 F1–2; Cannot lose them R1–2 F5; At risk R1–2 F3–4; Hibernating R1–2 F1–2",
            ),
        ),
        (
            cx.t("八类客户", "Eight-type scheme"),
            match lang {
                Lang::Zh => format!(
                    "R、F、M 得分高于全体买家平均分（R {:.2}、F {:.2}、M {:.2}）记为“高”；M 高为“重要”，R 高 F 高为“价值”，R 高 F 低为“发展”，R 低 F 高为“保持”，R 低 F 低为“挽留”",
                    m.rfm_means[0], m.rfm_means[1], m.rfm_means[2]
                ),
                Lang::En => format!(
                    "a score above the buyers' average (R {:.2}, F {:.2}, M {:.2}) counts as high; high M is 重要 (important), else 一般 (general); high R and F: 价值 (value), high R low F: 发展 (develop), low R high F: 保持 (keep), low R and F: 挽留 (win back)",
                    m.rfm_means[0], m.rfm_means[1], m.rfm_means[2]
                ),
            },
        ),
        (
            cx.t("规则分群", "Rule segments"),
            match lang {
                Lang::Zh => format!(
                    "忠诚：距今 ≤ {} 天、≥ {} 单、累计 ≥ ¥{}；潜在流失：距今 > {} 天、≤ {} 单、累计 < ¥{}；其余为其他客户",
                    c.rules.loyal_max_recency_days, c.rules.loyal_min_orders, c.rules.loyal_min_monetary,
                    c.rules.churn_min_recency_days, c.rules.churn_max_orders, c.rules.churn_max_monetary
                ),
                Lang::En => format!(
                    "loyal: last order ≤ {} days ago, ≥ {} orders, ≥ ¥{} in all; potential churn: > {} days, ≤ {} orders, < ¥{}; everyone else regular",
                    c.rules.loyal_max_recency_days, c.rules.loyal_min_orders, c.rules.loyal_min_monetary,
                    c.rules.churn_min_recency_days, c.rules.churn_max_orders, c.rules.churn_max_monetary
                ),
            },
        ),
        (
            cx.t("消费等级", "Spending tiers"),
            match lang {
                Lang::Zh => format!(
                    "按分析日前 365 天的消费：钻石 > ¥{}，黄金 ¥{}–{}，白银 ¥{}–{}，青铜 < ¥{}",
                    c.tiers.diamond, c.tiers.gold, c.tiers.diamond, c.tiers.silver, c.tiers.gold, c.tiers.silver
                ),
                Lang::En => format!(
                    "by spend in the 365 days to the analysis date: diamond > ¥{}, gold ¥{}–{}, silver ¥{}–{}, bronze < ¥{}",
                    c.tiers.diamond, c.tiers.gold, c.tiers.diamond, c.tiers.silver, c.tiers.gold, c.tiers.silver
                ),
            },
        ),
        (
            cx.t("客户类型", "Customer types"),
            match lang {
                Lang::Zh => format!(
                    "依次判断：品牌忠诚型（≥ {} 单且单一品牌占商品消费 ≥ {}）；场景驱动型（大促期订单 ≥ {}）；价格敏感型（用券订单 ≥ {} 或折扣占原价 ≥ {}）；其余为混合型",
                    c.types.brand_min_orders, pct(c.types.brand_min_share), pct(c.types.festival_min_share),
                    pct(c.types.coupon_min_rate), pct(c.types.discount_min_share)
                ),
                Lang::En => format!(
                    "tested in order: brand-loyal (≥ {} orders and one brand ≥ {} of item spend); scenario-driven (festival orders ≥ {}); price-sensitive (coupon on ≥ {} of orders or discounts ≥ {} of list value); else mixed",
                    c.types.brand_min_orders, pct(c.types.brand_min_share), pct(c.types.festival_min_share),
                    pct(c.types.coupon_min_rate), pct(c.types.discount_min_share)
                ),
            },
        ),
        (
            cx.t("大促窗口", "Festival windows"),
            c.festivals.join(", "),
        ),
        (
            cx.t("生命周期", "Lifecycle"),
            match lang {
                Lang::Zh => format!(
                    "新客：首单 ≤ {} 天；活跃：距今 ≤ {} 天（其中上一次间隔 ≥ {} 天的为已召回）；有风险：≤ {} 天；沉睡：≤ {} 天；已流失：更久；未购买：无付款订单",
                    c.lifecycle.new_days, c.lifecycle.active_days, c.lifecycle.won_back_gap_days,
                    c.lifecycle.at_risk_days, c.lifecycle.churned_days
                ),
                Lang::En => format!(
                    "new: first order ≤ {} days ago; active: last order ≤ {} days ago (won back when the gap before it was ≥ {} days); at risk: ≤ {} days; dormant: ≤ {} days; churned: longer; prospect: no paid order",
                    c.lifecycle.new_days, c.lifecycle.active_days, c.lifecycle.won_back_gap_days,
                    c.lifecycle.at_risk_days, c.lifecycle.churned_days
                ),
            },
        ),
        (
            cx.t("终身价值", "Lifetime value"),
            match (&m.value, lang) {
                (None, Lang::Zh) => "未启用".to_string(),
                (None, Lang::En) => "not enabled".to_string(),
                (Some(v), Lang::Zh) => format!(
                    "付款订单按本地日期去重为购买天数；BG/NBD 与 MBG/NBD 以最大似然拟合（解析梯度、多起点），按 BIC 选择：{}（{}）；消费额用 Gamma-Gamma（频次与客单相关系数 {}，|r| > 0.3 时改用本人均值）；12 个月价值 = 每月预期购买天数 × 预期客单 × 毛利率 {} ，按月折现 {}",
                    v.model,
                    v.candidates.iter().map(|c| format!("{} BIC {:.0}", c.model, c.bic)).collect::<Vec<_>>().join("，"),
                    v.spend.as_ref().map_or("—".to_string(), |s| format!("{:.2}", s.correlation)),
                    v.config.margin, pct(v.config.monthly_discount_rate)
                ),
                (Some(v), Lang::En) => format!(
                    "paid orders collapsed to distinct local purchase days; BG/NBD and MBG/NBD fitted by maximum likelihood (analytic gradients, several starts) and chosen by BIC: {} ({}); spend per day by Gamma-Gamma (frequency–spend correlation {}; own mean when |r| > 0.3); 12-month value = expected purchase days per month × expected spend × margin {}, discounted {} a month",
                    v.model,
                    v.candidates.iter().map(|c| format!("{} BIC {:.0}", c.model, c.bic)).collect::<Vec<_>>().join(", "),
                    v.spend.as_ref().map_or("—".to_string(), |s| format!("{:.2}", s.correlation)),
                    v.config.margin, pct(v.config.monthly_discount_rate)
                ),
            },
        ),
        (
            cx.t("城市线级", "City tiers"),
            cx.t(
                "按 2024 年城市商业魅力排行：一线 4 城、新一线 15 城、二线 30 城，其余为三线及以下",
                "by the 2024 ranking of Chinese cities: 4 tier-1, 15 new tier-1, 30 tier-2 cities; the rest tier 3 and below",
            ),
        ),
        (
            cx.t("数据", "Data"),
            match lang {
                Lang::Zh => format!(
                    "扫描订单 {} 行；客户 {} 位，其中有付款订单 {} 位；计算用时 {:.2} 秒",
                    m.orders_scanned, m.customers, m.buyers, m.seconds
                ),
                Lang::En => format!(
                    "{} order rows scanned; {} customers, {} with paid orders; computed in {:.2}s",
                    m.orders_scanned, m.customers, m.buyers, m.seconds
                ),
            },
        ),
    ];
    let table = Table {
        headers: vec![cx.t("项目", "Item"), cx.t("定义与阈值", "Definition and thresholds")],
        rows: rows_
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k), Cell::text(v)])
            .collect(),
        caption: Some(cx.t(
            "所有阈值可在工作区的 strata.toml [analyze] 中修改；客户表的每一列见 docs/data-model.md。",
            "Every threshold is set in the workspace's strata.toml under [analyze]; every column of the customer table is described in docs/data-model.md.",
        )),
    };
    Ok(Section::new("methods", cx.t("方法说明", "Methods")).with(Block::Table(table)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_money_is_compact() {
        assert_eq!(compact_money(Lang::Zh, 61_554_117.0), "¥6,155.4万");
        assert_eq!(compact_money(Lang::En, 61_554_117.0), "¥61.6M");
        assert_eq!(compact_money(Lang::Zh, 3.2e8), "¥3.20亿");
        assert_eq!(compact_money(Lang::En, 999_999.0), "¥999,999");
    }

    #[test]
    fn top_share_and_extremes() {
        let v = [50.0, 30.0, 10.0, 5.0, 5.0];
        assert_eq!(share_of_top(&v, 0.2), 0.5);
        assert_eq!(share_of_top(&v, 0.4), 0.8);
        assert_eq!(share_of_top(&[], 0.2), 0.0);
        let names = ["a".to_string(), "b".to_string(), "".to_string()];
        let ((hi, _), (lo, _)) = best_and_worst(&names, &[3.0, 5.0, 9.0]).unwrap();
        assert_eq!((hi, lo), ("b", "a"), "the unnamed group is left out");
    }
}
