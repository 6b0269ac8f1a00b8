//! Segments in the workspace: definitions (versioned), membership kept current, what changed
//! at each refresh, statistics, overlap, explanations, and audiences out (see [`audience`]).
//!
//! Everything is a workspace table, written through the manifest's atomic commit and lock:
//! - `segments (name, version, rule, description, created_at, deleted, generation)`: every
//!   version of every definition; a deletion is a tombstone version.
//! - `segment_members (segment, customer_id, since)`: the current members.
//! - `segment_changes (segment, customer_id, change, refreshed_at, generation)`: who entered
//!   (`enter`) and who left (`leave`) at each refresh.
//! - `segment_refreshes (segment, version, refreshed_at, as_of, members, entered, left,
//!   generation)`: one row per segment per refresh.
//! - `segment_exports`: every audience handed out ([`audience`]).
//!
//! The rule language and its evaluation are `strata-segments`; this module stores, schedules
//! and summarises.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{
    ArrayRef, AsArray, BooleanArray, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use strata_segments::{Catalog, Clock, Explanation, Rule, SegmentError};
use strata_store::{HistoryEntry, Part, PartWriter, Transaction, Workspace};

use crate::error::{Error, Missing, Result};
use crate::session::{Session, block_on};

pub mod audience;

pub const DEFINITIONS: &str = "segments";
pub const MEMBERS: &str = "segment_members";
pub const CHANGES: &str = "segment_changes";
pub const REFRESHES: &str = "segment_refreshes";

/// The derived tables this module writes, with what each holds (for `query --help`).
pub const TABLES: &[(&str, &str)] = &[
    (
        DEFINITIONS,
        "every version of every segment definition (rule, description, deleted)",
    ),
    (
        MEMBERS,
        "the current members of every segment, with the refresh they entered at",
    ),
    (
        CHANGES,
        "who entered and who left each segment at each refresh",
    ),
    (
        REFRESHES,
        "one row per segment per refresh: members, entered, left, analysis date",
    ),
    (
        audience::EXPORTS,
        "every audience exported: who, when, which segment version, how many rows",
    ),
];

impl From<SegmentError> for Error {
    fn from(e: SegmentError) -> Self {
        use strata_store::ErrorKind;
        match e.kind() {
            ErrorKind::Invalid => Error::Invalid(e.to_string()),
            ErrorKind::NotFound => Error::NotFound(e.to_string()),
            _ => Error::Internal(e.to_string()),
        }
    }
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn definitions_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("name", DataType::Utf8, false),
        Field::new("version", DataType::Int64, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("description", DataType::Utf8, true),
        Field::new("created_at", ts_type(), false),
        Field::new("deleted", DataType::Boolean, false),
        Field::new("generation", DataType::Int64, false),
    ]))
}

fn members_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("segment", DataType::Utf8, false),
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("since", ts_type(), false),
    ]))
}

fn changes_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("segment", DataType::Utf8, false),
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("change", DataType::Utf8, false),
        Field::new("refreshed_at", ts_type(), false),
        Field::new("generation", DataType::Int64, false),
    ]))
}

fn refreshes_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("segment", DataType::Utf8, false),
        Field::new("version", DataType::Int64, false),
        Field::new("refreshed_at", ts_type(), false),
        Field::new("as_of", DataType::Utf8, false),
        Field::new("members", DataType::Int64, false),
        Field::new("entered", DataType::Int64, false),
        Field::new("left", DataType::Int64, false),
        Field::new("generation", DataType::Int64, false),
    ]))
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn us_text(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Writes `batch` as a new part of `table` in `txn`.
pub(crate) fn write_part(txn: &mut Transaction, table: &str, batch: &RecordBatch) -> Result<Part> {
    let (file, path) = txn.new_part_path(table)?;
    let mut w = PartWriter::create(&path, batch.schema())?;
    if batch.num_rows() > 0 {
        w.write(batch)?;
    }
    let (rows, bytes) = w.finish()?;
    Ok(Part { file, rows, bytes })
}

/// Every row of a workspace table as batches (none when the table has no parts).
fn read_table(ws: &Workspace, table: &str) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    for path in ws.part_paths(table) {
        for b in strata_store::read_part(&path, None, 64 * 1024)? {
            out.push(b?);
        }
    }
    Ok(out)
}

fn strings(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    b.column_by_name(name)
        .and_then(|c| strata_store::columns::texts(c).ok())
        .unwrap_or_else(|| vec![None; b.num_rows()])
}

/// Integers, and times as µs.
fn ints(b: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    b.column_by_name(name)
        .and_then(|c| strata_store::columns::i64s(c).ok())
        .unwrap_or_else(|| vec![None; b.num_rows()])
}

fn floats(b: &RecordBatch, i: usize) -> Option<f64> {
    strata_store::columns::f64_at(b.column(i), 0)
}

// ---------------------------------------------------------------------------------------------
// Definitions.

