//! RFC 3161 timestamp tokens: signature timestamps (over the signature value) and document
//! timestamps (over the byte ranges, ETSI.RFC3161), with the TSA's chain and timeStamping EKU.

use super::digests::Digests;
use super::findings::Findings;
use super::signer::{check_signer, SignerInputs};
use super::Options;
use crate::cms;
use crate::der::oid;
use crate::pdf;
use crate::pdf::meter::Meter;
use crate::pki::crypto::DigestAlg;
use crate::pki::{Cert, TrustStore};
use crate::report::{ProblemCode, SubIndication};
use std::sync::Arc;
use time::OffsetDateTime;

/// What a timestamp token's imprint must cover.
pub(super) enum TimestampCovers<'a> {
    /// A signature timestamp: the signature value.
    Bytes(&'a [u8]),
    /// A document timestamp: the signed byte ranges of the file.
    Ranges(&'a [u8], &'a pdf::SignedRange),
}

pub(super) struct TimestampCheck {
    pub(super) gen_time: OffsetDateTime,
    pub(super) tsa: Arc<Cert>,
    pub(super) chain: Vec<String>,
    pub(super) findings: Findings,
}

pub(super) struct TimestampFailure {
    pub(super) code: ProblemCode,
    pub(super) message: String,
    pub(super) sub: SubIndication,
}

/// Verify an RFC 3161 token: its CMS, the TSA's certificate (chain and timeStamping EKU), and
/// the message imprint. Findings about the TSA's certificate are returned, not decided here.
/// `check` is the trust store, the options and the document's meter: the token and the
/// certificates it carries are decoded under the document's budget.
pub(super) fn check_timestamp_token(
    token: &[u8],
    covers: TimestampCovers,
    check: (&TrustStore, &Options, &Meter),
    at: OffsetDateTime,
    digests: &mut dyn Digests,
) -> Result<TimestampCheck, TimestampFailure> {
    let (store, opts, meter) = check;
    let fail = |code, message: String, sub| TimestampFailure { code, message, sub };
    if let Err(e) = meter.validation_data(token.len()) {
        return Err(malformed(e.to_string(), SubIndication::FormatFailure));
    }
    let (sd, tst) = read_token(token, opts)?;
    check_imprint(&tst, covers, digests)?;
    let content = sd.encapsulated_content.as_deref().unwrap_or_default();
    let digest_alg = DigestAlg::from_oid(&sd.digest_algorithm.oid).ok_or_else(|| {
        fail(
            ProblemCode::TimestampMalformed,
            format!("unsupported digest {}", sd.digest_algorithm.oid),
            SubIndication::CryptoConstraintsFailure,
        )
    })?;
    let mut findings = Findings::default();
    let content_digest = digest_alg.hash(&[content]);
    let inputs = SignerInputs {
        content_digest: &content_digest,
        digest_alg,
        store,
        meter,
        opts,
        at: tst.gen_time.min(at),
        claimed: Some(tst.gen_time),
    };
    let Some(checked) = check_signer(&sd, &inputs, &mut findings) else {
        let why = findings
            .0
            .first()
            .map(|(p, _)| p.message.clone())
            .unwrap_or_default();
        return Err(fail(
            ProblemCode::TimestampInvalid,
            format!("the timestamp's signer: {why}"),
            SubIndication::NoSigningCertificateFound,
        ));
    };
    if !checked
        .signer
        .ext_key_usage
        .iter()
        .any(|e| e == oid::EKU_TIME_STAMPING)
    {
        findings.add(
            Some(SubIndication::SigConstraintsFailure),
            ProblemCode::TsaNotTimeStamping,
            format!("the certificate \"{}\" is not a timestamping authority's (no timeStamping extended key usage)", checked.signer.subject),
        );
    }
    Ok(TimestampCheck {
        gen_time: tst.gen_time,
        tsa: checked.signer,
        chain: checked.chain,
        findings,
    })
}

fn malformed(message: String, sub: SubIndication) -> TimestampFailure {
    TimestampFailure {
        code: ProblemCode::TimestampMalformed,
        message,
        sub,
    }
}

/// RFC 3161 §2.4.2: a SignedData whose encapsulated content is a TSTInfo.
fn read_token(
    token: &[u8],
    opts: &Options,
) -> Result<(cms::SignedData, cms::TstInfo), TimestampFailure> {
    use SubIndication::FormatFailure;
    let sd = cms::decode(
        token,
        opts.budget.max_cms_bytes,
        opts.budget.max_certs_per_cms,
    )
    .map_err(|e| {
        malformed(
            format!("the timestamp token cannot be read: {e}"),
            FormatFailure,
        )
    })?;
    if sd.econtent_type != oid::TST_INFO {
        return Err(malformed(
            "the timestamp token does not hold a TSTInfo".into(),
            FormatFailure,
        ));
    }
    let content = sd.encapsulated_content.as_ref().ok_or_else(|| {
        malformed(
            "the timestamp token has no TSTInfo content".into(),
            FormatFailure,
        )
    })?;
    let tst = cms::tst_info(content).map_err(|e| malformed(e.to_string(), FormatFailure))?;
    Ok((sd, tst))
}

/// RFC 3161 §2.4.2: the messageImprint is the hash of what the token covers.
fn check_imprint(
    tst: &cms::TstInfo,
    covers: TimestampCovers,
    digests: &mut dyn Digests,
) -> Result<(), TimestampFailure> {
    let imprint_alg = DigestAlg::from_oid(&tst.imprint_hash_oid).ok_or_else(|| {
        malformed(
            format!("unsupported imprint hash {}", tst.imprint_hash_oid),
            SubIndication::CryptoConstraintsFailure,
        )
    })?;
    let expected = match covers {
        TimestampCovers::Bytes(b) => imprint_alg.hash(&[b]),
        TimestampCovers::Ranges(bytes, r) => digests.get(imprint_alg, bytes, r),
    };
    if expected != tst.imprint {
        return Err(TimestampFailure {
            code: ProblemCode::TimestampImprintMismatch,
            message: "the timestamp's message imprint does not match what it should cover".into(),
            sub: SubIndication::HashFailure,
        });
    }
    Ok(())
}
