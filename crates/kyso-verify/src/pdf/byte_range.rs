//! The byte range of a signature (ISO 32000-2 §12.8.1): what the signature covers, checked
//! strictly before anything is hashed.

use super::document::Document;
use super::object::StrKind;
use super::signatures::SignatureDict;
use crate::report::Coverage;
use std::ops::Range;

/// Why a `/ByteRange` cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ByteRangeError {
    /// No `/ByteRange` (or not an array of integers).
    #[error("the signature has no /ByteRange")]
    Missing,
    /// Not four non-negative integers; the values as written.
    #[error("/ByteRange must be exactly four non-negative integers, found {0}")]
    Shape(String),
    /// The first range does not start at byte 0; where it starts.
    #[error("/ByteRange must start at byte 0, starts at {0}")]
    NotFromStart(i64),
    /// The ranges reach past the end of the file.
    #[error("/ByteRange reaches byte {end}, beyond the end of the file ({len} bytes)")]
    BeyondFile {
        /// The farthest byte they reach.
        end: u64,
        /// The file's length.
        len: usize,
    },
    /// The second range starts before the first ends, or the numbers overflow.
    #[error("the ranges of /ByteRange overlap or are out of order")]
    Overlap,
    /// No `/Contents` hex string to be the gap.
    #[error("the signature has no /Contents hex string")]
    NoContents,
    /// The gap between the ranges is not exactly the `/Contents` string (`<` to `>`).
    #[error("the gap in /ByteRange ({gap_start}..{gap_end}) is not exactly this signature's /Contents ({contents_start}..{contents_end})")]
    GapNotContents {
        /// Where the gap starts.
        gap_start: u64,
        /// Where it ends.
        gap_end: u64,
        /// Where `/Contents` starts.
        contents_start: usize,
        /// Where it ends.
        contents_end: usize,
    },
    /// The signature dictionary itself lies outside the signed bytes.
    #[error("the signature dictionary is not inside the bytes its /ByteRange covers")]
    DictionaryNotCovered,
    /// The signature dictionary is in an object stream, so its bytes cannot be located.
    #[error("the signature dictionary is inside a compressed object stream")]
    InObjectStream,
}

/// A checked byte range: `[0, gap.start)` and `[gap.end, end)` are signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRange {
    pub(crate) gap: Range<usize>,
    pub(crate) end: usize,
    pub(crate) coverage: Coverage,
    /// The last revision wholly covered (for `EntireFile`, the latest one).
    pub(crate) revision: Option<usize>,
}

impl SignedRange {
    pub(crate) fn pieces<'b>(&self, bytes: &'b [u8]) -> [&'b [u8]; 2] {
        [&bytes[..self.gap.start], &bytes[self.gap.end..self.end]]
    }
}

/// The strict byte-range rules of the core issue: four non-negative integers, from 0, the gap is
/// exactly this dictionary's `/Contents`, inside the file, no overlap.
pub fn check_byte_range(
    doc: &Document,
    sig: &SignatureDict,
) -> Result<SignedRange, ByteRangeError> {
    if sig.in_object_stream {
        return Err(ByteRangeError::InObjectStream);
    }
    let br = sig.byte_range.as_ref().ok_or(ByteRangeError::Missing)?;
    if br.len() != 4 || br.iter().any(|v| *v < 0) {
        return Err(ByteRangeError::Shape(format!("{br:?}")));
    }
    let [a, b, c, d] = [br[0] as u64, br[1] as u64, br[2] as u64, br[3] as u64];
    if a != 0 {
        return Err(ByteRangeError::NotFromStart(br[0]));
    }
    let end = c.checked_add(d).ok_or(ByteRangeError::Overlap)?;
    let len = doc.bytes.len();
    if end > len as u64 || b > len as u64 {
        return Err(ByteRangeError::BeyondFile {
            end: end.max(b),
            len,
        });
    }
    if c < b {
        return Err(ByteRangeError::Overlap);
    }
    let (_, span, kind) = sig.contents.as_ref().ok_or(ByteRangeError::NoContents)?;
    if *kind != StrKind::Hex || span.start as u64 != b || span.end as u64 != c {
        return Err(ByteRangeError::GapNotContents {
            gap_start: b,
            gap_end: c,
            contents_start: span.start,
            contents_end: span.end,
        });
    }
    let end = end as usize;
    if sig.span.start >= end || sig.span.end > end {
        return Err(ByteRangeError::DictionaryNotCovered);
    }
    let coverage;
    let revision;
    if end == len {
        coverage = Coverage::EntireFile;
        revision = Some(doc.latest());
    } else if let Some(i) = doc.revisions.iter().position(|s| s.end == end) {
        coverage = Coverage::EntireRevision;
        revision = Some(i);
    } else {
        coverage = Coverage::Partial;
        revision = doc.revisions.iter().rposition(|s| s.end <= end);
    }
    Ok(SignedRange {
        gap: b as usize..c as usize,
        end,
        coverage,
        revision,
    })
}
