//! The clerk's upload page: the same submit path as the API, the result in plain Vietnamese.

use super::session::Session;
use super::{html, page, signed_in, stale_form, templates, unit_choices, viewer};
use crate::app::error::AppError;
use crate::web::AppState;
use actix_web::{web, HttpRequest, HttpResponse};

pub(super) async fn upload_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let s = match signed_in(&req, &state, "submit") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let mut units = unit_choices(&state);
    // A unit clerk uploads for their unit only.
    if let Some(mine) = &s.unit {
        units.retain(|(id, _)| id == mine);
    }
    page(templates::upload(&units, &viewer(&s)))
}

#[derive(serde::Deserialize)]
pub(super) struct CsrfQuery {
    pub(super) csrf: String,
}

/// The clerk's upload: the same receive, verify, commit path as the API, on the session's
/// token name; the result in plain Vietnamese.
pub(super) async fn upload(
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
    // One place of the token's uploads per file, kept until the answer.
    let mut place = match state.upload_place(&s.name) {
        Ok(p) => p,
        Err(e) => return refused(&e, &s),
    };
    let files = match crate::web::upload::receive_many(&req, payload, &state, &mut place, MAX_FILES)
        .await
    {
        Ok(f) => f,
        Err(e) => return refused(&e, &s),
    };
    let (mut outcomes, mut failed) = (Vec::new(), Vec::new());
    for (received, mut info) in files {
        if let Some(mine) = &s.unit {
            info.unit = Some(mine.clone());
        }
        let name = info.file_name.clone().unwrap_or_else(|| "tệp".into());
        let up = crate::app::submit::Upload {
            received,
            info,
            client: s.name.clone(),
        };
        match crate::app::submit::submit_with_receipt(&state.app, up).await {
            Ok((created, receipt)) => outcomes.push(templates::Outcome { receipt, created }),
            Err(e) => failed.push(format!("{name}: không nộp được. {}", vi_reason(&e))),
        }
    }
    page(templates::received(
        &outcomes,
        &failed,
        &state.app.store.registry(),
        &viewer(&s),
    ))
}

/// The most files one upload form may carry.
pub(super) const MAX_FILES: usize = 20;

pub(super) fn refused(e: &AppError, s: &Session) -> HttpResponse {
    html(
        actix_web::ResponseError::status_code(e),
        templates::message("Không nộp được", &vi_reason(e), Some(&viewer(s))),
    )
}

/// Why an upload was refused, in words a clerk can act on.
pub(super) fn vi_reason(e: &AppError) -> String {
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
