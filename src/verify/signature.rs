//! One signature from byte range to PAdES level: the stages every signature dictionary goes
//! through, in the order of ETSI EN 319 102-1 §5 (format, identification, integrity, time,
//! certificate path), each adding findings.

use super::*;
use crate::pdf::{self, changes, Coverage, Document, SigKind, SignatureDict};
use crate::pki::crypto::DigestAlg;
use crate::pki::{self, TrustStore};
use crate::signed_data::{self};
use std::sync::Arc;
use time::OffsetDateTime;

#[allow(clippy::too_many_arguments)]
pub(super) fn check_signature(
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
pub(super) fn run_checks(
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
