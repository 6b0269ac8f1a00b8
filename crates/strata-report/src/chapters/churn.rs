//! The churn early-warning chapter: who is at risk and why, how good the model is, and what the
//! win-back playbooks cost and are expected to save.

use strata_charts::{
    BarChart, Block, Cell, Format, Kpi, Section, Series, Table, XYChart, XYSeries, format_value,
};
use strata_churn::winback::{self, Candidate, Winback};
use strata_churn::{ChurnModel, RiskTier, Scorer};

use super::{Cx, HALF};
use crate::Result;
use crate::format::{PCT, YUAN, compact_money, pct};
use crate::i18n::churn::{self as t, Method, model_name, tier_name};
use crate::i18n::{common, label};
use crate::query::{Rows, rows};

pub async fn churn(cx: &Cx<'_>, model: Option<&ChurnModel>) -> Result<Option<Section>> {
    let lang = cx.lang;
    let mut s = Section::new("churn", t::title(lang));
    let Some(model) = model else {
        return Ok(Some(s.with(Block::Callout(t::no_model(lang)))));
    };
    if !has_scores(cx).await? {
        return Ok(Some(s.with(Block::Callout(t::no_scores(lang)))));
    }
    let plan = Plan::new(cx, model).await?;
    s.blocks.push(Block::Kpis(kpis(cx, model, &plan).await?));
    s.blocks.extend(who(cx, model).await?);
    s.blocks.extend(signals(cx, model).await?);
    s.blocks.extend(quality(cx, model));
    s.blocks.extend(first_to_call(cx, &plan)?);
    s.blocks.extend(playbooks(cx, model, &plan.list));
    s.blocks.push(Block::Paragraph(method(cx, model)));
    Ok(Some(s))
}

/// Whether the customer table carries the churn columns.
async fn has_scores(cx: &Cx<'_>) -> Result<bool> {
    let r = rows(
        cx.ctx,
        "SELECT count(*) FROM information_schema.columns
         WHERE table_name = 'customer_profile' AND column_name = 'churn_risk'",
    )
    .await?;
    Ok(r.first(0)? > 0.0)
}

/// The scored customers and the win-back list made from them.
struct Plan {
    /// Tier, risk, value if retained, spend, id, segment, reasons in both languages and
    /// marketing consent (1 or 0).
    candidates: Rows,
    tiers: Vec<String>,
    list: Winback,
}

impl Plan {
    async fn new(cx: &Cx<'_>, model: &ChurnModel) -> Result<Plan> {
        let candidates = rows(
            cx.ctx,
            "SELECT p.risk_tier, p.churn_risk, p.value_if_retained, CAST(p.spend_12m AS DOUBLE),
                    p.customer_id, p.rfm_segment, p.churn_reasons, p.churn_reasons_en,
                    CASE WHEN c.marketing_consent THEN 1.0 ELSE 0.0 END
             FROM customer_profile p LEFT JOIN customers c ON c.customer_id = p.customer_id
             WHERE p.churn_risk IS NOT NULL ORDER BY p.customer_id",
        )
        .await?;
        let tiers = candidates.text(0)?;
        let (risk, value, spend) = (candidates.num(1)?, candidates.num(2)?, candidates.num(3)?);
        let consent = candidates.num(8)?;
        let list = winback::plan(
            &model.config,
            (0..tiers.len()).filter_map(|i| {
                Some(Candidate {
                    row: i,
                    tier: RiskTier::parse(&tiers[i])?,
                    risk: risk[i],
                    value_if_retained: value[i],
                    spend_12m: spend[i],
                    // The same call list as `strata churn score`: only who agreed to contact.
                    consent: consent[i] > 0.0,
                })
            }),
        );
        Ok(Plan {
            candidates,
            tiers,
            list,
        })
    }
}

