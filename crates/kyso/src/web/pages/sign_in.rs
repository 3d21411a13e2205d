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
    /// An account's name and password ...
    #[serde(default)]
    ten: String,
    #[serde(default)]
    mat_khau: String,
    /// ... or an API token.
    #[serde(default)]
    token: String,
    csrf: String,
}

/// Who the form names, if the name and password (or the token) are right.
async fn identify(form: &LoginForm, state: &web::Data<AppState>) -> Option<session::Identity> {
    if !form.ten.trim().is_empty() {
        let (data, name, password) = (
            state.app.store.accounts(),
            form.ten.clone(),
            form.mat_khau.clone(),
        );
        // argon2 takes tens of milliseconds: off the request threads.
        let user = crate::web::blocking(move || {
            Ok(crate::app::accounts::authenticate(&data, &name, &password))
        })
        .await
        .ok()??;
        return Some(session::Identity {
            scopes: user.role.scopes(),
            name: user.name,
            display: user.display_name,
            unit: user.unit,
            account: true,
        });
    }
    crate::web::state::token_named(state, form.token.trim()).map(|t| session::Identity {
        display: t.name.clone(),
        name: t.name,
        scopes: t.scopes,
        unit: t.unit,
        account: false,
    })
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
        return login_again(&req, "Biểu mẫu đã hết hạn. Hãy đăng nhập lại.");
    }
    // Wrong passwords are counted per address and account name, and while that pair must
    // wait, nothing is judged (a right password too: guessing stays slow, and a neighbour
    // behind the Office's NAT can hold up one account at most). A right token is never made
    // to wait (systems behind one address; a token cannot be guessed).
    let by_account = !form.ten.trim().is_empty();
    let counted = if by_account {
        format!("{peer}|{}", form.ten.trim().to_lowercase())
    } else {
        peer.clone()
    };
    if by_account {
        if let Some(r) = must_wait(sessions, &counted) {
            return r;
        }
    }
    if let Some(who) = identify(&form, &state).await {
        let name = who.name.clone();
        return match sessions.open(who) {
            Some(id) => {
                tracing::info!(client = %name, %peer, by_account, "UI sign-in");
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
    if let Some(r) = must_wait(sessions, &counted) {
        return r;
    }
    sessions.failed(&counted);
    tracing::warn!(%peer, by_account, "UI sign-in failed");
    login_again(
        &req,
        if by_account {
            "Tên đăng nhập hoặc mật khẩu không đúng (hoặc tài khoản đã bị khóa)."
        } else {
            "Mã truy cập không đúng. Hãy kiểm tra lại mã (không có khoảng trắng thừa) rồi thử lại."
        },
    )
}

/// The answer while `peer` must wait after too many wrong sign-ins.
fn must_wait(sessions: &session::Sessions, peer: &str) -> Option<HttpResponse> {
    let wait = sessions.wait(peer)?;
    tracing::warn!(%peer, "UI sign-in refused: too many wrong sign-ins from this address");
    let secs = wait.whole_seconds().max(1);
    let mut r = html(
        StatusCode::TOO_MANY_REQUESTS,
        templates::message(
            "Tạm dừng đăng nhập",
            &format!("Đã đăng nhập sai nhiều lần; hãy thử lại sau {secs} giây."),
            None,
        ),
    );
    if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Some(r)
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
