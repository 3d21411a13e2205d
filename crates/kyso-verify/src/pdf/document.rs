//! A PDF file as its revisions see it: the xref chain read from the end, objects looked up
//! lazily in the view of any revision, object streams decoded on demand, every cost metered.

use super::crypt::{Crypt, CryptError, Method};
use super::meter::Meter;
use super::object::{dict_get, Dict, Indirect, Object, Parser};
use super::xref::{self, Entry, Revision, Section, SectionKind};
use super::{stream, Budget, PdfError};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// How far from a written offset a reader looks for the object or section it names.
const REPAIR_WINDOW: usize = 1024;

/// Something the reader had to repair to read the file, as conforming readers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Bytes before `%PDF-`: offsets are counted from the header.
    HeaderOffset(usize),
    /// A section or object was found near, not at, its written offset; `listed_by` is where
    /// the revision whose entry needed it starts.
    Offset {
        written: usize,
        found: usize,
        listed_by: usize,
    },
    /// A stream's `/Length` was wrong; its data ends at `endstream`.
    StreamLength { offset: usize },
    /// Two entries for one object where readers disagree on which wins: listed twice in one
    /// section (the first is kept, as poppler, MuPDF, Ghostscript and qpdf do), or given
    /// differently by a hybrid file's table and its `/XRefStm` (the table's is kept).
    Ambiguous { offset: usize, num: u32 },
    /// An update whose section (at `offset`) has no `/Prev`, though older revisions precede
    /// it: readers rebuild the xref from the whole file and still show the older objects.
    MissingPrev { offset: usize },
}

impl Repair {
    /// Where in the file the repaired structure is: a repair after a signed revision's end
    /// concerns bytes nobody signed, where readers may show something else.
    pub fn position(&self) -> usize {
        match self {
            Repair::HeaderOffset(_) => 0,
            Repair::Offset {
                written,
                found,
                listed_by,
            } => (*written).max(*found).max(*listed_by),
            Repair::StreamLength { offset }
            | Repair::Ambiguous { offset, .. }
            | Repair::MissingPrev { offset } => *offset,
        }
    }
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repair::HeaderOffset(n) => write!(f, "{n} bytes come before the %PDF- header; offsets were counted from the header"),
            Repair::Offset { written, found, .. } => write!(f, "the cross-reference table gives offset {written}, but the object or section starts at {found}"),
            Repair::StreamLength { offset } => write!(f, "the stream of the object at byte {offset} is not as long as its /Length says; its data ends at endstream"),
            Repair::Ambiguous { offset, num } => write!(f, "the cross-reference section at byte {offset} gives object {num} twice (table and /XRefStm, or one section); readers differ on which they show"),
            Repair::MissingPrev { offset } => write!(f, "the cross-reference section at byte {offset} has no /Prev although revisions precede it; readers rebuild the cross-reference from the whole file"),
        }
    }
}

/// The decoded data of one object stream and where each of its objects starts.
#[derive(Debug)]
pub struct ObjectStream {
    raw: Vec<u8>,
    /// (object number, start in `raw`), in stream order, starts increasing.
    index: Vec<(u32, usize)>,
}

impl ObjectStream {
    pub fn len(&self) -> usize {
        self.index.len()
    }
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
    pub fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.index.iter().map(|(n, _)| *n)
    }
}

pub struct Document<'a> {
    pub bytes: &'a [u8],
    /// Oldest first.
    pub revisions: Vec<Revision>,
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
    /// Objects some revision's xref names as an object stream.
    object_stream_numbers: HashSet<u32>,
    /// The catalog's `/Metadata` streams, left plain when `/EncryptMetadata` is false.
    plain_metadata: HashSet<u32>,
}

/// Whether the document is encrypted (ISO 32000-2 §7.6) and whether kyso could read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    None,
    /// Opened with the empty user password: strings and streams are read decrypted.
    Opened {
        method: Method,
    },
    /// Left encrypted: signatures are still checked, the objects' contents are not readable.
    Closed {
        method: Option<Method>,
        why: CryptError,
    },
}

