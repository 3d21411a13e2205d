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
    /// Every byte of the file but the signature's own `/Contents`.
    EntireFile,
    /// Every byte of one revision (up to its `%%EOF`); later revisions follow it.
    EntireRevision,
    /// Less than a whole revision.
    Partial,
}

/// What changed after a signature (ISO 32000-2 §12.8.2): nothing, only what the signatures'
/// policy allows, or something it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifications {
    /// No revision follows the signed one.
    None,
    /// Later revisions change only what the signatures' policy permits.
    Permitted,
    /// Later revisions change something the policy does not permit (the problems say what).
    Disallowed,
    /// Later revisions exist but could not be read (a document encrypted with a password).
    Unchecked,
}

/// The version of the report's JSON contract ([`Report::schema`]).
pub const SCHEMA: u32 = 1;

/// The verification of one document: what it is, the verdict, and one report per signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The version of this contract: [`SCHEMA`].
    pub schema: u32,
    /// The file itself.
    pub document: DocumentInfo,
    /// The verdict on the document as a whole, from its signatures' indications.
    pub verdict: Verdict,
    /// The time the signatures were validated at; RFC 3339, UTC, on the wire.
    #[serde(with = "crate::report::wire_time::required")]
    pub validation_time: time::OffsetDateTime,
    /// Every signature and document timestamp, oldest revision first.
    pub signatures: Vec<SignatureReport>,
    /// Problems of the document as a whole (for example data hidden after the last revision).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_problems: Vec<Problem>,
}

/// The verified file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// How many revisions (xref sections, ISO 32000-2 §7.5.6) it has.
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
    /// The method of the standard security handler.
    pub method: EncryptionMethod,
    /// Whether kyso opened it with the empty user password.
    pub opened: bool,
}

/// The method of an encrypted document's standard security handler (ISO 32000-2 §7.6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncryptionMethod {
    /// Strings and streams left plain (`/Identity`).
    None,
    /// RC4 (ISO 32000-2 §7.6.3.2), 40 to 128 bits.
    Rc4,
    /// AES-128 in CBC mode (`/AESV2`).
    Aes128,
    /// AES-256 in CBC mode (`/AESV3`).
    Aes256,
    /// A security handler kyso does not read.
    Unknown,
}

/// The verdict on a document (ARCHITECTURE.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every signature is TOTAL-PASSED.
    Valid,
    /// A signature is TOTAL-FAILED.
    Invalid,
    /// No signature failed, but one is INDETERMINATE.
    Indeterminate,
    /// The document has no signature.
    Unsigned,
}

/// What a signature dictionary is (ISO 32000-2 §12.8.1, §12.8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// A signature (`/Type /Sig`).
    Signature,
    /// A document timestamp (`/Type /DocTimeStamp`, ETSI.RFC3161).
    DocumentTimestamp,
}

/// ETSI EN 319 102-1 main indications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// TOTAL-PASSED: every check passed.
    TotalPassed,
    /// INDETERMINATE: the checks could not decide (a missing path, revocation data, ...).
    Indeterminate,
    /// TOTAL-FAILED: the signature is not valid (altered, wrong key, revoked before signing).
    TotalFailed,
}

