//! The application's errors, each with its stable code ([`ErrorCode`], the contract's `code`
//! and, in the same table, its HTTP status). The web wing answers them
//! (`crate::web::error`); the CLI prints them.

use crate::store::{Fault, StoreError};

kyso_verify::codes! {
    /// Every `code` an error body can carry, with the HTTP status it is answered with: the
    /// stable part of the contract (the message may change), and the one table of statuses.
    pub enum ErrorCode: u16 {
        Unauthorized = "unauthorized" => 401,
        Forbidden = "forbidden" => 403,
        NotFound = "not_found" => 404,
        MethodNotAllowed = "method_not_allowed" => 405,
        /// The request conflicts with what is stored (a period already closed).
        Conflict = "conflict" => 409,
        PayloadTooLarge = "payload_too_large" => 413,
        UnsupportedMediaType = "unsupported_media_type" => 415,
        BadRequest = "bad_request" => 400,
        /// The upload is not a PDF.
        NotPdf = "not_pdf" => 422,
        /// A PDF whose structure cannot be read.
        PdfUnreadable = "pdf_unreadable" => 422,
        /// A PDF that ran out of its per-document budget.
        BudgetExceeded = "budget_exceeded" => 422,
        Internal = "internal" => 500,
        Unavailable = "unavailable" => 503,
        RequestTimeout = "request_timeout" => 408,
        TooManyUploads = "too_many_uploads" => 429,
        /// Too many of one client's requests in progress.
        TooManyRequests = "too_many_requests" => 429,
        InsufficientStorage = "insufficient_storage" => 507,
        StorageUnavailable = "storage_unavailable" => 503,
        /// A registry change that would alter months already past, sent without a correction's
        /// reason (`crate::duty::registry::past`).
        RewritesPast = "rewrites_past" => 409,
    }
}

impl ErrorCode {
    /// The HTTP status of an answer with this code.
    pub fn status(self) -> u16 {
        self.value()
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
pub enum AppError {
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
    /// This client already has its share of the Office's tables being computed.
    #[error("Đang tính các bảng số liệu khác cho mã truy cập này; hãy chờ rồi thử lại (this token already has tables being computed)")]
    Busy,
    /// A round of reminders is being sent already.
    #[error("Đang gửi một đợt thư nhắc; hãy chờ rồi thử lại (a round of reminders is being sent)")]
    Reminding,
    /// The token's uploads in progress hold too many bytes (`max_upload_bytes_per_token`).
    #[error("Các tệp đang tải lên bằng cùng mã truy cập đã vượt {mb} MB; hãy chờ rồi gửi lại (this token's uploads in progress exceed {0} bytes)", mb = .0 >> 20)]
    TooManyUploadBytes(u64),
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

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Unauthorized => ErrorCode::Unauthorized,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::TooLarge { .. } => ErrorCode::PayloadTooLarge,
            AppError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            AppError::BadRequest(_) => ErrorCode::BadRequest,
            AppError::Unprocessable { code, .. } => *code,
            AppError::Internal(_) => ErrorCode::Internal,
            AppError::Unavailable => ErrorCode::Unavailable,
            AppError::Timeout(_) | AppError::Deadline(_) => ErrorCode::RequestTimeout,
            AppError::TooManyUploads(_) | AppError::TooManyUploadBytes(_) => {
                ErrorCode::TooManyUploads
            }
            AppError::Busy | AppError::Reminding => ErrorCode::TooManyRequests,
            AppError::Storage(Fault::NoSpace) => ErrorCode::InsufficientStorage,
            AppError::Storage(Fault::Unavailable) => ErrorCode::StorageUnavailable,
            AppError::RewritesPast(_) => ErrorCode::RewritesPast,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Registry(r) => AppError::BadRequest(r.to_string()),
            StoreError::Conflict { what } => AppError::Conflict(what),
            StoreError::Mismatch { .. } => {
                tracing::error!("storage fault: {e}");
                AppError::Storage(Fault::Unavailable)
            }
            e => match e.fault() {
                Some(f) => {
                    // The operator sees the path; the client sees the kind of fault only.
                    tracing::error!("storage fault: {e}");
                    AppError::Storage(f)
                }
                None => AppError::Internal(e.to_string()),
            },
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}
