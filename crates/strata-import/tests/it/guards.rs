//! Inputs that used to be accepted and make results silently wrong: each is rejected with its
//! reason, or stored as what it means and counted.

use strata_import::{ImportOptions, ValueOptions};
use strata_store::schema::{ORDERS, REVIEWS};

use crate::{cents, fixture, strings};

/// 2026-12-05 12:00 UTC, the clock these tests import at.
const NOW: i64 = 1_796_472_000_000_000;

fn at_now() -> ImportOptions {
    ImportOptions {
        values: ValueOptions {
            now_us: Some(NOW),
            ..ValueOptions::default()
        },
        ..ImportOptions::default()
    }
}

#[test]
fn a_future_order_is_rejected_with_the_tolerance_it_broke() {
    let mut f = fixture();
    let path = f.file(
        "orders.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         A1,C1,2026-10-31 10:00,10\n\
         A2,C2,2030-01-01 09:00,99\n\
         A3,C3,2026-12-06 08:00,5\n",
    );
    let s = f.import(&ORDERS, std::slice::from_ref(&path), &at_now());
    // 2026-12-06 08:00 Shanghai is within a day of the import; 2030 is not.
    assert_eq!((s.inserted, s.rejected), (2, 1));
    let r = &s.sample_rejects[0];
    assert_eq!((r.line, r.value.as_str()), (3, "2030-01-01 09:00"));
    assert!(r.reason.contains("is in the future"), "{}", r.reason);
    assert!(r.reason.contains("2026-12-05 20:00"), "{}", r.reason);
    assert!(r.reason.contains("up to 1 day later"), "{}", r.reason);
    assert!(r.reason.contains("future_tolerance_days"), "{}", r.reason);

    // A shop that exports scheduled orders raises the tolerance; none accepts anything.
    let mut opts = at_now();
    opts.values.future_tolerance_secs = None;
    let mut f = fixture();
    let path = f.file("orders.csv", std::fs::read(&path).unwrap());
    let s = f.import(&ORDERS, &[path], &opts);
    assert_eq!((s.inserted, s.rejected), (3, 0));
}

#[test]
fn every_time_column_is_checked() {
    let mut f = fixture();
    let path = f.file(
        "reviews.csv",
        "review_id,order_id,customer_id,created_at,rating,content\n\
         R1,A1,C1,2026-11-01,5,好\n\
         R2,A1,C1,2062-11-01,1,差\n",
    );
    let s = f.import(&REVIEWS, &[path], &at_now());
    assert_eq!((s.inserted, s.rejected), (1, 1));
    assert_eq!(s.sample_rejects[0].value, "2062-11-01");
}

#[test]
fn ids_excel_turned_into_numbers_are_rejected_with_what_happened() {
    let mut f = fixture();
    // Two 18-digit order numbers that Excel shows alike once it has made them numbers.
    let path = f.file(
        "orders.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         2.61012E+17,C1,2026-10-01,10\n\
         2.61012E+17,C2,2026-10-02,20\n\
         261012345678901234,C3,2026-10-03,30\n\
         3E10,C4,2026-10-04,40\n",
    );
    let s = f.import(&ORDERS, &[path], &at_now());
    assert_eq!((s.inserted, s.rejected), (2, 2));
    let r = &s.sample_rejects[0];
    assert_eq!((r.line, r.column.as_str()), (2, "order_id (column 1)"));
    assert!(r.reason.contains("scientific notation"), "{}", r.reason);
    assert!(r.reason.contains("Excel"), "{}", r.reason);
    assert!(r.reason.contains("as text"), "{}", r.reason);
    // Only Excel's own spelling (with the sign) is taken for a mangled number.
    let b = f.rows(&ORDERS);
    let mut ids = strings(&b, "order_id");
    ids.sort();
    assert_eq!(
        ids,
        vec![Some("261012345678901234".into()), Some("3E10".into())]
    );
}

#[test]
fn customer_ids_in_scientific_notation_are_rejected_too() {
    let f = fixture();
    let path = f.file(
        "orders.csv",
        "order_id,customer_id,order_time,paid_amount\nA1,1.38001E+10,2026-10-01,10\n",
    );
    let e = strata_import::import(&f.ws, &ORDERS, &[path], &at_now(), &mut |_| {}).unwrap_err();
    // Every row rejected: the import stops and says where the reasons are.
    assert!(e.to_string().contains("rejected"), "{e}");
}

