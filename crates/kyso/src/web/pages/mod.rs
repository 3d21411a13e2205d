//! The Office's pages (`/ui/`): server-rendered Vietnamese HTML over the same process and data
//! as the API, with no front-end build. Signing in (an account's password, or an API token)
//! gives a session cookie; a unit clerk's session sees only their unit;
//! every form carries a CSRF token; a Content-Security-Policy forbids inline script.

mod accounts;
mod admin;
mod registry_edit;
mod registry_forms;
mod registry_person;
mod remind;
pub mod session;
mod sign_in;
pub mod templates;
mod upload;
mod views;

use crate::web::AppState;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use session::Session;
use templates::Viewer;

pub(super) const SESSION: &str = "kyso_session";
pub(super) const LOGIN_NONCE: &str = "kyso_login";
pub(super) const CSS: &str = include_str!("kyso.css");
/// The upload page's progressive enhancement (drop, one result at a time); pages work without.
pub(super) const UPLOAD_JS: &str = include_str!("nop.js");
/// The guides (`docs/`), served as pages linked from every page's footer.
const CLERK_GUIDE: &str = include_str!("../../../../../docs/huong-dan-van-thu.md");
const OPERATOR_GUIDE: &str = include_str!("../../../../../docs/huong-dan-van-hanh.md");
/// No inline script or style; nothing from elsewhere; no framing.
pub(super) const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The clerk's guide (`docs/huong-dan-van-thu.md`); open to anyone, as the file is.
async fn clerk_guide() -> HttpResponse {
    guide_page(CLERK_GUIDE)
}

/// The operator's guide (`docs/huong-dan-van-hanh.md`).
async fn operator_guide() -> HttpResponse {
    guide_page(OPERATOR_GUIDE)
}

fn guide_page(text: &str) -> HttpResponse {
    page(templates::layout(
        &templates::guide_title(text),
        None,
        templates::guide(text),
    ))
}

pub(super) fn page(markup: maud::Markup) -> HttpResponse {
    html(actix_web::http::StatusCode::OK, markup)
}

/// A page with `status`, and the headers every page carries.
pub(super) fn html(status: actix_web::http::StatusCode, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(markup.into_string())
}

pub(super) fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// Cookies are `Secure` when the service is reached over TLS (a reverse proxy says so).
pub(super) fn secure(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

pub(super) fn cookie<'a>(req: &HttpRequest, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/ui")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(req))
        .max_age(actix_web::cookie::time::Duration::seconds(
            session::LIFETIME.whole_seconds(),
        ))
        .finish()
}

/// The signed-in session, or a redirect to the sign-in page (the response to send instead).
#[allow(clippy::result_large_err)]
pub(super) fn signed_in(
    req: &HttpRequest,
    state: &AppState,
    scope: &str,
) -> Result<(String, Session), HttpResponse> {
    let (id, s) = session_of(req, state)?;
    if s.can(scope) {
        Ok((id, s))
    } else {
        Err(not_allowed(&s))
    }
}

/// The session, when it may see `unit`: one that reads every unit, or the unit's own clerk.
#[allow(clippy::result_large_err)]
pub(super) fn signed_in_for_unit(
    req: &HttpRequest,
    state: &AppState,
    unit: &str,
) -> Result<Session, HttpResponse> {
    let (_, s) = session_of(req, state)?;
    if s.can("read") || s.unit.as_deref() == Some(unit) {
        Ok(s)
    } else {
        Err(not_allowed(&s))
    }
}

/// The live session of the request's cookie; a staff account's only while the account is
/// still enabled (disabling it ends its sessions).
#[allow(clippy::result_large_err)]
pub(super) fn session_of(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(String, Session), HttpResponse> {
    let Some(id) = req.cookie(SESSION).map(|c| c.value().to_string()) else {
        return Err(redirect("/ui/dang-nhap"));
    };
    let Some(s) = state.ui_sessions.get(&id) else {
        return Err(redirect("/ui/dang-nhap"));
    };
    if s.account {
        // A store that cannot answer now (the database unreachable) keeps the session: only an
        // account found disabled or gone ends it.
        let enabled = match state.app.store.accounts().load(&s.name) {
            Ok(u) => u.is_some_and(|u| !u.disabled),
            Err(_) => true,
        };
        if !enabled {
            state.ui_sessions.close(&id);
            return Err(redirect("/ui/dang-nhap"));
        }
    }
    Ok((id, s))
}

/// "Không đủ quyền", with the way back to what the session may see.
fn not_allowed(s: &Session) -> HttpResponse {
    let text = match &s.unit {
        Some(_) => "Tài khoản này chỉ xem được đơn vị của mình và nộp hồ sơ cho đơn vị đó.",
        None => "Tài khoản này không được xem trang này.",
    };
    html(
        StatusCode::FORBIDDEN,
        templates::message("Không đủ quyền", text, Some(&viewer(s))),
    )
}

/// The units a form offers: (id, name).
pub(super) fn unit_choices(state: &AppState) -> Vec<(String, String)> {
    state
        .app
        .store
        .registry()
        .units
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect()
}

pub(super) fn viewer(s: &Session) -> Viewer<'_> {
    Viewer {
        name: &s.display,
        csrf: &s.csrf,
        admin: s.can("admin"),
        read: s.can("read"),
        submit: s.can("submit"),
        unit: s.unit.as_deref(),
    }
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(CSS)
}

