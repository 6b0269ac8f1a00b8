//! `strata query`, `strata status` and `strata schema`.

use std::path::Path;

use clap::Args;
use strata_app::{Overrides, Result, Session};
use strata_store::{TABLES, Workspace};

use crate::output::{OutputFormat, print_batches};

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// SQL to run; the tables are customers, orders, order_items, events and reviews.
    pub sql: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Show one table only.
    pub table: Option<String>,
    /// Print the data-model reference as Markdown (docs/data-model.md is made this way).
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(ws: &Path, args: &QueryArgs) -> Result<()> {
    let session = Session::open(ws, &Overrides::default())?;
    let batches = session.sql(&args.sql)?;
    print_batches(&batches, args.format)?;
    // A filter with a spelling import folds away matches nothing (an empty result, or a count
    // of 0): say what is stored.
    for n in strata_app::vocabulary::literal_notes(&session, &args.sql)? {
        eprintln!("note: {n}");
    }
    Ok(())
}

pub fn status(ws_dir: &Path) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let m = ws.manifest();
    println!(
        "workspace {} (generation {}, updated {})",
        ws_dir.display(),
        m.generation,
        m.updated_at
    );
    println!(
        "{:<12} {:>12} {:>6} {:>12}",
        "table", "rows", "parts", "bytes"
    );
    for t in TABLES {
        let state = m.tables.get(t.name).cloned().unwrap_or_default();
        println!(
            "{:<12} {:>12} {:>6} {:>12}",
            t.name,
            state.rows(),
            state.parts.len(),
            state.bytes()
        );
    }
    if !m.history.is_empty() {
        println!("\nrecent changes:");
        for h in m.history.iter().rev().take(10) {
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
