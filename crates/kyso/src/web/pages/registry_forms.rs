//! The registry's forms and histories as pages: a unit, a post, a person; every field keeps
//! what was typed; a correction's reason where a change alters past months.

use super::templates::{self as pages, layout, Viewer, KINDS};
use crate::duty::period::Month;
use crate::duty::registry::{Leader, Registry, Unit};
use crate::store::audit::Change;
use maud::{html as markup, Markup};

/// What a record form shows: the record (as stored, or as typed when a save was refused), the
/// id it edits (none for a new record), the version it edits, and why a save was refused.
pub(super) struct Draft<'a, T> {
    pub record: Option<&'a T>,
    pub existing: Option<&'a str>,
    pub version: Option<String>,
    pub refused: Option<&'a str>,
}

impl<'a, T> Draft<'a, T> {
    /// The stored record `record` (or a new one), as its page shows it.
    pub(super) fn stored(
        record: Option<&'a T>,
        existing: Option<&'a str>,
        version: Option<String>,
    ) -> Self {
        Draft {
            record,
            existing,
            version,
            refused: None,
        }
    }
}

pub(super) fn span(from: Option<Month>, to: Option<Month>) -> String {
    match (from, to) {
        (None, None) => "—".into(),
        (Some(f), None) => format!("từ {}", f.vn()),
        (None, Some(t)) => format!("đến {}", t.vn()),
        (Some(f), Some(t)) => format!("{} – {}", f.vn(), t.vn()),
    }
}

pub(super) fn person_form(
    id: &str,
    posts: &[&Leader],
    r: &Registry,
    changes: &[Change],
    viewer: &Viewer,
) -> Markup {
    let first = posts[0];
    let title = format!("Người: {}", first.name);
    layout(
        &title,
        Some(viewer),
        markup! {
            h1 { (title) }
            p.hint { "Mã người " code { (id) } ". Tên và chứng thư số cá nhân là của người, mọi chức vụ của người này đều mang theo." }
            table.registry {
                thead { tr { th { "Chức vụ" } th { "Đơn vị" } th { "Thời gian" } th {} } }
                tbody {
                    @for l in posts {
                        tr {
                            td { (l.title) }
                            td { (r.unit(&l.unit).map_or(l.unit.as_str(), |u| u.name.as_str())) }
                            td { (span(Some(l.from), l.to)) }
                            td { a href={ "/ui/quan-tri/lanh-dao/" (l.id) } { "Sửa chức vụ" } }
                        }
                    }
                }
            }
            h2 { "Thêm chức vụ" }
            p.hint { "Kiêm nhiệm: thêm chức vụ thứ hai ở đơn vị kia, các chức vụ cùng tính. Chuyển công tác: đặt tháng cuối ở chức vụ cũ (sửa chức vụ) rồi thêm chức vụ mới ở đơn vị mới. Chức vụ mới mang chứng thư số cá nhân của người này." }
            form.record.post method="post" action={ "/ui/quan-tri/nguoi/" (id) "/chuc-vu" } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="post-title" { "Chức vụ" }
                input id="post-title" name="title" required maxlength="300";
                label for="post-unit" { "Đơn vị" }
                select id="post-unit" name="unit" required {
                    option value="" disabled selected { "— chọn đơn vị —" }
                    @for u in &r.units { option value=(u.id) { (u.name) } }
                }
                label for="post-from" { "Tháng bắt đầu" }
                input id="post-from" name="from" type="month" required value=(Month::of_vietnam_time(time::OffsetDateTime::now_utc()).to_string());
                label for="post-to" { "Tháng cuối (để trống nếu đang giữ)" }
                input id="post-to" name="to" type="month";
                button type="submit" { "Thêm chức vụ" }
            }
            h2 { "Họ tên và chứng thư số" }
            form.record method="post" action={ "/ui/quan-tri/nguoi/" (id) } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="name" { "Họ và tên" }
                input id="name" name="name" required maxlength="300" value=(first.name);
                label for="certificates" { "Chứng thư số cá nhân (SHA-256, mỗi dòng một chứng thư; cấp lại token thì thêm dòng mới)" }
                textarea id="certificates" name="certificates" rows="3" { (first.certificates.join("\n")) }
                p.hint { "Bỏ một chứng thư khỏi danh sách thì chứng thư đó được giữ là chứng thư cũ ở mọi chức vụ: các tệp đã ký trước đó vẫn được tính." }
                button type="submit" { "Lưu cho mọi chức vụ" }
            }
            (history_table(changes))
        },
    )
}

