//! The Office's pages (`/ui/`): server-rendered Vietnamese HTML over the same process and data
//! as the API, with no front-end build. Signing in exchanges an API token for a session cookie;
//! every form carries a CSRF token; a Content-Security-Policy forbids inline script.

pub mod pages;
mod registry_edit;
pub mod session;

use crate::app::error::AppError;
use crate::duty::period::Month;
use crate::web::{blocking, AppState};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use pages::Viewer;
use session::Session;

const SESSION: &str = "kyso_session";
const LOGIN_NONCE: &str = "kyso_login";
const CSS: &str = include_str!("kyso.css");
/// The upload page's progressive enhancement (drop, one result at a time); pages work without.
const UPLOAD_JS: &str = include_str!("nop.js");
/// No inline script or style; nothing from elsewhere; no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn page(markup: maud::Markup) -> HttpResponse {
    html(actix_web::http::StatusCode::OK, markup)
}

/// A page with `status`, and the headers every page carries.
fn html(status: actix_web::http::StatusCode, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(markup.into_string())
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// Cookies are `Secure` when the service is reached over TLS (a reverse proxy says so).
fn secure(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

fn cookie<'a>(req: &HttpRequest, name: &'a str, value: String) -> Cookie<'a> {
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
fn signed_in(
    req: &HttpRequest,
    state: &AppState,
    scope: &str,
) -> Result<(String, Session), HttpResponse> {
    let Some(id) = req.cookie(SESSION).map(|c| c.value().to_string()) else {
        return Err(redirect("/ui/dang-nhap"));
    };
    match state.ui_sessions.get(&id) {
        Some(s) if s.can(scope) => Ok((id, s)),
        Some(s) => Err(html(
            StatusCode::FORBIDDEN,
            pages::message(
                "Không đủ quyền",
                "Mã truy cập này không được xem trang này.",
                Some(&viewer(&s)),
            ),
        )),
        None => Err(redirect("/ui/dang-nhap")),
    }
}

/// The units a form offers: (id, name).
fn unit_choices(state: &AppState) -> Vec<(String, String)> {
    state
        .app
        .store
        .registry()
        .units
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect()
}

fn viewer(s: &Session) -> Viewer<'_> {
    Viewer {
        name: &s.name,
        csrf: &s.csrf,
        admin: s.can("admin"),
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

async fn login_form(req: HttpRequest) -> HttpResponse {
    let nonce = session::random_id();
    let mut r = page(pages::login(&nonce, None));
    let _ = r.add_cookie(&cookie(&req, LOGIN_NONCE, nonce));
    r
}

#[derive(serde::Deserialize)]
struct LoginForm {
    token: String,
    csrf: String,
}

async fn login(
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
            pages::message(
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
            None => page(pages::message(
                "Lỗi",
                "Không tạo được phiên đăng nhập.",
                None,
            )),
        },
        (nonce_ok, _) => {
            sessions.failed(&peer);
            tracing::warn!(%peer, nonce_ok, "UI sign-in failed");
            let nonce = session::random_id();
            let mut r = page(pages::login(
                &nonce,
                Some("Mã truy cập không đúng, hoặc biểu mẫu đã hết hạn. Hãy thử lại."),
            ));
            let _ = r.add_cookie(&cookie(&req, LOGIN_NONCE, nonce));
            r
        }
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
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

async fn home(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if let Err(r) = signed_in(&req, &state, "read") {
        return r;
    }
    let m = Month::of_vietnam_time(time::OffsetDateTime::now_utc());
    redirect(&format!("/ui/thang/{m}"))
}

#[derive(serde::Deserialize)]
struct MonthQuery {
    loai: Option<String>,
    q: Option<String>,
}

async fn month(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<MonthQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let raw = path.into_inner();
    let Some(m) = Month::parse(&raw) else {
        return Ok(html(
            StatusCode::BAD_REQUEST,
            pages::message(
                "Tháng không hợp lệ",
                &format!(
                    "\u{201c}{raw}\u{201d} không phải là một tháng. Địa chỉ đúng có dạng /ui/thang/{} (năm-tháng, ví dụ tháng này).",
                    Month::of_vietnam_time(time::OffsetDateTime::now_utc())
                ),
                Some(&viewer(&s)),
            ),
        ));
    };
    let st = state.clone();
    let table = blocking(move || Ok(crate::app::tables::month_table(&st.app, m)?)).await?;
    let kind = q.loai.as_deref().filter(|k| !k.is_empty());
    let view = pages::MonthView {
        table: &table,
        kind,
        search: q.q.as_deref().unwrap_or(""),
    };
    Ok(page(pages::month(&view, &viewer(&s))))
}

#[derive(serde::Deserialize)]
struct YearQuery {
    nam: Option<i32>,
    quy: Option<String>,
    #[serde(rename = "dinh-dang")]
    dinh_dang: Option<String>,
}

fn year_of(q: &YearQuery) -> i32 {
    q.nam
        .filter(|y| (1900..=9999).contains(y))
        .unwrap_or_else(|| Month::of_vietnam_time(time::OffsetDateTime::now_utc()).year)
}

async fn unit(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let id = path.into_inner();
    let name = match state.app.store.registry().unit(&id) {
        Some(u) => u.name.clone(),
        None => {
            return Ok(page(pages::message(
                "Không có đơn vị này",
                &format!("Không tìm thấy đơn vị {id}."),
                Some(&viewer(&s)),
            )))
        }
    };
    let year = year_of(&q);
    let (st, uid) = (state.clone(), id.clone());
    let (months, files) = blocking(move || {
        let months = crate::app::tables::unit_history(&st.app, &uid, year)?;
        // Each file behind the year: its name, signers and verdict, for the page.
        let mut files = std::collections::HashMap::new();
        for m in &months {
            let ids = m
                .organisation
                .iter()
                .flat_map(|o| o.submissions.iter())
                .chain(m.leaders.iter().flat_map(|l| l.submissions.iter()));
            for sub_id in ids {
                if !files.contains_key(sub_id) {
                    if let Some(sub) = st.app.store.get(sub_id)? {
                        files.insert(sub_id.clone(), pages::FileFacts::of(&sub));
                    }
                }
            }
        }
        Ok((months, files))
    })
    .await?;
    Ok(page(pages::unit(
        &name,
        &id,
        year,
        &months,
        &files,
        &viewer(&s),
    )))
}

async fn pdf(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Err(r) = signed_in(&req, &state, "read") {
        return Ok(r);
    }
    crate::web::api::submissions::pdf_response(&state, &path.into_inner()).await
}

fn quarter_of(q: &YearQuery) -> Option<u8> {
    q.quy
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| (1..=4).contains(n))
}

/// The report of the period the query names (the current year by default).
async fn load_report(
    state: &web::Data<AppState>,
    q: &YearQuery,
) -> Result<crate::duty::office_report::OfficeReport, AppError> {
    let (year, quarter, st) = (year_of(q), quarter_of(q), state.clone());
    blocking(move || {
        Ok(crate::app::tables::office_report(
            &st.app,
            year,
            quarter,
            time::OffsetDateTime::now_utc(),
        )?)
    })
    .await
}

async fn report(
    req: HttpRequest,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let r = load_report(&state, &q).await?;
    Ok(page(pages::report(&r, &viewer(&s))))
}

/// The report's files, from the browser session (what the "Tải Excel" and "Tải CSV" links open).
async fn report_file(
    req: HttpRequest,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Err(r) = signed_in(&req, &state, "read") {
        return Ok(r);
    }
    let r = load_report(&state, &q).await?;
    let format = match q.dinh_dang.as_deref() {
        Some("csv") => "csv",
        _ => "xlsx",
    };
    crate::web::api::reports::report_response(&r, format)
}

async fn upload_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let s = match signed_in(&req, &state, "submit") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let units = unit_choices(&state);
    page(pages::upload(&units, &viewer(&s)))
}

#[derive(serde::Deserialize)]
struct CsrfQuery {
    csrf: String,
}

/// The clerk's upload: the same receive, verify, commit path as the API, on the session's
/// token name; the result in plain Vietnamese.
async fn upload(
    req: HttpRequest,
    payload: web::Payload,
    q: web::Query<CsrfQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "submit") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    if q.csrf != s.csrf {
        return stale_form("Hãy mở lại trang nộp hồ sơ và nộp lại.", &s);
    }
    let _permit = match state.upload_permit(&s.name) {
        Ok(p) => p,
        Err(e) => return refused(&e, &s),
    };
    let files = match crate::web::upload::receive_many(&req, payload, &state, MAX_FILES).await {
        Ok(f) => f,
        Err(e) => return refused(&e, &s),
    };
    let (mut outcomes, mut failed) = (Vec::new(), Vec::new());
    for (received, info) in files {
        let name = info.file_name.clone().unwrap_or_else(|| "tệp".into());
        let up = crate::app::submit::Upload {
            received,
            info,
            client: s.name.clone(),
        };
        match crate::app::submit::submit_with_receipt(&state.app, up).await {
            Ok((created, receipt)) => outcomes.push(pages::Outcome { receipt, created }),
            Err(e) => failed.push(format!("{name}: không nộp được. {}", vi_reason(&e))),
        }
    }
    page(pages::received(&outcomes, &failed, &viewer(&s)))
}

