//! Files as pages: the upload form, what an upload earned, the list of a month's files.

use super::{layout, requirement_vi, verdict_vi, Viewer};
use crate::duty::period::Month;
use maud::{html, Markup};

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
                    @if viewer.unit.is_none() { option value="" { "(theo chứng thư số)" } }
                    @for (id, name) in units { option value=(id) selected[viewer.unit == Some(id.as_str())] { (name) } }
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

/// One uploaded file's result, as the page shows it: the receipt the API answers.
pub struct Outcome {
    pub receipt: crate::app::receipt::Receipt,
    pub created: bool,
}

/// What the uploaded files earned, in plain Vietnamese, one section per file; `failed` lists
/// the files that could not be taken, with why.
pub fn received(
    outcomes: &[Outcome],
    failed: &[String],
    names: &crate::duty::registry::Registry,
    viewer: &Viewer,
) -> Markup {
    layout(
        "Kết quả nộp",
        Some(viewer),
        html! {
            h1 { "Kết quả nộp (" (outcomes.len()) " tệp)" }
            @for f in failed { p.error role="alert" { (f) } }
            @for o in outcomes { (received_one(o, names)) }
            p { a href="/ui/nop" { "Nộp tệp khác" } " · " a href="/ui/ho-so" { "Danh sách hồ sơ" } }
        },
    )
}

pub(super) fn received_one(o: &Outcome, names: &crate::duty::registry::Registry) -> Markup {
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
                                td { (s.signer.as_ref().map(|x| crate::text::visible(&x.subject)).unwrap_or_else(|| "—".into())) }
                                td { (signed_at(s, sub.received_at)) }
                                td {
                                    @if s.indication == kyso_verify::report::Indication::TotalPassed { span.ok { "Hợp lệ" } }
                                    @else { span.missing { "Không hợp lệ" } @for p in &s.problems { div.problem { (crate::duty::words::problem(&p.code)) } } }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Được tính cho" }
            @if sub.satisfies.is_empty() { p.missing { "Chưa được tính cho yêu cầu nào." } }
            ul { @for c in &sub.satisfies { li.ok { (requirement_vi(c, names)) } } }
            @if !sub.notes.is_empty() {
                h3 { "Ghi chú" }
                ul.notes { @for n in &sub.notes { li { (n.message) } } }
            }
        }
    }
}

/// When a signature was signed, as its month is counted: Vietnam time written as UTC is read
/// as Vietnam time (`crate::duty::submission::local_as_utc_corrected`).
fn signed_at(s: &kyso_verify::report::SignatureReport, received: time::OffsetDateTime) -> String {
    match s.signing_time {
        Some(t) => crate::vn::datetime(
            crate::duty::submission::local_as_utc_corrected(s, t, Some(received)).unwrap_or(t),
        ),
        None => "—".into(),
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
pub(super) fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Under a file's result: the remarks on a credited file's month, and the administrator's
/// actions (move it to the month before, accept it late).
fn file_actions(i: &crate::app::listing::Item, viewer: &Viewer) -> Markup {
    html! {
        @if i.credited { @for n in i.notes.iter().filter(|n| n.code == crate::duty::note::NoteCode::MovedToMonth) { div.hint { (n.message) } } }
        @if let Some(to) = i.movable_to {
            div.hint { "Thời điểm ký ghi rạng sáng ngày đầu tháng. Nếu văn bản thực ra được ký tối hôm trước (phần mềm ký ghi giờ Việt Nam như giờ UTC), hồ sơ thuộc tháng " (to.vn()) "." }
        }
        @if let (true, Some(to)) = (viewer.admin, i.movable_to) {
            form.accept method="post" action={ "/ui/ho-so/" (i.id) "/chuyen-thang" } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="thang" value=(to);
                input type="text" name="reason" placeholder="Lý do chuyển tháng" required;
                button type="submit" { "Chuyển về tháng " (to.vn()) }
            }
        }
        @if viewer.admin && !i.credited && i.notes.iter().any(|n| n.code == crate::duty::note::NoteCode::SigningTimeImplausible) {
            form.accept method="post" action={ "/ui/ho-so/" (i.id) "/chap-nhan" } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="text" name="reason" placeholder="Lý do chấp nhận" required;
                button type="submit" { "Chấp nhận nộp muộn" }
            }
        }
    }
}

/// Submissions of a month, filtered by status, unit and reason; `units`: (id, name).
pub fn submissions(
    p: &crate::app::listing::Page,
    filter: &SubmissionFilter,
    units: &[(String, String)],
    names: &crate::duty::registry::Registry,
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
                                @for c in &i.satisfies { div.ok { (requirement_vi(c, names)) } }
                                @if !i.credited { @for n in &i.notes { div.missing { (n.message) } } }
                                (file_actions(i, viewer))
                            }
                        }
                    }
                }
            }
        },
    )
}
