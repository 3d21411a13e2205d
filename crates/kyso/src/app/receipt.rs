//! The receipt of a submission: the stored facts, plus what they satisfy under the current
//! registry and what was already met. The HTTP layer only serialises it.

use crate::app::App;
use crate::duty::credit;
use crate::duty::credit::{Credit, Note};
use crate::duty::registry::lookup::Owners;
use crate::duty::submission;
use crate::duty::submission::Submission;
use crate::store::StoreError;
use serde::Serialize;

/// The receipt: stored facts, plus what they satisfy under the current registry.
#[derive(Serialize)]
pub struct Receipt {
    pub id: String,
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub received_at: time::OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The file's name as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The name of the token that sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    pub report: kyso_verify::report::Report,
    pub satisfies: Vec<Credit>,
    /// What it meets, in a clerk's words (names, not ids), one per credit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub satisfies_text: Vec<String>,
    pub notes: Vec<Note>,
    /// Earlier verdicts replaced by re-verification, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<submission::HistoryEntry>,
    /// The month before, when the claimed signing time is in the first hours of a month's
    /// first day and an administrator may move the file there (`crate::app::month_move`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub movable_to: Option<crate::duty::period::Month>,
}

/// The receipt of `sub`. It compares the submission only with the few others signed in the
/// same month by the certificates of the requirements it meets (for "already met"), found
/// through the signer index: its cost does not grow with the month.
pub fn receipt(app: &App, sub: Submission) -> Result<Receipt, StoreError> {
    let (store, policy) = (&app.store, &app.policy);
    // The store's index of its registry: crediting a file costs the same whatever the town.
    let lookup = store.lookup();
    let registry = lookup.registry();
    let (credits, mut notes) = credit::credits(&sub, &*lookup, policy);
    let mut others: Vec<(Submission, Vec<Credit>)> = Vec::new();
    for c in &credits {
        let certs = match &c.leader {
            Some(l) => registry.leader(l).map(|l| l.certificates.clone()),
            None => registry.unit(&c.unit).map(|u| u.certificates.clone()),
        }
        .unwrap_or_default();
        for o in store.in_month_signed_by(c.month, &certs)? {
            if o.id != sub.id && !others.iter().any(|(s, _)| s.id == o.id) {
                let oc = credit::credits(&o, &*lookup, policy).0;
                others.push((o, oc));
            }
        }
    }
    notes.extend(credit::already_met_notes(&sub, &credits, &others, registry));
    let movable_to = crate::app::month_move::movable_to(&sub);
    let satisfies_text = credits
        .iter()
        .map(|c| crate::duty::words::requirement(registry, c))
        .collect();
    Ok(Receipt {
        id: sub.id,
        received_at: sub.received_at,
        unit: sub.unit_hint,
        file_name: sub.file_name,
        client: sub.client,
        report: sub.report,
        satisfies: credits,
        satisfies_text,
        notes,
        history: sub.history,
        movable_to,
    })
}
