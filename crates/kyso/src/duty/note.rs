//! What a receipt says about a file's credit: a note's stable code (the JSON contract's `code`,
//! ARCHITECTURE.md §5.3) and the clerk's words for the codes that say why a file earned nothing.

use serde::{Deserialize, Serialize};

/// Every note code a receipt, a listing or a table can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteCode {
    SignerNotEnrolled,
    SignatureNotValid,
    UnitMismatch,
    LeaderNotInOffice,
    SigningTimeImplausible,
    SigningTimeFarFromReceipt,
    NoSigningTime,
    RequirementAlreadyMet,
    Unsigned,
    /// Remarks, not reasons: the file may still earn its month.
    SigningTimeLocalAsUtc,
    AcceptedLate,
}

impl NoteCode {
    /// The codes that say why (part of) a file earned nothing, with the clerk's words for
    /// each: what a list of files can be filtered by.
    pub const REASONS: [(NoteCode, &'static str); 9] = [
        (
            NoteCode::SignerNotEnrolled,
            "Người ký chưa có trong danh mục",
        ),
        (NoteCode::SignatureNotValid, "Chữ ký không hợp lệ"),
        (NoteCode::UnitMismatch, "Không phải của đơn vị đã chọn"),
        (
            NoteCode::LeaderNotInOffice,
            "Lãnh đạo không giữ chức vụ tháng đó",
        ),
        (
            NoteCode::SigningTimeImplausible,
            "Thời điểm ký không tin được (nộp muộn)",
        ),
        (
            NoteCode::SigningTimeFarFromReceipt,
            "Thời điểm ký cách xa lúc nhận",
        ),
        (NoteCode::NoSigningTime, "Không có thời điểm ký"),
        (
            NoteCode::RequirementAlreadyMet,
            "Yêu cầu đã được đáp ứng bằng tệp khác",
        ),
        (NoteCode::Unsigned, "Tệp không có chữ ký số"),
    ];

    /// The code as the JSON contract writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteCode::SignerNotEnrolled => "signer_not_enrolled",
            NoteCode::SignatureNotValid => "signature_not_valid",
            NoteCode::UnitMismatch => "unit_mismatch",
            NoteCode::LeaderNotInOffice => "leader_not_in_office",
            NoteCode::SigningTimeImplausible => "signing_time_implausible",
            NoteCode::SigningTimeFarFromReceipt => "signing_time_far_from_receipt",
            NoteCode::NoSigningTime => "no_signing_time",
            NoteCode::RequirementAlreadyMet => "requirement_already_met",
            NoteCode::Unsigned => "unsigned",
            NoteCode::SigningTimeLocalAsUtc => "signing_time_local_as_utc",
            NoteCode::AcceptedLate => "accepted_late",
        }
    }

    /// A reason code as a query names it.
    pub fn parse_reason(s: &str) -> Option<NoteCode> {
        Self::REASONS
            .iter()
            .map(|(c, _)| *c)
            .find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_written_as_the_contract_says() {
        for (c, label) in NoteCode::REASONS {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert_eq!(NoteCode::parse_reason(c.as_str()), Some(c));
            assert!(!label.is_empty());
        }
        assert_eq!(
            serde_json::to_value(NoteCode::SigningTimeLocalAsUtc).unwrap(),
            "signing_time_local_as_utc"
        );
        assert_eq!(
            NoteCode::parse_reason("accepted_late"),
            None,
            "a remark, not a reason"
        );
    }
}
