//! Errors as HTTP answers: the status from the code's table ([`ErrorCode`]), the
//! `{code, message}` body, and the headers a client acts on (Retry-After, Allow,
//! WWW-Authenticate).

use crate::app::error::{AppError, ErrorCode};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(e) = self {
            tracing::error!(error = %e, "internal error");
        }
        let mut b = HttpResponse::build(self.status_code());
        match self {
            AppError::Unauthorized => {
                b.insert_header(("WWW-Authenticate", "Bearer"));
            }
            AppError::Storage(_) => {
                b.insert_header(("Retry-After", "30"));
            }
            AppError::TooManyUploads(_)
            | AppError::TooManyUploadBytes(_)
            | AppError::Busy
            | AppError::Unavailable => {
                b.insert_header(("Retry-After", "5"));
            }
            AppError::MethodNotAllowed { allowed, .. } => {
                b.insert_header(("Allow", allowed.as_str()));
            }
            _ => {}
        }
        let message = match self {
            // Details (paths, causes) are in the log, not in the answer.
            AppError::Internal(_) => {
                "internal error; the details are in the service log".to_string()
            }
            e => e.to_string(),
        };
        let mut body = serde_json::json!({ "code": self.code().as_str(), "message": message });
        if let AppError::RewritesPast(past) = self {
            body["rewrites_past"] = serde_json::to_value(past).unwrap_or_default();
        }
        b.json(body)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Errors raised by actix itself (a malformed query string or path segment, a body over the
/// payload limit, ...) answer text/plain; this gives them the `{code, message}` body every other
/// error has. Answers kyso made itself pass through unchanged.
pub(crate) fn as_json<B: actix_web::body::MessageBody + 'static>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::dev::ServiceResponse<actix_web::body::BoxBody> {
    let status = res.status();
    let is_json = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    // The pages answer their own errors in HTML.
    let page = res.request().path().starts_with("/ui");
    if !(status.is_client_error() || status.is_server_error()) || is_json || page {
        return res.map_into_boxed_body();
    }
    let message = res
        .response()
        .error()
        .map(|e| e.to_string())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::BadRequest(message),
        StatusCode::NOT_FOUND => AppError::NotFound("route".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(message),
        s if s.is_client_error() => AppError::BadRequest(message),
        _ => AppError::Internal(message),
    };
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        _ => error.code(),
    };
    let body = serde_json::json!({ "code": code.as_str(), "message": match &error {
        AppError::Internal(_) => "internal error; the details are in the service log".to_string(),
        e => e.to_string(),
    }});
    let (req, _) = res.into_parts();
    let resp = HttpResponse::build(status).json(body);
    actix_web::dev::ServiceResponse::new(req, resp)
}

/// Every answer: never sniffed as another type; the API's answers (receipts, tables, the
/// registry) never kept by a cache. The pages and their static files set their own.
pub(crate) fn no_sniff_no_store(res: &mut actix_web::dev::ServiceResponse) {
    use actix_web::http::header::{HeaderValue, CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
    let api = !res.request().path().starts_with("/ui");
    let h = res.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if api && !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
