//! Trust anchors, intermediates, CRLs; path building and certificate checks.
//!
//! The validation time is always an argument: nothing here reads the clock.

mod cert;
pub(crate) mod crl_scope;
pub mod crypto;
pub(crate) mod name;
pub(crate) mod name_constraints;
pub mod ocsp;
mod ocsp_asn1;
mod path;
mod revocation;

pub use cert::{Cert, Crl};
use crypto::DigestAlg;
pub use path::{check_path, signed_by};
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad certificate: {0}")]
    BadCertificate(String),
    #[error("bad CRL: {0}")]
    BadCrl(String),
    #[error("{path}: {what}")]
    File { path: PathBuf, what: String },
    #[error("{path}: certificate \"{cn}\" claims to be a BCY CA but its SHA-256 {found} does not match the pinned {pinned}")]
    PinMismatch {
        path: PathBuf,
        cn: String,
        found: String,
        pinned: String,
    },
}

/// What the verifier accepts. Defaults are the documented policy (README "Policy").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// SHA-1 in CA certificate signatures (the BCY G1 chain is sha1WithRSA).
    pub allow_sha1_in_chain: bool,
    /// SHA-1 as the digest of a document signature (refused by default).
    pub allow_sha1_signatures: bool,
    pub min_rsa_bits: usize,
    /// Without a CRL for an issuer, make the signature INDETERMINATE (default: report only).
    pub require_revocation: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            allow_sha1_in_chain: true,
            allow_sha1_signatures: false,
            min_rsa_bits: 2048,
            require_revocation: false,
        }
    }
}

/// Anchors, intermediates and CRLs, loaded once and shared.
#[derive(Debug, Default, Clone)]
pub struct TrustStore {
    pub anchors: Vec<Arc<Cert>>,
    pub intermediates: Vec<Arc<Cert>>,
    pub crls: Vec<Arc<Crl>>,
    /// OCSP responses (from documents); each is checked against the issuer before use.
    pub ocsps: Vec<Arc<ocsp::OcspResponse>>,
    /// OCSP responses fetched from the responders at receipt (kept with the submission): they
    /// speak of the status when they were fetched, just after the validation time.
    pub fetched: Vec<Arc<ocsp::OcspResponse>>,
    /// Where to ask when nothing above answers (the service, or `--ocsp`); `None`: offline.
    pub online: Option<Arc<dyn OnlineOcsp>>,
}

/// An OCSP responder client (RFC 6960), injected by the caller: `pki` itself never touches the
/// network.
pub trait OnlineOcsp: Send + Sync + std::fmt::Debug {
    /// A response about `cert` from its responder (authorityInfoAccess), parsed; its signature
    /// is checked by the caller with [`ocsp::OcspResponse::status_of`].
    fn fetch(&self, cert: &Cert, issuer: &Cert) -> Option<Arc<ocsp::OcspResponse>>;
}

impl TrustStore {
    pub fn is_anchor(&self, c: &Cert) -> bool {
        self.anchors.iter().any(|a| a.sha256 == c.sha256)
    }
}

/// Facts found about a certification path. The verifier maps them to ETSI indications.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    NoPath {
        issuer: String,
        candidates: usize,
    },
    PathBudget {
        limit: usize,
    },
    OutsideValidity {
        subject: String,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    NotCa {
        subject: String,
    },
    PathLenExceeded {
        subject: String,
        path_len: u32,
    },
    NoKeyCertSign {
        subject: String,
    },
    UnknownCriticalExtension {
        subject: String,
        oids: Vec<String>,
    },
    WeakKey {
        subject: String,
        bits: usize,
        min: usize,
    },
    UnsupportedKey {
        subject: String,
        what: String,
    },
    Sha1InChain {
        subject: String,
    },
    SignerKeyUsage {
        subject: String,
        present: bool,
    },
    Revoked {
        subject: String,
        at: OffsetDateTime,
        signer: bool,
    },
    NoRevocationData {
        subject: String,
        issuer: String,
    },
    CrlExpired {
        issuer: String,
        next_update: OffsetDateTime,
    },
    /// A name outside what a CA above permits (RFC 5280 §6.1.3 (b)-(c)).
    NameNotPermitted {
        subject: String,
        name: String,
    },
}

/// A certification path, signer first and anchor last, with what was found about it.
#[derive(Debug, Clone, Default)]
pub struct PathCheck {
    pub chain: Vec<Arc<Cert>>,
    pub findings: Vec<Finding>,
}

/// Whether a digest is acceptable for a document signature under `policy`.
pub(crate) fn document_digest_allowed(d: DigestAlg, policy: &Policy) -> bool {
    d != DigestAlg::Sha1 || policy.allow_sha1_signatures
}