impl<'a> Document<'a> {
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
            object_stream_numbers: HashSet::new(),
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
            for e in s.entries.values() {
                if let Entry::InStream { stream, .. } = e {
                    self.object_stream_numbers.insert(*stream);
                }
            }
        }
    }

    /// Whether the object written at file offset `at` is one of the chain's xref streams.
    pub fn is_xref_stream_at(&self, at: usize) -> bool {
        self.xref_streams.contains(&at)
    }

    /// Whether some revision's xref names object `num` as an object stream.
    pub fn is_object_stream(&self, num: u32) -> bool {
        self.object_stream_numbers.contains(&num)
    }

    /// The newest trailer's `/Encrypt` (as readers use it), opened with the empty user
    /// password (§7.6.4). Its own object is never decrypted, nor are the chain's xref streams
    /// (§7.5.8.2) or the trailer's `/ID`. A newest trailer without `/Encrypt` leaves the file
    /// plain, as readers show it (an update that drops the encryption is refused later).
    fn open_encryption(&mut self) {
        let Some(trailer) = self
            .revisions
            .last()
            .map(|r| &r.trailer)
            .filter(|t| dict_get(t, b"Encrypt").is_some())
        else {
            return;
        };
        self.encrypt_objects = self
            .revisions
            .iter()
            .filter_map(|r| dict_get(&r.trailer, b"Encrypt").and_then(Object::as_ref))
            .collect();
        let id0 = dict_get(trailer, b"ID")
            .and_then(Object::as_array)
            .and_then(|a| match a.first() {
                Some(Object::Str(b, _, _)) => Some(b.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let dict = match dict_get(trailer, b"Encrypt") {
            Some(Object::Dict(d)) => Some(d.clone()),
            Some(Object::Ref(n, _)) => match self.object(self.latest(), *n) {
                Ok(Some(Object::Dict(d))) => Some(d),
                _ => None,
            },
            _ => None,
        };
        let method = dict.as_ref().and_then(Crypt::declared);
        let opened = dict
            .ok_or(CryptError::Malformed(
                "/Encrypt is not a readable dictionary",
            ))
            .and_then(|d| Crypt::open(&d, &id0));
        match opened {
            Ok(c) => {
                self.encryption = Encryption::Opened { method: c.method() };
                if !c.encrypts_metadata() {
                    self.plain_metadata = self.catalog_metadata();
                }
                self.crypt = Some(c);
            }
            Err(why) => self.encryption = Encryption::Closed { method, why },
        }
    }

    /// Whether object `num`, as revision `rev` sees it, is one of the chain's xref streams.
    pub fn is_xref_stream_object(&self, rev: usize, num: u32) -> bool {
        matches!(self.entry(rev, num), Some(Entry::InFile { offset, .. })
            if self.is_xref_stream_at(offset.saturating_add(self.base)))
    }

    /// The catalog's `/Metadata` object in every revision.
    pub fn catalog_metadata(&self) -> HashSet<u32> {
        (0..self.revisions.len())
            .filter_map(|rev| {
                let (root, _) = dict_get(&self.revisions[rev].trailer, b"Root")?.as_ref()?;
                let cat = self.object(rev, root).ok()??;
                cat.get(b"Metadata")?.as_ref().map(|(n, _)| n)
            })
            .collect()
    }

    pub fn encryption(&self) -> &Encryption {
        &self.encryption
    }

    /// The strings of an object read from the file, decrypted (§7.6.2). Not decrypted: the
    /// encryption dictionary, xref streams, and a signature dictionary's `/Contents`.
    fn decrypt_strings(&self, ind: &mut Indirect) {
        let Some(c) = &self.crypt else { return };
        if self.encrypt_objects.contains(&(ind.num, ind.gen))
            || self.is_xref_stream_at(ind.span.start)
        {
            return;
        }
        fn walk(c: &Crypt, id: (u32, u16), o: &mut Object) {
            match o {
                Object::Str(b, _, _) => {
                    if let Some(plain) = c.string(id, b) {
                        *b = plain;
                    }
                }
                Object::Array(a) => a.iter_mut().for_each(|o| walk(c, id, o)),
                Object::Dict(d) | Object::Stream(d, _) => {
                    // §7.6.2: a signature dictionary's /Contents is not encrypted.
                    let signature = dict_get(d, b"ByteRange").is_some()
                        && matches!(
                            dict_get(d, b"Type").and_then(Object::as_name),
                            None | Some(b"Sig") | Some(b"DocTimeStamp")
                        );
                    for (k, v) in d.iter_mut() {
                        if !(signature && k == b"Contents") {
                            walk(c, id, v);
                        }
                    }
                }
                _ => {}
            }
        }
        walk(c, (ind.num, ind.gen), &mut ind.object);
    }

    /// The data of stream `id` (its dictionary `dict`, its raw bytes at `data`), decrypted and
    /// decoded under the document's budget.
    pub fn decode_stream(
        &self,
        id: (u32, u16),
        dict: &Dict,
        data: std::ops::Range<usize>,
    ) -> Result<Vec<u8>, PdfError> {
        let raw = self.bytes.get(data).ok_or(PdfError::Syntax {
            offset: 0,
            what: "stream data inside the file".into(),
        })?;
        match &self.crypt {
            None => stream::decode(&self.meter, dict, raw),
            Some(c) => {
                let exempt = self.plain_metadata.contains(&id.0);
                let plain = c
                    .stream(id, dict, raw, exempt)
                    .ok_or_else(|| PdfError::Syntax {
                        offset: 0,
                        what: format!("encrypted data of stream {} (it does not decrypt)", id.0),
                    })?;
                stream::decode(&self.meter, dict, &plain)
            }
        }
    }

    /// The offset after the last `startxref` (§7.5.5).
    fn startxref(&self) -> Result<usize, PdfError> {
        let sx = memchr::memmem::rfind(self.bytes, b"startxref").ok_or(PdfError::Syntax {
            offset: self.bytes.len(),
            what: "startxref".into(),
        })?;
        let mut p = Parser::new(self.bytes, sx + b"startxref".len());
        let off = p.unsigned().ok_or(PdfError::Syntax {
            offset: sx,
            what: "offset after startxref".into(),
        })?;
        usize::try_from(off).map_err(|_| PdfError::Syntax {
            offset: sx,
            what: "offset after startxref".into(),
        })
    }

    /// Sections from the newest through `/Prev`, each once.
    fn read_chain(&self, start: usize) -> Result<Vec<Section>, PdfError> {
        let budget = *self.meter.budget();
        let mut seen = HashSet::new();
        let mut chain = Vec::new();
        let mut next = Some(start);
        while let Some(written) = next {
            if !seen.insert(written) {
                return Err(PdfError::Syntax {
                    offset: written,
                    what: "a /Prev loop in the xref chain".into(),
                });
            }
            if chain.len() >= budget.max_revisions {
                return Err(PdfError::Budget {
                    what: "revisions",
                    limit: budget.max_revisions as u64,
                });
            }
            let offset = self.locate_section(written)?;
            let section = self.read_section(offset)?;
            next = section.prev.map(|p| p.saturating_add(self.base));
            chain.push(section);
        }
        Ok(chain)
    }

    /// Revisions an update left out of the chain by writing no `/Prev` (§7.5.6 requires it).
    /// Readers then rebuild the xref from the whole file and still show the older objects, and
    /// pdfsig still lists their signatures: the last `startxref` before the oldest section read
    /// names them, and they join the chain as older revisions, the missing `/Prev` noted as a
    /// repair (so a signature before it fails as modified, not as absent).
    fn orphaned_revisions(&self, chain: &mut Vec<Section>) -> Result<(), PdfError> {
        loop {
            let Some(oldest) = chain.last() else {
                return Ok(());
            };
            let missing = oldest.offset;
            // The older revision ends before the oldest section's first object: an original
            // document's objects start just after its header, so an honest file costs no scan.
            let objects_from = oldest
                .entries
                .values()
                .filter_map(|e| match e {
                    Entry::InFile { offset, .. } => Some(offset.saturating_add(self.base)),
                    _ => None,
                })
                .min()
                .unwrap_or(usize::MAX);
            let Some(first) = chain.iter().map(|s| s.offset).min() else {
                return Ok(());
            };
            let first = first.min(objects_from).min(self.bytes.len());
            // Searched backwards from `first`: each round reads only the bytes between its
            // `startxref` and the previous round's, so the file is scanned once in all.
            let Some(sx) = memchr::memmem::rfind(&self.bytes[..first], b"startxref") else {
                self.meter.scan(first)?;
                return Ok(());
            };
            self.meter.scan(first - sx)?;
            let mut p = Parser::new(self.bytes, sx + b"startxref".len());
            let Some(written) = p
                .unsigned()
                .and_then(|o| usize::try_from(o).ok())
                .map(|o| o.saturating_add(self.base))
            else {
                return Ok(());
            };
            if written >= first || !self.section_at(written) {
                return Ok(());
            }
            // An older chain that does not read, or reaches into the newer sections, is left
            // out as before: the file is read from its last startxref alone.
            let Ok(older) = self.read_chain(written) else {
                return Ok(());
            };
            if older.iter().any(|s| s.offset >= first || s.end > first) {
                return Ok(());
            }
            if chain.len() + older.len() > self.meter.budget().max_revisions {
                return Err(PdfError::Budget {
                    what: "revisions",
                    limit: self.meter.budget().max_revisions as u64,
                });
            }
            self.meter.repair()?;
            self.repairs
                .borrow_mut()
                .push(Repair::MissingPrev { offset: missing });
            chain.extend(older);
        }
    }

    /// Whether an xref table or an object (an xref stream) starts at `at`.
    fn section_at(&self, at: usize) -> bool {
        if at >= self.bytes.len() {
            return false;
        }
        let mut p = Parser::new(self.bytes, at);
        if p.keyword(b"xref") {
            return true;
        }
        let mut p = Parser::new(self.bytes, at);
        p.unsigned().is_some() && p.unsigned().is_some() && p.keyword(b"obj")
    }

    /// The written offset of a section, or the nearest section start around it (a repair).
    fn locate_section(&self, written: usize) -> Result<usize, PdfError> {
        if self.section_at(written) {
            return Ok(written);
        }
        let lo = written.saturating_sub(REPAIR_WINDOW).min(self.bytes.len());
        let hi = written.saturating_add(REPAIR_WINDOW).min(self.bytes.len());
        self.meter.scan(hi - lo)?;
        let found = (lo..hi)
            .filter(|&i| i == 0 || !super::object::is_regular(self.bytes[i - 1]))
            .filter(|&i| self.bytes[i] == b'x' || self.bytes[i].is_ascii_digit())
            .filter(|&i| self.section_at(i))
            .min_by_key(|&i| i.abs_diff(written))
            .ok_or(PdfError::Syntax {
                offset: written,
                what: "an xref table or xref stream at the offset startxref or /Prev gives".into(),
            })?;
        self.meter.repair()?;
        self.repairs.borrow_mut().push(Repair::Offset {
            written,
            found,
            listed_by: written,
        });
        Ok(found)
    }

    fn read_section(&self, offset: usize) -> Result<Section, PdfError> {
        let mut p = Parser::new(self.bytes, offset);
        let (kind, mut entries, trailer, after) = if p.keyword(b"xref") {
            let (entries, duplicates) = xref::read_table(self.bytes, &mut p, &self.meter)?;
            self.note_duplicates(offset, duplicates);
            if !p.keyword(b"trailer") {
                return Err(PdfError::Syntax {
                    offset: p.pos(),
                    what: "trailer".into(),
                });
            }
            let start = p.pos();
            let Object::Dict(trailer) = p.value(0)? else {
                return Err(PdfError::Syntax {
                    offset: p.pos(),
                    what: "trailer dictionary".into(),
                });
            };
            self.meter.scan(p.pos() - start)?;
            (SectionKind::Table, entries, trailer, p.pos())
        } else {
            let (entries, dict, after) = self.read_stream_section(offset)?;
            (SectionKind::Stream, entries, dict, after)
        };
        // §7.5.8.4 hybrid files: entries of the /XRefStm come after the table's own.
        if kind == SectionKind::Table {
            if let Some(Object::Int(x)) = dict_get(&trailer, b"XRefStm") {
                let at = usize::try_from(*x)
                    .unwrap_or(usize::MAX)
                    .saturating_add(self.base);
                let (hybrid, _, _) = self.read_stream_section(at)?;
                let mut disagree = Vec::new();
                for (k, v) in hybrid {
                    match entries.get(&k) {
                        None => {
                            entries.insert(k, v);
                        }
                        Some(e) if *e != v => disagree.push(k),
                        Some(_) => {}
                    }
                }
                self.note_duplicates(offset, disagree);
            }
        }
        let prev = match dict_get(&trailer, b"Prev") {
            None => None,
            Some(Object::Int(n)) if *n >= 0 => usize::try_from(*n).ok(),
            Some(_) => {
                return Err(PdfError::Syntax {
                    offset,
                    what: "/Prev is not an offset".into(),
                })
            }
        };
        let end = xref::revision_end(self.bytes, after).ok_or(PdfError::Syntax {
            offset: after,
            what: "startxref and %%EOF after an xref section".into(),
        })?;
        self.meter.scan(end - after)?;
        Ok(Section {
            offset,
            kind,
            entries,
            trailer,
            end,
            prev,
        })
    }

    /// An xref stream object at `offset`: its entries, dictionary and end.
    fn read_stream_section(
        &self,
        offset: usize,
    ) -> Result<(HashMap<u32, Entry>, Dict, usize), PdfError> {
        if offset >= self.bytes.len() {
            return Err(PdfError::Syntax {
                offset,
                what: "xref offset beyond end of file".into(),
            });
        }
        let ind = self.parse_at(offset, &|_, _| None)?;
        let Object::Stream(dict, data) = &ind.object else {
            return Err(PdfError::Syntax {
                offset,
                what: "xref table or xref stream".into(),
            });
        };
        if dict_get(dict, b"Type").and_then(Object::as_name) != Some(b"XRef") {
            return Err(PdfError::Syntax {
                offset,
                what: "an xref stream with /Type /XRef".into(),
            });
        }
        let raw = stream::decode(&self.meter, dict, &self.bytes[data.clone()])?;
        let (entries, duplicates) = xref::read_xref_stream(dict, &raw, &self.meter)?;
        self.note_duplicates(offset, duplicates);
        Ok((entries, dict.clone(), ind.span.end))
    }

    /// Objects given twice by one section (kept to the first 100: the rest add nothing).
    fn note_duplicates(&self, offset: usize, duplicates: Vec<u32>) {
        let mut r = self.repairs.borrow_mut();
        for num in duplicates.into_iter().take(100) {
            r.push(Repair::Ambiguous { offset, num });
        }
    }

    /// Parse the indirect object at `offset`, charging the work to the meter.
    fn parse_at(
        &self,
        offset: usize,
        length: &dyn Fn(u32, u16) -> Option<u64>,
    ) -> Result<Indirect, PdfError> {
        self.meter.check()?;
        let mut p = Parser::new(self.bytes, offset);
        let parsed = p.indirect(length);
        let stream_len = match &parsed {
            Ok(Indirect {
                object: Object::Stream(_, r),
                ..
            }) => r.len(),
            _ => 0,
        };
        self.meter
            .scan((p.pos().saturating_sub(offset)).saturating_sub(stream_len) + p.searched)?;
        if p.length_repaired {
            self.meter.repair()?;
            self.repairs
                .borrow_mut()
                .push(Repair::StreamLength { offset });
        }
        parsed
    }

    /// What the reader repaired so far.
    pub fn repairs(&self) -> Vec<Repair> {
        self.repairs.borrow().clone()
    }

    /// The budget error that stopped reading, if one did.
    pub fn exhausted(&self) -> Option<PdfError> {
        self.meter.exhausted()
    }

    pub fn meter(&self) -> &Meter {
        &self.meter
    }

    pub fn revision_count(&self) -> usize {
        self.revisions.len()
    }

    pub fn latest(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// The entry for `num` as of revision `rev`, and the revision that wrote it.
    pub fn entry_of(&self, rev: usize, num: u32) -> Option<(Entry, usize)> {
        let upto = self.revisions.get(..=rev)?;
        upto.iter()
            .enumerate()
            .rev()
            .find_map(|(i, s)| s.entries.get(&num).map(|e| (*e, i)))
    }

    /// The entry for `num` as of revision `rev` (revisions `0..=rev`).
    pub fn entry(&self, rev: usize, num: u32) -> Option<Entry> {
        self.entry_of(rev, num).map(|(e, _)| e)
    }

    /// `/Root` of the trailer as revision `rev` sees it.
    pub fn root(&self, rev: usize) -> Option<u32> {
        self.revisions
            .get(..=rev)?
            .iter()
            .rev()
            .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))
            .map(|(n, _)| n)
    }

    /// The object `num` as revision `rev` sees it, or None when it is free or missing.
    pub fn object(&self, rev: usize, num: u32) -> Result<Option<Object>, PdfError> {
        self.meter.check()?;
        match self.entry_of(rev, num) {
            None | Some((Entry::Free, _)) => Ok(None),
            Some((Entry::InFile { offset, .. }, by)) => {
                Ok(Some(self.object_numbered(offset, num, by)?.object))
            }
            Some((Entry::InStream { stream, index }, _)) => {
                let objs = self.object_stream(rev, stream)?;
                self.stream_object(&objs, num, index as usize)
            }
        }
    }

    /// The object the entry of revision `rev` places at `offset`, which must be object `num`
    /// and lie inside that revision (an entry pointing past its own revision's end would let
    /// later, unsigned bytes stand in for the signed revision's object).
    pub fn object_numbered(
        &self,
        written: usize,
        num: u32,
        rev: usize,
    ) -> Result<Indirect, PdfError> {
        let limit = self.revisions.get(rev).map_or(self.bytes.len(), |r| r.end);
        let at = written.saturating_add(self.base);
        let mut ind = match self.object_at(at, rev) {
            Ok(ind) if ind.num == num => ind,
            first => self
                .find_object_near(at, num, rev)
                .ok_or_else(|| match first {
                    Err(e) => e,
                    Ok(other) => PdfError::Syntax {
                        offset: at,
                        what: format!(
                            "object {num} at its xref offset, found object {}",
                            other.num
                        ),
                    },
                })?,
        };
        if ind.span.end > limit {
            return Err(PdfError::Syntax {
                offset: at,
                what: format!(
                    "object {num} inside revision {}, but it lies after that revision's end",
                    rev + 1
                ),
            });
        }
        self.decrypt_strings(&mut ind);
        Ok(ind)
    }

    /// `num G obj` near a wrong offset, nearest first (a repair, as readers do).
    fn find_object_near(&self, at: usize, num: u32, rev: usize) -> Option<Indirect> {
        self.meter.repair().ok()?;
        let lo = at.saturating_sub(REPAIR_WINDOW).min(self.bytes.len());
        let hi = at.saturating_add(REPAIR_WINDOW).min(self.bytes.len());
        self.meter.scan(hi - lo).ok()?;
        let needle = format!("{num} ");
        let window = &self.bytes[lo..hi];
        let found = memchr::memmem::find_iter(window, needle.as_bytes())
            .map(|i| lo + i)
            .filter(|&i| i == 0 || !super::object::is_regular(self.bytes[i - 1]))
            .filter_map(|i| self.object_at(i, rev).ok().filter(|o| o.num == num))
            .min_by_key(|o| o.span.start.abs_diff(at))?;
        let listed_by = self.revisions.get(rev).map_or(0, |r| r.offset);
        self.repairs.borrow_mut().push(Repair::Offset {
            written: at.saturating_sub(self.base),
            found: found.span.start,
            listed_by,
        });
        Some(found)
    }

    /// The indirect object written at file offset `at`, with `/Length` references resolved in
    /// the view of revision `rev`.
    pub fn object_at(&self, at: usize, rev: usize) -> Result<Indirect, PdfError> {
        if at >= self.bytes.len() {
            return Err(PdfError::Syntax {
                offset: at,
                what: "object offset beyond end of file".into(),
            });
        }
        let lookup_len = |n: u32, _g: u16| -> Option<u64> {
            match self.entry(rev, n)? {
                Entry::InFile { offset, .. } => {
                    let ind = self
                        .parse_at(offset.saturating_add(self.base), &|_, _| None)
                        .ok()?;
                    ind.object.as_int().and_then(|i| u64::try_from(i).ok())
                }
                _ => None,
            }
        };
        self.parse_at(at, &lookup_len)
    }

    /// Whether the object written at `written` may be a signature dictionary or a field with a
    /// value, judged from its bytes without parsing it: most objects of a large file are pages
    /// and content streams, and parsing each would make the cost follow objects, not bytes.
    /// The dictionary's bytes (up to `stream` or `endobj`) must hold none of the names that
    /// matter. Anything that could hide a name or end the dictionary early (a literal string,
    /// a comment, a `#` escape in a name) means a full parse.
    pub fn may_be_signature_related(&self, written: usize) -> Result<bool, PdfError> {
        use memchr::memmem::Finder;
        use std::sync::OnceLock;
        static STREAM: OnceLock<Finder<'static>> = OnceLock::new();
        static ENDOBJ: OnceLock<Finder<'static>> = OnceLock::new();
        const WINDOW: usize = 4096;
        let at = written.saturating_add(self.base).min(self.bytes.len());
        let window = &self.bytes[at..self.bytes.len().min(at + WINDOW)];
        let stream = STREAM.get_or_init(|| Finder::new(b"stream")).find(window);
        let head = &window[..stream.unwrap_or(window.len())];
        let end = ENDOBJ.get_or_init(|| Finder::new(b"endobj")).find(head);
        let Some(len) = end.or(stream) else {
            self.meter.scan(window.len())?;
            return Ok(true);
        };
        self.meter.scan(len)?;
        // The keyword must stand alone (not inside a name such as /Xstream or /endobjX) and
        // follow the dictionary's closing `>>`: otherwise it could end the dictionary early and
        // hide what follows it, and the object is parsed.
        let before_ok = len > 0 && matches!(window[len - 1], b' ' | b'\t' | b'\r' | b'\n' | b'>');
        let after = window.get(len + 6).copied();
        let after_ok = after.is_none_or(|b| super::object::is_whitespace(b));
        let head = window[..len].trim_ascii_end();
        if !before_ok || !after_ok || !head.ends_with(b">>") {
            return Ok(true);
        }
        let dict = head;
        if memchr::memchr3(b'(', b'%', b'#', dict).is_some() {
            return Ok(true);
        }
        const NAMES: [&[u8]; 4] = [b"/ByteRange", b"/Sig", b"/DocTimeStamp", b"/V"];
        Ok(memchr::memchr_iter(b'/', dict).any(|i| NAMES.iter().any(|n| dict[i..].starts_with(n))))
    }

    /// Object stream `num` (as revision `rev` sees it), decoded once while the cache holds it.
    pub fn object_stream(&self, rev: usize, num: u32) -> Result<Rc<ObjectStream>, PdfError> {
        let Some((Entry::InFile { offset, .. }, by)) = self.entry_of(rev, num) else {
            return Err(PdfError::Syntax {
                offset: 0,
                what: format!("object stream {num} is not in the file"),
            });
        };
        if let Some(v) = self.object_streams.borrow().get(&offset) {
            return Ok(v.clone());
        }
        let ind = self.object_numbered(offset, num, by)?;
        let Object::Stream(dict, data) = &ind.object else {
            return Err(PdfError::Syntax {
                offset,
                what: "an object stream".into(),
            });
        };
        if dict_get(dict, b"Type").and_then(Object::as_name) != Some(b"ObjStm") {
            return Err(PdfError::Syntax {
                offset,
                what: "an object stream typed /ObjStm (§7.5.7)".into(),
            });
        }
        let raw = self.decode_stream((ind.num, ind.gen), dict, data.clone())?;
        let index = self.object_stream_index(dict, &raw, offset)?;
        let os = Rc::new(ObjectStream { raw, index });
        self.cache(offset, os.clone());
        Ok(os)
    }

    fn cache(&self, offset: usize, os: Rc<ObjectStream>) {
        let size = os.raw.len() as u64 + os.index.len() as u64 * 16;
        let mut map = self.object_streams.borrow_mut();
        if self.cached_bytes.get() + size > self.meter.budget().max_cached_bytes {
            map.clear();
            self.cached_bytes.set(0);
        }
        self.cached_bytes.set(self.cached_bytes.get() + size);
        map.insert(offset, os);
    }

    /// The header of an object stream (§7.5.7): `/N` pairs of object number and offset from
    /// `/First`, in increasing order, so that no byte belongs to two objects.
    fn object_stream_index(
        &self,
        dict: &Dict,
        raw: &[u8],
        offset: usize,
    ) -> Result<Vec<(u32, usize)>, PdfError> {
        let bad = |what: &str| PdfError::Syntax {
            offset,
            what: what.into(),
        };
        let n = dict_get(dict, b"N").and_then(Object::as_int).unwrap_or(0);
        let first = dict_get(dict, b"First")
            .and_then(Object::as_int)
            .unwrap_or(0);
        if n < 0 || first < 0 || first as usize > raw.len() || n as usize > raw.len() / 2 + 1 {
            return Err(bad("object stream /N or /First"));
        }
        self.meter.scan(first as usize)?;
        let mut header = Parser::new(&raw[..first as usize], 0);
        let mut index = Vec::with_capacity(n as usize);
        let mut last = None;
        for _ in 0..n {
            let (Some(onum), Some(rel)) = (header.unsigned(), header.unsigned()) else {
                return Err(bad("object stream header"));
            };
            let at = (first as u64).saturating_add(rel);
            if at >= raw.len() as u64 || last.is_some_and(|l| at <= l) {
                return Err(bad(
                    "object stream offsets in increasing order inside its data",
                ));
            }
            last = Some(at);
            let onum = u32::try_from(onum).map_err(|_| bad("object number"))?;
            index.push((onum, at as usize));
        }
        // One object twice in one stream: readers disagree on which copy they show.
        let mut nums: Vec<u32> = index.iter().map(|(n, _)| *n).collect();
        nums.sort_unstable();
        if nums.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad("an object stream that lists each object once"));
        }
        Ok(index)
    }

    /// Object `num` of a decoded object stream; `index` is where the xref says it is.
    fn stream_object(
        &self,
        os: &ObjectStream,
        num: u32,
        index: usize,
    ) -> Result<Option<Object>, PdfError> {
        // The entry names the object's index (§7.5.8.3); an index that holds another object is
        // an error, not a reason to search (readers differ on what they would show).
        match os.index.get(index) {
            Some((n, _)) if *n == num => self.stream_object_at(os, index).map(Some),
            _ => Err(PdfError::Syntax {
                offset: 0,
                what: format!("object {num} at index {index} of its object stream"),
            }),
        }
    }

    /// The `i`-th object of a decoded object stream, parsed within its own bytes.
    pub fn stream_object_at(&self, os: &ObjectStream, i: usize) -> Result<Object, PdfError> {
        let start = os.index[i].1;
        let end = os.index.get(i + 1).map_or(os.raw.len(), |(_, s)| *s);
        let mut p = Parser::new(&os.raw[..end], start);
        let v = p.value(0);
        self.meter.scan(p.pos().saturating_sub(start))?;
        v
    }
}
