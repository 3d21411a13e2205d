//! What a check found: problems with the sub-indication each forces (ETSI EN 319 102-1), the
//! digests of signed ranges computed once, reader repairs as problems, and reports kept small.

use crate::pdf;
use crate::report::{Indication, Problem, ProblemCode, SubIndication};
use std::collections::HashMap;

/// A repair the reader made, as a document problem. Readers repair differently, so a repair in
/// bytes written after a signature also fails that signature (`changes::analyse`).
pub(super) fn repair_problem(r: &pdf::Repair) -> Problem {
    Problem {
        code: match r {
            pdf::Repair::HeaderOffset(_) => ProblemCode::DataBeforeHeader,
            pdf::Repair::Offset { .. } => ProblemCode::XrefOffsetRepaired,
            pdf::Repair::StreamLength { .. } => ProblemCode::StreamLengthRepaired,
            pdf::Repair::Ambiguous { .. } => ProblemCode::XrefEntryAmbiguous,
            pdf::Repair::MissingPrev { .. } => ProblemCode::XrefPrevMissing,
            pdf::Repair::PrevLoop { .. } => ProblemCode::XrefPrevLoop,
            pdf::Repair::XrefEntry { .. } | pdf::Repair::Generation { .. } => {
                ProblemCode::XrefEntryAmbiguous
            }
        },
        message: r.to_string(),
    }
}

/// The first `max` problems of each code, then one line that counts the others: a hostile file
/// with a million broken objects gets a report of a few lines, not of a million. `totals` gives
/// the real count of a code whose problems were already cut short when they were found.
pub(super) fn cap_problems(
    problems: Vec<Problem>,
    max: usize,
    totals: &[(ProblemCode, usize)],
) -> Vec<Problem> {
    let mut seen: HashMap<ProblemCode, usize> = HashMap::new();
    let mut out = Vec::new();
    for p in problems {
        let n = seen.entry(p.code.clone()).or_insert(0);
        *n += 1;
        if *n <= max {
            out.push(p);
        }
    }
    for (code, total) in totals {
        let n = seen.entry(code.clone()).or_insert(0);
        *n = (*n).max(*total);
    }
    let mut extra: Vec<(ProblemCode, usize)> = seen.into_iter().filter(|(_, n)| *n > max).collect();
    extra.sort();
    for (code, n) in extra {
        out.push(Problem {
            message: format!("and {} more problems of this kind ({n} in all)", n - max),
            code,
        });
    }
    out
}

/// Problems found while checking one signature, each with the sub-indication it forces (None:
/// reported, but the signature may still pass).
#[derive(Default)]
pub(super) struct Findings(pub(super) Vec<(Problem, Option<SubIndication>)>);

impl Findings {
    pub(super) fn add(
        &mut self,
        sub: Option<SubIndication>,
        code: ProblemCode,
        message: impl Into<String>,
    ) {
        self.0.push((
            Problem {
                code,
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
