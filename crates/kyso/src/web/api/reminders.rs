//! Reminders: `POST /api/v1/reminders/send?month=&unit=` (admin) e-mails each unit still
//! missing something in the month now (`crate::app::reminders`); `GET /api/v1/reminders`
//! (read) lists the reminders sent, newest first.

use crate::app::error::AppError;
use crate::app::reminders::{self, Round};
use crate::duty::period::Month;
use crate::web::{authorize, blocking, now, AppState, Scope};
use actix_web::{web, HttpRequest, HttpResponse};

#[derive(serde::Deserialize)]
pub(crate) struct SendQuery {
    month: Option<String>,
    unit: Option<String>,
}

fn month_or_now(m: Option<&str>) -> Result<Month, AppError> {
    match m.filter(|m| !m.is_empty()) {
        None => Ok(Month::of_vietnam_time(now())),
        Some(m) => Month::parse(m)
            .ok_or_else(|| AppError::BadRequest(format!("{m:?} is not a month YYYY-MM"))),
    }
}

/// `POST /api/v1/reminders/send`: one round now, to every unit with something missing (or
/// only `unit`), reminded before or not; 409 when reminders are not configured, 429 while
/// another round is being sent.
pub(crate) async fn send(
    req: HttpRequest,
    q: web::Query<SendQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let by = authorize(&req, &state, Scope::Admin)?;
    let month = month_or_now(q.month.as_deref())?;
    let Some(postman) = state.postman.clone() else {
        return Err(AppError::Conflict(
            "reminders are not configured: set [reminders] smtp_host and from (README, \"Reminders\")".into(),
        ));
    };
    let _one_round = state
        .reminder_round
        .try_lock()
        .map_err(|_| AppError::Reminding)?;
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let st = state.clone();
    let outcome = blocking(move || {
        let round = Round {
            month,
            unit: unit.as_deref(),
            by: &by,
            skip_reminded: false,
            now: now(),
        };
        Ok(reminders::send(
            &st.app,
            postman.as_ref(),
            &st.config.reminders.office,
            round,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

#[derive(serde::Deserialize)]
pub(crate) struct ListQuery {
    month: Option<String>,
}

/// `GET /api/v1/reminders?month=`: the reminders sent (and the attempts that failed), newest
/// first; only the month's when given.
pub(crate) async fn list(
    req: HttpRequest,
    q: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Some(month_or_now(Some(m))?.to_string()),
        None => None,
    };
    let st = state.clone();
    let mut sent = blocking(move || Ok(st.app.store.reminders_sent()?)).await?;
    sent.retain(|s| month.as_ref().is_none_or(|m| &s.month == m));
    sent.reverse();
    Ok(HttpResponse::Ok().json(sent))
}
