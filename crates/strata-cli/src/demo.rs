//! `strata demo`: generate a synthetic shop as import files, then run the real pipeline on them.

use std::path::PathBuf;

use clap::Args;
use strata_app::Result;
use strata_app::demo::{DemoRequest, DemoStep};
use strata_demo::DemoConfig;

use crate::output::{Bar, OutputFormat, print_batches};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of customers to generate.
    #[arg(long, default_value_t = 20_000, env = "STRATA_DEMO_CUSTOMERS")]
    pub customers: u64,
    /// Random seed; the same seed gives the same shop.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Last day of the generated history (YYYY-MM-DD).
    #[arg(long, default_value = "2026-10-31", value_parser = crate::date)]
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

pub fn run(quiet: bool, a: &DemoArgs) -> Result<()> {
    if a.customers == 0 {
        return Err(crate::usage("--customers must be at least 1"));
    }
    let req = DemoRequest {
        config: DemoConfig {
            customers: a.customers,
            seed: a.seed,
            end: a.end,
            events: !a.no_events,
            ..DemoConfig::default()
        },
        out: a.out.clone(),
        no_import: a.no_import,
    };
    let bar = Bar::new(quiet);
    let mut shown: Result<()> = Ok(());
    let outcome = strata_app::demo::demo(
        &req,
        &crate::report::now(),
        &mut |p| bar.update(p),
        &mut |step| {
            bar.finish();
            if shown.is_ok() {
                shown = show(step);
            }
        },
    );
    bar.finish();
    let outcome = outcome?;
    shown?;
    if let (Some(ws), Some(report)) = (&outcome.workspace, &outcome.report) {
        println!(
            "\nopen the report: {}\nworkspace: {ws}\ntry: strata --workspace {ws} query \"SELECT rfm_segment, count(*) FROM customer_profile GROUP BY 1\"",
            report.display(),
            ws = ws.display()
        );
    }
    Ok(())
}

fn show(step: DemoStep<'_>) -> Result<()> {
    match step {
        DemoStep::Generated {
            summary: g,
            data,
            seconds,
        } => println!(
            "generated a shop of {} customers in {seconds:.1}s: {} orders, {} order lines, {} events, {} reviews in {}",
            g.customers,
            g.orders,
            g.order_items,
            g.events,
            g.reviews,
            data.display()
        ),
        DemoStep::Imported(s) => crate::import::print_summary(s),
        DemoStep::Loaded { overview, channels } => {
            println!("\nwhat was loaded:");
            print_batches(overview, OutputFormat::Table)?;
            print_batches(channels, OutputFormat::Table)?;
            println!("\nchurn early warning (strata churn train):");
        }
        DemoStep::Trained(Ok(t)) => crate::churn::print_trained(t, 5),
        DemoStep::Trained(Err(e)) => println!("no churn model: {e}"),
        DemoStep::Analysed { analysis, segments } => {
            crate::analyze::print_analysis(analysis);
            print_batches(segments, OutputFormat::Table)?;
        }
        DemoStep::Segmented(saved) => {
            println!("example segments (strata segment list):");
            for s in saved.iter() {
                let members = s
                    .refresh
                    .segments
                    .iter()
                    .find(|r| r.name == s.definition.name)
                    .map_or(0, |r| r.members);
                println!(
                    "  {}: {members} members  ({})",
                    s.definition.name, s.definition.rule
                );
            }
        }
        DemoStep::Reported { path, bytes, .. } => println!(
            "wrote the report ({} KB) to {}",
            bytes.div_ceil(1024),
            path.display()
        ),
    }
    Ok(())
}
