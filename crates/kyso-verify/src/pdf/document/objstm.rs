//! Object streams (ISO 32000-2 §7.5.7): decoded once while the cache holds them, their header
//! checked, their objects parsed each within its own bytes.

use super::{Document, Repair};
use crate::pdf::object::{dict_get, Dict, Object, Parser};
use crate::pdf::xref::Entry;
use crate::pdf::PdfError;
use std::rc::Rc;

/// The decoded data of one object stream and where each of its objects starts.
#[derive(Debug)]
pub struct ObjectStream {
    raw: Vec<u8>,
    /// (object number, start in `raw`), in stream order, starts increasing.
    index: Vec<(u32, usize)>,
}

impl ObjectStream {
    pub(crate) fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.index.iter().map(|(n, _)| *n)
    }
}

impl Document<'_> {
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
        // ISO 32000-2 §7.5.7: an object stream's generation is 0; readers look it up so and,
        // not finding it, rebuild the xref (poppler does).
        if ind.gen != 0 {
            let repair = Repair::Generation {
                offset: ind.span.start,
                num,
            };
            let mut repairs = self.repairs.borrow_mut();
            if !repairs.contains(&repair) {
                repairs.push(repair);
            }
        }
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
    pub(super) fn stream_object(
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
    pub(crate) fn stream_object_at(&self, os: &ObjectStream, i: usize) -> Result<Object, PdfError> {
        let start = os.index[i].1;
        let end = os.index.get(i + 1).map_or(os.raw.len(), |(_, s)| *s);
        let mut p = Parser::new(&os.raw[..end], start);
        let v = p.value(0);
        self.meter.scan(p.pos().saturating_sub(start))?;
        v
    }
}
