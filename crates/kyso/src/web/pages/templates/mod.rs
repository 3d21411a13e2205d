//! The pages, as maud templates: every value is escaped by maud, labels are Vietnamese, dates
//! dd/mm/yyyy and times in Vietnam time. No inline script or style (the Content-Security-Policy
//! forbids them); the stylesheet is `/ui/static/kyso.css`.

mod accounts;
mod admin;
mod files;
mod guide;
mod remind;
mod tables;

pub use accounts::{accounts, role_of, AccountForm};
pub use admin::{
    admin, changed_fields, close_confirm, closed_periods, period_label, registry_preview, AdminView,
};
pub use files::{received, submissions, upload, Outcome, SubmissionFilter};
pub use guide::{guide, title as guide_title};
pub use remind::reminders_sent;
pub use tables::{month, report, unit, FileFacts, MonthView, UnitView};

use crate::duty::registry::UnitKind;
use kyso_verify::report::Verdict;
use maud::{html, Markup, DOCTYPE};

pub(super) fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        // Vietnamese writes a decimal comma: 87,5%.
        format!("{:.1}%", part as f64 * 100.0 / whole as f64).replace('.', ",")
    }
}

/// Who is signed in, for the header and the sign-out form.
pub struct Viewer<'a> {
    /// The name shown (an account's person, a token's name).
    pub name: &'a str,
    pub csrf: &'a str,
    pub admin: bool,
    /// Sees every unit's figures and files.
    pub read: bool,
    /// May upload.
    pub submit: bool,
    /// The one unit a unit clerk (or a unit-bound token) sees.
    pub unit: Option<&'a str>,
}

/// The Office's letterhead lines printed above every page (`[office]`), set once at start.
static LETTERHEAD: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();

/// Set the names printed above the pages: the authority and the Office.
pub fn set_letterhead(parent: &str, office: &str) {
    let _ = LETTERHEAD.set((parent.to_uppercase(), office.to_uppercase()));
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
                            @if v.read {
                                a href="/ui/" { "Tháng này" }
                                a href="/ui/ho-so" { "Hồ sơ" }
                            } @else if let Some(u) = v.unit {
                                a href={ "/ui/don-vi/" (u) } { "Đơn vị của tôi" }
                            }
                            @if v.submit { a href="/ui/nop" { "Nộp hồ sơ" } }
                            @if v.read { a href="/ui/bao-cao" { "Báo cáo" } }
                            @if v.admin { a href="/ui/quan-tri" { "Quản trị" } }
                        }
                        form.signout method="post" action="/ui/dang-xuat" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            span.who { (v.name) }
                            button type="submit" { "Đăng xuất" }
                        }
                    }
                }
                @if let Some((parent, office)) = LETTERHEAD.get() {
                    div.print-only.letterhead { @if !parent.is_empty() { div { (parent) } } div { strong { (office) } } }
                }
                main { (body) }
                footer.site {
                    a href="/ui/huong-dan" { "Hướng dẫn văn thư" }
                    " · "
                    a href="/ui/huong-dan/van-hanh" { "Hướng dẫn vận hành" }
                }
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
                label for="ten" { "Tên đăng nhập" }
                input id="ten" name="ten" type="text" autocomplete="username" autocapitalize="none";
                label for="mat_khau" { "Mật khẩu" }
                input id="mat_khau" name="mat_khau" type="password" autocomplete="current-password";
                button type="submit" { "Đăng nhập" }
            }
            details.token-login {
                summary { "Đăng nhập bằng mã truy cập (API token)" }
                form.login method="post" action="/ui/dang-nhap" {
                    input type="hidden" name="csrf" value=(nonce);
                    label for="token" { "Mã truy cập" }
                    input id="token" name="token" type="password" autocomplete="off" required;
                    button type="submit" { "Đăng nhập bằng mã" }
                }
            }
            p.hint { "Tài khoản do quản trị viên tạo; mã truy cập dành cho hệ thống khác (kyso token new). Phiên đăng nhập hết hạn sau 8 giờ." }
        },
    )
}

pub(super) fn tick(ok: bool) -> Markup {
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

pub fn message(title: &str, text: &str, viewer: Option<&Viewer>) -> Markup {
    layout(
        title,
        viewer,
        html! { h1 { (title) } p { (text) } p { a href="/ui/" { "Về trang chính" } } },
    )
}

pub(super) fn verdict_vi(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "Hợp lệ",
        Verdict::Invalid => "Không hợp lệ",
        Verdict::Indeterminate => "Chưa xác định được",
        Verdict::Unsigned => "Không có chữ ký số",
    }
}

pub(super) fn requirement_vi(
    c: &crate::duty::credit::Credit,
    names: &crate::duty::registry::Registry,
) -> String {
    crate::duty::words::requirement(names, c)
}
