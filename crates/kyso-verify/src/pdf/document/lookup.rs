//! Objects looked up in the view of a revision (ISO 32000-2 §7.5.4, §7.5.8): through the xref
//! entries of the revisions up to it, at their offsets or near them (a repair), never past the
//! revision's end; and the quick look that spares parsing objects that cannot be signatures.

use super::{Document, Repair, REPAIR_WINDOW};
use crate::pdf::object::{Indirect, Object, Parser};
use crate::pdf::xref::Entry;
use crate::pdf::PdfError;

impl Document<'_> {
    /// Parse the indirect object at `offset`, charging the work to the meter.
    pub(super) fn parse_at(
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

    /// The entry for `num` as of revision `rev`, and the revision that wrote it.
    pub(crate) fn entry_of(&self, rev: usize, num: u32) -> Option<(Entry, usize)> {
        let upto = self.revisions.get(..=rev)?;
        upto.iter()
            .enumerate()
            .rev()
            .find_map(|(i, s)| s.entries.get(&num).map(|e| (*e, i)))
    }

    /// The entry for `num` as of revision `rev` (revisions `0..=rev`).
    pub(crate) fn entry(&self, rev: usize, num: u32) -> Option<Entry> {
        self.entry_of(rev, num).map(|(e, _)| e)
    }

    /// The object `num` as revision `rev` sees it, or None when it is free or missing.
    pub(crate) fn object(&self, rev: usize, num: u32) -> Result<Option<Object>, PdfError> {
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
    pub(crate) fn object_numbered(
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
        // The header's generation must be the entry's (ISO 32000-2 §7.3.10).
        if let Some(Entry::InFile { gen, .. }) = self.entry(rev, num) {
            if gen != ind.gen {
                let repair = Repair::Generation {
                    offset: ind.span.start,
                    num,
                };
                let mut repairs = self.repairs.borrow_mut();
                if !repairs.contains(&repair) {
                    repairs.push(repair);
                }
            }
        }
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
            .filter(|&i| i == 0 || !crate::pdf::object::is_regular(self.bytes[i - 1]))
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
    pub(crate) fn object_at(&self, at: usize, rev: usize) -> Result<Indirect, PdfError> {
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
    pub(crate) fn may_be_signature_related(&self, written: usize) -> Result<bool, PdfError> {
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
        let after_ok = after.is_none_or(crate::pdf::object::is_whitespace);
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
}
