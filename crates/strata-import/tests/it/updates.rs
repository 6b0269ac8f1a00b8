//! Re-imports: what an update keeps, what it reports, and when it changes nothing at all.

use strata_import::{ImportOptions, Mapping};
use strata_store::schema::{CUSTOMERS, ORDERS};

use crate::{cents, fixture, strings};

const FULL: &str = "order_id,customer_id,order_time,paid_amount,status,channel,device,payment_method,province\n\
                    D1,C1,2026-10-01 10:00,100,paid,tmall,mobile,alipay,浙江\n\
                    D2,C2,2026-10-02 11:00,200,paid,jd,pc,wechat_pay,广东\n\
                    D3,C3,2026-10-03 12:00,300,paid,douyin,mobile,alipay,上海\n";

fn column(b: &arrow::array::RecordBatch, name: &str, id: &str) -> Option<String> {
    let ids = strings(b, "order_id");
    let at = ids.iter().position(|i| i.as_deref() == Some(id)).unwrap();
    strings(b, name)[at].clone()
}

#[test]
fn a_fix_file_with_fewer_columns_patches_the_rows_it_updates() {
    let mut f = fixture();
    let full = f.file("full.csv", FULL);
    f.import(&ORDERS, &[full], &ImportOptions::default());
    let before = f.rows(&ORDERS);
    let was = |name: &str| column(&before, name, "D1");
    assert!(was("channel").is_some() && was("payment_method").is_some());
    // The shop re-exports two orders with four columns: D1's amount was wrong, D3 unchanged.
    let fix = f.file(
        "fix.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         D1,C1,2026-10-01 10:00,110\n\
         D3,C3,2026-10-03 12:00,300\n",
    );
    let s = f.import(
        &ORDERS,
        std::slice::from_ref(&fix),
        &ImportOptions::default(),
    );
    assert_eq!((s.inserted, s.updated, s.duplicated), (0, 1, 1));
    assert_eq!(s.patched, 1);
    for kept in ["status", "channel", "device", "payment_method", "province"] {
        assert!(s.kept_columns.contains(&kept), "{:?}", s.kept_columns);
    }
    // Columns that were empty anyway, and those the file has, are not named.
    assert!(!s.kept_columns.contains(&"paid_amount"));
    assert!(!s.kept_columns.contains(&"return_reason"));
    let b = f.rows(&ORDERS);
    assert_eq!(b.num_rows(), 3);
    for name in ["status", "channel", "device", "payment_method", "province"] {
        assert_eq!(column(&b, name, "D1"), was(name), "{name}");
    }
    let ids = strings(&b, "order_id");
    let d1 = ids.iter().position(|i| i.as_deref() == Some("D1")).unwrap();
    assert_eq!(cents(&b, "paid_amount")[d1], Some(11000));

    // The same fix again changes nothing and commits nothing.
    let generation = f.ws.manifest().generation;
    let s = f.import(
        &ORDERS,
        std::slice::from_ref(&fix),
        &ImportOptions::default(),
    );
    assert_eq!((s.inserted, s.updated, s.duplicated), (0, 0, 2));
    assert!(!s.committed);
    assert_eq!(f.ws.manifest().generation, generation);

    // A status the file does not have stays what it was, even for a refunded order.
    let refund = f.file(
        "refund.csv",
        "order_id,customer_id,order_time,paid_amount,status\nD2,C2,2026-10-02 11:00,200,退款成功\n",
    );
    f.import(&ORDERS, &[refund], &ImportOptions::default());
    let later = f.file(
        "later.csv",
        "order_id,customer_id,order_time,paid_amount\nD2,C2,2026-10-02 11:00,210\n",
    );
    f.import(&ORDERS, &[later], &ImportOptions::default());
    let b = f.rows(&ORDERS);
    assert_eq!(column(&b, "status", "D2").as_deref(), Some("refunded"));
    assert_eq!(
        column(&b, "channel", "D2"),
        column(&before, "channel", "D2")
    );
}

