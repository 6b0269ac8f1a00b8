//! The demo: generate a synthetic shop as import files, then run the real pipeline on them
//! (import, churn training, the customer table, both reports), telling the caller each step.

use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use strata_charts::Lang;
use strata_demo::{DemoConfig, DemoSummary};
use strata_import::{ImportOptions, ImportSummary};

use crate::analyze::Analysis;
use crate::churn::Trained;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::session::Session;
use crate::settings::Overrides;

/// Marks a folder as made by the demo, so running it again may replace it.
const MARKER: &str = ".strata-demo";

/// A demo run.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    pub config: DemoConfig,
    /// The import files go to `out/data`, the workspace to `out/workspace`, the reports to
    /// `out/report.html` and `out/report-en.html`.
    pub out: PathBuf,
    /// Only write the files.
    pub no_import: bool,
}

/// What the demo has just done, for the caller to show.
#[derive(Debug)]
pub enum DemoStep<'a> {
    Generated {
        summary: &'a DemoSummary,
        data: &'a Path,
        seconds: f64,
    },
    Imported(&'a ImportSummary),
    /// An overview of the imported shop and its channels.
    Loaded {
        overview: &'a [RecordBatch],
        channels: &'a [RecordBatch],
    },
    /// The churn model, or why a very small shop has none (the rest goes on without it).
    Trained(std::result::Result<&'a Trained, &'a Error>),
    Analysed {
        analysis: &'a Analysis,
        segments: &'a [RecordBatch],
    },
    /// Example segments saved on the demo shop.
    Segmented(&'a [crate::segments::Saved]),
    Reported {
        lang: Lang,
        path: &'a Path,
        bytes: usize,
    },
}

/// Where the demo put things.
#[derive(Debug)]
pub struct DemoOutcome {
    pub data: PathBuf,
    pub workspace: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

/// Clears `out` for a new demo: only a folder the demo made, or an empty one.
fn prepare(out: &Path) -> Result<()> {
    if out.exists() {
        let marked = out.join(MARKER).exists();
        let empty = std::fs::read_dir(out)
            .map_err(crate::error::io(out))?
            .next()
            .is_none();
        if !marked && !empty {
            return Err(Error::invalid(format!(
                "{} exists and was not made by `strata demo`; choose another folder",
                out.display()
            )));
        }
        for sub in ["data", "workspace"] {
            let p = out.join(sub);
            if p.exists() {
                std::fs::remove_dir_all(&p).map_err(crate::error::io(&p))?;
            }
        }
    }
    let data = out.join("data");
    std::fs::create_dir_all(&data).map_err(crate::error::io(&data))?;
    let marker = out.join(MARKER);
    std::fs::write(&marker, "made by strata demo\n").map_err(crate::error::io(marker))
}

/// Runs the demo.
pub fn demo(
    req: &DemoRequest,
    generated_at: &str,
    progress: &mut dyn FnMut(Progress),
    step: &mut dyn FnMut(DemoStep<'_>),
) -> Result<DemoOutcome> {
    if req.config.customers == 0 {
        return Err(Error::invalid("a demo shop needs at least 1 customer"));
    }
    prepare(&req.out)?;
    let data = req.out.join("data");
    let total = req.config.customers;
    let started = std::time::Instant::now();
    let generated = strata_demo::generate(&req.config, &data, &mut |done| {
        progress(Progress::Items {
            what: "customers",
            done,
            total,
        })
    })
    .map_err(|e| Error::from(e).context("generating the demo shop failed"))?;
    step(DemoStep::Generated {
        summary: &generated,
        data: &data,
        seconds: started.elapsed().as_secs_f64(),
    });
    if req.no_import {
        return Ok(DemoOutcome {
            data,
            workspace: None,
            report: None,
        });
    }

    let ws_dir = req.out.join("workspace");
    crate::session::init(&ws_dir)?;
    let mut session = Session::open(&ws_dir, &Overrides::default())?;
    // The generator writes Shanghai times and CNY whatever the environment says.
    let mut opts = ImportOptions::default();
    // A demo shop may end in the future (`--end`); its own times are not typos.
    let end_of_data = req
        .config
        .end
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_micros());
    opts.values.now_us = end_of_data.map(|e| e.max(chrono::Utc::now().timestamp_micros()));
    let f = &generated.files;
    for (table, path) in [
        ("customers", &f.customers),
        ("orders", &f.orders),
        ("order_items", &f.order_items),
        ("events", &f.events),
        ("reviews", &f.reviews),
    ] {
        if table == "events" && !req.config.events {
            continue;
        }
        let spec = crate::import::table(table)?;
        let s = crate::import::import_files(
            &session,
            spec,
            std::slice::from_ref(path),
            &opts,
            progress,
        )?;
        step(DemoStep::Imported(&s));
    }

    session.reopen()?;
    let overview = session.sql(OVERVIEW_SQL)?;
    let channels = session.sql(CHANNELS_SQL)?;
    step(DemoStep::Loaded {
        overview: &overview,
        channels: &channels,
    });

    match crate::churn::train(&session, &crate::churn::TrainRequest::default()) {
        Ok(t) => step(DemoStep::Trained(Ok(&t))),
        // A very small demo shop may not have enough history or churners for a model; the
        // rest of the demo does not need one.
        Err(e) if e.kind().is_user_error() => step(DemoStep::Trained(Err(&e))),
        Err(e) => return Err(e),
    }
    let analysis = crate::analyze::analyze(&mut session)?;
    let segments = crate::analyze::segment_summary(&session)?;
    step(DemoStep::Analysed {
        analysis: &analysis,
        segments: &segments,
    });
    let has_risk = analysis
        .profile
        .batch
        .schema()
        .column_with_name("risk_tier")
        .is_some();
    let mut saved = Vec::new();
    for (name, rule, description) in demo_segments(has_risk) {
        saved.push(crate::segments::create(
            &mut session,
            name,
            rule,
            Some(description),
        )?);
    }
    step(DemoStep::Segmented(&saved));
    let mut report = None;
    for (lang, file) in [(Lang::Zh, "report.html"), (Lang::En, "report-en.html")] {
        let path = req.out.join(file);
        let rendered = crate::report::render(&mut session, lang, generated_at, false)?;
        crate::report::write(&path, &rendered.html)?;
        step(DemoStep::Reported {
            lang,
            path: &path,
            bytes: rendered.html.len(),
        });
        report.get_or_insert(path);
    }
    Ok(DemoOutcome {
        data,
        workspace: Some(ws_dir),
        report,
    })
}

/// Segments an operations team starts with: (name, rule, description).
fn demo_segments(has_risk: bool) -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "高价值VIP",
            "spend_tier in (diamond, gold)",
            "钻石与黄金客户：专属权益与新品优先",
        ),
        (
            "加购未付款",
            "did add_to_cart in last 7 days and not bought in last 7 days",
            "近 7 天加购但未下单：购物车提醒",
        ),
        if has_risk {
            (
                "高价值流失预警",
                "in segment 高价值VIP and risk_tier in (high, medium)",
                "高价值且流失风险高：专属客服回访",
            )
        } else {
            (
                "高价值流失预警",
                "in segment 高价值VIP and last_time(order) < 60 days ago",
                "高价值但 60 天未购：专属客服回访",
            )
        },
        (
            "差评客户",
            "reviewed rating <= 2 in last 90 days",
            "近 90 天给过差评：客服跟进与补偿",
        ),
    ]
}

const OVERVIEW_SQL: &str = "
SELECT
  (SELECT count(*) FROM customers) AS customers,
  count(*) AS orders,
  count(DISTINCT customer_id) AS buyers,
  CAST(sum(paid_amount) FILTER (WHERE status = 'paid') AS DECIMAL(18,2)) AS revenue,
  CAST(avg(paid_amount) FILTER (WHERE status = 'paid') AS DECIMAL(18,2)) AS avg_order_value,
  CAST(min(ordered_at AT TIME ZONE 'Asia/Shanghai') AS DATE) AS first_order,
  CAST(max(ordered_at AT TIME ZONE 'Asia/Shanghai') AS DATE) AS last_order,
  (SELECT count(*) FROM events) AS events,
  (SELECT count(*) FROM reviews) AS reviews
FROM orders";

const CHANNELS_SQL: &str = "
SELECT channel,
  count(*) AS orders,
  CAST(avg(paid_amount) AS DECIMAL(18,2)) AS avg_order_value,
  CAST(100.0 * count(*) / sum(count(*)) OVER () AS DECIMAL(5,1)) AS pct_of_orders
FROM orders WHERE status = 'paid'
GROUP BY channel ORDER BY orders DESC";