/// One version of a segment's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub version: i64,
    /// The rule in its canonical form.
    pub rule: String,
    pub description: Option<String>,
    /// When this version was saved (RFC 3339).
    pub created_at: String,
    pub deleted: bool,
    /// The workspace generation that saved it.
    pub generation: i64,
}

/// Every stored version, oldest first.
pub fn versions(ws: &Workspace) -> Result<Vec<Definition>> {
    let mut out = Vec::new();
    for b in read_table(ws, DEFINITIONS)? {
        let names = strings(&b, "name");
        let rules = strings(&b, "rule");
        let descs = strings(&b, "description");
        let versions = ints(&b, "version");
        let gens = ints(&b, "generation");
        let created = ints(&b, "created_at");
        let deleted = b.column_by_name("deleted").map(|c| c.as_boolean().clone());
        for i in 0..b.num_rows() {
            out.push(Definition {
                name: names[i].clone().unwrap_or_default(),
                version: versions[i].unwrap_or(0),
                rule: rules[i].clone().unwrap_or_default(),
                description: descs[i].clone(),
                created_at: created[i].map(us_text).unwrap_or_default(),
                deleted: deleted.as_ref().is_some_and(|d| d.value(i)),
                generation: gens[i].unwrap_or(0),
            });
        }
    }
    out.sort_by(|a, b| (&a.name, a.version).cmp(&(&b.name, b.version)));
    Ok(out)
}

/// The current definition of every segment that is not deleted, by name.
pub fn current(ws: &Workspace) -> Result<BTreeMap<String, Definition>> {
    let mut out = BTreeMap::new();
    for d in versions(ws)? {
        out.insert(d.name.clone(), d);
    }
    out.retain(|_, d| !d.deleted);
    Ok(out)
}

fn check_name(name: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid(format!("segment name `{name}`: {why}")));
    if name.trim().is_empty() {
        return bad("expected a name, such as vip or 高价值客户");
    }
    if name != name.trim() {
        return bad("starts or ends with a space");
    }
    if name.chars().count() > 64 {
        return bad("longer than 64 characters");
    }
    if name.chars().any(char::is_control) {
        return bad("has a control character");
    }
    Ok(())
}

/// The analysis date and time zone segments resolve relative windows against: those of the
/// current customer table.
fn clock(ws: &Workspace) -> Result<Clock> {
    let meta = crate::analyze::stored_meta(ws)?;
    let tz = strata_store::parse_timezone(&meta.timezone)?;
    Ok(Clock::new(meta.as_of, tz))
}

/// Brings the customer table up to date if it is not (segments are evaluated over it); the
/// analysis when it was recomputed (which refreshed every segment).
fn ensure_profile(session: &mut Session) -> Result<Option<crate::analyze::Analysis>> {
    let (model, _) = crate::analyze::usable_model(&session.ws);
    if crate::analyze::staleness(&session.ws, model.as_ref()).is_none() {
        return Ok(None);
    }
    if session.is_empty("orders") && session.is_empty("customers") {
        return Err(Error::Missing(Missing::CustomerTable));
    }
    Ok(Some(crate::analyze::analyze(session)?))
}

fn catalog(session: &Session, defs: &BTreeMap<String, Definition>) -> Result<Catalog> {
    let mut rules = BTreeMap::new();
    for (name, d) in defs {
        let rule = strata_segments::parse(&d.rule).map_err(|e| {
            Error::Internal(format!("stored segment `{name}` no longer parses: {e}"))
        })?;
        rules.insert(name.clone(), rule);
    }
    let ctx = session.context()?;
    Ok(block_on(strata_segments::catalog::load(&ctx, rules))??)
}

/// What saving a definition did.
#[derive(Debug, Clone)]
pub struct Saved {
    pub definition: Definition,
    pub refresh: Refreshed,
}

/// Checks `rule` for a segment called `name` against the workspace; its canonical form.
pub fn check(session: &mut Session, name: Option<&str>, rule: &str) -> Result<Rule> {
    ensure_profile(session)?;
    let defs = current(&session.ws)?;
    let catalog = catalog(session, &defs)?;
    Ok(strata_segments::Compiler::check(
        &catalog,
        clock(&session.ws)?,
        name,
        rule,
    )?)
}

/// Saves a new segment and computes its members.
pub fn create(
    session: &mut Session,
    name: &str,
    rule: &str,
    description: Option<&str>,
) -> Result<Saved> {
    check_name(name)?;
    if current(&session.ws)?.contains_key(name) {
        return Err(Error::invalid(format!(
            "segment `{name}` exists; `segment edit {name}` changes it"
        )));
    }
    save(
        session,
        name,
        Some(rule),
        description.map(str::to_string),
        "segment create",
    )
}

