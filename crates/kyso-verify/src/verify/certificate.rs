//! One certificate on its own (`kyso cert verify`): the same path building, certificate checks
//! and revocation as for a signer (RFC 5280 §6.1, §6.3), judged as ETSI EN 319 102-1 judges a
//! signer's chain. An administrator checks a token's certificate with it before enrolling it,
//! and the PKITS conformance test runs through it.

use super::findings::Findings;
use super::signer::add_path_finding;
use crate::budget::Budget;
use crate::pki::{check_path, Cert, Policy, TrustStore};
use crate::report::{Indication, Problem, SubIndication};
use serde::Serialize;
use std::sync::Arc;
use time::OffsetDateTime;

/// The verdict on one certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateReport {
    /// Its subject, RFC 4514 order.
    pub subject: String,
    /// Its issuer, RFC 4514 order.
    pub issuer: String,
    /// Its serial number, hex.
    pub serial: String,
    /// The SHA-256 of its DER, hex.
    pub sha256: String,
    /// The ETSI EN 319 102-1 indication its path gets.
    pub indication: Indication,
    /// The sub-indication, when it did not pass.
    pub sub_indication: Option<SubIndication>,
    /// The path found, the certificate first and the anchor last (subjects).
    pub chain: Vec<String>,
    /// The anchor the path ended at (its subject and SHA-256), when it reached one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<AnchorRef>,
    /// What was found, each with its code.
    pub problems: Vec<Problem>,
    /// The time it was checked at, RFC 3339 in UTC.
    pub validation_time: String,
}

/// Which trust anchor a path ended at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnchorRef {
    /// Its subject, RFC 4514 order.
    pub subject: String,
    /// The SHA-256 of its DER, hex.
    pub sha256: String,
}

impl CertificateReport {
    /// Whether the certificate passed (TOTAL-PASSED).
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }
}

/// Check `cert` at `at` against `store` under `policy`. The key-usage rule for signers applies
/// (the certificate is checked as a signing certificate).
pub fn verify_certificate(
    cert: &Arc<Cert>,
    store: &TrustStore,
    policy: &Policy,
    at: OffsetDateTime,
) -> CertificateReport {
    let path = check_path(cert, &[], store, policy, at, &Budget::default());
    let mut findings = Findings::default();
    for f in &path.findings {
        add_path_finding(&mut findings, f, policy, None);
    }
    let (indication, sub_indication, problems) = findings.outcome();
    CertificateReport {
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        serial: hex::encode(&cert.serial),
        sha256: cert.sha256_hex(),
        indication,
        sub_indication,
        chain: path.chain.iter().map(|c| c.subject.clone()).collect(),
        anchor: path
            .chain
            .last()
            .filter(|c| store.is_anchor(c))
            .map(|c| AnchorRef {
                subject: c.subject.clone(),
                sha256: c.sha256_hex(),
            }),
        problems,
        validation_time: super::dates::fmt_time(at),
    }
}
