//! A PDF file as its revisions see it: the xref chain read from the end (`chain`),
//! objects looked up lazily in the view of any revision (`lookup`), object streams decoded on
//! demand (`objstm`), encrypted documents opened (`encryption`), every cost metered and every
//! repair noted (`repair`).

mod chain;
mod encryption;
mod lookup;
mod objstm;
mod repair;

pub use encryption::Encryption;
pub use objstm::ObjectStream;
pub use repair::Repair;

use super::crypt::Crypt;
use super::meter::Meter;
use super::object::{dict_get, Object};
use super::xref::{self, Entry, Revision, Section, SectionKind};
use super::{Budget, PdfError};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// How far from a written offset a reader looks for the object or section it names.
const REPAIR_WINDOW: usize = 1024;

/// A PDF file read from its bytes: its revisions (xref sections, ISO 32000-2 §7.5.6), oldest
/// first, each object read when asked for in the view of any revision, under one budget.
pub struct Document<'a> {
    /// The whole file.
    pub(crate) bytes: &'a [u8],
    /// Oldest first.
    pub(crate) revisions: Vec<Revision>,
    /// Where `%PDF-` starts: offsets written in the file count from here.
    base: usize,
    meter: Meter,
    /// Decoded object streams, by file offset (emptied when it holds too many bytes).
    object_streams: RefCell<HashMap<usize, Rc<ObjectStream>>>,
    cached_bytes: std::cell::Cell<u64>,
    repairs: RefCell<Vec<Repair>>,
    encryption: Encryption,
    crypt: Option<Crypt>,
    /// The objects holding an encryption dictionary (never decrypted).
    encrypt_objects: Vec<(u32, u16)>,
    /// Where the xref streams the chain read start (file offsets): the structure itself,
    /// known by position, never by a `/Type` an object claims.
    xref_streams: HashSet<usize>,
    /// The catalog's `/Metadata` streams, left plain when `/EncryptMetadata` is false.
    plain_metadata: HashSet<u32>,
}

impl<'a> Document<'a> {
    /// Read the xref chain of `bytes` (ISO 32000-2 §7.5) and open its encryption, if any,
    /// under `budget`. Objects are read later, when asked for.
    pub fn parse(bytes: &'a [u8], budget: Budget) -> Result<Self, PdfError> {
        // ISO 32000-2 §7.5.2: readers accept the header anywhere in the first 1024 bytes.
        let head = bytes.get(..1024).unwrap_or(bytes);
        let base = memchr::memmem::find(head, b"%PDF-").ok_or(PdfError::NotPdf)?;
        let mut doc = Document {
            bytes,
            revisions: Vec::new(),
            base: 0,
            meter: Meter::new(budget, bytes.len()),
            object_streams: RefCell::new(HashMap::new()),
            cached_bytes: std::cell::Cell::new(0),
            repairs: RefCell::new(Vec::new()),
            encryption: Encryption::None,
            crypt: None,
            encrypt_objects: Vec::new(),
            xref_streams: HashSet::new(),
            plain_metadata: HashSet::new(),
        };
        let start = doc.startxref()?;
        if base > 0 && !doc.section_at(start) && doc.section_at(start.saturating_add(base)) {
            doc.base = base;
            doc.repairs.borrow_mut().push(Repair::HeaderOffset(base));
        }
        let mut chain = doc.read_chain(start.saturating_add(doc.base))?;
        doc.orphaned_revisions(&mut chain)?;
        doc.note_structure(&chain);
        doc.revisions = xref::revisions(chain)?;
        doc.open_encryption();
        Ok(doc)
    }

    /// Which objects are xref streams and object streams, from the chain itself.
    fn note_structure(&mut self, chain: &[Section]) {
        for s in chain {
            if s.kind == SectionKind::Stream {
                self.xref_streams.insert(s.offset);
            }
            if let Some(x) = dict_get(&s.trailer, b"XRefStm").and_then(Object::as_int) {
                self.xref_streams.insert(
                    usize::try_from(x)
                        .unwrap_or(usize::MAX)
                        .saturating_add(self.base),
                );
            }
        }
    }

    /// Whether the object written at file offset `at` is one of the chain's xref streams.
    pub(crate) fn is_xref_stream_at(&self, at: usize) -> bool {
        self.xref_streams.contains(&at)
    }

    /// Where the objects that the xref sections of the revisions after `rev` list start (file
    /// offsets), with the number and generation each entry gives; an xref stream's start has
    /// `None` (its own object, whatever its number).
    pub(crate) fn object_offsets_after(
        &self,
        rev: usize,
    ) -> std::collections::BTreeMap<usize, Vec<Option<(u32, u16)>>> {
        let mut out: std::collections::BTreeMap<usize, Vec<Option<(u32, u16)>>> =
            std::collections::BTreeMap::new();
        for at in &self.xref_streams {
            out.entry(*at).or_default().push(None);
        }
        for r in self.revisions.iter().skip(rev + 1) {
            for (num, e) in &r.entries {
                if let Entry::InFile { offset, gen } = e {
                    out.entry(offset.saturating_add(self.base))
                        .or_default()
                        .push(Some((*num, *gen)));
                }
            }
        }
        out
    }

    /// Whether the xref of revision `rev` or an older one names object `num` as an object
    /// stream.
    pub(crate) fn is_object_stream_by(&self, rev: usize, num: u32) -> bool {
        self.revisions.iter().take(rev + 1).any(|r| {
            r.entries
                .values()
                .any(|e| matches!(e, Entry::InStream { stream, .. } if *stream == num))
        })
    }

    /// Whether object `num`, as revision `rev` sees it, is one of the chain's xref streams.
    pub(crate) fn is_xref_stream_object(&self, rev: usize, num: u32) -> bool {
        matches!(self.entry(rev, num), Some(Entry::InFile { offset, .. })
            if self.is_xref_stream_at(offset.saturating_add(self.base)))
    }

    /// The catalog's `/Metadata` object in every revision.
    pub(crate) fn catalog_metadata(&self) -> HashSet<u32> {
        self.catalog_refs(b"Metadata")
    }

    /// The objects the catalog's `key` refers to, in any revision.
    pub(crate) fn catalog_refs(&self, key: &[u8]) -> HashSet<u32> {
        (0..self.revisions.len())
            .filter_map(|rev| {
                let (root, _) = dict_get(&self.revisions[rev].trailer, b"Root")?.as_ref()?;
                let cat = self.object(rev, root).ok()??;
                cat.get(key)?.as_ref().map(|(n, _)| n)
            })
            .collect()
    }

    pub(crate) fn encryption(&self) -> &Encryption {
        &self.encryption
    }

    /// What the reader repaired so far.
    pub(crate) fn repairs(&self) -> Vec<Repair> {
        self.repairs.borrow().clone()
    }

    /// The budget error that stopped reading, if one did.
    pub(crate) fn exhausted(&self) -> Option<PdfError> {
        self.meter.exhausted()
    }

    /// What the document has spent of its budget.
    pub(crate) fn meter(&self) -> &Meter {
        &self.meter
    }

    /// How many revisions the file has.
    pub fn revision_count(&self) -> usize {
        self.revisions.len()
    }

    /// The index of the newest revision: the document's final state.
    pub(crate) fn latest(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// `/Root` of the trailer as revision `rev` sees it.
    pub(crate) fn root(&self, rev: usize) -> Option<u32> {
        self.revisions
            .get(..=rev)?
            .iter()
            .rev()
            .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))
            .map(|(n, _)| n)
    }
}