/// Saves a new version of a segment (a new rule, a new description, or both) and refreshes it.
pub fn edit(
    session: &mut Session,
    name: &str,
    rule: Option<&str>,
    description: Option<&str>,
) -> Result<Saved> {
    let defs = current(&session.ws)?;
    let Some(old) = defs.get(name) else {
        return Err(not_found(name, &defs));
    };
    if rule.is_none() && description.is_none() {
        return Err(Error::invalid(
            "nothing to change: give --rule, --description or both",
        ));
    }
    let description = match description {
        Some("") => None,
        Some(d) => Some(d.to_string()),
        None => old.description.clone(),
    };
    let rule = rule.unwrap_or(&old.rule).to_string();
    save(session, name, Some(&rule), description, "segment edit")
}

fn not_found(name: &str, defs: &BTreeMap<String, Definition>) -> Error {
    let hint = strata_store::names::nearest(name, defs.keys().map(String::as_str))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    let list = if defs.is_empty() {
        " (there are none yet; `segment create` makes one)".to_string()
    } else {
        String::new()
    };
    Error::NotFound(format!("no segment `{name}`{hint}{list}"))
}

fn definition_batch(d: &Definition, created_us: i64) -> Result<RecordBatch> {
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![d.name.clone()])),
        Arc::new(Int64Array::from(vec![d.version])),
        Arc::new(StringArray::from(vec![d.rule.clone()])),
        Arc::new(StringArray::from(vec![d.description.clone()])),
        Arc::new(TimestampMicrosecondArray::from(vec![created_us]).with_timezone("UTC")),
        Arc::new(BooleanArray::from(vec![d.deleted])),
        Arc::new(Int64Array::from(vec![d.generation])),
    ];
    Ok(RecordBatch::try_new(definitions_schema(), cols)?)
}

fn save(
    session: &mut Session,
    name: &str,
    rule: Option<&str>,
    description: Option<String>,
    operation: &'static str,
) -> Result<Saved> {
    let started = Instant::now();
    ensure_profile(session)?;
    let rule = rule.unwrap_or_default();
    let canonical = check(session, Some(name), rule)?.to_string();
    let version = versions(&session.ws)?
        .iter()
        .filter(|d| d.name == name)
        .map(|d| d.version)
        .max()
        .unwrap_or(0)
        + 1;
    let created = now_us();
    let d = Definition {
        name: name.to_string(),
        version,
        rule: canonical,
        description,
        created_at: us_text(created),
        deleted: false,
        // Set to the commit's generation when written.
        generation: 0,
    };
    // The definition and the members it gives (and those of the segments that use it) are
    // one commit: undo takes back both.
    let pending = Pending {
        definition: d,
        created_us: created,
        operation,
    };
    let refresh = refresh_inner(session, &[name.to_string()], false, started, Some(&pending))?;
    let definition = current(&session.ws)?
        .remove(name)
        .ok_or_else(|| Error::Internal(format!("segment `{name}` was not saved")))?;
    Ok(Saved {
        definition,
        refresh,
    })
}

/// A definition to save in the same commit as the refresh it causes.
pub(crate) struct Pending {
    definition: Definition,
    created_us: i64,
    operation: &'static str,
}

/// `names` and every segment that uses one of them, directly or through others.
fn with_dependents(defs: &BTreeMap<String, Definition>, names: &[String]) -> Vec<String> {
    let mut out: BTreeSet<String> = names.iter().cloned().collect();
    loop {
        let before = out.len();
        for (n, d) in defs {
            if out.contains(n) {
                continue;
            }
            if let Ok(r) = strata_segments::parse(&d.rule)
                && r.segments().iter().any(|s| out.contains(&s.text))
            {
                out.insert(n.clone());
            }
        }
        if out.len() == before {
            return out.into_iter().collect();
        }
    }
}

/// Deletes a segment: a tombstone version (its history stays) and its members removed.
/// Refused while another segment uses it.
pub fn delete(session: &mut Session, name: &str) -> Result<Definition> {
    let defs = current(&session.ws)?;
    let Some(old) = defs.get(name) else {
        return Err(not_found(name, &defs));
    };
    let users: Vec<&str> = defs
        .values()
        .filter(|d| d.name != name)
        .filter(|d| {
            strata_segments::parse(&d.rule)
                .map(|r| r.segments().iter().any(|n| n.text == name))
                .unwrap_or(false)
        })
        .map(|d| d.name.as_str())
        .collect();
    if !users.is_empty() {
        return Err(Error::invalid(format!(
            "segment `{name}` is used by {}; edit or delete {} first",
            users
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if users.len() == 1 { "it" } else { "them" }
        )));
    }
    let mut txn = session.ws.begin()?;
    let generation = txn.generation() as i64;
    let created = now_us();
    let d = Definition {
        version: old.version + 1,
        deleted: true,
        generation,
        created_at: us_text(created),
        ..old.clone()
    };
    let part = write_part(&mut txn, DEFINITIONS, &definition_batch(&d, created)?)?;
    txn.add_part(DEFINITIONS, part);
    // The members of the others stay.
    let kept = members_except(&session.ws, &[name.to_string()])?;
    let part = write_part(&mut txn, MEMBERS, &kept)?;
    txn.replace_table(MEMBERS, vec![part]);
    txn.record(HistoryEntry {
        generation: generation as u64,
        at: now_text(),
        operation: "segment delete".into(),
        table: DEFINITIONS.into(),
        sources: vec![name.to_string()],
        counts: BTreeMap::new(),
    });
    txn.commit()?;
    session.reopen()?;
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Membership.

/// What one segment's refresh found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRefresh {
    pub name: String,
    pub version: i64,
    pub members: u64,
    pub entered: u64,
    pub left: u64,
}

