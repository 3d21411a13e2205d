//! Saving registry records, from the API, the pages, an import or the command line: the rule
//! of past months ([`crate::duty::registry::past`]) decides whether a change may be saved, the
//! store writes it with its audit entry. A change that alters a month before the one it is
//! made in is refused (409 `rewrites_past`) unless it comes as a correction with a reason.

use crate::app::error::AppError;
use crate::app::{blocking, App};
use crate::duty::period::Month;
use crate::duty::registry::past::{self, PastChange};
use crate::duty::registry::{Leader, Registry, Unit};
use crate::store::audit::Entry;
use crate::store::Store;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use time::OffsetDateTime;

/// Who saves a registry change, and the reason when it corrects months already past.
#[derive(Debug, Clone)]
pub struct Editor {
    /// The token's (or account's) name, or what made the change ("registry file at first
    /// start", a command).
    pub by: String,
    /// The reason of an explicit correction of past months.
    pub correction: Option<String>,
}

impl Editor {
    /// An ordinary change: one that would alter a past month is refused.
    pub fn plain(by: &str) -> Editor {
        Editor {
            by: by.to_string(),
            correction: None,
        }
    }
}

/// The longest reason a correction takes.
const MAX_CORRECTION_CHARS: usize = 500;

/// A correction's reason as given: trimmed, NFC, one line of at most 500 characters; a blank
/// one is no reason.
pub fn correction_reason(given: Option<&str>) -> Result<Option<String>, AppError> {
    crate::text::reason(given.unwrap_or(""), MAX_CORRECTION_CHARS)
        .map_err(|e| AppError::BadRequest(format!("a correction's reason: {e}")))
}

/// What saving these records would change in months before the one `now` is in (Vietnam
/// time).
pub fn past_changes(
    store: &Store,
    units: &[&Unit],
    leaders: &[&Leader],
    now: OffsetDateTime,
) -> Vec<PastChange> {
    past_changes_in(&store.lookup(), units, leaders, now)
}

/// [`past_changes`] against the registry `index` indexes (no store: a preview while the service
/// holds it).
pub fn past_changes_in(
    index: &crate::duty::registry::lookup::Lookup,
    units: &[&Unit],
    leaders: &[&Leader],
    now: OffsetDateTime,
) -> Vec<PastChange> {
    let before = index.registry_arc();
    let after = with_records(before, units, leaders);
    past::past_changes(
        &past::Change {
            before,
            before_index: index,
            after: &after,
            units,
            leaders,
        },
        Month::of_vietnam_time(now),
    )
}

/// Save changed records, audited under `editor` at `now`: refused with
/// [`AppError::RewritesPast`] when they alter past months and the editor gives no reason.
/// The caller serialises registry changes.
pub fn save(
    store: &Store,
    units: &[&Unit],
    leaders: &[&Leader],
    editor: &Editor,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let past = past_changes(store, units, leaders, now);
    if !past.is_empty() && editor.correction.is_none() {
        return Err(AppError::RewritesPast(past));
    }
    let entry = Entry {
        by: &editor.by,
        correction: editor.correction.as_deref().filter(|_| !past.is_empty()),
        at: now,
    };
    Ok(store.save_registry(units, leaders, &entry)?)
}

/// Upsert a registry file's records (its `[[person]]` form read into posts first) and save
/// those that change ([`save`]). The registry as saved.
pub fn import_all(
    store: &Store,
    incoming: Registry,
    editor: &Editor,
    now: OffsetDateTime,
) -> Result<Registry, AppError> {
    let mut r = (*store.registry()).clone();
    let incoming = r.expand_persons(incoming).map_err(bad_registry)?;
    r.merge(incoming.clone(), Month::of_vietnam_time(now))
        .map_err(bad_registry)?;
    let wanted_units: HashSet<&str> = incoming.units.iter().map(|u| u.id.as_str()).collect();
    let wanted_leaders: HashSet<&str> = incoming.leaders.iter().map(|l| l.id.as_str()).collect();
    let units: Vec<&Unit> = r
        .units
        .iter()
        .filter(|u| wanted_units.contains(u.id.as_str()))
        .collect();
    let leaders: Vec<&Leader> = r
        .leaders
        .iter()
        .filter(|l| wanted_leaders.contains(l.id.as_str()))
        .collect();
    save(store, &units, &leaders, editor, now)?;
    if incoming.tracking_from.is_some() {
        set_tracking_from(store, incoming.tracking_from, editor, now)?;
    }
    Ok((*store.registry()).clone())
}

/// The past months that moving the first month tracked from the stored one to `from` would
/// change (between the two starts, before the current month); none when it was never set.
pub fn tracking_past_change(
    store: &Store,
    from: Option<Month>,
    now: OffsetDateTime,
) -> Option<PastChange> {
    tracking_past_change_in(&store.registry(), from, now)
}

/// [`tracking_past_change`] against `registry`.
pub fn tracking_past_change_in(
    registry: &Registry,
    from: Option<Month>,
    now: OffsetDateTime,
) -> Option<PastChange> {
    let current = Month::of_vietnam_time(now);
    let before = registry.tracking_from?;
    if Some(before) == from {
        return None;
    }
    // Unset again: every month back to twenty years before the old start is required again.
    let other = from.unwrap_or(Month {
        year: before.year - 20,
        month: before.month,
    });
    let (mut m, hi) = if before < other {
        (before, other)
    } else {
        (other, before)
    };
    let mut months = Vec::new();
    while m < hi && m < current {
        months.push(m);
        m = m.next();
    }
    (!months.is_empty()).then(|| PastChange {
        kind: "setting",
        id: "tracking_from".into(),
        months,
    })
}

