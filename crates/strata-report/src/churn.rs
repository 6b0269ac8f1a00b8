//! The churn early-warning chapter: who is at risk and why, how good the model is, and what the
//! win-back playbooks cost and are expected to save.

use strata_charts::{
    BarChart, Block, Cell, Format, Kpi, Lang, Section, Series, Table, XYChart, XYSeries,
    format_value,
};
use strata_churn::ChurnModel;
use strata_churn::winback::{self, Candidate};

use crate::Result;
use crate::i18n::label;
use crate::query::rows;
use crate::sections::{Cx, HALF, PCT, YUAN, compact_money, pct};
use strata_churn::{RiskTier, Scorer};

fn model_name(lang: Lang, name: Scorer) -> String {
    match (name, lang) {
        (Scorer::Trees, Lang::Zh) => "梯度提升树".into(),
        (Scorer::Trees, Lang::En) => "Gradient-boosted trees".into(),
        (Scorer::Logistic, Lang::Zh) => "逻辑回归（基线）".into(),
        (Scorer::Logistic, Lang::En) => "Logistic regression (baseline)".into(),
        (Scorer::Recency, Lang::Zh) => "仅看距上次购买天数".into(),
        (Scorer::Recency, Lang::En) => "Recency alone".into(),
        (Scorer::PAlive, Lang::Zh) => "1 − 活跃概率（BTYD）".into(),
        (Scorer::PAlive, Lang::En) => "1 − P(alive) (BTYD)".into(),
    }
}

