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

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, UInt32Array};
use arrow::compute::{filter_record_batch, interleave, nullif, take_record_batch};
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, Rows, SortField};
use strata_store::{Part, PartWriter, RowKey, TableSpec, Transaction, read_part};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed, xxh3_128_with_seed};

use crate::build::bit;
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
    /// Hash of the columns in `mask`, seeded with the mask.
    content: u64,
    /// The columns the row's file had; an update keeps the stored values of the others.
    mask: u64,
    /// Hash of the customer, for tables whose rows belong to one (orders).
    customer: u64,
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows whose key was not in the table.
    pub inserted: u64,
    /// Rows whose key was stored with other values.
    pub updated: u64,
    /// Rows identical to a stored row or to an earlier row of this import.
    pub duplicated: u64,
    /// Rows followed later in this import by a row with the same key and other values: the
    /// last one wins.
    pub superseded: u64,
    /// Updated rows that kept the stored values of columns their file does not have.
    pub patched: u64,
    /// The columns those rows kept, in table order.
    pub kept_columns: Vec<&'static str>,
    /// Orders that now belong to another customer than the stored row said.
    pub customer_changes: Vec<CustomerChange>,
}

/// A stored order that a re-import gave to another customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerChange {
    pub order_id: String,
    pub from: String,
    pub to: String,
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

    /// Content hashes of every row over the columns of its mask (the others read as null),
    /// seeded with the mask; `full` are the rows of the whole batch when already converted.
    fn contents(
        &self,
        batch: &RecordBatch,
        masks: &[u64],
        all: u64,
        full: &Rows,
    ) -> Result<Vec<u64>> {
        let hash = |rows: &Rows, i: usize| xxh3_64_with_seed(rows.row(i).as_ref(), masks[i]);
        if masks.iter().all(|&m| m == all) {
            return Ok((0..batch.num_rows()).map(|i| hash(full, i)).collect());
        }
        let columns = batch
            .columns()
            .iter()
            .enumerate()
            .map(|(c, a)| {
                let lacking: BooleanArray = masks.iter().map(|m| Some(m & bit(c) == 0)).collect();
                if lacking.true_count() == 0 {
                    Ok(Arc::clone(a))
                } else {
                    nullif(a, &lacking)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rows = self.row_conv.convert_columns(&columns)?;
        Ok((0..batch.num_rows()).map(|i| hash(&rows, i)).collect())
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
    /// Every column of the table, as a mask.
    all: u64,
    /// Whether an update keeps the stored values of columns its file lacks (not with
    /// `--replace-rows`, nor for tables identified by content, where a row with fewer columns
    /// is another row).
    patch: bool,
    /// The customer column of tables whose rows belong to one customer (orders).
    customer: Option<usize>,
    /// Stored rows that patched rows take their missing columns from, and for each patched
    /// staged row, which donor row (batch, row) it takes them from
    donors: Vec<RecordBatch>,
    /// and the columns its file had.
    donor_of: HashMap<u64, (u32, u32, u64)>,
    /// Union of the columns patched rows kept.
    kept: u64,
    /// Customer changes found while reconciling: (order id, stored customer, staged row).
    changes: Vec<(String, String, u64)>,
}

impl Stager {
    pub fn new(
        table: &'static TableSpec,
        txn: &mut Transaction,
        replace_rows: bool,
    ) -> Result<Stager> {
        assert!(table.fields.len() <= 64, "column masks hold 64 columns");
        let staged = txn.new_part_path(table)?;
        let writer = PartWriter::create(&staged.1, table.schema())?;
        let hashes = Hashes::new(table)?;
        Ok(Stager {
            table,
            patch: !replace_rows && !hashes.whole_row_fallback,
            hashes,
            writer: Some(writer),
            staged,
            seen: KeyMap::default(),
            dropped: Bits::default(),
            next_row: 0,
            counts: Counts::default(),
            all: (0..table.fields.len()).fold(0, |m, i| m | bit(i)),
            customer: (table.name == "orders")
                .then(|| table.index_of("customer_id"))
                .flatten(),
            donors: Vec::new(),
            donor_of: HashMap::new(),
            kept: 0,
            changes: Vec::new(),
        })
    }

    /// Hashes of the customer of each row (0 for tables without one).
    fn customers(&self, batch: &RecordBatch) -> Vec<u64> {
        match self.customer {
            Some(c) => {
                let ids = batch.column(c).as_string::<i32>();
                (0..batch.num_rows())
                    .map(|i| xxh3_64(ids.value(i).as_bytes()))
                    .collect()
            }
            None => vec![0; batch.num_rows()],
        }
    }

    /// Stages a batch of parsed rows with the columns each row's file had, folding repeats
    /// within this import: the last row of a key wins.
    pub fn add(&mut self, batch: &RecordBatch, masks: &[u64]) -> Result<()> {
        debug_assert_eq!(masks.len(), batch.num_rows());
        let masks: Vec<u64> = if self.patch {
            masks.to_vec()
        } else {
            vec![self.all; batch.num_rows()]
        };
        let content = self.hashes.content_rows(batch)?;
        let keys = self
            .hashes
            .keys(&self.hashes.key_arrays(batch), Some(&content))?;
        let hashes = self.hashes.contents(batch, &masks, self.all, &content)?;
        let customers = self.customers(batch);
        for (i, key) in keys.into_iter().enumerate() {
            let row = self.next_row + i as u64;
            let h = hashes[i];
            match self.seen.get_mut(&key) {
                Some(slot) if slot.content == h => {
                    self.counts.duplicated += 1;
                    self.dropped.set(row);
                }
                Some(slot) => {
                    self.counts.superseded += 1;
                    self.dropped.set(slot.row);
                    slot.content = h;
                    slot.mask = masks[i];
                    slot.customer = customers[i];
                    slot.row = row;
                }
                None => {
                    self.seen.insert(
                        key,
                        Slot {
                            content: h,
                            mask: masks[i],
                            customer: customers[i],
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
        self.counts.patched = self.donor_of.len() as u64;
        self.counts.kept_columns = table
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| self.kept & bit(*i) != 0)
            .map(|(_, f)| f.name)
            .collect();
        // Write the staged rows that survive as the new part.
        let (file, path) = self.staged.clone();
        let kept = self.seen.len() as u64
            - self
                .seen
                .values()
                .filter(|s| s.state == SlotState::SameAsStored)
                .count() as u64;
        if !self.changes.is_empty() {
            self.customer_changes(&path)?;
        }
        if kept == 0 {
            let _ = std::fs::remove_file(&path);
        } else if !self.dropped.any() && self.donor_of.is_empty() {
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let part = Part {
                file,
                rows: self.next_row,
                bytes,
            };
            let part = cluster(txn, table, part)?;
            txn.add_part(table, part);
        } else {
            let donors = arrow::compute::concat_batches(&table.schema(), &self.donors)?;
            let offsets: Vec<u32> = self
                .donors
                .iter()
                .scan(0u32, |at, b| {
                    let o = *at;
                    *at += b.num_rows() as u32;
                    Some(o)
                })
                .collect();
            let (file2, path2) = txn.new_part_path(table)?;
            let mut w = PartWriter::create(&path2, table.schema())?;
            let mut at = 0u64;
            for batch in read_part(&path, None, READ_BATCH)? {
                let batch = self.patched(&batch?, at, &donors, &offsets)?;
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

    /// The staged rows of `batch` (the first at staged position `at`) with the columns their
    /// file lacked taken from the stored rows they update.
    fn patched(
        &self,
        batch: &RecordBatch,
        at: u64,
        donors: &RecordBatch,
        offsets: &[u32],
    ) -> Result<RecordBatch> {
        let from: Vec<Option<(usize, u64)>> = (0..batch.num_rows())
            .map(|i| {
                let row = at + i as u64;
                self.donor_of
                    .get(&row)
                    .map(|&(b, r, mask)| ((offsets[b as usize] + r) as usize, mask))
            })
            .collect();
        if from.iter().all(Option::is_none) {
            return Ok(batch.clone());
        }
        let columns = batch
            .columns()
            .iter()
            .enumerate()
            .map(|(c, staged)| {
                let stored = donors.column(c);
                let indices: Vec<(usize, usize)> = from
                    .iter()
                    .enumerate()
                    .map(|(i, f)| match f {
                        Some((d, mask)) if mask & bit(c) == 0 => (1, *d),
                        _ => (0, i),
                    })
                    .collect();
                if indices.iter().all(|&(a, _)| a == 0) {
                    Ok(Arc::clone(staged))
                } else {
                    interleave(&[staged.as_ref(), stored.as_ref()], &indices)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RecordBatch::try_new(batch.schema(), columns)?)
    }

    /// Reads the new customer of every order whose customer changed from the staged part.
    fn customer_changes(&mut self, path: &std::path::Path) -> Result<()> {
        let Some(c) = self.customer else {
            return Ok(());
        };
        let mut wanted: HashMap<u64, usize> = HashMap::new();
        for (i, (_, _, row)) in self.changes.iter().enumerate() {
            wanted.insert(*row, i);
        }
        let mut to = vec![String::new(); self.changes.len()];
        let mut at = 0u64;
        for batch in read_part(path, Some(&[c]), READ_BATCH)? {
            let batch = batch?;
            let ids = batch.column(0).as_string::<i32>();
            for i in 0..batch.num_rows() {
                if let Some(&k) = wanted.get(&(at + i as u64)) {
                    to[k] = ids.value(i).to_string();
                }
            }
            at += batch.num_rows() as u64;
        }
        let mut changes: Vec<CustomerChange> = self
            .changes
            .drain(..)
            .zip(to)
            .map(|((order_id, from, _), to)| CustomerChange { order_id, from, to })
            .collect();
        changes.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        self.counts.customer_changes = changes;
        Ok(())
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
            // Each stored row is compared over the columns of the staged row with its key.
            let masks: Vec<u64> = keys
                .iter()
                .map(|k| self.seen.get(k).map_or(self.all, |s| s.mask))
                .collect();
            let hashes = self.hashes.contents(&batch, &masks, self.all, &content)?;
            let customers = self.customers(&batch);
            let mut keep = Vec::with_capacity(batch.num_rows());
            let mut donor_rows: Vec<u32> = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                let mut k = true;
                if let Some(slot) = self.seen.get_mut(key) {
                    if slot.content == hashes[i] {
                        slot.state = SlotState::SameAsStored;
                        self.dropped.set(slot.row);
                    } else {
                        slot.state = SlotState::ReplacesStored;
                        k = false;
                        removed += 1;
                        if slot.mask != self.all {
                            // Columns the file lacks that hold a value worth keeping.
                            for c in 0..batch.num_columns() {
                                if slot.mask & bit(c) == 0 && batch.column(c).is_valid(i) {
                                    self.kept |= bit(c);
                                }
                            }
                            self.donor_of.insert(
                                slot.row,
                                (self.donors.len() as u32, donor_rows.len() as u32, slot.mask),
                            );
                            donor_rows.push(i as u32);
                        }
                        if customers[i] != slot.customer
                            && let Some(c) = self.customer
                        {
                            let order = self.hashes.key_cols[0];
                            let text = |col: usize| {
                                batch.column(col).as_string::<i32>().value(i).to_string()
                            };
                            self.changes.push((text(order), text(c), slot.row));
                        }
                    }
                }
                keep.push(Some(k));
            }
            if !donor_rows.is_empty() {
                self.donors
                    .push(take_record_batch(&batch, &UInt32Array::from(donor_rows))?);
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
