//! Import of each input format into a workspace, checked through what lands in the tables.

mod guards;
mod lines;
mod updates;

use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Decimal128Type, Int64Type, TimestampMicrosecondType};
use strata_import::{ImportOptions, ImportSummary, Mapping, import};
use strata_store::schema::{EVENTS, ORDER_ITEMS, ORDERS, REVIEWS};
use strata_store::{TableSpec, Workspace, read_part};

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    ws: Workspace,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let ws = Workspace::init(&root.join("ws")).unwrap();
    Fixture {
        _dir: dir,
        root,
        ws,
    }
}

impl Fixture {
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.root.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn import(
        &mut self,
        table: &'static TableSpec,
        files: &[PathBuf],
        opts: &ImportOptions,
    ) -> ImportSummary {
        let s = import(&self.ws, table, files, opts, &mut |_| {}).unwrap();
        self.ws.reload().unwrap();
        s
    }

    /// Every stored row of a table, as one batch.
    fn rows(&self, table: &TableSpec) -> RecordBatch {
        let mut batches = Vec::new();
        for p in self.ws.part_paths(table) {
            for b in read_part(&p, None, 1024).unwrap() {
                batches.push(b.unwrap());
            }
        }
        arrow::compute::concat_batches(&table.schema(), &batches).unwrap()
    }
}

fn strings(b: &RecordBatch, col: &str) -> Vec<Option<String>> {
    let a = b.column_by_name(col).unwrap().as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
        .collect()
}