/// High-risk customers, value at risk, the model's AUC and what the win-back would save.
async fn kpis(cx: &Cx<'_>, model: &ChurnModel, plan: &Plan) -> Result<Vec<Kpi>> {
    let lang = cx.lang;
    let k = rows(
        cx.ctx,
        "SELECT count(*) FILTER (WHERE churn_risk IS NOT NULL),
                count(*) FILTER (WHERE risk_tier = 'high'),
                count(*) FILTER (WHERE risk_tier = 'medium'),
                sum(churn_risk * value_if_retained) FILTER (WHERE risk_tier IN ('high', 'medium'))
         FROM customer_profile",
    )
    .await?;
    let (scored, high, medium, at_risk) = (k.first(0)?, k.first(1)?, k.first(2)?, k.first(3)?);
    let ev = &model.evaluation;
    let auc = |name: Scorer| {
        ev.get(name)
            .and_then(|s| s.summary.roc_auc)
            .unwrap_or(f64::NAN)
    };
    let list = &plan.list;
    let cost: f64 = list.budgets.iter().map(|b| b.cost).sum();
    let saved: f64 = list.budgets.iter().map(|b| b.expected_saved).sum();
    Ok(vec![
        Kpi::new(
            t::high_risk_customers(lang),
            format_value(high, Format::Integer),
        )
        .note(t::high_risk_note(
            lang,
            &pct(high / scored.max(1.0)),
            &format_value(medium, Format::Integer),
        )),
        Kpi::new(t::value_at_risk(lang), compact_money(lang, at_risk))
            .note(t::value_at_risk_note(lang)),
        Kpi::new(
            t::model_auc(lang),
            format_value(auc(Scorer::Trees), Format::Decimal(3)),
        )
        .note(t::recency_auc(lang, auc(Scorer::Recency))),
        Kpi::new(t::net_value_saved(lang), compact_money(lang, saved)).note(t::contacted(
            lang,
            list.entries.len(),
            &compact_money(lang, cost),
        )),
    ])
}

/// Who is slipping away: the risk tiers, and risk by RFM segment as a chart and a table.
async fn who(cx: &Cx<'_>, model: &ChurnModel) -> Result<Vec<Block>> {
    let lang = cx.lang;
    let seg = rows(
        cx.ctx,
        "SELECT coalesce(rfm_segment, ''), count(*),
                avg(CASE WHEN risk_tier = 'high' THEN 1.0 ELSE 0.0 END),
                avg(CASE WHEN risk_tier = 'medium' THEN 1.0 ELSE 0.0 END),
                avg(churn_risk), sum(churn_risk * value_if_retained)
         FROM customer_profile WHERE churn_risk IS NOT NULL GROUP BY 1 ORDER BY 6 DESC",
    )
    .await?;
    let (names, hi, me) = (seg.text(0)?, seg.num(2)?, seg.num(3)?);
    let risk_chart = BarChart {
        title: t::high_share_by_segment(lang),
        categories: names.iter().map(|x| label(lang, x)).collect(),
        series: vec![
            Series::new(t::high(lang), hi),
            Series::new(t::medium(lang), me),
        ],
        format: Format::Percent(0),
        width: HALF,
        lang,
        ..BarChart::default()
    };
    Ok(vec![
        Block::Heading(t::who_heading(lang)),
        Block::Grid(vec![
            tier_chart(cx).await?,
            Block::chart(risk_chart.to_svg()),
        ]),
        Block::Table(segment_table(cx, model, &seg)?),
    ])
}

