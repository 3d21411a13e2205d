//! The CMS signer (RFC 5652 §5.4, §5.6): signed attributes, signer certificate, signature
//! value, ESS signing-certificate (RFC 5035), and the certification path's findings.

use super::dates::date;
use super::findings::Findings;
use super::Options;
use crate::cms::{SignedData, SignerId};
use crate::pdf::meter::Meter;
use crate::pki::crypto::{self, DigestAlg};
use crate::pki::{self, Cert, Finding, Policy, TrustStore};
use crate::report::{ProblemCode, Signer, SubIndication};
use std::sync::Arc;
use time::OffsetDateTime;

/// What [`check_signer`] established about a SignerInfo.
pub(super) struct SignerCheck {
    pub(super) signer: Arc<Cert>,
    pub(super) chain: Vec<String>,
    pub(super) has_ess: bool,
}

pub(super) fn signer_of(c: &Cert) -> Signer {
    Signer {
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        serial: c.serial_hex(),
        sha256: c.sha256_hex(),
        crl_urls: c.crl_urls.clone(),
    }
}

/// What a signer is checked against.
pub(super) struct SignerInputs<'a> {
    /// The digest of what the CMS signs (the byte ranges, or a token's TSTInfo).
    pub(super) content_digest: &'a [u8],
    pub(super) digest_alg: DigestAlg,
    pub(super) store: &'a TrustStore,
    /// The document's meter: the CMS certificates are decoded under its budget.
    pub(super) meter: &'a Meter,
    pub(super) opts: &'a Options,
    /// When the certificates must be valid.
    pub(super) at: OffsetDateTime,
    /// The signing time the signature claims (or a timestamp proves), for revocation.
    pub(super) claimed: Option<OffsetDateTime>,
}

/// The checks every CMS signer gets (document signatures and timestamp tokens alike): signed
/// attributes against the content digest, the signer's certificate, the signature value, the
/// ESS signing-certificate binding, and the certification path at `at`.
pub(super) fn check_signer(
    sd: &SignedData,
    inputs: &SignerInputs,
    f: &mut Findings,
) -> Option<SignerCheck> {
    check_signed_attrs(sd, inputs.content_digest, f);
    let cms_certs: Vec<Arc<Cert>> = sd
        .certificates
        .iter()
        .filter_map(|d| super::validation_data::cert(inputs.meter, d))
        .map(Arc::new)
        .collect();
    let Some(signer) = find_signer(sd, &cms_certs, inputs.store) else {
        f.add(
            Some(SubIndication::NoSigningCertificateFound),
            ProblemCode::SignerCertificateMissing,
            "the signer's certificate is neither in the signature nor in the configured certificates",
        );
        return None;
    };
    check_signature_value(sd, &signer, inputs, f);
    let has_ess = check_ess(sd, &signer, f);
    let opts = inputs.opts;
    let path = pki::check_path(
        &signer,
        &cms_certs,
        inputs.store,
        &opts.policy,
        inputs.at,
        &opts.budget,
    );
    for finding in &path.findings {
        add_path_finding(f, finding, &opts.policy, inputs.claimed);
    }
    Some(SignerCheck {
        chain: path.chain.iter().map(|c| c.sha256_hex()).collect(),
        signer,
        has_ess,
    })
}

/// RFC 5652 §5.3/§11.1–11.2: the signed contentType equals the encapsulated type and the
/// messageDigest equals the digest of the content.
fn check_signed_attrs(sd: &SignedData, content_digest: &[u8], f: &mut Findings) {
    let Some(attrs) = &sd.signed_attrs else {
        return;
    };
    match &attrs.content_type {
        Some(ct) if *ct == sd.econtent_type => {}
        Some(ct) => f.add(
            Some(SubIndication::FormatFailure),
            ProblemCode::ContentTypeMismatch,
            format!(
                "signed contentType {ct} differs from the encapsulated type {}",
                sd.econtent_type
            ),
        ),
        None => f.add(
            Some(SubIndication::FormatFailure),
            ProblemCode::ContentTypeMissing,
            "the signed attributes have no contentType",
        ),
    }
    match &attrs.message_digest {
        Some(md) if md == content_digest => {}
        Some(_) => f.add(
            Some(SubIndication::HashFailure),
            ProblemCode::DigestMismatch,
            "the signed bytes do not match the digest in the signature: the document was altered after signing",
        ),
        None => f.add(Some(SubIndication::FormatFailure), ProblemCode::MessageDigestMissing, "the signed attributes have no messageDigest"),
    }
}