/// ETSI EN 319 102-1 sub-indications used by kyso.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    /// FORMAT_FAILURE: the signature or the document is not well formed.
    FormatFailure,
    /// HASH_FAILURE: the signed data's digest does not match.
    HashFailure,
    /// SIG_CRYPTO_FAILURE: the signature value does not verify.
    SigCryptoFailure,
    /// REVOKED: the signer's certificate was revoked before the signing time.
    Revoked,
    /// SIG_CONSTRAINTS_FAILURE: the signature breaks a constraint (key usage, certification).
    SigConstraintsFailure,
    /// CHAIN_CONSTRAINTS_FAILURE: the path breaks a constraint (CA, path length, names).
    ChainConstraintsFailure,
    /// CERTIFICATE_CHAIN_GENERAL_FAILURE: the path fails for another reason.
    CertificateChainGeneralFailure,
    /// CRYPTO_CONSTRAINTS_FAILURE: an algorithm or key the policy refuses.
    CryptoConstraintsFailure,
    /// NO_SIGNING_CERTIFICATE_FOUND: the signer's certificate cannot be identified.
    NoSigningCertificateFound,
    /// NO_CERTIFICATE_CHAIN_FOUND: no path to a trust anchor.
    NoCertificateChainFound,
    /// REVOKED_NO_POE: revoked, and nothing proves the signature existed before.
    RevokedNoPoe,
    /// REVOKED_CA_NO_POE: a CA of the path was revoked.
    RevokedCaNoPoe,
    /// OUT_OF_BOUNDS_NO_POE: a certificate is not valid at the validation time.
    OutOfBoundsNoPoe,
    /// TRY_LATER: revocation data needed by the policy is not available.
    TryLater,
    /// SIGNED_DATA_NOT_FOUND: the signed data cannot be found.
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

/// The certificate that signed (or the TSA's, for a document timestamp).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signer {
    /// Its subject, RFC 4514 order.
    pub subject: String,
    /// Its issuer, RFC 4514 order.
    pub issuer: String,
    /// Its serial number, hex.
    pub serial: String,
    /// The SHA-256 of its DER, hex.
    pub sha256: String,
    /// The certificate's CRL distribution points (kyso fetches them on CRL refresh).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl_urls: Vec<String>,
}

/// Where a signature's signing time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningTimeSource {
    /// A verified RFC 3161 timestamp (trusted).
    Timestamp,
    /// The CMS signingTime signed attribute (RFC 5652 §11.3; claimed by the signer).
    SignedAttribute,
    /// The signature dictionary's `/M` (ISO 32000-2 Table 255; unsigned).
    PdfM,
    /// None.
    None,
}

/// The verification of one signature or document timestamp.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureReport {
    /// The fully qualified name of its signature field, when it has one.
    pub field: Option<String>,
    /// A signature or a document timestamp.
    pub kind: SignatureKind,
    /// Its `/SubFilter` (ISO 32000-2 §12.8.3).
    pub sub_filter: Option<String>,
    /// The ETSI EN 319 102-1 main indication.
    pub indication: Indication,
    /// The sub-indication, when it did not pass.
    pub sub_indication: Option<SubIndication>,
    /// What was found, each with its code.
    pub problems: Vec<Problem>,
    /// The signer's certificate, when it was found.
    pub signer: Option<Signer>,
    /// The certification path, the signer (or the TSA) first: the SHA-256 of each
    /// certificate, hex.
    pub chain: Vec<String>,
    /// The signing time; RFC 3339, UTC, on the wire.
    #[serde(default, with = "crate::report::wire_time::optional")]
    pub signing_time: Option<time::OffsetDateTime>,
    /// Where the signing time comes from.
    pub signing_time_source: SigningTimeSource,
    /// What its byte range covers.
    pub coverage: Coverage,
    /// What changed after it.
    pub modifications_after: Modifications,
    /// The PAdES baseline level it reaches (ETSI.CAdES.detached signatures only).
    pub level: Option<PadesLevel>,
}

/// The PAdES baseline level a signature reaches (ETSI EN 319 142-1 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PadesLevel {
    /// B-B: a CAdES signature with ESS signing-certificate.
    #[serde(rename = "B-B")]
    BB,
    /// B-T: with a trusted time (a signature timestamp or a later document timestamp).
    #[serde(rename = "B-T")]
    BT,
    /// B-LT: with revocation data in a later /DSS.
    #[serde(rename = "B-LT")]
    BLt,
    /// B-LTA: with a document timestamp over that /DSS.
    #[serde(rename = "B-LTA")]
    BLta,
}

impl PadesLevel {
    /// The level as ETSI writes it (`B-LT`).
    pub fn as_str(self) -> &'static str {
        match self {
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLt => "B-LT",
            PadesLevel::BLta => "B-LTA",
        }
    }
}
