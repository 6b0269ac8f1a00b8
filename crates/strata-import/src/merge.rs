//! Idempotent import: rows are identified by the table's key, so a row imported twice is kept
//! once, and a row imported again with new values replaces the stored one.
//!
//! New rows are streamed to a staged part while their key and content hashes are remembered
//! (memory grows with the rows imported, not with the table). Then each stored part is checked
//! for those keys: parts without any are left alone; parts with updated rows are rewritten
//! without them. Nothing is visible until the transaction commits.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, Rows, SortField};
use strata_store::{Part, PartWriter, RowKey, TableSpec, Transaction, read_part};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128_with_seed};

use crate::error::Result;

const READ_BATCH: usize = 64 * 1024;

/// New order parts up to this many rows are written sorted by customer (in memory, about
/// 150 bytes a row); larger ones keep file order.
const CLUSTER_MAX_ROWS: u64 = 20_000_000;

/// The column a table's new parts are sorted by, so that each customer's rows lie together
/// and per-customer passes read them as runs (strata-features' orders pass looks each customer
/// up once per run). Only orders for now: the table every customer analysis reads.
fn cluster_column(table: &TableSpec) -> Option<&'static str> {
    (table.name == "orders").then_some("customer_id")
}

/// Rewrites a part this import wrote sorted by the table's cluster column. A part that is
/// already sorted is kept as it is.
fn cluster(txn: &mut Transaction, table: &'static TableSpec, part: Part) -> Result<Part> {
    let Some(column) = cluster_column(table) else {
        return Ok(part);
    };
    if part.rows < 2 || part.rows > CLUSTER_MAX_ROWS {
        return Ok(part);
    }
    let path = txn.part_path(table, &part);
    let batches = read_part(&path, None, READ_BATCH)?.collect::<Result<Vec<_>, _>>()?;
    let schema = table.schema();
    let all = arrow::compute::concat_batches(&schema, &batches)?;
    drop(batches);
    let Some(key) = all.column_by_name(column) else {
        return Ok(part);
    };
    let order = arrow::compute::sort_to_indices(key, None, None)?;
    if order
        .values()
        .iter()
        .enumerate()
        .all(|(i, &j)| i as u32 == j)
    {
        return Ok(part);
    }
    let (file, sorted_path) = txn.new_part_path(table)?;
    let mut w = PartWriter::create(&sorted_path, schema)?;
    let mut at = 0;
    while at < order.len() {
        let n = READ_BATCH.min(order.len() - at);
        w.write(&arrow::compute::take_record_batch(
            &all,
            &order.slice(at, n),
        )?)?;
        at += n;
    }
    let (rows, bytes) = w.finish()?;
    let _ = std::fs::remove_file(&path);
    Ok(Part { file, rows, bytes })
}

/// The keys are already uniform hashes, so the map need not hash them again.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}

type KeyMap = HashMap<u128, Slot, BuildHasherDefault<PassThrough>>;

#[derive(Clone, Copy)]
struct Slot {
    content: u64,
    /// Position of the row among all staged rows.
    row: u64,
    state: SlotState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SlotState {
    New,
    SameAsStored,
    ReplacesStored,
}

/// What happened to the rows read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows whose key was not in the table.
    pub inserted: u64,
    /// Rows whose key was stored (or came earlier in this import) with other values.
    pub updated: u64,
    /// Rows identical to a stored row or to an earlier row of this import.
    pub duplicated: u64,
}

/// Hashes rows of one table's schema: the key (or the whole row where the key is missing)
/// to 128 bits, the content to 64 bits.
struct Hashes {
    key_cols: Vec<usize>,
    whole_row_fallback: bool,
    key_conv: RowConverter,
    row_conv: RowConverter,
}

