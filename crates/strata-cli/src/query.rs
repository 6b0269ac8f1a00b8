//! `strata query`, `strata status` and `strata schema`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use strata_app::analyze::Staleness;
use strata_app::export::{self, Export, QUERY_FORMATS};
use strata_app::freshness::{DerivedTable, ModelState, Refresh};
use strata_app::{Overrides, Result, Session};
use strata_store::TABLES;

use crate::output::{OutputFormat, print_batches};

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// SQL to run over the tables, derived tables and table functions listed below.
    pub sql: String,
    /// Output format on standard output.
    #[arg(
        long,
        short = 'f',
        value_enum,
        default_value = "table",
        conflicts_with = "out"
    )]
    pub format: OutputFormat,
    /// Write the result to this file instead: .csv (UTF-8 with BOM, opens in Excel), .xlsx or
    /// .parquet.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Show one table only.
    pub table: Option<String>,
    /// Print the data-model reference as Markdown (docs/data-model.md is made this way).
    #[arg(long)]
    pub markdown: bool,
}

/// The command that brings something up to date.
pub fn command(r: Refresh) -> &'static str {
    match r {
        Refresh::Analyze => "strata analyze",
        Refresh::TrainChurn => "strata churn train",
        Refresh::Segments => "strata segment refresh",
    }
}

/// What `strata query --help` lists after the options: every table, derived table and table
/// function, from the code that defines them.
pub fn help() -> String {
    let r = strata_app::query::reference();
    let first_sentence = |doc: &str| -> String {
        doc.split_once(". ")
            .map_or(doc, |(s, _)| s)
            .trim_end_matches('.')
            .to_string()
    };
    let mut out = String::from("Tables:\n");
    for (name, doc) in &r.tables {
        let _ = writeln!(out, "  {name:<18} {}", first_sentence(doc));
    }
    out.push_str("\nDerived tables (computed from the tables; `strata status` says whether each is current):\n");
    for d in strata_app::freshness::DERIVED {
        let _ = writeln!(
            out,
            "  {:<18} {} (`{}`)",
            d.name,
            first_sentence(d.doc),
            command(d.refresh)
        );
    }
    out.push_str(
        "\nTable functions (arguments are text literals; empty or NULL means the default):\n",
    );
    for f in r.functions {
        let _ = writeln!(out, "  {}\n      {}", f.usage, f.doc);
    }
    out.push_str("\nExample: strata query \"SELECT * FROM funnel('home,product,cart,paid', '1d', 'device')\"");
    out
}

pub fn run(ws: &Path, args: &QueryArgs) -> Result<()> {
    if let Some(out) = &args.out {
        export::Format::of_path(out, QUERY_FORMATS)?;
    }
    let session = Session::open(ws, &Overrides::default())?;
    let result = strata_app::query::query(&session, &args.sql)?;
    for t in &result.stale {
        if let (Some(why), Some(refresh)) = (&t.stale, t.refresh) {
            eprintln!(
                "warning: {} is out of date ({}); `{}` refreshes it",
                t.name,
                why.reason(),
                command(refresh)
            );
        }
    }
    match &args.out {
        Some(out) => {
            let rows = export::to_path(
                out,
                QUERY_FORMATS,
                &Export::table(&result.batches, "query"),
                session.settings.timezone(),
            )?;
            println!("wrote {rows} rows to {}", out.display());
        }
        None => print_batches(&result.batches, args.format)?,
    }
    // A filter with a spelling import folds away matches nothing (an empty result, or a count
    // of 0): say what is stored.
    for n in strata_app::vocabulary::literal_notes(&session, &args.sql)? {
        eprintln!("note: {n}");
    }
    Ok(())
}

fn derived_line(t: &DerivedTable) -> String {
    let state = match (&t.stale, t.refresh) {
        (_, None) => "written by another tool; whether it is current is unknown".to_string(),
        (None, Some(_)) => "current".to_string(),
        (Some(why), Some(r)) => format!("out of date: {}; run `{}`", why.reason(), command(r)),
    };
    format!(
        "{:<18} {:>10} {:>6} {:>12}  {state}",
        t.name, t.rows, t.parts, t.bytes
    )
}

fn model_line(m: &ModelState) -> String {
    let state = match (&m.stale, &m.problem) {
        (_, Some(problem)) => format!("cannot be used: {problem}; run `{}`", command(m.refresh)),
        (None, None) => "current".to_string(),
        (Some(Staleness::Missing), None) => format!("none trained; run `{}`", command(m.refresh)),
        (Some(why), None) => format!(
            "out of date: {}; run `{}`",
            why.reason(),
            command(m.refresh)
        ),
    };
    format!(
        "{:<18} {:<26} {state}",
        m.kind.name(),
        m.version.as_deref().unwrap_or("–")
    )
}

pub fn status(ws_dir: &Path) -> Result<()> {
    let s = strata_app::status::status(ws_dir)?;
    println!(
        "workspace {} (generation {}, updated {})",
        ws_dir.display(),
        s.generation,
        s.updated_at
    );
    println!(
        "{:<18} {:>10} {:>6} {:>12}",
        "table", "rows", "parts", "bytes"
    );
    for t in &s.tables {
        println!(
            "{:<18} {:>10} {:>6} {:>12}",
            t.name, t.rows, t.parts, t.bytes
        );
    }
    println!();
    println!(
        "{:<18} {:>10} {:>6} {:>12}  state",
        "derived table", "rows", "parts", "bytes"
    );
    for t in &s.derived {
        println!("{}", derived_line(t));
    }
    println!();
    println!("{:<18} {:<26} state", "model", "version");
    for m in &s.models {
        println!("{}", model_line(m));
    }
    if !s.history.is_empty() {
        println!("\nrecent changes:");
        for h in &s.history {
            let counts: Vec<String> = h.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            println!(
                "  #{} {} {} {} ({})",
                h.generation,
                h.at,
                h.operation,
                h.table,
                counts.join(", ")
            );
        }
    }
    Ok(())
}

pub fn schema(args: &SchemaArgs) -> Result<()> {
    if let Some(t) = &args.table {
        strata_app::schema::check_table(t)?;
    }
    if args.markdown {
        print!("{}", strata_app::schema::markdown(args.table.as_deref()));
        return Ok(());
    }
    for t in TABLES {
        if args
            .table
            .as_deref()
            .is_some_and(|o| o != t.name && o != t.cli_name)
        {
            continue;
        }
        println!("{} — {}", t.name, t.doc);
        for f in t.fields {
            println!(
                "  {:<20} {:<20} {:<9} {}",
                f.name,
                f.kind.label(),
                if f.required { "required" } else { "" },
                f.aliases.join(", ")
            );
        }
        println!();
    }
    if args
        .table
        .as_deref()
        .is_none_or(|o| o == strata_features::PROFILE_TABLE)
    {
        println!(
            "{} — the customer table `strata analyze` writes",
            strata_features::PROFILE_TABLE
        );
        for c in strata_features::COLUMNS.iter() {
            println!("  {:<20} {:<20} {}", c.name, c.data_type.to_string(), c.doc);
        }
    }
    Ok(())
}
