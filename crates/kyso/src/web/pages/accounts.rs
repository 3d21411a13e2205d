//! Staff accounts from the administration pages (scope admin): the list, adding one (refused
//! with the reason and what was typed kept), a new password, disabling and enabling.

use super::templates::{self, AccountForm};
use super::{html, outcome, page, posted_by, signed_in, unit_choices, viewer};
use crate::app::accounts::{self, NewUser};
use crate::web::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub(super) async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let users = state.app.store.accounts().all().unwrap_or_default();
    let units = unit_choices(&state);
    page(templates::accounts(
        &users,
        &units,
        &AccountForm::default(),
        None,
        &viewer(&s),
    ))
}

#[derive(serde::Deserialize)]
pub(super) struct AddForm {
    csrf: String,
    #[serde(flatten)]
    shown: AccountForm,
    #[serde(default)]
    mat_khau: String,
}

pub(super) async fn add(
    req: HttpRequest,
    form: web::Form<AddForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let Some(role) = templates::role_of(&form.shown.vai_tro) else {
        return refused(&state, &form.shown, "Hãy chọn vai trò.", &s);
    };
    let new = NewUser {
        name: form.shown.ten.clone(),
        display_name: form.shown.ho_ten.clone(),
        role,
        unit: Some(form.shown.don_vi.clone()),
        password: form.mat_khau,
    };
    let st = state.clone();
    let result = blocking(move || {
        let store = &st.app.store;
        let known = |u: &str| store.registry().unit(u).is_some();
        Ok(accounts::add(
            &store.accounts(),
            &known,
            new,
            time::OffsetDateTime::now_utc(),
        ))
    })
    .await;
    match result {
        Ok(Ok(u)) => {
            tracing::info!(account = %u.name, role = ?u.role, by = %s.name, "account added");
            super::redirect("/ui/quan-tri/nguoi-dung")
        }
        Ok(Err(e)) => refused(&state, &form.shown, &e.to_string(), &s),
        Err(e) => refused(&state, &form.shown, &e.to_string(), &s),
    }
}

/// The page again, with the reason and the form as it was typed (never the password).
fn refused(
    state: &AppState,
    shown: &AccountForm,
    why: &str,
    s: &super::session::Session,
) -> HttpResponse {
    let users = state.app.store.accounts().all().unwrap_or_default();
    html(
        StatusCode::BAD_REQUEST,
        templates::accounts(&users, &unit_choices(state), shown, Some(why), &viewer(s)),
    )
}

#[derive(serde::Deserialize)]
pub(super) struct ChangeForm {
    csrf: String,
    mat_khau: Option<String>,
    /// `1` disables the account, `0` enables it again.
    khoa: Option<String>,
}

pub(super) async fn change(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ChangeForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let name = path.into_inner();
    let password = form.mat_khau.clone().filter(|p| !p.is_empty());
    let disabled = form.khoa.as_deref().map(|k| k == "1");
    if s.account && s.name == name && disabled == Some(true) {
        return outcome(Err("Không thể tự khóa tài khoản của mình.".into()), "", &s);
    }
    let (st, who) = (state.clone(), name.clone());
    let result = blocking(move || {
        Ok(accounts::update(
            &st.app.store.accounts(),
            &who,
            password.as_deref(),
            disabled,
        )
        .map(|_| ())
        .map_err(|e| e.to_string()))
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    if result.is_ok() {
        tracing::info!(account = %name, by = %s.name, ?disabled, "account changed");
    }
    outcome(result, "/ui/quan-tri/nguoi-dung", &s)
}