/// What a refresh did.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub segments: Vec<SegmentRefresh>,
    /// Segments left as they were because their rule no longer fits the data, with why.
    pub skipped: Vec<(String, String)>,
    /// The analysis date the windows resolved against.
    pub as_of: chrono::NaiveDate,
    /// The customer table was recomputed first (the data had changed).
    pub analyzed: bool,
    pub seconds: f64,
    pub generation: u64,
}

/// Current members of every segment except `skip`, as one batch.
fn members_except(ws: &Workspace, skip: &[String]) -> Result<RecordBatch> {
    let mut seg = Vec::new();
    let mut ids = Vec::new();
    let mut since = Vec::new();
    for b in read_table(ws, MEMBERS)? {
        let s = strings(&b, "segment");
        let c = strings(&b, "customer_id");
        let t = ints(&b, "since");
        for i in 0..b.num_rows() {
            let name = s[i].clone().unwrap_or_default();
            if skip.contains(&name) {
                continue;
            }
            seg.push(name);
            ids.push(c[i].clone().unwrap_or_default());
            since.push(t[i].unwrap_or(0));
        }
    }
    members_batch(seg, ids, since)
}

fn members_batch(seg: Vec<String>, ids: Vec<String>, since: Vec<i64>) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new(
        members_schema(),
        vec![
            Arc::new(StringArray::from(seg)),
            Arc::new(StringArray::from(ids)),
            Arc::new(TimestampMicrosecondArray::from(since).with_timezone("UTC")),
        ],
    )?)
}

/// Current members of one segment with the time each entered.
fn stored_members(ws: &Workspace, name: &str) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for b in read_table(ws, MEMBERS)? {
        let s = strings(&b, "segment");
        let c = strings(&b, "customer_id");
        let t = ints(&b, "since");
        for i in 0..b.num_rows() {
            if s[i].as_deref() == Some(name)
                && let Some(id) = &c[i]
            {
                out.insert(id.clone(), t[i].unwrap_or(0));
            }
        }
    }
    Ok(out)
}

/// Recomputes the members of the named segments (all when `names` is empty) in one pass over
/// the data, records who entered and left, and commits it all at once. Brings the customer
/// table up to date first when the data changed since it was computed.
pub fn refresh(session: &mut Session, names: &[String]) -> Result<Refreshed> {
    let started = Instant::now();
    // A new customer table comes with every segment refreshed over it.
    if let Some(analysis) = ensure_profile(session)?
        && let Some(mut r) = analysis.segments
    {
        r.analyzed = true;
        r.seconds = started.elapsed().as_secs_f64();
        if !names.is_empty() {
            r.segments.retain(|s| names.contains(&s.name));
        }
        return Ok(r);
    }
    refresh_inner(session, names, false, started, None)
}