/// The most files one upload form may carry.
const MAX_FILES: usize = 20;

fn refused(e: &AppError, s: &Session) -> HttpResponse {
    html(
        actix_web::ResponseError::status_code(e),
        pages::message("Không nộp được", &vi_reason(e), Some(&viewer(s))),
    )
}

/// A form whose CSRF token is not the session's (an old page, or a forged form).
fn stale_form(what_to_do: &str, s: &Session) -> HttpResponse {
    html(
        StatusCode::FORBIDDEN,
        pages::message("Biểu mẫu không hợp lệ", what_to_do, Some(&viewer(s))),
    )
}

/// Why an upload was refused, in words a clerk can act on.
fn vi_reason(e: &AppError) -> String {
    use crate::app::error::ErrorCode;
    match e {
        AppError::TooLarge { limit } => format!(
            "Tệp lớn hơn giới hạn {:.1} MB; hãy giảm dung lượng tệp (xuất lại PDF) rồi nộp lại.",
            *limit as f64 / 1_048_576.0
        ),
        AppError::UnsupportedMediaType(_) => "Chỉ nhận tệp PDF.".into(),
        AppError::Unprocessable { code: ErrorCode::NotPdf, .. } => {
            "Tệp không phải PDF; hãy chọn đúng tệp PDF đã ký số.".into()
        }
        AppError::Unprocessable { code: ErrorCode::BudgetExceeded, .. } => {
            "Tệp quá phức tạp để kiểm tra trong giới hạn cho phép; hãy xuất lại PDF từ phần mềm soạn thảo, ký lại rồi nộp.".into()
        }
        AppError::Unprocessable { .. } => {
            "Không đọc được cấu trúc tệp PDF; hãy xuất lại PDF từ phần mềm soạn thảo, ký lại rồi nộp.".into()
        }
        AppError::BadRequest(m) if m.starts_with("at most") => {
            format!("Mỗi lần nộp tối đa {MAX_FILES} tệp; hãy chia làm nhiều lần.")
        }
        // The service's own messages (storage, deadlines, busy) already say it in Vietnamese.
        e => e.to_string(),
    }
}

