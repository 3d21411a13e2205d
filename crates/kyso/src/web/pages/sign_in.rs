//! Signing in and out: an API token exchanged for a session cookie, the form's nonce checked,
//! failures counted.

use super::{cookie, html, page, redirect, session, signed_in, templates, LOGIN_NONCE, SESSION};
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
    let nonce_ok = req
        .cookie(LOGIN_NONCE)
        .is_some_and(|c| !form.csrf.is_empty() && c.value() == form.csrf);
    if sessions.locked_out(&peer) {
        tracing::warn!(%peer, "UI sign-in refused: too many failures");
        let mut r = html(
            StatusCode::TOO_MANY_REQUESTS,
            templates::message(
                "Tạm khóa đăng nhập",
                "Đăng nhập sai nhiều lần; hãy thử lại sau 5 phút.",
                None,
            ),
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("300"));
        return r;
    }
    let found = crate::web::state::token_named(&state, form.token.trim());
    match (nonce_ok, found) {
        (true, Some(t)) => match sessions.open(&t.name, &t.scopes) {
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
        },
        (nonce_ok, _) => {
            sessions.failed(&peer);
            tracing::warn!(%peer, nonce_ok, "UI sign-in failed");
            let nonce = session::random_id();
            let mut r = page(templates::login(
                &nonce,
                Some("Mã truy cập không đúng, hoặc biểu mẫu đã hết hạn. Hãy thử lại."),
            ));
            let _ = r.add_cookie(&cookie(&req, LOGIN_NONCE, nonce));
            r
        }
    }
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
    if let Ok((id, s)) = signed_in(&req, &state, "read") {
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