#[test]
fn negative_amounts_are_refunds_only_where_the_export_says_so() {
    let mut f = fixture();
    let path = f.file(
        "orders.csv",
        "订单编号,买家ID,下单时间,实付金额,订单状态\n\
         A1,C1,2026-10-01,-30.50,退款成功\n\
         A2,C1,2026-10-02,-12,交易成功\n\
         A3,C2,2026-10-03,-8,\n\
         A4,C2,2026-10-04,0,交易成功\n\
         A5,C3,2026-10-05,0,交易关闭\n\
         A6,C3,2026-10-06,19.90,交易成功\n",
    );
    let s = f.import(&ORDERS, &[path], &at_now());
    assert_eq!((s.inserted, s.rejected), (4, 2));
    assert_eq!((s.negative_refunds, s.zero_amount_paid), (1, 1));
    let r = &s.sample_rejects[0];
    assert_eq!(
        (r.line, r.column.as_str(), r.value.as_str()),
        (3, "实付金额 (column 4)", "-12")
    );
    assert!(r.reason.contains("negative amount"), "{}", r.reason);
    // A status that is missing means paid, so a negative amount there is refused as well.
    assert_eq!(s.sample_rejects[1].line, 4);
    let b = f.rows(&ORDERS);
    let ids = strings(&b, "order_id");
    let a1 = ids.iter().position(|i| i.as_deref() == Some("A1")).unwrap();
    assert_eq!(cents(&b, "paid_amount")[a1], Some(3050));
    assert_eq!(strings(&b, "status")[a1].as_deref(), Some("refunded"));
    // The counts are kept with the generation, for history.
    let last = f.ws.manifest().history.last().unwrap();
    assert_eq!(last.counts.get("negative_refunds"), Some(&1));
    assert_eq!(last.counts.get("zero_amount_paid"), Some(&1));
}

#[test]
fn ids_that_lost_their_leading_zeros_are_flagged_across_imports() {
    let mut f = fixture();
    let first = f.file(
        "orders.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         A1,000123,2026-10-01 10:00,10\n\
         A2,004560,2026-10-02 10:00,10\n\
         A3,789,2026-10-03 10:00,10\n",
    );
    let s = f.import(&ORDERS, &[first], &ImportOptions::default());
    // Zero-led and plain ids that do not match each other are fine.
    assert!(s.stripped_ids.is_empty(), "{:?}", s.stripped_ids);
    assert!(s.zeros_file.is_none());

    // A re-saved sheet: the customer's zeros are gone, and one new order's own id too.
    let second = f.file(
        "orders-excel.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         A4,123,2026-10-04 10:00,10\n\
         0789,0789,2026-10-05 10:00,10\n\
         A6,4560x,2026-10-06 10:00,10\n",
    );
    let s = f.import(
        &ORDERS,
        std::slice::from_ref(&second),
        &ImportOptions::default(),
    );
    assert_eq!(s.inserted, 3, "the rows are kept: they may be real ids");
    let pairs: Vec<(&str, &str, &str)> = s
        .stripped_ids
        .iter()
        .map(|z| (z.column, z.id.as_str(), z.with_zeros.as_str()))
        .collect();
    // 123 (new) matches stored 000123; stored 789 matches the new 0789. `4560x` is no number.
    assert_eq!(
        pairs,
        vec![
            ("customer_id", "123", "000123"),
            ("customer_id", "789", "0789")
        ]
    );
    let file = std::fs::read_to_string(s.zeros_file.as_ref().unwrap()).unwrap();
    assert!(
        file.starts_with("\u{feff}column,id,same_with_zeros\n"),
        "{file}"
    );
    assert!(file.contains("customer_id,123,000123\n"), "{file}");

    // Importing the same file again reports the same pairs, and changes nothing.
    let third = f.file("again.csv", std::fs::read(&second).unwrap());
    let s = f.import(&ORDERS, &[third], &ImportOptions::default());
    assert_eq!((s.inserted, s.duplicated, s.committed), (0, 3, false));
    assert_eq!(s.stripped_ids.len(), 2);
}
