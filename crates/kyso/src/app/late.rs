//! Late files: a file whose claimed signing time is not believed (older than the age limit,
//! or later than its receipt) earns nothing, unless an administrator accepts it with a reason.
//! The acceptance (who, when, why) is kept in the submission's record and shown in its receipt.

use crate::duty::credit;
use crate::duty::credit::TimePolicy;
use crate::duty::submission::{Acceptance, Submission};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LateError {
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
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether the submission is late under the current registry and policy.
pub fn is_late(sub: &Submission, store: &Store, policy: &TimePolicy) -> bool {
    credit::credits(sub, &*store.lookup(), policy)
        .1
        .iter()
        .any(|n| n.code == crate::duty::note::NoteCode::SigningTimeImplausible)
}

/// Accept the late submission `id`; the caller serialises changes to stored records.
pub fn accept(
    store: &Store,
    policy: &TimePolicy,
    id: &str,
    by: &str,
    reason: &str,
    at: time::OffsetDateTime,
) -> Result<Submission, LateError> {
    let reason: String = reason.trim().chars().take(500).collect();
    if reason.is_empty() {
        return Err(LateError::NoReason);
    }
    let sub = store
        .get(id)?
        .ok_or_else(|| LateError::Unknown(id.to_string()))?;
    if !is_late(&sub, store, policy) {
        return Err(LateError::NotLate(id.to_string()));
    }
    let acceptance = Acceptance {
        by: by.to_string(),
        at,
        reason,
    };
    Ok(store.update_submission(id, |s| s.accepted_late = Some(acceptance))?)
}
