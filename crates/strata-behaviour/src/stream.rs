//! The ordered scan the behaviour analyses share.
//!
//! A funnel or a path is a walk through one customer's (or session's) events in time order. The
//! events are read once, in stored order, through a single DataFusion partition; each customer
//! or session keeps a small state, so memory grows with customers, not events. Exports are
//! written in time order or customer by customer, so almost every customer's events arrive in
//! order; the few that do not (an event earlier than one already seen) are marked, and a second
//! pass collects only their events, sorts them and replays them.
//!
//! The scan runs on the runtime's threads while the caller's thread folds the batches, so
//! decoding and folding overlap on two cores.

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use datafusion::prelude::{DataFrame, SessionContext};
use futures::StreamExt;
use hashbrown::HashTable;

use crate::{BehaviourError, Result};

/// A context over the same tables that scans with one partition, so rows arrive in stored
/// order (files in manifest order, row groups in file order).
pub fn ordered_context(ctx: &SessionContext) -> SessionContext {
    let mut state = ctx.state();
    state.config_mut().options_mut().execution.target_partitions = 1;
    SessionContext::new_with_state(state)
}

/// Runs `df` and hands each batch to `fold` on the calling thread while the scan decodes the
/// next ones on the runtime.
pub async fn for_each_batch(
    df: DataFrame,
    mut fold: impl FnMut(&RecordBatch) -> Result<()>,
) -> Result<()> {
    let mut stream = df.execute_stream().await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<datafusion::error::Result<RecordBatch>>(4);
    let reader = tokio::spawn(async move {
        while let Some(b) = stream.next().await {
            if tx.send(b).await.is_err() {
                break;
            }
        }
    });
    while let Some(b) = rx.recv().await {
        fold(&b?)?;
    }
    reader
        .await
        .map_err(|e| BehaviourError::Internal(format!("scan task failed: {e}")))?;
    Ok(())
}

/// A string column of any of Arrow's string layouts.
pub enum Strs<'a> {
    Utf8(&'a arrow::array::StringArray),
    Large(&'a arrow::array::LargeStringArray),
    View(&'a arrow::array::StringViewArray),
}

impl<'a> Strs<'a> {
    pub fn new(a: &'a ArrayRef) -> Result<Strs<'a>> {
        Ok(match a.data_type() {
            DataType::Utf8 => Strs::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Strs::Large(a.as_string::<i64>()),
            DataType::Utf8View => Strs::View(a.as_string_view()),
            other => {
                return Err(BehaviourError::Internal(format!(
                    "expected a string column, got {other}"
                )));
            }
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strs::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// Strings to dense indices, each string stored once.
#[derive(Default)]
pub struct Interner {
    names: Vec<Box<str>>,
    table: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl Interner {
    fn hash(&self, s: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(s)
    }

    /// The index of `s`, added if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        let h = self.hash(s);
        let names = &self.names;
        if let Some(&i) = self.table.find(h, |&i| &*names[i as usize] == s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        let names = &self.names;
        let hasher = &self.hasher;
        self.table.insert_unique(h, i, |&j| {
            use std::hash::BuildHasher;
            hasher.hash_one(&*names[j as usize])
        });
        i
    }

    /// The index of `s` if it was seen.
    pub fn get(&self, s: &str) -> Option<u32> {
        let h = self.hash(s);
        self.table
            .find(h, |&i| &*self.names[i as usize] == s)
            .copied()
    }

    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Looks up the unit of each row, once per run of equal ids (rows of one customer or session
/// usually come together).
#[derive(Default)]
pub struct UnitIndex {
    pub units: Interner,
    last: Option<(Box<str>, u32)>,
}

impl UnitIndex {
    #[inline]
    pub fn index(&mut self, id: &str) -> u32 {
        if let Some((s, i)) = &self.last
            && &**s == id
        {
            return *i;
        }
        let i = self.units.intern(id);
        self.last = Some((id.into(), i));
        i
    }
}

/// Marks which units saw an event earlier than one already folded.
#[derive(Default)]
pub struct OrderCheck {
    last_t: Vec<i64>,
    pub disordered: Vec<bool>,
    pub count: usize,
}

impl OrderCheck {
    /// Records the event; false when it is out of order for its unit (the unit is marked).
    #[inline]
    pub fn accept(&mut self, unit: u32, t: i64) -> bool {
        let u = unit as usize;
        if u >= self.last_t.len() {
            self.last_t.resize(u + 1, i64::MIN);
            self.disordered.resize(u + 1, false);
        }
        if self.disordered[u] {
            return false;
        }
        if t < self.last_t[u] {
            self.disordered[u] = true;
            self.count += 1;
            return false;
        }
        self.last_t[u] = t;
        true
    }
}

pub fn i64s(a: &ArrayRef) -> Result<&arrow::array::Int64Array> {
    a.as_primitive_opt::<arrow::datatypes::Int64Type>()
        .ok_or_else(|| BehaviourError::Internal(format!("expected Int64, got {}", a.data_type())))
}
