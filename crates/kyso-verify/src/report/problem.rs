//! A problem found in a document or a signature, and its code: the stable, typed part of the
//! report (ARCHITECTURE.md §5.1). The message is for people and may change; the code may not.
//! Codes from records written by another version that this one does not know are kept as they
//! are (`Other`), so old receipts read and re-serialise unchanged.

use serde::{Deserialize, Serialize};

crate::codes! {
    /// Every problem code kyso reports.
    pub open enum ProblemCode {
        /// A signature algorithm kyso does not verify (RFC 5652 §5.3 signatureAlgorithm).
        AlgorithmUnsupported = "algorithm_unsupported",
        /// A limit of the [`Budget`](crate::budget::Budget) was reached (the CMS size, its certificates).
        BudgetExceeded = "budget_exceeded",
        /// The `/ByteRange` breaks the rules of ISO 32000-2 §12.8.1: the signed bytes are unknown.
        ByteRangeInvalid = "byte_range_invalid",
        /// A CA certificate of the path is revoked (RFC 5280 §6.3).
        CaRevoked = "ca_revoked",
        /// A certificate of the path breaks the profile of RFC 5280 §4 (a repeated or
        /// undecodable extension, a malformed nameConstraints, a missing key identifier, ...).
        CertificateNonconforming = "certificate_nonconforming",
        /// A certificate of the path is not valid at the validation time (RFC 5280 §4.1.2.5).
        CertificateNotValidAtTime = "certificate_not_valid_at_time",
        /// The signer's certificate is revoked (RFC 5280 §6.3, RFC 6960).
        CertificateRevoked = "certificate_revoked",
        /// The CMS in `/Contents` cannot be decoded (RFC 5652).
        CmsMalformed = "cms_malformed",
        /// An `adbe.pkcs7.sha1` signature without the SHA-1 digest it signs.
        ContentMissing = "content_missing",
        /// The signed contentType differs from the encapsulated content type (RFC 5652 §11.1).
        ContentTypeMismatch = "content_type_mismatch",
        /// The signed attributes have no contentType (RFC 5652 §11.1).
        ContentTypeMissing = "content_type_missing",
        /// A detached signature whose encapsulated content type is not id-data.
        ContentTypeUnexpected = "content_type_unexpected",
        /// The signature dictionary has no `/Contents`.
        ContentsMissing = "contents_missing",
        /// The byte range covers neither the whole file nor a whole revision.
        CoveragePartial = "coverage_partial",
        /// A CRL not used as proof: without cRLNumber, or with it critical (RFC 5280 §5.2.3).
        CrlNonconforming = "crl_nonconforming",
        /// The newest CRL for a certificate is past its nextUpdate (RFC 5280 §5.1.2.5).
        CrlOutdated = "crl_outdated",
        /// Bytes after the last `%%EOF` that belong to no revision.
        DataAfterLastRevision = "data_after_last_revision",
        /// Bytes before the `%PDF-` header (ISO 32000-2 §7.5.2).
        DataBeforeHeader = "data_before_header",
        /// A detached signature that carries encapsulated content.
        DetachedWithContent = "detached_with_content",
        /// The signed bytes do not match the digest the signature holds: the document was altered.
        DigestMismatch = "digest_mismatch",
        /// A digest algorithm kyso does not compute.
        DigestUnsupported = "digest_unsupported",
        /// The document is encrypted and could not be opened (ISO 32000-2 §7.6).
        EncryptedUnreadable = "encrypted_unreadable",
        /// An issuing certificate without keyCertSign (RFC 5280 §4.2.1.3).
        IssuerKeyUsage = "issuer_key_usage",
        /// An issuing certificate that is not a CA (RFC 5280 §4.2.1.9).
        IssuerNotCa = "issuer_not_ca",
        /// A public key kyso cannot use.
        KeyUnsupported = "key_unsupported",
        /// The signed attributes have no messageDigest (RFC 5652 §11.2).
        MessageDigestMissing = "message_digest_missing",
        /// A change after the signature that its policy does not allow (ISO 32000-2 §12.8.2).
        ModifiedAfterSigning = "modified_after_signing",
        /// A name outside a CA's nameConstraints (RFC 5280 §4.2.1.10).
        NameNotPermitted = "name_not_permitted",
        /// Checking a path's names against its CAs' nameConstraints would exceed the budget of
        /// comparisons (RFC 5280 §6.1.3 (b)-(c), bounded work).
        NameConstraintBudgetExceeded = "name_constraint_budget_exceeded",
        /// No certification path to a trust anchor (RFC 5280 §6.1).
        NoChain = "no_chain",
        /// A signature without signed attributes: its signing time is only `/M`.
        NoSignedAttributes = "no_signed_attributes",
        /// An object of the document cannot be read.
        ObjectUnreadable = "object_unreadable",
        /// Path building stopped at its budget of attempts.
        PathBudgetExceeded = "path_budget_exceeded",
        /// The path is longer than a CA's pathLenConstraint allows (RFC 5280 §4.2.1.9).
        PathLengthExceeded = "path_length_exceeded",
        /// Neither a CRL nor an OCSP answer for a certificate of the path.
        RevocationUnknown = "revocation_unknown",
        /// The signature value does not verify with the signer's key (RFC 5652 §5.6).
        SignatureInvalid = "signature_invalid",
        /// The signature is over the signed attributes as written, which are not their DER
        /// encoding (RFC 5652 §5.4; X.690 §11.6 order): over the DER encoding it fails.
        SignedAttributesNotDer = "signed_attributes_not_der",
        /// A signature dictionary that no signature field's `/V` refers to (ISO 32000-2
        /// §12.7.5.5): viewers do not show it (a copy saved again without its fields, a
        /// stray `/ByteRange`); reported, not judged as a signature.
        SignatureNotAttached = "signature_not_attached",
        /// The signer's certificate is neither in the CMS nor in the trust store.
        SignerCertificateMissing = "signer_certificate_missing",
        /// The signer's certificate is not for signing (RFC 5280 §4.2.1.3).
        SignerKeyUsage = "signer_key_usage",
        /// The ESS signing-certificate attribute names another certificate (RFC 5035).
        SigningCertificateMismatch = "signing_certificate_mismatch",
        /// The claimed signing time is before the signer's certificate was issued.
        SigningTimeBeforeCertificate = "signing_time_before_certificate",
        /// The CMS signingTime is Vietnam wall-clock time labelled as UTC.
        SigningTimeLocalAsUtc = "signing_time_local_as_utc",
        /// A stream's `/Length` was wrong and was repaired (ISO 32000-2 §7.3.8).
        StreamLengthRepaired = "stream_length_repaired",
        /// A `/SubFilter` kyso does not verify (ISO 32000-2 §12.8.3).
        SubFilterUnsupported = "sub_filter_unsupported",
        /// A timestamp's message imprint does not match what it covers (RFC 3161 §2.4.2).
        TimestampImprintMismatch = "timestamp_imprint_mismatch",
        /// A timestamp token that does not verify.
        TimestampInvalid = "timestamp_invalid",
        /// A timestamp token that cannot be read (RFC 3161 §2.4.2).
        TimestampMalformed = "timestamp_malformed",
        /// A note about a signature timestamp that does not make it unusable.
        TimestampNote = "timestamp_note",
        /// A TSA certificate without the timeStamping extended key usage (RFC 3161 §2.3).
        TsaNotTimeStamping = "tsa_not_time_stamping",
        /// A certificate with a critical extension kyso does not understand (RFC 5280 §4.2).
        UnknownCriticalExtension = "unknown_critical_extension",
        /// A document signature with a digest the policy refuses (SHA-1).
        WeakDigest = "weak_digest",
        /// A certificate of the path signed with a digest the policy refuses (SHA-1).
        WeakDigestInChain = "weak_digest_in_chain",
        /// An RSA key shorter than the policy's minimum.
        WeakKey = "weak_key",
        /// An object given twice by one cross-reference section, where readers differ.
        XrefEntryAmbiguous = "xref_entry_ambiguous",
        /// An object or section found near, not at, its cross-reference offset.
        XrefOffsetRepaired = "xref_offset_repaired",
        /// An update without `/Prev` although revisions precede it (ISO 32000-2 §7.5.6).
        XrefPrevMissing = "xref_prev_missing",
        /// A `/Prev` naming a section already read, or the start of the file (`/Prev 0`): the
        /// chain of revisions ends there (ISO 32000-2 §7.5.6 wants an older section).
        XrefPrevLoop = "xref_prev_loop",
    }
}

/// A problem: its code, and a sentence a clerk can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What kind of problem: stable.
    pub code: ProblemCode,
    /// What was found, for people: may change between versions.
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
