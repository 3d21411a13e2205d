//! Re-verification: run the verifier again over stored submissions with the current trust store
//! and CRLs, at each submission's receipt time (its proof of existence). A changed verdict
//! replaces the report and the earlier one goes into the submission's history; the compliance
//! tables follow the newest report because they are derived from it.

use crate::app::{batch, App};
use crate::duty::submission::Submission;
use crate::store::{Store, StoreError};
use kyso_verify::pki::TrustStore;
use kyso_verify::report::Report;
use kyso_verify::verify::{self, Options};
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    pub checked: usize,
    pub changed: usize,
    /// Stored files that could not be evaluated any more (kept unchanged).
    pub failed: usize,
}

/// The verdict-relevant part of a report: what a re-run must compare.
fn essence(r: &Report) -> String {
    let sigs: Vec<String> = r
        .signatures
        .iter()
        .map(|s| {
            format!(
                "{:?}/{:?}/{:?}/{:?}",
                s.indication, s.sub_indication, s.signing_time, s.level
            )
        })
        .collect();
    format!("{:?}|{}", r.verdict, sigs.join(";"))
}

/// A stored submission and what the verifier says of it now (`None`: it can no longer be
/// evaluated); `None` for an id without a submission.
type Checked = Option<(Submission, Option<Report>)>;

/// Every stored submission verified again on every core, handed to `sink` in the order of their
/// ids; after an error no more are verified and the first error is returned.
fn each_checked(
    app: &App,
    mut sink: impl FnMut(usize, usize, Submission, Option<Report>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let (store, trust, opts) = (&*app.store, app.trust(), &app.opts);
    let ids = store.ids()?;
    let failed = AtomicBool::new(false);
    let mut first_error = None;
    let check = |id: &String| -> Result<Checked, StoreError> {
        if failed.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let Some(sub) = store.get(id)? else {
            return Ok(None);
        };
        let report = reverify_one(store, &trust, opts, &sub);
        Ok(Some((sub, report)))
    };
    let total = ids.len();
    batch::in_order(&ids, batch::threads(), check, |i, r| {
        if first_error.is_some() {
            return;
        }
        let done = match r {
            Ok(Some((sub, report))) => sink(i, total, sub, report),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            failed.store(true, Ordering::Relaxed);
            first_error = Some(e);
        }
    });
    first_error.map_or(Ok(()), Err)
}

/// Re-verify every stored submission; `progress(done, total)` is called after each one.
pub fn run(
    app: &App,
    reason: &str,
    now: OffsetDateTime,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    each_checked(app, |i, total, sub, report| {
        out.checked += 1;
        match report {
            Some(report) if essence(&report) != essence(&sub.report) => {
                app.store.replace_report(&sub.id, report, reason, now)?;
                out.changed += 1;
            }
            Some(_) => {}
            None => out.failed += 1,
        }
        progress(i + 1, total);
        Ok(())
    })?;
    Ok(out)
}

/// Every stored submission whose stored report the verifier no longer gives (at its receipt
/// time, with the trust in force), one line each; nothing is changed (`kyso store verify
/// --reverify`).
pub fn differences(app: &App) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    each_checked(app, |_, _, sub, report| {
        let id = &sub.id;
        match report {
            Some(report) if essence(&report) != essence(&sub.report) => out.push(format!(
                "{id}: verified again, its report would be {:?}, the stored one says {:?}",
                report.verdict, sub.report.verdict
            )),
            Some(_) => {}
            None => out.push(format!("{id}: its PDF can no longer be evaluated")),
        }
        Ok(())
    })?;
    Ok(out)
}

fn reverify_one(
    store: &Store,
    trust: &TrustStore,
    opts: &Options,
    sub: &Submission,
) -> Option<Report> {
    let at = sub.received_at;
    let bytes = store.blob(&sub.id).ok()??;
    let (fetched, issuers) = (sub.fetched_ocsp(), sub.fetched_issuers());
    if fetched.is_empty() && issuers.is_empty() {
        return verify::verify(&bytes, trust, opts, at).ok();
    }
    let mut with_answers = trust.clone();
    with_answers.fetched.extend(fetched);
    // Candidates for path building, like the signature's own certificates: the path must
    // still end at an anchor in force.
    with_answers.intermediates.extend(issuers);
    verify::verify(&bytes, &with_answers, opts, at).ok()
}
