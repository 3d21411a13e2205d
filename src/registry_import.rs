//! Importing a registry file by an explicit admin action (API and pages; the CLI has
//! `kyso registry import`): first what it would change, one line per record, then, when asked,
//! the change itself, saved as dated, audited changes under the administrator's name. A file
//! never silently overwrites edits made through the API.

use crate::registry::Registry;
use crate::store::{Store, StoreError};
use serde::Serialize;

/// What an import would change (preview) or changed (applied).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportOutcome {
    /// One line per record: "unit X: would be added", or the fields that would change.
    pub changes: Vec<String>,
    /// Whether the changes were saved.
    pub applied: bool,
}

/// Compare `incoming` with the stored registry and, with `apply`, save it. A file that would
/// make the registry invalid (a certificate enrolled twice, a leader of an unknown unit) is
/// refused before anything is written.
pub fn import(
    store: &Store,
    incoming: Registry,
    apply: bool,
    by: &str,
) -> Result<ImportOutcome, StoreError> {
    let current = store.registry();
    let changes = current.changes_from(&incoming);
    let mut merged = (*current).clone();
    merged.merge(incoming.clone())?;
    let applied = apply && !changes.is_empty();
    if applied {
        store.import_registry(incoming, by)?;
    }
    Ok(ImportOutcome { changes, applied })
}