/// Whether the signature verifies over the signed attributes as written, when those are not
/// their DER encoding.
fn signed_as_written(sd: &SignedData, signer: &Cert, digest_alg: DigestAlg) -> bool {
    let Some(written) = sd
        .signed_attrs
        .as_ref()
        .and_then(|a| a.written_bytes.as_ref())
    else {
        return false;
    };
    let params = sd.signature_algorithm.params.as_deref();
    crypto::verify(
        &signer.key,
        &sd.signature_algorithm.oid,
        params,
        Some(digest_alg),
        &[written],
        &sd.signature,
    )
    .is_ok()
}

/// RFC 5652 §5.6: the signature value over the signed attributes (or, without them, over the
/// content digest) verifies with the signer's key.
fn check_signature_value(sd: &SignedData, signer: &Cert, inputs: &SignerInputs, f: &mut Findings) {
    let (digest_alg, content_digest) = (inputs.digest_alg, inputs.content_digest);
    // RFC 8419 §3.1: with Ed448 the message digest is SHAKE256 (512 bits), nothing else.
    if matches!(signer.key, crypto::PublicKey::Ed448(_)) && digest_alg != DigestAlg::Shake256_512 {
        f.add(
            Some(SubIndication::CryptoConstraintsFailure),
            ProblemCode::AlgorithmUnsupported,
            format!(
                "an Ed448 signature in CMS digests with SHAKE256 (RFC 8419 §3.1), this one with {}",
                digest_alg.name()
            ),
        );
        return;
    }
    let params = sd.signature_algorithm.params.as_deref();
    let sig_ok = match &sd.signed_attrs {
        Some(attrs) => crypto::verify(&signer.key, &sd.signature_algorithm.oid, params, Some(digest_alg), &[&attrs.signed_bytes], &sd.signature)
            .map(|d| {
                if !pki::document_digest_allowed(d, &inputs.opts.policy) && d != digest_alg {
                    f.add(
                        Some(SubIndication::CryptoConstraintsFailure),
                        ProblemCode::WeakDigest,
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
        Err(crypto::CryptoError::BadSignature) if signed_as_written(sd, signer, digest_alg) => f
            .add(
                Some(SubIndication::SigCryptoFailure),
                ProblemCode::SignedAttributesNotDer,
                "the signature was computed over signed attributes that are not DER-encoded (their elements are out of DER order); RFC 5652 §5.4 requires the DER encoding, over which it does not verify",
            ),
        Err(crypto::CryptoError::BadSignature) => {
            // A combined signatureAlgorithm (e.g. sha256WithRSAEncryption) names its own hash;
            // kyso verifies with it. Say so when the digestAlgorithm names another one: some
            // producers sign with the digestAlgorithm's hash and label the signature wrongly.
            let named =
                crypto::signature_digest(&sd.signature_algorithm.oid, params, Some(digest_alg));
            let why = match named {
                Ok(d) if d != digest_alg => format!(
                    "; its signatureAlgorithm names {} but its digestAlgorithm {} (RFC 5652 §5.3): the value was checked with {}, as the signature algorithm says",
                    d.name(),
                    digest_alg.name(),
                    d.name()
                ),
                _ => String::new(),
            };
            f.add(
                Some(SubIndication::SigCryptoFailure),
                ProblemCode::SignatureInvalid,
                format!("the signature value does not verify with the signer's public key{why}"),
            )
        }
        Err(e) => f.add(
            Some(SubIndication::CryptoConstraintsFailure),
            ProblemCode::AlgorithmUnsupported,
            e.to_string(),
        ),
    }
}

/// RFC 5035 ESS signing-certificate(-v2): the first certificate hash names the signer's
/// certificate. Returns whether the attribute is present.
fn check_ess(sd: &SignedData, signer: &Cert, f: &mut Findings) -> bool {
    let Some(first) = sd
        .signed_attrs
        .as_ref()
        .and_then(|a| a.ess_cert_ids.first())
    else {
        return false;
    };
    let matches =
        DigestAlg::from_oid(&first.hash_oid).is_some_and(|d| d.hash(&[&signer.der]) == first.hash);
    if !matches {
        f.add(
            Some(SubIndication::NoSigningCertificateFound),
            ProblemCode::SigningCertificateMismatch,
            "the signing-certificate attribute names a different certificate than the one that signed",
        );
    }
    true
}

pub(super) fn find_signer(
    sd: &SignedData,
    cms_certs: &[Arc<Cert>],
    store: &TrustStore,
) -> Option<Arc<Cert>> {
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
pub(super) fn issuer_matches(issuer_der: &[u8], c: &Cert) -> bool {
    use x509_parser::prelude::FromDer;
    x509_parser::x509::X509Name::from_der(issuer_der)
        .map(|(_, n)| {
            n.to_string().to_lowercase() == c.issuer.to_lowercase()
                || n.as_raw() == c.issuer_raw.as_slice()
        })
        .unwrap_or(false)
}

pub(super) fn add_path_finding(
    f: &mut Findings,
    finding: &Finding,
    policy: &Policy,
    claimed: Option<OffsetDateTime>,
) {
    match finding {
        Finding::NoPath { issuer, candidates } => f.add(
            Some(SubIndication::NoCertificateChainFound),
            ProblemCode::NoChain,
            format!("no chain to a trusted anchor: issuer \"{issuer}\" not found among the trusted certificates ({candidates} with that name tried)"),
        ),
        Finding::PathBudget { limit } => f.add(
            Some(SubIndication::NoCertificateChainFound),
            ProblemCode::PathBudgetExceeded,
            format!("path building stopped after {limit} attempts (budget)"),
        ),
        Finding::OutsideValidity { subject, not_before, not_after } => f.add(
            Some(SubIndication::OutOfBoundsNoPoe),
            ProblemCode::CertificateNotValidAtTime,
            format!("certificate \"{subject}\" is valid from {} to {}, not at the validation time", date(*not_before), date(*not_after)),
        ),
        Finding::NotCa { subject } => f.add(Some(SubIndication::ChainConstraintsFailure), ProblemCode::IssuerNotCa, format!("\"{subject}\" issues certificates but is not a CA (basicConstraints)")),
        Finding::PathLenExceeded { subject, path_len } => f.add(
            Some(SubIndication::ChainConstraintsFailure),
            ProblemCode::PathLengthExceeded,
            format!("the path is longer than \"{subject}\" allows (pathLenConstraint {path_len})"),
        ),
        Finding::NoKeyCertSign { subject } => f.add(
            Some(SubIndication::ChainConstraintsFailure),
            ProblemCode::IssuerKeyUsage,
            format!("\"{subject}\" is not allowed to sign certificates (keyUsage without keyCertSign)"),
        ),
        Finding::UnknownCriticalExtension { subject, oids } => f.add(
            Some(SubIndication::ChainConstraintsFailure),
            ProblemCode::UnknownCriticalExtension,
            format!("certificate \"{subject}\" has critical extensions kyso does not understand: {}", oids.join(", ")),
        ),
        Finding::WeakKey { subject, bits, min } => f.add(
            Some(SubIndication::CryptoConstraintsFailure),
            ProblemCode::WeakKey,
            format!("certificate \"{subject}\" has an RSA key of {bits} bits; the policy requires at least {min}"),
        ),
        Finding::UnsupportedKey { subject, what } => f.add(Some(SubIndication::CryptoConstraintsFailure), ProblemCode::KeyUnsupported, format!("certificate \"{subject}\": {what}")),
        Finding::Sha1InChain { subject } => f.add(
            Some(SubIndication::CryptoConstraintsFailure),
            ProblemCode::WeakDigestInChain,
            format!("certificate \"{subject}\" is signed with SHA-1, which the policy refuses"),
        ),
        Finding::SignerKeyUsage { subject, present } => f.add(
            Some(SubIndication::SigConstraintsFailure),
            ProblemCode::SignerKeyUsage,
            if *present {
                format!("the signer's certificate \"{subject}\" is not for signing (keyUsage has neither digitalSignature nor nonRepudiation)")
            } else {
                format!("the signer's certificate \"{subject}\" has no keyUsage extension, so it is not marked for signing")
            },
        ),
        Finding::NameNotPermitted { subject, name } => f.add(
            Some(SubIndication::ChainConstraintsFailure),
            ProblemCode::NameNotPermitted,
            format!("certificate \"{subject}\" has the {name}, which a CA above it does not permit (nameConstraints)"),
        ),
        Finding::Nonconforming { .. } | Finding::NameConstraintBudget { .. } => {
            add_profile_finding(f, finding)
        }
        Finding::Revoked { .. }
        | Finding::NoRevocationData { .. }
        | Finding::CrlExpired { .. }
        | Finding::CrlNonconforming { .. } => {
            add_revocation_finding(f, finding, policy, claimed)
        }
    }
}

/// A certificate against the RFC 5280 §4 profile, and name-constraint work over its budget.
fn add_profile_finding(f: &mut Findings, finding: &Finding) {
    match finding {
        Finding::Nonconforming { subject, defect } => f.add(
            Some(SubIndication::ChainConstraintsFailure),
            ProblemCode::CertificateNonconforming,
            format!("certificate \"{subject}\" breaks the certificate profile: {defect}"),
        ),
        Finding::NameConstraintBudget { limit } => f.add(
            Some(SubIndication::ChainConstraintsFailure),
            ProblemCode::NameConstraintBudgetExceeded,
            format!("checking the path's names against its name constraints would take more than {limit} comparisons (budget)"),
        ),
        _ => {}
    }
}

/// The revocation findings (RFC 5280 §6.3, RFC 6960): revoked before or after the signing
/// time, no revocation data, an outdated CRL.
fn add_revocation_finding(
    f: &mut Findings,
    finding: &Finding,
    policy: &Policy,
    claimed: Option<OffsetDateTime>,
) {
    match finding {
        Finding::Revoked { subject, at, signer } => {
            if !*signer {
                f.add(Some(SubIndication::RevokedCaNoPoe), ProblemCode::CaRevoked, format!("CA certificate \"{subject}\" was revoked on {}", date(*at)));
            } else if claimed.is_some_and(|c| *at <= c) {
                f.add(Some(SubIndication::Revoked), ProblemCode::CertificateRevoked, format!("the signer's certificate was revoked on {}, before the signing time", date(*at)));
            } else {
                f.add(
                    Some(SubIndication::RevokedNoPoe),
                    ProblemCode::CertificateRevoked,
                    format!("the signer's certificate was revoked on {}; nothing proves the signature existed before that", date(*at)),
                );
            }
        }
        Finding::NoRevocationData { subject, issuer } => f.add(
            policy.require_revocation.then_some(SubIndication::TryLater),
            ProblemCode::RevocationUnknown,
            format!("neither a CRL from \"{issuer}\" nor an OCSP answer is available, so the revocation of \"{subject}\" was not checked"),
        ),
        Finding::CrlNonconforming { issuer, number_critical } => f.add(
            // Reported; the missing revocation data reported with it decides.
            None,
            ProblemCode::CrlNonconforming,
            format!(
                "a CRL of \"{issuer}\" is not used: its cRLNumber {} (RFC 5280 §5.2.3)",
                if *number_critical { "is marked critical" } else { "is missing" }
            ),
        ),
        Finding::CrlExpired { issuer, next_update } => f.add(
            // Under --require-revocation an outdated CRL does not settle the status.
            policy.require_revocation.then_some(SubIndication::TryLater),
            ProblemCode::CrlOutdated,
            format!("the newest CRL of \"{issuer}\" expired on {} (nextUpdate)", date(*next_update)),
        ),
        _ => {}
    }
}
