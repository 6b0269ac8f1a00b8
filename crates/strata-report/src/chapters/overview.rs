//! The overview chapter: headline numbers, revenue and buyers by quarter, where buyers are, and
//! the devices and channels they order through.

use strata_charts::{BarChart, Block, Donut, Format, Kpi, Lang, Section, Series, format_value};

use super::{Cx, HALF};
use crate::Result;
use crate::format::{YUAN, compact_money, pct};
use crate::i18n::{common, label, overview as t};
use crate::query::rows;

pub async fn overview(cx: &Cx<'_>) -> Result<Section> {
    let kpis = kpis(cx).await?;
    let [revenue, buyers] = quarters(cx).await?;
    let regions = regions(cx).await?;
    let city_tiers = city_tiers(cx).await?;
    let devices = devices(cx).await?;
    let channels = channels(cx).await?;
    let mut s = Section::new("overview", t::title(cx.lang));
    if let Some(last) = cx.meta.last_order_day
        && cx.meta.as_of > last
    {
        let days = (cx.meta.as_of - last).num_days();
        s = s.with(Block::Callout(t::past_data(
            cx.lang,
            cx.meta.as_of,
            last,
            days,
        )));
    }
    let mut s = s
        .with(Block::Kpis(kpis))
        .with(Block::Grid(vec![
            revenue,
            buyers,
            regions,
            city_tiers,
            devices,
            channels.share,
        ]))
        .with(channels.order_value);
    if let Some(c) = channels.callout {
        s = s.with(Block::Callout(c));
    }
    Ok(s)
}

/// Customers, orders, revenue, order value and the repeat rate.
async fn kpis(cx: &Cx<'_>) -> Result<Vec<Kpi>> {
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
    Ok(vec![
        Kpi::new(
            common::customers(lang),
            format_value(customers, Format::Integer),
        )
        .note(t::with_paid_orders(
            lang,
            &format_value(buyers, Format::Integer),
        )),
        Kpi::new(t::paid_orders(lang), format_value(orders, Format::Integer))
            .note(t::orders_per_buyer(lang, orders / buyers.max(1.0))),
        Kpi::new(t::revenue(lang), compact_money(lang, revenue))
            .note(t::last_12_months(lang, &compact_money(lang, revenue_12m))),
        Kpi::new(
            t::average_order_value(lang),
            format_value(
                revenue / orders.max(1.0),
                Format::Money {
                    symbol: "¥",
                    decimals: 1,
                },
            ),
        ),
        Kpi::new(t::repeat_rate(lang), pct(repeaters / buyers.max(1.0)))
            .note(t::repeat_rate_note(lang)),
    ])
}

/// Revenue and buyers by quarter, new against returning.
async fn quarters(cx: &Cx<'_>) -> Result<[Block; 2]> {
    let lang = cx.lang;
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
    let partial = t::partial_quarter(lang, cx.meta.as_of);
    let revenue = BarChart {
        title: t::revenue_by_quarter(lang),
        categories: quarters.clone(),
        series: vec![Series::new(t::revenue(lang), q.num(1)?)],
        format: YUAN,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let buyers = BarChart {
        title: t::buyers_by_quarter(lang),
        categories: quarters,
        series: vec![
            Series::new(t::new_buyers(lang), q.num(3)?),
            Series::new(t::returning_buyers(lang), q.num(4)?),
        ],
        stacked: true,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    Ok([
        Block::chart_with_caption(revenue.to_svg(), partial.clone()),
        Block::chart_with_caption(buyers.to_svg(), partial),
    ])
}

/// The provinces with most buyers.
async fn regions(cx: &Cx<'_>) -> Result<Block> {
    let lang = cx.lang;
    let regions = rows(
        cx.ctx,
        "SELECT coalesce(province, ''), count(*), CAST(sum(monetary) AS DOUBLE)
         FROM customer_profile WHERE orders > 0
         GROUP BY 1 ORDER BY 2 DESC LIMIT 12",
    )
    .await?;
    let chart = BarChart {
        title: t::top_provinces(lang),
        categories: regions.text(0)?.iter().map(|r| label(lang, r)).collect(),
        series: vec![Series::new(common::buyers(lang), regions.num(1)?)],
        horizontal: true,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    Ok(Block::chart(chart.to_svg()))
}

async fn city_tiers(cx: &Cx<'_>) -> Result<Block> {
    let tiers = rows(
        cx.ctx,
        "SELECT coalesce(city_tier, ''), count(*) FROM customer_profile WHERE orders > 0
         GROUP BY 1 ORDER BY 2 DESC",
    )
    .await?;
    let chart = Donut {
        title: common::city_tiers(cx.lang),
        slices: slices(cx.lang, &tiers.text(0)?, &tiers.num(1)?),
        width: HALF,
        lang: cx.lang,
        ..Donut::default()
    };
    Ok(Block::chart(chart.to_svg()))
}

/// Orders by one column of `orders`: count, mean and total paid.
fn orders_by(cx: &Cx<'_>, col: &str) -> String {
    format!(
        "SELECT coalesce({col}, ''), count(*), avg(CAST(paid_amount AS DOUBLE)),
                sum(CAST(paid_amount AS DOUBLE))
         FROM orders WHERE {} GROUP BY 1 ORDER BY 2 DESC",
        cx.paid()
    )
}

async fn devices(cx: &Cx<'_>) -> Result<Block> {
    let devices = rows(cx.ctx, &orders_by(cx, "device")).await?;
    let chart = Donut {
        title: t::devices(cx.lang),
        slices: slices(cx.lang, &devices.text(0)?, &devices.num(1)?),
        width: HALF,
        lang: cx.lang,
        ..Donut::default()
    };
    Ok(Block::chart(chart.to_svg()))
}

/// The channels part: share of orders, order value, and the gap between the extremes.
struct Channels {
    share: Block,
    order_value: Block,
    callout: Option<String>,
}

async fn channels(cx: &Cx<'_>) -> Result<Channels> {
    let lang = cx.lang;
    let channels = rows(cx.ctx, &orders_by(cx, "channel")).await?;
    let names = channels.text(0)?;
    let aov = channels.num(2)?;
    let labels: Vec<String> = names.iter().map(|c| label(lang, c)).collect();
    let share = Donut {
        title: t::channels(lang),
        slices: labels.iter().cloned().zip(channels.num(1)?).collect(),
        width: HALF,
        lang,
        ..Donut::default()
    };
    let order_value = BarChart {
        title: t::channel_order_value(lang),
        categories: labels,
        series: vec![Series::new(t::average_order_value(lang), aov.clone())],
        horizontal: true,
        format: YUAN,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let callout = best_and_worst(&names, &aov).map(|((hi, hv), (lo, lv))| {
        t::channel_order_values(
            lang,
            (&label(lang, hi), &format_value(hv, YUAN)),
            (&label(lang, lo), &format_value(lv, YUAN)),
            &pct(hv / lv - 1.0),
        )
    });
    Ok(Channels {
        share: Block::chart(share.to_svg()),
        order_value: Block::chart(order_value.to_svg()),
        callout,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_leave_out_the_unnamed_group() {
        let names = ["a".to_string(), "b".to_string(), "".to_string()];
        let ((hi, _), (lo, _)) = best_and_worst(&names, &[3.0, 5.0, 9.0]).unwrap();
        assert_eq!((hi, lo), ("b", "a"), "the unnamed group is left out");
    }
}
