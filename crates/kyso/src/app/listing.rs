//! Every submission of a month, credited or not, as the Office checks "we sent it": the file's
//! name, who sent it, what each signature earned, and for a file that earned nothing, why (the
//! receipt's notes: a stable code and a Vietnamese sentence).

use crate::app::App;
use crate::duty::credit;
use crate::duty::credit::{Credit, Note, TimePolicy};
use crate::duty::note::NoteCode;
use crate::duty::period::Month;
use crate::duty::registry::lookup::Owners;
use crate::duty::submission::Submission;
use crate::store::StoreError;
use kyso_verify::report::Verdict;
use serde::Serialize;

/// What to list.
#[derive(Debug, Clone)]
pub struct Query {
    pub month: Month,
    /// Only submissions that credit this unit or were sent for it.
    pub unit: Option<String>,
    /// Only submissions signed by this person: a leader record's id, or the person id of
    /// posts read from `[[person]]`/`[[post]]` (all of that person's posts).
    pub person: Option<String>,
    /// Only submissions with a note of this code (why a file earned nothing, e.g.
    /// `signer_not_enrolled`).
    pub reason: Option<NoteCode>,
    /// `Some(true)`: only those that earned something; `Some(false)`: only those that did not.
    pub credited: Option<bool>,
    /// Only the late ones (a claimed signing time not believed), for an administrator to
    /// accept or not.
    pub late: bool,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

/// The largest page.
pub const MAX_PER_PAGE: usize = 200;

#[derive(Debug, Serialize)]
pub struct Item {
    pub id: String,
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub received_at: time::OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The unit the clerk named when sending, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub verdict: Verdict,
    /// Months (Vietnam time) of the signatures.
    pub signing_months: Vec<Month>,
    pub credited: bool,
    pub satisfies: Vec<Credit>,
    /// Why (part of) the file earned nothing, and other remarks.
    pub notes: Vec<Note>,
    /// The month before, when an administrator may move the file there
    /// (`crate::app::month_move`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub movable_to: Option<Month>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    pub month: Month,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<Item>,
}

fn item(sub: Submission, registry: &dyn Owners, policy: &TimePolicy) -> Item {
    let (satisfies, notes) = credit::credits(&sub, registry, policy);
    Item {
        movable_to: crate::app::month_move::movable_to(&sub),
        signing_months: sub.months(),
        credited: !satisfies.is_empty(),
        verdict: sub.report.verdict,
        id: sub.id,
        received_at: sub.received_at,
        file_name: sub.file_name,
        client: sub.client,
        unit: sub.unit_hint,
        satisfies,
        notes,
    }
}

/// Whether a signer of the file is enrolled to `person` (a leader id or a person id) in the
/// month of the signature (else the listed month), whether or not the file earned anything.
fn signed_by(sub: &Submission, person: &str, registry: &dyn Owners, month: Month) -> bool {
    let received = Some(sub.received_at);
    sub.report
        .signatures
        .iter()
        .filter_map(|s| {
            let signed = crate::duty::submission::signature_month(s, received).unwrap_or(month);
            s.signer.as_ref().map(|signer| (signer, signed))
        })
        .flat_map(|(signer, signed)| registry.owners_in(&signer.sha256, signed))
        .any(|owner| match owner {
            crate::duty::registry::Owner::Leader(id) => {
                id == person
                    || registry
                        .leader(&id)
                        .is_some_and(|l| l.person.as_deref() == Some(person))
            }
            crate::duty::registry::Owner::Unit(_) => false,
        })
}

/// The submissions signed or received in the month, newest receipt first, filtered, one page.
pub fn list(app: &App, q: &Query) -> Result<Page, StoreError> {
    let (store, policy) = (&app.store, &app.policy);
    let lookup = store.lookup();
    let items: Vec<Item> = store
        .concerning(q.month)?
        .into_iter()
        .filter(|s| {
            q.person
                .as_deref()
                .is_none_or(|p| signed_by(s, p, &*lookup, q.month))
        })
        .map(|s| item(s, &*lookup, policy))
        .filter(|i| q.credited.is_none_or(|c| c == i.credited))
        .filter(|i| {
            !q.late
                || i.notes
                    .iter()
                    .any(|n| n.code == NoteCode::SigningTimeImplausible)
        })
        .filter(|i| q.reason.is_none_or(|r| i.notes.iter().any(|n| n.code == r)))
        .filter(|i| {
            q.unit.as_ref().is_none_or(|u| {
                i.unit.as_ref() == Some(u) || i.satisfies.iter().any(|c| &c.unit == u)
            })
        })
        .collect();
    let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
    let page = q.page.max(1);
    let total = items.len();
    let items = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    Ok(Page {
        month: q.month,
        total,
        page,
        per_page,
        items,
    })
}
