//! `strata demo`: generate a synthetic shop as import files, then run the real pipeline on them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use strata_demo::DemoConfig;
use strata_import::ImportOptions;
use strata_store::Workspace;

use crate::UserError;
use crate::query::{self, OutputFormat};

/// Marks a folder as made by `strata demo`, so running it again may replace it.
const MARKER: &str = ".strata-demo";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of customers to generate.
    #[arg(long, default_value_t = 20_000, env = "STRATA_DEMO_CUSTOMERS")]
    pub customers: u64,
    /// Random seed; the same seed gives the same shop.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Last day of the generated history (YYYY-MM-DD).
    #[arg(long, default_value = "2026-10-31")]
    pub end: chrono::NaiveDate,
    /// Output folder: the import files go to OUT/data, the workspace to OUT/workspace.
    #[arg(long, default_value = "strata-demo")]
    pub out: PathBuf,
    /// Only write the files; do not import them.
    #[arg(long)]
    pub no_import: bool,
    /// Leave out behaviour events (most of the data): a quicker shop of orders, items,
    /// customers and reviews, as the benchmarks use.
    #[arg(long)]
    pub no_events: bool,
}

fn prepare(out: &Path) -> Result<()> {
    if out.exists() {
        let marked = out.join(MARKER).exists();
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_none();
        if !marked && !empty {
            return Err(UserError(format!(
                "{} exists and was not made by `strata demo`; choose another --out",
                out.display()
            ))
            .into());
        }
        for sub in ["data", "workspace"] {
            let p = out.join(sub);
            if p.exists() {
                std::fs::remove_dir_all(&p)
                    .with_context(|| format!("cannot clear {}", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(out.join("data"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(out.join(MARKER), "made by strata demo\n")?;
    Ok(())
}

pub fn run(quiet: bool, args: &DemoArgs) -> Result<()> {
    if args.customers == 0 {
        return Err(UserError("--customers must be at least 1".into()).into());
    }
    prepare(&args.out)?;
    let data = args.out.join("data");
    let cfg = DemoConfig {
        customers: args.customers,
        seed: args.seed,
        end: args.end,
        events: !args.no_events,
        ..DemoConfig::default()
    };
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(args.customers);
        b.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} customers {eta}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        b.set_message("generating");
        b
    };
    let started = std::time::Instant::now();
    let generated = strata_demo::generate(&cfg, &data, &mut |done| bar.set_position(done))
        .context("generating the demo shop failed")?;
    bar.finish_and_clear();
    println!(
        "generated a shop of {} customers in {:.1}s: {} orders, {} order lines, {} events, {} reviews in {}",
        generated.customers,
        started.elapsed().as_secs_f64(),
        generated.orders,
        generated.order_items,
        generated.events,
        generated.reviews,
        data.display()
    );
    if args.no_import {
        return Ok(());
    }

    let ws_dir = args.out.join("workspace");
    crate::init(&ws_dir)?;
    let ws = Workspace::open(&ws_dir)?;
    let opts = ImportOptions::default();
    let f = &generated.files;
    let steps: [(&str, &PathBuf); 5] = [
        ("customers", &f.customers),
        ("orders", &f.orders),
        ("order_items", &f.order_items),
        ("events", &f.events),
        ("reviews", &f.reviews),
    ];
    for (table, path) in steps {
        if table == "events" && args.no_events {
            continue;
        }
        let spec = strata_store::table(table).expect("the demo writes canonical tables");
        let s = crate::import::run_one(&ws, spec, std::slice::from_ref(path), &opts, quiet)?;
        crate::import::print_summary(&s);
    }

    let ws = Workspace::open(&ws_dir)?;
    println!("\nwhat was loaded:");
    let overview = query::sql(&ws, OVERVIEW_SQL)?;
    query::write_batches(&mut std::io::stdout(), &overview, OutputFormat::Table)?;
    let channels = query::sql(&ws, CHANNELS_SQL)?;
    query::write_batches(&mut std::io::stdout(), &channels, OutputFormat::Table)?;

    println!("\nchurn early warning (strata churn train):");
    let trained = crate::churn::run(
        &ws_dir,
        &crate::churn::ChurnCommand::Train(crate::churn::TrainArgs {
            cutoff: None,
            horizon: None,
            split: crate::churn::SplitArg::Time,
            folds: 5,
            json: false,
        }),
    );
    // A very small demo shop may not have enough history or churners for a model; the rest
    // of the demo does not need one.
    if let Err(e) = trained {
        if !crate::is_user_error(&e) {
            return Err(e);
        }
        println!("no churn model: {e:#}");
    }
    crate::analyze::run(
        &ws_dir,
        &crate::analyze::AnalyzeArgs {
            as_of: None,
            export: vec![],
        },
    )?;
    for (lang, file) in [
        (crate::report::ReportLang::Zh, "report.html"),
        (crate::report::ReportLang::En, "report-en.html"),
    ] {
        crate::report::run(
            &ws_dir,
            &crate::report::ReportArgs {
                lang,
                out: Some(args.out.join(file)),
                as_of: None,
            },
        )?;
    }
    println!(
        "\nopen the report: {}\nworkspace: {ws}\ntry: strata --workspace {ws} query \"SELECT rfm_segment, count(*) FROM customer_profile GROUP BY 1\"",
        args.out.join("report.html").display(),
        ws = ws_dir.display()
    );
    Ok(())
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
