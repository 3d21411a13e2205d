//! The sled index: a cache of the files, rebuilt from them whenever it is missing, from
//! another schema version, or broken by a storage fault.
//!
//! Trees: `submissions` (id → record JSON), `by_month` (`YYYY-MM/id`), `by_signer`
//! (`certificate sha256/id`), `units` and `leaders` (id → JSON), `meta`.

use super::error::StoreError;
use crate::duty::period::Month;
use crate::duty::registry::Registry;
use crate::duty::submission::Submission;
use std::path::{Path, PathBuf};

pub struct Index {
    /// When each month's crediting facts last changed ([`Index::month_generation`]).
    generations: Generations,
    path: PathBuf,
    db: sled::Db,
    submissions: sled::Tree,
    by_month: sled::Tree,
    by_signer: sled::Tree,
    /// `{month}/{id}`: the month (Vietnam time) each submission was received in.
    by_received: sled::Tree,
    pub(crate) units: sled::Tree,
    pub(crate) leaders: sled::Tree,
    meta: sled::Tree,
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        what: e.to_string(),
    }
}

fn suffixes<'a>(
    tree: &'a sled::Tree,
    prefix: &str,
) -> impl Iterator<Item = Result<String, StoreError>> + 'a {
    let n = prefix.len();
    tree.scan_prefix(prefix.as_bytes()).map(move |kv| {
        kv.map(|(k, _)| String::from_utf8_lossy(&k[n..]).into_owned())
            .map_err(StoreError::from)
    })
}

/// Open the sled database, waiting up to two seconds for its file lock: a store dropped a moment
/// ago (a restart, a reopened test store) may still be finishing sled's last background writes,
/// which hold the lock until they end.
fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
    let mut waited = 0;
    loop {
        match sled::open(path) {
            Err(sled::Error::Io(e))
                if waited < 40 && e.to_string().contains("could not acquire lock") =>
            {
                waited += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return Ok(other?),
        }
    }
}

/// Generations of the months' crediting facts: a number drawn from one process-wide counter
/// each time a month's facts are written or removed, so a number read before reading a month
/// names exactly that content, in this index and no other (a rebuilt index starts afresh).
/// Each month also remembers which files its last changes touched ([`MAX_CHANGES_KEPT`]), so a
/// month credited at an older generation can be brought up to date by crediting those files
/// only ([`Index::month_changes_since`]).
struct Generations {
    born: std::sync::atomic::AtomicU64,
    changed: std::sync::Mutex<Changed>,
}

#[derive(Default)]
struct Changed {
    months: std::collections::HashMap<Month, MonthChanges>,
    /// Changes remembered over all months (at most [`MAX_CHANGES_KEPT_IN_ALL`]).
    total: usize,
}

/// The changes to a month's facts this index remembers.
struct MonthChanges {
    /// The month's generation now.
    current: u64,
    /// Changes after this generation are all in `log`.
    complete_after: u64,
    /// (generation, submission id), oldest first.
    log: std::collections::VecDeque<(u64, std::sync::Arc<str>)>,
}

/// How many changes of one month are remembered: beyond that, a month credited before them is
/// credited again in full.
pub const MAX_CHANGES_KEPT: usize = 4096;

/// How many changes are remembered over all months (an index rebuild touches every month):
/// beyond that, the month changed least recently forgets its changes.
pub const MAX_CHANGES_KEPT_IN_ALL: usize = 65_536;

static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
}

