//! Enrolling a certificate to a unit (its organisation certificate) or to a leader record, as
//! the administration page does for an unenrolled signer: the registry is validated whole, the
//! record saved durably, and the change audited under the administrator's name.

use crate::app::error::AppError;
use crate::app::registry_edit::{self, bad_registry, Editor};
use crate::duty::period::Month;
use crate::duty::registry::Registry;
use crate::store::Store;
use time::OffsetDateTime;

/// Whom a certificate is enrolled to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Unit(String),
    Leader(String),
}

impl Target {
    /// `unit:<id>` or `leader:<id>`.
    pub fn parse(s: &str) -> Option<Target> {
        match s.split_once(':')? {
            ("unit", id) => Some(Target::Unit(id.to_string())),
            ("leader", id) => Some(Target::Leader(id.to_string())),
            _ => None,
        }
    }
}

/// Add `sha256` to the target's certificates; the caller serialises registry changes.
pub fn enrol(
    store: &Store,
    sha256: &str,
    target: &Target,
    by: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let sha = sha256.to_ascii_lowercase();
    let mut next = (*store.registry()).clone();
    let fragment = match target {
        Target::Unit(id) => {
            let mut u = next
                .unit(id)
                .cloned()
                .ok_or_else(|| AppError::BadRequest(format!("no such unit {id}")))?;
            if !u.certificates.contains(&sha) {
                u.certificates.push(sha);
            }
            Registry {
                units: vec![u],
                ..Registry::default()
            }
        }
        Target::Leader(id) => {
            let mut l = next
                .leader(id)
                .cloned()
                .ok_or_else(|| AppError::BadRequest(format!("no such leader {id}")))?;
            if !l.certificates.contains(&sha) {
                l.certificates.push(sha);
            }
            Registry {
                leaders: vec![l],
                ..Registry::default()
            }
        }
    };
    next.merge(fragment.clone(), Month::of_vietnam_time(now))
        .map_err(bad_registry)?;
    let units: Vec<_> = fragment
        .units
        .iter()
        .filter_map(|u| next.unit(&u.id))
        .collect();
    let leaders: Vec<_> = fragment
        .leaders
        .iter()
        .filter_map(|l| next.leader(&l.id))
        .collect();
    registry_edit::save(store, &units, &leaders, &Editor::plain(by), now)
}

/// Hide a certificate from the unenrolled list (the Office will not enrol it: a test token, a
/// person outside the plan), audited as a setting under `by`.
pub fn hide(
    store: &crate::store::Store,
    sha256: &str,
    by: &str,
    at: time::OffsetDateTime,
) -> Result<(), crate::store::StoreError> {
    let sha = sha256.trim().to_ascii_lowercase();
    let mut settings = store.settings();
    if sha.len() != 64 || settings.hidden_certificates.contains(&sha) {
        return Ok(());
    }
    settings.hidden_certificates.push(sha);
    let entry = crate::store::audit::Entry {
        by,
        correction: None,
        at,
    };
    store.save_settings(&settings, &entry)
}
