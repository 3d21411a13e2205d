//! Revision structure from the file itself: `startxref`, xref tables and streams, `/Prev`.
//!
//! lopdf merges all xref sections and drops `/Prev` (DESIGN.md §3), so this module reads them
//! one by one: each section is one revision, and the view of revision `r` is sections `0..=r`
//! merged, later entries winning.

use super::object::{dict_get, Dict, Object, Parser};
use super::{Budget, PdfError};
use flate2::read::ZlibDecoder;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Free,
    InFile { offset: usize, gen: u16 },
    InStream { stream: u32, index: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Table,
    Stream,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Offset of `xref` or of the xref stream object.
    pub offset: usize,
    pub kind: SectionKind,
    pub entries: HashMap<u32, Entry>,
    pub trailer: Dict,
    /// End of this revision: just after its `%%EOF` and end-of-line.
    pub end: usize,
}

/// The objects of one decoded object stream: (object number, value), in stream order.
pub type ObjectStream = Rc<Vec<(u32, Object)>>;

pub struct Document<'a> {
    pub bytes: &'a [u8],
    /// Oldest first.
    pub sections: Vec<Section>,
    budget: Budget,
    inflated: Cell<u64>,
    /// Decoded object streams, by file offset.
    object_streams: RefCell<HashMap<usize, ObjectStream>>,
}

impl<'a> Document<'a> {
    pub fn parse(bytes: &'a [u8], budget: Budget) -> Result<Self, PdfError> {
        if !bytes.starts_with(b"%PDF-") {
            // Some writers put junk before the header; we do not accept it.
            let head = bytes.get(..1024).unwrap_or(bytes);
            if memchr::memmem::find(head, b"%PDF-").is_none() {
                return Err(PdfError::NotPdf);
            }
            return Err(PdfError::Syntax {
                offset: 0,
                what: "data before the %PDF- header".into(),
            });
        }
        let mut doc = Document {
            bytes,
            sections: Vec::new(),
            budget,
            inflated: Cell::new(0),
            object_streams: RefCell::new(HashMap::new()),
        };
        let sx = memchr::memmem::rfind(bytes, b"startxref").ok_or(PdfError::Syntax {
            offset: bytes.len(),
            what: "startxref".into(),
        })?;
        let mut p = Parser::new(bytes, sx + b"startxref".len());
        let mut next = Some(p.unsigned().ok_or(PdfError::Syntax {
            offset: sx,
            what: "offset after startxref".into(),
        })? as usize);
        let mut seen = Vec::new();
        let mut sections = Vec::new();
        while let Some(offset) = next {
            if seen.contains(&offset) {
                return Err(PdfError::Syntax {
                    offset,
                    what: "a /Prev loop in the xref chain".into(),
                });
            }
            if sections.len() >= doc.budget.max_revisions {
                return Err(PdfError::Budget {
                    what: "revisions",
                    limit: doc.budget.max_revisions as u64,
                });
            }
            seen.push(offset);
            let (section, prev) = doc.read_section(offset)?;
            sections.push(section);
            next = prev;
        }
        sections.reverse();
        // Revisions must follow each other in the file: an older section after a newer one
        // is a rewritten file, not incremental updates, and we cannot reason about it.
        for w in sections.windows(2) {
            if w[0].offset >= w[1].offset {
                return Err(PdfError::Syntax {
                    offset: w[1].offset,
                    what: "xref sections out of file order".into(),
                });
            }
        }
        doc.sections = sections;
        Ok(doc)
    }

