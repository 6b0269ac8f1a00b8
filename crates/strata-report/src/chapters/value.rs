//! The value chapter: RFM heat maps, RFM segments and the eight-type scheme with what to do for
//! each, the reports' rule segments, spending tiers and how concentrated revenue is.

use strata_charts::{
    Annotation, Block, Cell, Format, Heatmap, Lang, Section, Table, XYChart, XYSeries,
};

use super::{Cx, HALF, Split, share_chart, split};
use crate::Result;
use crate::format::{PCT, YUAN, pct};
use crate::i18n::value::{self as t, Shares};
use crate::i18n::{class_action, common, label, segment_action};
use crate::query::rows;

pub async fn value(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let heatmaps = rfm_heatmaps(cx).await?;
    let segs = split(cx, "rfm_segment", &strata_features::segment::RFM_SEGMENTS).await?;
    let seg_table = action_table(
        cx,
        &segs,
        common::rfm_segment(lang),
        t::recommended_action(lang),
        segment_action,
        true,
    );
    let classes = split(cx, "rfm_class", &strata_features::segment::RFM_CLASSES).await?;
    let class_table = action_table(
        cx,
        &classes,
        t::class(lang),
        t::strategy(lang),
        class_action,
        false,
    );
    let rules = rule_segments(cx).await?;
    let tiers = split(cx, "spend_tier", &strata_features::segment::TIERS).await?;
    let tier_chart = share_chart(cx, t::tiers_chart(lang), &tiers, HALF);
    let (lorenz, concentration) = concentration(cx).await?;
    Ok(Section::new("value", t::title(lang))
        .with(Block::Paragraph(t::rfm_intro(lang)))
        .with(Block::Grid(heatmaps.to_vec()))
        .with(Block::Heading(t::segments_heading(lang)))
        .with(Block::Table(seg_table))
        .with(Block::Heading(t::classes_heading(lang)))
        .with(Block::Table(class_table))
        .with(Block::Heading(common::rule_segments(lang)))
        .with(Block::Callout(rules))
        .with(Block::Heading(t::tiers_heading(lang)))
        .with(Block::Grid(vec![Block::chart(tier_chart.to_svg()), lorenz]))
        .with(Block::Table(tier_table(cx, &tiers)))
        .with(Block::Callout(concentration)))
}

/// RFM heat maps of buyers and of spend: rows R 5 (recent) to 1, columns F 1 to 5.
async fn rfm_heatmaps(cx: &Cx<'_>) -> Result<[Block; 2]> {
    let lang = cx.lang;
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
    let map = |title: String, values: Vec<Vec<Option<f64>>>, format: Format| Heatmap {
        title,
        x_labels: (1..=5).map(|f| format!("F{f}")).collect(),
        y_labels: (1..=5).rev().map(|r| format!("R{r}")).collect(),
        values,
        format,
        x_title: Some(t::frequency_score(lang)),
        y_title: Some(t::recency_score(lang)),
        cell_text: true,
        width: HALF,
        lang,
        ..Heatmap::default()
    };
    Ok([
        Block::chart(map(t::rfm_buyers(lang), counts, Format::Integer).to_svg()),
        Block::chart(map(t::rfm_spend(lang), money, YUAN).to_svg()),
    ])
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
    let lang = cx.lang;
    let mut headers = vec![
        head,
        common::buyer_count(lang),
        common::share_of_buyers(lang),
        common::share_of_revenue(lang),
        t::spend_per_buyer(lang),
    ];
    if with_recency {
        headers.push(t::mean_recency(lang));
    }
    headers.push(action_head);
    let rows = (0..s.names.len())
        .map(|i| {
            let mut row = vec![
                Cell::text(label(lang, &s.names[i])),
                Cell::Number(s.customers[i], Format::Integer),
                Cell::Bar(s.customer_share[i], PCT),
                Cell::Bar(s.revenue_share[i], PCT),
                Cell::Number(s.avg_monetary[i], YUAN),
            ];
            if with_recency {
                row.push(Cell::Number(s.avg_recency[i], Format::Decimal(0)));
            }
            row.push(Cell::text(action(lang, &s.names[i])));
            row
        })
        .collect();
    Table {
        headers,
        rows,
        caption: None,
    }
}

/// The reports' rule segments, against the figures the reports found.
async fn rule_segments(cx: &Cx<'_>) -> Result<String> {
    let rules = split(cx, "rule_segment", &["loyal", "potential_churn", "regular"]).await?;
    let shares = |name: &str| {
        rules
            .names
            .iter()
            .position(|n| n == name)
            .map(|i| (rules.customer_share[i], rules.revenue_share[i]))
            .unwrap_or((0.0, 0.0))
    };
    let (loyal_c, loyal_r) = shares("loyal");
    let (churn_c, churn_r) = shares("potential_churn");
    Ok(t::rule_segments(
        cx.lang,
        &cx.meta.config.rules,
        Shares {
            buyers: &pct(loyal_c),
            revenue: &pct(loyal_r),
        },
        Shares {
            buyers: &pct(churn_c),
            revenue: &pct(churn_r),
        },
    ))
}

fn tier_table(cx: &Cx<'_>, tiers: &Split) -> Table {
    let lang = cx.lang;
    Table {
        headers: vec![
            common::tier(lang),
            common::buyer_count(lang),
            common::share_of_buyers(lang),
            common::share_of_revenue(lang),
            t::mean_orders(lang),
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
    }
}

/// Revenue concentration: the Lorenz curve of spend, largest buyers first, and a sentence on
/// the top fifth and twentieth.
async fn concentration(cx: &Cx<'_>) -> Result<(Block, String)> {
    let lang = cx.lang;
    let m = rows(
        cx.ctx,
        "SELECT CAST(monetary AS DOUBLE) FROM customer_profile WHERE orders > 0",
    )
    .await?;
    let mut spend = m.num(0)?;
    spend.sort_by(|a, b| b.total_cmp(a));
    let top20 = share_of_top(&spend, 0.2);
    let lorenz = XYChart {
        title: t::concentration(lang),
        series: vec![XYSeries::new(
            t::cumulative_revenue(lang),
            lorenz_points(&spend),
        )],
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some(t::buyers_axis(lang)),
        y_label: Some(t::revenue_axis(lang)),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some(t::equal_spend(lang)),
        area: true,
        annotations: vec![Annotation::new(
            0.2,
            top20,
            t::top_fifth_mark(lang, &pct(top20)),
        )],
        width: HALF,
        lang,
        ..XYChart::default()
    };
    let text = t::concentration_text(lang, &pct(top20), &pct(share_of_top(&spend, 0.05)));
    Ok((Block::chart(lorenz.to_svg()), text))
}

/// About 200 points of the Lorenz curve of spend sorted descending, from (0, 0).
fn lorenz_points(spend: &[f64]) -> Vec<(f64, f64)> {
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
    points
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_share() {
        let v = [50.0, 30.0, 10.0, 5.0, 5.0];
        assert_eq!(share_of_top(&v, 0.2), 0.5);
        assert_eq!(share_of_top(&v, 0.4), 0.8);
        assert_eq!(share_of_top(&[], 0.2), 0.0);
    }
}
