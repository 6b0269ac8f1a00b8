//! The per-customer pass over orders: one streaming scan, one small fixed-size accumulator per
//! customer, memory bounded by customers rather than orders.
//!
//! DataFusion plans and runs the Parquet scan (projection, file splitting into one partition per
//! core); each partition folds its batches into its own accumulators, and the partials are merged
//! at the end. Generic SQL needs several hash aggregations, sorts and window functions for the
//! same columns (modes, last three orders by time); this pass does it in one look at each row.
//!
//! Rows of one customer often come together (parts are written in the order shops export, and
//! exports group by customer or by time), so the customer's index is looked up once per run of
//! equal ids, not once per row.

use std::sync::Arc;

use arrow::array::{
    Array, AsArray, BooleanArray, Decimal128Array, StringArray, StringViewArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use futures::StreamExt;

use crate::clock::Clock;
use crate::error::{FeatureError, Result};

/// Distinct channel or device names tracked per customer; rarer ones count as `other`.
pub const VOCAB_SLOTS: usize = 12;
const OTHER: u8 = VOCAB_SLOTS as u8 - 1;
pub const US_PER_DAY: i64 = 86_400_000_000;

/// What the pass knows of one customer's orders. Money in cents.
#[derive(Debug, Clone)]
pub struct Acc {
    /// Paid orders up to the analysis date.
    pub orders: u32,
    pub refunds: u32,
    pub coupons: u32,
    pub festival: u32,
    pub first: i64,
    /// The latest three paid orders, newest first (`i64::MIN` where there are fewer).
    pub last_t: [i64; 3],
    pub last_amount: [i64; 3],
    pub total: i64,
    pub total_12m: i64,
    pub discount: i64,
    pub channel: [u16; VOCAB_SLOTS],
    pub device: [u16; VOCAB_SLOTS],
    pub hour: [u16; 24],
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            orders: 0,
            refunds: 0,
            coupons: 0,
            festival: 0,
            first: i64::MAX,
            last_t: [i64::MIN; 3],
            last_amount: [0; 3],
            total: 0,
            total_12m: 0,
            discount: 0,
            channel: [0; VOCAB_SLOTS],
            device: [0; VOCAB_SLOTS],
            hour: [0; 24],
        }
    }
}

impl Acc {
    #[inline]
    fn push_recent(&mut self, t: i64, amount: i64) {
        if t <= self.last_t[2] {
            return;
        }
        let mut at = 2;
        while at > 0 && t > self.last_t[at - 1] {
            self.last_t[at] = self.last_t[at - 1];
            self.last_amount[at] = self.last_amount[at - 1];
            at -= 1;
        }
        self.last_t[at] = t;
        self.last_amount[at] = amount;
    }

    fn merge(&mut self, o: &Acc, channel_map: &[u8], device_map: &[u8]) {
        self.orders += o.orders;
        self.refunds += o.refunds;
        self.coupons += o.coupons;
        self.festival += o.festival;
        self.first = self.first.min(o.first);
        for k in 0..3 {
            if o.last_t[k] != i64::MIN {
                self.push_recent(o.last_t[k], o.last_amount[k]);
            }
        }
        self.total += o.total;
        self.total_12m += o.total_12m;
        self.discount += o.discount;
        for (i, &n) in o.channel.iter().enumerate() {
            let to = channel_map[i] as usize;
            self.channel[to] = self.channel[to].saturating_add(n);
        }
        for (i, &n) in o.device.iter().enumerate() {
            let to = device_map[i] as usize;
            self.device[to] = self.device[to].saturating_add(n);
        }
        for h in 0..24 {
            self.hour[h] = self.hour[h].saturating_add(o.hour[h]);
        }
    }
}

/// Up to `VOCAB_SLOTS - 1` distinct names, compared by length and first eight bytes before the
/// full bytes, so a lookup costs a few integer comparisons.
#[derive(Debug, Clone, Default)]
pub struct SmallVocab {
    names: Vec<String>,
    keys: Vec<(usize, u64)>,
}

impl SmallVocab {
    #[inline]
    fn key(s: &[u8]) -> (usize, u64) {
        let mut b = [0u8; 8];
        let n = s.len().min(8);
        b[..n].copy_from_slice(&s[..n]);
        (s.len(), u64::from_le_bytes(b))
    }