#[derive(serde::Deserialize)]
struct ListQuery {
    thang: Option<String>,
    #[serde(rename = "trang-thai")]
    trang_thai: Option<String>,
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    #[serde(rename = "ly-do")]
    ly_do: Option<String>,
    trang: Option<usize>,
}

async fn submissions(
    req: HttpRequest,
    q: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let month = q
        .thang
        .as_deref()
        .and_then(Month::parse)
        .unwrap_or_else(|| Month::of_vietnam_time(time::OffsetDateTime::now_utc()));
    let filter = pages::SubmissionFilter {
        status: q.trang_thai.clone().unwrap_or_default(),
        unit: q.don_vi.clone().filter(|u| !u.is_empty()),
        reason: q
            .ly_do
            .as_deref()
            .and_then(crate::duty::note::NoteCode::parse_reason),
    };
    let query = crate::app::listing::Query {
        month,
        unit: filter.unit.clone(),
        person: None,
        reason: filter.reason,
        credited: match filter.status.as_str() {
            "credited" => Some(true),
            "not_credited" => Some(false),
            _ => None,
        },
        late: filter.status == "late",
        page: q.trang.unwrap_or(1),
        per_page: 100,
    };
    let st = state.clone();
    let list = blocking(move || Ok(crate::app::listing::list(&st.app, &query)?)).await?;
    let units = unit_choices(&state);
    Ok(page(pages::submissions(
        &list,
        &filter,
        &units,
        &viewer(&s),
    )))
}