    fn read_section(&self, offset: usize) -> Result<(Section, Option<usize>), PdfError> {
        if offset >= self.bytes.len() {
            return Err(PdfError::Syntax {
                offset,
                what: "xref offset beyond end of file".into(),
            });
        }
        let mut p = Parser::new(self.bytes, offset);
        let (kind, mut entries, trailer, after) = if p.keyword(b"xref") {
            let entries = self.read_table(&mut p)?;
            if !p.keyword(b"trailer") {
                return Err(PdfError::Syntax {
                    offset: p.pos(),
                    what: "trailer".into(),
                });
            }
            let trailer = match p.value(0)? {
                Object::Dict(d) => d,
                _ => {
                    return Err(PdfError::Syntax {
                        offset: p.pos(),
                        what: "trailer dictionary".into(),
                    })
                }
            };
            (SectionKind::Table, entries, trailer, p.pos())
        } else {
            let ind = Parser::new(self.bytes, offset).indirect(&|_, _| None)?;
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
            let raw = self.decode_stream(dict, &self.bytes[data.clone()])?;
            let entries = read_xref_stream(dict, &raw, self.budget.max_objects)?;
            (SectionKind::Stream, entries, dict.clone(), ind.span.end)
        };
        // Hybrid files: a classic trailer may point at an xref stream with more entries.
        if let Some(Object::Int(x)) = dict_get(&trailer, b"XRefStm") {
            let (hybrid, _) = self.read_section(*x as usize)?;
            for (k, v) in hybrid.entries {
                entries.entry(k).or_insert(v);
            }
        }
        let prev = match dict_get(&trailer, b"Prev") {
            None => None,
            Some(Object::Int(n)) if *n >= 0 => Some(*n as usize),
            Some(_) => {
                return Err(PdfError::Syntax {
                    offset,
                    what: "/Prev is not an offset".into(),
                })
            }
        };
        let end = self.revision_end(after).ok_or(PdfError::Syntax {
            offset: after,
            what: "startxref and %%EOF after an xref section".into(),
        })?;
        Ok((
            Section {
                offset,
                kind,
                entries,
                trailer,
                end,
            },
            prev,
        ))
    }

    fn read_table(&self, p: &mut Parser<'a>) -> Result<HashMap<u32, Entry>, PdfError> {
        let mut entries = HashMap::new();
        loop {
            p.skip_ws();
            let save = p.pos();
            let (Some(first), Some(count)) = (p.unsigned(), p.unsigned()) else {
                // Not a subsection header: the trailer follows.
                let _ = save;
                break;
            };
            if entries.len() as u64 + count > self.budget.max_objects as u64 {
                return Err(PdfError::Budget {
                    what: "objects",
                    limit: self.budget.max_objects as u64,
                });
            }
            for i in 0..count {
                p.skip_ws();
                let at = p.pos();
                let line = self.bytes.get(at..at + 18).ok_or(PdfError::Syntax {
                    offset: at,
                    what: "an xref entry".into(),
                })?;
                let off = parse_digits(&line[0..10]);
                let gen = parse_digits(&line[11..16]);
                let (Some(off), Some(gen)) = (off, gen) else {
                    return Err(PdfError::Syntax {
                        offset: at,
                        what: "an xref entry".into(),
                    });
                };
                let num = u32::try_from(first + i).map_err(|_| PdfError::Syntax {
                    offset: at,
                    what: "object number too large".into(),
                })?;
                let e = match line[17] {
                    b'n' => Entry::InFile {
                        offset: off as usize,
                        gen: gen.min(u16::MAX as u64) as u16,
                    },
                    b'f' => Entry::Free,
                    _ => {
                        return Err(PdfError::Syntax {
                            offset: at,
                            what: "xref entry type n or f".into(),
                        })
                    }
                };
                entries.insert(num, e);
                *p = Parser::new(self.bytes, at + 18);
            }
        }
        Ok(entries)
    }

    /// After an xref section: `startxref N %%EOF` and its end-of-line.
    fn revision_end(&self, from: usize) -> Option<usize> {
        let rest = self.bytes.get(from..)?;
        let sx = memchr::memmem::find(rest, b"startxref")?;
        let eof = memchr::memmem::find(&rest[sx..], b"%%EOF")? + sx + 5;
        let mut end = from + eof;
        if self.bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if self.bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        Some(end)
    }

    pub fn revision_count(&self) -> usize {
        self.sections.len()
    }

    /// The entry for `num` as of revision `rev` (sections `0..=rev`).
    pub fn entry(&self, rev: usize, num: u32) -> Option<Entry> {
        self.sections
            .get(..=rev)?
            .iter()
            .rev()
            .find_map(|s| s.entries.get(&num).copied())
    }

    pub fn latest(&self) -> usize {
        self.sections.len().saturating_sub(1)
    }

    /// The object `num` as revision `rev` sees it, or None when it is free or missing.
    pub fn object(&self, rev: usize, num: u32) -> Result<Option<Object>, PdfError> {
        match self.entry(rev, num) {
            None | Some(Entry::Free) => Ok(None),
            Some(Entry::InFile { offset, .. }) => Ok(Some(self.object_at(offset, rev)?.object)),
            Some(Entry::InStream { stream, index }) => {
                let objs = self.object_stream(rev, stream)?;
                Ok(objs
                    .get(index as usize)
                    .filter(|(n, _)| *n == num)
                    .or_else(|| objs.iter().find(|(n, _)| *n == num))
                    .map(|(_, o)| o.clone()))
            }
        }
    }

