//! The methods appendix: every definition and threshold the numbers rest on, as one table.

use strata_charts::{Block, Cell, Format, Section, Table, format_value};
use strata_features::config::RfmMethod;

use super::Cx;
use crate::Result;
use crate::format::YUAN;
use crate::i18n::{common, methods as t};

pub async fn methods(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let rows = [scoring(cx), segments(cx), the_rest(cx)].concat();
    let table = Table {
        headers: vec![t::item(lang), t::definition(lang)],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k), Cell::text(v)])
            .collect(),
        caption: Some(t::caption(lang)),
    };
    Ok(Section::new("methods", t::title(lang)).with(Block::Table(table)))
}

/// The analysis date, what a purchase is, and how R, F and M are scored.
fn scoring(cx: &Cx<'_>) -> Vec<(String, String)> {
    let (m, lang) = (cx.meta, cx.lang);
    let cuts = |k: usize, f: Format| {
        m.rfm_cuts[k]
            .iter()
            .map(|&v| format_value(v, f))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let method = match m.config.rfm.method {
        RfmMethod::Quantile => t::quantile_scoring(lang),
        RfmMethod::Fixed => t::fixed_scoring(lang),
    };
    vec![
        (
            t::analysis_date(lang),
            t::analysis_date_text(lang, m.as_of, &m.timezone),
        ),
        (t::purchase(lang), t::purchase_text(lang)),
        (t::rfm(lang), t::rfm_text(lang)),
        (t::rfm_scoring(lang), method),
        (t::r_cuts(lang), cuts(0, Format::Decimal(1))),
        (t::f_cuts(lang), cuts(1, Format::Decimal(0))),
        (t::m_cuts(lang), cuts(2, YUAN)),
    ]
}

/// How each segmentation is defined, with its thresholds.
fn segments(cx: &Cx<'_>) -> Vec<(String, String)> {
    let (m, lang) = (cx.meta, cx.lang);
    let c = &m.config;
    vec![
        (t::rfm_segments(lang), t::rfm_segments_text(lang)),
        (t::eight_types(lang), t::eight_types_text(lang, m.rfm_means)),
        (
            common::rule_segments(lang),
            t::rule_segments_text(lang, &c.rules),
        ),
        (
            t::spending_tiers(lang),
            t::spending_tiers_text(lang, &c.tiers),
        ),
        (
            common::customer_types(lang),
            t::customer_types_text(lang, &c.types),
        ),
        (t::festival_windows(lang), c.festivals.join(", ")),
        (t::lifecycle(lang), t::lifecycle_text(lang, &c.lifecycle)),
    ]
}

/// Lifetime value, city tiers, and the data the table was computed from.
fn the_rest(cx: &Cx<'_>) -> Vec<(String, String)> {
    let (m, lang) = (cx.meta, cx.lang);
    vec![
        (
            t::lifetime_value(lang),
            t::lifetime_value_text(lang, m.value.as_ref()),
        ),
        (common::city_tiers(lang), t::city_tiers_text(lang)),
        (
            t::data(lang),
            t::data_text(lang, m.orders_scanned, m.customers, m.buyers, m.seconds),
        ),
    ]
}