impl Hashes {
    fn new(table: &TableSpec) -> Result<Hashes> {
        let schema = table.schema();
        let key_cols = table.key_indices();
        // Parquet projections return columns in file order; key columns must be in it too.
        debug_assert!(key_cols.windows(2).all(|w| w[0] < w[1]));
        let fields = |cols: &[usize]| {
            cols.iter()
                .map(|&c| SortField::new(schema.field(c).data_type().clone()))
                .collect::<Vec<_>>()
        };
        let all: Vec<usize> = (0..schema.fields().len()).collect();
        Ok(Hashes {
            whole_row_fallback: matches!(table.key, RowKey::ColumnsOrContent(_)),
            key_conv: RowConverter::new(fields(&key_cols))?,
            row_conv: RowConverter::new(fields(&all))?,
            key_cols,
        })
    }

    fn content_rows(&self, batch: &RecordBatch) -> Result<Rows> {
        Ok(self.row_conv.convert_columns(batch.columns())?)
    }

    /// Key hashes of every row; `content` is needed only for tables that fall back to it.
    fn keys(&self, key_arrays: &[ArrayRef], content: Option<&Rows>) -> Result<Vec<u128>> {
        let rows = self.key_conv.convert_columns(key_arrays)?;
        let n = key_arrays.first().map_or(0, |a| a.len());
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let complete = key_arrays.iter().all(|a| a.is_valid(i));
            if complete || !self.whole_row_fallback {
                out.push(xxh3_128_with_seed(rows.row(i).as_ref(), 1));
            } else {
                let c = content.expect("whole-row keys need the row content");
                out.push(xxh3_128_with_seed(c.row(i).as_ref(), 2));
            }
        }
        Ok(out)
    }

    fn key_arrays(&self, batch: &RecordBatch) -> Vec<ArrayRef> {
        self.key_cols
            .iter()
            .map(|&c| Arc::clone(batch.column(c)))
            .collect()
    }
}

/// Bit set over staged row positions.
#[derive(Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn set(&mut self, i: u64) {
        let w = (i / 64) as usize;
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << (i % 64);
    }
    fn get(&self, i: u64) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn any(&self) -> bool {
        self.0.iter().any(|w| *w != 0)
    }
}

/// Collects the rows of one import and merges them into the table on `finish`.
pub(crate) struct Stager {
    table: &'static TableSpec,
    hashes: Hashes,
    writer: Option<PartWriter>,
    staged: (String, PathBuf),
    seen: KeyMap,
    dropped: Bits,
    next_row: u64,
    counts: Counts,
}

impl Stager {
    pub fn new(table: &'static TableSpec, txn: &mut Transaction) -> Result<Stager> {
        let staged = txn.new_part_path(table)?;
        let writer = PartWriter::create(&staged.1, table.schema())?;
        Ok(Stager {
            table,
            hashes: Hashes::new(table)?,
            writer: Some(writer),
            staged,
            seen: KeyMap::default(),
            dropped: Bits::default(),
            next_row: 0,
            counts: Counts::default(),
        })
    }