#[test]
fn replace_rows_empties_what_the_file_lacks() {
    let mut f = fixture();
    let full = f.file("full.csv", FULL);
    f.import(&ORDERS, &[full], &ImportOptions::default());
    let fix = f.file(
        "fix.csv",
        "order_id,customer_id,order_time,paid_amount\nD1,C1,2026-10-01 10:00,110\n",
    );
    let opts = ImportOptions {
        replace_rows: true,
        ..ImportOptions::default()
    };
    let s = f.import(&ORDERS, &[fix], &opts);
    assert_eq!((s.updated, s.patched), (1, 0));
    let b = f.rows(&ORDERS);
    assert_eq!(column(&b, "channel", "D1"), None);
    // A missing status reads as paid.
    assert_eq!(column(&b, "status", "D1").as_deref(), Some("paid"));
}

#[test]
fn an_empty_cell_in_a_column_the_file_has_is_a_value() {
    let mut f = fixture();
    let full = f.file("full.csv", FULL);
    f.import(&ORDERS, &[full], &ImportOptions::default());
    let fix = f.file(
        "fix.csv",
        "order_id,customer_id,order_time,paid_amount,channel\nD1,C1,2026-10-01 10:00,100,\n",
    );
    let s = f.import(&ORDERS, &[fix], &ImportOptions::default());
    assert_eq!((s.updated, s.patched), (1, 1));
    let b = f.rows(&ORDERS);
    assert_eq!(column(&b, "channel", "D1"), None);
    assert!(column(&b, "device", "D1").is_some());
}

#[test]
fn duplicate_keys_in_one_file_last_row_wins_and_reimport_changes_nothing() {
    let mut f = fixture();
    let path = f.file(
        "dup.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         D1,C1,2026-10-01,10\n\
         D1,C1,2026-10-01,20\n\
         D2,C2,2026-10-02,5\n",
    );
    let s = f.import(
        &ORDERS,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    );
    assert_eq!((s.inserted, s.updated, s.superseded), (2, 0, 1));
    let b = f.rows(&ORDERS);
    let ids = strings(&b, "order_id");
    let d1 = ids.iter().position(|i| i.as_deref() == Some("D1")).unwrap();
    assert_eq!(cents(&b, "paid_amount")[d1], Some(2000));
    let generation = f.ws.manifest().generation;
    let history = f.ws.manifest().history.len();
    for _ in 0..2 {
        let s = f.import(
            &ORDERS,
            std::slice::from_ref(&path),
            &ImportOptions::default(),
        );
        // Used to say "1 updated" every time and write a generation that changed nothing.
        assert_eq!(
            (s.inserted, s.updated, s.duplicated, s.superseded),
            (0, 0, 2, 1)
        );
        assert!(!s.committed);
        assert_eq!(s.generation, generation);
    }
    assert_eq!(f.ws.manifest().generation, generation);
    assert_eq!(f.ws.manifest().history.len(), history);
}

#[test]
fn an_order_that_changes_customer_is_counted_and_listed() {
    let mut f = fixture();
    let full = f.file("full.csv", FULL);
    f.import(&ORDERS, &[full], &ImportOptions::default());
    let moved = f.file(
        "moved.csv",
        "order_id,customer_id,order_time,paid_amount\n\
         D2,C9,2026-10-02 11:00,200\n\
         D1,C1,2026-10-01 10:00,100\n\
         D3,C7,2026-10-03 12:00,300\n",
    );
    let s = f.import(&ORDERS, &[moved], &ImportOptions::default());
    assert_eq!((s.updated, s.duplicated), (2, 1));
    let changes: Vec<(&str, &str, &str)> = s
        .customer_changes
        .iter()
        .map(|c| (c.order_id.as_str(), c.from.as_str(), c.to.as_str()))
        .collect();
    assert_eq!(changes, vec![("D2", "C2", "C9"), ("D3", "C3", "C7")]);
    let listed = std::fs::read_to_string(s.changes_file.as_ref().unwrap()).unwrap();
    assert_eq!(
        listed,
        "\u{feff}order_id,old_customer_id,new_customer_id\nD2,C2,C9\nD3,C3,C7\n"
    );
    let last = f.ws.manifest().history.last().unwrap();
    assert_eq!(last.counts.get("customer_changes"), Some(&2));
}

