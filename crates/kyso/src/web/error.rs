//! The one place where errors become HTTP status codes and stable `code` strings.

use crate::store::{Fault, StoreError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// Every `code` an error body can carry: the stable part of the contract (the message may change).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    /// The request conflicts with what is stored (a period already closed).
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    BadRequest,
    /// The upload is not a PDF.
    NotPdf,
    /// A PDF whose structure cannot be read.
    PdfUnreadable,
    /// A PDF that ran out of its per-document budget.
    BudgetExceeded,
    Internal,
    Unavailable,
    RequestTimeout,
    TooManyUploads,
    InsufficientStorage,
    StorageUnavailable,
    /// A registry change that would alter months already past, sent without a correction's
    /// reason (`crate::duty::registry::past`).
    RewritesPast,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::BadRequest,
        ErrorCode::NotPdf,
        ErrorCode::PdfUnreadable,
        ErrorCode::BudgetExceeded,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::RequestTimeout,
        ErrorCode::TooManyUploads,
        ErrorCode::InsufficientStorage,
        ErrorCode::StorageUnavailable,
        ErrorCode::RewritesPast,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotPdf => "not_pdf",
            ErrorCode::PdfUnreadable => "pdf_unreadable",
            ErrorCode::BudgetExceeded => "budget_exceeded",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::TooManyUploads => "too_many_uploads",
            ErrorCode::InsufficientStorage => "insufficient_storage",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::RewritesPast => "rewrites_past",
        }
    }

    /// The code of a document that cannot be evaluated.
    pub fn of(e: &kyso_verify::verify::VerifyError) -> ErrorCode {
        use kyso_verify::verify::VerifyError;
        match e {
            VerifyError::NotPdf => ErrorCode::NotPdf,
            VerifyError::Unreadable(_) => ErrorCode::PdfUnreadable,
            VerifyError::Budget(_) => ErrorCode::BudgetExceeded,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or unknown bearer token (send Authorization: Bearer <token>)")]
    Unauthorized,
    #[error("this token lacks the {0} scope")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(String),
    #[error("this address does not take {method}; it takes {allowed}")]
    MethodNotAllowed { method: String, allowed: String },
    #[error("{0}")]
    Conflict(String),
    #[error("the upload is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("send the PDF as multipart/form-data (part \"file\") or as application/pdf, not {0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    BadRequest(String),
    /// A PDF that cannot be evaluated at all (not a PDF, unreadable structure, over a budget).
    #[error("{message}")]
    Unprocessable { code: ErrorCode, message: String },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("the service is busy; try again shortly")]
    Unavailable,
    #[error("the upload stalled: nothing received for {0} seconds")]
    Timeout(u64),
    #[error("Tải lên quá {0} giây nên bị dừng; hãy gửi lại (the upload took longer than the limit of {0} seconds)")]
    Deadline(u64),
    #[error("Đang có {0} tệp được tải lên bằng cùng mã truy cập; hãy chờ rồi gửi lại (this token already has {0} uploads in progress)")]
    TooManyUploads(usize),
    /// The disk is full or refuses writes. The message names no path.
    #[error("{}", match .0 {
        Fault::NoSpace => "Máy chủ đã hết dung lượng lưu trữ; tệp chưa được lưu, hãy gửi lại sau và báo quản trị hệ thống (the service has no storage space left; nothing was stored, try again later)",
        Fault::Unavailable => "Máy chủ tạm thời không ghi được tệp; tệp chưa được lưu, hãy gửi lại sau (the service cannot store files right now; nothing was stored, try again later)",
    })]
    Storage(Fault),
    /// 409: the change would alter past months; the records and months are listed.
    #[error("{}", crate::duty::registry::past::describe(.0))]
    RewritesPast(Vec<crate::duty::registry::past::PastChange>),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthorized => ErrorCode::Unauthorized,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::TooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::Unprocessable { code, .. } => *code,
            ApiError::Internal(_) => ErrorCode::Internal,
            ApiError::Unavailable => ErrorCode::Unavailable,
            ApiError::Timeout(_) | ApiError::Deadline(_) => ErrorCode::RequestTimeout,
            ApiError::TooManyUploads(_) => ErrorCode::TooManyUploads,
            ApiError::Storage(Fault::NoSpace) => ErrorCode::InsufficientStorage,
            ApiError::Storage(Fault::Unavailable) => ErrorCode::StorageUnavailable,
            ApiError::RewritesPast(_) => ErrorCode::RewritesPast,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Timeout(_) | ApiError::Deadline(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyUploads(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Storage(Fault::NoSpace) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Storage(Fault::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RewritesPast(_) => StatusCode::CONFLICT,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            tracing::error!(error = %e, "internal error");
        }
        let mut b = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized => {
                b.insert_header(("WWW-Authenticate", "Bearer"));
            }
            ApiError::Storage(_) => {
                b.insert_header(("Retry-After", "30"));
            }
            ApiError::TooManyUploads(_) | ApiError::Unavailable => {
                b.insert_header(("Retry-After", "5"));
            }
            ApiError::MethodNotAllowed { allowed, .. } => {
                b.insert_header(("Allow", allowed.as_str()));
            }
            _ => {}
        }
        let message = match self {
            // Details (paths, causes) are in the log, not in the answer.
            ApiError::Internal(_) => {
                "internal error; the details are in the service log".to_string()
            }
            e => e.to_string(),
        };
        let mut body = serde_json::json!({ "code": self.code().as_str(), "message": message });
        if let ApiError::RewritesPast(past) = self {
            body["rewrites_past"] = serde_json::to_value(past).unwrap_or_default();
        }
        b.json(body)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Registry(r) => ApiError::BadRequest(r.to_string()),
            StoreError::RewritesPast(past) => ApiError::RewritesPast(past),
            StoreError::Mismatch { .. } => {
                tracing::error!("storage fault: {e}");
                ApiError::Storage(Fault::Unavailable)
            }
            e => match e.fault() {
                Some(f) => {
                    // The operator sees the path; the client sees the kind of fault only.
                    tracing::error!("storage fault: {e}");
                    ApiError::Storage(f)
                }
                None => ApiError::Internal(e.to_string()),
            },
        }
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
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
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::BadRequest(message),
        StatusCode::NOT_FOUND => ApiError::NotFound("route".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(message),
        s if s.is_client_error() => ApiError::BadRequest(message),
        _ => ApiError::Internal(message),
    };
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        _ => error.code(),
    };
    let body = serde_json::json!({ "code": code.as_str(), "message": match &error {
        ApiError::Internal(_) => "internal error; the details are in the service log".to_string(),
        e => e.to_string(),
    }});
    let (req, _) = res.into_parts();
    let resp = HttpResponse::build(status).json(body);
    actix_web::dev::ServiceResponse::new(req, resp)
}
