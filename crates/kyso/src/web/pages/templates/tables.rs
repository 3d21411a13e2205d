//! The Office's tables as pages: a month (what is met and what is missing), a unit's year,
//! the report of a period.

use super::{kind_slug, layout, pct, tick, verdict_vi, Viewer, KINDS};
use crate::app::tables::UnitMonthHistory;
use crate::duty::office_report::{OfficeReport, Score};
use crate::duty::tables::MonthTable;
use maud::{html, Markup};

/// What the month page shows of a table, after the filters.
pub struct MonthView<'a> {
    pub table: &'a MonthTable,
    pub kind: Option<&'a str>,
    pub search: &'a str,
    /// What is still missing ("còn thiếu"), shown first.
    pub missing: &'a [crate::duty::office_report::Missing],
    /// Days left in the month, counting today, when it is in progress.
    pub days_left: Option<i64>,
    /// The table shows only units with something missing.
    pub only_missing: bool,
    /// Reminders can be sent from the page (configured, the month in progress).
    pub can_remind: bool,
    /// When each unit was last reminded this month (Vietnam time), delivered reminders only.
    pub reminded: &'a std::collections::HashMap<String, String>,
}

pub fn month(v: &MonthView, viewer: &Viewer) -> Markup {
    let t = v.table;
    let (prev, next) = (t.month.previous(), t.month.next());
    let needle = v.search.trim().to_lowercase();
    let shown = |u: &crate::duty::tables::UnitMonth| {
        let incomplete = !u.organisation.satisfied || u.leaders.iter().any(|l| !l.satisfied);
        (!v.only_missing || incomplete)
            && v.kind.is_none_or(|k| kind_slug(u.kind) == k)
            && (needle.is_empty()
                || u.name.to_lowercase().contains(&needle)
                || u.id.contains(&needle))
    };
    layout(
        &format!("Tháng {}", t.month.vn()),
        Some(viewer),
        html! {
            h1 { "Tình hình ký số tháng " (t.month.vn()) }
            p.print-only { "Lập ngày " (crate::vn::date(time::OffsetDateTime::now_utc())) " (giờ Việt Nam)." }
            nav.months {
                a href={ "/ui/thang/" (prev) } { "← Tháng " (prev.vn()) }
                a href={ "/ui/thang/" (next) } { "Tháng " (next.vn()) " →" }
            }
            @if let Some(f) = t.tracking_from {
                @if t.month < f { p.period { "Tháng này trước khi bắt đầu theo dõi (số liệu từ tháng " (f.vn()) "): không đơn vị nào phải nộp." } }
            }
            p.period {
                @match &t.closed {
                    Some(c) => {
                        "Số liệu đã chốt lúc " (crate::vn::datetime(c.closed_at)) " (" (c.closed_by) "); bảng dưới đây là số liệu đã chốt. "
                        a href={ "/ui/ky-da-chot/" (t.month) "/" (t.month) ".csv" } { "Tải bản đã chốt (CSV)" }
                    }
                    None => { "Chưa chốt số liệu." }
                }
            }
            (still_missing(v, viewer))
            (amendments(&t.amendments))
            ul.summary {
                li { "Ký số cơ quan: " strong { (t.totals.organisation_satisfied) "/" (t.totals.units) } " đơn vị (" (pct(t.totals.organisation_satisfied, t.totals.units)) ")" }
                li { "Ký số lãnh đạo: " strong { (t.totals.leaders_satisfied) "/" (t.totals.leaders) } " lãnh đạo (" (pct(t.totals.leaders_satisfied, t.totals.leaders)) ")" }
            }
            (month_filter(v))
            @for k in KINDS {
                @let units: Vec<_> = t.units.iter().filter(|u| u.kind == k && shown(u)).collect();
                @if !units.is_empty() {
                    h2 { (k.label_vi()) " (" (units.len()) ")" }
                    table.month {
                        thead { tr { th { "Đơn vị" } th { "Ký số cơ quan" } th { "Lãnh đạo" } } }
                        tbody {
                            @for u in units {
                                tr {
                                    td { a href={ "/ui/don-vi/" (u.id) } { (u.name) } }
                                    td.center { (tick(u.organisation.satisfied)) }
                                    td {
                                        @for l in &u.leaders {
                                            div.leader {
                                                (tick(l.satisfied)) " " (l.title) " " (l.name)
                                                @if !l.satisfied && l.no_certificate { " " span.hint { "(chưa có chứng thư số)" } }
                                            }
                                        }
                                        @if u.leaders.is_empty() { span.none { "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The month page's filter: by kind, by name, only the units still missing.
fn month_filter(v: &MonthView) -> Markup {
    html! {
        form.filter method="get" {
            label for="loai" { "Loại đơn vị" }
            select id="loai" name="loai" {
                option value="" { "Tất cả" }
                @for k in KINDS {
                    option value=(kind_slug(k)) selected[v.kind == Some(kind_slug(k))] { (k.label_vi()) }
                }
            }
            label for="q" { "Tìm đơn vị" }
            input id="q" name="q" type="search" value=(v.search);
            label.check { input type="checkbox" name="con-thieu" value="1" checked[v.only_missing]; " Chỉ đơn vị còn thiếu" }
            button type="submit" { "Lọc" }
        }
    }
}

/// A unit's year.
/// What the unit page says of one file.
pub struct FileFacts {
    pub name: String,
    pub signers: Vec<(String, String)>,
    pub verdict: kyso_verify::report::Verdict,
}

impl FileFacts {
    pub fn of(sub: &crate::duty::submission::Submission) -> FileFacts {
        FileFacts {
            name: sub
                .file_name
                .clone()
                .unwrap_or_else(|| format!("{}.pdf", &sub.id[..12.min(sub.id.len())])),
            signers: sub
                .report
                .signatures
                .iter()
                .map(|s| {
                    let who = s
                        .signer
                        .as_ref()
                        .map(|x| crate::text::visible(&x.subject))
                        .unwrap_or_default();
                    let cn = who
                        .split(',')
                        .find_map(|p| p.strip_prefix("CN="))
                        .unwrap_or(&who)
                        .to_string();
                    (
                        cn,
                        s.signing_time.map(crate::vn::datetime).unwrap_or_default(),
                    )
                })
                .collect(),
            verdict: sub.report.verdict,
        }
    }
}

/// A unit's year as its page shows it.
pub struct UnitView<'a> {
    pub name: &'a str,
    pub id: &'a str,
    pub year: i32,
    pub months: &'a [UnitMonthHistory],
    pub files: &'a std::collections::HashMap<String, FileFacts>,
    /// What the unit still misses in the month in progress.
    pub missing: &'a [crate::duty::office_report::Missing],
}

/// What the unit still misses this month, first on its page (what its clerk chases).
fn unit_missing(v: &UnitView) -> Markup {
    let month = crate::duty::period::Month::of_vietnam_time(time::OffsetDateTime::now_utc());
    html! {
        section.missing {
            h2 { "Tháng " (month.vn()) ": còn thiếu (" (v.missing.len()) ")" }
            @if let Some(d) = month.days_left(time::OffsetDateTime::now_utc()) {
                p.period { "Còn " strong { (d) } " ngày nữa là hết tháng." }
            }
            @if v.missing.is_empty() {
                p.ok { "Đơn vị đã nộp đủ trong tháng này." }
            } @else {
                ul.missing {
                    @for m in v.missing {
                        li {
                            @match &m.leader_name { Some(n) => { "Văn bản do " (n) " ký số" }, None => { "Văn bản ký số bằng chứng thư số của cơ quan, đơn vị" } }
                            @if m.no_certificate { " (chưa có chứng thư số: liên hệ Văn phòng để đăng ký)" }
                        }
                    }
                }
            }
            p { a href={ "/ui/ho-so?thang=" (month) "&don-vi=" (v.id) } { "Các tệp đơn vị đã nộp tháng này, và lý do tệp chưa được tính" } }
        }
    }
}

pub fn unit(v: &UnitView, viewer: &Viewer) -> Markup {
    let (name, id, year, months, facts) = (v.name, v.id, v.year, v.months, v.files);
    let files = |subs: &[String]| {
        html! {
            @for s in subs {
                div.file {
                    a href={ "/ui/ho-so/" (s) "/pdf" } title=(s) {
                        (facts.get(s).map(|f| f.name.as_str()).unwrap_or("tệp"))
                    }
                    @if let Some(f) = facts.get(s) {
                        " — " (verdict_vi(f.verdict))
                        @for (who, when) in &f.signers { br; span.hint { (who) ", ký lúc " (when) } }
                    }
                }
            }
        }
    };
    layout(
        name,
        Some(viewer),
        html! {
            h1 { (name) }
            (unit_missing(v))
            nav.months {
                a href={ "/ui/don-vi/" (id) "?nam=" (year - 1) } { "← Năm " (year - 1) }
                a href={ "/ui/don-vi/" (id) "?nam=" (year + 1) } { "Năm " (year + 1) " →" }
            }
            table.unit {
                thead { tr { th { "Tháng" } th { "Ký số cơ quan" } th { "Lãnh đạo" } } }
                tbody {
                    @for m in months {
                        tr {
                            td {
                                @if viewer.read { a href={ "/ui/thang/" (m.month) } { (m.month.vn()) } }
                                @else { a href={ "/ui/ho-so?thang=" (m.month) "&don-vi=" (id) } { (m.month.vn()) } }
                            }
                            @if !m.required {
                                td colspan="2" { span.none { "Không phải nộp" } }
                            } @else {
                                td {
                                    @if let Some(o) = &m.organisation {
                                        (tick(o.satisfied)) " " (files(&o.submissions))
                                    }
                                }
                                td {
                                    @for l in &m.leaders {
                                        div.leader { (tick(l.satisfied)) " " (l.title) " " (l.name) " " (files(&l.submissions)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub(super) fn score(s: &Score) -> Markup {
    html! {
        (s.satisfied) "/" (s.required)
        @if let Some(p) = s.percent { " (" (format!("{p:.1}").replace('.', ",")) "%)" }
    }
}

/// The quarter's or year's report, with its downloads.
pub fn report(r: &OfficeReport, viewer: &Viewer) -> Markup {
    let period = crate::export::xlsx::period_vi(r);
    let q = r.quarter.map(|q| format!("&quy={q}")).unwrap_or_default();
    layout(
        &format!("Báo cáo {period}"),
        Some(viewer),
        html! {
            h1 { "Báo cáo thực hiện ký số — " (period) }
            form.filter method="get" {
                label for="nam" { "Năm" }
                input id="nam" name="nam" type="number" value=(r.year);
                label for="quy" { "Quý" }
                select id="quy" name="quy" {
                    option value="" { "Cả năm" }
                    @for n in 1..=4u8 { option value=(n) selected[r.quarter == Some(n)] { "Quý " (n) } }
                }
                button type="submit" { "Xem" }
            }
            p.downloads {
                a href={ "/ui/bao-cao/tai?nam=" (r.year) (q) "&dinh-dang=xlsx" } { "Tải Excel" }
                " · "
                a href={ "/ui/bao-cao/tai?nam=" (r.year) (q) "&dinh-dang=csv" } { "Tải CSV" }
            }
            @if let Some(m) = r.in_progress { p.period { "Tháng " (m.vn()) " đang diễn ra, chưa tính." } }
            @if let Some(f) = r.tracking_from { p.period { "Số liệu từ tháng " (f.vn()) "." } }
            p.period { (crate::export::xlsx::adjustments_vi(&r.adjustments)) }
            p.print-only { "Lập ngày " (crate::vn::date(time::OffsetDateTime::now_utc())) " (giờ Việt Nam)." }
            @if let Some(c) = &r.closed {
                @let id = match r.quarter { Some(n) => format!("{}-Q{n}", r.year), None => r.year.to_string() };
                p.period {
                    "Số liệu đã chốt lúc " (crate::vn::datetime(c.closed_at)) " (" (c.closed_by) "); các bảng dưới đây là số liệu đã chốt. Bản đã nộp: "
                    a href={ "/ui/ky-da-chot/" (id) "/" (id) ".xlsx" } { "Excel" }
                    " · "
                    a href={ "/ui/ky-da-chot/" (id) "/" (id) ".csv" } { "CSV" }
                }
            }
            table.report {
                thead { tr { th { "Loại đơn vị" } th { "Số đơn vị" } th { "Ký số cơ quan" } th { "Ký số lãnh đạo" } } }
                tbody {
                    @for g in &r.groups {
                        tr {
                            td { (g.label) }
                            td.center { (g.totals.units) }
                            td { (g.totals.organisation_satisfied) "/" (g.totals.organisation_required) }
                            td { (g.totals.leader_satisfied) "/" (g.totals.leader_required) }
                        }
                    }
                    tr.total {
                        td { "Toàn thị xã" }
                        td.center { (r.town.units) }
                        td { (r.town.organisation_satisfied) "/" (r.town.organisation_required) }
                        td { (r.town.leader_satisfied) "/" (r.town.leader_required) }
                    }
                }
            }
            (amendments(&r.amendments))
            @for g in &r.groups {
                @if !g.units.is_empty() {
                    h2 { (g.label) }
                    table.report {
                        thead { tr { th { "Đơn vị" } th { "Ký số cơ quan" } th { "Lãnh đạo" } } }
                        tbody {
                            @for u in &g.units {
                                tr {
                                    td { a href={ "/ui/don-vi/" (u.id) "?nam=" (r.year) } { (u.name) } }
                                    td { (score(&u.organisation)) }
                                    td { @for l in &u.leaders { div.leader { (l.title) " " (l.name) ": " (score(&l.score)) } } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A closed period's amendments, in a section of their own ("Điều chỉnh sau khi chốt"), beside
/// the closed figures.
pub fn amendments(list: &[crate::duty::period::Amendment]) -> Markup {
    html! {
        @if !list.is_empty() {
            section.amendments {
                h2 { "Điều chỉnh sau khi chốt (" (list.len()) ")" }
                p { "Số liệu hiện nay khác số liệu đã chốt ở các yêu cầu sau; số liệu đã chốt không đổi." }
                table {
                    thead { tr { th { "Đơn vị" } th { "Yêu cầu" } th { "Khi chốt" } th { "Hiện nay" } th { "Nguyên nhân" } } }
                    tbody {
                        @for a in list {
                            @let row = crate::export::cell::amendment_row(a);
                            tr {
                                td { (row[1]) }
                                td { (row[2]) }
                                td { (row[3]) }
                                td { (row[4]) }
                                td { @for c in &a.causes { div { (c) } } @if a.causes.is_empty() { "—" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "Còn thiếu": the units and leaders still missing this month, first on the month page, with
/// the days left, whom to call, and the list to download (all units, or one).
fn still_missing(v: &MonthView, viewer: &Viewer) -> Markup {
    let t = v.table;
    let mut units: Vec<&str> = v.missing.iter().map(|m| m.unit.as_str()).collect();
    units.dedup();
    html! {
        section.missing {
            h2 { "Còn thiếu (" (v.missing.len()) ")" }
            @if let Some(d) = v.days_left {
                p.period { "Tháng " (t.month.vn()) " đang diễn ra, còn " strong { (d) } " ngày." }
            }
            @if v.missing.is_empty() {
                @if !t.units.is_empty() { p.ok { "Mọi đơn vị đã nộp đủ." } }
            } @else {
                p.downloads {
                    "Tải danh sách còn thiếu: "
                    a href={ "/ui/thang/" (t.month) "/con-thieu?dinh-dang=xlsx" } { "Excel" }
                    " · "
                    a href={ "/ui/thang/" (t.month) "/con-thieu?dinh-dang=csv" } { "CSV" }
                }
                @if v.can_remind && viewer.admin {
                    form.remind method="post" action={ "/ui/thang/" (t.month) "/nhac" } {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        button type="submit" { "Gửi thư nhắc đến các đơn vị còn thiếu" }
                        span.hint { " (mỗi đơn vị một thư, đến địa chỉ thư điện tử của văn thư)" }
                    }
                }
                ul.missing {
                    @for unit in &units {
                        @let rows: Vec<_> = v.missing.iter().filter(|m| m.unit == *unit).collect();
                        @if let Some(first) = rows.first() {
                            li {
                                strong { a href={ "/ui/don-vi/" (first.unit) } { (first.unit_name) } } ": "
                                @for (i, m) in rows.iter().enumerate() {
                                    @if i > 0 { "; " }
                                    @match &m.leader_name { Some(n) => { "lãnh đạo " (n) }, None => { "ký số cơ quan" } }
                                    @if m.no_certificate { " (chưa có chứng thư số)" }
                                }
                                @if let Some(c) = &first.contact {
                                    br; span.hint {
                                        "Văn thư: " (c.name)
                                        @if !c.phone.is_empty() { " · " (c.phone) }
                                        @if !c.email.is_empty() { " · " (c.email) }
                                    }
                                }
                                @for m in rows.iter().filter(|m| !m.movable.is_empty()) {
                                    br; span.hint {
                                        "Có thể đã nộp: "
                                        @for (i, f) in m.movable.iter().enumerate() {
                                            @if i > 0 { ", " }
                                            a href={ "/ui/ho-so?thang=" (t.month.next()) "&don-vi=" (first.unit) } { (f.file_name.as_deref().unwrap_or("tệp không tên")) }
                                        }
                                        " ghi thời điểm ký rạng sáng ngày 01/" (format!("{:02}/{}", t.month.next().month, t.month.next().year)) "; nếu thực ra ký trong tháng " (t.month.vn()) ", quản trị viên chuyển hồ sơ về tháng này."
                                    }
                                }
                                @if let Some(at) = v.reminded.get(&first.unit) {
                                    br; span.hint { "Đã gửi thư nhắc lúc " (at) }
                                }
                                " "
                                a.small href={ "/ui/thang/" (t.month) "/con-thieu?dinh-dang=xlsx&don-vi=" (first.unit) } { "(tải)" }
                            }
                        }
                    }
                }
            }
        }
    }
}
