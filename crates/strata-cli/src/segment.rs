//! `strata segment …`: parse, call `strata_app::segments`, print.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use strata_app::export::{self, Export, TABLE_FORMATS};
use strata_app::segments::audience::{self, Channel, Target, Webhook};
use strata_app::segments::{self, Refreshed};
use strata_app::{Error, Overrides, Result, Session};

use crate::output::{OutputFormat, print_batches};

#[derive(Debug, Subcommand)]
pub enum SegmentCommand {
    /// Save a segment defined by a rule and compute its members (see docs/segments.md).
    Create {
        name: String,
        /// The rule, e.g. "spend_tier in (diamond, gold) and did add_to_cart in last 7 days".
        #[arg(long)]
        rule: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Save a new version of a segment (the old ones stay in its history).
    Edit {
        name: String,
        #[arg(long)]
        rule: Option<String>,
        /// A new description ("" removes it).
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a segment (its history stays; refused while another segment uses it).
    Delete { name: String },
    /// Check a rule against the workspace without saving it.
    Check {
        #[arg(long)]
        rule: String,
    },
    /// Every segment with its size and latest refresh.
    List,
    /// A segment's rule, size, share of customers and revenue, mean CLV, churn risk mix and
    /// history.
    Show { name: String },
    /// A segment's members.
    Members {
        name: String,
        #[arg(short, long, value_enum, default_value = "table")]
        format: OutputFormat,
        /// Write to a file instead (.csv with a byte-order mark, or .xlsx).
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Recompute the members of every segment (or those named) in one pass.
    Refresh { names: Vec<String> },
    /// Which conditions a customer meets and fails, with the values looked at.
    Explain { name: String, customer: String },
    /// Who entered and who left at the latest refresh (or at --at GENERATION).
    Diff {
        name: String,
        #[arg(long, value_name = "GENERATION")]
        at: Option<i64>,
        /// Show at most this many ids of each.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Pairwise overlap of two or more segments.
    Overlap {
        #[arg(required = true, num_args = 2..)]
        names: Vec<String>,
    },
    /// Hand the members a channel can reach to a file or a webhook, consent honoured.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub name: String,
    /// sms (phone), email (email), wechat (customer id) or ads (hashed phone and email).
    #[arg(long)]
    pub channel: String,
    /// A file: .csv (UTF-8 with a byte-order mark) or .xlsx.
    #[arg(
        short,
        long,
        conflicts_with = "webhook",
        required_unless_present = "webhook"
    )]
    pub out: Option<PathBuf>,
    /// Post JSON batches here instead, signed with STRATA_WEBHOOK_SECRET.
    #[arg(long)]
    pub webhook: Option<String>,
    /// Members per webhook request.
    #[arg(long, default_value_t = 500)]
    pub batch_size: usize,
    /// Seconds to wait for each webhook request.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

pub fn print_refresh(r: &Refreshed) {
    for (name, why) in &r.skipped {
        eprintln!("warning: segment {name} was not refreshed: {why}");
    }
    if r.analyzed {
        println!("the data changed since the customer table was computed: analysed it again");
    }
    for s in &r.segments {
        println!(
            "  {}: {} members (+{} entered, -{} left)",
            s.name, s.members, s.entered, s.left
        );
    }
    println!(
        "as of {}, {} segment{} in {:.2}s",
        r.as_of,
        r.segments.len(),
        if r.segments.len() == 1 { "" } else { "s" },
        r.seconds
    );
}

pub fn run(ws: &Path, cmd: &SegmentCommand) -> Result<()> {
    let mut session = Session::open(ws, &Overrides::default())?;
    let s = &mut session;
    match cmd {
        SegmentCommand::Create {
            name,
            rule,
            description,
        } => {
            let saved = segments::create(s, name, rule, description.as_deref())?;
            println!(
                "saved segment {name} (version {}): {}",
                saved.definition.version, saved.definition.rule
            );
            print_refresh(&saved.refresh);
        }
        SegmentCommand::Edit {
            name,
            rule,
            description,
        } => {
            let saved = segments::edit(s, name, rule.as_deref(), description.as_deref())?;
            println!(
                "saved segment {name} (version {}): {}",
                saved.definition.version, saved.definition.rule
            );
            print_refresh(&saved.refresh);
        }
        SegmentCommand::Delete { name } => {
            let d = segments::delete(s, name)?;
            println!(
                "deleted segment {name} (its {} versions stay in the history; `strata undo` restores it)",
                d.version - 1
            );
        }
        SegmentCommand::Check { rule } => {
            let r = segments::check(s, None, rule)?;
            println!("ok: {r}");
        }
        SegmentCommand::List => {
            let all = segments::list(s)?;
            if all.is_empty() {
                println!("no segments yet; `strata segment create NAME --rule \"…\"` makes one");
            }
            let stale = segments::stale(&s.ws)?;
            for l in all {
                let d = &l.definition;
                let when = l
                    .last_refresh
                    .as_ref()
                    .map_or("never refreshed".to_string(), |r| {
                        format!("as of {}, refreshed {}", r.as_of, r.refreshed_at)
                    });
                let mark = if stale.contains(&d.name) {
                    "  (out of date: `strata segment refresh`)"
                } else {
                    ""
                };
                println!(
                    "{}  v{}  {} members  {when}{mark}",
                    d.name, d.version, l.members
                );
                println!("    {}", d.rule);
                if let Some(desc) = &d.description {
                    println!("    {desc}");
                }
            }
        }
        SegmentCommand::Show { name } => {
            let x = segments::show(s, name)?;
            if let Some(r) = &x.refreshed {
                print_refresh(r);
            }
            let d = &x.definition;
            println!("{} (version {}, saved {})", d.name, d.version, d.created_at);
            if let Some(desc) = &d.description {
                println!("  {desc}");
            }
            println!("  rule: {}", d.rule);
            println!(
                "  members: {} of {} customers ({}); revenue {:.2} of {:.2} ({})",
                x.members,
                x.customers,
                pct(x.share()),
                x.revenue,
                x.total_revenue,
                pct(x.revenue_share())
            );
            if let Some(clv) = x.mean_clv {
                println!("  mean 12-month CLV: {clv:.2}");
            }
            if !x.risk_mix.is_empty() {
                let mix: Vec<String> = x.risk_mix.iter().map(|(t, n)| format!("{t} {n}")).collect();
                println!("  churn risk: {}", mix.join(", "));
            }
            if !x.refreshes.is_empty() {
                println!("  refreshes (newest last):");
                for r in x.refreshes.iter().rev().take(10).rev() {
                    println!(
                        "    #{} {} as of {}: {} members (+{} -{}), version {}",
                        r.generation,
                        r.refreshed_at,
                        r.as_of,
                        r.members,
                        r.entered,
                        r.left,
                        r.version
                    );
                }
            }
            let versions: Vec<_> = segments::versions(&s.ws)?
                .into_iter()
                .filter(|v| v.name == *name)
                .collect();
            if versions.len() > 1 {
                println!("  versions:");
                for v in versions {
                    println!(
                        "    v{} {} {}",
                        v.version,
                        v.created_at,
                        if v.deleted {
                            "(deleted)".into()
                        } else {
                            v.rule
                        }
                    );
                }
            }
        }
        SegmentCommand::Members { name, format, out } => {
            if let Some(out) = out {
                export::Format::of_path(out, TABLE_FORMATS)?;
            }
            let batches = segments::members(s, name)?;
            match out {
                Some(out) => {
                    let rows = export::to_path(
                        out,
                        TABLE_FORMATS,
                        &Export::table(&batches, name),
                        s.settings.timezone(),
                    )?;
                    println!("wrote {rows} members of {name} to {}", out.display());
                }
                None => print_batches(&batches, *format)?,
            }
        }
        SegmentCommand::Refresh { names } => {
            let r = segments::refresh(s, names)?;
            print_refresh(&r);
        }
        SegmentCommand::Explain { name, customer } => {
            let x = segments::explain(s, name, customer)?;
            println!(
                "{customer} is {}in {name}",
                if x.member { "" } else { "not " }
            );
            for c in &x.conditions {
                let value = match &c.value {
                    Some((what, Some(v))) => format!("  ({what}: {v})"),
                    Some((what, None)) => format!("  ({what}: empty)"),
                    None => String::new(),
                };
                println!(
                    "{}{} {}{value}",
                    "  ".repeat(c.depth + 1),
                    if c.holds { "✓" } else { "✗" },
                    c.text
                );
            }
        }
        SegmentCommand::Diff { name, at, limit } => {
            let d = segments::diff(s, name, *at)?;
            let Some(r) = &d.refresh else {
                println!("{name} has not been refreshed yet");
                return Ok(());
            };
            println!(
                "{name} at refresh #{} ({}, as of {}): {} entered, {} left; {} members",
                r.generation,
                r.refreshed_at,
                r.as_of,
                d.entered.len(),
                d.left.len(),
                r.members
            );
            for (label, ids) in [("entered", &d.entered), ("left", &d.left)] {
                if ids.is_empty() {
                    continue;
                }
                let shown: Vec<&str> = ids.iter().take(*limit).map(String::as_str).collect();
                let more = if ids.len() > *limit {
                    format!(" … and {} more (--limit)", ids.len() - limit)
                } else {
                    String::new()
                };
                println!("  {label}: {}{more}", shown.join(", "));
            }
            println!(
                "  all changes: SELECT * FROM segment_changes WHERE segment = '{}'",
                name.replace('\'', "''")
            );
        }
        SegmentCommand::Overlap { names } => {
            let o = segments::overlap(s, names)?;
            let width = o
                .names
                .iter()
                .map(|n| n.chars().count())
                .max()
                .unwrap_or(4)
                .max(8);
            print!("{:width$}", "");
            for n in &o.names {
                print!("  {n:>width$}");
            }
            println!();
            for (i, n) in o.names.iter().enumerate() {
                print!("{n:width$}");
                for j in 0..o.names.len() {
                    let both = o.both[i][j];
                    let cell = if i == j {
                        both.to_string()
                    } else {
                        let share = if o.sizes[i] == 0 {
                            0.0
                        } else {
                            both as f64 / o.sizes[i] as f64
                        };
                        format!("{both} ({})", pct(share))
                    };
                    print!("  {cell:>width$}");
                }
                println!();
            }
            println!(
                "(row: a segment; cell: members also in the column's segment, and their share of the row's)"
            );
        }
        SegmentCommand::Export(a) => return export_audience(s, a),
    }
    Ok(())
}

fn export_audience(s: &mut Session, a: &ExportArgs) -> Result<()> {
    let channel = Channel::parse(&a.channel)?;
    let target = match (&a.out, &a.webhook) {
        (Some(out), _) => Target::File(out.clone()),
        (None, Some(url)) => {
            if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 600.0) {
                return Err(Error::invalid(format!(
                    "--timeout {}: expected seconds from 0 to 600",
                    a.timeout
                )));
            }
            let mut w = Webhook::new(url);
            w.batch_size = a.batch_size;
            w.timeout = Duration::from_secs_f64(a.timeout);
            Target::Webhook(w)
        }
        (None, None) => return Err(Error::invalid("give -o FILE or --webhook URL")),
    };
    let e = audience::export(s, &a.name, channel, &target)?;
    println!(
        "{} of {} members of {} (version {}) → {} [{}]",
        e.rows,
        e.members,
        e.segment,
        e.version,
        e.target,
        e.columns.join(", ")
    );
    if e.no_consent > 0 {
        println!("  {} left out: no marketing consent", e.no_consent);
    }
    if e.no_contact > 0 {
        println!(
            "  {} left out: no {}",
            e.no_contact,
            channel.contact().unwrap_or("contact")
        );
    }
    if matches!(target, Target::Webhook(_)) {
        println!(
            "  {} of {} batches delivered",
            e.delivered_batches, e.batches
        );
        for f in &e.failed {
            println!(
                "  batch {} ({} members) failed after {} attempt{}: {}",
                f.batch,
                f.rows,
                f.attempts,
                if f.attempts == 1 { "" } else { "s" },
                f.error
            );
        }
        if !e.failed.is_empty() {
            return Err(Error::invalid(format!(
                "{} of {} batches were not delivered; running the export again resends them all with the same idempotency keys",
                e.failed.len(),
                e.batches
            )));
        }
    }
    Ok(())
}
