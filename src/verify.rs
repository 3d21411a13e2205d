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

/// [`verify`] for bytes whose SHA-256 the caller already computed (the service hashes uploads
/// while receiving them), so the file is not hashed twice.
pub fn verify_hashed(
    bytes: &[u8],
    sha256: [u8; 32],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
) -> Result<Report, VerifyError> {
    verify_inner(bytes, store, opts, at).map(|mut r| {
        r.document.sha256 = hex::encode(sha256);
        r
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
        .listed
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
    document_problems.extend(doc.repairs().iter().map(repair_problem));
    if let Some(r) = pdf::trailing_garbage(&doc) {
        document_problems.push(Problem {
            code: "data_after_last_revision".into(),
            message: format!(
                "{} bytes after the last %%EOF do not belong to any revision",
                r.len()
            ),
        });
    }
    // Validation data the document carries in /DSS joins the configured trust store: its
    // certificates as intermediates (never as anchors), its CRLs (each verified against its
    // issuer before use, and the newest per issuer wins).
    let with_dss = dss_validation_data(&doc, store);
    let store = with_dss.as_ref().unwrap_or(store);
    let mut digests = DigestCache::default();
    let mut signatures: Vec<SignatureReport> = Vec::with_capacity(sigs.len());
    for s in &sigs {
        let mut r = check_signature(&doc, s, &sigs, store, opts, at, &mut digests);
        // A budget spent while checking makes every finding after it meaningless.
        if let Some(e) = doc.exhausted().or_else(|| doc.meter().check_time().err()) {
            return Err(VerifyError::Budget(e));
        }
        r.problems = cap_problems(r.problems, opts.budget.max_problems_per_code);
        signatures.push(r);
    }
    let listed = unparsed.listed.len().min(opts.budget.max_problems_per_code);
    let mut document_problems = cap_problems(document_problems, opts.budget.max_problems_per_code);
    if unparsed.total > listed {
        document_problems.retain(|p| {
            p.code != "object_unreadable" || !p.message.starts_with("and ")
        });
        document_problems.push(Problem {
            code: "object_unreadable".into(),
            message: format!(
                "and {} more objects cannot be read ({} in all)",
                unparsed.total - listed,
                unparsed.total
            ),
        });
    }
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

/// A repair the reader made, as a document problem. Readers repair differently, so a repair in
/// bytes written after a signature also fails that signature (`changes::analyse`).
fn repair_problem(r: &pdf::Repair) -> Problem {
    let (code, message) = match r {
        pdf::Repair::HeaderOffset(n) => (
            "data_before_header",
            format!("{n} bytes come before the %PDF- header; offsets were counted from the header"),
        ),
        pdf::Repair::Offset { written, found, .. } => (
            "xref_offset_repaired",
            format!("the cross-reference table gives offset {written}, but the object or section starts at {found}"),
        ),
        pdf::Repair::Ambiguous { offset, num } => (
            "xref_entry_ambiguous",
            format!("the cross-reference section at byte {offset} gives object {num} twice (table and /XRefStm, or one section); readers differ on which they show"),
        ),
        pdf::Repair::StreamLength { offset } => (
            "stream_length_repaired",
            format!("the stream of the object at byte {offset} is not as long as its /Length says; its data ends at endstream"),
        ),
    };
    Problem {
        code: code.into(),
        message: message.into(),
    }
}

/// The first `max` problems of each code, then one line that counts the others: a hostile file
/// with a million broken objects gets a report of a few lines, not of a million.
fn cap_problems(problems: Vec<Problem>, max: usize) -> Vec<Problem> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for p in problems {
        let n = seen.entry(p.code.clone()).or_insert(0);
        *n += 1;
        if *n <= max {
            out.push(p);
        }
    }
    let mut extra: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(_, n)| *n > max)
        .map(|(c, n)| (c, n - max))
        .collect();
    extra.sort();
    for (code, n) in extra {
        out.push(Problem {
            message: format!("and {n} more problems of this kind"),
            code,
        });
    }
    out
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
            // A signed field's FieldMDP /P (ISO 32000-2 §12.8.2.4) can only lower that level.
            let docmdp = all
                .iter()
                .find_map(|s| s.docmdp)
                .into_iter()
                .chain(
                    all.iter()
                        .filter(|s| s.revision <= rev)
                        .filter_map(|s| s.lock_level),
                )
                .min();
            let policy = changes::ChangePolicy {
                signatures: all.iter().map(|s| s.object.0).collect(),
                docmdp,
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
            // A document timestamp: the token's imprint covers the byte ranges.
            match check_timestamp_token(
                contents,
                TimestampCovers::Ranges(doc.bytes, &range),
                store,
                opts,
                at,
                digests,
            ) {
                Ok(ts) => {
                    rep.signer = Some(signer_of(&ts.tsa));
                    rep.chain = ts.chain;
                    rep.signing_time = Some(fmt_time(ts.gen_time));
                    rep.signing_time_source = SigningTimeSource::Timestamp;
                    for (p, sub) in ts.findings.0 {
                        f.add(sub, &p.code, p.message);
                    }
                }
                Err(TimestampFailure { code, message, sub }) => f.add(Some(sub), code, message),
            }
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
    // CRLs embedded in the CMS (RevocationInfoChoices, adbe-revocationInfoArchival).
    let embedded: Vec<Arc<pki::Crl>> = sd
        .crls
        .iter()
        .chain(sd.signed_attrs.iter().flat_map(|a| a.archived_crls.iter()))
        .filter_map(|d| pki::Crl::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let embedded_ocsps: Vec<Arc<pki::ocsp::OcspResponse>> = sd
        .ocsps
        .iter()
        .chain(sd.signed_attrs.iter().flat_map(|a| a.archived_ocsps.iter()))
        .filter_map(|d| pki::ocsp::parse(d).ok())
        .map(Arc::new)
        .collect();
    let with_embedded;
    let store = if embedded.is_empty() && embedded_ocsps.is_empty() {
        store
    } else {
        let mut s = store.clone();
        s.crls.extend(embedded);
        s.ocsps.extend(embedded_ocsps);
        with_embedded = s;
        &with_embedded
    };
    // 4. A signature timestamp, if any: it gives the trusted signing time, and certificates
    // are then checked at the earlier of the validation time and that time.
    let mut trusted_time = None;
    for (oid, values) in &sd.unsigned_attrs {
        if oid != signed_data::OID_TIMESTAMP_TOKEN {
            continue;
        }
        let Some(token) = values.first() else {
            continue;
        };
        match check_timestamp_token(
            token,
            TimestampCovers::Bytes(&sd.signature),
            store,
            opts,
            at,
            digests,
        ) {
            Ok(ts) => {
                let notes: Vec<String> = ts
                    .findings
                    .0
                    .iter()
                    .map(|(p, _)| p.message.clone())
                    .collect();
                if let Some(bad) = ts.findings.0.iter().find(|(_, s)| s.is_some()) {
                    f.add(
                        None,
                        "timestamp_invalid",
                        format!("the signature timestamp is not usable: {}", bad.0.message),
                    );
                } else {
                    trusted_time = Some(ts.gen_time);
                    for n in notes {
                        f.add(None, "timestamp_note", format!("signature timestamp: {n}"));
                    }
                }
            }
            Err(e) => f.add(
                None,
                "timestamp_invalid",
                format!("the signature timestamp is not usable: {}", e.message),
            ),
        }
    }
    let check_at = trusted_time.map_or(at, |t| t.min(at));
    // 5-8. The signer: signed attributes, certificate, signature value, ESS, path.
    let claimed_time = trusted_time
        .or_else(|| sd.signed_attrs.as_ref().and_then(|a| a.signing_time))
        .or(pdf_m);
    let checked = check_signer(
        &sd,
        &content_digest,
        digest_alg,
        store,
        opts,
        check_at,
        claimed_time,
        f,
    );
    if let Some(t) = sd.signed_attrs.as_ref().and_then(|a| a.signing_time) {
        rep.signing_time = Some(fmt_time(t));
        rep.signing_time_source = SigningTimeSource::SignedAttribute;
    }
    if let Some(t) = trusted_time {
        rep.signing_time = Some(fmt_time(t));
        rep.signing_time_source = SigningTimeSource::Timestamp;
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
    if let Some(c) = &checked {
        rep.signer = Some(signer_of(&c.signer));
        rep.chain = c.chain.clone();
        // A claimed time before the certificate existed cannot be true.
        if let (None, Some(t)) = (trusted_time, claimed_time) {
            if t < c.signer.not_before {
                f.add(
                    None,
                    "signing_time_before_certificate",
                    format!(
                        "the claimed signing time {} is before the signer's certificate was issued ({})",
                        fmt_time(t),
                        fmt_time(c.signer.not_before)
                    ),
                );
            }
        }
    }
    if sd.signed_attrs.is_none() {
        f.add(None, "no_signed_attributes", "the signature has no signed attributes: its signing time is only the unsigned /M entry");
    }
    // 9. The PAdES baseline level the signature reaches.
    let has_ess = checked.as_ref().is_some_and(|c| c.has_ess);
    if sub_filter == "ETSI.CAdES.detached" && sd.signed_attrs.is_some() && has_ess {
        rep.level = Some(pades_level(doc, all, sig, trusted_time.is_some()).into());
    }
}

/// What [`check_signer`] established about a SignerInfo.
struct SignerCheck {
    signer: Arc<Cert>,
    chain: Vec<String>,
    has_ess: bool,
}

fn signer_of(c: &Cert) -> Signer {
    Signer {
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        serial: c.serial_hex(),
        sha256: c.sha256_hex(),
        crl_urls: c.crl_urls.clone(),
    }
}

/// The checks every CMS signer gets (document signatures and timestamp tokens alike): signed
/// attributes against the content digest, the signer's certificate, the signature value, the
/// ESS signing-certificate binding, and the certification path at `at`.
#[allow(clippy::too_many_arguments)]
fn check_signer(
    sd: &SignedData,
    content_digest: &[u8],
    digest_alg: DigestAlg,
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    claimed_time: Option<OffsetDateTime>,
    f: &mut Findings,
) -> Option<SignerCheck> {
    use SubIndication::*;
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
            Some(md) if md == content_digest => {}
            Some(_) => f.add(
                Some(HashFailure),
                "digest_mismatch",
                "the signed bytes do not match the digest in the signature: the document was altered after signing",
            ),
            None => f.add(Some(FormatFailure), "message_digest_missing", "the signed attributes have no messageDigest"),
        }
    }
    let cms_certs: Vec<Arc<Cert>> = sd
        .certificates
        .iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let Some(signer) = find_signer(sd, &cms_certs, store) else {
        f.add(
            Some(NoSigningCertificateFound),
            "signer_certificate_missing",
            "the signer's certificate is neither in the signature nor in the configured certificates",
        );
        return None;
    };
    let params = sd.signature_algorithm.params.as_deref();
    let sig_ok = match &sd.signed_attrs {
        Some(attrs) => crypto::verify(&signer.key, &sd.signature_algorithm.oid, params, Some(digest_alg), &[&attrs.signed_bytes], &sd.signature)
            .map(|d| {
                if !pki::document_digest_allowed(d, &opts.policy) && d != digest_alg {
                    f.add(
                        Some(CryptoConstraintsFailure),
                        "weak_digest",
                        "the signature value uses SHA-1, which the policy refuses (allow it with --allow-sha1-signatures)",
                    );
                }
            }),
        None => match crypto::signature_digest(&sd.signature_algorithm.oid, params, Some(digest_alg)) {
            Ok(d) if d == digest_alg => {
                crypto::verify_digest(&signer.key, &sd.signature_algorithm.oid, params, Some(digest_alg), content_digest, &sd.signature)
            }
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
    let mut has_ess = false;
    if let Some(first) = sd
        .signed_attrs
        .as_ref()
        .and_then(|a| a.ess_cert_ids.first())
    {
        has_ess = true;
        let matches = DigestAlg::from_oid(&first.hash_oid)
            .is_some_and(|d| d.hash(&[&signer.der]) == first.hash);
        if !matches {
            f.add(
                Some(NoSigningCertificateFound),
                "signing_certificate_mismatch",
                "the signing-certificate attribute names a different certificate than the one that signed",
            );
        }
    }
    let path = pki::check_path(&signer, &cms_certs, store, &opts.policy, at, &opts.budget);
    for finding in &path.findings {
        add_path_finding(f, finding, &opts.policy, claimed_time);
    }
    Some(SignerCheck {
        chain: path.chain.iter().map(|c| c.sha256_hex()).collect(),
        signer,
        has_ess,
    })
}

/// What a timestamp token's imprint must cover.
enum TimestampCovers<'a> {
    /// A signature timestamp: the signature value.
    Bytes(&'a [u8]),
    /// A document timestamp: the signed byte ranges of the file.
    Ranges(&'a [u8], &'a pdf::SignedRange),
}

struct TimestampCheck {
    gen_time: OffsetDateTime,
    tsa: Arc<Cert>,
    chain: Vec<String>,
    findings: Findings,
}

struct TimestampFailure {
    code: &'static str,
    message: String,
    sub: SubIndication,
}

const EKU_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// Verify an RFC 3161 token: its CMS, the TSA's certificate (chain and timeStamping EKU), and
/// the message imprint. Findings about the TSA's certificate are returned, not decided here.
fn check_timestamp_token(
    token: &[u8],
    covers: TimestampCovers,
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    digests: &mut DigestCache,
) -> Result<TimestampCheck, TimestampFailure> {
    use SubIndication::*;
    let fail = |code, message: String, sub| TimestampFailure { code, message, sub };
    let sd = signed_data::decode(
        token,
        opts.budget.max_cms_bytes,
        opts.budget.max_certs_per_cms,
    )
    .map_err(|e| {
        fail(
            "timestamp_malformed",
            format!("the timestamp token cannot be read: {e}"),
            FormatFailure,
        )
    })?;
    if sd.econtent_type != signed_data::OID_TST_INFO {
        return Err(fail(
            "timestamp_malformed",
            "the timestamp token does not hold a TSTInfo".into(),
            FormatFailure,
        ));
    }
    let content = sd.encapsulated_content.as_ref().ok_or_else(|| {
        fail(
            "timestamp_malformed",
            "the timestamp token has no TSTInfo content".into(),
            FormatFailure,
        )
    })?;
    let tst = signed_data::tst_info(content)
        .map_err(|e| fail("timestamp_malformed", e.to_string(), FormatFailure))?;
    let imprint_alg = DigestAlg::from_oid(&tst.imprint_hash_oid).ok_or_else(|| {
        fail(
            "timestamp_malformed",
            format!("unsupported imprint hash {}", tst.imprint_hash_oid),
            CryptoConstraintsFailure,
        )
    })?;
    let expected = match covers {
        TimestampCovers::Bytes(b) => imprint_alg.hash(&[b]),
        TimestampCovers::Ranges(bytes, r) => digests.get(imprint_alg, bytes, r),
    };
    if expected != tst.imprint {
        return Err(fail(
            "timestamp_imprint_mismatch",
            "the timestamp's message imprint does not match what it should cover".into(),
            HashFailure,
        ));
    }
    let digest_alg = DigestAlg::from_oid(&sd.digest_algorithm.oid).ok_or_else(|| {
        fail(
            "timestamp_malformed",
            format!("unsupported digest {}", sd.digest_algorithm.oid),
            CryptoConstraintsFailure,
        )
    })?;
    let mut findings = Findings::default();
    let content_digest = digest_alg.hash(&[content]);
    let Some(checked) = check_signer(
        &sd,
        &content_digest,
        digest_alg,
        store,
        opts,
        tst.gen_time.min(at),
        Some(tst.gen_time),
        &mut findings,
    ) else {
        let why = findings
            .0
            .first()
            .map(|(p, _)| p.message.clone())
            .unwrap_or_default();
        return Err(fail(
            "timestamp_invalid",
            format!("the timestamp's signer: {why}"),
            NoSigningCertificateFound,
        ));
    };
    if !checked
        .signer
        .ext_key_usage
        .iter()
        .any(|e| e == EKU_TIME_STAMPING)
    {
        findings.add(
            Some(SigConstraintsFailure),
            "tsa_not_time_stamping",
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

/// B-B, B-T, B-LT or B-LTA, from what the document carries (DSS, document timestamps) and what
/// verified (the signature timestamp).
fn pades_level(
    doc: &Document,
    all: &[SignatureDict],
    sig: &SignatureDict,
    timestamped: bool,
) -> &'static str {
    let later_doc_ts: Vec<&SignatureDict> = all
        .iter()
        .filter(|s| s.kind == SigKind::DocumentTimestamp && s.revision > sig.revision)
        .collect();
    if !timestamped && later_doc_ts.is_empty() {
        return "B-B";
    }
    // Validation data in a /DSS added after the signature.
    let dss_rev = (sig.revision..doc.revision_count()).find(|r| has_dss(doc, *r));
    match dss_rev {
        None => "B-T",
        Some(r) if later_doc_ts.iter().any(|t| t.revision >= r) => "B-LTA",
        Some(_) => "B-LT",
    }
}

/// The trust store plus the certificates and CRLs of the document's latest /DSS, if it has any.
fn dss_validation_data(doc: &Document, store: &TrustStore) -> Option<TrustStore> {
    use pdf::object::{dict_get, Object};
    let rev = doc.latest();
    let (root, _) = doc
        .revisions
        .iter()
        .rev()
        .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))?;
    let cat = doc.object(rev, root).ok()??;
    let resolve = |o: &Object| match o {
        Object::Ref(n, _) => doc.object(rev, *n).ok().flatten(),
        other => Some(other.clone()),
    };
    let dss = resolve(cat.get(b"DSS")?)?;
    let streams = |key: &[u8]| -> Vec<Vec<u8>> {
        let Some(arr) = dss.get(key).and_then(resolve) else {
            return Vec::new();
        };
        arr.as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(resolve)
            .filter_map(|o| match o {
                Object::Stream(d, r) => doc.decode_stream(&d, doc.bytes.get(r)?).ok(),
                _ => None,
            })
            .collect()
    };
    let certs: Vec<Arc<Cert>> = streams(b"Certs")
        .iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let crls: Vec<Arc<pki::Crl>> = streams(b"CRLs")
        .iter()
        .filter_map(|d| pki::Crl::from_der(d).ok())
        .map(Arc::new)
        .collect();
    let ocsps: Vec<Arc<pki::ocsp::OcspResponse>> = streams(b"OCSPs")
        .iter()
        .filter_map(|d| pki::ocsp::parse(d).ok())
        .map(Arc::new)
        .collect();
    if certs.is_empty() && crls.is_empty() && ocsps.is_empty() {
        return None;
    }
    let mut s = store.clone();
    s.intermediates.extend(certs);
    s.crls.extend(crls);
    s.ocsps.extend(ocsps);
    Some(s)
}

fn has_dss(doc: &Document, rev: usize) -> bool {
    use pdf::object::{dict_get, Object};
    let Some((root, _)) = doc.revisions[..=rev]
        .iter()
        .rev()
        .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))
    else {
        return false;
    };
    let Ok(Some(cat)) = doc.object(rev, root) else {
        return false;
    };
    let dss = match cat.get(b"DSS") {
        Some(Object::Ref(n, _)) => doc.object(rev, *n).ok().flatten(),
        Some(o) => Some(o.clone()),
        None => None,
    };
    dss.is_some_and(|d| d.get(b"CRLs").is_some() || d.get(b"OCSPs").is_some())
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
            // Under --require-revocation an outdated CRL does not settle the status.
            policy.require_revocation.then_some(TryLater),
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