    #[inline]
    pub fn index(&mut self, s: &str) -> u8 {
        let key = Self::key(s.as_bytes());
        for (i, k) in self.keys.iter().enumerate() {
            if *k == key && self.names[i] == s {
                return i as u8;
            }
        }
        if self.names.len() < OTHER as usize {
            self.names.push(s.to_string());
            self.keys.push(key);
            (self.names.len() - 1) as u8
        } else {
            OTHER
        }
    }

    /// The name of a slot; `None` for the overflow slot.
    pub fn name(&self, slot: usize) -> Option<&str> {
        self.names.get(slot).map(String::as_str)
    }
}

/// Text columns come as `Utf8` or `Utf8View` depending on the scan's settings.
enum Strs<'a> {
    Plain(&'a StringArray),
    View(&'a StringViewArray),
}

impl Strs<'_> {
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Strs::Plain(a) => (!a.is_null(i)).then(|| a.value(i)),
            Strs::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

fn strs<'a>(batch: &'a RecordBatch, name: &str) -> Result<Strs<'a>> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| FeatureError::internal(format!("orders scan lacks column {name}")))?;
    match col.data_type() {
        DataType::Utf8 => Ok(Strs::Plain(col.as_string::<i32>())),
        DataType::Utf8View => Ok(Strs::View(col.as_string_view())),
        other => Err(FeatureError::internal(format!(
            "orders.{name} has type {other}, expected text"
        ))),
    }
}

fn typed<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a T> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| FeatureError::internal(format!("orders.{name} has an unexpected type")))
}

/// The accumulators of one scan partition.
#[derive(Debug, Default)]
pub struct Partial {
    pub index: hashbrown::HashMap<Box<str>, u32>,
    pub ids: Vec<Box<str>>,
    pub accs: Vec<Acc>,
    pub channels: SmallVocab,
    pub devices: SmallVocab,
    pub rows: u64,
    /// Rows with a customer and a time before the end of the analysis date: the orders the
    /// pass used (any status); later ones are read and left out.
    pub rows_used: u64,
    /// Paid orders as (customer slot, ordered_at µs, amount in cents), when the pass was asked
    /// to keep them (the lifetime-value summary needs every purchase day).
    pub purchases: Vec<(u32, i64, i64)>,
}

/// What the pass needs to know besides the rows.
#[derive(Debug)]
pub struct PassParams {
    /// Orders after this instant (µs, exclusive end of the analysis day) are ignored.
    pub end_us: i64,
    /// Orders at or after this instant count towards the trailing-12-month spend.
    pub start_12m_us: i64,
    pub clock: Arc<Clock>,
    /// Keep every paid order in [`Partial::purchases`].
    pub keep_purchases: bool,
}

impl Partial {
    #[inline]
    fn slot(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.accs.len() as u32;
        let key: Box<str> = id.into();
        self.index.insert(key.clone(), i);
        self.ids.push(key);
        self.accs.push(Acc::default());
        i
    }

    pub fn update(&mut self, batch: &RecordBatch, p: &PassParams) -> Result<()> {
        let ids = strs(batch, "customer_id")?;
        let times = typed::<TimestampMicrosecondArray>(batch, "ordered_at")?;
        let amounts = typed::<Decimal128Array>(batch, "paid_amount")?;
        let discounts = typed::<Decimal128Array>(batch, "discount_amount")?;
        let coupons = typed::<BooleanArray>(batch, "coupon_used")?;
        let channels = strs(batch, "channel")?;
        let devices = strs(batch, "device")?;
        let statuses = strs(batch, "status")?;
        self.rows += batch.num_rows() as u64;

        let mut run_id: Option<&str> = None;
        let mut run_slot = 0u32;
        for i in 0..batch.num_rows() {
            let Some(id) = ids.get(i) else { continue };
            if run_id != Some(id) {
                run_slot = self.slot(id);
                run_id = Some(id);
            }
            if times.is_null(i) {
                continue;
            }
            let t = times.value(i);
            if t >= p.end_us {
                continue;
            }
            self.rows_used += 1;
            let acc = &mut self.accs[run_slot as usize];
            match statuses.get(i) {
                None | Some("paid") => {}
                Some("refunded") => {
                    acc.refunds += 1;
                    continue;
                }
                Some(_) => continue,
            }
            let amount = if amounts.is_null(i) {
                0
            } else {
                amounts.value(i) as i64
            };
            acc.orders += 1;
            acc.total += amount;
            if t >= p.start_12m_us {
                acc.total_12m += amount;
            }
            if !discounts.is_null(i) {
                acc.discount += discounts.value(i) as i64;
            }
            if !coupons.is_null(i) && coupons.value(i) {
                acc.coupons += 1;
            }
            let (h, festival) = p.clock.hour_and_festival(t);
            acc.festival += u32::from(festival);
            acc.hour[h as usize] = acc.hour[h as usize].saturating_add(1);
            acc.first = acc.first.min(t);
            acc.push_recent(t, amount);
            if p.keep_purchases {
                self.purchases.push((run_slot, t, amount));
            }
            if let Some(c) = channels.get(i) {
                let c = self.channels.index(c) as usize;
                let acc = &mut self.accs[run_slot as usize];
                acc.channel[c] = acc.channel[c].saturating_add(1);
            }
            if let Some(d) = devices.get(i) {
                let d = self.devices.index(d) as usize;
                let acc = &mut self.accs[run_slot as usize];
                acc.device[d] = acc.device[d].saturating_add(1);
            }
        }
        Ok(())
    }

