//! Trust anchors, intermediates, CRLs; path building and certificate checks.
//!
//! The validation time is always an argument: nothing here reads the clock.

mod cert;
mod crl;
pub(crate) mod crl_scope;
pub mod crypto;
mod defect;
pub(crate) mod name;
pub(crate) mod name_constraints;
pub mod ocsp;
mod ocsp_asn1;
mod path;
mod revocation;
mod ring_verify;
pub mod sigcache;
mod spki;

pub use cert::signed_by;
pub use cert::Cert;
pub use crl::Crl;
use crypto::DigestAlg;
pub use defect::Defect;
pub use path::check_path;
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

/// Why a certificate or CRL (or a trust file, for the callers that load them) was refused.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// A trust file could not be read (the caller's I/O; kyso-verify reads no file).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A certificate that does not parse as RFC 5280 §4.1 says.
    #[error("bad certificate: {0}")]
    BadCertificate(String),
    /// A CRL that does not parse as RFC 5280 §5.1 says.
    #[error("bad CRL: {0}")]
    BadCrl(String),
    /// A trust file whose content is not what it should be.
    #[error("{path}: {what}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// A certificate that claims a pinned CA's name without the pinned fingerprint.
    #[error("{path}: certificate \"{cn}\" claims to be a BCY CA but its SHA-256 {found} does not match the pinned {pinned}")]
    PinMismatch {
        /// The file.
        path: PathBuf,
        /// The certificate's common name.
        cn: String,
        /// Its SHA-256, hex.
        found: String,
        /// The pinned SHA-256, hex.
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
    /// The shortest RSA modulus accepted, in bits.
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
    /// The trust anchors: a path ends at one of them (RFC 5280 §6.1.1 (d)).
    pub anchors: Vec<Arc<Cert>>,
    /// CA certificates a path may go through (never anchors themselves).
    pub intermediates: Vec<Arc<Cert>>,
    /// CRLs; each is checked against its issuer before use (RFC 5280 §6.3.3).
    pub crls: Vec<Arc<Crl>>,
    /// OCSP responses (from documents); each is checked against the issuer before use.
    pub ocsps: Vec<Arc<ocsp::OcspResponse>>,
    /// OCSP responses fetched from the responders at receipt (kept with the submission): they
    /// speak of the status when they were fetched, just after the validation time.
    pub fetched: Vec<Arc<ocsp::OcspResponse>>,
    /// Where to ask when nothing above answers (the service, or `--ocsp`); `None`: offline.
    pub online: Option<Arc<dyn OnlineOcsp>>,
    /// Where to look for the issuer of a signer no known certificate stands for (its
    /// authorityInfoAccess caIssuers, RFC 5280 §4.2.2.1); `None`: nowhere.
    pub issuers: Option<Arc<dyn IssuerSource>>,
}

/// Certificates published at a certificate's caIssuers addresses (RFC 5280 §4.2.2.1),
/// injected by the caller: `pki` never touches the network. What it gives are candidates for
/// path building, checked like the signature's own certificates (a path must still end at an
/// anchor), never trusted for where they came from.
pub trait IssuerSource: Send + Sync + std::fmt::Debug {
    /// The CA certificates found at `cert`'s caIssuers addresses, as far as known.
    fn issuers_of(&self, cert: &Cert) -> Vec<Arc<Cert>>;
}

/// An OCSP responder client (RFC 6960), injected by the caller: `pki` itself never touches the
/// network.
pub trait OnlineOcsp: Send + Sync + std::fmt::Debug {
    /// A response about `cert` from its responder (authorityInfoAccess), parsed; its signature
    /// is checked by the caller with [`ocsp::OcspResponse::status_of`].
    fn fetch(&self, cert: &Cert, issuer: &Cert) -> Option<Arc<ocsp::OcspResponse>>;
}

impl TrustStore {
    /// Whether `c` is one of the anchors (the same certificate, by its SHA-256).
    pub fn is_anchor(&self, c: &Cert) -> bool {
        self.anchors.iter().any(|a| a.sha256 == c.sha256)
    }
}

