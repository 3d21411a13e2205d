//! The pages, as maud templates: every value is escaped by maud, labels are Vietnamese, dates
//! dd/mm/yyyy and times in Vietnam time. No inline script or style (the Content-Security-Policy
//! forbids them); the stylesheet is `/ui/static/kyso.css`.

use crate::app::tables::UnitMonthHistory;
use crate::duty::office_report::{OfficeReport, Score};
use crate::duty::period::Month;
use crate::duty::registry::UnitKind;
use crate::duty::tables::MonthTable;
use maud::{html, Markup, DOCTYPE};

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Who is signed in, for the header and the sign-out form.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub csrf: &'a str,
    pub admin: bool,
}

pub fn layout(title: &str, viewer: Option<&Viewer>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — kyso" }
                link rel="stylesheet" href="/ui/static/kyso.css";
            }
            body {
                header {
                    span.brand { "kyso · Ký số" }
                    @if let Some(v) = viewer {
                        nav {
                            a href="/ui/" { "Tháng này" }
                            a href="/ui/ho-so" { "Hồ sơ" }
                            a href="/ui/nop" { "Nộp hồ sơ" }
                            a href="/ui/bao-cao" { "Báo cáo" }
                            @if v.admin { a href="/ui/quan-tri" { "Quản trị" } }
                        }
                        form.signout method="post" action="/ui/dang-xuat" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            span.who { (v.name) }
                            button type="submit" { "Đăng xuất" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub fn login(nonce: &str, message: Option<&str>) -> Markup {
    layout(
        "Đăng nhập",
        None,
        html! {
            h1 { "Đăng nhập" }
            @if let Some(m) = message { p.error role="alert" { (m) } }
            form.login method="post" action="/ui/dang-nhap" {
                input type="hidden" name="csrf" value=(nonce);
                label for="token" { "Mã truy cập (API token)" }
                input id="token" name="token" type="password" autocomplete="off" required;
                button type="submit" { "Đăng nhập" }
            }
            p.hint { "Mã truy cập do quản trị viên cấp (kyso token new). Phiên đăng nhập hết hạn sau 8 giờ." }
        },
    )
}

fn tick(ok: bool) -> Markup {
    html! {
        @if ok { span.ok title="Đã nộp" { "✓" } } @else { span.missing title="Chưa nộp" { "✗" } }
    }
}

pub(crate) const KINDS: [UnitKind; 3] = [
    UnitKind::Department,
    UnitKind::PublicService,
    UnitKind::Commune,
];

pub(crate) fn kind_slug(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Department => "co-quan",
        UnitKind::PublicService => "su-nghiep",
        UnitKind::Commune => "xa-phuong",
    }
}

/// What the month page shows of a table, after the filters.
pub struct MonthView<'a> {
    pub table: &'a MonthTable,
    pub kind: Option<&'a str>,
    pub search: &'a str,
}

pub fn month(v: &MonthView, viewer: &Viewer) -> Markup {
    let t = v.table;
    let (prev, next) = (t.month.previous(), t.month.next());
    let needle = v.search.trim().to_lowercase();
    let shown = |u: &crate::duty::tables::UnitMonth| {
        v.kind.is_none_or(|k| kind_slug(u.kind) == k)
            && (needle.is_empty()
                || u.name.to_lowercase().contains(&needle)
                || u.id.contains(&needle))
    };
    layout(
        &format!("Tháng {}", t.month.vn()),
        Some(viewer),
        html! {
            h1 { "Tình hình ký số tháng " (t.month.vn()) }
            nav.months {
                a href={ "/ui/thang/" (prev) } { "← Tháng " (prev.vn()) }
                a href={ "/ui/thang/" (next) } { "Tháng " (next.vn()) " →" }
            }
            p.period {
                @match &t.closed {
                    Some(c) => { "Đã chốt số liệu lúc " (crate::vn::datetime_of(&c.closed_at)) " (" (c.closed_by) ")." }
                    None => { "Chưa chốt số liệu." }
                }
            }
            ul.summary {
                li { "Ký số cơ quan: " strong { (t.totals.organisation_satisfied) "/" (t.totals.units) } " đơn vị (" (pct(t.totals.organisation_satisfied, t.totals.units)) ")" }
                li { "Ký số lãnh đạo: " strong { (t.totals.leaders_satisfied) "/" (t.totals.leaders) } " lãnh đạo (" (pct(t.totals.leaders_satisfied, t.totals.leaders)) ")" }
            }
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
                button type="submit" { "Lọc" }
            }
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
                                            div.leader { (tick(l.satisfied)) " " (l.title) " " (l.name) }
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
                        .map(|x| x.subject.clone())
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

pub fn unit(
    name: &str,
    id: &str,
    year: i32,
    months: &[UnitMonthHistory],
    facts: &std::collections::HashMap<String, FileFacts>,
    viewer: &Viewer,
) -> Markup {
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
            nav.months {
                a href={ "/ui/don-vi/" (id) "?nam=" (year - 1) } { "← Năm " (year - 1) }
                a href={ "/ui/don-vi/" (id) "?nam=" (year + 1) } { "Năm " (year + 1) " →" }
            }
            table.unit {
                thead { tr { th { "Tháng" } th { "Ký số cơ quan" } th { "Lãnh đạo" } } }
                tbody {
                    @for m in months {
                        tr {
                            td { a href={ "/ui/thang/" (m.month) } { (m.month.vn()) } }
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

fn score(s: &Score) -> Markup {
    html! {
        (s.satisfied) "/" (s.required)
        @if let Some(p) = s.percent { " (" (format!("{p:.1}")) "%)" }
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

pub fn message(title: &str, text: &str, viewer: Option<&Viewer>) -> Markup {
    layout(
        title,
        viewer,
        html! { h1 { (title) } p { (text) } p { a href="/ui/" { "Về trang chính" } } },
    )
}

/// One line of what an import would change ("unit X: would change name, certificates"), in
/// Vietnamese: the record kind, then what happens, with the fields' Vietnamese names.
fn change_vi(line: &str) -> String {
    let (record, what) = line.split_once(": ").unwrap_or((line, ""));
    let record = match record.split_once(' ') {
        Some(("unit", id)) => format!("Đơn vị {id}"),
        Some(("leader", id)) => format!("Lãnh đạo {id}"),
        _ => record.to_string(),
    };
    let field = |f: &str| {
        match f {
            "name" => "tên",
            "kind" => "loại đơn vị",
            "certificates" => "chứng thư số",
            "retired_certificates" => "chứng thư số đã thay",
            "active" => "còn hoạt động",
            "from" => "từ tháng",
            "to" => "đến tháng",
            "title" => "chức danh",
            "unit" => "đơn vị",
            other => other,
        }
        .to_string()
    };
    let what = match what.strip_prefix("would change ") {
        Some(fields) => format!(
            "sẽ thay đổi {}",
            fields.split(", ").map(field).collect::<Vec<_>>().join(", ")
        ),
        None if what == "would be added" => "sẽ được thêm".to_string(),
        None => what.to_string(),
    };
    format!("{record}: {what}")
}

/// What importing a registry file would change, one line per record, with the form that
/// applies it (the same text, sent again).
pub fn registry_preview(
    o: &crate::app::registry_import::ImportOutcome,
    text: &str,
    viewer: &Viewer,
) -> Markup {
    let changes = &o.changes;
    layout(
        "Xem trước nhập danh mục",
        Some(viewer),
        html! {
            h1 { "Xem trước: nhập danh mục" }
            @if changes.is_empty() {
                p { "Tệp này không thay đổi gì trong danh mục hiện có." }
            } @else {
                p { "Nếu áp dụng, " (changes.len()) " bản ghi sẽ thay đổi:" }
                ul.changes { @for c in changes { li { (change_vi(c)) } } }
                @if !o.rewrites_past.is_empty() {
                    p.warn { "Các thay đổi sau làm thay đổi số liệu các tháng đã qua; chỉ áp dụng được khi ghi rõ lý do đính chính:" }
                    ul.changes { @for c in &o.rewrites_past { li { (c.describe_vi()) } } }
                }
                form.import method="post" action={ "/ui/quan-tri/danh-muc?csrf=" (viewer.csrf) } {
                    input type="hidden" name="ap_dung" value=(o.changes_sha256);
                    textarea name="danh_muc" hidden { (text) }
                    @if !o.rewrites_past.is_empty() {
                        label for="correction" { "Lý do đính chính" }
                        input id="correction" name="correction" required maxlength="500";
                    }
                    button type="submit" { "Áp dụng " (changes.len()) " thay đổi" }
                }
            }
            p { a href="/ui/quan-tri" { "Về trang quản trị (không áp dụng)" } }
        },
    )
}

/// The clerk's upload form: one PDF, and the unit it is sent for.
pub fn upload(units: &[(String, String)], viewer: &Viewer) -> Markup {
    layout(
        "Nộp hồ sơ",
        Some(viewer),
        html! {
            h1 { "Nộp văn bản đã ký số" }
            form.upload method="post" action={ "/ui/nop?csrf=" (viewer.csrf) } enctype="multipart/form-data" {
                label for="unit" { "Đơn vị" }
                select id="unit" name="unit" {
                    option value="" { "(theo chứng thư số)" }
                    @for (id, name) in units { option value=(id) { (name) } }
                }
                label for="file" { "Tệp PDF" }
                input id="file" name="file" type="file" accept="application/pdf,.pdf" multiple required;
                // Shown by nop.js: drop files here; each result appears as soon as it is checked.
                div #tha-tep .drop hidden { span { "Kéo thả tệp PDF vào đây, hoặc chọn tệp ở trên." } }
                button type="submit" { "Nộp" }
            }
            p.hint { "Có thể chọn hoặc kéo thả nhiều tệp; kết quả kiểm tra chữ ký của từng tệp hiện ngay khi tệp đó được kiểm tra xong. (Nếu trình duyệt tắt JavaScript: tối đa 20 tệp mỗi lần, kết quả hiện cùng lúc.)" }
            div #ket-qua aria-live="polite" hidden {}
            script src="/ui/static/nop.js" defer {}
        },
    )
}

fn verdict_vi(v: kyso_verify::report::Verdict) -> &'static str {
    use kyso_verify::report::Verdict::*;
    match v {
        Valid => "Hợp lệ",
        Invalid => "Không hợp lệ",
        Indeterminate => "Chưa xác định được",
        Unsigned => "Không có chữ ký số",
    }
}

fn requirement_vi(c: &crate::duty::credit::Credit) -> String {
    match &c.leader {
        Some(l) => format!("ký số lãnh đạo ({l}) của {} tháng {}", c.unit, c.month.vn()),
        None => format!("ký số cơ quan của {} tháng {}", c.unit, c.month.vn()),
    }
}

/// One uploaded file's result, as the page shows it: the receipt the API answers.
pub struct Outcome {
    pub receipt: crate::app::receipt::Receipt,
    pub created: bool,
}

/// What the uploaded files earned, in plain Vietnamese, one section per file; `failed` lists
/// the files that could not be taken, with why.
pub fn received(outcomes: &[Outcome], failed: &[String], viewer: &Viewer) -> Markup {
    layout(
        "Kết quả nộp",
        Some(viewer),
        html! {
            h1 { "Kết quả nộp (" (outcomes.len()) " tệp)" }
            @for f in failed { p.error role="alert" { (f) } }
            @for o in outcomes { (received_one(o)) }
            p { a href="/ui/nop" { "Nộp tệp khác" } " · " a href="/ui/ho-so" { "Danh sách hồ sơ" } }
        },
    )
}

fn received_one(o: &Outcome) -> Markup {
    let sub = &o.receipt;
    html! {
        section.receipt {
            h2 { "Kết quả: " (sub.file_name.as_deref().unwrap_or("tệp đã nộp")) }
            p {
                @if o.created { "Đã nhận và lưu lúc " (crate::vn::datetime(sub.received_at)) "." }
                @else { "Tệp này đã được nộp trước đó (lúc " (crate::vn::datetime(sub.received_at)) "); đây là kết quả lần nộp đó." }
            }
            p.verdict { "Kết quả kiểm tra chữ ký: " strong { (verdict_vi(sub.report.verdict)) } }
            @if !sub.report.signatures.is_empty() {
                table.signatures {
                    thead { tr { th { "Người ký" } th { "Thời điểm ký" } th { "Kết quả" } } }
                    tbody {
                        @for s in &sub.report.signatures {
                            tr {
                                td { (s.signer.as_ref().map(|x| x.subject.as_str()).unwrap_or("—")) }
                                td { (s.signing_time.map(crate::vn::datetime).unwrap_or_else(|| "—".into())) }
                                td {
                                    @if s.indication == kyso_verify::report::Indication::TotalPassed { span.ok { "Hợp lệ" } }
                                    @else { span.missing { "Không hợp lệ" } @for p in &s.problems { div.problem { (p.message) } } }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Được tính cho" }
            @if sub.satisfies.is_empty() { p.missing { "Chưa được tính cho yêu cầu nào." } }
            ul { @for c in &sub.satisfies { li.ok { (requirement_vi(c)) } } }
            @if !sub.notes.is_empty() {
                h3 { "Ghi chú" }
                ul.notes { @for n in &sub.notes { li { (n.message) } } }
            }
        }
    }
}

/// The month's submissions, credited or not.
/// The filters of the submissions page, as the clerk chose them.
pub struct SubmissionFilter {
    pub status: String,
    pub unit: Option<String>,
    pub reason: Option<crate::duty::note::NoteCode>,
}

impl SubmissionFilter {
    /// This page's address with the same filters, at page `n`.
    fn page_link(&self, month: Month, n: usize) -> String {
        let mut url = format!("/ui/ho-so?thang={month}&trang={n}");
        for (k, v) in [
            ("trang-thai", Some(self.status.as_str())),
            ("don-vi", self.unit.as_deref()),
            ("ly-do", self.reason.map(|r| r.as_str())),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                url += &format!("&{k}={}", query_escape(v));
            }
        }
        url
    }
}

/// A value in a query string (ids and codes are ASCII; anything else is percent-encoded).
fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Submissions of a month, filtered by status, unit and reason; `units`: (id, name).
pub fn submissions(
    p: &crate::app::listing::Page,
    filter: &SubmissionFilter,
    units: &[(String, String)],
    viewer: &Viewer,
) -> Markup {
    let status = filter.status.as_str();
    let pages = p.total.div_ceil(p.per_page).max(1);
    layout(
        "Hồ sơ đã nộp",
        Some(viewer),
        html! {
            h1 { "Hồ sơ tháng " (p.month.vn()) " (" (p.total) ")" }
            form.filter method="get" {
                label for="thang" { "Tháng" }
                input id="thang" name="thang" type="month" value=(p.month);
                label for="trang-thai" { "Trạng thái" }
                select id="trang-thai" name="trang-thai" {
                    @for (v, l) in [("", "Tất cả"), ("credited", "Đã được tính"), ("not_credited", "Chưa được tính"), ("late", "Nộp muộn")] {
                        option value=(v) selected[status == v] { (l) }
                    }
                }
                label for="don-vi" { "Đơn vị" }
                select id="don-vi" name="don-vi" {
                    option value="" { "Tất cả" }
                    @for (id, name) in units {
                        option value=(id) selected[filter.unit.as_deref() == Some(id.as_str())] { (name) }
                    }
                }
                label for="ly-do" { "Lý do" }
                select id="ly-do" name="ly-do" {
                    option value="" { "Tất cả" }
                    @for (code, label) in crate::duty::note::NoteCode::reasons() {
                        option value=(code.as_str()) selected[filter.reason == Some(code)] { (label) }
                    }
                }
                button type="submit" { "Lọc" }
            }
            @if pages > 1 {
                p.pages {
                    @if p.page > 1 { a href=(filter.page_link(p.month, p.page - 1)) { "← Trang trước" } " " }
                    "Trang " (p.page) "/" (pages)
                    @if p.page < pages { " " a href=(filter.page_link(p.month, p.page + 1)) { "Trang sau →" } }
                }
            }
            table.submissions {
                thead { tr { th { "Tệp" } th { "Nộp lúc" } th { "Người gửi" } th { "Kết quả" } th { "Được tính / lý do" } } }
                tbody {
                    @for i in &p.items {
                        tr {
                            td { a href={ "/ui/ho-so/" (i.id) "/pdf" } { (i.file_name.as_deref().unwrap_or(&i.id[..12.min(i.id.len())])) } }
                            td { (crate::vn::datetime(i.received_at)) }
                            td { (i.client.as_deref().unwrap_or("—")) }
                            td { (verdict_vi(i.verdict)) }
                            td {
                                @for c in &i.satisfies { div.ok { (requirement_vi(c)) } }
                                @if !i.credited { @for n in &i.notes { div.missing { (n.message) } } }
                                @if viewer.admin && !i.credited && i.notes.iter().any(|n| n.code == crate::duty::note::NoteCode::SigningTimeImplausible) {
                                    form.accept method="post" action={ "/ui/ho-so/" (i.id) "/chap-nhan" } {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        input type="text" name="reason" placeholder="Lý do chấp nhận" required;
                                        button type="submit" { "Chấp nhận nộp muộn" }
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

/// Administration: unenrolled signers with an "enrol" action, and the service's state.
pub struct AdminView<'a> {
    pub unenrolled: &'a [crate::app::tables::Unenrolled],
    pub targets: &'a [(String, String)],
    pub state: &'a [(String, String)],
    /// The registry's latest changes, newest first.
    pub changes: &'a [crate::store::audit::Change],
}

/// A change's fields that differ, for the history table.
pub(crate) fn changed_fields(c: &crate::store::audit::Change) -> String {
    let Some(before) = c.before.as_ref().and_then(|b| b.as_object()) else {
        return "thêm mới".into();
    };
    let after = c.after.as_object();
    let mut keys: Vec<&String> = before
        .keys()
        .chain(after.into_iter().flat_map(|a| a.keys()))
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(k.as_str()) != after.and_then(|a| a.get(k.as_str())))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn admin(v: &AdminView, viewer: &Viewer) -> Markup {
    let (unenrolled, targets, state) = (v.unenrolled, v.targets, v.state);
    layout(
        "Quản trị",
        Some(viewer),
        html! {
            h1 { "Quản trị" }
            h2 { "Chứng thư số chưa đăng ký (" (unenrolled.len()) ")" }
            @if unenrolled.is_empty() { p.none { "Không có." } }
            @for u in unenrolled {
                form.enrol method="post" action="/ui/quan-tri/ghi-danh" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    input type="hidden" name="sha256" value=(u.sha256);
                    p {
                        strong { (u.subject) } br;
                        span.hint { "Cấp bởi " (u.issuer) " · SHA-256 " (u.sha256) " · " (u.submissions.len()) " hồ sơ" }
                    }
                    label { "Đăng ký cho " }
                    select name="target" {
                        @for (value, label) in targets { option value=(value) { (label) } }
                    }
                    button type="submit" { "Đăng ký" }
                }
            }
            h2 { "Chốt số liệu" }
            form.close method="post" action="/ui/quan-tri/chot-so-lieu" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="period" { "Kỳ (YYYY-MM, YYYY-Qn hoặc YYYY)" }
                input id="period" name="period" type="text" required placeholder="2026-Q1";
                label for="close-reason" { "Ghi chú" }
                input id="close-reason" name="reason" type="text";
                button type="submit" { "Chốt số liệu" }
            }
            h2 { "Danh mục" }
            p { a href="/ui/quan-tri/don-vi" { "Xem và sửa đơn vị, lãnh đạo, chứng thư số" } " (mỗi bản ghi có lịch sử thay đổi)." }
            h2 { "Nhập danh mục (dán nội dung tệp)" }
            form.import method="post" action={ "/ui/quan-tri/danh-muc?csrf=" (viewer.csrf) } {
                label for="danh-muc" { "Nội dung tệp danh mục (TOML, như tệp registry.toml)" }
                textarea id="danh-muc" name="danh_muc" rows="8" required {}
                button type="submit" { "Xem trước thay đổi" }
            }
            p.hint { "Chưa có gì thay đổi cho đến khi bấm \"Áp dụng\" ở trang xem trước. Mọi thay đổi được ghi lại với tên người áp dụng." }
            h2 { "Thay đổi danh mục gần đây" }
            @if v.changes.is_empty() { p.none { "Chưa có." } }
            @else {
                table.changes {
                    thead { tr { th { "Lúc" } th { "Người sửa" } th { "Bản ghi" } th { "Thay đổi" } } }
                    tbody {
                        @for c in v.changes {
                            tr {
                                td { (crate::vn::datetime(c.at)) }
                                td { (c.by) }
                                td { (if c.kind == "unit" { "Đơn vị " } else { "Lãnh đạo " }) (c.id) }
                                td { (changed_fields(c)) }
                            }
                        }
                    }
                }
            }
            h2 { "Tình trạng dịch vụ" }
            table.state { tbody { @for (k, val) in state { tr { th { (k) } td { (val) } } } } }
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn import_changes_read_in_vietnamese() {
        assert_eq!(
            super::change_vi("unit ubnd-x: would change name, retired_certificates"),
            "Đơn vị ubnd-x: sẽ thay đổi tên, chứng thư số đã thay"
        );
        assert_eq!(
            super::change_vi("leader nguyen-van-an: would be added"),
            "Lãnh đạo nguyen-van-an: sẽ được thêm"
        );
    }
}
