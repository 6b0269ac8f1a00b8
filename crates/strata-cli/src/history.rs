//! `strata history`, `strata undo`, `strata delete`.

use std::path::Path;

use clap::Args;
use strata_app::history::{DeleteRequest, Generation};
use strata_app::{Overrides, Result, Session};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show at most this many generations, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Go back to this generation (see `strata history`); default: before the latest change.
    #[arg(long, value_name = "GENERATION")]
    pub to: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Table to delete from: customers, orders, order-items, events or reviews.
    pub table: String,
    /// Rows to delete, as a condition over the table's columns, e.g. "status = 'cancelled'".
    #[arg(long = "where", value_name = "CONDITION")]
    pub condition: String,
    /// Count the rows that would be deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn history(ws: &Path, a: &HistoryArgs) -> Result<()> {
    let session = Session::open(ws, &Overrides::default())?;
    let all = strata_app::history::history(&session);
    if all.is_empty() {
        println!("no changes yet");
        return Ok(());
    }
    for g in all.iter().take(a.limit) {
        println!("{}", line(g));
    }
    if all.len() > a.limit {
        println!("… {} older (--limit)", all.len() - a.limit);
    }
    println!("\n* current   undo can go back to generations marked ↩ (`strata undo --to N`)");
    Ok(())
}

fn line(g: &Generation) -> String {
    let h = &g.entry;
    let mark = match (g.current, g.reachable) {
        (true, _) => "*",
        (false, true) => "↩",
        _ => " ",
    };
    let state = if g.in_effect { "" } else { "  (undone)" };
    let counts: Vec<String> = h
        .counts
        .iter()
        .filter(|(k, _)| k.as_str() != strata_store::RESTORED_KEY)
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let mut text = format!(
        "{mark} #{:<4} {}  {:<8} {}",
        h.generation, h.at, h.operation, h.table
    );
    if !h.sources.is_empty() {
        text.push_str(&format!("  {}", h.sources.join(", ")));
    }
    if !counts.is_empty() {
        text.push_str(&format!("  ({})", counts.join(", ")));
    }
    text.push_str(state);
    text
}

pub fn undo(ws: &Path, a: &UndoArgs) -> Result<()> {
    let mut session = Session::open(ws, &Overrides::default())?;
    let out = strata_app::history::undo(&mut session, a.to)?;
    println!(
        "back to generation {} (committed as generation {}; `strata undo --to {}` takes this back)",
        out.restored,
        out.generation,
        out.generation - 1
    );
    for h in &out.undone {
        println!("  undone: #{} {} {}", h.generation, h.operation, h.table);
    }
    for (table, before, after) in &out.tables {
        println!("  {table}: {before} → {after} rows");
    }
    Ok(())
}

pub fn delete(ws: &Path, a: &DeleteArgs) -> Result<()> {
    let mut session = Session::open(ws, &Overrides::default())?;
    let req = DeleteRequest {
        table: a.table.clone(),
        condition: a.condition.clone(),
        dry_run: a.dry_run,
    };
    let out = strata_app::history::delete(&mut session, &req)?;
    match out.generation {
        _ if a.dry_run => println!(
            "{}: {} of {} rows match; nothing deleted (dry run)",
            out.table, out.matched, out.rows_before
        ),
        Some(g) => println!(
            "{}: deleted {} of {} rows (generation {g}; `strata undo` brings them back)",
            out.table, out.matched, out.rows_before
        ),
        None => println!("{}: no rows match; nothing deleted", out.table),
    }
    Ok(())
}