impl Generations {
    fn new() -> Generations {
        Generations {
            born: std::sync::atomic::AtomicU64::new(next_generation()),
            changed: std::sync::Mutex::new(Changed::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Changed> {
        match self.changed.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn born(&self) -> u64 {
        self.born.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// After the month's fact of submission `id` was written or removed: the new content's
    /// number.
    fn touch(&self, m: Month, id: &str) {
        let born = self.born();
        let mut guard = self.lock();
        let changed = &mut *guard;
        let e = changed.months.entry(m).or_insert_with(|| MonthChanges {
            current: born,
            complete_after: born,
            log: std::collections::VecDeque::new(),
        });
        e.current = next_generation();
        e.log.push_back((e.current, id.into()));
        changed.total += 1;
        if e.log.len() > MAX_CHANGES_KEPT {
            if let Some((g, _)) = e.log.pop_front() {
                e.complete_after = g;
                changed.total -= 1;
            }
        }
        if changed.total > MAX_CHANGES_KEPT_IN_ALL {
            let stalest = changed
                .months
                .iter()
                .filter(|(k, e)| **k != m && !e.log.is_empty())
                .min_by_key(|(_, e)| e.current)
                .map(|(k, _)| *k);
            if let Some(e) = stalest.and_then(|k| changed.months.get_mut(&k)) {
                changed.total -= e.log.len();
                e.log.clear();
                e.complete_after = e.current;
            }
        }
    }

    fn of(&self, m: Month) -> u64 {
        let changed = self.lock();
        changed
            .months
            .get(&m)
            .map_or_else(|| self.born(), |e| e.current)
    }

    /// The month's generation now and the ids whose facts changed after `since`, or `None`
    /// when those changes are no longer all remembered.
    fn since(&self, m: Month, since: u64) -> Option<(u64, Vec<String>)> {
        let born = self.born();
        let changed = self.lock();
        let Some(e) = changed.months.get(&m) else {
            return (since >= born).then(|| (born, Vec::new()));
        };
        if since < e.complete_after {
            return None;
        }
        let mut ids: Vec<String> = e
            .log
            .iter()
            .filter(|(g, _)| *g > since)
            .map(|(_, id)| id.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        Some((e.current, ids))
    }

    /// After every month's facts were removed.
    fn reset(&self) {
        let mut changed = self.lock();
        *changed = Changed::default();
        self.born
            .store(next_generation(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl Index {
    pub fn open(path: &Path) -> Result<Index, StoreError> {
        let db = open_db(path)?;
        Ok(Index {
            generations: Generations::new(),
            path: path.to_path_buf(),
            submissions: db.open_tree("submissions")?,
            by_month: db.open_tree("by_month")?,
            by_signer: db.open_tree("by_signer")?,
            by_received: db.open_tree("by_received")?,
            units: db.open_tree("units")?,
            leaders: db.open_tree("leaders")?,
            meta: db.open_tree("meta")?,
            db,
        })
    }

    pub fn schema_version(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get("schema_version")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn set_schema_version(&self, v: u32) -> Result<(), StoreError> {
        self.meta
            .insert("schema_version", v.to_string().as_bytes())?;
        self.meta
            .insert("index_version", INDEX_VERSION.to_string().as_bytes())?;
        Ok(())
    }

    /// Whether the index has the trees this version keeps (else it is rebuilt at start).
    pub fn is_current(&self) -> Result<bool, StoreError> {
        Ok(
            self.meta.get("index_version")?.as_deref()
                == Some(INDEX_VERSION.to_string().as_bytes()),
        )
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    pub fn clear(&self) -> Result<(), StoreError> {
        for t in [
            &self.submissions,
            &self.by_month,
            &self.by_signer,
            &self.by_received,
            &self.units,
            &self.leaders,
        ] {
            t.clear()?;
        }
        self.generations.reset();
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        match self.submissions.get(id)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| corrupt(&self.path, e)),
            None => Ok(None),
        }
    }

    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.submissions.contains_key(id)?)
    }

    /// O(n): used at start and by `store verify`, never per request.
    /// Where the index lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.submissions.len()
    }

    pub fn insert_submission(&self, sub: &Submission, json: &[u8]) -> Result<(), StoreError> {
        self.submissions.insert(sub.id.as_bytes(), json)?;
        // Each month the file is signed in keeps its crediting facts (compliance), which the
        // Office's tables read instead of the full record.
        let facts =
            serde_json::to_vec(&sub.crediting_facts()).map_err(|e| corrupt(&self.path, e))?;
        for m in sub.months() {
            self.by_month
                .insert(format!("{m}/{}", sub.id).as_bytes(), facts.as_slice())?;
            self.generations.touch(m, &sub.id);
        }
        for fp in signers(sub) {
            self.by_signer
                .insert(format!("{fp}/{}", sub.id).as_bytes(), &[])?;
        }
        if let Some(m) = received_month(sub) {
            self.by_received
                .insert(format!("{m}/{}", sub.id).as_bytes(), &[])?;
        }
        Ok(())
    }

    pub fn remove_submission(&self, sub: &Submission) -> Result<(), StoreError> {
        self.submissions.remove(sub.id.as_bytes())?;
        for m in sub.months() {
            self.by_month.remove(format!("{m}/{}", sub.id).as_bytes())?;
            self.generations.touch(m, &sub.id);
        }
        for fp in signers(sub) {
            self.by_signer
                .remove(format!("{fp}/{}", sub.id).as_bytes())?;
        }
        if let Some(m) = received_month(sub) {
            self.by_received
                .remove(format!("{m}/{}", sub.id).as_bytes())?;
        }
        Ok(())
    }

    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        self.submissions
            .iter()
            .keys()
            .map(|k| {
                k.map(|k| String::from_utf8_lossy(&k).into_owned())
                    .map_err(StoreError::from)
            })
            .collect()
    }

    pub fn all(&self) -> Result<Vec<Submission>, StoreError> {
        self.submissions
            .iter()
            .values()
            .map(|v| serde_json::from_slice(&v?).map_err(|e| corrupt(&self.path, e)))
            .collect()
    }

    /// The crediting facts of every submission signed in `month`, in id order.
    /// The crediting facts of the files signed in `month`. Decoding them is most of a month
    /// table's cost, so the raw values are read first and decoded on the machine's cores.
    pub fn month_facts(&self, month: Month) -> Result<Vec<Submission>, StoreError> {
        let raw: Vec<sled::IVec> = self
            .by_month
            .scan_prefix(format!("{month}/").as_bytes())
            .values()
            .collect::<Result<_, _>>()?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let decode = |chunk: &[sled::IVec]| -> Result<Vec<Submission>, StoreError> {
            chunk
                .iter()
                .map(|v| serde_json::from_slice(v).map_err(|e| corrupt(&self.path, e)))
                .collect()
        };
        if raw.len() < 2048 || threads == 1 {
            return decode(&raw);
        }
        std::thread::scope(|sc| {
            let jobs: Vec<_> = raw
                .chunks(raw.len().div_ceil(threads))
                .map(|c| sc.spawn(move || decode(c)))
                .collect();
            let mut out = Vec::with_capacity(raw.len());
            for j in jobs {
                out.extend(j.join().unwrap_or(Err(StoreError::Recovering))?);
            }
            Ok(out)
        })
    }

    /// The generation of `month`'s crediting facts: read it before reading them, and the same
    /// number later means the same facts.
    pub fn month_generation(&self, month: Month) -> u64 {
        self.generations.of(month)
    }

    /// The month's generation now and the submissions whose crediting facts were written or
    /// removed after generation `since`; `None` when the index no longer knows them all (the
    /// caller reads the whole month).
    pub fn month_changes_since(&self, month: Month, since: u64) -> Option<(u64, Vec<String>)> {
        self.generations.since(month, since)
    }

    /// The crediting facts of one submission signed in `month`, if it has them.
    pub fn month_fact(&self, month: Month, id: &str) -> Result<Option<Submission>, StoreError> {
        match self.by_month.get(format!("{month}/{id}").as_bytes())? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| corrupt(&self.path, e)),
            None => Ok(None),
        }
    }

    pub fn month_ids(&self, month: Month) -> Result<Vec<String>, StoreError> {
        suffixes(&self.by_month, &format!("{month}/")).collect()
    }

    pub fn in_month(&self, month: Month, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .by_month
            .contains_key(format!("{month}/{id}").as_bytes())?)
    }

    /// Submissions received in `month` (Vietnam time).
    pub fn received_ids(&self, month: Month) -> Result<Vec<String>, StoreError> {
        suffixes(&self.by_received, &format!("{month}/")).collect()
    }

    pub fn signer_ids(&self, fingerprint: &str) -> Result<Vec<String>, StoreError> {
        suffixes(&self.by_signer, &format!("{fingerprint}/")).collect()
    }

    pub fn registry(&self) -> Result<Registry, StoreError> {
        let mut r = Registry::default();
        for v in self.units.iter().values() {
            r.units
                .push(serde_json::from_slice(&v?).map_err(|e| corrupt(&self.path, e))?);
        }
        for v in self.leaders.iter().values() {
            r.leaders
                .push(serde_json::from_slice(&v?).map_err(|e| corrupt(&self.path, e))?);
        }
        Ok(r)
    }
}

/// The version of the index's trees (2: `by_received` added; 3: `by_month` values hold the
/// crediting facts; 4: a file whose claimed time is Vietnam time written as UTC is indexed
/// under the month it is credited for; 5: the facts keep the file's name). An older index is
/// rebuilt.
const INDEX_VERSION: u32 = 5;

fn received_month(sub: &Submission) -> Option<Month> {
    Some(Month::of_vietnam_time(sub.received_at))
}

/// The signer certificates (SHA-256) of a submission.
fn signers(sub: &Submission) -> impl Iterator<Item = &str> {
    sub.report
        .signatures
        .iter()
        .filter_map(|s| s.signer.as_ref())
        .map(|s| s.sha256.as_str())
}

#[cfg(test)]
mod generation_tests {
    use super::*;

    #[test]
    fn a_month_says_what_changed_since_a_generation_while_it_remembers() {
        let g = Generations::new();
        let m = |i: u8| Month {
            year: 2026,
            month: i,
        };
        let start = g.of(m(3));
        assert_eq!(g.since(m(3), start), Some((start, Vec::new())));
        g.touch(m(3), "b");
        g.touch(m(3), "a");
        g.touch(m(3), "b");
        let (now, ids) = g.since(m(3), start).unwrap();
        assert_eq!(now, g.of(m(3)));
        assert_eq!(ids, ["a", "b"], "each changed id once");
        assert_eq!(g.since(m(3), now), Some((now, Vec::new())));
        // A month forgets its oldest changes past its bound: what came before is unknown.
        for i in 0..MAX_CHANGES_KEPT {
            g.touch(m(3), &format!("f{i}"));
        }
        assert_eq!(g.since(m(3), start), None);
        assert!(g.since(m(3), g.of(m(3))).is_some());
        // Over all months, the month changed least recently forgets first.
        let kept_april = g.of(m(4));
        for i in 0..2 * MAX_CHANGES_KEPT_IN_ALL {
            let other = Month {
                year: 2030 + (i % 32) as i32,
                month: 1,
            };
            g.touch(other, &format!("x{i}"));
        }
        assert!(g.lock().total <= MAX_CHANGES_KEPT_IN_ALL);
        assert_eq!(g.since(m(3), now), None, "March was changed least recently");
        assert_eq!(
            g.since(m(4), kept_april).map(|(_, ids)| ids.len()),
            Some(0),
            "an untouched month has nothing to forget"
        );
        // A rebuilt index starts afresh: nothing from before is known.
        g.touch(m(5), "y");
        let before_reset = g.of(m(5));
        g.reset();
        assert_eq!(g.since(m(5), before_reset), None);
    }
}
