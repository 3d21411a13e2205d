//! Reminders from the month page (scope admin): "Gửi thư nhắc" sends a round for the month in
//! progress through the same use case as `POST /api/v1/reminders/send`, and the month page
//! shows when each unit was last reminded.

use super::{html, signed_in, stale_form, templates, viewer};
use crate::app::error::AppError;
use crate::app::reminders::{self, Round};
use crate::duty::period::Month;
use crate::web::{blocking, now, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;

#[derive(serde::Deserialize)]
pub(super) struct RemindForm {
    csrf: String,
}

/// When each unit was last reminded in `month` (delivered only), in Vietnam time.
pub(super) async fn reminded_in(
    state: &web::Data<AppState>,
    month: Month,
) -> Result<HashMap<String, String>, AppError> {
    if state.postman.is_none() {
        return Ok(HashMap::new());
    }
    let st = state.clone();
    let log = blocking(move || Ok(st.app.store.reminders_sent()?)).await?;
    let m = month.to_string();
    Ok(log
        .into_iter()
        .filter(|s| s.month == m && s.delivered())
        .map(|s| (s.unit, crate::vn::datetime(s.at)))
        .collect())
}

pub(super) async fn send(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<RemindForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) if s.csrf == form.csrf => s,
        Ok((_, s)) => return stale_form("Hãy mở lại trang tháng và gửi lại.", &s),
        Err(r) => return r,
    };
    let refuse = |text: &str| {
        html(
            StatusCode::BAD_REQUEST,
            templates::message("Không gửi được thư nhắc", text, Some(&viewer(&s))),
        )
    };
    let Some(month) = Month::parse(&path.into_inner()) else {
        return refuse("Địa chỉ không chỉ một tháng.");
    };
    let Some(postman) = state.postman.clone() else {
        return refuse(
            "Chưa cấu hình máy chủ thư ([reminders] trong tệp cấu hình); hãy báo người quản trị.",
        );
    };
    let Ok(_one_round) = state.reminder_round.try_lock() else {
        return refuse("Đang gửi một đợt thư nhắc khác; hãy chờ một lát rồi mở lại trang tháng.");
    };
    let (st, by) = (state.clone(), s.name.clone());
    let outcome = blocking(move || {
        let round = Round {
            month,
            unit: None,
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
    .await;
    match outcome {
        Ok(o) => html(
            StatusCode::OK,
            templates::reminders_sent(&o, &state.app.store.registry(), &viewer(&s)),
        ),
        Err(e) => refuse(&e.to_string()),
    }
}