async fn upload_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(UPLOAD_JS)
}

/// A form whose CSRF token is not the session's (an old page, or a forged form).
pub(super) fn stale_form(what_to_do: &str, s: &Session) -> HttpResponse {
    html(
        StatusCode::FORBIDDEN,
        templates::message("Biểu mẫu không hợp lệ", what_to_do, Some(&viewer(s))),
    )
}

/// A form posted by someone signed in with `scope` whose CSRF token is `csrf` (the session's):
/// the session, or the page to answer (sign in, not allowed, or a stale form to send again).
pub(super) fn posted_by(
    req: &HttpRequest,
    state: &AppState,
    scope: &str,
    csrf: &str,
) -> Result<Session, HttpResponse> {
    let (_, s) = signed_in(req, state, scope)?;
    if s.csrf == csrf {
        Ok(s)
    } else {
        Err(stale_form("Hãy mở lại trang và gửi lại.", &s))
    }
}

/// The administrator's form answer: back to `to`, or a page with the refusal.
pub(super) fn outcome(result: Result<(), String>, to: &str, s: &Session) -> HttpResponse {
    match result {
        Ok(()) => redirect(to),
        Err(why) => html(
            StatusCode::BAD_REQUEST,
            templates::message("Không thực hiện được", &why, Some(&viewer(s))),
        ),
    }
}

/// The pages' routes, under `/ui`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use admin::{
        accept_late, admin, close_period, closed_periods, enrol, filed_file, hide_certificate,
        import_registry, move_month, set_tracking,
    };
    use sign_in::{login, login_form, logout};
    use upload::{upload, upload_form};
    use views::{home, missing_file, month, pdf, report, report_file, submissions, unit};
    cfg.route("/ui", web::get().to(home))
        .route("/ui/", web::get().to(home))
        .route("/ui/static/kyso.css", web::get().to(stylesheet))
        .route("/ui/static/nop.js", web::get().to(upload_script))
        .route("/ui/dang-nhap", web::get().to(login_form))
        .route("/ui/huong-dan", web::get().to(clerk_guide))
        .route("/ui/huong-dan/van-hanh", web::get().to(operator_guide))
        .route("/ui/dang-nhap", web::post().to(login))
        .route("/ui/dang-xuat", web::post().to(logout))
        .route("/ui/thang/{month}", web::get().to(month))
        .route("/ui/thang/{month}/con-thieu", web::get().to(missing_file))
        .route("/ui/thang/{month}/nhac", web::post().to(remind::send))
        .route("/ui/don-vi/{id}", web::get().to(unit))
        .route("/ui/ho-so/{id}/pdf", web::get().to(pdf))
        .route("/ui/bao-cao", web::get().to(report))
        .route("/ui/bao-cao/tai", web::get().to(report_file))
        .route("/ui/nop", web::get().to(upload_form))
        .route("/ui/nop", web::post().to(upload))
        .route("/ui/ho-so", web::get().to(submissions))
        .route("/ui/quan-tri", web::get().to(admin))
        .route("/ui/quan-tri/ghi-danh", web::post().to(enrol))
        .route(
            "/ui/quan-tri/an-chung-thu",
            web::post().to(hide_certificate),
        )
        .route("/ui/quan-tri/chot-so-lieu", web::post().to(close_period))
        .route("/ui/ky-da-chot", web::get().to(closed_periods))
        .route("/ui/quan-tri/theo-doi", web::post().to(set_tracking))
        .route("/ui/quan-tri/nguoi-dung", web::get().to(accounts::list))
        .route("/ui/quan-tri/nguoi-dung", web::post().to(accounts::add))
        .route(
            "/ui/quan-tri/nguoi-dung/{name}",
            web::post().to(accounts::change),
        )
        .route("/ui/ky-da-chot/{period}/{name}", web::get().to(filed_file))
        .service(
            web::resource("/ui/quan-tri/danh-muc")
                .app_data(
                    web::FormConfig::default()
                        .limit(crate::app::registry_import::MAX_REGISTRY_BYTES),
                )
                .route(web::post().to(import_registry)),
        )
        .route("/ui/ho-so/{id}/chap-nhan", web::post().to(accept_late))
        .route("/ui/ho-so/{id}/chuyen-thang", web::post().to(move_month))
        .configure(registry_edit::routes);
}
