//! The answer to "Gửi thư nhắc": to whom a reminder went, which the mail server refused and
//! why, and which units have no address and must be called.

use super::{layout, Viewer};
use crate::app::reminders::Outcome;
use crate::duty::registry::Registry;
use maud::{html, Markup};

pub fn reminders_sent(o: &Outcome, registry: &Registry, viewer: &Viewer) -> Markup {
    let name = |id: &str| {
        registry
            .unit(id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let (sent, failed): (Vec<_>, Vec<_>) = o.sent.iter().partition(|s| s.delivered());
    let title = format!("Thư nhắc tháng {}", o.month.vn());
    layout(
        &title,
        Some(viewer),
        html! {
            h1 { (title) }
            @if sent.is_empty() && failed.is_empty() && o.no_address.is_empty() {
                p.ok { "Không có đơn vị nào còn thiếu: không gửi thư nào." }
            }
            @if !sent.is_empty() {
                h2 { "Đã gửi (" (sent.len()) ")" }
                ul { @for s in &sent { li { (name(&s.unit)) " — " (s.to) } } }
            }
            @if !failed.is_empty() {
                h2 { "Máy chủ thư không nhận (" (failed.len()) ")" }
                p { "Các thư này chưa được gửi; hãy thử lại sau hoặc báo người quản trị máy chủ thư." }
                ul { @for s in &failed {
                    li { (name(&s.unit)) " — " (s.to) br; span.hint { (s.error.as_deref().unwrap_or_default()) } }
                } }
            }
            @if !o.no_address.is_empty() {
                h2 { "Chưa có địa chỉ thư điện tử (" (o.no_address.len()) ")" }
                p { "Hãy gọi điện cho văn thư các đơn vị này, và ghi địa chỉ thư điện tử vào hồ sơ đơn vị." }
                ul { @for u in &o.no_address {
                    @let phone = registry.unit(&u.unit).and_then(|r| r.contact.as_ref()).map(|c| c.phone.clone()).unwrap_or_default();
                    li {
                        a href={ "/ui/quan-tri/don-vi/" (u.unit) } { (u.unit_name) }
                        " — còn thiếu " (u.missing)
                        @if !phone.is_empty() { " · điện thoại " (phone) }
                    }
                } }
            }
            p { a href={ "/ui/thang/" (o.month) } { "Về trang tháng " (o.month.vn()) } }
        },
    )
}
