//! The xref chain (ISO 32000-2 §7.5.4-§7.5.8): `startxref`, each section through `/Prev`, xref
//! tables and xref streams, hybrid files, and updates that left out their `/Prev`.

use super::{Document, Repair, REPAIR_WINDOW};
use crate::pdf::object::{dict_get, Dict, Object, Parser};
use crate::pdf::xref::{self, Entry, Section, SectionKind};
use crate::pdf::{stream, PdfError};
use std::collections::{HashMap, HashSet};

impl Document<'_> {
    /// The offset after the last `startxref` (§7.5.5).
    pub(super) fn startxref(&self) -> Result<usize, PdfError> {
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
    pub(super) fn read_chain(&self, start: usize) -> Result<Vec<Section>, PdfError> {
        let budget = *self.meter.budget();
        let mut seen = HashSet::new();
        let mut chain: Vec<Section> = Vec::new();
        let mut next = Some(start);
        while let Some(written) = next {
            // A /Prev that names a section already read, or the file's start (/Prev 0), ends
            // the chain, noted: pdfsig's reader stops there too.
            let looped = !seen.insert(written) || (written == self.base && !chain.is_empty());
            if looped {
                let Some(last) = chain.last() else {
                    return Err(PdfError::Syntax {
                        offset: written,
                        what: "a /Prev loop in the xref chain".into(),
                    });
                };
                self.meter.repair()?;
                self.repairs.borrow_mut().push(Repair::PrevLoop {
                    offset: last.offset,
                });
                break;
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
    pub(super) fn orphaned_revisions(&self, chain: &mut Vec<Section>) -> Result<(), PdfError> {
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
    pub(super) fn section_at(&self, at: usize) -> bool {
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
            .filter(|&i| i == 0 || !crate::pdf::object::is_regular(self.bytes[i - 1]))
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
            let (entries, duplicates, sloppy) = xref::read_table(self.bytes, &mut p, &self.meter)?;
            self.note_duplicates(offset, duplicates);
            self.repairs.borrow_mut().extend(
                sloppy
                    .into_iter()
                    .take(100)
                    .map(|offset| Repair::XrefEntry { offset }),
            );
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
        // ISO 32000-2 §7.5.8.2 asks /Size; poppler also refuses field widths it cannot hold
        // (type over 4 bytes, offset or generation over 8) and rebuilds the xref instead.
        let widths: Vec<i64> = dict_get(dict, b"W")
            .and_then(Object::as_array)
            .map(|w| w.iter().filter_map(Object::as_int).collect())
            .unwrap_or_default();
        let odd_widths = widths.len() != 3 || widths[0] > 4 || widths[1] > 8 || widths[2] > 8;
        let no_size = dict_get(dict, b"Size").and_then(Object::as_int).is_none();
        if odd_widths || no_size {
            self.repairs.borrow_mut().push(Repair::XrefEntry { offset });
        }
        Ok((entries, dict.clone(), ind.span.end))
    }

    /// Objects given twice by one section (kept to the first 100: the rest add nothing).
    fn note_duplicates(&self, offset: usize, duplicates: Vec<u32>) {
        let mut r = self.repairs.borrow_mut();
        for num in duplicates.into_iter().take(100) {
            r.push(Repair::Ambiguous { offset, num });
        }
    }
}