    /// The indirect object written at `offset`.
    pub fn object_at(
        &self,
        offset: usize,
        rev: usize,
    ) -> Result<super::object::Indirect, PdfError> {
        if offset >= self.bytes.len() {
            return Err(PdfError::Syntax {
                offset,
                what: "object offset beyond end of file".into(),
            });
        }
        let lookup_len = |n: u32, _g: u16| -> Option<u64> {
            match self.entry(rev, n)? {
                Entry::InFile { offset, .. } => {
                    let ind = Parser::new(self.bytes, offset)
                        .indirect(&|_, _| None)
                        .ok()?;
                    ind.object.as_int().and_then(|i| u64::try_from(i).ok())
                }
                _ => None,
            }
        };
        Parser::new(self.bytes, offset).indirect(&lookup_len)
    }

    /// The objects of object stream `num` (as revision `rev` sees it), decoded once.
    pub fn object_stream(&self, rev: usize, num: u32) -> Result<Rc<Vec<(u32, Object)>>, PdfError> {
        let Some(Entry::InFile { offset, .. }) = self.entry(rev, num) else {
            return Err(PdfError::Syntax {
                offset: 0,
                what: format!("object stream {num} is not in the file"),
            });
        };
        if let Some(v) = self.object_streams.borrow().get(&offset) {
            return Ok(v.clone());
        }
        let ind = self.object_at(offset, rev)?;
        let Object::Stream(dict, data) = &ind.object else {
            return Err(PdfError::Syntax {
                offset,
                what: "an object stream".into(),
            });
        };
        let raw = self.decode_stream(dict, &self.bytes[data.clone()])?;
        let n = dict_get(dict, b"N").and_then(Object::as_int).unwrap_or(0);
        let first = dict_get(dict, b"First")
            .and_then(Object::as_int)
            .unwrap_or(0);
        if n < 0 || first < 0 || n as usize > self.budget.max_objects {
            return Err(PdfError::Syntax {
                offset,
                what: "object stream /N or /First".into(),
            });
        }
        let mut header = Parser::new(&raw, 0);
        let mut out = Vec::new();
        for _ in 0..n {
            let (Some(onum), Some(rel)) = (header.unsigned(), header.unsigned()) else {
                return Err(PdfError::Syntax {
                    offset,
                    what: "object stream header".into(),
                });
            };
            let at = (first as u64).saturating_add(rel) as usize;
            if at >= raw.len() {
                return Err(PdfError::Syntax {
                    offset,
                    what: "object stream entry beyond its data".into(),
                });
            }
            let v = Parser::new(&raw, at).value(0)?;
            out.push((onum as u32, v));
        }
        let rc = Rc::new(out);
        self.object_streams.borrow_mut().insert(offset, rc.clone());
        Ok(rc)
    }

    /// Decode a stream's data (FlateDecode with PNG predictors, or none), under the budget.
    pub fn decode_stream(&self, dict: &Dict, data: &[u8]) -> Result<Vec<u8>, PdfError> {
        let filters: Vec<&[u8]> = match dict_get(dict, b"Filter") {
            None => vec![],
            Some(Object::Name(n)) => vec![n.as_slice()],
            Some(Object::Array(a)) => a.iter().filter_map(Object::as_name).collect(),
            Some(_) => return Err(PdfError::Unsupported("a /Filter that is not a name".into())),
        };
        let mut out = data.to_vec();
        for f in &filters {
            match *f {
                b"FlateDecode" => {
                    let left = self
                        .budget
                        .max_inflated_bytes
                        .saturating_sub(self.inflated.get());
                    let mut dec = ZlibDecoder::new(out.as_slice()).take(left + 1);
                    let mut buf = Vec::new();
                    dec.read_to_end(&mut buf).map_err(|e| PdfError::Syntax {
                        offset: 0,
                        what: format!("deflate data: {e}"),
                    })?;
                    if buf.len() as u64 > left {
                        return Err(PdfError::Budget {
                            what: "decompressed bytes",
                            limit: self.budget.max_inflated_bytes,
                        });
                    }
                    self.inflated.set(self.inflated.get() + buf.len() as u64);
                    out = buf;
                }
                other => {
                    return Err(PdfError::Unsupported(format!(
                        "stream filter /{}",
                        String::from_utf8_lossy(other)
                    )))
                }
            }
        }
        if let Some(parms) = dict_get(dict, b"DecodeParms").and_then(Object::as_dict) {
            let predictor = dict_get(parms, b"Predictor")
                .and_then(Object::as_int)
                .unwrap_or(1);
            if predictor >= 10 {
                let cols = dict_get(parms, b"Columns")
                    .and_then(Object::as_int)
                    .unwrap_or(1);
                out = png_unpredict(&out, cols.clamp(1, 1 << 20) as usize)?;
            } else if predictor != 1 {
                return Err(PdfError::Unsupported(format!("predictor {predictor}")));
            }
        }
        Ok(out)
    }
}

