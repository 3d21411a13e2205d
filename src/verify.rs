//! The pipeline: PDF bytes + trust + policy + validation time -> [`Report`].
//! No I/O, no clock, no environment.

use crate::budget::Budget;
use crate::pdf::{self, changes, Coverage, Document, SigKind, SignatureDict};
use crate::pki::crypto::{self, DigestAlg};
use crate::pki::{self, Cert, Finding, Policy, TrustStore};
use crate::report::*;
use crate::signed_data::{self, SignedData, SignerId};
use std::collections::HashMap;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub policy: Policy,
    pub budget: Budget,
}

/// A document that cannot be evaluated at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the file is not a PDF")]
    NotPdf,
    #[error("the PDF structure cannot be read: {0}")]
    Unreadable(pdf::PdfError),
    #[error("the document exceeds a budget: {0}")]
    Budget(pdf::PdfError),
}

impl VerifyError {
    /// Stable snake_case code for the JSON contract.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NotPdf => "not_pdf",
            VerifyError::Unreadable(_) => "pdf_unreadable",
            VerifyError::Budget(_) => "budget_exceeded",
        }
    }
}

fn fmt_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Verify every signature of `bytes` at validation time `at`.
pub fn verify(
    bytes: &[u8],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
) -> Result<Report, VerifyError> {
    // The document hash is independent of the rest: on large files compute it on the other core.
    std::thread::scope(|s| {
        let doc_hash = if bytes.len() > (1 << 20) {
            Some(s.spawn(|| crypto::sha256(bytes)))
        } else {
            None
        };
        let result = verify_inner(bytes, store, opts, at);
        let sha = match doc_hash {
            Some(h) => h.join().unwrap_or_else(|_| crypto::sha256(bytes)),
            None => crypto::sha256(bytes),
        };
        result.map(|mut r| {
            r.document.sha256 = hex::encode(sha);
            r
        })
    })
}

fn verify_inner(
    bytes: &[u8],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
) -> Result<Report, VerifyError> {
    let doc = Document::parse(bytes, opts.budget).map_err(|e| match e {
        pdf::PdfError::NotPdf => VerifyError::NotPdf,
        e @ pdf::PdfError::Budget { .. } => VerifyError::Budget(e),
        e => VerifyError::Unreadable(e),
    })?;
    let (sigs, unparsed) = pdf::find_signatures(&doc, &opts.budget).map_err(|e| match e {
        e @ pdf::PdfError::Budget { .. } => VerifyError::Budget(e),
        e => VerifyError::Unreadable(e),
    })?;
    let mut document_problems: Vec<Problem> = unparsed
        .iter()
        .map(|u| Problem {
            code: "object_unreadable".into(),
            message: format!(
                "object {} of revision {} cannot be read: {}",
                u.num,
                u.revision + 1,
                u.error
            ),
        })
        .collect();
    if let Some(r) = pdf::trailing_garbage(&doc) {
        document_problems.push(Problem {
            code: "data_after_last_revision".into(),
            message: format!(
                "{} bytes after the last %%EOF do not belong to any revision",
                r.len()
            ),
        });
    }
    let mut digests = DigestCache::default();
    let signatures: Vec<SignatureReport> = sigs
        .iter()
        .map(|s| check_signature(&doc, s, &sigs, store, opts, at, &mut digests))
        .collect();
    let verdict = if signatures.is_empty() {
        Verdict::Unsigned
    } else if signatures
        .iter()
        .all(|s| s.indication == Indication::TotalPassed)
    {
        Verdict::Valid
    } else if signatures
        .iter()
        .any(|s| s.indication == Indication::TotalFailed)
    {
        Verdict::Invalid
    } else {
        Verdict::Indeterminate
    };
    Ok(Report {
        schema: SCHEMA,
        document: DocumentInfo {
            sha256: String::new(),
            size: bytes.len() as u64,
            revisions: doc.revision_count(),
        },
        verdict,
        validation_time: fmt_time(at),
        signatures,
        document_problems,
    })
}

