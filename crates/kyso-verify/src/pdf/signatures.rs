//! Signature discovery: every signature dictionary of every revision (ISO 32000-2 §12.8), the
//! fields that hold them (§12.7.5.5), and the objects that could not be read on the way.

use super::changes::FieldLock;
use super::document::{Document, Encryption};
use super::mdp;
use super::object::{Object, StrKind};
use super::xref::Entry;
use super::{Budget, PdfError};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// What a signature dictionary declares itself to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigKind {
    /// A signature (`/Type /Sig`, or no `/Type`; ISO 32000-2 §12.8.1).
    Signature,
    /// A document timestamp (`/Type /DocTimeStamp`, §12.8.5).
    DocumentTimestamp,
}

/// One signature dictionary as the file declares it (nothing verified yet).
#[derive(Debug, Clone)]
pub struct SignatureDict {
    /// Its object number and generation.
    pub object: (u32, u16),
    /// Where the dictionary's object is written.
    pub span: Range<usize>,
    /// Index of the revision (xref section) that wrote it.
    pub revision: usize,
    /// The fully qualified name of the signature field whose `/V` it is (§12.7.4.2).
    pub field_name: Option<String>,
    /// A signature or a document timestamp.
    pub kind: SigKind,
    /// `/Filter`: the handler (ISO 32000-2 Table 255).
    pub filter: Option<String>,
    /// `/SubFilter`: the encoding of `/Contents` (§12.8.3).
    pub sub_filter: Option<String>,
    /// The raw `/ByteRange` values, when it is an array of integers.
    pub byte_range: Option<Vec<i64>>,
    /// Decoded `/Contents` and the file span of its hex string token (`<` to `>`).
    pub(crate) contents: Option<(Vec<u8>, Range<usize>, StrKind)>,
    /// `/M`: the signing time the signer wrote (a PDF date, §7.9.4; unsigned).
    pub m: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/Name`: the signer's name as written.
    pub name: Option<String>,
    /// `/P` of a DocMDP transform in `/Reference` (a certification signature, ISO 32000-2
    /// §12.8.2.2, Table 257).
    pub docmdp: Option<i64>,
    /// FieldMDP locks in `/Reference` (§12.8.2.4).
    pub field_locks: Vec<FieldLock>,
    /// `/P` of a FieldMDP transform (ISO 32000-2 Table 259): the document's permissions once
    /// this field is signed.
    pub lock_level: Option<i64>,
    /// Whether the signature dictionary sits inside an object stream (its bytes cannot be
    /// checked against the byte range).
    pub in_object_stream: bool,
    /// Whether a signature field's `/V` (in any revision) refers to it (ISO 32000-2
    /// §12.7.5.5, §12.8): only those are signatures a viewer shows.
    pub attached: bool,
}

/// Objects that could not be parsed, kept so that the verdict can fail closed on them.
#[derive(Debug, Clone)]
pub(crate) struct Unparsed {
    pub num: u32,
    pub revision: usize,
    pub error: PdfError,
}

/// Objects listed one by one as unreadable; the rest are only counted.
const MAX_UNPARSED_LISTED: usize = 100;

/// The objects that could not be read: the first few, and how many in all.
#[derive(Debug, Clone, Default)]
pub struct Unreadable {
    pub(crate) listed: Vec<Unparsed>,
    pub(crate) total: usize,
}

impl Unreadable {
    fn push(&mut self, u: Unparsed) {
        self.total += 1;
        if self.listed.len() < MAX_UNPARSED_LISTED {
            self.listed.push(u);
        }
    }
    /// Whether every object could be read.
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
        values,
        lock_of,
        ..
    } = found;
    // Field names of a document left encrypted are ciphertext: none is shown.
    let names_readable = !matches!(doc.encryption(), Encryption::Closed { .. });
    permissions(doc, &mut sigs, &lock_of);
    for s in &mut sigs {
        s.attached = values.contains(&s.object.0);
        s.field_name = field_of
            .get(&s.object.0)
            .filter(|_| names_readable)
            .cloned();
    }
    sigs.sort_by_key(|s| (s.revision, s.span.start));
    Ok((sigs, unparsed))
}

/// What each signature allows afterwards, read through references, with its field's `/Lock`
/// (found under the signature's object number in `lock_of`).
fn permissions(doc: &Document, sigs: &mut [SignatureDict], lock_of: &HashMap<u32, Object>) {
    for s in sigs {
        if let Ok(Some(o)) = doc.object(s.revision, s.object.0) {
            let p = mdp::read(doc, s.revision, &o, lock_of.get(&s.object.0));
            s.docmdp = p.docmdp;
            s.field_locks = p.locks;
            s.lock_level = p.lock_level;
        }
    }
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
    /// The `/Lock` of each signed signature field, by its value (ISO 32000-2 Table 235).
    lock_of: HashMap<u32, Object>,
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
            if let Some(lock) = o.get(b"Lock") {
                self.lock_of.insert(v, lock.clone());
            }
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

pub(crate) fn text(o: Option<&Object>) -> Option<String> {
    match o? {
        Object::Str(b, _, _) => Some(decode_text_string(b)),
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

/// PDF text strings: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding (close to
/// Latin-1 for what signers write).
pub(crate) fn decode_text_string(b: &[u8]) -> String {
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

/// The signature dictionary `o` (ISO 32000-2 Table 255) as the file declares it.
fn signature_dict(
    object: (u32, u16),
    span: Range<usize>,
    revision: usize,
    o: &Object,
    in_object_stream: bool,
) -> SignatureDict {
    SignatureDict {
        object,
        lock_level: None,
        span,
        revision,
        field_name: None,
        kind: sig_kind(o),
        filter: text(o.get(b"Filter")),
        sub_filter: text(o.get(b"SubFilter")),
        byte_range: byte_range(o),
        contents: contents(o),
        m: text(o.get(b"M")),
        reason: text(o.get(b"Reason")),
        location: text(o.get(b"Location")),
        name: text(o.get(b"Name")),
        docmdp: None,
        field_locks: Vec::new(),
        in_object_stream,
        attached: false,
    }
}

/// A document timestamp (`/Type /DocTimeStamp`, ISO 32000-2 §12.8.5) or a signature.
fn sig_kind(o: &Object) -> SigKind {
    if o.type_name() == Some(b"DocTimeStamp") {
        SigKind::DocumentTimestamp
    } else {
        SigKind::Signature
    }
}

/// The raw `/ByteRange` values, when it is an array of integers.
fn byte_range(o: &Object) -> Option<Vec<i64>> {
    o.get(b"ByteRange")
        .and_then(Object::as_array)
        .and_then(|a| a.iter().map(Object::as_int).collect::<Option<Vec<_>>>())
}

/// The decoded `/Contents` string with the span of its token and its kind.
fn contents(o: &Object) -> Option<(Vec<u8>, Range<usize>, StrKind)> {
    match o.get(b"Contents") {
        Some(Object::Str(b, span, kind)) => Some((b.clone(), span.clone(), *kind)),
        _ => None,
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
        // The oldest field naming the signature keeps it: a later field borrowing its value
        // does not rename it.
        field_of.entry(v).or_insert_with(|| parts.join("."));
    }
    is_sig.then_some(v)
}
