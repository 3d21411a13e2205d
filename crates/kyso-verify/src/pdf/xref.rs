//! Cross-reference sections and how they make revisions.
//!
//! - Tables (ISO 32000-2 §7.5.4) and streams (§7.5.8), read one section at a time: lopdf merges
//!   them all and drops `/Prev`, so it cannot say what each revision contained.
//! - Hybrid-reference files (§7.5.8.4): a table's trailer may name an `/XRefStm` whose entries
//!   come after the table's own.
//! - Revisions (§7.5.6): the chain of sections from the last `startxref` through `/Prev`. A
//!   section that lies *after* the newer section pointing to it was written with it: the main
//!   section of a linearized file (Annex F), whose first-page section sits at the start of the
//!   file. Such sections form one revision, which ends at the `%%EOF` of the last of them.

use super::meter::Meter;
use super::object::{dict_get, Dict, Object, Parser};
use super::PdfError;
use std::collections::HashMap;

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

/// One xref section as written: a table with its trailer, or an xref stream.
#[derive(Debug, Clone)]
pub struct Section {
    /// Offset of `xref` or of the xref stream object.
    pub offset: usize,
    pub kind: SectionKind,
    pub entries: HashMap<u32, Entry>,
    pub trailer: Dict,
    /// Just after the `%%EOF` (and its end-of-line) that follows the section.
    pub end: usize,
    /// `/Prev`: the next older section.
    pub prev: Option<usize>,
}

/// One revision: the sections written together, merged (the newer section's entries win).
#[derive(Debug, Clone)]
pub struct Revision {
    /// Offset of the section `startxref` or `/Prev` names.
    pub offset: usize,
    /// The sections it was made of (2 for a linearized file's first revision).
    pub sections: usize,
    pub entries: HashMap<u32, Entry>,
    /// The trailer of the newest section, completed by the older ones' keys.
    pub trailer: Dict,
    /// End of the revision: after the last `%%EOF` of its sections.
    pub end: usize,
}

/// Group a `/Prev` chain (newest first) into revisions (oldest first).
pub fn revisions(chain: Vec<Section>) -> Result<Vec<Revision>, PdfError> {
    // Newest first while grouping; each with the offset of the last section merged into it.
    let mut groups: Vec<(Revision, usize)> = Vec::new();
    for s in chain {
        match groups.last_mut() {
            // Written after the newer section that points to it: the same revision.
            Some((rev, newer)) if s.offset > *newer => {
                *newer = s.offset;
                rev.merge_older(s);
            }
            _ => {
                let at = s.offset;
                groups.push((Revision::from(s), at));
            }
        }
    }
    let mut out: Vec<Revision> = groups.into_iter().rev().map(|(r, _)| r).collect();
    // Each revision must end after the one before it; anything else is a rewritten file whose
    // revisions cannot be told apart.
    for w in out.windows(2) {
        if w[0].end >= w[1].end {
            return Err(PdfError::Syntax {
                offset: w[1].offset,
                what: "xref sections whose revisions end in file order".into(),
            });
        }
    }
    out.shrink_to_fit();
    Ok(out)
}

impl From<Section> for Revision {
    fn from(s: Section) -> Self {
        Revision {
            offset: s.offset,
            sections: 1,
            entries: s.entries,
            trailer: s.trailer,
            end: s.end,
        }
    }
}

impl Revision {
    /// Add an older section written with this revision: its entries and trailer keys fill in
    /// what the newer sections do not say.
    fn merge_older(&mut self, older: Section) {
        self.sections += 1;
        self.end = self.end.max(older.end);
        for (k, v) in older.entries {
            self.entries.entry(k).or_insert(v);
        }
        for (k, v) in older.trailer {
            if k != b"Prev" && dict_get(&self.trailer, &k).is_none() {
                self.trailer.push((k, v));
            }
        }
    }
}

/// The entries of an xref table (`xref` already read), up to `trailer`.
/// Also returns the objects listed more than once (the first entry is kept, as poppler, MuPDF,
/// Ghostscript and qpdf keep it).
/// And the offsets of entries not written as `offset generation n|f` with whitespace between
/// (readers that tokenize the line read them otherwise, and rebuild the xref).
pub fn read_table<'a>(
    bytes: &'a [u8],
    p: &mut Parser<'a>,
    meter: &Meter,
) -> Result<TableEntries, PdfError> {
    let mut entries = HashMap::new();
    let mut duplicates = Vec::new();
    let mut sloppy = Vec::new();
    loop {
        p.skip_ws();
        let (Some(first), Some(count)) = (p.unsigned(), p.unsigned()) else {
            break; // not a subsection header: the trailer follows
        };
        meter.objects(usize::try_from(count).unwrap_or(usize::MAX))?;
        for i in 0..count {
            p.skip_ws();
            let at = p.pos();
            let (num, e) = table_entry(bytes, at, first + i)?;
            if !well_formed(bytes, at) {
                sloppy.push(at);
            }
            if entries.contains_key(&num) {
                duplicates.push(num);
            } else {
                entries.insert(num, e);
            }
            *p = Parser::new(bytes, at + 18);
        }
        meter.scan(count as usize * 20)?;
    }
    Ok((entries, duplicates, sloppy))
}