/// Set the first month tracked ("theo dõi từ tháng"), audited under `editor` at `now`.
/// Setting it the first time needs no reason (it says when the Office started); changing it
/// later alters the months between the old and the new start, so a change that reaches months
/// before the current one is a correction and needs a reason (409 `rewrites_past` without).
pub fn set_tracking_from(
    store: &Store,
    from: Option<Month>,
    editor: &Editor,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if store.registry().tracking_from == from {
        return Ok(());
    }
    let past = tracking_past_change(store, from, now);
    if let (Some(p), None) = (&past, &editor.correction) {
        return Err(AppError::RewritesPast(vec![p.clone()]));
    }
    let past: Vec<Month> = past.map(|p| p.months).unwrap_or_default();
    let entry = Entry {
        by: &editor.by,
        correction: editor.correction.as_deref().filter(|_| !past.is_empty()),
        at: now,
    };
    let next = crate::store::registry::Settings {
        tracking_from: from,
        ..store.settings()
    };
    Ok(store.save_settings(&next, &entry)?)
}

pub(crate) fn bad_registry(e: crate::duty::registry::RegistryError) -> AppError {
    AppError::BadRequest(e.to_string())
}

/// What a save expects of the record it replaces: anything (the API's upsert), nothing (a
/// form that adds), or the version a form showed ([`record_version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Any,
    New,
    Version(String),
}

/// A record's version: a digest of it as stored, so that a form can say which one it changed.
pub fn record_version<T: serde::Serialize>(record: &T) -> String {
    use sha2::Digest;
    let json = serde_json::to_vec(record).unwrap_or_default();
    hex::encode(&sha2::Sha256::digest(&json)[..12])
}

/// Upsert one unit or leader (a registry fragment holding that one record): validated against
/// the whole registry, saved durably. Whether the record is new, and the record as saved. The
/// expectation is checked under the write lock, so two administrators' forms cannot overwrite
/// each other unseen (409).
pub async fn save_record(
    app: &Arc<App>,
    fragment: Registry,
    id: &str,
    editor: Editor,
    expect: Expect,
) -> Result<(bool, serde_json::Value), AppError> {
    let is_unit = !fragment.units.is_empty();
    let _one_at_a_time = app.write_lock.lock().await;
    let (a, key) = (app.clone(), id.to_string());
    let (created, saved) = blocking(move || {
        check_expected(&a.store.registry(), &key, is_unit, &expect)?;
        upsert(&a.store, fragment, &key, is_unit, &editor)
    })
    .await?;
    tracing::info!(id, unit = is_unit, created, "registry record saved");
    Ok((created, saved))
}

fn check_expected(r: &Registry, id: &str, is_unit: bool, expect: &Expect) -> Result<(), AppError> {
    let now = if is_unit {
        r.unit(id).map(record_version)
    } else {
        r.leader(id).map(record_version)
    };
    let ok = match expect {
        Expect::Any => true,
        Expect::New => now.is_none(),
        Expect::Version(v) => now.as_deref() == Some(v.as_str()),
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "record {id} was changed or added by someone else meanwhile"
        )))
    }
}

/// Merge one record into the registry, validate the whole, save it durably.
fn upsert(
    store: &Store,
    fragment: Registry,
    id: &str,
    is_unit: bool,
    editor: &Editor,
) -> Result<(bool, serde_json::Value), AppError> {
    let mut r = (*store.registry()).clone();
    let created = if is_unit {
        r.unit(id).is_none()
    } else {
        r.leader(id).is_none()
    };
    let now = OffsetDateTime::now_utc();
    r.merge(fragment, Month::of_vietnam_time(now))
        .map_err(bad_registry)?;
    let (units, leaders): (Vec<&Unit>, Vec<&Leader>) = if is_unit {
        (r.unit(id).into_iter().collect(), vec![])
    } else {
        (vec![], r.leader(id).into_iter().collect())
    };
    save(store, &units, &leaders, editor, now)?;
    let saved = match (units.first(), leaders.first()) {
        (Some(u), _) => serde_json::to_value(u),
        (_, Some(l)) => serde_json::to_value(l),
        _ => return Err(AppError::Internal("the saved record vanished".into())),
    }
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((created, saved))
}

/// `registry` with these records put in place of those of the same id, or added.
fn with_records(registry: &Registry, units: &[&Unit], leaders: &[&Leader]) -> Registry {
    let mut r = registry.clone();
    let unit_at: HashMap<String, usize> = r
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), i))
        .collect();
    let leader_at: HashMap<String, usize> = r
        .leaders
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.clone(), i))
        .collect();
    for u in units {
        match unit_at.get(&u.id) {
            Some(&i) => r.units[i] = (*u).clone(),
            None => r.units.push((*u).clone()),
        }
    }
    for l in leaders {
        match leader_at.get(&l.id) {
            Some(&i) => r.leaders[i] = (*l).clone(),
            None => r.leaders.push((*l).clone()),
        }
    }
    // In id order, as the store reads its registry back: which of two equal holders comes
    // first decides a credit.
    r.units.sort_by(|a, b| a.id.cmp(&b.id));
    r.leaders.sort_by(|a, b| a.id.cmp(&b.id));
    r
}
