//! Moving a file to the month it was really signed in: a tool that writes Vietnam wall-clock
//! time as UTC makes a file signed on the last evening of a month claim the first hours of the
//! next (DESIGN.md §2). An administrator may move such a file, with a reason, to the month
//! before; the move (who, when, why, from and to) is kept in the submission's record, shown in
//! its receipt, and named among the amendments of a closed period. Like accepting a late file.

use crate::app::error::AppError;
use crate::app::App;
use crate::duty::period::Month;
use crate::duty::submission::{month_start_window, Move, Submission};

#[derive(Debug, thiserror::Error)]
enum MoveError {
    #[error("Hãy ghi lý do chuyển hồ sơ sang tháng khác (give the reason for moving the file)")]
    NoReason,
    #[error("Không có hồ sơ {0} (submission not found)")]
    Unknown(String),
    #[error("Hồ sơ này không có chữ ký nào ghi thời điểm ký trong {hours} giờ đầu của ngày mùng 1 (giờ Việt Nam) mà không có dấu thời gian, nên không thể chuyển tháng (only a file whose claimed signing time falls in the first hours of a month's first day can be moved)", hours = crate::duty::submission::MONTH_START_HOURS)]
    NotInWindow,
    #[error("Hồ sơ này chỉ có thể chuyển về tháng {vn} (the file can only be moved to {0})", vn = .0.vn())]
    WrongMonth(Month),
    #[error("Hồ sơ này đã được chuyển về tháng {vn} (the file was moved already)", vn = .0.vn())]
    Already(Month),
}

impl From<MoveError> for AppError {
    fn from(e: MoveError) -> AppError {
        match e {
            MoveError::NoReason => AppError::BadRequest(e.to_string()),
            MoveError::Unknown(_) => AppError::NotFound(e.to_string()),
            _ => AppError::Conflict(e.to_string()),
        }
    }
}

/// The month the file may be moved to, when one of its signatures claims a time in the first
/// hours of a month's first day ([`month_start_window`]); `None` once it has been moved.
pub fn movable_to(sub: &Submission) -> Option<Month> {
    if sub.moved.is_some() {
        return None;
    }
    sub.report
        .signatures
        .iter()
        .find_map(|s| month_start_window(s, Some(sub.received_at)))
}

/// What a move asks: the file, the month, who and why.
#[derive(Debug, Clone, Copy)]
pub struct MoveRequest<'a> {
    pub id: &'a str,
    pub to: Month,
    pub by: &'a str,
    pub reason: &'a str,
    pub at: time::OffsetDateTime,
}

/// Move the submission to `to`; the caller serialises changes to stored records.
pub fn move_to_month(app: &App, req: MoveRequest<'_>) -> Result<Submission, AppError> {
    let reason = crate::text::reason(req.reason, 500)
        .map_err(|e| AppError::BadRequest(format!("the reason for moving a file: {e}")))?
        .ok_or(MoveError::NoReason)?;
    let sub = app
        .store
        .get(req.id)?
        .ok_or_else(|| AppError::from(MoveError::Unknown(req.id.to_string())))?;
    if let Some(m) = &sub.moved {
        return Err(MoveError::Already(m.to).into());
    }
    let to = movable_to(&sub).ok_or(MoveError::NotInWindow)?;
    if to != req.to {
        return Err(MoveError::WrongMonth(to).into());
    }
    let moved = Move {
        from: to.next(),
        to,
        by: req.by.to_string(),
        at: req.at,
        reason,
    };
    Ok(app
        .store
        .update_submission(req.id, |s| s.moved = Some(moved))?)
}