async fn admin(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "admin") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let st = state.clone();
    let unenrolled = blocking(move || Ok(crate::app::tables::unenrolled(&st.app.store)?)).await?;
    let registry = state.app.store.registry();
    let mut targets: Vec<(String, String)> = registry
        .units
        .iter()
        .map(|u| {
            (
                format!("unit:{}", u.id),
                format!("Đơn vị (ký số cơ quan): {}", u.name),
            )
        })
        .collect();
    targets.extend(registry.leaders.iter().map(|l| {
        let unit = registry
            .unit(&l.unit)
            .map(|u| u.name.as_str())
            .unwrap_or(&l.unit);
        (
            format!("leader:{}", l.id),
            format!("Lãnh đạo: {} {} — {unit}", l.title, l.name),
        )
    }));
    let trust = state.app.trust();
    let health = state.app.store.health();
    let now = time::OffsetDateTime::now_utc();
    let mut facts = vec![
        (
            "Số hồ sơ lưu trữ".to_string(),
            state.app.store.count().to_string(),
        ),
        (
            "Ghi được vào kho".to_string(),
            if health.fault.is_none() && health.index_ok {
                "Có".into()
            } else {
                "Không (xem /readyz)".to_string()
            },
        ),
        (
            "Chứng thư gốc tin cậy".to_string(),
            trust.anchors.len().to_string(),
        ),
    ];
    for c in &trust.crls {
        let state_vi = match c.next_update {
            Some(n) if n < now => "đã hết hạn",
            Some(_) => "còn hiệu lực",
            None => "không ghi hạn",
        };
        facts.push((
            format!("CRL {}", c.issuer),
            format!(
                "cập nhật {}, {state_vi}",
                crate::vn::datetime_of(
                    &c.this_update
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                )
            ),
        ));
    }
    let mut changes = state.app.store.registry_changes().unwrap_or_default();
    changes.reverse();
    changes.truncate(20);
    let view = pages::AdminView {
        unenrolled: &unenrolled,
        targets: &targets,
        state: &facts,
        changes: &changes,
    };
    Ok(page(pages::admin(&view, &viewer(&s))))
}

#[derive(serde::Deserialize)]
struct EnrolForm {
    csrf: String,
    sha256: String,
    target: String,
}

