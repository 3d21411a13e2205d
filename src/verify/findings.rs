//! What a check found: problems with the sub-indication each forces (ETSI EN 319 102-1), the
//! digests of signed ranges computed once, reader repairs as problems, and reports kept small.

use super::*;
use crate::pdf::{self};
use crate::pki::crypto::DigestAlg;
use std::collections::HashMap;

/// A repair the reader made, as a document problem. Readers repair differently, so a repair in
/// bytes written after a signature also fails that signature (`changes::analyse`).
pub(super) fn repair_problem(r: &pdf::Repair) -> Problem {
    let (code, message) = match r {
        pdf::Repair::HeaderOffset(n) => (
            "data_before_header",
            format!("{n} bytes come before the %PDF- header; offsets were counted from the header"),
        ),
        pdf::Repair::Offset { written, found, .. } => (
            "xref_offset_repaired",
            format!("the cross-reference table gives offset {written}, but the object or section starts at {found}"),
        ),
        pdf::Repair::Ambiguous { offset, num } => (
            "xref_entry_ambiguous",
            format!("the cross-reference section at byte {offset} gives object {num} twice (table and /XRefStm, or one section); readers differ on which they show"),
        ),
        pdf::Repair::StreamLength { offset } => (
            "stream_length_repaired",
            format!("the stream of the object at byte {offset} is not as long as its /Length says; its data ends at endstream"),
        ),
    };
    Problem {
        code: code.into(),
        message: message.into(),
    }
}

/// The first `max` problems of each code, then one line that counts the others: a hostile file
/// with a million broken objects gets a report of a few lines, not of a million.
pub(super) fn cap_problems(problems: Vec<Problem>, max: usize) -> Vec<Problem> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for p in problems {
        let n = seen.entry(p.code.clone()).or_insert(0);
        *n += 1;
        if *n <= max {
            out.push(p);
        }
    }
    let mut extra: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(_, n)| *n > max)
        .map(|(c, n)| (c, n - max))
        .collect();
    extra.sort();
    for (code, n) in extra {
        out.push(Problem {
            message: format!("and {n} more problems of this kind"),
            code,
        });
    }
    out
}

/// Digests of signed byte ranges, so each range is hashed once per algorithm.
#[derive(Default)]
pub(super) struct DigestCache(pub(super) HashMap<(DigestAlg, usize, usize, usize), Vec<u8>>);

impl DigestCache {
    pub(super) fn get(&mut self, alg: DigestAlg, bytes: &[u8], r: &pdf::SignedRange) -> Vec<u8> {
        self.0
            .entry((alg, r.gap.start, r.gap.end, r.end))
            .or_insert_with(|| alg.hash(&r.pieces(bytes)))
            .clone()
    }
}

/// Problems found while checking one signature, each with the sub-indication it forces (None:
/// reported, but the signature may still pass).
#[derive(Default)]
pub(super) struct Findings(pub(super) Vec<(Problem, Option<SubIndication>)>);

impl Findings {
    pub(super) fn add(&mut self, sub: Option<SubIndication>, code: &str, message: impl Into<String>) {
        self.0.push((
            Problem {
                code: code.into(),
                message: message.into(),
            },
            sub,
        ));
    }

    pub(super) fn outcome(self) -> (Indication, Option<SubIndication>, Vec<Problem>) {
        let worst = self
            .0
            .iter()
            .filter_map(|(_, s)| *s)
            .max_by_key(|s| s.indication())
            .map(|s| s.indication());
        let sub = worst.and_then(|w| {
            self.0
                .iter()
                .filter_map(|(_, s)| *s)
                .find(|s| s.indication() == w)
        });
        (
            worst.unwrap_or(Indication::TotalPassed),
            sub,
            self.0.into_iter().map(|(p, _)| p).collect(),
        )
    }
}