    /// Stages a batch of parsed rows, folding repeats within this import.
    pub fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        let content = self.hashes.content_rows(batch)?;
        let keys = self
            .hashes
            .keys(&self.hashes.key_arrays(batch), Some(&content))?;
        for (i, key) in keys.into_iter().enumerate() {
            let row = self.next_row + i as u64;
            let h = xxh3_64(content.row(i).as_ref());
            match self.seen.get_mut(&key) {
                Some(slot) if slot.content == h => {
                    self.counts.duplicated += 1;
                    self.dropped.set(row);
                }
                Some(slot) => {
                    self.counts.updated += 1;
                    self.dropped.set(slot.row);
                    slot.content = h;
                    slot.row = row;
                }
                None => {
                    self.seen.insert(
                        key,
                        Slot {
                            content: h,
                            row,
                            state: SlotState::New,
                        },
                    );
                }
            }
        }
        self.next_row += batch.num_rows() as u64;
        if let Some(w) = &mut self.writer {
            w.write(batch)?;
        }
        Ok(())
    }

    /// Reconciles the staged rows with the stored table inside `txn` and returns the counts.
    pub fn finish(mut self, txn: &mut Transaction) -> Result<Counts> {
        let table = self.table;
        let writer = self.writer.take().expect("finish is called once");
        writer.finish()?;
        if !self.seen.is_empty() {
            for part in txn.parts(table).to_vec() {
                self.reconcile_part(txn, &part)?;
            }
        }
        for slot in self.seen.values() {
            match slot.state {
                SlotState::New => self.counts.inserted += 1,
                SlotState::SameAsStored => self.counts.duplicated += 1,
                SlotState::ReplacesStored => self.counts.updated += 1,
            }
        }
        // Write the staged rows that survive as the new part.
        let (file, path) = self.staged.clone();
        let kept = self.seen.len() as u64
            - self
                .seen
                .values()
                .filter(|s| s.state == SlotState::SameAsStored)
                .count() as u64;
        if kept == 0 {
            let _ = std::fs::remove_file(&path);
        } else if !self.dropped.any() {
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let part = Part {
                file,
                rows: self.next_row,
                bytes,
            };
            let part = cluster(txn, table, part)?;
            txn.add_part(table, part);
        } else {
            let (file2, path2) = txn.new_part_path(table)?;
            let mut w = PartWriter::create(&path2, table.schema())?;
            let mut at = 0u64;
            for batch in read_part(&path, None, READ_BATCH)? {
                let batch = batch?;
                let mask: BooleanArray = (0..batch.num_rows() as u64)
                    .map(|i| Some(!self.dropped.get(at + i)))
                    .collect();
                at += batch.num_rows() as u64;
                let kept = filter_record_batch(&batch, &mask)?;
                if kept.num_rows() > 0 {
                    w.write(&kept)?;
                }
            }
            let (rows, bytes) = w.finish()?;
            let _ = std::fs::remove_file(&path);
            debug_assert_eq!(rows, kept);
            let part = Part {
                file: file2,
                rows,
                bytes,
            };
            let part = cluster(txn, table, part)?;
            txn.add_part(table, part);
        }
        Ok(self.counts)
    }

    /// Checks one stored part for keys of this import: identical rows make the staged copy
    /// redundant; changed rows are removed from the part, which is rewritten without them.
    fn reconcile_part(&mut self, txn: &mut Transaction, part: &Part) -> Result<()> {
        let path = txn.part_path(self.table, part);
        // Tables keyed by columns can be checked from the key columns alone, which is far
        // cheaper; the whole part is read only if a key matches.
        if !self.hashes.whole_row_fallback {
            let cols = self.hashes.key_cols.clone();
            let mut any = false;
            for batch in read_part(&path, Some(&cols), READ_BATCH)? {
                let batch = batch?;
                let keys = self.hashes.keys(batch.columns(), None)?;
                if keys.iter().any(|k| self.seen.contains_key(k)) {
                    any = true;
                    break;
                }
            }
            if !any {
                return Ok(());
            }
        }
        let mut batches = Vec::new();
        let mut removed = 0u64;
        for batch in read_part(&path, None, READ_BATCH)? {
            let batch = batch?;
            let content = self.hashes.content_rows(&batch)?;
            let keys = self
                .hashes
                .keys(&self.hashes.key_arrays(&batch), Some(&content))?;
            let mut keep = Vec::with_capacity(batch.num_rows());
            for (i, key) in keys.iter().enumerate() {
                let mut k = true;
                if let Some(slot) = self.seen.get_mut(key) {
                    if slot.content == xxh3_64(content.row(i).as_ref()) {
                        slot.state = SlotState::SameAsStored;
                        self.dropped.set(slot.row);
                    } else {
                        slot.state = SlotState::ReplacesStored;
                        k = false;
                        removed += 1;
                    }
                }
                keep.push(Some(k));
            }
            batches.push((batch, BooleanArray::from(keep)));
        }
        if removed == 0 {
            return Ok(());
        }
        if removed == part.rows {
            txn.replace_part(self.table, &part.file, None);
            return Ok(());
        }
        let (file, new_path) = txn.new_part_path(self.table)?;
        let mut w = PartWriter::create(&new_path, self.table.schema())?;
        for (batch, mask) in &batches {
            let kept = filter_record_batch(batch, mask)?;
            if kept.num_rows() > 0 {
                w.write(&kept)?;
            }
        }
        let (rows, bytes) = w.finish()?;
        txn.replace_part(self.table, &part.file, Some(Part { file, rows, bytes }));
        Ok(())
    }
}
