//! One signature from byte range to PAdES level: the stages every signature dictionary goes
//! through, in the order of ETSI EN 319 102-1 §5 (format, identification, integrity, time,
//! certificate path), each adding findings to one per-signature context.

use super::dates::{fmt_time, parse_pdf_date};
use super::digests::Digests;
use super::findings::Findings;
use super::level::pades_level;
use super::signer::{check_signer, signer_of, SignerInputs};
use super::timestamp::{check_timestamp_token, TimestampCovers, TimestampFailure};
use super::validation_data;
use super::Options;
use crate::cms::{self, SignedData};
use crate::pdf::{self, changes, Coverage, Document, DssHistory, SigKind, SignatureDict};
use crate::pki::crypto::DigestAlg;
use crate::pki::{self, TrustStore};
use crate::report::{
    Indication, ProblemCode, SignatureKind, SignatureReport, SigningTimeSource, SubIndication,
};
use std::borrow::Cow;
use std::sync::Arc;
use time::OffsetDateTime;

/// What every stage of one signature's checks shares: the document and its signatures, the
/// trust, the options and the validation time (arguments, never read from the environment),
/// and what has been found so far.
pub(super) struct SignatureCheck<'a, 'd> {
    doc: &'a Document<'d>,
    dss: &'a DssHistory<'a, 'd>,
    sig: &'a SignatureDict,
    all: &'a [SignatureDict],
    store: &'a TrustStore,
    opts: &'a Options,
    at: OffsetDateTime,
    digests: &'a mut dyn Digests,
    f: Findings,
    rep: SignatureReport,
}

/// The document, its signatures and the verification inputs, for [`check_signature`].
pub(super) struct Inputs<'a, 'd> {
    pub(super) doc: &'a Document<'d>,
    /// The /DSS of each revision, read once for all the signatures.
    pub(super) dss: &'a DssHistory<'a, 'd>,
    pub(super) all: &'a [SignatureDict],
    pub(super) store: &'a TrustStore,
    pub(super) opts: &'a Options,
    pub(super) at: OffsetDateTime,
}

/// Check one signature dictionary of the document.
pub(super) fn check_signature(
    inputs: &Inputs,
    sig: &SignatureDict,
    digests: &mut dyn Digests,
) -> SignatureReport {
    SignatureCheck {
        doc: inputs.doc,
        dss: inputs.dss,
        sig,
        all: inputs.all,
        store: inputs.store,
        opts: inputs.opts,
        at: inputs.at,
        digests,
        f: Findings::default(),
        rep: empty_report(sig),
    }
    .run()
}

fn empty_report(sig: &SignatureDict) -> SignatureReport {
    SignatureReport {
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
    }
}

/// How the signed bytes reach the CMS, by `/SubFilter` (ISO 32000-2 §12.8.3).
enum Kind {
    /// adbe.pkcs7.detached, ETSI.CAdES.detached: the CMS digests the byte ranges.
    Detached,
    /// adbe.pkcs7.sha1: the CMS signs the SHA-1 digest of the byte ranges as its content.
    Sha1Content,
    /// ETSI.RFC3161: a document timestamp.
    DocumentTimestamp,
}

/// Vietnam's offset, the one the units' signing tools use.
const VIETNAM: time::UtcOffset = match time::UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => time::UtcOffset::UTC,
};