/// Facts found about a certification path. The verifier maps them to ETSI indications.
/// `subject` is always the subject of the certificate concerned (RFC 4514 order).
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// No path from the certificate to an anchor (RFC 5280 §6.1).
    NoPath {
        /// The issuer no certificate could stand for.
        issuer: String,
        /// How many certificates with that name were tried.
        candidates: usize,
    },
    /// Path building stopped after the budget's number of attempts.
    PathBudget {
        /// The budget.
        limit: usize,
    },
    /// A certificate not valid at the validation time (RFC 5280 §6.1.3 (a)(2)).
    OutsideValidity {
        /// The certificate.
        subject: String,
        /// Its notBefore.
        not_before: OffsetDateTime,
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// An issuing certificate that is not a CA (basicConstraints, RFC 5280 §4.2.1.9).
    NotCa {
        /// The certificate.
        subject: String,
    },
    /// A path longer than a CA's pathLenConstraint (RFC 5280 §6.1.4 (l)-(m)).
    PathLenExceeded {
        /// The CA.
        subject: String,
        /// Its pathLenConstraint.
        path_len: u32,
    },
    /// An issuing certificate whose keyUsage lacks keyCertSign (RFC 5280 §4.2.1.3).
    NoKeyCertSign {
        /// The certificate.
        subject: String,
    },
    /// Critical extensions kyso does not understand (RFC 5280 §4.2).
    UnknownCriticalExtension {
        /// The certificate.
        subject: String,
        /// Their OIDs.
        oids: Vec<String>,
    },
    /// An RSA key shorter than the policy allows.
    WeakKey {
        /// The certificate.
        subject: String,
        /// Its modulus size.
        bits: usize,
        /// The policy's minimum.
        min: usize,
    },
    /// A key kyso cannot verify with.
    UnsupportedKey {
        /// The certificate.
        subject: String,
        /// What the key is.
        what: String,
    },
    /// A certificate signed with SHA-1 where the policy refuses it.
    Sha1InChain {
        /// The certificate.
        subject: String,
    },
    /// A signer's certificate not for signing (keyUsage without digitalSignature or
    /// nonRepudiation, RFC 5280 §4.2.1.3).
    SignerKeyUsage {
        /// The certificate.
        subject: String,
        /// Whether it has a keyUsage extension at all.
        present: bool,
    },
    /// A certificate revoked by the validation time (RFC 5280 §6.3, RFC 6960).
    Revoked {
        /// The certificate.
        subject: String,
        /// Its revocation time.
        at: OffsetDateTime,
        /// Whether it is the signer's (else a CA's).
        signer: bool,
    },
    /// Neither a CRL nor an OCSP answer for a certificate.
    NoRevocationData {
        /// The certificate.
        subject: String,
        /// Its issuer, whose CRL is missing.
        issuer: String,
    },
    /// The newest CRL of an issuer is past its nextUpdate (RFC 5280 §5.1.2.5).
    CrlExpired {
        /// The CRL's issuer.
        issuer: String,
        /// Its nextUpdate.
        next_update: OffsetDateTime,
    },
    /// A certificate that breaks the profile of RFC 5280 §4 in a way no path may be built on
    /// ([`Defect`] names the rule).
    Nonconforming {
        /// The certificate.
        subject: String,
        /// What is wrong with it.
        defect: Defect,
    },
    /// Checking the names of the path against its CAs' nameConstraints would take more
    /// comparisons than the budget allows (RFC 5280 §6.1.3 (b)-(c) work, bounded).
    NameConstraintBudget {
        /// The budget, in name × constraint comparisons.
        limit: usize,
    },
    /// A CRL that would answer for a certificate but is not used as proof: without cRLNumber,
    /// or with it critical (RFC 5280 §5.2.3). Reported with the missing revocation data.
    CrlNonconforming {
        /// The CRL's issuer.
        issuer: String,
        /// Whether its cRLNumber is there but critical (else it is missing).
        number_critical: bool,
    },
    /// A name outside what a CA above permits (RFC 5280 §6.1.3 (b)-(c)).
    NameNotPermitted {
        /// The certificate.
        subject: String,
        /// The name, as kyso writes it.
        name: String,
    },
}

/// A certification path, signer first and anchor last, with what was found about it.
#[derive(Debug, Clone, Default)]
pub struct PathCheck {
    /// The path, signer first (just the signer when none was found).
    pub chain: Vec<Arc<Cert>>,
    /// What was found, in the order the checks ran.
    pub findings: Vec<Finding>,
}

/// Whether a digest is acceptable for a document signature under `policy`.
pub(crate) fn document_digest_allowed(d: DigestAlg, policy: &Policy) -> bool {
    d != DigestAlg::Sha1 || policy.allow_sha1_signatures
}