pub(crate) fn refresh_inner(
    session: &mut Session,
    names: &[String],
    analyzed: bool,
    started: Instant,
    pending: Option<&Pending>,
) -> Result<Refreshed> {
    let mut defs = current(&session.ws)?;
    if let Some(p) = pending {
        defs.insert(p.definition.name.clone(), p.definition.clone());
    }
    for n in names {
        if !defs.contains_key(n) {
            return Err(not_found(n, &defs));
        }
    }
    let only: Vec<String> = if names.is_empty() {
        defs.keys().cloned().collect()
    } else {
        with_dependents(&defs, names)
    };
    let clock = clock(&session.ws)?;
    let as_of = crate::analyze::stored_meta(&session.ws)?.as_of;
    if only.is_empty() {
        return Ok(Refreshed {
            segments: Vec::new(),
            skipped: Vec::new(),
            as_of,
            analyzed,
            seconds: started.elapsed().as_secs_f64(),
            generation: session.ws.manifest().generation,
        });
    }
    let catalog = catalog(session, &defs)?;
    // A segment whose rule no longer fits the customer table (a churn column gone with its
    // model) is skipped and said, not allowed to stop the others or an analysis. A rule being
    // saved must fit: its check ran before.
    let mut skipped = Vec::new();
    let mut only = only;
    only.retain(|name| {
        let mut c = strata_segments::Compiler::new(&catalog, clock);
        match c.segment(name) {
            Ok(_) => true,
            Err(e) => {
                skipped.push((name.clone(), e.to_string()));
                false
            }
        }
    });
    if let Some(p) = pending
        && let Some((_, why)) = skipped.iter().find(|(n, _)| *n == p.definition.name)
    {
        return Err(Error::invalid(why.clone()));
    }
    if only.is_empty() {
        return Ok(Refreshed {
            segments: Vec::new(),
            skipped,
            as_of,
            analyzed,
            seconds: started.elapsed().as_secs_f64(),
            generation: session.ws.manifest().generation,
        });
    }
    let compiled = strata_segments::compile_all(&catalog, clock, Some(&only))?;
    let ctx = session.context()?;
    let found = block_on(strata_segments::members(&ctx, &catalog, &compiled, clock))??;

    let mut txn = session.ws.begin()?;
    let generation = txn.generation() as i64;
    let at = now_us();
    if let Some(p) = pending {
        let d = Definition {
            generation,
            ..p.definition.clone()
        };
        let part = write_part(&mut txn, DEFINITIONS, &definition_batch(&d, p.created_us)?)?;
        txn.add_part(DEFINITIONS, part);
    }
    // One read of the stored members: the rows of segments not refreshed are kept as they
    // are; those of refreshed ones are looked up by position in the new customer list.
    let index: HashMap<&str, u32> = found
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let slot: HashMap<&str, usize> = found
        .segments
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_str(), i))
        .collect();
    let mut before: Vec<HashMap<u32, i64>> = vec![HashMap::new(); found.segments.len()];
    // Former members who are no longer customers at all (deleted data): they left.
    let mut vanished: Vec<Vec<String>> = vec![Vec::new(); found.segments.len()];
    let mut kept_parts = Vec::new();
    for b in read_table(&session.ws, MEMBERS)? {
        let segs = strings(&b, "segment");
        let ids = strings(&b, "customer_id");
        let since = ints(&b, "since");
        let mut keep = Vec::with_capacity(b.num_rows());
        for i in 0..b.num_rows() {
            let seg = segs[i].as_deref().unwrap_or("");
            match slot.get(seg) {
                Some(&k) => {
                    keep.push(false);
                    let id = ids[i].as_deref().unwrap_or("");
                    match index.get(id) {
                        Some(&pos) => {
                            before[k].insert(pos, since[i].unwrap_or(at));
                        }
                        None => vanished[k].push(id.to_string()),
                    }
                }
                // A deleted segment's leftovers go; others stay.
                None => keep.push(defs.contains_key(seg)),
            }
        }
        let kept = arrow::compute::filter_record_batch(&b, &BooleanArray::from(keep))?;
        if kept.num_rows() > 0 {
            kept_parts.push(RecordBatch::try_new(
                members_schema(),
                kept.columns().to_vec(),
            )?);
        }
    }
    let mut seg = arrow::array::StringBuilder::new();
    let mut ids = arrow::array::StringBuilder::new();
    let mut since: Vec<i64> = Vec::new();
    let (mut c_seg, mut c_id, mut c_change) = (Vec::new(), Vec::new(), Vec::new());
    let mut report = Vec::new();
    for (k, (name, list)) in found.segments.iter().enumerate() {
        let old = &before[k];
        let mut entered = 0u64;
        for &pos in list {
            let id = found.ids[pos as usize].as_str();
            seg.append_value(name);
            ids.append_value(id);
            match old.get(&pos) {
                Some(&t) => since.push(t),
                None => {
                    since.push(at);
                    entered += 1;
                    c_seg.push(name.clone());
                    c_id.push(id.to_string());
                    c_change.push("enter");
                }
            }
        }
        let now: BTreeSet<u32> = list.iter().copied().collect();
        let mut gone: Vec<String> = old
            .keys()
            .filter(|p| !now.contains(p))
            .map(|&p| found.ids[p as usize].clone())
            .chain(vanished[k].iter().cloned())
            .collect();
        gone.sort();
        for id in &gone {
            c_seg.push(name.clone());
            c_id.push(id.clone());
            c_change.push("leave");
        }
        report.push(SegmentRefresh {
            name: name.clone(),
            version: defs[name].version,
            members: list.len() as u64,
            entered,
            left: gone.len() as u64,
        });
    }
    // Members: the others' rows kept, these replaced.
    let fresh = RecordBatch::try_new(
        members_schema(),
        vec![
            Arc::new(seg.finish()),
            Arc::new(ids.finish()),
            Arc::new(TimestampMicrosecondArray::from(since).with_timezone("UTC")),
        ],
    )?;
    kept_parts.push(fresh);
    let all = arrow::compute::concat_batches(&members_schema(), &kept_parts)?;
    let part = write_part(&mut txn, MEMBERS, &all)?;
    txn.replace_table(MEMBERS, vec![part]);
    if !c_seg.is_empty() {
        let n = c_seg.len();
        let changes = RecordBatch::try_new(
            changes_schema(),
            vec![
                Arc::new(StringArray::from(c_seg)),
                Arc::new(StringArray::from(c_id)),
                Arc::new(StringArray::from(c_change)),
                Arc::new(TimestampMicrosecondArray::from(vec![at; n]).with_timezone("UTC")),
                Arc::new(Int64Array::from(vec![generation; n])),
            ],
        )?;
        let part = write_part(&mut txn, CHANGES, &changes)?;
        txn.add_part(CHANGES, part);
    }
    let k = report.len();
    let refreshes = RecordBatch::try_new(
        refreshes_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                report.iter().map(|r| r.name.as_str()),
            )),
            Arc::new(Int64Array::from_iter_values(
                report.iter().map(|r| r.version),
            )),
            Arc::new(TimestampMicrosecondArray::from(vec![at; k]).with_timezone("UTC")),
            Arc::new(StringArray::from(vec![as_of.to_string(); k])),
            Arc::new(Int64Array::from_iter_values(
                report.iter().map(|r| r.members as i64),
            )),
            Arc::new(Int64Array::from_iter_values(
                report.iter().map(|r| r.entered as i64),
            )),
            Arc::new(Int64Array::from_iter_values(
                report.iter().map(|r| r.left as i64),
            )),
            Arc::new(Int64Array::from(vec![generation; k])),
        ],
    )?;
    let part = write_part(&mut txn, REFRESHES, &refreshes)?;
    txn.add_part(REFRESHES, part);
    let mut counts = BTreeMap::new();
    counts.insert("segments".to_string(), k as u64);
    counts.insert(
        "entered".to_string(),
        report.iter().map(|r| r.entered).sum(),
    );
    counts.insert("left".to_string(), report.iter().map(|r| r.left).sum());
    let (operation, table, sources) = match pending {
        Some(p) => {
            let d = &p.definition;
            counts.insert("version".to_string(), d.version as u64);
            (
                p.operation,
                DEFINITIONS,
                vec![format!("{} v{}: {}", d.name, d.version, d.rule)],
            )
        }
        None => ("segment refresh", MEMBERS, vec![format!("as of {as_of}")]),
    };
    txn.record(HistoryEntry {
        generation: generation as u64,
        at: now_text(),
        operation: operation.into(),
        table: table.into(),
        sources,
        counts,
    });
    txn.commit()?;
    session.reopen()?;
    Ok(Refreshed {
        segments: report,
        skipped,
        as_of,
        analyzed,
        seconds: started.elapsed().as_secs_f64(),
        generation: generation as u64,
    })
}

