//! The verdict types: the public JSON contract of ARCHITECTURE.md §5.1 (schema 1).

pub mod problem;
pub mod wire_time;

pub use problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};

/// What a signature's byte range covers (ISO 32000-2 §12.8.1): the whole file, a whole
/// revision (later updates follow), or less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    EntireFile,
    EntireRevision,
    Partial,
}

/// What changed after a signature (ISO 32000-2 §12.8.2): nothing, only what the signatures'
/// policy allows, or something it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifications {
    None,
    Permitted,
    Disallowed,
    /// Later revisions exist but could not be read (a document encrypted with a password).
    Unchecked,
}

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub document: DocumentInfo,
    pub verdict: Verdict,
    /// RFC 3339, UTC, on the wire.
    #[serde(with = "crate::report::wire_time::required")]
    pub validation_time: time::OffsetDateTime,
    pub signatures: Vec<SignatureReport>,
    /// Problems of the document as a whole (for example data hidden after the last revision).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_problems: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub sha256: String,
    pub size: u64,
    pub revisions: usize,
    /// How the document is encrypted (ISO 32000-2 §7.6); absent when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionInfo>,
}

/// An encrypted document: the method its standard security handler names, and whether kyso
/// could open it with the empty user password (then everything was checked; otherwise the
/// signatures were, but not what changed after them: see the `encrypted_unreadable` problem).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EncryptionInfo {
    pub method: EncryptionMethod,
    pub opened: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncryptionMethod {
    /// Strings and streams left plain (`/Identity`).
    None,
    Rc4,
    Aes128,
    Aes256,
    /// A security handler kyso does not read.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    Invalid,
    Indeterminate,
    Unsigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    Signature,
    DocumentTimestamp,
}

/// ETSI EN 319 102-1 main indications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    TotalPassed,
    Indeterminate,
    TotalFailed,
}

/// ETSI EN 319 102-1 sub-indications used by kyso.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    SigConstraintsFailure,
    ChainConstraintsFailure,
    CertificateChainGeneralFailure,
    CryptoConstraintsFailure,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    RevokedNoPoe,
    RevokedCaNoPoe,
    OutOfBoundsNoPoe,
    TryLater,
    SignedDataNotFound,
}

impl SubIndication {
    /// The indication a sub-indication belongs to, as kyso uses it.
    pub fn indication(self) -> Indication {
        match self {
            SubIndication::FormatFailure
            | SubIndication::HashFailure
            | SubIndication::SigCryptoFailure
            | SubIndication::Revoked => Indication::TotalFailed,
            _ => Indication::Indeterminate,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signer {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sha256: String,
    /// The certificate's CRL distribution points (kyso fetches them on CRL refresh).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl_urls: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningTimeSource {
    Timestamp,
    SignedAttribute,
    PdfM,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureReport {
    pub field: Option<String>,
    pub kind: SignatureKind,
    pub sub_filter: Option<String>,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    pub problems: Vec<Problem>,
    pub signer: Option<Signer>,
    pub chain: Vec<String>,
    /// RFC 3339, UTC, on the wire.
    #[serde(default, with = "crate::report::wire_time::optional")]
    pub signing_time: Option<time::OffsetDateTime>,
    pub signing_time_source: SigningTimeSource,
    pub coverage: Coverage,
    pub modifications_after: Modifications,
    pub level: Option<PadesLevel>,
}

/// The PAdES baseline level a signature reaches (ETSI EN 319 142-1 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PadesLevel {
    #[serde(rename = "B-B")]
    BB,
    #[serde(rename = "B-T")]
    BT,
    #[serde(rename = "B-LT")]
    BLt,
    #[serde(rename = "B-LTA")]
    BLta,
}

impl PadesLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLt => "B-LT",
            PadesLevel::BLta => "B-LTA",
        }
    }
}