/// Digests of signed byte ranges, so each range is hashed once per algorithm.
#[derive(Default)]
struct DigestCache(HashMap<(DigestAlg, usize, usize, usize), Vec<u8>>);

impl DigestCache {
    fn get(&mut self, alg: DigestAlg, bytes: &[u8], r: &pdf::SignedRange) -> Vec<u8> {
        self.0
            .entry((alg, r.gap.start, r.gap.end, r.end))
            .or_insert_with(|| alg.hash(&r.pieces(bytes)))
            .clone()
    }
}

/// Problems found while checking one signature, each with the sub-indication it forces (None:
/// reported, but the signature may still pass).
#[derive(Default)]
struct Findings(Vec<(Problem, Option<SubIndication>)>);

impl Findings {
    fn add(&mut self, sub: Option<SubIndication>, code: &str, message: impl Into<String>) {
        self.0.push((
            Problem {
                code: code.into(),
                message: message.into(),
            },
            sub,
        ));
    }

    fn outcome(self) -> (Indication, Option<SubIndication>, Vec<Problem>) {
        let worst = self
            .0
            .iter()
            .filter_map(|(_, s)| *s)
            .max_by_key(|s| s.indication())
            .map(|s| s.indication());
        let sub = worst.and_then(|w| {
            self.0
                .iter()
                .filter_map(|(_, s)| *s)
                .find(|s| s.indication() == w)
        });
        (
            worst.unwrap_or(Indication::TotalPassed),
            sub,
            self.0.into_iter().map(|(p, _)| p).collect(),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn check_signature(
    doc: &Document,
    sig: &SignatureDict,
    all: &[SignatureDict],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    digests: &mut DigestCache,
) -> SignatureReport {
    let mut f = Findings::default();
    let mut rep = SignatureReport {
        field: sig.field_name.clone(),
        kind: match sig.kind {
            SigKind::Signature => SignatureKind::Signature,
            SigKind::DocumentTimestamp => SignatureKind::DocumentTimestamp,
        },
        sub_filter: sig.sub_filter.clone(),
        indication: Indication::TotalPassed,
        sub_indication: None,
        problems: Vec::new(),
        signer: None,
        chain: Vec::new(),
        signing_time: None,
        signing_time_source: SigningTimeSource::None,
        coverage: Coverage::Partial,
        modifications_after: changes::Modifications::Disallowed,
        level: None,
    };
    let pdf_m = sig.m.as_deref().and_then(parse_pdf_date);
    if let Some(m) = pdf_m {
        rep.signing_time = Some(fmt_time(m));
        rep.signing_time_source = SigningTimeSource::PdfM;
    }
    run_checks(
        doc, sig, all, store, opts, at, digests, &mut f, &mut rep, pdf_m,
    );
    let (ind, sub, problems) = f.outcome();
    rep.indication = ind;
    rep.sub_indication = sub;
    rep.problems = problems;
    rep
}

#[allow(clippy::too_many_arguments)]
fn run_checks(
    doc: &Document,
    sig: &SignatureDict,
    all: &[SignatureDict],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    digests: &mut DigestCache,
    f: &mut Findings,
    rep: &mut SignatureReport,
    pdf_m: Option<OffsetDateTime>,
) {
    use SubIndication::*;
    // 1. The byte range, its coverage, and what changed afterwards.
    let range = match pdf::check_byte_range(doc, sig) {
        Ok(r) => r,
        Err(e) => {
            f.add(
                Some(FormatFailure),
                "byte_range_invalid",
                format!("{e}; the signed bytes cannot be identified"),
            );
            return;
        }
    };
    rep.coverage = range.coverage;
    match (range.coverage, range.revision) {
        (Coverage::Partial, _) | (_, None) => {
            f.add(
                Some(FormatFailure),
                "coverage_partial",
                format!(
                    "the signature covers bytes 0..{} which is neither the whole file ({} bytes) nor a whole revision",
                    range.end,
                    doc.bytes.len()
                ),
            );
        }
        (_, Some(rev)) => {
            // The first certification signature's DocMDP governs every later change; FieldMDP
            // locks of this and every earlier signature apply after this one.
            let policy = changes::ChangePolicy {
                docmdp: all.iter().find_map(|s| s.docmdp),
                locks: all
                    .iter()
                    .filter(|s| s.revision <= rev)
                    .flat_map(|s| s.field_locks.iter().cloned())
                    .collect(),
            };
            let ch = changes::analyse(doc, rev, &policy);
            rep.modifications_after = ch.verdict;
            for why in ch.disallowed {
                f.add(
                    Some(FormatFailure),
                    "modified_after_signing",
                    format!("the document was changed after this signature: {why}"),
                );
            }
        }
    }
    // 2. The CMS.
    let Some((contents, _, _)) = &sig.contents else {
        f.add(
            Some(FormatFailure),
            "contents_missing",
            "the signature has no /Contents",
        );
        return;
    };
    let sd = match signed_data::decode(
        contents,
        opts.budget.max_cms_bytes,
        opts.budget.max_certs_per_cms,
    ) {
        Ok(sd) => sd,
        Err(
            e @ (signed_data::CmsError::TooLarge { .. }
            | signed_data::CmsError::TooManyCertificates { .. }),
        ) => {
            f.add(Some(FormatFailure), "budget_exceeded", e.to_string());
            return;
        }
        Err(e) => {
            f.add(Some(FormatFailure), "cms_malformed", e.to_string());
            return;
        }
    };
    // 3. What is signed, according to the sub-filter.
    let sub_filter = sig.sub_filter.as_deref().unwrap_or("");
    let detached = match sub_filter {
        "adbe.pkcs7.detached" | "ETSI.CAdES.detached" => true,
        "adbe.pkcs7.sha1" => false,
        "ETSI.RFC3161" => {
            f.add(
                Some(SignedDataNotFound),
                "timestamp_not_supported",
                "document timestamps (ETSI.RFC3161) are not verified by this version",
            );
            return;
        }
        other => {
            f.add(
                Some(FormatFailure),
                "sub_filter_unsupported",
                format!("unsupported /SubFilter {other:?}"),
            );
            return;
        }
    };
    let Some(digest_alg) = DigestAlg::from_oid(&sd.digest_algorithm.oid) else {
        f.add(
            Some(CryptoConstraintsFailure),
            "digest_unsupported",
            format!("unsupported digest algorithm {}", sd.digest_algorithm.oid),
        );
        return;
    };
    // The digest of the document, as the signature claims to cover it.
    let content_digest: Vec<u8>;
    let mut document_digest_alg = digest_alg;
    if detached {
        if sd.encapsulated_content.is_some() {
            f.add(
                Some(FormatFailure),
                "detached_with_content",
                "a detached signature must not carry encapsulated content",
            );
            return;
        }
        content_digest = digests.get(digest_alg, doc.bytes, &range);
    } else {
        // adbe.pkcs7.sha1: the signed content is the SHA-1 digest of the byte ranges.
        document_digest_alg = DigestAlg::Sha1;
        let Some(content) = &sd.encapsulated_content else {
            f.add(
                Some(FormatFailure),
                "content_missing",
                "adbe.pkcs7.sha1 signature without its SHA-1 content",
            );
            return;
        };
        if *content != digests.get(DigestAlg::Sha1, doc.bytes, &range) {
            f.add(Some(HashFailure), "digest_mismatch", "the SHA-1 digest inside the signature does not match the signed bytes: the document was altered");
        }
        content_digest = digest_alg.hash(&[content]);
    }
    if !pki::document_digest_allowed(document_digest_alg, &opts.policy)
        || !pki::document_digest_allowed(digest_alg, &opts.policy)
    {
        f.add(
            Some(CryptoConstraintsFailure),
            "weak_digest",
            "the document is signed with SHA-1, which the policy refuses for document signatures (allow it with --allow-sha1-signatures)",
        );
    }
    // 4. Signed attributes.
    if let Some(attrs) = &sd.signed_attrs {
        match &attrs.content_type {
            Some(ct) if *ct == sd.econtent_type => {}
            Some(ct) => f.add(
                Some(FormatFailure),
                "content_type_mismatch",
                format!(
                    "signed contentType {ct} differs from the encapsulated type {}",
                    sd.econtent_type
                ),
            ),
            None => f.add(
                Some(FormatFailure),
                "content_type_missing",
                "the signed attributes have no contentType",
            ),
        }
        match &attrs.message_digest {
            Some(md) if *md == content_digest => {}
            Some(_) => f.add(Some(HashFailure), "digest_mismatch", "the signed bytes do not match the digest in the signature: the document was altered after signing"),
            None => f.add(Some(FormatFailure), "message_digest_missing", "the signed attributes have no messageDigest"),
        }
        if let Some(t) = attrs.signing_time {
            rep.signing_time = Some(fmt_time(t));
            rep.signing_time_source = SigningTimeSource::SignedAttribute;
        }
    }
    if sd.econtent_type != signed_data::OID_DATA && detached {
        f.add(
            Some(FormatFailure),
            "content_type_unexpected",
            format!(
                "encapsulated content type {} is not id-data",
                sd.econtent_type
            ),
        );
    }
    // 5. The signer's certificate.
    let cms_certs: Vec<Arc<Cert>> = sd
        .certificates
        .iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let Some(signer) = find_signer(&sd, &cms_certs, store) else {
        f.add(
            Some(NoSigningCertificateFound),
            "signer_certificate_missing",
            "the signer's certificate is neither in the signature nor in the configured certificates",
        );
        return;
    };
    rep.signer = Some(Signer {
        subject: signer.subject.clone(),
        issuer: signer.issuer.clone(),
        serial: signer.serial_hex(),
        sha256: signer.sha256_hex(),
    });
    // 6. The signature value.
    let sig_ok = match &sd.signed_attrs {
        Some(attrs) => crypto::verify(
            &signer.key,
            &sd.signature_algorithm.oid,
            sd.signature_algorithm.params.as_deref(),
            Some(digest_alg),
            &[&attrs.signed_bytes],
            &sd.signature,
        )
        .map(|d| {
            if !pki::document_digest_allowed(d, &opts.policy) && d != digest_alg {
                f.add(Some(CryptoConstraintsFailure), "weak_digest", "the signature value uses SHA-1, which the policy refuses (allow it with --allow-sha1-signatures)");
            }
        }),
        None => match crypto::signature_digest(&sd.signature_algorithm.oid, sd.signature_algorithm.params.as_deref(), Some(digest_alg)) {
            Ok(d) if d == digest_alg => crypto::verify_digest(
                &signer.key,
                &sd.signature_algorithm.oid,
                sd.signature_algorithm.params.as_deref(),
                Some(digest_alg),
                &content_digest,
                &sd.signature,
            ),
            Ok(d) => Err(crypto::CryptoError::UnsupportedAlgorithm(format!(
                "signature hash {} differs from the digest algorithm {}",
                d.name(),
                digest_alg.name()
            ))),
            Err(e) => Err(e),
        },
    };
    match sig_ok {
        Ok(()) => {}
        Err(crypto::CryptoError::BadSignature) => f.add(
            Some(SigCryptoFailure),
            "signature_invalid",
            "the signature value does not verify with the signer's public key",
        ),
        Err(e) => f.add(
            Some(CryptoConstraintsFailure),
            "algorithm_unsupported",
            e.to_string(),
        ),
    }
    // 7. ESS signing-certificate binds the signer's certificate into the signed attributes.
    let mut has_ess = false;
    if let Some(attrs) = &sd.signed_attrs {
        if let Some(first) = attrs.ess_cert_ids.first() {
            has_ess = true;
            let matches = DigestAlg::from_oid(&first.hash_oid)
                .map(|d| d.hash(&[&signer.der]) == first.hash)
                .unwrap_or(false);
            if !matches {
                f.add(
                    Some(NoSigningCertificateFound),
                    "signing_certificate_mismatch",
                    "the signing-certificate attribute names a different certificate than the one that signed",
                );
            }
        }
    }
    // 8. The certification path, at the validation time.
    let path = pki::check_path(&signer, &cms_certs, store, &opts.policy, at, &opts.budget);
    rep.chain = path.chain.iter().map(|c| c.sha256_hex()).collect();
    let claimed_time = sd
        .signed_attrs
        .as_ref()
        .and_then(|a| a.signing_time)
        .or(pdf_m);
    for finding in &path.findings {
        add_path_finding(f, finding, &opts.policy, claimed_time);
    }
    // 9. What this version does not check yet, said rather than skipped.
    if sd
        .unsigned_attr_oids
        .iter()
        .any(|o| o == signed_data::OID_TIMESTAMP_TOKEN)
    {
        f.add(None, "timestamp_not_verified", "the signature carries a timestamp token, which this version does not verify; the signing time comes from the signer's claim");
    }
    if sd.signed_attrs.is_none() {
        f.add(None, "no_signed_attributes", "the signature has no signed attributes: its signing time is only the unsigned /M entry");
    }
    if sub_filter == "ETSI.CAdES.detached" && sd.signed_attrs.is_some() && has_ess {
        rep.level = Some("B-B".into());
    }
}

fn find_signer(sd: &SignedData, cms_certs: &[Arc<Cert>], store: &TrustStore) -> Option<Arc<Cert>> {
    let pools = cms_certs
        .iter()
        .chain(store.anchors.iter())
        .chain(store.intermediates.iter());
    let candidates: Vec<&Arc<Cert>> = pools
        .filter(|c| match &sd.sid {
            SignerId::IssuerSerial { issuer, serial } => {
                let s = serial
                    .iter()
                    .skip_while(|b| **b == 0)
                    .copied()
                    .collect::<Vec<_>>();
                c.serial == s && (c.issuer_raw == *issuer || issuer_matches(issuer, c))
            }
            SignerId::SubjectKeyId(k) => c.ski.as_deref() == Some(k.as_slice()),
        })
        .collect();
    candidates.first().map(|c| (*c).clone())
}

/// Issuer DER from the CMS against a certificate's issuer, when the encodings differ.
fn issuer_matches(issuer_der: &[u8], c: &Cert) -> bool {
    use x509_parser::prelude::FromDer;
    x509_parser::x509::X509Name::from_der(issuer_der)
        .map(|(_, n)| {
            n.to_string().to_lowercase() == c.issuer.to_lowercase()
                || n.as_raw() == c.issuer_raw.as_slice()
        })
        .unwrap_or(false)
}

fn date(t: OffsetDateTime) -> String {
    let v = t.to_offset(time::macros::offset!(+7));
    format!("{:02}/{:02}/{}", v.day(), v.month() as u8, v.year())
}

fn add_path_finding(
    f: &mut Findings,
    finding: &Finding,
    policy: &Policy,
    claimed: Option<OffsetDateTime>,
) {
    use SubIndication::*;
    match finding {
        Finding::NoPath { issuer, candidates } => f.add(
            Some(NoCertificateChainFound),
            "no_chain",
            format!("no chain to a trusted anchor: issuer \"{issuer}\" not found among the trusted certificates ({candidates} with that name tried)"),
        ),
        Finding::PathBudget { limit } => f.add(
            Some(NoCertificateChainFound),
            "path_budget_exceeded",
            format!("path building stopped after {limit} attempts (budget)"),
        ),
        Finding::OutsideValidity { subject, not_before, not_after } => f.add(
            Some(OutOfBoundsNoPoe),
            "certificate_not_valid_at_time",
            format!("certificate \"{subject}\" is valid from {} to {}, not at the validation time", date(*not_before), date(*not_after)),
        ),
        Finding::NotCa { subject } => f.add(Some(ChainConstraintsFailure), "issuer_not_ca", format!("\"{subject}\" issues certificates but is not a CA (basicConstraints)")),
        Finding::PathLenExceeded { subject, path_len } => f.add(
            Some(ChainConstraintsFailure),
            "path_length_exceeded",
            format!("the path is longer than \"{subject}\" allows (pathLenConstraint {path_len})"),
        ),
        Finding::NoKeyCertSign { subject } => f.add(
            Some(ChainConstraintsFailure),
            "issuer_key_usage",
            format!("\"{subject}\" is not allowed to sign certificates (keyUsage without keyCertSign)"),
        ),
        Finding::UnknownCriticalExtension { subject, oids } => f.add(
            Some(ChainConstraintsFailure),
            "unknown_critical_extension",
            format!("certificate \"{subject}\" has critical extensions kyso does not understand: {}", oids.join(", ")),
        ),
        Finding::WeakKey { subject, bits, min } => f.add(
            Some(CryptoConstraintsFailure),
            "weak_key",
            format!("certificate \"{subject}\" has an RSA key of {bits} bits; the policy requires at least {min}"),
        ),
        Finding::UnsupportedKey { subject, what } => f.add(Some(CryptoConstraintsFailure), "key_unsupported", format!("certificate \"{subject}\": {what}")),
        Finding::Sha1InChain { subject } => f.add(
            Some(CryptoConstraintsFailure),
            "weak_digest_in_chain",
            format!("certificate \"{subject}\" is signed with SHA-1, which the policy refuses"),
        ),
        Finding::SignerKeyUsage { subject, present } => f.add(
            Some(SigConstraintsFailure),
            "signer_key_usage",
            if *present {
                format!("the signer's certificate \"{subject}\" is not for signing (keyUsage has neither digitalSignature nor nonRepudiation)")
            } else {
                format!("the signer's certificate \"{subject}\" has no keyUsage extension, so it is not marked for signing")
            },
        ),
        Finding::Revoked { subject, at, signer } => {
            if !*signer {
                f.add(Some(RevokedCaNoPoe), "ca_revoked", format!("CA certificate \"{subject}\" was revoked on {}", date(*at)));
            } else if claimed.is_some_and(|c| *at <= c) {
                f.add(Some(Revoked), "certificate_revoked", format!("the signer's certificate was revoked on {}, before the signing time", date(*at)));
            } else {
                f.add(
                    Some(RevokedNoPoe),
                    "certificate_revoked",
                    format!("the signer's certificate was revoked on {}; nothing proves the signature existed before that", date(*at)),
                );
            }
        }
        Finding::NoRevocationData { subject, issuer } => f.add(
            policy.require_revocation.then_some(TryLater),
            "revocation_unknown",
            format!("no CRL from \"{issuer}\" is installed, so the revocation of \"{subject}\" was not checked"),
        ),
        Finding::CrlExpired { issuer, next_update } => f.add(
            None,
            "crl_outdated",
            format!("the newest CRL of \"{issuer}\" expired on {} (nextUpdate)", date(*next_update)),
        ),
    }
}

/// `D:YYYYMMDDHHmmSSOHH'mm'` with the usual omissions.
pub fn parse_pdf_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let num = |a: usize, b: usize, d: u8| -> Option<u8> {
        match digits.get(a..b) {
            Some(x) => x.parse().ok(),
            None => Some(d),
        }
    };
    let year: i32 = digits[..4].parse().ok()?;
    let date = time::Date::from_calendar_date(
        year,
        time::Month::try_from(num(4, 6, 1)?).ok()?,
        num(6, 8, 1)?,
    )
    .ok()?;
    let tm = time::Time::from_hms(num(8, 10, 0)?, num(10, 12, 0)?, num(12, 14, 0)?).ok()?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let r: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let h: i8 = r.get(0..2)?.parse().ok()?;
            let m: i8 = r.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let (h, m) = if sign == '-' { (-h, -m) } else { (h, m) };
            time::UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(date.with_time(tm).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        let t = parse_pdf_date("D:20260310090000+07'00'").unwrap();
        assert_eq!(fmt_time(t), "2026-03-10T02:00:00Z");
        assert_eq!(
            fmt_time(parse_pdf_date("D:2026").unwrap()),
            "2026-01-01T00:00:00Z"
        );
        assert!(parse_pdf_date("garbage").is_none());
    }
}
