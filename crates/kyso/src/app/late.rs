//! Late files: a file whose claimed signing time is not believed (older than the age limit,
//! or later than its receipt) earns nothing, unless an administrator accepts it with a reason.
//! The acceptance (who, when, why) is kept in the submission's record and shown in its receipt.

use crate::app::error::AppError;
use crate::app::App;
use crate::duty::credit;
use crate::duty::submission::{Acceptance, Submission};

#[derive(Debug, thiserror::Error)]
enum LateError {
    #[error(
        "Hãy ghi lý do chấp nhận hồ sơ nộp muộn (give the reason for accepting the late file)"
    )]
    NoReason,
    #[error("Không có hồ sơ {0} (submission not found)")]
    Unknown(String),
    #[error(
        "submission {0} is not late: it earns (or fails to earn) its month for another reason"
    )]
    NotLate(String),
}

impl From<LateError> for AppError {
    fn from(e: LateError) -> AppError {
        match e {
            LateError::NoReason => AppError::BadRequest(e.to_string()),
            LateError::Unknown(_) => AppError::NotFound(e.to_string()),
            LateError::NotLate(_) => AppError::Conflict(e.to_string()),
        }
    }
}

/// Whether the submission is late under the current registry and policy.
pub fn is_late(app: &App, sub: &Submission) -> bool {
    credit::credits(sub, &*app.store.lookup(), &app.policy)
        .1
        .iter()
        .any(|n| n.code == crate::duty::note::NoteCode::SigningTimeImplausible)
}

/// Accept the late submission `id`; the caller serialises changes to stored records.
pub fn accept(
    app: &App,
    id: &str,
    by: &str,
    reason: &str,
    at: time::OffsetDateTime,
) -> Result<Submission, AppError> {
    let reason = crate::text::reason(reason, 500)
        .map_err(|e| AppError::BadRequest(format!("the reason for accepting a late file: {e}")))?
        .ok_or(LateError::NoReason)?;
    let sub = app
        .store
        .get(id)?
        .ok_or_else(|| AppError::from(LateError::Unknown(id.to_string())))?;
    if !is_late(app, &sub) {
        return Err(LateError::NotLate(id.to_string()).into());
    }
    let acceptance = Acceptance {
        by: by.to_string(),
        at,
        reason,
    };
    Ok(app
        .store
        .update_submission(id, |s| s.accepted_late = Some(acceptance))?)
}