fn parse_digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

fn png_unpredict(data: &[u8], cols: usize) -> Result<Vec<u8>, PdfError> {
    let row = cols + 1;
    if data.len() % row != 0 {
        return Err(PdfError::Syntax {
            offset: 0,
            what: "predicted data is not whole rows".into(),
        });
    }
    let mut out = Vec::with_capacity(data.len() / row * cols);
    let mut prev = vec![0u8; cols];
    for chunk in data.chunks(row) {
        let (kind, line) = (chunk[0], &chunk[1..]);
        let mut cur = vec![0u8; cols];
        for i in 0..cols {
            let a = if i > 0 { cur[i - 1] } else { 0 };
            let b = prev[i];
            let c = if i > 0 { prev[i - 1] } else { 0 };
            cur[i] = line[i].wrapping_add(match kind {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                4 => {
                    let p = a as i16 + b as i16 - c as i16;
                    let (pa, pb, pc) = (
                        (p - a as i16).abs(),
                        (p - b as i16).abs(),
                        (p - c as i16).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                _ => {
                    return Err(PdfError::Syntax {
                        offset: 0,
                        what: format!("PNG predictor type {kind}"),
                    })
                }
            });
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn read_xref_stream(
    dict: &Dict,
    raw: &[u8],
    max_objects: usize,
) -> Result<HashMap<u32, Entry>, PdfError> {
    let bad = |what: &str| PdfError::Syntax {
        offset: 0,
        what: what.to_string(),
    };
    let w: Vec<usize> = dict_get(dict, b"W")
        .and_then(Object::as_array)
        .ok_or_else(|| bad("/W of an xref stream"))?
        .iter()
        .map(|o| {
            o.as_int()
                .filter(|v| (0..=8).contains(v))
                .map(|v| v as usize)
        })
        .collect::<Option<_>>()
        .ok_or_else(|| bad("/W values"))?;
    if w.len() != 3 || w.iter().sum::<usize>() == 0 {
        return Err(bad("/W of three widths"));
    }
    let size = dict_get(dict, b"Size")
        .and_then(Object::as_int)
        .unwrap_or(0)
        .max(0);
    let index: Vec<i64> = match dict_get(dict, b"Index").and_then(Object::as_array) {
        Some(a) => a
            .iter()
            .map(Object::as_int)
            .collect::<Option<_>>()
            .ok_or_else(|| bad("/Index"))?,
        None => vec![0, size],
    };
    if index.len() % 2 != 0 {
        return Err(bad("/Index pairs"));
    }
    let rowlen: usize = w.iter().sum();
    let mut rows = raw.chunks_exact(rowlen);
    let mut out = HashMap::new();
    for pair in index.chunks(2) {
        let (first, count) = (pair[0], pair[1]);
        if first < 0 || count < 0 || out.len() + count as usize > max_objects {
            return Err(PdfError::Budget {
                what: "objects",
                limit: max_objects as u64,
            });
        }
        for i in 0..count {
            let row = rows.next().ok_or_else(|| bad("xref stream rows"))?;
            let field = |k: usize| -> u64 {
                let start: usize = w[..k].iter().sum();
                row[start..start + w[k]]
                    .iter()
                    .fold(0u64, |acc, b| acc << 8 | *b as u64)
            };
            let kind = if w[0] == 0 { 1 } else { field(0) };
            let e = match kind {
                0 => Entry::Free,
                1 => Entry::InFile {
                    offset: field(1) as usize,
                    gen: field(2).min(u16::MAX as u64) as u16,
                },
                2 => Entry::InStream {
                    stream: field(1) as u32,
                    index: field(2) as u32,
                },
                _ => continue, // reserved types are treated as null references
            };
            out.insert((first + i) as u32, e);
        }
    }
    Ok(out)
}
