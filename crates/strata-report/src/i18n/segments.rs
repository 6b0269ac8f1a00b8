//! The segments chapter.

texts! {
    title: "运营分群", "Segments";
    intro: "已保存的分群及其在最近一次刷新时的规模。进入与离开按最近一次刷新相对上一次计算，活动可据此对新进入的客户触发。", "The saved segments and their size at the latest refresh. Entered and left compare the latest refresh with the one before: campaigns can trigger on customers who entered.";
    segment: "分群", "Segment";
    members: "客户数", "Members";
    share_of_customers: "客户占比", "Share of customers";
    share_of_revenue: "销售额占比", "Share of revenue";
    entered: "新进入", "Entered";
    left: "离开", "Left";
    previous: "上次刷新客户数", "Members before";
    caption: "规则见 strata segment list；成员见表 segment_members，变动见 segment_changes。", "Rules: strata segment list; members: table segment_members; changes: segment_changes.";
}
