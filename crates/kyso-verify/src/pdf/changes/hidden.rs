//! Objects a reader could find that the xref does not list. A reader that cannot use the xref
//! (a lookup under a wrong generation, a damaged section) rebuilds it by scanning the file for
//! `N G obj` headers, the last definition of each object winning (poppler, MuPDF, pdf.js do):
//! a header hidden in bytes written after a signature, say inside a new stream's data, would
//! then stand for a signed object. Every header in those bytes must be one the xref lists
//! (ISO 32000-2 §7.5.4, §7.5.6); and an object may not change its generation number after
//! signing (§7.3.10: an indirect reference names the number and the generation).

use super::appearance::{for_each_ref, Referrers};
use super::diff::Ctx;
use super::reason::ChangeReason;
use crate::pdf::object::is_whitespace;
use crate::pdf::xref::Entry;
use crate::pdf::Document;

/// At most this many hidden headers are reported.
const MAX_REPORTED: usize = 3;

/// File offsets of `N G obj` headers written after revision `signed` that no later xref
/// section lists (a few; one is enough to fail).
pub(super) fn hidden_objects(doc: &Document, signed: usize) -> Vec<usize> {
    let from = doc.revisions[signed].end.min(doc.bytes.len());
    let bytes = doc.bytes;
    let listed = doc.object_offsets_after(signed);
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(&bytes[from..], b"obj").map(|i| i + from) {
        let Some(start) = header_start(bytes, at) else {
            continue;
        };
        // The listed offset may point at the whitespace before the header; the entry must
        // name the object the header names (not another number that a later section frees).
        let header = header_numbers(bytes, start);
        let near = listed
            .range(start.saturating_sub(8)..=start)
            .filter(|(o, _)| bytes[**o..start].iter().all(|b| is_whitespace(*b)))
            .any(|(_, names)| names.iter().any(|n| n.is_none() || *n == header));
        if !near {
            out.push(start);
            if out.len() >= MAX_REPORTED {
                break;
            }
        }
    }
    out
}

/// The number and generation of the header `N G obj` that starts at `start`.
fn header_numbers(bytes: &[u8], start: usize) -> Option<(u32, u16)> {
    let mut i = start;
    let number = |i: &mut usize| -> Option<u64> {
        let from = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        let digits = std::str::from_utf8(bytes.get(from..*i)?).ok()?;
        let n = digits.parse().ok();
        while bytes
            .get(*i)
            .is_some_and(|b| is_whitespace(*b) || *b == 0x0b)
        {
            *i += 1;
        }
        n
    };
    let num = u32::try_from(number(&mut i)?).ok()?;
    let gen = u16::try_from(number(&mut i)?).ok()?;
    Some((num, gen))
}

/// Where the header `N G obj` whose keyword is at `at` starts, if the bytes there are one.
/// Counted as poppler's rebuild counts it: `obj` whatever follows it, and C's `isspace`
/// (vertical tab included) between the numbers.
fn header_start(bytes: &[u8], at: usize) -> Option<usize> {
    let space = |b: u8| is_whitespace(b) || b == 0x0b;
    let mut i = at;
    for _ in 0..2 {
        let ws_end = i;
        while i > 0 && space(bytes[i - 1]) {
            i -= 1;
        }
        let digits_end = i;
        while i > 0 && bytes[i - 1].is_ascii_digit() {
            i -= 1;
        }
        if i == digits_end || digits_end == ws_end {
            return None;
        }
    }
    // Whatever comes before the number: poppler's rebuild starts a header right after
    // `endobj` on the same line, and at each 255-byte chunk of a long line.
    Some(i)
}

/// The generation object `num` has in revision `rev` (0 when it is not written in the file).
pub(super) fn generation(doc: &Document, rev: usize, num: u32) -> u16 {
    match doc.entry(rev, num) {
        Some(Entry::InFile { gen, .. }) => gen,
        _ => 0,
    }
}

impl Ctx<'_, '_> {
    /// Object `num` (`existed` in the signed revision) and its generation number: unchanged,
    /// 0 for a new object, or, if another, with nothing left that names it under the old one
    /// (poppler writes a number it frees again under generation 1; a reference under the wrong
    /// generation would make readers rebuild the xref). Then every reference the object holds
    /// must name its target's generation.
    pub(super) fn generation_ok(&self, num: u32, existed: bool) -> Result<(), ChangeReason> {
        let now = generation(self.doc, self.latest, num);
        let then = if existed {
            generation(self.doc, self.signed, num)
        } else {
            0
        };
        if now != then {
            let rewritten = |by: u32| {
                self.doc.revisions[self.signed + 1..]
                    .iter()
                    .any(|r| r.entries.contains_key(&by))
            };
            let still_named = match self.referrers().get(num) {
                None => false,
                Some(Referrers::One(by)) => !rewritten(by),
                Some(_) => true,
            };
            if still_named {
                return Err(ChangeReason::GenerationChanged { object: num });
            }
        }
        let Some(obj) = self.doc.object(self.latest, num).ok().flatten() else {
            return Ok(());
        };
        let mut wrong = None;
        // A reference to a free or missing object is a lookup that fails too: readers rebuild
        // the xref on it (poppler does, in files without xref streams).
        for_each_ref(&obj, 0, &mut |target, gen| {
            let expected = match self.doc.entry(self.latest, target) {
                Some(Entry::InFile { gen, .. }) => Some(gen),
                Some(Entry::InStream { .. }) => Some(0),
                _ => None,
            };
            if expected != Some(gen) && wrong.is_none() {
                wrong = Some(target);
            }
        });
        match wrong {
            Some(target) => Err(ChangeReason::ReferenceGenerationMismatch {
                object: num,
                target,
            }),
            None => Ok(()),
        }
    }
}