#[test]
fn value_mappings_read_unknown_vocabulary_values() {
    let mut f = fixture();
    let path = f.file(
        "orders.csv",
        "订单编号,买家ID,下单时间,实付金额,订单状态,渠道\n\
         A1,C1,2026-10-01,10,待评价,抖店\n\
         A2,C1,2026-10-02,10,交易成功,天猫\n",
    );
    // Without a mapping the unknown status is rejected, and the reason says how to map it.
    let s = f.import(
        &ORDERS,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    );
    assert_eq!(s.rejected, 1);
    let reason = &s.sample_rejects[0].reason;
    assert!(
        reason.contains("--map-value status:待评价=VALUE"),
        "{reason}"
    );
    assert!(reason.contains("[orders.values.status]"), "{reason}");

    let mut mapping = Mapping::default();
    mapping
        .add_value_spec("orders", "status:待评价=paid")
        .unwrap();
    mapping
        .add_value_spec("orders", "channel: 抖店 =douyin")
        .unwrap();
    let opts = ImportOptions {
        mapping,
        ..ImportOptions::default()
    };
    let s = f.import(&ORDERS, &[path], &opts);
    assert_eq!((s.inserted, s.rejected), (1, 0));
    let b = f.rows(&ORDERS);
    assert_eq!(column(&b, "status", "A1").as_deref(), Some("paid"));
    assert_eq!(column(&b, "channel", "A1").as_deref(), Some("douyin"));
}

#[test]
fn value_mappings_from_the_mapping_file_and_their_errors() {
    let origin = std::path::Path::new("map.toml");
    let m = Mapping::from_toml(
        "[orders]\norder_id = \"单号\"\n[orders.values.status]\n\"待评价\" = \"交易成功\"\n",
        origin,
    );
    assert!(m.is_ok(), "{m:?}");
    let e = Mapping::from_toml("[orders.values.status]\n\"待评价\" = \"great\"\n", origin)
        .unwrap_err()
        .to_string();
    assert!(e.contains("map.toml"), "{e}");
    assert!(e.contains("`great` is not valid"), "{e}");
    assert!(e.contains("pending, paid, refunded, cancelled"), "{e}");
    let e = Mapping::from_toml("[orders.values.colour]\n\"红\" = \"red\"\n", origin)
        .unwrap_err()
        .to_string();
    assert!(e.contains("has no column `colour`"), "{e}");
    let e = Mapping::default()
        .add_value_spec("orders", "status=paid")
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected COLUMN:VALUE=CANONICAL"), "{e}");
    let e = Mapping::from_toml("[orders]\norder_id = 3\n", origin)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected the header text"), "{e}");
}

#[test]
fn customers_patch_too() {
    let mut f = fixture();
    let full = f.file(
        "c.csv",
        "customer_id,name,phone,gender,province\nC1,张三,13800000000,女,浙江\n",
    );
    f.import(&CUSTOMERS, &[full], &ImportOptions::default());
    let fix = f.file("fix.csv", "customer_id,phone\nC1,13900000000\n");
    let s = f.import(&CUSTOMERS, &[fix], &ImportOptions::default());
    assert_eq!((s.updated, s.patched), (1, 1));
    let b = f.rows(&CUSTOMERS);
    assert_eq!(strings(&b, "name")[0].as_deref(), Some("张三"));
    assert_eq!(strings(&b, "phone")[0].as_deref(), Some("13900000000"));
    assert_eq!(strings(&b, "gender")[0].as_deref(), Some("female"));
}