async fn enrol(
    req: HttpRequest,
    form: web::Form<EnrolForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "admin") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if form.csrf != s.csrf {
        return Ok(stale_form("Hãy mở lại trang quản trị.", &s));
    }
    let target = crate::app::enrolment::Target::parse(&form.target)
        .ok_or_else(|| AppError::BadRequest("unknown target".into()))?;
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, sha, by) = (state.clone(), form.sha256.clone(), s.name.clone());
    blocking(move || {
        // Enrolling it where it would take past months from whoever it counted for: 409.
        crate::app::enrolment::enrol(&st.app.store, &sha, &target, &by, crate::web::now())
    })
    .await?;
    tracing::info!(by = %s.name, sha256 = %form.sha256, target = %form.target, "certificate enrolled from the pages");
    Ok(redirect("/ui/quan-tri"))
}

/// The administrator's form answer: back to `to`, or a page with the refusal.
fn outcome(result: Result<(), String>, to: &str, s: &Session) -> HttpResponse {
    match result {
        Ok(()) => redirect(to),
        Err(why) => html(
            StatusCode::BAD_REQUEST,
            pages::message("Không thực hiện được", &why, Some(&viewer(s))),
        ),
    }
}

#[derive(serde::Deserialize)]
struct ReasonForm {
    csrf: String,
    reason: String,
}

/// Accept a late file (scope admin), from the list of files.
async fn accept_late(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ReasonForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) if s.csrf == form.csrf => s,
        Ok((_, s)) => return stale_form("Hãy mở lại trang và gửi lại.", &s),
        Err(r) => return r,
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, id, by, reason) = (
        state.clone(),
        path.into_inner(),
        s.name.clone(),
        form.reason.clone(),
    );
    let result = blocking(move || {
        crate::app::late::accept(&st.app, &id, &by, &reason, time::OffsetDateTime::now_utc())
            .map(|_| ())
            .map_err(|e| AppError::BadRequest(e.to_string()))
    })
    .await
    .map_err(|e| e.to_string());
    outcome(result, "/ui/ho-so?trang-thai=late", &s)
}

#[derive(serde::Deserialize)]
struct CloseForm {
    csrf: String,
    period: String,
    reason: Option<String>,
}

/// Close a period (scope admin), from the administration page.
async fn close_period(
    req: HttpRequest,
    form: web::Form<CloseForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) if s.csrf == form.csrf => s,
        Ok((_, s)) => return stale_form("Hãy mở lại trang và gửi lại.", &s),
        Err(r) => return r,
    };
    let Some(period) = crate::duty::period::Period::parse(form.period.trim()) else {
        return outcome(
            Err(format!(
                "\"{}\" không phải là một kỳ (YYYY-MM, YYYY-Qn, YYYY).",
                form.period
            )),
            "",
            &s,
        );
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, by) = (state.clone(), s.name.clone());
    let reason = form.reason.clone().filter(|r| !r.trim().is_empty());
    let result = blocking(move || {
        crate::app::closing::close(
            &st.app,
            period,
            time::OffsetDateTime::now_utc(),
            &by,
            reason,
        )
        .map(|_| ())
        .map_err(|e| AppError::BadRequest(e.to_string()))
    })
    .await
    .map_err(|e| e.to_string());
    let to = match period {
        crate::duty::period::Period::Month(m) => format!("/ui/thang/{m}"),
        _ => "/ui/quan-tri".into(),
    };
    outcome(result, &to, &s)
}

#[derive(serde::Deserialize)]
struct ImportForm {
    danh_muc: String,
    /// Set by the preview page's "apply" form, with the preview's changes digest.
    ap_dung: Option<String>,
    /// The reason, when the preview showed changes to past months.
    #[serde(default)]
    correction: String,
}

