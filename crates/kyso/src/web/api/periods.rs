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
            let amendments = match &closed {
                Some(c) => {
                    let live = closing::live(app, p, now())?;
                    closing::amendments(c, &live)
                }
                None => Vec::new(),
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
