//! Signing in and out: an API token exchanged for a session cookie, the form's nonce checked,
//! failures counted.

use super::{cookie, html, page, redirect, session, templates, LOGIN_NONCE, SESSION};
use crate::web::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

pub(super) async fn login_form(req: HttpRequest) -> HttpResponse {
    let nonce = session::random_id();
    let mut r = page(templates::login(&nonce, None));
    let _ = r.add_cookie(&cookie(&req, LOGIN_NONCE, nonce));
    r
}

#[derive(serde::Deserialize)]
pub(super) struct LoginForm {
    token: String,
    csrf: String,
}

pub(super) async fn login(
    req: HttpRequest,
    form: web::Form<LoginForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let sessions = &state.ui_sessions;
    // The form's nonce first: a form another site sent (it cannot read the nonce cookie) or an
    // old page is answered with a fresh form, and counts as nothing.
    let nonce_ok = req
        .cookie(LOGIN_NONCE)
        .is_some_and(|c| !form.csrf.is_empty() && c.value() == form.csrf);
    if !nonce_ok {
        return login_again(&req, "Biểu mẫu đã hết hạn. Hãy nhập lại mã truy cập.");
    }
    if let Some(t) = crate::web::state::token_named(&state, form.token.trim()) {
        return match sessions.open(&t.name, &t.scopes) {
            Some(id) => {
                tracing::info!(client = %t.name, %peer, "UI sign-in");
                let mut r = redirect("/ui/");
                let _ = r.add_cookie(&cookie(&req, SESSION, id));
                r
            }
            None => page(templates::message(
                "Lỗi",
                "Không tạo được phiên đăng nhập.",
                None,
            )),
        };
    }
    if let Some(wait) = sessions.wait(&peer) {
        tracing::warn!(%peer, "UI sign-in refused: too many wrong tokens from this address");
        let secs = wait.whole_seconds().max(1);
        let mut r = html(
            StatusCode::TOO_MANY_REQUESTS,
            templates::message(
                "Tạm dừng đăng nhập",
                &format!("Đã nhập sai mã truy cập nhiều lần; hãy thử lại sau {secs} giây."),
                None,
            ),
        );
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    sessions.failed(&peer);
    tracing::warn!(%peer, "UI sign-in failed: unknown token");
    login_again(
        &req,
        "Mã truy cập không đúng. Hãy kiểm tra lại mã (không có khoảng trắng thừa) rồi thử lại.",
    )
}

/// The sign-in form again, with a fresh nonce and why.
fn login_again(req: &HttpRequest, why: &str) -> HttpResponse {
    let nonce = session::random_id();
    let mut r = page(templates::login(&nonce, Some(why)));
    let _ = r.add_cookie(&cookie(req, LOGIN_NONCE, nonce));
    r
}

#[derive(serde::Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn logout(
    req: HttpRequest,
    form: web::Form<CsrfForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    // Any session, whatever its scopes (a submit-only session signs out too).
    let id = req.cookie(SESSION).map(|c| c.value().to_string());
    if let Some((id, s)) = id.and_then(|id| state.ui_sessions.get(&id).map(|s| (id, s))) {
        if s.csrf == form.csrf {
            state.ui_sessions.close(&id);
            tracing::info!(client = %s.name, "UI sign-out");
        }
    }
    let mut r = redirect("/ui/dang-nhap");
    let mut gone = cookie(&req, SESSION, String::new());
    gone.make_removal();
    let _ = r.add_cookie(&gone);
    r
}