/// One refresh of one segment, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshRecord {
    pub segment: String,
    pub version: i64,
    pub refreshed_at: String,
    pub as_of: String,
    pub members: i64,
    pub entered: i64,
    pub left: i64,
    pub generation: i64,
}

/// Every recorded refresh, oldest first.
pub fn refreshes(ws: &Workspace) -> Result<Vec<RefreshRecord>> {
    let mut out = Vec::new();
    for b in read_table(ws, REFRESHES)? {
        let s = strings(&b, "segment");
        let a = strings(&b, "as_of");
        let v = ints(&b, "version");
        let m = ints(&b, "members");
        let e = ints(&b, "entered");
        let l = ints(&b, "left");
        let g = ints(&b, "generation");
        let t = ints(&b, "refreshed_at");
        for i in 0..b.num_rows() {
            out.push(RefreshRecord {
                segment: s[i].clone().unwrap_or_default(),
                version: v[i].unwrap_or(0),
                refreshed_at: t[i].map(us_text).unwrap_or_default(),
                as_of: a[i].clone().unwrap_or_default(),
                members: m[i].unwrap_or(0),
                entered: e[i].unwrap_or(0),
                left: l[i].unwrap_or(0),
                generation: g[i].unwrap_or(0),
            });
        }
    }
    out.sort_by_key(|r| r.generation);
    Ok(out)
}

/// The segments whose members are not current: never refreshed, refreshed before their
/// definition (or one they use) changed, or before the customer table was recomputed.
pub fn stale(ws: &Workspace) -> Result<Vec<String>> {
    let defs = current(ws)?;
    let refs = refreshes(ws)?;
    let analyzed_at = ws
        .manifest()
        .lineage()
        .iter()
        .rev()
        .find(|h| h.operation == strata_features::PROFILE_OPERATION)
        .map_or(0, |h| h.generation as i64);
    let last: HashMap<&str, i64> = refs
        .iter()
        .map(|r| (r.segment.as_str(), r.generation))
        .collect();
    let mut out = Vec::new();
    for name in defs.keys() {
        // The newest definition among this segment and every segment it uses.
        let mut newest = 0;
        let mut todo = vec![name.clone()];
        let mut seen = BTreeSet::new();
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(d) = defs.get(&n) {
                newest = newest.max(d.generation);
                if let Ok(r) = strata_segments::parse(&d.rule) {
                    todo.extend(r.segments().iter().map(|s| s.text.clone()));
                }
            }
        }
        match last.get(name.as_str()) {
            Some(&g) if g >= newest && g >= analyzed_at => {}
            _ => out.push(name.clone()),
        }
    }
    Ok(out)
}

