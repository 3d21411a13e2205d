//! The words a clerk reads where kyso knows a thing by an id: a unit by its name, a post as
//! "Chủ tịch Nguyễn Văn An – UBND phường Hương Xuân", a requirement, a file by the name it was
//! sent under, and what the verifier found, in Vietnamese (its own messages are English, for
//! logs and integrators; the `code` is the contract).

use crate::duty::credit::Credit;
use crate::duty::registry::Registry;
use crate::duty::submission::Submission;
use kyso_verify::report::ProblemCode;

/// The unit's name (its id when the registry no longer has it).
pub fn unit(r: &Registry, id: &str) -> String {
    r.unit(id)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// A post: "Chủ tịch Nguyễn Văn An – UBND phường Hương Xuân".
pub fn post(r: &Registry, leader: &str) -> String {
    match r.leader(leader) {
        Some(l) => format!("{} {} – {}", l.title, l.name, unit(r, &l.unit)),
        None => leader.to_string(),
    }
}

/// What a credit meets: "ký số lãnh đạo (Chủ tịch Nguyễn Văn An) của UBND phường Hương Xuân
/// tháng 03/2026".
pub fn requirement(r: &Registry, c: &Credit) -> String {
    let of = unit(r, &c.unit);
    match &c.leader {
        Some(l) => {
            let who = r
                .leader(l)
                .map(|x| format!("{} {}", x.title, x.name))
                .unwrap_or_else(|| l.clone());
            format!("ký số lãnh đạo ({who}) của {of} tháng {}", c.month.vn())
        }
        None => format!("ký số cơ quan của {of} tháng {}", c.month.vn()),
    }
}

/// A file: "\"bao-cao.pdf\" (nhận lúc 05/12/2026 09:30)".
pub fn file(s: &Submission) -> String {
    let name = s.file_name.as_deref().unwrap_or("tệp không tên");
    format!(
        "\"{}\" (nhận lúc {})",
        crate::text::visible(name),
        crate::vn::datetime(s.received_at)
    )
}

/// What the verifier found, in a clerk's words.
pub fn problem(code: &ProblemCode) -> &'static str {
    use ProblemCode as P;
    match code {
        P::AlgorithmUnsupported => "thuật toán chữ ký không được hỗ trợ",
        P::BudgetExceeded | P::PathBudgetExceeded => "tệp vượt giới hạn kiểm tra",
        P::ByteRangeInvalid | P::CoveragePartial => "chữ ký không bao trùm đúng nội dung tệp",
        P::CaRevoked => "chứng thư của cơ quan cấp đã bị thu hồi",
        P::CertificateNotValidAtTime => {
            "chứng thư số hết hạn hoặc chưa có hiệu lực vào thời điểm ký"
        }
        P::CertificateRevoked => "chứng thư số của người ký đã bị thu hồi",
        P::CmsMalformed | P::ContentsMissing | P::ContentMissing => {
            "dữ liệu chữ ký bị hỏng hoặc thiếu"
        }
        P::ContentTypeMismatch
        | P::ContentTypeMissing
        | P::ContentTypeUnexpected
        | P::DetachedWithContent
        | P::MessageDigestMissing
        | P::NoSignedAttributes
        | P::SignedAttributesNotDer => "cấu trúc chữ ký không đúng chuẩn",
        P::CrlOutdated => "danh sách thu hồi chứng thư đã quá hạn",
        P::CrlNonconforming => "danh sách thu hồi chứng thư không đúng chuẩn, không dùng được",
        P::DataAfterLastRevision | P::DataBeforeHeader => "tệp có dữ liệu lạ ngoài nội dung đã ký",
        P::DigestMismatch => "nội dung tệp đã bị thay đổi sau khi ký",
        P::DigestUnsupported => "thuật toán băm không được hỗ trợ",
        P::EncryptedUnreadable => "tệp được mã hóa, không mở được",
        P::CertificateNonconforming
        | P::IssuerKeyUsage
        | P::IssuerNotCa
        | P::NameConstraintBudgetExceeded
        | P::NameNotPermitted
        | P::PathLengthExceeded
        | P::UnknownCriticalExtension => "chuỗi chứng thư không hợp lệ",
        P::KeyUnsupported => "khóa của chứng thư không được hỗ trợ",
        P::ModifiedAfterSigning => "tệp bị sửa sau khi ký theo cách chữ ký không cho phép",
        P::NoChain => "chứng thư số không do Ban Cơ yếu Chính phủ (hoặc cơ quan được tin cậy) cấp",
        P::ObjectUnreadable
        | P::StreamLengthRepaired
        | P::XrefEntryAmbiguous
        | P::XrefOffsetRepaired
        | P::XrefPrevMissing
        | P::XrefPrevLoop => "cấu trúc tệp PDF có lỗi",
        P::SignatureNotAttached => {
            "chữ ký không còn gắn với tài liệu (tệp có thể đã được mở và lưu lại): hãy nộp tệp gốc ngay sau khi ký"
        }
        P::RevocationUnknown => "chưa kiểm tra được tình trạng thu hồi của chứng thư",
        P::SignatureInvalid => "giá trị chữ ký không khớp với chứng thư",
        P::SignerCertificateMissing | P::SigningCertificateMismatch => {
            "không tìm thấy đúng chứng thư của người ký"
        }
        P::SignerKeyUsage => "chứng thư số không dùng để ký",
        P::SigningTimeBeforeCertificate => "thời điểm ký trước ngày cấp chứng thư",
        P::SigningTimeLocalAsUtc => "phần mềm ký ghi giờ Việt Nam như giờ UTC",
        P::SubFilterUnsupported => "kiểu chữ ký không được hỗ trợ",
        P::TimestampImprintMismatch
        | P::TimestampInvalid
        | P::TimestampMalformed
        | P::TimestampNote
        | P::TsaNotTimeStamping => "dấu thời gian không dùng được",
        P::WeakDigest | P::WeakDigestInChain => "thuật toán băm đã lỗi thời (SHA-1)",
        P::WeakKey => "khóa quá ngắn",
        _ => "lỗi khác",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_vietnamese_words() {
        for c in ProblemCode::ALL {
            assert_ne!(problem(c), "lỗi khác", "{c:?}");
        }
    }
}
