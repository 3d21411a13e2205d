//! Importing a registry file by an explicit admin action (API and pages; the CLI has
//! `kyso registry import`): first what it would change, one line per record, then, when asked,
//! the change itself, saved as dated, audited changes under the administrator's name. A file
//! never silently overwrites edits made through the API: the preview shows them, and an apply
//! whose changes are no longer the ones previewed is refused.

use crate::app::error::AppError;
use crate::app::registry_edit::{self, bad_registry, Editor};
use crate::duty::period::Month;
use crate::duty::registry::past::PastChange;
use crate::duty::registry::{Leader, Registry, Unit};
use crate::store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;

/// What an import would change (preview) or changed (applied).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportOutcome {
    /// One line per record: "unit X: would be added", or the fields that would change.
    pub changes: Vec<String>,
    /// SHA-256 of the change lines: give it back with the apply, and the apply is refused if
    /// the registry moved since the preview (another administrator's edit).
    pub changes_sha256: String,
    /// The records whose past months the changes would alter, with those months: an apply
    /// needs a correction's reason for them (`crate::duty::registry::past`).
    pub rewrites_past: Vec<PastChange>,
    /// Whether the changes were saved.
    pub applied: bool,
}

/// An apply: the `changes_sha256` of the preview the administrator saw, if any, and who
/// applies it (with a correction's reason when it alters past months).
#[derive(Debug, Clone, Copy)]
pub struct Apply<'a> {
    pub expected: Option<&'a str>,
    pub editor: &'a Editor,
}

/// The largest registry file an import takes (a whole country's is a few megabytes).
pub const MAX_REGISTRY_BYTES: usize = 32 << 20;

/// The most tables and arrays (`[[unit]]`, `{...}`, `[...]`) a registry file may open: a
/// country's 72,000 records open about 300,000.
pub const MAX_REGISTRY_TABLES: usize = 600_000;

/// A registry file's bytes as a registry fragment (records valid, ids once; references to
/// units are checked once merged).
pub fn parse_registry(body: &[u8]) -> Result<Registry, AppError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| AppError::BadRequest("the registry file is not UTF-8 text".into()))?;
    // A parsed table or array costs far more memory than its two bytes of text: count them
    // before parsing (a country's registry has a few hundred thousand).
    let opened = text.bytes().filter(|b| matches!(b, b'{' | b'[')).count();
    if opened > MAX_REGISTRY_TABLES {
        return Err(AppError::BadRequest(format!(
            "the registry file opens {opened} tables and arrays; at most {MAX_REGISTRY_TABLES} are read"
        )));
    }
    Registry::fragment_from_toml(text).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// What an import would change, worked out against a registry (the store's, or one read from
/// its files while the service holds the store): the outcome, and the records to save.
pub struct Preview {
    pub outcome: ImportOutcome,
    units: Vec<Unit>,
    leaders: Vec<Leader>,
    tracking: Option<Month>,
}

/// Compare `incoming` with `current` as merging would leave it (certificates that a record
/// drops are kept as retired, see `Registry::merge`); nothing is saved.
pub fn preview(
    current: &std::sync::Arc<Registry>,
    incoming: Registry,
    now: OffsetDateTime,
) -> Result<Preview, AppError> {
    let incoming = current.expand_persons(incoming).map_err(bad_registry)?;
    let tracking = incoming.tracking_from;
    let mut merged = (**current).clone();
    let units: HashSet<String> = incoming.units.iter().map(|u| u.id.clone()).collect();
    let leaders: HashSet<String> = incoming.leaders.iter().map(|l| l.id.clone()).collect();
    merged
        .merge(incoming, Month::of_vietnam_time(now))
        .map_err(bad_registry)?;
    let old_units: HashMap<&str, &Unit> =
        current.units.iter().map(|u| (u.id.as_str(), u)).collect();
    let old_leaders: HashMap<&str, &Leader> =
        current.leaders.iter().map(|l| (l.id.as_str(), l)).collect();
    let changed_units: Vec<Unit> = merged
        .units
        .into_iter()
        .filter(|u| units.contains(&u.id) && old_units.get(u.id.as_str()) != Some(&u))
        .collect();
    let changed_leaders: Vec<Leader> = merged
        .leaders
        .into_iter()
        .filter(|l| leaders.contains(&l.id) && old_leaders.get(l.id.as_str()) != Some(&l))
        .collect();
    let effective = Registry {
        units: changed_units.clone(),
        leaders: changed_leaders.clone(),
        ..Registry::default()
    };
    let changes = current.changes_from(&effective);
    let lookup = crate::duty::registry::lookup::Lookup::new(current.clone());
    let (u, l): (Vec<&Unit>, Vec<&Leader>) = (
        changed_units.iter().collect(),
        changed_leaders.iter().collect(),
    );
    let mut rewrites_past = registry_edit::past_changes_in(&lookup, &u, &l, now);
    if tracking.is_some() {
        rewrites_past.extend(registry_edit::tracking_past_change_in(
            current, tracking, now,
        ));
    }
    Ok(Preview {
        outcome: ImportOutcome {
            changes_sha256: hex::encode(Sha256::digest(changes.join("\n"))),
            changes,
            rewrites_past,
            applied: false,
        },
        units: changed_units,
        leaders: changed_leaders,
        tracking,
    })
}

/// Compare `incoming` with the stored registry and, with `apply`, save the records that change.
pub fn import(
    store: &Store,
    incoming: Registry,
    apply: Option<Apply>,
    now: OffsetDateTime,
) -> Result<ImportOutcome, AppError> {
    let mut p = preview(&store.registry(), incoming, now)?;
    let digest = &p.outcome.changes_sha256;
    if apply.is_some_and(|a| a.expected.is_some_and(|e| e != digest)) {
        return Err(AppError::Conflict(
            "the registry changed since the preview; preview the file again".into(),
        ));
    }
    let applied = apply.is_some() && !p.outcome.changes.is_empty();
    if let Some(a) = apply.filter(|_| applied) {
        let (u, l): (Vec<&Unit>, Vec<&Leader>) =
            (p.units.iter().collect(), p.leaders.iter().collect());
        registry_edit::save(store, &u, &l, a.editor, now)?;
        if p.tracking.is_some() {
            registry_edit::set_tracking_from(store, p.tracking, a.editor, now)?;
        }
    }
    p.outcome.applied = applied;
    Ok(p.outcome)
}
