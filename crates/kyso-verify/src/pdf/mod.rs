//! PDF structure: revisions, signature dictionaries, byte ranges, and what changed after each
//! signature. No signature cryptography here: `crypt` only opens encrypted documents.

mod byte_range;
pub mod changes;
pub(crate) mod crypt;
mod document;
mod dss;
mod mdp;
pub(crate) mod meter;
mod number;
pub(crate) mod object;
mod signatures;
mod stream;
pub(crate) mod xref;

pub use crate::budget::Budget;
pub use crate::report::Coverage;
pub use byte_range::{check_byte_range, ByteRangeError, SignedRange};
pub(crate) use document::Encryption;
pub use document::{Document, ObjectStream, Repair};
pub use dss::DssHistory;
pub(crate) use dss::{Dss, DssKind};
pub(crate) use signatures::{decode_text_string, Unparsed};
pub use signatures::{find_signatures, SigKind, SignatureDict, Unreadable};
use std::ops::Range;

/// Why (part of) a PDF file cannot be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum PdfError {
    /// No `%PDF-` header in the first 1024 bytes (ISO 32000-2 §7.5.2).
    #[error("the file is not a PDF (no %PDF- header)")]
    NotPdf,
    /// The syntax of ISO 32000-2 §7 is broken.
    #[error("PDF syntax error at byte {offset}: expected {what}")]
    Syntax {
        /// Where, in the file (or in a decoded stream).
        offset: usize,
        /// What was expected there.
        what: String,
    },
    /// A dictionary with a key twice (ISO 32000-2 §7.3.7: readers differ on which wins).
    #[error("duplicate key /{key} in a dictionary (before byte {offset})")]
    DuplicateKey {
        /// The key.
        key: String,
        /// Where the dictionary was being read.
        offset: usize,
    },
    /// A limit of the [`Budget`] was reached.
    #[error("the document exceeds the {what} budget ({limit})")]
    Budget {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: u64,
    },
    /// A feature kyso does not read (a stream filter, say).
    #[error("unsupported PDF feature: {0}")]
    Unsupported(String),
}

/// Bytes after the end of the last revision that are not white space: data hidden after
/// `%%EOF` (an update without an xref, or anything else appended).
pub(crate) fn trailing_garbage(doc: &Document) -> Option<Range<usize>> {
    let end = doc.revisions.last()?.end;
    let tail = doc.bytes.get(end..)?;
    if tail.iter().all(|b| object::is_whitespace(*b)) {
        None
    } else {
        Some(end..doc.bytes.len())
    }
}