/// Import a registry file (scope admin): first a preview of what it would change, then, from
/// the preview, the change itself (audited under the administrator's name), refused if the
/// registry moved since the preview. The session and its CSRF token (in the address) are
/// checked before the body, which may be large, is read.
async fn import_registry(
    req: HttpRequest,
    q: web::Query<CsrfQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) if s.csrf == q.csrf => s,
        Ok((_, s)) => return stale_form("Hãy mở lại trang quản trị.", &s),
        Err(r) => return r,
    };
    let _one_import = state.import_slot.lock().await;
    let mut body = payload.into_inner();
    let form = match <web::Form<ImportForm> as actix_web::FromRequest>::from_request(
        &req, &mut body,
    )
    .await
    {
        Ok(f) => f.into_inner(),
        Err(_) => {
            return outcome(
                Err(format!(
                    "Không đọc được nội dung gửi lên (tối đa {} MB).",
                    crate::app::registry_import::MAX_REGISTRY_BYTES >> 20
                )),
                "",
                &s,
            )
        }
    };
    let text = form.danh_muc.clone();
    let incoming = match blocking(move || {
        crate::app::registry_import::parse_registry(text.as_bytes())
    })
    .await
    {
        Ok(r) => r,
        Err(e) => {
            return outcome(
                Err(format!(
                    "Nội dung không phải là một tệp danh mục hợp lệ: {e}"
                )),
                "",
                &s,
            )
        }
    };
    let apply = form.ap_dung.is_some();
    let correction = match crate::app::registry_edit::correction_reason(Some(&form.correction)) {
        Ok(c) => c,
        Err(e) => return outcome(Err(e.to_string()), "", &s),
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, by, expected) = (state.clone(), s.name.clone(), form.ap_dung.clone());
    let result = blocking(move || {
        let editor = crate::app::registry_edit::Editor { by, correction };
        let apply = apply.then(|| crate::app::registry_import::Apply {
            expected: expected.as_deref(),
            editor: &editor,
        });
        crate::app::registry_import::import(&st.app.store, incoming, apply, crate::web::now())
    })
    .await;
    match result {
        Ok(o) if apply => {
            tracing::info!(by = %s.name, changes = o.changes.len(), "registry imported from the pages");
            redirect("/ui/quan-tri")
        }
        Ok(o) => page(pages::registry_preview(&o, &form.danh_muc, &viewer(&s))),
        Err(AppError::Conflict(_)) => outcome(
            Err("Danh mục đã thay đổi từ lúc xem trước (có người vừa sửa). Hãy xem trước lại rồi mới áp dụng.".into()),
            "",
            &s,
        ),
        Err(e) => outcome(Err(format!("Không nhập được danh mục: {e}")), "", &s),
    }
}

/// The pages' routes, under `/ui`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/ui", web::get().to(home))
        .route("/ui/", web::get().to(home))
        .route("/ui/static/kyso.css", web::get().to(stylesheet))
        .route("/ui/static/nop.js", web::get().to(upload_script))
        .route("/ui/dang-nhap", web::get().to(login_form))
        .route("/ui/dang-nhap", web::post().to(login))
        .route("/ui/dang-xuat", web::post().to(logout))
        .route("/ui/thang/{month}", web::get().to(month))
        .route("/ui/don-vi/{id}", web::get().to(unit))
        .route("/ui/ho-so/{id}/pdf", web::get().to(pdf))
        .route("/ui/bao-cao", web::get().to(report))
        .route("/ui/bao-cao/tai", web::get().to(report_file))
        .route("/ui/nop", web::get().to(upload_form))
        .route("/ui/nop", web::post().to(upload))
        .route("/ui/ho-so", web::get().to(submissions))
        .route("/ui/quan-tri", web::get().to(admin))
        .route("/ui/quan-tri/ghi-danh", web::post().to(enrol))
        .route("/ui/quan-tri/chot-so-lieu", web::post().to(close_period))
        .service(
            web::resource("/ui/quan-tri/danh-muc")
                .app_data(
                    web::FormConfig::default()
                        .limit(crate::app::registry_import::MAX_REGISTRY_BYTES),
                )
                .route(web::post().to(import_registry)),
        )
        .route("/ui/ho-so/{id}/chap-nhan", web::post().to(accept_late))
        .configure(registry_edit::routes);
}
