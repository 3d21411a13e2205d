//! The one place where errors become HTTP status codes and stable `code` strings.

use crate::store::{Fault, StoreError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or unknown bearer token (send Authorization: Bearer <token>)")]
    Unauthorized,
    #[error("this token lacks the {0} scope")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(String),
    #[error("the upload is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("send the PDF as multipart/form-data (part \"file\") or as application/pdf, not {0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    BadRequest(String),
    /// A PDF that cannot be evaluated at all (not a PDF, unreadable structure, over a budget).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
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
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::TooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unprocessable { code, .. } => code,
            ApiError::Internal(_) => "internal",
            ApiError::Unavailable => "unavailable",
            ApiError::Timeout(_) | ApiError::Deadline(_) => "request_timeout",
            ApiError::TooManyUploads(_) => "too_many_uploads",
            ApiError::Storage(Fault::NoSpace) => "insufficient_storage",
            ApiError::Storage(Fault::Unavailable) => "storage_unavailable",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
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
            _ => {}
        }
        let message = match self {
            // Details (paths, causes) are in the log, not in the answer.
            ApiError::Internal(_) => {
                "internal error; the details are in the service log".to_string()
            }
            e => e.to_string(),
        };
        b.json(serde_json::json!({ "code": self.code(), "message": message }))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Registry(r) => ApiError::BadRequest(r.to_string()),
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
