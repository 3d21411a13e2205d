//! The pipeline: PDF bytes + trust + policy + validation time -> [`Report`].
//! No I/O, no clock, no environment.

use crate::budget::Budget;
use crate::pdf::{self, Document};
use crate::pki::{Policy, TrustStore};
use crate::report::{
    DocumentInfo, EncryptionInfo, EncryptionMethod, Indication, Problem, ProblemCode, Report,
    SignatureReport, Verdict, SCHEMA,
};
use time::OffsetDateTime;

mod certificate;
mod dates;
mod digests;
mod findings;
mod level;
mod signature;
mod signer;
mod timestamp;
mod validation_data;

pub use certificate::{verify_certificate, CertificateReport};
use digests::DigestCache;
use findings::{cap_problems, repair_problem};
use signature::{check_signature, Inputs};
use validation_data::dss_validation_data;

/// How to verify: what the verifier accepts and the limits of one document.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// What the verifier accepts (algorithms, key sizes, revocation).
    pub policy: Policy,
    /// The limits of one document.
    pub budget: Budget,
}

/// A document that cannot be evaluated at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// No `%PDF-` header in the first 1024 bytes (ISO 32000-2 §7.5.2).
    #[error("the file is not a PDF")]
    NotPdf,
    /// The xref chain or the signature dictionaries cannot be read.
    #[error("the PDF structure cannot be read: {0}")]
    Unreadable(pdf::PdfError),
    /// A limit of the [`Budget`] was reached.
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

/// Verify every signature of `bytes` at validation time `at`.
pub fn verify(
    bytes: &[u8],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
) -> Result<Report, VerifyError> {
    verify_with(bytes, None, store, opts, at)
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
    verify_with(bytes, Some(sha256), store, opts, at)
}

/// The hashing of a large file starts on the other core while this one parses it
/// ([`DigestCache::start`]).
fn verify_with(
    bytes: &[u8],
    sha256: Option<[u8; 32]>,
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
) -> Result<Report, VerifyError> {
    std::thread::scope(|scope| {
        let mut digests = DigestCache::start(scope, bytes, sha256.is_some());
        let mut report = verify_inner(bytes, store, opts, at, &mut digests)?;
        let sha = sha256.unwrap_or_else(|| digests.document_sha256(bytes));
        report.document.sha256 = hex::encode(sha);
        Ok(report)
    })
}

/// Problems of the file as a whole: objects that cannot be read, the reader's repairs, bytes
/// after the last revision.
fn document_problems(doc: &Document, unreadable: &[pdf::Unparsed]) -> Vec<Problem> {
    let mut out: Vec<Problem> = unreadable
        .iter()
        .map(|u| Problem {
            code: ProblemCode::ObjectUnreadable,
            message: format!(
                "object {} of revision {} cannot be read: {}",
                u.num,
                u.revision + 1,
                u.error
            ),
        })
        .collect();
    out.extend(doc.repairs().iter().map(repair_problem));
    if let pdf::Encryption::Closed { why, .. } = doc.encryption() {
        out.push(Problem {
            code: ProblemCode::EncryptedUnreadable,
            message: format!(
                "the document is encrypted and could not be opened: {why}. Its signatures were checked (the signed bytes and /Contents are not encrypted, ISO 32000-2 §7.6.2), but not its field names or what changed after each signature"
            ),
        });
    }
    if let Some(r) = pdf::trailing_garbage(doc) {
        out.push(Problem {
            code: ProblemCode::DataAfterLastRevision,
            message: format!(
                "{} bytes after the last %%EOF do not belong to any revision",
                r.len()
            ),
        });
    }
    out
}

fn verify_inner(
    bytes: &[u8],
    store: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    digests: &mut DigestCache,
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
    let mut document_problems = document_problems(&doc, &unparsed.listed);
    document_problems.extend(unattached(&sigs));
    let attached = sigs.iter().filter(|s| s.attached).count();
    // Validation data the document carries in /DSS joins the configured trust store: its
    // certificates as intermediates (never as anchors), its CRLs (each verified against its
    // issuer before use, and the newest per issuer wins). It is read under the document's
    // budget, and only when there is a signature to use it for.
    let dss = pdf::DssHistory::new(&doc);
    let with_dss = if attached == 0 {
        None
    } else {
        let s = dss_validation_data(&doc, dss.latest(), store);
        if let Some(e) = doc.exhausted() {
            return Err(VerifyError::Budget(e));
        }
        s
    };
    let store = with_dss.as_ref().unwrap_or(store);
    let mut signatures: Vec<SignatureReport> = Vec::with_capacity(attached);
    let inputs = Inputs {
        doc: &doc,
        dss: &dss,
        all: &sigs,
        store,
        opts,
        at,
    };
    for s in sigs.iter().filter(|s| s.attached) {
        let mut r = check_signature(&inputs, s, digests);
        // A budget spent while checking makes every finding after it meaningless.
        if let Some(e) = doc.exhausted().or_else(|| doc.meter().check_time().err()) {
            return Err(VerifyError::Budget(e));
        }
        r.problems = cap_problems(r.problems, opts.budget.max_problems_per_code, &[]);
        signatures.push(r);
    }
    let document_problems = cap_problems(
        document_problems,
        opts.budget.max_problems_per_code,
        &[(ProblemCode::ObjectUnreadable, unparsed.total)],
    );
    let verdict = verdict_of(&signatures);
    Ok(Report {
        schema: SCHEMA,
        document: DocumentInfo {
            sha256: String::new(),
            size: bytes.len() as u64,
            revisions: doc.revision_count(),
            encryption: encryption_info(doc.encryption()),
        },
        verdict,
        validation_time: at,
        signatures,
        document_problems,
    })
}

/// Signature dictionaries no field refers to: not signatures a viewer shows, so a note each.
fn unattached(sigs: &[pdf::SignatureDict]) -> impl Iterator<Item = Problem> + '_ {
    sigs.iter().filter(|s| !s.attached).map(|s| Problem {
        code: ProblemCode::SignatureNotAttached,
        message: format!(
            "object {} is a signature dictionary that no signature field refers to (the file may have been saved again without its signatures); it is not judged as a signature",
            s.object.0
        ),
    })
}

/// The document's verdict from its signatures': valid when all passed, invalid when one
/// failed, else indeterminate; unsigned without any.
fn verdict_of(signatures: &[SignatureReport]) -> Verdict {
    if signatures.is_empty() {
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
    }
}

fn encryption_info(e: &pdf::Encryption) -> Option<EncryptionInfo> {
    use pdf::crypt::Method;
    let method = |m: Option<Method>| match m {
        Some(Method::Identity) => EncryptionMethod::None,
        Some(Method::Rc4) => EncryptionMethod::Rc4,
        Some(Method::Aes128) => EncryptionMethod::Aes128,
        Some(Method::Aes256) => EncryptionMethod::Aes256,
        None => EncryptionMethod::Unknown,
    };
    match e {
        pdf::Encryption::None => None,
        pdf::Encryption::Opened { method: m } => Some(EncryptionInfo {
            method: method(Some(*m)),
            opened: true,
        }),
        pdf::Encryption::Closed { method: m, .. } => Some(EncryptionInfo {
            method: method(*m),
            opened: false,
        }),
    }
}
