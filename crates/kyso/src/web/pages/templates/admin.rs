//! The administration page and the preview of a registry import.

use super::{layout, Viewer};
use maud::{html, Markup};

/// One line of what an import would change ("unit X: would change name, certificates"), in
/// Vietnamese: the record kind, then what happens, with the fields' Vietnamese names.
pub(super) fn change_vi(line: &str) -> String {
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

/// Administration: unenrolled signers with an "enrol" action, and the service's state.
pub struct AdminView<'a> {
    pub unenrolled: &'a [crate::app::tables::Unenrolled],
    pub targets: &'a [(String, String)],
    pub state: &'a [(String, String)],
    /// The registry's latest changes, newest first.
    pub changes: &'a [crate::store::audit::Change],
    /// The first month tracked, if set.
    pub tracking_from: Option<crate::duty::period::Month>,
}

/// A change's fields that differ, for the history table.
pub fn changed_fields(c: &crate::store::audit::Change) -> String {
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
        .map(|k| field_vi(k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The record a change is about, by its name: "Đơn vị Phòng Nội vụ", "Lãnh đạo Chủ tịch
/// Nguyễn Văn An" (the id only when the record has no name).
pub fn record_label(c: &crate::store::audit::Change) -> String {
    let field = |k: &str| {
        c.after
            .get(k)
            .or_else(|| c.before.as_ref().and_then(|b| b.get(k)))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let name = field("name").unwrap_or_else(|| c.id.clone());
    if c.kind == "unit" {
        format!("Đơn vị {name}")
    } else {
        match field("title") {
            Some(t) => format!("Lãnh đạo {t} {name}"),
            None => format!("Lãnh đạo {name}"),
        }
    }
}

/// A record's field by its Vietnamese name.
fn field_vi(key: &str) -> &str {
    match key {
        "name" => "tên",
        "kind" => "loại đơn vị",
        "title" => "chức vụ",
        "unit" => "đơn vị",
        "certificates" => "chứng thư số",
        "retired_certificates" => "chứng thư cũ",
        "active" => "còn hoạt động",
        "from" => "tháng bắt đầu",
        "to" => "tháng kết thúc",
        "contact" => "văn thư",
        "order" => "thứ tự",
        "person" => "người giữ chức vụ",
        other => other,
    }
}

/// The valid signers seen but not enrolled, each with the form that enrols it (nothing chosen
/// at first: a personal certificate must not become a unit's by one careless click).
fn unenrolled_section(v: &AdminView, viewer: &Viewer) -> Markup {
    let (unenrolled, targets) = (v.unenrolled, v.targets);
    html! {
        h2 { "Chứng thư số chưa đăng ký (" (unenrolled.len()) ")" }
        p.hint { "Chữ ký hợp lệ của các chứng thư này chưa được tính. Chọn một đơn vị nếu đó là chứng thư của cơ quan (chữ ký cơ quan); chọn một lãnh đạo nếu đó là chứng thư cá nhân của người đó (mọi chức vụ của người đó đều tính). Chứng thư không cần đăng ký (thử nghiệm, người ngoài kế hoạch) thì bấm \"Ẩn\"." }
        @if unenrolled.is_empty() { p.none { "Không có." } }
        @for u in unenrolled {
            form.enrol method="post" action="/ui/quan-tri/ghi-danh" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="sha256" value=(u.sha256);
                p {
                    strong { (crate::text::visible(&u.subject)) } br;
                    span.hint { "Cấp bởi " (u.issuer) " · SHA-256 " (u.sha256) " · " (u.submissions.len()) " hồ sơ" }
                }
                label { "Đăng ký cho " }
                select name="target" required {
                    option value="" selected disabled { "— chọn đơn vị hoặc lãnh đạo —" }
                    @for (value, label) in targets { option value=(value) { (label) } }
                }
                button type="submit" { "Đăng ký" }
            }
            form.hide method="post" action="/ui/quan-tri/an-chung-thu" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="sha256" value=(u.sha256);
                button.secondary type="submit" { "Ẩn (không đăng ký chứng thư này)" }
            }
        }
    }
}

pub fn admin(v: &AdminView, viewer: &Viewer) -> Markup {
    let state = v.state;
    layout(
        "Quản trị",
        Some(viewer),
        html! {
            h1 { "Quản trị" }
            (unenrolled_section(v, viewer))
            h2 { "Chốt số liệu" }
            p { a href="/ui/ky-da-chot" { "Các kỳ đã chốt" } " (người chốt, thời điểm, mã SHA-256, bản đã nộp)." }
            form.close method="post" action="/ui/quan-tri/chot-so-lieu" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="period" { "Kỳ (YYYY-MM, YYYY-Qn hoặc YYYY)" }
                input id="period" name="period" type="text" required placeholder="2026-Q1";
                label for="close-reason" { "Ghi chú" }
                input id="close-reason" name="reason" type="text";
                button type="submit" { "Chốt số liệu…" }
            }
            h2 { "Tháng bắt đầu theo dõi" }
            p {
                @match v.tracking_from {
                    Some(m) => { "Số liệu được tính từ tháng " strong { (m.vn()) } "; các tháng trước đó không bị tính là thiếu." }
                    None => { "Chưa đặt: mọi tháng mà đơn vị, lãnh đạo có trong danh mục đều được tính." }
                }
            }
            form.tracking method="post" action="/ui/quan-tri/theo-doi" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="tu-thang" { "Theo dõi từ tháng (MM/YYYY)" }
                input id="tu-thang" name="tu_thang" type="text" required placeholder="07/2026" value=(v.tracking_from.map(|m| m.vn()).unwrap_or_default());
                label for="tracking-reason" { "Lý do đính chính (cần khi đổi tháng đã đặt)" }
                input id="tracking-reason" name="correction" type="text";
                button type="submit" { "Lưu" }
            }
            h2 { "Danh mục" }
            p { a href="/ui/quan-tri/don-vi" { "Xem và sửa đơn vị, lãnh đạo, chứng thư số" } " (mỗi bản ghi có lịch sử thay đổi)." }
            p { a href="/ui/quan-tri/nguoi-dung" { "Tài khoản người dùng" } " (văn thư đơn vị, người xem, quản trị viên)." }
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
                                td { (record_label(c)) }
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

/// The step before closing: what closing means, and the button that does it.
pub fn close_confirm(period: &str, label: &str, reason: &str, viewer: &Viewer) -> Markup {
    layout(
        "Xác nhận chốt số liệu",
        Some(viewer),
        html! {
            h1 { "Chốt số liệu " (label) "?" }
            p { "Sau khi chốt, số liệu " (label) " được giữ nguyên như hiện nay, cùng bản Excel/CSV được lập lúc chốt. "
                "Những thay đổi sau đó (hồ sơ nộp muộn được chấp nhận, đính chính danh mục, kiểm tra lại chữ ký) chỉ hiện ở phần "
                "\u{201c}Điều chỉnh sau khi chốt\u{201d}, không làm thay đổi số liệu đã chốt. Không thể bỏ chốt." }
            form.close method="post" action="/ui/quan-tri/chot-so-lieu" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="period" value=(period);
                input type="hidden" name="reason" value=(reason);
                input type="hidden" name="xac_nhan" value="1";
                button type="submit" { "Xác nhận chốt số liệu " (label) }
            }
            p { a href="/ui/quan-tri" { "Quay lại, chưa chốt" } }
        },
    )
}

/// Every closed period: who closed it, when (Vietnam time), its SHA-256 and the files filed.
pub fn closed_periods(list: &[crate::store::periods::Closed], viewer: &Viewer) -> Markup {
    layout(
        "Các kỳ đã chốt",
        Some(viewer),
        html! {
            h1 { "Các kỳ đã chốt số liệu" }
            @if list.is_empty() { p { "Chưa chốt kỳ nào." } }
            @else {
                table {
                    thead { tr { th { "Kỳ" } th { "Chốt lúc" } th { "Người chốt" } th { "Ghi chú" } th { "SHA-256 của số liệu" } th { "Bản đã nộp" } } }
                    tbody {
                        @for c in list {
                            tr {
                                td { (period_label(&c.period)) }
                                td { (crate::vn::datetime(c.closed_at)) }
                                td { (c.closed_by) }
                                td { (c.reason.as_deref().unwrap_or("")) }
                                td { code { (c.sha256) } }
                                td { @for f in &c.files { a href={ "/ui/ky-da-chot/" (c.period) "/" (f.name) } { (f.name) } " " } }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A period as a clerk names it: "tháng 03/2026", "Quý 1 năm 2026", "Năm 2026".
pub fn period_label(p: &str) -> String {
    match crate::duty::period::Period::parse(p) {
        Some(crate::duty::period::Period::Month(m)) => format!("tháng {}", m.vn()),
        Some(crate::duty::period::Period::Quarter(y, q)) => crate::vn::period(y, Some(q)),
        Some(crate::duty::period::Period::Year(y)) => crate::vn::period(y, None),
        None => p.to_string(),
    }
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