    /// Folds another partition's accumulators into this one.
    pub fn merge(&mut self, other: Partial) {
        let remap = |from: &SmallVocab, to: &mut SmallVocab| -> Vec<u8> {
            (0..VOCAB_SLOTS)
                .map(|s| match from.name(s) {
                    Some(name) => to.index(name),
                    None => OTHER,
                })
                .collect()
        };
        let channel_map = remap(&other.channels, &mut self.channels);
        let device_map = remap(&other.devices, &mut self.devices);
        self.rows += other.rows;
        self.rows_used += other.rows_used;
        let mut slot_map = Vec::with_capacity(other.ids.len());
        for (id, acc) in other.ids.into_iter().zip(other.accs) {
            let at = match self.index.get(&*id) {
                Some(&i) => i as usize,
                None => {
                    let i = self.accs.len();
                    self.index.insert(id.clone(), i as u32);
                    self.ids.push(id);
                    self.accs.push(Acc::default());
                    i
                }
            };
            self.accs[at].merge(&acc, &channel_map, &device_map);
            slot_map.push(at as u32);
        }
        self.purchases.extend(
            other
                .purchases
                .into_iter()
                .map(|(slot, t, amount)| (slot_map[slot as usize], t, amount)),
        );
    }
}

/// Runs the pass over the `orders` table of `ctx`, one task per scan partition.
pub async fn scan_orders(ctx: &SessionContext, params: PassParams) -> Result<Partial> {
    let df = ctx
        .sql(
            "SELECT customer_id, ordered_at, paid_amount, discount_amount, coupon_used, \
             channel, device, status FROM orders",
        )
        .await?;
    let streams = df.execute_stream_partitioned().await?;
    let params = Arc::new(params);
    let mut tasks = Vec::with_capacity(streams.len());
    for mut stream in streams {
        let params = Arc::clone(&params);
        tasks.push(tokio::spawn(async move {
            let mut partial = Partial::default();
            while let Some(batch) = stream.next().await {
                partial.update(&batch?, &params)?;
            }
            Ok::<_, FeatureError>(partial)
        }));
    }
    let mut merged: Option<Partial> = None;
    for task in tasks {
        let partial = task
            .await
            .map_err(|e| FeatureError::internal(format!("orders pass task failed: {e}")))??;
        match merged.as_mut() {
            None => merged = Some(partial),
            Some(m) => m.merge(partial),
        }
    }
    Ok(merged.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_orders_stay_newest_first_whatever_the_input_order() {
        let mut a = Acc::default();
        for (t, amt) in [(5, 50), (1, 10), (9, 90), (3, 30), (7, 70)] {
            a.push_recent(t, amt);
        }
        assert_eq!(a.last_t, [9, 7, 5]);
        assert_eq!(a.last_amount, [90, 70, 50]);
        let mut b = Acc::default();
        b.push_recent(8, 80);
        a.merge(&b, &[0; VOCAB_SLOTS], &[0; VOCAB_SLOTS]);
        assert_eq!(a.last_t, [9, 8, 7]);
    }

    #[test]
    fn small_vocab_overflows_into_other() {
        let mut v = SmallVocab::default();
        assert_eq!(v.index("app"), 0);
        assert_eq!(v.index("live_stream"), 1);
        assert_eq!(
            v.index("live_streaming"),
            2,
            "same first 8 bytes, other name"
        );
        assert_eq!(v.index("app"), 0);
        for k in 0..20 {
            v.index(&format!("c{k}"));
        }
        assert_eq!(v.index("zzz"), OTHER);
        assert_eq!(v.name(OTHER as usize), None);
    }
}
