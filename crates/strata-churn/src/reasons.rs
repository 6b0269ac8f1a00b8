//! Reasons in words: the groups of features that raised a customer's risk most, each said with
//! the customer's own values ("38 days since last order, usual gap 12").

use crate::config::SignalConfig;
use crate::features::{FeatureSet, Group};
use strata_charts::Lang;

fn value(fs: &FeatureSet, name: &str, row: usize) -> f64 {
    fs.column(name)[row]
}

fn days(x: f64) -> String {
    format!("{:.0}", x.max(0.0))
}

fn pct(x: f64) -> String {
    format!("{:.0}%", (x * 100.0).abs())
}

fn money(x: f64) -> String {
    if x.abs() >= 10_000.0 {
        format!("¥{:.1}万", x / 10_000.0)
    } else {
        format!("¥{x:.0}")
    }
}

/// The group in words for customer `row`, in Chinese (`zh`) or English.
pub fn describe(group: Group, fs: &FeatureSet, row: usize, s: &SignalConfig, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let v = |name: &str| value(fs, name, row);
    match group {
        Group::Recency => {
            let (r, g) = (v("recency_days"), v("gap_mean_days"));
            match (g.is_finite(), zh) {
                (true, true) => format!("距上次下单{}天，平时间隔{}天", days(r), days(g)),
                (true, false) => {
                    format!("{} days since last order, usual gap {}", days(r), days(g))
                }
                (false, true) => format!("仅下单一次，距今{}天", days(r)),
                (false, false) => format!("{} days since the only order", days(r)),
            }
        }
        Group::Frequency => {
            let (o, t, o90) = (v("orders"), v("tenure_days"), v("orders_90d"));
            if o90 == 0.0 && o > 1.0 {
                if zh {
                    format!("近90天未下单（累计{o:.0}单）")
                } else {
                    format!("no order in 90 days ({o:.0} in all)")
                }
            } else if zh {
                format!("{}天内仅下单{o:.0}次", days(t))
            } else {
                let s = if o == 1.0 { "" } else { "s" };
                format!("{o:.0} order{s} in {} days", days(t))
            }
        }
        Group::Spend => {
            let s12 = v("spend_12m");
            if zh {
                format!("近12个月消费{}", money(s12))
            } else {
                format!("spent {} in 12 months", money(s12))
            }
        }
        Group::OrderValue => {
            let (trend, aov) = (v("aov_trend"), v("avg_order_value"));
            match (trend.is_finite() && trend < 0.0, zh) {
                (true, true) => format!("近期客单价下降{}", pct(trend)),
                (true, false) => format!("recent orders {} smaller", pct(trend)),
                (false, true) => format!("客单价{}", money(aov)),
                (false, false) => format!("average order {}", money(aov)),
            }
        }
        Group::Refunds => {
            let (recent, all) = (v("refunds_recent"), v("refunds"));
            let fd = days(s.feedback_days);
            match (recent > 0.0, zh) {
                (true, true) => format!("近{fd}天退款{recent:.0}次"),
                (true, false) => format!("{recent:.0} refund(s) in {fd} days"),
                (false, true) => format!("累计退款{all:.0}次"),
                (false, false) => format!("{all:.0} refund(s) in all"),
            }
        }
        Group::Discounts => {
            let c = v("coupon_rate");
            match (c < 0.2, zh) {
                (true, true) => format!("很少用券（{}的订单）", pct(c)),
                (true, false) => format!("rarely uses coupons ({} of orders)", pct(c)),
                (false, true) => format!("{}的订单用券", pct(c)),
                (false, false) => format!("coupon on {} of orders", pct(c)),
            }
        }
        Group::Festivals => {
            let f = v("festival_share");
            match (f < 0.2, zh) {
                (true, true) => format!("很少在大促节日购买（{}的订单）", pct(f)),
                (true, false) => format!("seldom buys at festivals ({} of orders)", pct(f)),
                (false, true) => format!("{}的订单在大促节日", pct(f)),
                (false, false) => format!("{} of orders at festivals", pct(f)),
            }
        }
        Group::PurchaseModel => {
            let p = v("p_alive");
            if zh {
                format!("购买模型估计仍活跃的概率{}", pct(p))
            } else {
                format!("purchase model gives {} chance still active", pct(p))
            }
        }
        Group::Login => {
            let (l, vis) = (v("days_since_login"), v("days_since_visit"));
            match (l.is_finite(), vis.is_finite(), zh) {
                (true, _, true) => format!("{}天未登录", days(l)),
                (true, _, false) => format!("no login for {} days", days(l)),
                (false, true, true) => format!("{}天未访问", days(vis)),
                (false, true, false) => format!("no visit for {} days", days(vis)),
                (false, false, true) => "没有访问记录".into(),
                (false, false, false) => "no tracked visits".into(),
            }
        }
        Group::Browsing => {
            let (ch, m) = (v("browse_change"), v("browse_minutes"));
            let w = days(s.browse_window_days);
            match (ch.is_finite() && ch < 0.0, zh) {
                (true, true) => format!("浏览时长下降{}（近{w}天对比前{w}天）", pct(ch)),
                (true, false) => format!(
                    "browsing time down {} (last {w} days vs the {w} before)",
                    pct(ch)
                ),
                (false, true) => format!("近{w}天浏览{:.0}分钟", m.max(0.0)),
                (false, false) => format!("{:.0} minutes browsing in {w} days", m.max(0.0)),
            }
        }
        Group::Sessions => {
            let (ch, n) = (v("session_change"), v("sessions"));
            let w = days(s.session_window_days);
            match (ch.is_finite() && ch < 0.0, zh) {
                (true, true) => format!("访问次数下降{}（近{w}天）", pct(ch)),
                (true, false) => format!("sessions down {} (last {w} days)", pct(ch)),
                (false, true) => format!("近{w}天访问{:.0}次", n.max(0.0)),
                (false, false) => format!("{:.0} sessions in {w} days", n.max(0.0)),
            }
        }
        Group::Cart => {
            let c = v("cart_unpaid_days");
            match (c.is_finite(), zh) {
                (true, true) => format!("加购后{}天未支付", days(c)),
                (true, false) => format!("cart left unpaid for {} days", days(c)),
                (false, true) => "近期没有加购".into(),
                (false, false) => "no recent add-to-cart".into(),
            }
        }
        Group::Service => {
            let k = v("service_contacts");
            let fd = days(s.feedback_days);
            if zh {
                format!("近{fd}天联系客服{k:.0}次")
            } else {
                format!("{k:.0} customer-service contact(s) in {fd} days")
            }
        }
        Group::Contacts => {
            let k = v("contact_engagements");
            let cd = days(s.contact_days);
            match (k.is_finite() && k > 0.0, zh) {
                (true, true) => format!("近{cd}天仅打开或点击消息{k:.0}次"),
                (true, false) => format!("only {k:.0} message open(s) or click(s) in {cd} days"),
                (false, true) => format!("近{cd}天未打开或点击营销消息"),
                (false, false) => format!("no message opened or clicked in {cd} days"),
            }
        }
        Group::Reviews => {
            let (neg, all) = (v("negative_reviews"), v("reviews_recent"));
            let fd = days(s.feedback_days);
            match (neg > 0.0, zh) {
                (true, true) => format!("近{fd}天差评{neg:.0}条"),
                (true, false) => format!("{neg:.0} negative review(s) in {fd} days"),
                (false, true) => format!("近{fd}天评价{all:.0}条"),
                (false, false) => format!("{all:.0} review(s) in {fd} days"),
            }
        }
    }
}

/// Whether the customer has any value in the group: a group whose features are all missing (no
/// events for this customer, no purchase model) can move the score, but has nothing to say.
pub fn known(group: Group, fs: &FeatureSet, row: usize) -> bool {
    crate::features::FEATURES
        .iter()
        .enumerate()
        .any(|(c, f)| f.group == group && fs.columns[c][row].is_finite())
}

/// The (at most) three groups that raised the risk most, largest first, among those `keep`
/// accepts (asked only of the rising ones, in order); only groups whose contributions add up to
/// a rise count.
pub fn top_three(
    groups: &[(Group, f64)],
    mut keep: impl FnMut(Group) -> bool,
) -> Vec<(Group, f64)> {
    let mut up: Vec<(Group, f64)> = groups.iter().copied().filter(|(_, c)| *c > 1e-9).collect();
    up.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out = Vec::with_capacity(3);
    for (g, c) in up {
        if out.len() == 3 {
            break;
        }
        if keep(g) {
            out.push((g, c));
        }
    }
    out
}
