//! Enrolling a certificate to a unit (its organisation certificate) or to a leader record, as
//! the administration page does for an unenrolled signer: the registry is validated whole, the
//! record saved durably, and the change audited under the administrator's name.

use crate::duty::registry::{Registry, RegistryError};
use crate::store::{Store, StoreError};

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

#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("no such {0}")]
    Unknown(String),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Add `sha256` to the target's certificates; the caller serialises registry changes.
pub fn enrol(store: &Store, sha256: &str, target: &Target, by: &str) -> Result<(), EnrolError> {
    let sha = sha256.to_ascii_lowercase();
    let mut next = (*store.registry()).clone();
    let fragment = match target {
        Target::Unit(id) => {
            let mut u = next
                .unit(id)
                .cloned()
                .ok_or_else(|| EnrolError::Unknown(format!("unit {id}")))?;
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
                .ok_or_else(|| EnrolError::Unknown(format!("leader {id}")))?;
            if !l.certificates.contains(&sha) {
                l.certificates.push(sha);
            }
            Registry {
                leaders: vec![l],
                ..Registry::default()
            }
        }
    };
    next.merge(fragment.clone())?;
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
    store.save_registry(&units, &leaders, crate::store::audit::Author::plain(by))?;
    Ok(())
}
