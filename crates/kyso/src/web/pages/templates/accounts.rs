//! The staff accounts page (scope admin): who may sign in, as what, and the forms to add one,
//! set a new password, disable or enable an account.

use super::{layout, Viewer};
use crate::store::users::{Role, User};
use maud::{html, Markup};

/// What the add form showed, kept when it is refused.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub ten: String,
    #[serde(default)]
    pub ho_ten: String,
    #[serde(default)]
    pub vai_tro: String,
    #[serde(default)]
    pub don_vi: String,
}

const ROLES: [(&str, Role); 3] = [
    ("clerk", Role::UnitClerk),
    ("reader", Role::Reader),
    ("admin", Role::Admin),
];

/// The role a form value names.
pub fn role_of(v: &str) -> Option<Role> {
    ROLES.iter().find(|(k, _)| *k == v).map(|(_, r)| *r)
}

pub fn accounts(
    users: &[User],
    units: &[(String, String)],
    form: &AccountForm,
    error: Option<&str>,
    viewer: &Viewer,
) -> Markup {
    let unit_name = |id: &str| {
        units
            .iter()
            .find(|(u, _)| u == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.to_string())
    };
    layout(
        "Tài khoản",
        Some(viewer),
        html! {
            h1 { "Tài khoản người dùng" }
            p.hint { "Mỗi người đăng nhập bằng tài khoản của mình. Văn thư đơn vị chỉ xem được đơn vị của mình và nộp hồ sơ cho đơn vị đó; người xem xem được mọi số liệu nhưng không sửa; quản trị viên làm được mọi việc." }
            table.accounts {
                thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Vai trò" } th { "Đơn vị" } th { "Trạng thái" } th { "Thao tác" } } }
                tbody {
                    @for u in users {
                        tr {
                            td { (u.name) }
                            td { (u.display_name) }
                            td { (u.role.label_vi()) }
                            td { @if let Some(id) = &u.unit { (unit_name(id)) } @else { "—" } }
                            td { @if u.disabled { span.missing { "Đã khóa" } } @else { span.ok { "Đang dùng" } } }
                            td {
                                form.inline method="post" action={ "/ui/quan-tri/nguoi-dung/" (u.name) } {
                                    input type="hidden" name="csrf" value=(viewer.csrf);
                                    label { "Mật khẩu mới " input type="password" name="mat_khau" autocomplete="new-password" minlength="10"; }
                                    button type="submit" { "Đặt mật khẩu" }
                                }
                                form.inline method="post" action={ "/ui/quan-tri/nguoi-dung/" (u.name) } {
                                    input type="hidden" name="csrf" value=(viewer.csrf);
                                    input type="hidden" name="khoa" value=(if u.disabled { "0" } else { "1" });
                                    button type="submit" { @if u.disabled { "Mở khóa" } @else { "Khóa tài khoản" } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Thêm tài khoản" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form.account method="post" action="/ui/quan-tri/nguoi-dung" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="ten" { "Tên đăng nhập" }
                input id="ten" name="ten" type="text" required value=(form.ten) autocapitalize="none";
                label for="ho_ten" { "Họ tên" }
                input id="ho_ten" name="ho_ten" type="text" required value=(form.ho_ten);
                label for="vai_tro" { "Vai trò" }
                select id="vai_tro" name="vai_tro" required {
                    option value="" { "— chọn vai trò —" }
                    @for (k, r) in ROLES { option value=(k) selected[form.vai_tro == k] { (r.label_vi()) } }
                }
                label for="don_vi" { "Đơn vị (chỉ với văn thư đơn vị)" }
                select id="don_vi" name="don_vi" {
                    option value="" { "—" }
                    @for (id, name) in units { option value=(id) selected[form.don_vi == *id] { (name) } }
                }
                label for="mat_khau" { "Mật khẩu (ít nhất 10 ký tự)" }
                input id="mat_khau" name="mat_khau" type="password" required minlength="10" autocomplete="new-password";
                button type="submit" { "Thêm tài khoản" }
            }
        },
    )
}
