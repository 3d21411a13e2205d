//! `kyso store migrate --from SRC --to DST`: copy a whole store between the two kinds (a data
//! directory, a PostgreSQL database), either way, then prove the copy by counts and hashes.
//!
//! What is copied is what each store keeps as evidence, as it was written: every submission
//! (its bytes through the target's own commit protocol, its record as stored, history
//! included), the registry's units, leaders and settings, the registry's audit log entry by
//! entry, the closed periods with their filed files, the reminders sent, and the staff
//! accounts. The target must be empty. Nothing is recomputed: a report stays the report kyso
//! gave at receipt.

use super::{registry, Store, StoreError};
use crate::store::postgres;

/// What a migration copied (and then found again in the target).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Copied {
    pub submissions: usize,
    pub bytes: u64,
    pub units: usize,
    pub leaders: usize,
    pub audit: usize,
    pub periods: usize,
    pub reminders: usize,
    pub accounts: usize,
}

impl std::fmt::Display for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} submission(s) ({} bytes), {} unit(s), {} leader(s), {} registry change(s), {} closed period(s), {} reminder(s), {} account(s)",
            self.submissions, self.bytes, self.units, self.leaders, self.audit, self.periods,
            self.reminders, self.accounts
        )
    }
}

fn differ(what: &str) -> StoreError {
    postgres::db_error(format!("the copy differs from the source: {what}"))
}

/// Copy everything in `from` into `to` (which must hold nothing yet), then compare.
pub fn migrate(
    from: &Store,
    to: &Store,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Copied, StoreError> {
    if to.count() > 0 || !to.registry().units.is_empty() || !to.accounts().all()?.is_empty() {
        return Err(postgres::db_error(
            "the target already holds a store: migrate only into an empty data directory or database",
        ));
    }
    copy_records(from, to)?;
    copy_submissions(from, to, progress)?;
    let copied = compare(from, to)?;
    Ok(copied)
}

/// Everything but the submissions: registry, settings, audit, periods, reminders, accounts.
fn copy_records(from: &Store, to: &Store) -> Result<(), StoreError> {
    let reg = from.registry();
    let units: Vec<_> = reg.units.iter().collect();
    let leaders: Vec<_> = reg.leaders.iter().collect();
    to.write_registry(&units, &leaders, &from.registry_changes()?)?;
    if to.database().is_none() {
        // Over files the audit is its own log (over PostgreSQL it went with the records).
        to.record_changes(&from.registry_changes()?)?;
    }
    to.put_settings(&from.settings())?;
    for c in from.closed_periods()? {
        let mut files = Vec::new();
        for f in &c.files {
            let bytes = from
                .filed_file(&c.period, &f.name)?
                .ok_or_else(|| differ(&format!("period {}: file {} missing", c.period, f.name)))?;
            files.push((f.name.clone(), bytes));
        }
        to.close_period(&c, &files)?;
    }
    to.record_reminders(&from.reminders_sent()?)?;
    let accounts = to.accounts();
    for u in from.accounts().all()? {
        accounts.save(&u)?;
    }
    Ok(())
}

/// Every submission: its bytes (hash checked on reading) and its record as stored.
fn copy_submissions(
    from: &Store,
    to: &Store,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), StoreError> {
    let ids = from.ids()?;
    for (n, id) in ids.iter().enumerate() {
        progress(n + 1, ids.len());
        let bytes = from
            .blob(id)?
            .ok_or_else(|| differ(&format!("{id}: its PDF is missing in the source")))?;
        let sub = from
            .get(id)?
            .ok_or_else(|| differ(&format!("{id}: no record")))?;
        let mut intake = to.intake();
        for piece in bytes.chunks(1 << 20) {
            intake.write(piece)?;
        }
        let received = intake.finish()?;
        if received.id != *id {
            return Err(differ(&format!("{id}: its bytes hash to {}", received.id)));
        }
        to.commit_blocking(received, Some(sub))?;
    }
    Ok(())
}

/// Counts and hashes: every record equal, every PDF in the target hashing to its id.
fn compare(from: &Store, to: &Store) -> Result<Copied, StoreError> {
    let mut c = Copied::default();
    for id in from.ids()? {
        let (a, b) = (from.get(&id)?, to.get(&id)?);
        let same = a.is_some()
            && serde_json::to_value(&a).map_err(postgres::db_error)?
                == serde_json::to_value(&b).map_err(postgres::db_error)?;
        if !same {
            return Err(differ(&format!("record {id}")));
        }
        // `blob` checks the bytes against their SHA-256, which is the id.
        let bytes = to
            .blob(&id)?
            .ok_or_else(|| differ(&format!("{id}: no PDF")))?;
        c.submissions += 1;
        c.bytes += bytes.len() as u64;
    }
    if to.ids()?.len() != c.submissions {
        return Err(differ("the number of submissions"));
    }
    let (ra, rb) = (from.registry(), to.registry());
    if ra.units != rb.units || ra.leaders != rb.leaders || ra.tracking_from != rb.tracking_from {
        return Err(differ("the registry"));
    }
    (c.units, c.leaders) = (ra.units.len(), ra.leaders.len());
    let eq = |what: &str, a: serde_json::Value, b: serde_json::Value| match a == b {
        true => Ok(()),
        false => Err(differ(what)),
    };
    let json = |v: &dyn erased::Json| v.json();
    let (aa, ab) = (from.registry_changes()?, to.registry_changes()?);
    eq("the registry's changes", json(&aa), json(&ab))?;
    let (pa, pb) = (from.closed_periods()?, to.closed_periods()?);
    eq("the closed periods", json(&pa), json(&pb))?;
    let (ma, mb) = (from.reminders_sent()?, to.reminders_sent()?);
    eq("the reminders sent", json(&ma), json(&mb))?;
    let (ua, ub) = (from.accounts().all()?, to.accounts().all()?);
    eq("the accounts", json(&ua), json(&ub))?;
    eq("the settings", json(&from.settings()), json(&to.settings()))?;
    (c.audit, c.periods, c.reminders, c.accounts) = (aa.len(), pa.len(), ma.len(), ua.len());
    Ok(c)
}

mod erased {
    /// Anything serializable, as JSON (to compare two stores' lists by value).
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

impl Store {
    /// Put the registry's settings as they are (no audit entry: a migration copies the audit).
    pub(crate) fn put_settings(&self, s: &registry::Settings) -> Result<(), StoreError> {
        if let Some(db) = &self.inner.db {
            db.write(postgres::Write {
                settings: Some(postgres::to_value(s)?),
                ..Default::default()
            })?;
        } else {
            let path = self.dir().join("registry").join("settings.json");
            let json = serde_json::to_vec_pretty(s).map_err(postgres::db_error)?;
            super::layout::write_durably(&self.inner.layout.fresh_tmp("w"), &path, &json)?;
        }
        self.inner.set_registry((*self.registry()).clone());
        Ok(())
    }
}