fn ints(b: &RecordBatch, col: &str) -> Vec<Option<i64>> {
    let a = b.column_by_name(col).unwrap().as_primitive::<Int64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn cents(b: &RecordBatch, col: &str) -> Vec<Option<i128>> {
    let a = b
        .column_by_name(col)
        .unwrap()
        .as_primitive::<Decimal128Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn micros(b: &RecordBatch, col: &str) -> Vec<Option<i64>> {
    let a = b
        .column_by_name(col)
        .unwrap()
        .as_primitive::<TimestampMicrosecondType>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// 2026-03-01 14:05:00 in Shanghai is 06:05 UTC: 1772345100 s after the epoch.
const MARCH_1_1405_SHANGHAI: i64 = 1_772_345_100_000_000;

#[test]
fn xlsx_with_a_title_row_typed_cells_and_excel_dates() {
    let mut f = fixture();
    let path = f.root.join("orders.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2026年3月订单").unwrap();
    for (c, h) in ["订单号", "会员ID", "付款时间", "支付金额", "是否使用优惠券"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    // A number order id, a date cell, a numeric amount.
    ws.write_number(2, 0, 202603010001.0).unwrap();
    ws.write_string(2, 1, "M1").unwrap();
    let dt = rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-03-01 14:05:00").unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    ws.write_datetime_with_format(2, 2, &dt, &fmt).unwrap();
    ws.write_number(2, 3, 1299.5).unwrap();
    ws.write_string(2, 4, "是").unwrap();
    ws.write_string(3, 0, "X2").unwrap();
    ws.write_string(3, 1, "M2").unwrap();
    ws.write_string(3, 2, "2026-03-01 14:05").unwrap();
    ws.write_string(3, 3, "lots").unwrap();
    wb.save(&path).unwrap();

    let s = f.import(&ORDERS, &[path], &ImportOptions::default());
    assert_eq!((s.read, s.inserted, s.rejected), (2, 1, 1));
    assert_eq!(s.files[0].info.preamble_rows, 1);
    let r = &s.sample_rejects[0];
    assert_eq!(
        (r.line, r.column.as_str(), r.value.as_str()),
        (4, "支付金额 (column D)", "lots")
    );
    let b = f.rows(&ORDERS);
    assert_eq!(strings(&b, "order_id"), some(&["202603010001"]));
    // ordered_at falls back to the payment time when there is no order time.
    assert_eq!(micros(&b, "ordered_at"), vec![Some(MARCH_1_1405_SHANGHAI)]);
    assert_eq!(micros(&b, "paid_at"), vec![Some(MARCH_1_1405_SHANGHAI)]);
    assert_eq!(cents(&b, "paid_amount"), vec![Some(129950)]);
    assert_eq!(strings(&b, "status"), some(&["paid"]));
}

#[test]
fn json_lines_keep_unknown_fields_as_properties() {
    let mut f = fixture();
    let path = f.file(
        "events.jsonl",
        concat!(
            r#"{"event_id":"E1","user_id":"C1","ts":1772345100000,"event":"加购","page":"商品详情","sku":"S9","coupon":"NEW10"}"#, "\n",
            "\n",
            r#"{"anonymous_id":"A7","time":"2026-03-01 14:05:00","type":"page_view","page":"home","properties":{"ref":"ad"}}"#, "\n",
            r#"{"event_id":"E3","time":"2026-03-01 14:05:00","type":"login"}"#, "\n",
            r#"{"event_id":"E4", broken"#, "\n",
        ),
    );
    let s = f.import(&EVENTS, &[path], &ImportOptions::default());
    assert_eq!((s.read, s.inserted, s.rejected), (4, 2, 2));
    assert_eq!(s.sample_rejects[0].line, 4);
    assert!(
        s.sample_rejects[0]
            .reason
            .contains("customer_id or an anonymous_id")
    );
    assert_eq!(s.sample_rejects[1].line, 5);
    assert!(
        s.sample_rejects[1]
            .reason
            .contains("expected one JSON object per line")
    );
    let b = f.rows(&EVENTS);
    assert_eq!(
        strings(&b, "event_type"),
        some(&["add_to_cart", "page_view"])
    );
    assert_eq!(strings(&b, "page"), some(&["product", "home"]));
    assert_eq!(
        micros(&b, "event_time"),
        vec![Some(MARCH_1_1405_SHANGHAI); 2]
    );
    assert_eq!(
        strings(&b, "properties"),
        some(&[r#"{"coupon":"NEW10"}"#, r#"{"ref":"ad"}"#])
    );
}

#[test]
fn utf16_tab_separated_as_excel_saves_unicode_text() {
    let mut f = fixture();
    let text = "评价ID\t买家ID\t评价时间\t评分\t评价内容\nR1\tC1\t2026/3/1 14:05\t好评\t物流很快，包装完好\nR2\tC2\t2026/3/2\t6\t一般\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let path = f.file("reviews.txt", bytes);
    let s = f.import(&REVIEWS, &[path], &ImportOptions::default());
    assert_eq!(s.files[0].info.encoding, Some("UTF-16LE"));
    assert_eq!((s.inserted, s.rejected), (1, 1));
    assert_eq!(s.sample_rejects[0].column, "评分 (column 4)");
    let b = f.rows(&REVIEWS);
    assert_eq!(ints(&b, "rating"), vec![Some(5)]);
    assert_eq!(strings(&b, "content"), some(&["物流很快，包装完好"]));
}

#[test]
fn parquet_input_with_other_column_names_through_a_mapping_file() {
    let mut f = fixture();
    let schema = Arc::new(arrow::datatypes::Schema::new(vec![
        arrow::datatypes::Field::new("oid", arrow::datatypes::DataType::Utf8, false),
        arrow::datatypes::Field::new("buyer", arrow::datatypes::DataType::Int64, false),
        arrow::datatypes::Field::new(
            "created",
            arrow::datatypes::DataType::Timestamp(
                arrow::datatypes::TimeUnit::Millisecond,
                Some("+00:00".into()),
            ),
            false,
        ),
        arrow::datatypes::Field::new("amount", arrow::datatypes::DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(arrow::array::StringArray::from(vec!["P1", "P2"])),
            Arc::new(arrow::array::Int64Array::from(vec![7, 8])),
            Arc::new(
                arrow::array::TimestampMillisecondArray::from(vec![
                    1_772_345_100_000,
                    1_772_345_160_000,
                ])
                .with_timezone("+00:00"),
            ),
            Arc::new(arrow::array::Float64Array::from(vec![10.25, 3.0])),
        ],
    )
    .unwrap();
    let path = f.root.join("orders.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let mapping_file = f.file(
        "map.toml",
        "[orders]\norder_id = \"oid\"\ncustomer_id = \"buyer\"\nordered_at = \"created\"\n",
    );
    let opts = ImportOptions {
        mapping: strata_import::read_mapping(&mapping_file).unwrap(),
        ..ImportOptions::default()
    };
    let s = f.import(&ORDERS, &[path], &opts);
    assert_eq!((s.inserted, s.rejected), (2, 0), "{:?}", s.sample_rejects);
    let b = f.rows(&ORDERS);
    assert_eq!(strings(&b, "customer_id"), some(&["7", "8"]));
    assert_eq!(micros(&b, "ordered_at")[0], Some(MARCH_1_1405_SHANGHAI));
    assert_eq!(cents(&b, "paid_amount"), vec![Some(1025), Some(300)]);
}

#[test]
fn order_lines_without_numbers_are_numbered_and_reimport_is_idempotent() {
    let mut f = fixture();
    let path = f.file(
        "items.csv",
        "订单编号,商品编码,数量,单价\nO1,S1,1,10\nO1,S2,2,5\nO2,S1,1,10\n",
    );
    let s = f.import(
        &ORDER_ITEMS,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    );
    assert_eq!(s.inserted, 3);
    let b = f.rows(&ORDER_ITEMS);
    assert_eq!(ints(&b, "line_no"), vec![Some(1), Some(2), Some(1)]);
    let s = f.import(&ORDER_ITEMS, &[path], &ImportOptions::default());
    assert_eq!((s.inserted, s.duplicated), (0, 3));
}

#[test]
fn repeats_within_one_import_fold_and_counts_add_up() {
    let mut f = fixture();
    let a = f.file(
        "a.csv",
        "order_id,customer_id,ordered_at,paid_amount\n1,C,2026-01-01,10\n1,C,2026-01-01,10\n2,C,2026-01-02,20\n2,C,2026-01-02,25\n",
    );
    let s = f.import(&ORDERS, &[a.clone(), a], &ImportOptions::default());
    // 8 rows read: order 1 once new, three times the same; order 2 new, then changed, then
    // the same two values again from the second copy of the file: three rows superseded by a
    // later one, the last (25) wins.
    assert_eq!(s.read, 8);
    assert_eq!(
        s.read,
        s.inserted + s.updated + s.duplicated + s.superseded + s.rejected
    );
    assert_eq!(
        (s.inserted, s.updated, s.duplicated, s.superseded),
        (2, 0, 3, 3)
    );
    let b = f.rows(&ORDERS);
    assert_eq!(b.num_rows(), 2);
    assert_eq!(cents(&b, "paid_amount"), vec![Some(1000), Some(2500)]);
}

#[test]
fn events_without_ids_are_identified_by_content() {
    let mut f = fixture();
    let path = f.file(
        "ev.csv",
        "customer_id,event_time,event_type\nC1,2026-01-01 10:00,login\nC1,2026-01-01 10:05,login\n",
    );
    let s = f.import(
        &EVENTS,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    );
    assert_eq!(s.inserted, 2);
    let s = f.import(&EVENTS, &[path], &ImportOptions::default());
    assert_eq!((s.inserted, s.duplicated), (0, 2));
    assert_eq!(f.rows(&EVENTS).num_rows(), 2);
}

#[test]
fn decimal_comma_locale_and_user_mapping() {
    let mut f = fixture();
    let path = f.file(
        "eu.csv",
        "Bestellnr;Kunde;Datum;Betrag\nB1;K1;03/04/2026 10:00;\"1.299,00 €\"\n",
    );
    let mut mapping = Mapping::default();
    for (col, header) in [
        ("order_id", "Bestellnr"),
        ("customer_id", "Kunde"),
        ("ordered_at", "Datum"),
        ("paid_amount", "Betrag"),
    ] {
        mapping.add("orders", col, header).unwrap();
    }
    let opts = ImportOptions {
        mapping,
        values: strata_import::ValueOptions {
            decimal_comma: true,
            day_first: true,
            tz: chrono_tz::Europe::Berlin,
            ..Default::default()
        },
        ..ImportOptions::default()
    };
    let s = f.import(&ORDERS, &[path], &opts);
    assert_eq!(s.rejected, 0, "{:?}", s.sample_rejects);
    let b = f.rows(&ORDERS);
    assert_eq!(cents(&b, "paid_amount"), vec![Some(129_900)]);
    assert_eq!(strings(&b, "currency"), some(&["EUR"]));
    // 3 April 2026 10:00 in Berlin (summer time, UTC+2) is 08:00 UTC.
    assert_eq!(micros(&b, "ordered_at"), vec![Some(1_775_203_200_000_000)]);
}

#[test]
fn an_invalid_utf8_cell_is_rejected_not_garbled() {
    let mut f = fixture();
    let mut bytes = b"order_id,customer_id,ordered_at,paid_amount\n1,C1,2026-01-01,1\n".to_vec();
    // Valid UTF-8 for the first 4 MiB is needed to be read as UTF-8; here the file is short,
    // so a stray byte makes it GB18030-or-nothing. Force UTF-8 to test the per-cell check.
    bytes.extend_from_slice(b"2,C\xff,2026-01-01,1\n");
    let path = f.file("bad.csv", bytes);
    let opts = ImportOptions {
        read: strata_import::ReadOptions {
            encoding: Some(encoding_rs::UTF_8),
            ..Default::default()
        },
        ..ImportOptions::default()
    };
    let s = f.import(&ORDERS, &[path], &opts);
    assert_eq!((s.inserted, s.rejected), (1, 1));
    assert!(s.sample_rejects[0].reason.contains("not valid UTF-8"));
    assert_eq!(s.sample_rejects[0].line, 3);
}

#[test]
fn the_workspace_is_unchanged_when_a_later_file_fails() {
    let mut f = fixture();
    let good = f.file(
        "good.csv",
        "order_id,customer_id,ordered_at,paid_amount\n1,C1,2026-01-01,1\n2,C1,never,1\n",
    );
    let bad = f.file("bad.csv", "nothing,to,see\n");
    let e = import(
        &f.ws,
        &ORDERS,
        &[good, bad],
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("bad.csv: no header row"), "{e}");
    f.ws.reload().unwrap();
    assert_eq!(f.ws.rows(&ORDERS), 0);
    let leftovers = std::fs::read_dir(f.ws.root().join("tables/orders"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 0);
    // Not even the rejects of the failed import stay behind.
    assert!(!f.ws.root().join("rejects").exists());
}

#[test]
fn new_order_parts_are_sorted_by_customer_and_nothing_is_lost() {
    let mut f = fixture();
    // Orders as a time-ordered export writes them: customers interleaved.
    let path = f.file(
        "by-time.csv",
        "order_id,customer_id,ordered_at,paid_amount\n\
         1,C2,2026-01-01,1\n2,C1,2026-01-02,2\n3,C3,2026-01-03,3\n4,C1,2026-01-04,4\n5,C2,2026-01-05,5\n",
    );
    let s = f.import(
        &ORDERS,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    );
    assert_eq!(s.inserted, 5);
    let b = f.rows(&ORDERS);
    assert_eq!(
        strings(&b, "customer_id"),
        some(&["C1", "C1", "C2", "C2", "C3"])
    );
    let mut amounts = cents(&b, "paid_amount");
    amounts.sort();
    assert_eq!(amounts, (1..=5).map(|a| Some(a * 100)).collect::<Vec<_>>());
    assert_eq!(
        f.ws.parts(&ORDERS).len(),
        1,
        "the unsorted part is replaced, not kept"
    );
    let files = std::fs::read_dir(f.ws.root().join("tables/orders"))
        .unwrap()
        .count();
    assert_eq!(files, 1, "no leftover file");
    // A re-import is still idempotent.
    let s = f.import(&ORDERS, &[path], &ImportOptions::default());
    assert_eq!((s.inserted, s.duplicated), (0, 5));
}
