//! PDF structure: revisions, signature dictionaries, byte ranges, and what changed after each
//! signature. No signature cryptography here: `crypt` only opens encrypted documents.

pub mod changes;
pub mod crypt;
pub mod document;
pub mod meter;
pub mod object;
mod stream;
pub mod xref;

pub use crate::budget::Budget;
pub use document::{Document, Encryption, Repair};
use object::{Object, StrKind};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use xref::Entry;

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum PdfError {
    #[error("the file is not a PDF (no %PDF- header)")]
    NotPdf,
    #[error("PDF syntax error at byte {offset}: expected {what}")]
    Syntax { offset: usize, what: String },
    #[error("duplicate key /{key} in a dictionary (before byte {offset})")]
    DuplicateKey { key: String, offset: usize },
    #[error("the document exceeds the {what} budget ({limit})")]
    Budget { what: &'static str, limit: u64 },
    #[error("unsupported PDF feature: {0}")]
    Unsupported(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigKind {
    Signature,
    DocumentTimestamp,
}

/// One signature dictionary as the file declares it (nothing verified yet).
#[derive(Debug, Clone)]
pub struct SignatureDict {
    pub object: (u32, u16),
    /// Where the dictionary's object is written.
    pub span: Range<usize>,
    /// Index of the revision (xref section) that wrote it.
    pub revision: usize,
    pub field_name: Option<String>,
    pub kind: SigKind,
    pub filter: Option<String>,
    pub sub_filter: Option<String>,
    /// The raw `/ByteRange` values, when it is an array of integers.
    pub byte_range: Option<Vec<i64>>,
    /// Decoded `/Contents` and the file span of its hex string token (`<` to `>`).
    pub contents: Option<(Vec<u8>, Range<usize>, StrKind)>,
    pub m: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub name: Option<String>,
    /// `/P` of a DocMDP transform in `/Reference` (a certification signature).
    pub docmdp: Option<i64>,
    /// FieldMDP locks in `/Reference`.
    pub field_locks: Vec<changes::FieldLock>,
    /// `/P` of a FieldMDP transform (ISO 32000-2 Table 256): the document's permissions once
    /// this field is signed.
    pub lock_level: Option<i64>,
    /// Whether the signature dictionary sits inside an object stream (its bytes cannot be
    /// checked against the byte range).
    pub in_object_stream: bool,
}

pub use crate::report::Coverage;

/// Why a `/ByteRange` cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ByteRangeError {
    #[error("the signature has no /ByteRange")]
    Missing,
    #[error("/ByteRange must be exactly four non-negative integers, found {0}")]
    Shape(String),
    #[error("/ByteRange must start at byte 0, starts at {0}")]
    NotFromStart(i64),
    #[error("/ByteRange reaches byte {end}, beyond the end of the file ({len} bytes)")]
    BeyondFile { end: u64, len: usize },
    #[error("the ranges of /ByteRange overlap or are out of order")]
    Overlap,
    #[error("the signature has no /Contents hex string")]
    NoContents,
    #[error("the gap in /ByteRange ({gap_start}..{gap_end}) is not exactly this signature's /Contents ({contents_start}..{contents_end})")]
    GapNotContents {
        gap_start: u64,
        gap_end: u64,
        contents_start: usize,
        contents_end: usize,
    },
    #[error("the signature dictionary is not inside the bytes its /ByteRange covers")]
    DictionaryNotCovered,
    #[error("the signature dictionary is inside a compressed object stream")]
    InObjectStream,
}

/// A checked byte range: `[0, gap.start)` and `[gap.end, end)` are signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRange {
    pub gap: Range<usize>,
    pub end: usize,
    pub coverage: Coverage,
    /// The last revision wholly covered (for `EntireFile`, the latest one).
    pub revision: Option<usize>,
}

impl SignedRange {
    pub fn pieces<'b>(&self, bytes: &'b [u8]) -> [&'b [u8]; 2] {
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

/// Objects that could not be parsed, kept so that the verdict can fail closed on them.
#[derive(Debug, Clone)]
pub struct Unparsed {
    pub num: u32,
    pub revision: usize,
    pub error: PdfError,
}

/// Objects listed one by one as unreadable; the rest are only counted.
const MAX_UNPARSED_LISTED: usize = 100;

/// The objects that could not be read: the first few, and how many in all.
#[derive(Debug, Clone, Default)]
pub struct Unreadable {
    pub listed: Vec<Unparsed>,
    pub total: usize,
}

impl Unreadable {
    fn push(&mut self, u: Unparsed) {
        self.total += 1;
        if self.listed.len() < MAX_UNPARSED_LISTED {
            self.listed.push(u);
        }
    }
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// Every signature dictionary of the document, from every revision, oldest first. Objects that
/// cannot be read are returned beside them; a budget error stops the search.
pub fn find_signatures(
    doc: &Document,
    budget: &Budget,
) -> Result<(Vec<SignatureDict>, Unreadable), PdfError> {
    let mut found = Found::default();
    let latest = doc.latest();
    for (rev, section) in doc.revisions.iter().enumerate() {
        let mut nums: Vec<_> = section.entries.iter().map(|(n, e)| (*n, *e)).collect();
        nums.sort_unstable_by_key(|(n, _)| *n);
        for (num, entry) in nums {
            let result = match entry {
                Entry::InFile { offset, .. } if found.offsets.insert(offset) => {
                    match doc.may_be_signature_related(offset) {
                        Ok(false) => Ok(()),
                        Ok(true) => doc.object_numbered(offset, num, rev).map(|ind| {
                            found.note(
                                doc,
                                latest,
                                rev,
                                (ind.num, ind.gen),
                                ind.span,
                                &ind.object,
                                false,
                            )
                        }),
                        Err(e) => Err(e),
                    }
                }
                Entry::InStream { stream, .. } => match doc.entry(rev, stream) {
                    Some(Entry::InFile { offset, .. }) if found.streams.insert(offset) => {
                        found.stream(doc, latest, rev, stream)
                    }
                    _ => Ok(()),
                },
                _ => Ok(()),
            };
            match result {
                Ok(()) => {}
                Err(e @ PdfError::Budget { .. }) => return Err(e),
                Err(error) => found.unparsed.push(Unparsed {
                    num,
                    revision: rev,
                    error,
                }),
            }
            doc.meter().check()?;
            if found.sigs.len() > budget.max_signatures {
                return Err(PdfError::Budget {
                    what: "signatures",
                    limit: budget.max_signatures as u64,
                });
            }
        }
    }
    found.values_are_signatures(doc, budget)?;
    let Found {
        mut sigs,
        unparsed,
        field_of,
        ..
    } = found;
    // Field names of a document left encrypted are ciphertext: none is shown.
    let names_readable = !matches!(doc.encryption(), Encryption::Closed { .. });
    for s in &mut sigs {
        s.field_name = field_of
            .get(&s.object.0)
            .filter(|_| names_readable)
            .cloned();
    }
    sigs.sort_by_key(|s| (s.revision, s.span.start));
    Ok((sigs, unparsed))
}

/// What the search for signatures has gathered.
#[derive(Default)]
struct Found {
    sigs: Vec<SignatureDict>,
    unparsed: Unreadable,
    /// Field name of each signature value, from the field dictionaries (/FT /Sig with /V).
    field_of: HashMap<u32, String>,
    offsets: HashSet<usize>,
    streams: HashSet<usize>,
    /// The values (`/V`) of signature fields.
    values: HashSet<u32>,
}

impl Found {
    #[allow(clippy::too_many_arguments)]
    fn note(
        &mut self,
        doc: &Document,
        latest: usize,
        rev: usize,
        id: (u32, u16),
        span: Range<usize>,
        o: &Object,
        in_object_stream: bool,
    ) {
        if let Some(v) = note_field(doc, latest, o, &mut self.field_of) {
            self.values.insert(v);
        }
        if is_signature_dict(o) {
            self.sigs
                .push(signature_dict(id, span, rev, o, in_object_stream));
        }
    }

    /// Every signature field's value must be among the signatures found: one the quick look
    /// skipped is parsed now, and one that is not a readable signature dictionary is kept as
    /// an empty one, which fails (a field that viewers list as signed cannot be left out).
    fn values_are_signatures(&mut self, doc: &Document, budget: &Budget) -> Result<(), PdfError> {
        let known: HashSet<u32> = self.sigs.iter().map(|s| s.object.0).collect();
        let mut missing: Vec<u32> = self.values.difference(&known).copied().collect();
        missing.sort_unstable();
        for v in missing {
            // A value that is not in the file, or freed: the field is unsigned.
            let (offset, rev) = match doc.entry_of(doc.latest(), v) {
                None | Some((Entry::Free, _)) => continue,
                Some((Entry::InFile { offset, .. }, rev)) => (Some(offset), rev),
                // Objects in object streams were all parsed: this one is not a signature.
                Some((Entry::InStream { .. }, rev)) => (None, rev),
            };
            let parsed = offset.and_then(|o| doc.object_numbered(o, v, rev).ok());
            let sig = match parsed {
                Some(ind) if is_signature_dict(&ind.object) => {
                    signature_dict((ind.num, ind.gen), ind.span, rev, &ind.object, false)
                }
                _ => signature_dict((v, 0), 0..0, rev, &Object::Dict(Vec::new()), false),
            };
            self.sigs.push(sig);
            if self.sigs.len() > budget.max_signatures {
                return Err(PdfError::Budget {
                    what: "signatures",
                    limit: budget.max_signatures as u64,
                });
            }
        }
        Ok(())
    }

    /// Every object of an object stream; one that cannot be parsed is reported, the rest read.
    fn stream(
        &mut self,
        doc: &Document,
        latest: usize,
        rev: usize,
        num: u32,
    ) -> Result<(), PdfError> {
        let os = doc.object_stream(rev, num)?;
        for (i, n) in os.numbers().enumerate() {
            match doc.stream_object_at(&os, i) {
                Ok(o) => self.note(doc, latest, rev, (n, 0), 0..0, &o, true),
                Err(e @ PdfError::Budget { .. }) => return Err(e),
                Err(error) => self.unparsed.push(Unparsed {
                    num: n,
                    revision: rev,
                    error,
                }),
            }
        }
        Ok(())
    }
}

fn is_signature_dict(o: &Object) -> bool {
    let Object::Dict(_) = o else { return false };
    matches!(o.type_name(), Some(b"Sig") | Some(b"DocTimeStamp")) || o.get(b"ByteRange").is_some()
}

fn text(o: Option<&Object>) -> Option<String> {
    match o? {
        Object::Str(b, _, _) => Some(decode_text_string(b)),
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

/// PDF text strings: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding (close to
/// Latin-1 for what signers write).
pub fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter().map(|&c| c as char).collect()
}

fn signature_dict(
    object: (u32, u16),
    span: Range<usize>,
    revision: usize,
    o: &Object,
    in_object_stream: bool,
) -> SignatureDict {
    let kind = if o.type_name() == Some(b"DocTimeStamp") {
        SigKind::DocumentTimestamp
    } else {
        SigKind::Signature
    };
    let byte_range = o
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .and_then(|a| a.iter().map(Object::as_int).collect::<Option<Vec<_>>>());
    let contents = match o.get(b"Contents") {
        Some(Object::Str(b, span, kind)) => Some((b.clone(), span.clone(), *kind)),
        _ => None,
    };
    let docmdp = o
        .get(b"Reference")
        .and_then(Object::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get(b"TransformMethod").and_then(Object::as_name) == Some(b"DocMDP"))
        .map(|r| {
            // /P defaults to 2 (form filling and signing).
            r.get(b"TransformParams")
                .and_then(|p| p.get(b"P"))
                .and_then(Object::as_int)
                .unwrap_or(2)
        })
        .next();
    let field_locks = o
        .get(b"Reference")
        .and_then(Object::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get(b"TransformMethod").and_then(Object::as_name) == Some(b"FieldMDP"))
        .filter_map(|r| r.get(b"TransformParams"))
        .map(|p| {
            let fields: Vec<String> = p
                .get(b"Fields")
                .and_then(Object::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| text(Some(f)))
                .collect();
            match p.get(b"Action").and_then(Object::as_name) {
                Some(b"Include") => changes::FieldLock::Include(fields),
                Some(b"Exclude") => changes::FieldLock::Exclude(fields),
                // /All, or anything unknown: lock everything (fail closed).
                _ => changes::FieldLock::All,
            }
        })
        .collect();
    let lock_level = o
        .get(b"Reference")
        .and_then(Object::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get(b"TransformMethod").and_then(Object::as_name) == Some(b"FieldMDP"))
        .filter_map(|r| r.get(b"TransformParams")?.get(b"P")?.as_int())
        .min();
    SignatureDict {
        object,
        lock_level,
        span,
        revision,
        field_name: None,
        kind,
        filter: text(o.get(b"Filter")),
        sub_filter: text(o.get(b"SubFilter")),
        byte_range,
        contents,
        m: text(o.get(b"M")),
        reason: text(o.get(b"Reason")),
        location: text(o.get(b"Location")),
        name: text(o.get(b"Name")),
        docmdp,
        field_locks,
        in_object_stream,
    }
}

/// Record `/V n 0 R` of a signature field under its fully qualified name.
/// For a signature field with a value `/V n 0 R`: `n`, and its fully qualified name if it has
/// one (recorded in `field_of`).
fn note_field(
    doc: &Document,
    latest: usize,
    o: &Object,
    field_of: &mut HashMap<u32, String>,
) -> Option<u32> {
    let (v, _) = o.get(b"V").and_then(Object::as_ref)?;
    let mut parts = Vec::new();
    let mut is_sig = o.get(b"FT").and_then(Object::as_name) == Some(b"Sig");
    if let Some(t) = text(o.get(b"T")) {
        parts.push(t);
    }
    let mut parent = o.get(b"Parent").and_then(Object::as_ref);
    let mut hops = 0;
    while let Some((p, _)) = parent {
        hops += 1;
        if hops > 16 {
            break;
        }
        let Ok(Some(po)) = doc.object(latest, p) else {
            break;
        };
        is_sig |= po.get(b"FT").and_then(Object::as_name) == Some(b"Sig");
        if let Some(t) = text(po.get(b"T")) {
            parts.push(t);
        }
        parent = po.get(b"Parent").and_then(Object::as_ref);
    }
    if is_sig && !parts.is_empty() {
        parts.reverse();
        field_of.insert(v, parts.join("."));
    }
    is_sig.then_some(v)
}

/// Bytes after the end of the last revision that are not white space: data hidden after
/// `%%EOF` (an update without an xref, or anything else appended).
pub fn trailing_garbage(doc: &Document) -> Option<Range<usize>> {
    let end = doc.revisions.last()?.end;
    let tail = doc.bytes.get(end..)?;
    if tail.iter().all(|b| object::is_whitespace(*b)) {
        None
    } else {
        Some(end..doc.bytes.len())
    }
}