fn tier_name(lang: Lang, tier: &str) -> String {
    match (RiskTier::parse(tier), lang) {
        (Some(RiskTier::High), Lang::Zh) => "高风险".into(),
        (Some(RiskTier::Medium), Lang::Zh) => "中风险".into(),
        (Some(RiskTier::Low), Lang::Zh) => "低风险".into(),
        (Some(RiskTier::High), Lang::En) => "High".into(),
        (Some(RiskTier::Medium), Lang::En) => "Medium".into(),
        (Some(RiskTier::Low), Lang::En) => "Low".into(),
        (None, _) => tier.into(),
    }
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

pub async fn churn(cx: &Cx<'_>, model: Option<&ChurnModel>) -> Result<Option<Section>> {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let mut s = Section::new("churn", cx.t("流失预警", "Churn early warning"));
    let Some(model) = model else {
        return Ok(Some(s.with(Block::Callout(cx.t(
            "尚未训练流失模型。运行 strata churn train 后再生成报告，本章会给出风险分层、流失信号、模型质量与挽回预算。",
            "No churn model yet. Run strata churn train, then make the report again: this chapter then shows risk tiers, warning signals, model quality and the win-back budget.",
        )))));
    };
    if !has_scores(cx).await? {
        return Ok(Some(s.with(Block::Callout(cx.t(
            "客户表里还没有流失评分：运行 strata analyze 后再生成报告。",
            "The customer table has no churn scores yet: run strata analyze, then make the report again.",
        )))));
    }
    let ev = &model.evaluation;
    let cfg = &model.config;

    // Headline numbers.
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
    let cand = rows(
        cx.ctx,
        "SELECT risk_tier, churn_risk, value_if_retained, CAST(spend_12m AS DOUBLE), customer_id,
                rfm_segment, churn_reasons, churn_reasons_en
         FROM customer_profile WHERE churn_risk IS NOT NULL ORDER BY customer_id",
    )
    .await?;
    let (tiers, risk, value, spend) = (cand.text(0)?, cand.num(1)?, cand.num(2)?, cand.num(3)?);
    let list = winback::plan(
        cfg,
        (0..tiers.len()).filter_map(|i| {
            Some(Candidate {
                row: i,
                tier: RiskTier::parse(&tiers[i])?,
                risk: risk[i],
                value_if_retained: value[i],
                spend_12m: spend[i],
            })
        }),
    );
    let gbt = ev.get(Scorer::Trees);
    let recency = ev.get(Scorer::Recency);
    let auc = |x: Option<&strata_churn::train::Scored>| {
        x.and_then(|s| s.summary.roc_auc).unwrap_or(f64::NAN)
    };
    let cost: f64 = list.budgets.iter().map(|b| b.cost).sum();
    let saved: f64 = list.budgets.iter().map(|b| b.expected_saved).sum();
    s = s.with(Block::Kpis(vec![
        Kpi::new(
            cx.t("高风险客户", "High-risk customers"),
            format_value(high, Format::Integer),
        )
        .note(format!(
            "{} {} · {} {}",
            pct(high / scored.max(1.0)),
            cx.t("的预警客户", "of those watched"),
            cx.t("中风险", "medium"),
            format_value(medium, Format::Integer)
        )),
        Kpi::new(
            cx.t("风险中的价值", "Value at risk"),
            compact_money(lang, at_risk),
        )
        .note(cx.t(
            "高、中风险客户：流失概率 × 留存后 12 个月价值",
            "High and medium risk: churn probability × 12-month value if retained",
        )),
        Kpi::new(
            cx.t("模型 ROC AUC", "Model ROC AUC"),
            format_value(auc(gbt), Format::Decimal(3)),
        )
        .note(match lang {
            Lang::Zh => format!("仅看最近购买：{:.3}", auc(recency)),
            Lang::En => format!("recency alone: {:.3}", auc(recency)),
        }),
        Kpi::new(
            cx.t("挽回预期净收益", "Expected net value saved"),
            compact_money(lang, saved),
        )
        .note(match lang {
            Lang::Zh => format!(
                "{} 位客户，触达成本 {}",
                list.entries.len(),
                compact_money(lang, cost)
            ),
            Lang::En => format!(
                "{} customers, contact cost {}",
                list.entries.len(),
                compact_money(lang, cost)
            ),
        }),
    ]));

    // Risk by segment.
    let seg = rows(
        cx.ctx,
        "SELECT coalesce(rfm_segment, ''), count(*),
                avg(CASE WHEN risk_tier = 'high' THEN 1.0 ELSE 0.0 END),
                avg(CASE WHEN risk_tier = 'medium' THEN 1.0 ELSE 0.0 END),
                avg(churn_risk), sum(churn_risk * value_if_retained)
         FROM customer_profile WHERE churn_risk IS NOT NULL GROUP BY 1 ORDER BY 6 DESC",
    )
    .await?;
    let (names, n, hi, me, mean, var) = (
        seg.text(0)?,
        seg.num(1)?,
        seg.num(2)?,
        seg.num(3)?,
        seg.num(4)?,
        seg.num(5)?,
    );
    let tier_counts = rows(
        cx.ctx,
        "SELECT risk_tier, count(*) FROM customer_profile WHERE risk_tier IS NOT NULL GROUP BY 1",
    )
    .await?;
    let (tnames, tn) = (tier_counts.text(0)?, tier_counts.num(1)?);
    let count_of = |t: &str| tnames.iter().position(|x| x == t).map_or(0.0, |i| tn[i]);
    let tier_chart = BarChart {
        title: cx.t("风险分层", "Risk tiers"),
        categories: RiskTier::ALL
            .iter()
            .map(|t| tier_name(lang, t.as_str()))
            .collect(),
        series: vec![Series::new(
            cx.t("客户数", "Customers"),
            RiskTier::ALL.iter().map(|t| count_of(t.as_str())).collect(),
        )],
        format: Format::Integer,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let risk_chart = BarChart {
        title: cx.t("各 RFM 分群的高风险占比", "High-risk share by RFM segment"),
        categories: names.iter().map(|x| label(lang, x)).collect(),
        series: vec![
            Series::new(cx.t("高风险", "High"), hi.clone()),
            Series::new(cx.t("中风险", "Medium"), me.clone()),
        ],
        format: Format::Percent(0),
        width: HALF,
        lang,
        ..BarChart::default()
    };
    s = s
        .with(Block::Heading(cx.t("谁在流失", "Who is slipping away")))
        .with(Block::Grid(vec![
            Block::chart(tier_chart.to_svg()),
            Block::chart(risk_chart.to_svg()),
        ]))
        .with(Block::Table(Table {
            headers: vec![
                cx.t("RFM 分群", "RFM segment"),
                cx.t("预警客户", "Watched"),
                cx.t("高风险", "High risk"),
                cx.t("中风险", "Medium risk"),
                cx.t("平均流失概率", "Mean churn probability"),
                cx.t("风险中的价值", "Value at risk"),
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
            caption: Some(match lang {
                Lang::Zh => format!(
                    "预警范围：截至分析日最近 {} 天内有购买的客户。",
                    cfg.population_days
                ),
                Lang::En => format!(
                    "Watched: customers who bought in the {} days up to the analysis date.",
                    cfg.population_days
                ),
            }),
        }));

    // Signals.
    if !ev.signals.is_empty() {
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
                Cell::text(x.signal.describe(&cfg.signals, lang)),
                Cell::Number(now.first(i)?, PCT),
                Cell::Number(l.map_or(f64::NAN, |l| l.with_rate), PCT),
                Cell::Number(l.map_or(f64::NAN, |l| l.without_rate), PCT),
                Cell::Bar(
                    l.and_then(|l| l.ratio).unwrap_or(f64::NAN),
                    Format::Decimal(2),
                ),
            ]);
        }
        s = s
            .with(Block::Heading(cx.t("流失信号", "Warning signals")))
            .with(Block::Table(Table {
                headers: vec![
                    cx.t("信号", "Signal"),
                    cx.t("当前占比", "Share now"),
                    cx.t("有信号的流失率", "Churn rate with it"),
                    cx.t("无信号的流失率", "Without it"),
                    cx.t("倍数", "Ratio"),
                ],
                rows: table_rows,
                caption: Some(match lang {
                    Lang::Zh => format!(
                        "流失率来自模型评估：{} 时有信号与无信号客户在之后 {} 天内未再购买的比例。倍数低于 1 的信号多见于活跃客户（活跃的人才会加购、评价、找客服），单看不说明风险；模型把所有信号放在一起衡量。",
                        ev.window.cutoff, ev.window.horizon_days
                    ),
                    Lang::En => format!(
                        "Churn rates from the model's evaluation: the share of customers with and without the signal at {} who bought nothing in the next {} days. Signals with a ratio below 1 are common among active customers (only active customers cart, review or call service), so alone they say little; the model weighs all signals together.",
                        ev.window.cutoff, ev.window.horizon_days
                    ),
                }),
            }));
    }

    // Model quality.
    let roc = XYChart {
        title: cx.t("ROC 曲线（评估集）", "ROC curve (evaluation)"),
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
        x_label: Some(cx.t("误报率", "False-positive rate")),
        y_label: Some(cx.t("命中率", "True-positive rate")),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some(cx.t("随机", "Chance")),
        width: HALF,
        lang,
        ..XYChart::default()
    };
    let calibration = XYChart {
        title: cx.t(
            "校准：预测概率与实际流失率",
            "Calibration: predicted vs actual",
        ),
        series: vec![XYSeries::new(
            model_name(lang, Scorer::Trees),
            ev.calibration
                .iter()
                .map(|b| (b.mean_predicted, b.observed))
                .collect(),
        )],
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some(cx.t("预测流失概率", "Predicted churn probability")),
        y_label: Some(cx.t("实际流失率", "Actual churn rate")),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some(cx.t("完美校准", "Perfect calibration")),
        markers: true,
        width: HALF,
        lang,
        ..XYChart::default()
    };
    let quality_rows = ev
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
    let cutoffs: Vec<String> = model
        .training
        .cutoffs
        .iter()
        .map(|d| d.to_string())
        .collect();
    let split_note = match (model.split, lang) {
        (strata_churn::SplitKind::Time, Lang::Zh) => format!(
            "模型用 {} 的特征训练（共 {} 行客户×截止日；标签：之后 {} 天内是否下单），在它从未见过的 {} 上评估。",
            cutoffs.join("、"),
            model.training.customers,
            cfg.horizon_days,
            ev.window.cutoff
        ),
        (strata_churn::SplitKind::Time, Lang::En) => format!(
            "Trained on features as of {} ({} customer-cutoff rows; label: no order in the next {} days) and evaluated at {}, which it never saw.",
            cutoffs.join(", "),
            model.training.customers,
            cfg.horizon_days,
            ev.window.cutoff
        ),
        (strata_churn::SplitKind::Customers, Lang::Zh) => format!(
            "截至 {} 的客户分组交叉验证：每位客户由没见过他的模型评分。",
            ev.window.cutoff
        ),
        (strata_churn::SplitKind::Customers, Lang::En) => format!(
            "Cross-validated by customer at {}: each customer scored by a model fitted without them.",
            ev.window.cutoff
        ),
    };
    s = s
        .with(Block::Heading(cx.t("模型质量", "Model quality")))
        .with(Block::Grid(vec![
            Block::chart(roc.to_svg()),
            Block::chart(calibration.to_svg()),
        ]))
        .with(Block::Table(Table {
            headers: vec![
                cx.t("方法", "Method"),
                "ROC AUC".into(),
                "PR AUC".into(),
                cx.t("前 10% 流失率", "Top-10% churn rate"),
                cx.t("前 10% 召回", "Top-10% recall"),
                "Brier".into(),
            ],
            rows: quality_rows,
            caption: Some(format!(
                "{split_note} {}",
                match lang {
                    Lang::Zh => format!(
                        "评估客户 {} 位，流失率 {}。高风险从概率 {:.2} 起，中风险从 {:.2} 起。",
                        ev.window.customers,
                        pct(ev.window.base_rate),
                        model.tiers.high,
                        model.tiers.medium
                    ),
                    Lang::En => format!(
                        "{} customers evaluated, {} churned. High risk from probability {:.2}, medium from {:.2}.",
                        ev.window.customers,
                        pct(ev.window.base_rate),
                        model.tiers.high,
                        model.tiers.medium
                    ),
                }
            )),
        }));

    // The customers to call first.
    let ids = cand.text(4)?;
    let reasons = cand.text(if zh { 6 } else { 7 })?;
    let top: Vec<Vec<Cell>> = list
        .entries
        .iter()
        .take(10)
        .map(|e| {
            vec![
                Cell::text(ids[e.row].clone()),
                Cell::text(format!(
                    "{} {}",
                    tier_name(lang, &tiers[e.row]),
                    format_value(e.risk, Format::Percent(0))
                )),
                Cell::Number(e.value, YUAN),
                Cell::Number(e.expected_saved, YUAN),
                Cell::text(reasons[e.row].clone()),
            ]
        })
        .collect();
    if !top.is_empty() {
        s = s
            .with(Block::Heading(cx.t(
                "优先挽回的客户",
                "Customers to win back first",
            )))
            .with(Block::Table(Table {
                headers: vec![
                    cx.t("客户", "Customer"),
                    cx.t("流失风险", "Churn risk"),
                    cx.t("留存后 12 个月价值", "12-month value if kept"),
                    cx.t("预期净收益", "Expected net saved"),
                    cx.t("主要原因（来自模型）", "Main reasons (from the model)"),
                ],
                rows: top,
                caption: Some(match lang {
                    Lang::Zh => format!(
                        "按预期净收益排序的前 10 位（共 {} 位）。完整名单：strata churn score --export 名单.xlsx",
                        list.entries.len()
                    ),
                    Lang::En => format!(
                        "Top 10 of {} by expected net value saved. The whole list: strata churn score --export list.xlsx",
                        list.entries.len()
                    ),
                }),
            }));
    }

    // Playbooks and budget.
    let budget_rows = list
        .budgets
        .iter()
        .map(|b| {
            let p = &cfg.playbooks[b.playbook];
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
    s = s
        .with(Block::Heading(cx.t("挽回方案与预算", "Win-back playbooks and budget")))
        .with(Block::Table(Table {
            headers: vec![
                cx.t("方案", "Playbook"),
                cx.t("近 12 个月消费", "12-month spend"),
                cx.t("渠道与权益", "Channel and offer"),
                cx.t("客户", "Customers"),
                cx.t("触达成本", "Contact cost"),
                cx.t("风险中的价值", "Value at risk"),
                cx.t("预期净收益", "Expected net saved"),
            ],
            rows: budget_rows,
            caption: Some(match lang {
                Lang::Zh => format!(
                    "预期净收益 = 流失概率 × 留存后 12 个月价值 × 挽回率 − 触达成本，只列出为正的客户（另有 {} 位触达成本高于预期收益）。挽回率与成本在 strata.toml 的 [[churn.playbooks]] 中设置。",
                    list.not_worth_it
                ),
                Lang::En => format!(
                    "Expected net saved = churn probability × 12-month value if retained × save rate − contact cost, for customers where it is positive ({} more would cost more than they are expected to save). Save rates and costs are set in strata.toml under [[churn.playbooks]].",
                    list.not_worth_it
                ),
            }),
        }));

    // How the model was made.
    let feats: Vec<String> = ev
        .importance
        .iter()
        .take(8)
        .map(|(n, v)| format!("{n} ({v:.2})"))
        .collect();
    s = s.with(Block::Paragraph(match lang {
        Lang::Zh => format!(
            "方法：流失 = 截止日之后 {} 天内没有购买。梯度提升树（forust-ml，{} 棵树，{} 个特征）与逻辑回归基线在同一评估集上比较。每位客户的原因来自模型自身的逐特征贡献（{}），按特征组合并后取推高风险最多的三组。影响最大的特征（平均 |贡献|）：{}。模型 {}。",
            cfg.horizon_days,
            model.fitted.trees,
            model.fitted.features.len(),
            match model.fitted.contributions {
                strata_churn::config::Contributions::Path => "路径贡献：客户沿每棵树走过的每次分裂使预测变化多少，记在分裂所用的特征上",
                strata_churn::config::Contributions::Shapley => "精确的树 SHAP 值",
            },
            feats.join("、"),
            model.version
        ),
        Lang::En => format!(
            "Method: churned = no purchase in the {} days after the cutoff. Gradient-boosted trees (forust-ml, {} trees, {} features) and a logistic-regression baseline are compared on the same evaluation customers. Each customer's reasons come from the model's own per-feature contributions ({}), summed by feature group; the three groups that raised the risk most are shown. Strongest features (mean |contribution|): {}. Model {}.",
            cfg.horizon_days,
            model.fitted.trees,
            model.fitted.features.len(),
            match model.fitted.contributions {
                strata_churn::config::Contributions::Path => "path contributions: how much each split on the customer's way down each tree moves the prediction, booked to the feature split on",
                strata_churn::config::Contributions::Shapley => "exact tree SHAP values",
            },
            feats.join(", "),
            model.version
        ),
    }));
    Ok(Some(s))
}
