//! Ids that lost their leading zeros. A spreadsheet that reads an id column as numbers turns
//! `00012345` into `12345`; if the same table holds `00012345` elsewhere, the two are one
//! customer (or order) split in two, and every count over them is wrong. The import keeps such
//! rows (they may be two real ids) but flags each pair in the summary and in a notes file.
//!
//! Memory: the all-digit ids of the rows imported (as the key map does), plus the zero-led ids
//! of the stored table, which are rare; stored plain ids are only looked up, never kept.

use std::collections::{BTreeSet, HashMap, HashSet};

use arrow::array::AsArray;
use arrow::record_batch::RecordBatch;
use strata_store::{Kind, TableSpec, Transaction, read_part};

use crate::error::Result;

/// An id without leading zeros that equals an id with them in the same column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StrippedId {
    pub column: &'static str,
    /// The id as found without its zeros, e.g. `12345`.
    pub id: String,
    /// The id with zeros that it matches, e.g. `00012345`.
    pub with_zeros: String,
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The id without its leading zeros, if it is all digits and has some (and is not all zeros).
fn stripped(s: &str) -> Option<&str> {
    if !all_digits(s) || !s.starts_with('0') {
        return None;
    }
    let t = s.trim_start_matches('0');
    (!t.is_empty()).then_some(t)
}

pub(crate) struct ZeroCheck {
    table: &'static TableSpec,
    /// (column index, name) of every id column.
    cols: Vec<(usize, &'static str)>,
    /// All-digit ids of the imported rows, per id column.
    new: Vec<HashSet<String>>,
}

impl ZeroCheck {
    pub(crate) fn new(table: &'static TableSpec) -> ZeroCheck {
        let cols: Vec<(usize, &'static str)> = table
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind == Kind::Id)
            .map(|(i, f)| (i, f.name))
            .collect();
        let new = vec![HashSet::new(); cols.len()];
        ZeroCheck { table, cols, new }
    }

    /// Remembers the all-digit ids of a batch of imported rows.
    pub(crate) fn add(&mut self, batch: &RecordBatch) {
        for (k, &(i, _)) in self.cols.iter().enumerate() {
            let Some(col) = batch.column(i).as_string_opt::<i32>() else {
                continue;
            };
            for v in col.iter().flatten() {
                if all_digits(v) && !self.new[k].contains(v) {
                    self.new[k].insert(v.to_string());
                }
            }
        }
    }

    /// Pairs in which at least one id is from this import, checked against the stored table
    /// as `txn` had it before the import's parts were added.
    pub(crate) fn finish(self, txn: &Transaction) -> Result<Vec<StrippedId>> {
        let stored = txn
            .base()
            .tables
            .get(self.table.name)
            .map(|t| t.parts.clone());
        let stored = stored.unwrap_or_default();
        let mut found = BTreeSet::new();
        for (k, &(i, column)) in self.cols.iter().enumerate() {
            let new = &self.new[k];
            if new.is_empty() {
                continue;
            }
            // Zero-led ids, keyed by their stripped form: new ones first, then stored ones.
            let mut zero_led: HashMap<String, (String, bool)> = HashMap::new();
            for id in new {
                if let Some(s) = stripped(id) {
                    zero_led.insert(s.to_string(), (id.clone(), true));
                }
            }
            let read_stored = |f: &mut dyn FnMut(&str)| -> Result<()> {
                for part in &stored {
                    let path = txn.part_path(self.table, part);
                    for batch in read_part(&path, Some(&[i]), 64 * 1024)? {
                        let batch = batch?;
                        if let Some(col) = batch.column(0).as_string_opt::<i32>() {
                            col.iter().flatten().for_each(&mut *f);
                        }
                    }
                }
                Ok(())
            };
            read_stored(&mut |v| {
                if let Some(s) = stripped(v) {
                    zero_led
                        .entry(s.to_string())
                        .or_insert_with(|| (v.to_string(), false));
                }
            })?;
            if zero_led.is_empty() {
                continue;
            }
            let mut pair = |plain: &str, is_new: bool| {
                if let Some((with_zeros, zero_is_new)) = zero_led.get(plain)
                    && (is_new || *zero_is_new)
                {
                    found.insert(StrippedId {
                        column,
                        id: plain.to_string(),
                        with_zeros: with_zeros.clone(),
                    });
                }
            };
            for id in new {
                if !id.starts_with('0') {
                    pair(id, true);
                }
            }
            if zero_led.values().any(|(_, is_new)| *is_new) {
                read_stored(&mut |v| {
                    if !v.starts_with('0') && all_digits(v) {
                        pair(v, false);
                    }
                })?;
            }
        }
        Ok(found.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zero_led_digit_ids_strip() {
        assert_eq!(stripped("00012345"), Some("12345"));
        assert_eq!(stripped("12345"), None);
        assert_eq!(stripped("000"), None);
        assert_eq!(stripped("0A12"), None);
        assert_eq!(stripped(""), None);
    }
}
