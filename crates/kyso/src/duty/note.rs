//! What a receipt says about a file's credit: a note's stable code (the JSON contract's `code`,
//! ARCHITECTURE.md §5.3) and the clerk's words for the codes that say why a file earned nothing.

kyso_verify::codes! {
    /// Every note code a receipt, a listing or a table can carry. The value is the clerk's
    /// words for a code that says why (part of) a file earned nothing, what a list of files can
    /// be filtered by; `None` for a remark (the file may still earn its month).
    pub enum NoteCode: Option<&'static str> {
        SignerNotEnrolled = "signer_not_enrolled" => Some("Người ký chưa có trong danh mục"),
        SignatureNotValid = "signature_not_valid" => Some("Chữ ký không hợp lệ"),
        UnitMismatch = "unit_mismatch" => Some("Không phải của đơn vị đã chọn"),
        LeaderNotInOffice = "leader_not_in_office" => Some("Lãnh đạo không giữ chức vụ tháng đó"),
        SigningTimeImplausible = "signing_time_implausible" => Some("Thời điểm ký không tin được (nộp muộn)"),
        SigningTimeFarFromReceipt = "signing_time_far_from_receipt" => Some("Thời điểm ký cách xa lúc nhận"),
        NoSigningTime = "no_signing_time" => Some("Không có thời điểm ký"),
        RequirementAlreadyMet = "requirement_already_met" => Some("Yêu cầu đã được đáp ứng bằng tệp khác"),
        Unsigned = "unsigned" => Some("Tệp không có chữ ký số"),
        SigningTimeLocalAsUtc = "signing_time_local_as_utc" => None,
        AcceptedLate = "accepted_late" => None,
        /// An administrator moved the file to the month it was really signed in.
        MovedToMonth = "moved_to_month" => None,
    }
}

impl NoteCode {
    /// The codes that say why (part of) a file earned nothing, with the clerk's words for each.
    pub fn reasons() -> impl Iterator<Item = (NoteCode, &'static str)> {
        NoteCode::ALL
            .iter()
            .filter_map(|c| c.value().map(|label| (*c, label)))
    }

    /// A reason code as a query names it.
    pub fn parse_reason(s: &str) -> Option<NoteCode> {
        NoteCode::parse(s).filter(|c| c.value().is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_written_as_the_contract_says() {
        for (c, label) in NoteCode::reasons() {
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
