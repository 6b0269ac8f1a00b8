//! The types-and-lifecycle chapter: the customer types against the industry report, lifecycle
//! stages, preferred channels and ordering hours.

use strata_charts::{BarChart, Block, Cell, Donut, Section, Series, Table};

use super::{Cx, HALF, Split, share_chart, split};
use crate::Result;
use crate::format::{PCT, YUAN};
use crate::i18n::{common, label, types as t};
use crate::query::rows;

pub async fn types_and_lifecycle(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let types = split(cx, "customer_type", &strata_features::segment::TYPES).await?;
    let type_table = type_table(cx, &types).await?;
    let stages = stage_chart(cx).await?;
    let channels = split(cx, "preferred_channel", &[]).await?;
    let channel_chart = share_chart(cx, t::preferred_channel(lang), &channels, HALF);
    let hours = hour_chart(cx).await?;
    Ok(Section::new("types", t::title(lang))
        .with(Block::Grid(vec![type_donut(cx, &types), stages]))
        .with(Block::Table(type_table))
        .with(Block::Grid(vec![
            Block::chart(channel_chart.to_svg()),
            hours,
        ])))
}

/// Each type's shares with its coupon, festival and brand habits, against the report.
async fn type_table(cx: &Cx<'_>, types: &Split) -> Result<Table> {
    let lang = cx.lang;
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
    Ok(Table {
        headers: vec![
            t::customer_type(lang),
            common::share_of_buyers(lang),
            common::share_of_revenue(lang),
            t::coupon_orders(lang),
            t::festival_orders(lang),
            t::top_brand(lang),
            t::order_value(lang),
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
        caption: Some(t::types_caption(lang)),
    })
}

fn type_donut(cx: &Cx<'_>, types: &Split) -> Block {
    let donut = Donut {
        title: common::customer_types(cx.lang),
        slices: types
            .names
            .iter()
            .map(|n| label(cx.lang, n))
            .zip(types.customers.iter().copied())
            .collect(),
        width: HALF,
        lang: cx.lang,
        ..Donut::default()
    };
    Block::chart(donut.to_svg())
}

/// Customers by lifecycle stage, in the stages' own order.
async fn stage_chart(cx: &Cx<'_>) -> Result<Block> {
    let lang = cx.lang;
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
    let chart = BarChart {
        title: t::stages(lang),
        categories: ordered.iter().map(|(n, _)| n.clone()).collect(),
        series: vec![Series::new(
            common::customers(lang),
            ordered.iter().map(|(_, v)| *v).collect(),
        )],
        width: HALF,
        lang,
        ..BarChart::default()
    };
    Ok(Block::chart(chart.to_svg()))
}

/// Buyers by their most active ordering hour.
async fn hour_chart(cx: &Cx<'_>) -> Result<Block> {
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
    let chart = BarChart {
        title: t::active_hour(cx.lang),
        categories: (0..24).map(|h| format!("{h}")).collect(),
        series: vec![Series::new(common::buyers(cx.lang), per_hour)],
        width: HALF,
        value_labels: Some(false),
        lang: cx.lang,
        ..BarChart::default()
    };
    Ok(Block::chart(chart.to_svg()))
}