pub(super) fn history_table(changes: &[Change]) -> Markup {
    markup! {
        h2 { "Lịch sử thay đổi" }
        @if changes.is_empty() { p.none { "Chưa có." } }
        @else {
            table.changes {
                thead { tr { th { "Lúc" } th { "Người sửa" } th { "Thay đổi" } } }
                tbody {
                    @for c in changes {
                        tr {
                            td { (crate::vn::datetime(c.at)) } td { (c.by) }
                            td {
                                (pages::changed_fields(c))
                                @if let Some(why) = &c.correction { br; strong { "Đính chính số liệu tháng đã qua: " } (why) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What every record form starts with: its CSRF token, and either the version of the record it
/// shows (an edit) or the new record's id (an addition).
pub(super) fn form_head(viewer: &Viewer, version: Option<String>, id_label: &str) -> Markup {
    markup! {
        input type="hidden" name="csrf" value=(viewer.csrf);
        @match version {
            Some(v) => { input type="hidden" name="version" value=(v); }
            None => {
                p.hint { (id_label) " được tạo từ tên (chữ thường không dấu), không cần nhập." }
            }
        }
    }
}

/// The reason a change that rewrites past months needs (`crate::duty::registry::past`); empty for an
/// ordinary change.
pub(super) fn correction_field() -> Markup {
    markup! {
        label for="correction" { "Lý do đính chính (chỉ điền khi thay đổi này sửa số liệu các tháng đã qua)" }
        input id="correction" name="correction" maxlength="500";
    }
}

pub(super) fn month_value(m: Option<Month>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

pub(super) fn unit_form(d: &Draft<Unit>, changes: &[Change], viewer: &Viewer) -> Markup {
    let u = d.record;
    let action = match d.existing {
        Some(id) => format!("/ui/quan-tri/don-vi/{id}"),
        None => "/ui/quan-tri/don-vi-moi".into(),
    };
    let title = match (d.existing, u) {
        (Some(_), Some(u)) => format!("Sửa đơn vị: {}", u.name),
        _ => "Thêm đơn vị".to_string(),
    };
    layout(
        &title,
        Some(viewer),
        markup! {
            h1 { (title) }
            @if let Some(why) = d.refused { p.error role="alert" { "Chưa lưu: " (why) } }
            form.record method="post" action=(action) {
                (form_head(viewer, d.version.clone(), "Mã đơn vị"))
                label for="name" { "Tên đơn vị" }
                input id="name" name="name" required maxlength="300" value=(u.map_or("", |u| u.name.as_str()));
                label for="kind" { "Loại đơn vị" }
                select id="kind" name="kind" {
                    @for k in KINDS {
                        @let slug = serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                        option value=(slug) selected[u.is_some_and(|u| u.kind == k)] { (k.label_vi()) }
                    }
                }
                label for="from" { "Tháng bắt đầu (đơn vị mới thành lập: tháng thành lập; để trống nếu đơn vị đã có từ trước, khi đó các tháng trước cũng được yêu cầu)" }
                // A new unit starts this month unless the administrator says otherwise: left
                // empty, every past month would require it.
                input id="from" name="from" type="month" value=(match u {
                    Some(u) => month_value(u.from),
                    None => Month::of_vietnam_time(time::OffsetDateTime::now_utc()).to_string(),
                });
                label for="to" { "Tháng kết thúc (sáp nhập, giải thể; để trống nếu còn hoạt động)" }
                input id="to" name="to" type="month" value=(month_value(u.and_then(|u| u.to)));
                label for="thu-tu" { "Thứ tự trong báo cáo (để trống: xếp sau, theo mã)" }
                input id="thu-tu" name="thu_tu" type="number" min="0" value=(u.and_then(|u| u.order).map(|o| o.to_string()).unwrap_or_default());
                label for="certificates" { "Chứng thư số của cơ quan (SHA-256, mỗi dòng một chứng thư)" }
                textarea id="certificates" name="certificates" rows="3" { (u.map(|u| u.certificates.join("\n")).unwrap_or_default()) }
                @if let Some(u) = u { @if !u.retired_certificates.is_empty() {
                    p.hint { "Chứng thư cũ (vẫn được tính cho các tệp đã ký đến tháng ghi bên cạnh): "
                        @for r in &u.retired_certificates { br; code { (r.sha256) } " — đến " (r.until.vn()) } }
                } }
                p.hint { "Bỏ một chứng thư khỏi danh sách thì chứng thư đó được giữ là chứng thư cũ: các tệp đã ký trước đó vẫn được tính." }
                fieldset {
                    legend { "Văn thư của đơn vị (nhận thư nhắc nộp hồ sơ)" }
                    @let c = u.and_then(|u| u.contact.clone()).unwrap_or_default();
                    label for="van-thu" { "Họ tên" }
                    input id="van-thu" name="van_thu" maxlength="200" value=(c.name);
                    label for="dien-thoai" { "Điện thoại" }
                    input id="dien-thoai" name="dien_thoai" type="tel" maxlength="50" value=(c.phone);
                    label for="email" { "Thư điện tử" }
                    input id="email" name="email" type="email" maxlength="200" value=(c.email);
                }
                @if d.existing.is_some() { (correction_field()) }
                button type="submit" { "Lưu" }
            }
            (history_table(changes))
        },
    )
}

pub(super) fn leader_form(
    d: &Draft<Leader>,
    r: &Registry,
    changes: &[Change],
    viewer: &Viewer,
) -> Markup {
    let l = d.record;
    let action = match d.existing {
        Some(id) => format!("/ui/quan-tri/lanh-dao/{id}"),
        None => "/ui/quan-tri/lanh-dao-moi".into(),
    };
    let title = match (d.existing, l) {
        (Some(_), Some(l)) => format!("Sửa lãnh đạo: {}", l.name),
        _ => "Thêm lãnh đạo".to_string(),
    };
    layout(
        &title,
        Some(viewer),
        markup! {
            h1 { (title) }
            @if let Some(why) = d.refused { p.error role="alert" { "Chưa lưu: " (why) } }
            form.record method="post" action=(action) {
                (form_head(viewer, d.version.clone(), "Mã"))
                label for="name" { "Họ và tên" }
                input id="name" name="name" required maxlength="300" value=(l.map_or("", |l| l.name.as_str()));
                label for="title" { "Chức vụ" }
                input id="title" name="title" required maxlength="300" value=(l.map_or("", |l| l.title.as_str()));
                label for="unit" { "Đơn vị" }
                select id="unit" name="unit" required {
                    option value="" disabled selected[l.is_none()] { "— chọn đơn vị —" }
                    @for u in &r.units {
                        option value=(u.id) selected[l.is_some_and(|l| l.unit == u.id)] { (u.name) }
                    }
                }
                label for="from" { "Tháng bắt đầu giữ chức vụ" }
                input id="from" name="from" type="month" required value=(month_value(l.map(|l| l.from)));
                label for="to" { "Tháng cuối giữ chức vụ (để trống nếu đang giữ)" }
                input id="to" name="to" type="month" value=(month_value(l.and_then(|l| l.to)));
                label for="certificates" { "Chứng thư số cá nhân (SHA-256, mỗi dòng một chứng thư)" }
                textarea id="certificates" name="certificates" rows="3" { (l.map(|l| l.certificates.join("\n")).unwrap_or_default()) }
                @if let Some(p) = l.and_then(|l| l.person.as_deref()) {
                    p.hint { "Chức vụ này thuộc người có mã " code { (p) } " (danh mục dạng [[person]]/[[post]]); chứng thư đổi ở đây chỉ áp dụng cho chức vụ này." }
                }
                p.hint { "Bỏ một chứng thư khỏi danh sách thì chứng thư đó được giữ là chứng thư cũ: các tệp đã ký trước đó vẫn được tính. Chuyển công tác: đặt tháng cuối ở chức vụ cũ và thêm chức vụ mới ở đơn vị mới với cùng chứng thư." }
                @if d.existing.is_some() { (correction_field()) }
                button type="submit" { "Lưu" }
            }
            (history_table(changes))
        },
    )
}