/// Refreshes what is not current before a read: the customer table if the data changed, then
/// the stale segments.
pub fn ensure_fresh(session: &mut Session) -> Result<Option<Refreshed>> {
    let started = Instant::now();
    if let Some(analysis) = ensure_profile(session)?
        && let Some(mut r) = analysis.segments
    {
        r.analyzed = true;
        return Ok(Some(r));
    }
    let stale = stale(&session.ws)?;
    if stale.is_empty() {
        return Ok(None);
    }
    Ok(Some(refresh_inner(session, &stale, false, started, None)?))
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// A segment with its size and latest refresh, for lists.
#[derive(Debug, Clone)]
pub struct Listed {
    pub definition: Definition,
    pub members: i64,
    pub last_refresh: Option<RefreshRecord>,
}

pub fn list(session: &mut Session) -> Result<Vec<Listed>> {
    let refs = refreshes(&session.ws)?;
    let defs = current(&session.ws)?;
    Ok(defs
        .into_values()
        .map(|d| {
            let last = refs.iter().rev().find(|r| r.segment == d.name).cloned();
            Listed {
                members: last.as_ref().map_or(0, |r| r.members),
                last_refresh: last,
                definition: d,
            }
        })
        .collect())
}

/// What `show` says of a segment.
#[derive(Debug, Clone)]
pub struct Shown {
    pub definition: Definition,
    pub members: u64,
    pub customers: u64,
    pub revenue: f64,
    pub total_revenue: f64,
    /// Mean 12-month CLV of the members (when the customer table has it).
    pub mean_clv: Option<f64>,
    /// Members by churn risk tier (when scored), highest first.
    pub risk_mix: Vec<(String, u64)>,
    pub refreshes: Vec<RefreshRecord>,
    pub refreshed: Option<Refreshed>,
}

impl Shown {
    pub fn share(&self) -> f64 {
        if self.customers == 0 {
            0.0
        } else {
            self.members as f64 / self.customers as f64
        }
    }

    pub fn revenue_share(&self) -> f64 {
        if self.total_revenue <= 0.0 {
            0.0
        } else {
            self.revenue / self.total_revenue
        }
    }
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub fn show(session: &mut Session, name: &str) -> Result<Shown> {
    let refreshed = ensure_fresh(session)?;
    let defs = current(&session.ws)?;
    let Some(d) = defs.get(name).cloned() else {
        return Err(not_found(name, &defs));
    };
    let ctx = session.context()?;
    let has = |c: &str| {
        block_on(async {
            ctx.table("customer_profile")
                .await
                .map(|t| t.schema().has_column_with_unqualified_name(c))
        })
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or(false)
    };
    let clv = if has("clv_12m") {
        "avg(p.clv_12m)"
    } else {
        "CAST(NULL AS DOUBLE)"
    };
    // The segment name is data here, compared as a quoted literal; never part of the query's
    // structure.
    let sql = format!(
        "SELECT count(*) AS members, CAST(coalesce(sum(p.monetary), 0) AS DOUBLE) AS revenue,
                {clv} AS mean_clv,
                (SELECT count(*) FROM customer_profile) AS customers,
                (SELECT CAST(coalesce(sum(monetary), 0) AS DOUBLE) FROM customer_profile) AS total
         FROM segment_members m JOIN customer_profile p ON p.customer_id = m.customer_id
         WHERE m.segment = {}",
        sql_text(name)
    );
    let b = members_query(session, &sql)?;
    let f = |i: usize| b.first().and_then(|b| floats(b, i));
    let members = f(0).unwrap_or(0.0) as u64;
    let mut risk_mix = Vec::new();
    if has("risk_tier") {
        let sql = format!(
            "SELECT coalesce(p.risk_tier, 'unscored') AS tier, count(*) AS n
             FROM segment_members m JOIN customer_profile p ON p.customer_id = m.customer_id
             WHERE m.segment = {} GROUP BY 1",
            sql_text(name)
        );
        for b in members_query(session, &sql)? {
            let t = strings(&b, "tier");
            let n = ints(&b, "n");
            for i in 0..b.num_rows() {
                risk_mix.push((t[i].clone().unwrap_or_default(), n[i].unwrap_or(0) as u64));
            }
        }
        let rank = |t: &str| {
            ["high", "medium", "low", "unscored"]
                .iter()
                .position(|x| *x == t)
                .unwrap_or(9)
        };
        risk_mix.sort_by_key(|(t, _)| rank(t));
    }
    let refreshes = refreshes(&session.ws)?
        .into_iter()
        .filter(|r| r.segment == name)
        .collect();
    Ok(Shown {
        definition: d,
        members,
        revenue: f(1).unwrap_or(0.0),
        mean_clv: f(2),
        customers: f(3).unwrap_or(0.0) as u64,
        total_revenue: f(4).unwrap_or(0.0),
        risk_mix,
        refreshes,
        refreshed,
    })
}

fn members_query(session: &Session, sql: &str) -> Result<Vec<RecordBatch>> {
    if session.is_empty(MEMBERS) {
        return Ok(Vec::new());
    }
    session.sql(sql)
}

/// The members of a segment with who they are: id, since, name, tier, lifecycle, spend.
pub fn members(session: &mut Session, name: &str) -> Result<Vec<RecordBatch>> {
    ensure_fresh(session)?;
    let defs = current(&session.ws)?;
    if !defs.contains_key(name) {
        return Err(not_found(name, &defs));
    }
    let sql = format!(
        "SELECT m.customer_id, m.since, c.name, p.province, p.spend_tier, p.lifecycle,
                p.orders, p.monetary, p.last_order_at
         FROM segment_members m
         JOIN customer_profile p ON p.customer_id = m.customer_id
         LEFT JOIN customers c ON c.customer_id = m.customer_id
         WHERE m.segment = {}
         ORDER BY p.monetary DESC NULLS LAST, m.customer_id",
        sql_text(name)
    );
    members_query(session, &sql)
}

/// Why `customer` is in segment `name` or not.
pub fn explain(session: &mut Session, name: &str, customer: &str) -> Result<Explanation> {
    ensure_profile(session)?;
    let defs = current(&session.ws)?;
    if !defs.contains_key(name) {
        return Err(not_found(name, &defs));
    }
    let catalog = catalog(session, &defs)?;
    let ctx = session.context()?;
    let clock = clock(&session.ws)?;
    Ok(block_on(strata_segments::explain(
        &ctx, &catalog, clock, name, customer,
    ))??)
}

/// Who entered and who left a segment at its latest refresh (or at `generation`).
#[derive(Debug, Clone)]
pub struct Diff {
    pub segment: String,
    /// The refresh compared with the one before it; `None` when never refreshed.
    pub refresh: Option<RefreshRecord>,
    pub entered: Vec<String>,
    pub left: Vec<String>,
}

pub fn diff(session: &mut Session, name: &str, generation: Option<i64>) -> Result<Diff> {
    ensure_fresh(session)?;
    let defs = current(&session.ws)?;
    if !defs.contains_key(name) && !versions(&session.ws)?.iter().any(|d| d.name == name) {
        return Err(not_found(name, &defs));
    }
    let refs: Vec<RefreshRecord> = refreshes(&session.ws)?
        .into_iter()
        .filter(|r| r.segment == name)
        .collect();
    let refresh = match generation {
        Some(g) => Some(
            refs.iter()
                .find(|r| r.generation == g)
                .cloned()
                .ok_or_else(|| {
                    Error::NotFound(format!(
                        "segment `{name}` was not refreshed at generation {g}; its refreshes: {}",
                        refs.iter()
                            .map(|r| r.generation.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?,
        ),
        None => refs.last().cloned(),
    };
    let (mut entered, mut left) = (Vec::new(), Vec::new());
    if let Some(r) = &refresh {
        for b in read_table(&session.ws, CHANGES)? {
            let s = strings(&b, "segment");
            let c = strings(&b, "customer_id");
            let ch = strings(&b, "change");
            let g = ints(&b, "generation");
            for i in 0..b.num_rows() {
                if s[i].as_deref() == Some(name) && g[i] == Some(r.generation) {
                    let id = c[i].clone().unwrap_or_default();
                    if ch[i].as_deref() == Some("enter") {
                        entered.push(id);
                    } else {
                        left.push(id);
                    }
                }
            }
        }
    }
    entered.sort();
    left.sort();
    Ok(Diff {
        segment: name.to_string(),
        refresh,
        entered,
        left,
    })
}

/// Pairwise overlap of segments.
#[derive(Debug, Clone)]
pub struct Overlap {
    pub names: Vec<String>,
    pub sizes: Vec<u64>,
    /// `both[i][j]`: customers in both `names[i]` and `names[j]` (the size on the diagonal).
    pub both: Vec<Vec<u64>>,
}

pub fn overlap(session: &mut Session, names: &[String]) -> Result<Overlap> {
    if names.len() < 2 {
        return Err(Error::invalid("overlap: name two or more segments"));
    }
    ensure_fresh(session)?;
    let defs = current(&session.ws)?;
    for n in names {
        if !defs.contains_key(n) {
            return Err(not_found(n, &defs));
        }
    }
    let mut sets: Vec<BTreeSet<String>> = Vec::new();
    for n in names {
        sets.push(stored_members(&session.ws, n)?.into_keys().collect());
    }
    let both = sets
        .iter()
        .map(|a| {
            sets.iter()
                .map(|b| a.intersection(b).count() as u64)
                .collect()
        })
        .collect();
    Ok(Overlap {
        names: names.to_vec(),
        sizes: sets.iter().map(|s| s.len() as u64).collect(),
        both,
    })
}

/// The members of segment `name`, as the ids, current.
pub fn member_ids(session: &mut Session, name: &str) -> Result<Vec<String>> {
    ensure_fresh(session)?;
    let mut ids: Vec<String> = stored_members(&session.ws, name)?.into_keys().collect();
    ids.sort();
    Ok(ids)
}