/// Customers in each risk tier.
async fn tier_chart(cx: &Cx<'_>) -> Result<Block> {
    let lang = cx.lang;
    let tier_counts = rows(
        cx.ctx,
        "SELECT risk_tier, count(*) FROM customer_profile WHERE risk_tier IS NOT NULL GROUP BY 1",
    )
    .await?;
    let (tnames, tn) = (tier_counts.text(0)?, tier_counts.num(1)?);
    let count_of = |t: &str| tnames.iter().position(|x| x == t).map_or(0.0, |i| tn[i]);
    let tiers = RiskTier::ALL.map(RiskTier::as_str);
    let chart = BarChart {
        title: t::risk_tiers(lang),
        categories: tiers.iter().map(|t| tier_name(lang, t)).collect(),
        series: vec![Series::new(
            common::customers(lang),
            tiers.iter().map(|t| count_of(t)).collect(),
        )],
        format: Format::Integer,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    Ok(Block::chart(chart.to_svg()))
}

fn segment_table(cx: &Cx<'_>, model: &ChurnModel, seg: &Rows) -> Result<Table> {
    let lang = cx.lang;
    let (names, n, hi, me, mean, var) = (
        seg.text(0)?,
        seg.num(1)?,
        seg.num(2)?,
        seg.num(3)?,
        seg.num(4)?,
        seg.num(5)?,
    );
    Ok(Table {
        headers: vec![
            common::rfm_segment(lang),
            t::watched(lang),
            t::high_risk(lang),
            t::medium_risk(lang),
            t::mean_probability(lang),
            t::value_at_risk(lang),
        ],
        rows: (0..names.len())
            .map(|i| {
                vec![
                    Cell::text(label(lang, &names[i])),
                    Cell::Number(n[i], Format::Integer),
                    Cell::Number(hi[i], PCT),
                    Cell::Number(me[i], PCT),
                    Cell::Number(mean[i], PCT),
                    Cell::Bar(var[i], YUAN),
                ]
            })
            .collect(),
        caption: Some(t::watched_caption(lang, model.config.population_days)),
    })
}

/// The warning signals: how common each is now, and churn with and without it.
async fn signals(cx: &Cx<'_>, model: &ChurnModel) -> Result<Vec<Block>> {
    let lang = cx.lang;
    let ev = &model.evaluation;
    if ev.signals.is_empty() {
        return Ok(Vec::new());
    }
    let now = rows(
        cx.ctx,
        &format!(
            "SELECT {} FROM customer_profile WHERE churn_risk IS NOT NULL",
            ev.signals
                .iter()
                .map(|x| format!("avg(CASE WHEN {} THEN 1.0 ELSE 0.0 END)", x.signal.key()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .await?;
    let mut table_rows = Vec::new();
    for (i, x) in ev.signals.iter().enumerate() {
        let l = x.lift.as_ref();
        table_rows.push(vec![
            Cell::text(x.signal.describe(&model.config.signals, lang)),
            Cell::Number(now.first(i)?, PCT),
            Cell::Number(l.map_or(f64::NAN, |l| l.with_rate), PCT),
            Cell::Number(l.map_or(f64::NAN, |l| l.without_rate), PCT),
            Cell::Bar(
                l.and_then(|l| l.ratio).unwrap_or(f64::NAN),
                Format::Decimal(2),
            ),
        ]);
    }
    Ok(vec![
        Block::Heading(t::signals_heading(lang)),
        Block::Table(Table {
            headers: vec![
                t::signal(lang),
                t::share_now(lang),
                t::rate_with(lang),
                t::rate_without(lang),
                t::ratio(lang),
            ],
            rows: table_rows,
            caption: Some(t::signals_caption(
                lang,
                ev.window.cutoff,
                ev.window.horizon_days,
            )),
        }),
    ])
}

/// Model quality: ROC curves, calibration, and the metrics of every method compared.
fn quality(cx: &Cx<'_>, model: &ChurnModel) -> Vec<Block> {
    let lang = cx.lang;
    let ev = &model.evaluation;
    let roc = XYChart {
        title: t::roc_curve(lang),
        series: ev
            .scores
            .iter()
            .map(|x| {
                XYSeries::new(
                    model_name(lang, x.name),
                    x.roc.iter().map(|p| (p.fpr, p.tpr)).collect(),
                )
            })
            .collect(),
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some(t::false_positive_rate(lang)),
        y_label: Some(t::true_positive_rate(lang)),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some(t::chance(lang)),
        width: HALF,
        lang,
        ..XYChart::default()
    };
    let calibration = XYChart {
        title: t::calibration(lang),
        series: vec![XYSeries::new(
            model_name(lang, Scorer::Trees),
            ev.calibration
                .iter()
                .map(|b| (b.mean_predicted, b.observed))
                .collect(),
        )],
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some(t::predicted_probability(lang)),
        y_label: Some(t::actual_rate(lang)),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some(t::perfect_calibration(lang)),
        markers: true,
        width: HALF,
        lang,
        ..XYChart::default()
    };
    vec![
        Block::Heading(t::quality_heading(lang)),
        Block::Grid(vec![
            Block::chart(roc.to_svg()),
            Block::chart(calibration.to_svg()),
        ]),
        Block::Table(quality_table(cx, model)),
    ]
}

fn quality_table(cx: &Cx<'_>, model: &ChurnModel) -> Table {
    let lang = cx.lang;
    let ev = &model.evaluation;
    let rows = ev
        .scores
        .iter()
        .map(|x| {
            let m = &x.summary;
            vec![
                Cell::text(model_name(lang, x.name)),
                Cell::Number(m.roc_auc.unwrap_or(f64::NAN), Format::Decimal(3)),
                Cell::Number(m.pr_auc.unwrap_or(f64::NAN), Format::Decimal(3)),
                Cell::Number(m.top.as_ref().map_or(f64::NAN, |t| t.precision), PCT),
                Cell::Number(m.top.as_ref().map_or(f64::NAN, |t| t.recall), PCT),
                Cell::Number(m.brier.unwrap_or(f64::NAN), Format::Decimal(3)),
            ]
        })
        .collect();
    let split = match model.split {
        strata_churn::SplitKind::Time => {
            let cutoffs: Vec<String> = model
                .training
                .cutoffs
                .iter()
                .map(|d| d.to_string())
                .collect();
            t::time_split(
                lang,
                &cutoffs,
                model.training.customers,
                model.config.horizon_days,
                ev.window.cutoff,
            )
        }
        strata_churn::SplitKind::Customers => t::customer_split(lang, ev.window.cutoff),
    };
    let evaluation = t::evaluation(
        lang,
        ev.window.customers,
        &pct(ev.window.base_rate),
        (model.tiers.high, &rate_from(ev, RiskTier::High)),
        (model.tiers.medium, &rate_from(ev, RiskTier::Medium)),
    );
    Table {
        headers: vec![
            t::method_head(lang),
            t::roc_auc(lang),
            t::pr_auc(lang),
            t::top_rate(lang),
            t::top_recall(lang),
            t::brier(lang),
        ],
        rows,
        caption: Some(format!("{split} {evaluation}")),
    }
}

/// The ten customers to call first, by expected net value saved.
fn first_to_call(cx: &Cx<'_>, plan: &Plan) -> Result<Vec<Block>> {
    let lang = cx.lang;
    let ids = plan.candidates.text(4)?;
    let reasons = plan.candidates.text(if cx.zh() { 6 } else { 7 })?;
    let top: Vec<Vec<Cell>> = plan
        .list
        .entries
        .iter()
        .take(10)
        .map(|e| {
            vec![
                Cell::text(ids[e.row].clone()),
                Cell::text(format!(
                    "{} {}",
                    tier_name(lang, &plan.tiers[e.row]),
                    format_value(e.risk, Format::Percent(0))
                )),
                Cell::Number(e.value, YUAN),
                Cell::Number(e.expected_saved, YUAN),
                Cell::text(reasons[e.row].clone()),
            ]
        })
        .collect();
    if top.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![
        Block::Heading(t::first_heading(lang)),
        Block::Table(Table {
            headers: vec![
                t::customer(lang),
                t::churn_risk(lang),
                t::value_if_kept(lang),
                t::net_saved(lang),
                t::main_reasons(lang),
            ],
            rows: top,
            caption: Some(t::first_caption(lang, plan.list.entries.len())),
        }),
    ])
}

/// The playbooks with their customers, cost, value at risk and expected net saving.
fn playbooks(cx: &Cx<'_>, model: &ChurnModel, list: &Winback) -> Vec<Block> {
    let (lang, zh) = (cx.lang, cx.zh());
    let rows = list
        .budgets
        .iter()
        .map(|b| {
            let p = &model.config.playbooks[b.playbook];
            let band = match p.max_spend_12m {
                Some(max) => format!("{}–{}", p.min_spend_12m, max),
                None => format!("≥ {}", p.min_spend_12m),
            };
            vec![
                Cell::text(if zh {
                    p.label_zh.clone()
                } else {
                    p.label_en.clone()
                }),
                Cell::text(band),
                Cell::text(format!(
                    "{} · {}",
                    p.channel,
                    if zh { &p.offer_zh } else { &p.offer_en }
                )),
                Cell::Number(b.customers as f64, Format::Integer),
                Cell::Number(b.cost, YUAN),
                Cell::Number(b.value_at_risk, YUAN),
                Cell::Bar(b.expected_saved, YUAN),
            ]
        })
        .collect();
    vec![
        Block::Heading(t::playbooks_heading(lang)),
        Block::Table(Table {
            headers: vec![
                t::playbook(lang),
                t::spend_12m(lang),
                t::channel_and_offer(lang),
                common::customers_plain(lang),
                t::contact_cost(lang),
                t::value_at_risk(lang),
                t::net_saved(lang),
            ],
            rows,
            caption: Some(t::budget_caption(lang, list.not_worth_it)),
        }),
    ]
}

/// How the model was made.
fn method(cx: &Cx<'_>, model: &ChurnModel) -> String {
    let strongest: Vec<String> = model
        .evaluation
        .importance
        .iter()
        .take(8)
        .map(|(n, v)| format!("{n} ({v:.2})"))
        .collect();
    t::method(
        cx.lang,
        &Method {
            horizon_days: model.config.horizon_days,
            trees: model.fitted.trees,
            features: model.fitted.features.len(),
            shapley: matches!(
                model.fitted.contributions,
                strata_churn::config::Contributions::Shapley
            ),
            strongest: &strongest,
            version: &model.version,
        },
    )
}

/// The churn rate of everyone in `tier` or above in the evaluation, as the report writes it.
fn rate_from(ev: &strata_churn::train::Evaluation, tier: RiskTier) -> String {
    ev.rate_from(tier).map_or_else(|| "–".to_string(), pct)
}
