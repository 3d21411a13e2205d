//! Closing periods: `POST /api/v1/periods/{period}/close` (admin) freezes a month, quarter or
//! year; `GET /api/v1/periods/{period}` shows the closed figures and the amendments since.

use crate::app::closing::{self, CloseError};
use crate::app::error::AppError;
use crate::duty::period::Period;
use crate::web::{authorize, blocking, now, AppState, Scope};
use actix_web::{web, HttpRequest, HttpResponse};

fn period(s: &str) -> Result<Period, AppError> {
    Period::parse(s).ok_or_else(|| {
        AppError::BadRequest(format!("{s:?} is not a period: YYYY-MM, YYYY-Qn or YYYY"))
    })
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct CloseBody {
    reason: Option<String>,
}

pub(crate) async fn close(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let by = authorize(&req, &state, Scope::Admin)?;
    let p = period(&path.into_inner())?;
    let body: CloseBody = if body.is_empty() {
        CloseBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("JSON body: {e}")))?
    };
    let reason = body.reason.map(|r| r.chars().take(500).collect::<String>());
    let _one_at_a_time = state.app.write_lock.lock().await;
    let st = state.clone();
    let closed = blocking(move || {
        closing::close(&st.app, p, now(), &by, reason).map_err(|e| match e {
            CloseError::NotOver(_) => AppError::BadRequest(e.to_string()),
            CloseError::AlreadyClosed(_) => AppError::Conflict(e.to_string()),
            CloseError::Store(s) => s.into(),
        })
    })
    .await?;
    tracing::info!(period = %closed.period, by = %closed.closed_by, sha256 = %closed.sha256, "period closed");
    Ok(HttpResponse::Created().json(closed))
}

pub(crate) async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    let p = period(&path.into_inner())?;
    let body = state
        .table(&who, move |app| {
            let closed = app.store.closed_period(&p.to_string())?;
            let amendments = match (&closed, p) {
                (None, _) => Vec::new(),
                (Some(_), Period::Month(m)) => crate::app::figures::month_table(app, m)?.amendments,
                (Some(_), p) => {
                    let (y, q) = p.year_quarter().unwrap_or((p.last_month().year, None));
                    crate::app::figures::office_report(app, y, q, now())?.amendments
                }
            };
            Ok(serde_json::json!({
                "period": p.to_string(),
                "closed": closed,
                "amendments": amendments,
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/v1/periods/{period}/files/{name}` (scope read): a file filed when the period was
/// closed ("bản đã chốt"), byte for byte as it was made then; its SHA-256 is in the closing
/// record's `files`.
pub(crate) async fn filed_file(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let (p, name) = path.into_inner();
    let p = period(&p)?;
    let (st, key, n) = (state.clone(), p.to_string(), name.clone());
    let bytes = blocking(move || Ok(st.app.store.filed_file(&key, &n)?))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("filed file {name} of {p}")))?;
    let content_type = if name.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"ban-da-chot-{name}\""),
        ))
        .body(bytes))
}
