//! A problem found in a document or a signature, and its code: the stable, typed part of the
//! report (ARCHITECTURE.md §5.1). The message is for people and may change; the code may not.
//! Codes from records written by another version that this one does not know are kept as they
//! are (`Other`), so old receipts read and re-serialise unchanged.

use serde::{Deserialize, Serialize};

crate::codes! {
    /// Every problem code kyso reports.
    pub open enum ProblemCode {
        AlgorithmUnsupported = "algorithm_unsupported",
        BudgetExceeded = "budget_exceeded",
        ByteRangeInvalid = "byte_range_invalid",
        CaRevoked = "ca_revoked",
        CertificateNotValidAtTime = "certificate_not_valid_at_time",
        CertificateRevoked = "certificate_revoked",
        CmsMalformed = "cms_malformed",
        ContentMissing = "content_missing",
        ContentTypeMismatch = "content_type_mismatch",
        ContentTypeMissing = "content_type_missing",
        ContentTypeUnexpected = "content_type_unexpected",
        ContentsMissing = "contents_missing",
        CoveragePartial = "coverage_partial",
        CrlOutdated = "crl_outdated",
        DataAfterLastRevision = "data_after_last_revision",
        DataBeforeHeader = "data_before_header",
        DetachedWithContent = "detached_with_content",
        DigestMismatch = "digest_mismatch",
        DigestUnsupported = "digest_unsupported",
        EncryptedUnreadable = "encrypted_unreadable",
        IssuerKeyUsage = "issuer_key_usage",
        IssuerNotCa = "issuer_not_ca",
        KeyUnsupported = "key_unsupported",
        MessageDigestMissing = "message_digest_missing",
        ModifiedAfterSigning = "modified_after_signing",
        NameNotPermitted = "name_not_permitted",
        NoChain = "no_chain",
        NoSignedAttributes = "no_signed_attributes",
        ObjectUnreadable = "object_unreadable",
        PathBudgetExceeded = "path_budget_exceeded",
        PathLengthExceeded = "path_length_exceeded",
        RevocationUnknown = "revocation_unknown",
        SignatureInvalid = "signature_invalid",
        SignerCertificateMissing = "signer_certificate_missing",
        SignerKeyUsage = "signer_key_usage",
        SigningCertificateMismatch = "signing_certificate_mismatch",
        SigningTimeBeforeCertificate = "signing_time_before_certificate",
        SigningTimeLocalAsUtc = "signing_time_local_as_utc",
        StreamLengthRepaired = "stream_length_repaired",
        SubFilterUnsupported = "sub_filter_unsupported",
        TimestampImprintMismatch = "timestamp_imprint_mismatch",
        TimestampInvalid = "timestamp_invalid",
        TimestampMalformed = "timestamp_malformed",
        TimestampNote = "timestamp_note",
        TsaNotTimeStamping = "tsa_not_time_stamping",
        UnknownCriticalExtension = "unknown_critical_extension",
        WeakDigest = "weak_digest",
        WeakDigestInChain = "weak_digest_in_chain",
        WeakKey = "weak_key",
        XrefEntryAmbiguous = "xref_entry_ambiguous",
        XrefOffsetRepaired = "xref_offset_repaired",
        XrefPrevMissing = "xref_prev_missing",
    }
}

/// A problem: its code, and a sentence a clerk can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ProblemCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_kept() {
        for c in ProblemCode::ALL {
            assert_eq!(&ProblemCode::parse(c.as_str()), c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<ProblemCode>(&json).unwrap(), *c);
        }
        let old: Problem =
            serde_json::from_str(r#"{"code":"retired_code","message":"m"}"#).unwrap();
        assert_eq!(old.code, ProblemCode::Other("retired_code".into()));
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"code":"retired_code","message":"m"}"#
        );
    }
}