impl<'a> SignatureCheck<'a, '_> {
    /// Some signing tools write the Vietnam wall-clock time into the CMS signingTime labelled
    /// as UTC (RFC 5652 §11.3 requires UTC). When the same signature's /M gives that wall clock
    /// with +07:00 (within two minutes), the signingTime is read as Vietnam time, and the report
    /// says so.
    fn local_as_utc(
        &mut self,
        signed: OffsetDateTime,
        pdf_m: Option<OffsetDateTime>,
    ) -> OffsetDateTime {
        let Some(m) = pdf_m.filter(|m| m.offset() == VIETNAM) else {
            return signed;
        };
        let as_local = signed.replace_offset(VIETNAM);
        if (as_local - m).abs() > time::Duration::minutes(2)
            || (signed - m).abs() < time::Duration::hours(6)
        {
            return signed;
        }
        self.f.add(
            None,
            ProblemCode::SigningTimeLocalAsUtc,
            format!(
                "the CMS signingTime {} is the /M wall-clock time {} labelled as UTC: the signing tool wrote Vietnam time as UTC, so it is read as {}",
                fmt_time(signed),
                self.sig.m.as_deref().unwrap_or(""),
                fmt_time(as_local)
            ),
        );
        as_local
    }

    fn run(mut self) -> SignatureReport {
        let pdf_m = self.sig.m.as_deref().and_then(parse_pdf_date);
        if let Some(m) = pdf_m {
            self.rep.signing_time = Some(m);
            self.rep.signing_time_source = SigningTimeSource::PdfM;
        }
        self.stages(pdf_m);
        let (ind, sub, problems) = self.f.outcome();
        self.rep.indication = ind;
        self.rep.sub_indication = sub;
        self.rep.problems = problems;
        self.rep
    }

    /// The stages in order; each returns None when the signature cannot be checked further.
    fn stages(&mut self, pdf_m: Option<OffsetDateTime>) -> Option<()> {
        let range = self.byte_range()?;
        let (contents, sd) = self.cms()?;
        let kind = self.kind()?;
        if let Kind::DocumentTimestamp = kind {
            self.document_timestamp(&contents, &range);
            return Some(());
        }
        let (content_digest, digest_alg) = self.covered_digest(&sd, &kind, &range)?;
        let store = self.with_embedded_validation_data(&sd);
        let trusted_time = self.signature_timestamp(&sd, &store);
        self.signer(
            &sd,
            &content_digest,
            digest_alg,
            &store,
            trusted_time,
            pdf_m,
        );
        if matches!(kind, Kind::Detached) && sd.econtent_type != crate::der::oid::DATA {
            self.f.add(
                Some(SubIndication::FormatFailure),
                ProblemCode::ContentTypeUnexpected,
                format!(
                    "encapsulated content type {} is not id-data",
                    sd.econtent_type
                ),
            );
        }
        Some(())
    }

    /// 1. The byte range (ISO 32000-2 §12.8.1), its coverage, and what changed afterwards.
    fn byte_range(&mut self) -> Option<pdf::SignedRange> {
        let range = match pdf::check_byte_range(self.doc, self.sig) {
            Ok(r) => r,
            Err(e) => {
                self.f.add(
                    Some(SubIndication::FormatFailure),
                    ProblemCode::ByteRangeInvalid,
                    format!("{e}; the signed bytes cannot be identified"),
                );
                return None;
            }
        };
        self.rep.coverage = range.coverage;
        match (range.coverage, range.revision) {
            (Coverage::Partial, _) | (_, None) => self.f.add(
                Some(SubIndication::FormatFailure),
                ProblemCode::CoveragePartial,
                format!(
                    "the signature covers bytes 0..{} which is neither the whole file ({} bytes) nor a whole revision",
                    range.end,
                    self.doc.bytes.len()
                ),
            ),
            (_, Some(rev)) => self.modifications(rev),
        }
        Some(range)
    }

    /// What changed after the signed revision `rev`, under the policy the signatures up to it
    /// set (ISO 32000-2 §12.8.2: DocMDP, FieldMDP).
    fn modifications(&mut self, rev: usize) {
        let all = self.all;
        // The certification signature's DocMDP governs every later change; a signed
        // field's FieldMDP /P (§12.8.2.4) can only lower that level, and FieldMDP locks of this
        // and every earlier signature apply after this one.
        // A certification after this signature cannot grant more than it had (a later P=3
        // adding annotations to what an approval signature covered), only less.
        let earlier = all
            .iter()
            .filter(|s| s.revision <= rev)
            .find_map(|s| s.docmdp);
        let later = all
            .iter()
            .filter(|s| s.revision > rev)
            .filter_map(|s| s.docmdp)
            .min();
        let certified = match (earlier, later) {
            (Some(e), Some(l)) => Some(e.min(l)),
            (e, None) => e,
            (None, Some(l)) => Some(l.min(2)),
        };
        let docmdp = certified
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
        let ch = changes::analyse(self.doc, rev, &policy, self.dss);
        self.rep.modifications_after = ch.verdict;
        let closed = matches!(self.doc.encryption(), pdf::Encryption::Closed { .. });
        if closed && rev < self.doc.latest() && ch.disallowed.is_empty() {
            self.rep.modifications_after = changes::Modifications::Unchecked;
            self.f.add(
                Some(SubIndication::SigConstraintsFailure),
                ProblemCode::EncryptedUnreadable,
                "the changes made after this signature cannot be checked: the document is encrypted and could not be opened",
            );
        }
        for why in ch.disallowed {
            self.f.add(
                Some(SubIndication::FormatFailure),
                ProblemCode::ModifiedAfterSigning,
                format!("the document was changed after this signature: {why}"),
            );
        }
    }

    /// 2. The CMS (RFC 5652) in `/Contents`.
    fn cms(&mut self) -> Option<(Vec<u8>, SignedData)> {
        let Some((contents, _, _)) = &self.sig.contents else {
            self.f.add(
                Some(SubIndication::FormatFailure),
                ProblemCode::ContentsMissing,
                "the signature has no /Contents",
            );
            return None;
        };
        let budget = &self.opts.budget;
        match cms::decode(contents, budget.max_cms_bytes, budget.max_certs_per_cms) {
            Ok(sd) => Some((contents.clone(), sd)),
            Err(
                e @ (cms::CmsError::TooLarge { .. } | cms::CmsError::TooManyCertificates { .. }),
            ) => {
                self.f.add(
                    Some(SubIndication::FormatFailure),
                    ProblemCode::BudgetExceeded,
                    e.to_string(),
                );
                None
            }
            Err(e) => {
                self.f.add(
                    Some(SubIndication::FormatFailure),
                    ProblemCode::CmsMalformed,
                    e.to_string(),
                );
                None
            }
        }
    }

    /// 3. What is signed, according to the `/SubFilter`.
    fn kind(&mut self) -> Option<Kind> {
        match self.sig.sub_filter.as_deref().unwrap_or("") {
            "adbe.pkcs7.detached" | "ETSI.CAdES.detached" => Some(Kind::Detached),
            "adbe.pkcs7.sha1" => Some(Kind::Sha1Content),
            "ETSI.RFC3161" => Some(Kind::DocumentTimestamp),
            other => {
                self.f.add(
                    Some(SubIndication::FormatFailure),
                    ProblemCode::SubFilterUnsupported,
                    format!("unsupported /SubFilter {other:?}"),
                );
                None
            }
        }
    }

    /// A document timestamp (ETSI EN 319 142-1 §5.4): the token's imprint covers the ranges.
    fn document_timestamp(&mut self, token: &[u8], range: &pdf::SignedRange) {
        let covers = TimestampCovers::Ranges(self.doc.bytes, range);
        let check = (self.store, self.opts, self.doc.meter());
        match check_timestamp_token(token, covers, check, self.at, self.digests) {
            Ok(ts) => {
                self.rep.signer = Some(signer_of(&ts.tsa));
                self.rep.chain = ts.chain;
                self.rep.signing_time = Some(ts.gen_time);
                self.rep.signing_time_source = SigningTimeSource::Timestamp;
                for (p, sub) in ts.findings.0 {
                    self.f.add(sub, p.code, p.message);
                }
            }
            Err(TimestampFailure { code, message, sub }) => self.f.add(Some(sub), code, message),
        }
    }

    /// The digest of the document as the signature claims to cover it, and the CMS digest
    /// algorithm; the policy on weak digests.
    fn covered_digest(
        &mut self,
        sd: &SignedData,
        kind: &Kind,
        range: &pdf::SignedRange,
    ) -> Option<(Vec<u8>, DigestAlg)> {
        let Some(digest_alg) = DigestAlg::from_oid(&sd.digest_algorithm.oid) else {
            self.f.add(
                Some(SubIndication::CryptoConstraintsFailure),
                ProblemCode::DigestUnsupported,
                format!("unsupported digest algorithm {}", sd.digest_algorithm.oid),
            );
            return None;
        };
        let bytes = self.doc.bytes;
        let (content_digest, document_digest_alg) = if let Kind::Detached = kind {
            if sd.encapsulated_content.is_some() {
                self.f.add(
                    Some(SubIndication::FormatFailure),
                    ProblemCode::DetachedWithContent,
                    "a detached signature must not carry encapsulated content",
                );
                return None;
            }
            (self.digests.get(digest_alg, bytes, range), digest_alg)
        } else {
            let Some(content) = &sd.encapsulated_content else {
                self.f.add(
                    Some(SubIndication::FormatFailure),
                    ProblemCode::ContentMissing,
                    "adbe.pkcs7.sha1 signature without its SHA-1 content",
                );
                return None;
            };
            if *content != self.digests.get(DigestAlg::Sha1, bytes, range) {
                self.f.add(Some(SubIndication::HashFailure), ProblemCode::DigestMismatch, "the SHA-1 digest inside the signature does not match the signed bytes: the document was altered");
            }
            (digest_alg.hash(&[content]), DigestAlg::Sha1)
        };
        let policy = &self.opts.policy;
        if !pki::document_digest_allowed(document_digest_alg, policy)
            || !pki::document_digest_allowed(digest_alg, policy)
        {
            self.f.add(
                Some(SubIndication::CryptoConstraintsFailure),
                ProblemCode::WeakDigest,
                "the document is signed with SHA-1, which the policy refuses for document signatures (allow it with --allow-sha1-signatures)",
            );
        }
        Some((content_digest, digest_alg))
    }

    /// The trust store plus the CRLs and OCSP responses the CMS carries (RevocationInfoChoices,
    /// adbe-revocationInfoArchival), decoded under the document's budget; each is verified
    /// against its issuer where it is used.
    fn with_embedded_validation_data(&self, sd: &SignedData) -> Cow<'a, TrustStore> {
        let meter = self.doc.meter();
        let crls: Vec<Arc<pki::Crl>> = sd
            .crls
            .iter()
            .chain(sd.signed_attrs.iter().flat_map(|a| a.archived_crls.iter()))
            .filter_map(|d| validation_data::crl(meter, d))
            .map(Arc::new)
            .collect();
        let ocsps: Vec<Arc<pki::ocsp::OcspResponse>> = sd
            .ocsps
            .iter()
            .chain(sd.signed_attrs.iter().flat_map(|a| a.archived_ocsps.iter()))
            .filter_map(|d| validation_data::ocsp_response(meter, d))
            .map(Arc::new)
            .collect();
        if crls.is_empty() && ocsps.is_empty() {
            return Cow::Borrowed(self.store);
        }
        let mut s = self.store.clone();
        s.crls.extend(crls);
        s.ocsps.extend(ocsps);
        Cow::Owned(s)
    }

    /// 4. A signature timestamp (RFC 3161 in the unsigned attributes), if any: it gives the
    /// trusted signing time. One that does not verify is reported and ignored, as EU DSS does.
    fn signature_timestamp(
        &mut self,
        sd: &SignedData,
        store: &TrustStore,
    ) -> Option<OffsetDateTime> {
        let mut trusted_time = None;
        let tokens = sd
            .unsigned_attrs
            .iter()
            .filter(|(oid, _)| oid == crate::der::oid::TIMESTAMP_TOKEN)
            .filter_map(|(_, values)| values.first());
        for token in tokens {
            let covers = TimestampCovers::Bytes(&sd.signature);
            let check = (store, self.opts, self.doc.meter());
            match check_timestamp_token(token, covers, check, self.at, self.digests) {
                Ok(ts) => {
                    if let Some(bad) = ts.findings.0.iter().find(|(_, s)| s.is_some()) {
                        self.f.add(
                            None,
                            ProblemCode::TimestampInvalid,
                            format!("the signature timestamp is not usable: {}", bad.0.message),
                        );
                        continue;
                    }
                    trusted_time = Some(ts.gen_time);
                    for (p, _) in &ts.findings.0 {
                        self.f.add(
                            None,
                            ProblemCode::TimestampNote,
                            format!("signature timestamp: {}", p.message),
                        );
                    }
                }
                Err(e) => self.f.add(
                    None,
                    ProblemCode::TimestampInvalid,
                    format!("the signature timestamp is not usable: {}", e.message),
                ),
            }
        }
        trusted_time
    }

    /// 5-9. The signer (signed attributes, certificate, signature value, ESS, path), checked at
    /// the earlier of the validation time and a trusted signing time; the signing time the
    /// report shows; the PAdES level.
    fn signer(
        &mut self,
        sd: &SignedData,
        content_digest: &[u8],
        digest_alg: DigestAlg,
        store: &TrustStore,
        trusted_time: Option<OffsetDateTime>,
        pdf_m: Option<OffsetDateTime>,
    ) {
        let check_at = trusted_time.map_or(self.at, |t| t.min(self.at));
        let signed_time = sd.signed_attrs.as_ref().and_then(|a| a.signing_time);
        let signed_time = signed_time.map(|t| self.local_as_utc(t, pdf_m));
        let claimed_time = trusted_time.or(signed_time).or(pdf_m);
        let inputs = SignerInputs {
            content_digest,
            digest_alg,
            store,
            meter: self.doc.meter(),
            opts: self.opts,
            at: check_at,
            claimed: claimed_time,
        };
        let checked = check_signer(sd, &inputs, &mut self.f);
        if let Some(t) = signed_time {
            self.rep.signing_time = Some(t);
            self.rep.signing_time_source = SigningTimeSource::SignedAttribute;
        }
        if let Some(t) = trusted_time {
            self.rep.signing_time = Some(t);
            self.rep.signing_time_source = SigningTimeSource::Timestamp;
        }
        if let Some(c) = &checked {
            self.rep.signer = Some(signer_of(&c.signer));
            self.rep.chain = c.chain.clone();
            // A claimed time before the certificate existed cannot be true.
            if let (None, Some(t)) = (trusted_time, claimed_time) {
                if t < c.signer.not_before {
                    self.f.add(
                        None,
                        ProblemCode::SigningTimeBeforeCertificate,
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
            self.f.add(None, ProblemCode::NoSignedAttributes, "the signature has no signed attributes: its signing time is only the unsigned /M entry");
        }
        // 9. The PAdES baseline level the signature reaches.
        let has_ess = checked.as_ref().is_some_and(|c| c.has_ess);
        let cades = self.sig.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
        if cades && sd.signed_attrs.is_some() && has_ess {
            let level = pades_level(
                self.doc,
                self.dss,
                self.all,
                self.sig,
                trusted_time.is_some(),
            );
            self.rep.level = Some(level);
        }
    }
}