/// A table section's entries, the objects it lists twice, and its ill-formed entries' offsets.
pub type TableEntries = (HashMap<u32, Entry>, Vec<u32>, Vec<usize>);

/// Whether the entry at `at` separates its fields by whitespace and ends after its type
/// (ISO 32000-2 §7.5.4: `nnnnnnnnnn ggggg n` and an end-of-line).
fn well_formed(bytes: &[u8], at: usize) -> bool {
    let ws = |i: usize| {
        bytes
            .get(at + i)
            .is_none_or(|b| super::object::is_whitespace(*b))
    };
    ws(10) && ws(16) && ws(18)
}

/// One 20-byte line `nnnnnnnnnn ggggg n` (§7.5.4); any end-of-line after it.
fn table_entry(bytes: &[u8], at: usize, num: u64) -> Result<(u32, Entry), PdfError> {
    let bad = |what: &str| PdfError::Syntax {
        offset: at,
        what: what.into(),
    };
    let line = bytes.get(at..at + 18).ok_or_else(|| bad("an xref entry"))?;
    let (Some(off), Some(gen)) = (digits(&line[0..10]), digits(&line[11..16])) else {
        return Err(bad("an xref entry"));
    };
    let num = u32::try_from(num).map_err(|_| bad("object number too large"))?;
    let e = match line[17] {
        b'n' => Entry::InFile {
            offset: usize::try_from(off).map_err(|_| bad("an offset"))?,
            gen: gen.min(u16::MAX as u64) as u16,
        },
        b'f' => Entry::Free,
        _ => return Err(bad("xref entry type n or f")),
    };
    Ok((num, e))
}

fn digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    s.iter().try_fold(0u64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

/// The entries of a decoded xref stream (§7.5.8.2–3: `/W`, `/Index`, `/Size`).
pub fn read_xref_stream(
    dict: &Dict,
    raw: &[u8],
    meter: &Meter,
) -> Result<(HashMap<u32, Entry>, Vec<u32>), PdfError> {
    let mut duplicates = Vec::new();
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
    if index.len() % 2 != 0 || index.iter().any(|v| *v < 0 || *v > u32::MAX as i64) {
        return Err(bad("/Index pairs"));
    }
    let rowlen: usize = w.iter().sum();
    let mut rows = raw.chunks_exact(rowlen);
    let mut out = HashMap::new();
    for pair in index.chunks(2) {
        let (first, count) = (pair[0] as u64, pair[1] as u64);
        // Rows the stream does not hold are not entries: charge only what is there.
        let count = count.min((raw.len() / rowlen) as u64);
        meter.objects(count as usize)?;
        for i in 0..count {
            let row = rows.next().ok_or_else(|| bad("xref stream rows"))?;
            if let Some(e) = stream_entry(&w, row) {
                let num = u32::try_from(first + i).map_err(|_| bad("object number"))?;
                if out.contains_key(&num) {
                    duplicates.push(num);
                } else {
                    out.insert(num, e);
                }
            }
        }
    }
    Ok((out, duplicates))
}

/// One row; `None` for reserved types, which are null references (§7.5.8.3).
fn stream_entry(w: &[usize], row: &[u8]) -> Option<Entry> {
    let field = |k: usize| -> u64 {
        let start: usize = w[..k].iter().sum();
        row[start..start + w[k]]
            .iter()
            .fold(0u64, |acc, b| acc << 8 | *b as u64)
    };
    let kind = if w[0] == 0 { 1 } else { field(0) };
    match kind {
        0 => Some(Entry::Free),
        1 => Some(Entry::InFile {
            offset: usize::try_from(field(1)).ok()?,
            gen: field(2).min(u16::MAX as u64) as u16,
        }),
        2 => Some(Entry::InStream {
            stream: u32::try_from(field(1)).ok()?,
            index: u32::try_from(field(2)).ok()?,
        }),
        _ => None,
    }
}

/// After a section: `startxref N %%EOF` and its end-of-line.
pub fn revision_end(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let sx = memchr::memmem::find(rest, b"startxref")?;
    let eof = memchr::memmem::find(&rest[sx..], b"%%EOF")? + sx + 5;
    let mut end = from + eof;
    if bytes.get(end) == Some(&b'\r') {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\n') {
        end += 1;
    }
    Some(end)
}
