//! Group commit. One thread takes the submissions waiting to be stored, writes each one's blob
//! and record, makes the whole batch durable with one syncfs(2), indexes it with one sled flush,
//! and only then answers every caller. Concurrent uploads share those two disk syncs instead of
//! paying five each.
//!
//! A failure at any step answers the whole batch with the error and removes the files it wrote
//! (record first, then blob), so no record of an unanswered or refused upload remains. While a
//! storage fault lasts, the thread probes the disk every [`PROBE_EVERY`] and rebuilds the index
//! once writes succeed again: the store recovers without a restart.

use super::error::{io, StoreError};
use super::intake::{Body, Received};
use super::layout::{self, remove_if_present, FsSync, Step};
use super::Inner;
use crate::duty::submission::Submission;
use sha2::Digest;
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

/// At most this many submissions share one sync.
const MAX_BATCH: usize = 256;
/// How often a faulted store checks whether the disk takes writes again.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);

pub(crate) struct Job {
    pub received: Received,
    /// The verified submission; `None` for bytes already stored (only the blob is checked).
    pub sub: Option<Submission>,
    pub reply: tokio::sync::oneshot::Sender<Result<Committed, StoreError>>,
}

/// What the store did with a submission.
#[derive(Debug)]
pub enum Committed {
    /// New bytes, now durable.
    Created(Submission),
    /// These bytes were stored before; the earlier record stands.
    Existing(Submission),
    /// Stored before, but the stored copy was missing or damaged and has been replaced.
    Repaired(Submission),
}

impl Committed {
    pub fn submission(&self) -> &Submission {
        match self {
            Committed::Created(s) | Committed::Existing(s) | Committed::Repaired(s) => s,
        }
    }
}

/// The committer thread and the way to it.
pub(crate) struct Handle {
    pub jobs: Sender<Job>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Handle {
    /// Close the queue and wait for the thread to finish its batch.
    pub fn stop(self) {
        drop(self.jobs);
        if let Some(t) = self.thread {
            let _ = t.join();
        }
    }
}

pub(crate) fn spawn(inner: Arc<Inner>) -> Handle {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("kyso-commit".into())
        .spawn(move || run(&inner, &rx));
    let thread = match spawned {
        Ok(t) => Some(t),
        Err(e) => {
            // Every commit then answers `Recovering` (its reply sender is dropped).
            tracing::error!("cannot start the commit thread: {e}");
            None
        }
    };
    Handle { jobs: tx, thread }
}

fn run(inner: &Inner, rx: &Receiver<Job>) {
    loop {
        let faulted = inner
            .health
            .lock()
            .map(|h| h.fault.is_some())
            .unwrap_or(false)
            || inner.index.read().map(|g| g.is_none()).unwrap_or(true);
        let first = if faulted {
            match rx.recv_timeout(PROBE_EVERY) {
                Ok(j) => j,
                Err(RecvTimeoutError::Timeout) => {
                    probe(inner);
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if inner.index.read().map(|g| g.is_none()).unwrap_or(true) {
            probe(inner);
        }
        let stats = &inner.stats;
        stats
            .queued
            .fetch_sub(batch.len() as u64, Ordering::Relaxed);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        match &inner.db {
            Some(db) => super::postgres::batch::commit(inner, db, batch),
            None => commit_batch(inner, batch),
        }
    }
}

/// While faulted: does the disk take a small synced write, and can the index be rebuilt?
fn probe(inner: &Inner) {
    if let Some(db) = &inner.db {
        return probe_database(inner, db);
    }
    let p = inner.layout.fresh_tmp("probe");
    let done = p.with_extension("ok");
    let result = layout::write_durably(&p, &done, &[0u8; 65536]);
    let _ = remove_if_present(&done);
    let result = result.and_then(|()| {
        if inner.index.read().map(|g| g.is_none()).unwrap_or(true) {
            inner.recover_index()
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) => {
            tracing::info!("storage writable again; index ready");
            inner.note_ok();
        }
        Err(e) => {
            tracing::debug!("storage still failing: {e}");
            inner.note_fault(&e);
        }
    }
}

/// A submission whose files were written in this batch.
/// [`probe`] for the PostgreSQL store: the database answers, and the index is whole.
fn probe_database(inner: &Inner, db: &super::postgres::Database) {
    let result = db.ping().and_then(|()| {
        if inner.index.read().map(|g| g.is_none()).unwrap_or(true) {
            inner.recover_index()
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) => {
            tracing::info!("database reachable again; index ready");
            inner.note_ok();
        }
        Err(e) => {
            tracing::debug!("database still unreachable: {e}");
            inner.note_fault(&e);
        }
    }
}

struct Staged {
    job: Job,
    sub: Submission,
    json: Vec<u8>,
}

fn commit_batch(inner: &Inner, batch: Vec<Job>) {
    let mut staged: Vec<Staged> = Vec::new();
    let mut later: Vec<Job> = Vec::new();
    let mut ids: HashMap<String, ()> = HashMap::new();
    let sync = match FsSync::open(&inner.layout.dir) {
        Ok(s) => s,
        Err(e) => return fail_all(inner, batch.into_iter(), e),
    };
    for job in batch {
        let id = job.received.id.clone();
        let known = match ids.contains_key(&id) {
            true => Ok(true),
            false => inner.with_index(|i| i.contains(&id)),
        };
        match (known, job.sub.is_some()) {
            (Ok(false), true) => match stage(inner, job) {
                Ok(s) => {
                    ids.insert(id, ());
                    staged.push(s);
                }
                Err((job, e)) => answer(inner, job, Err(e)),
            },
            (Ok(_), _) => later.push(job),
            (Err(e), _) => answer(inner, job, Err(e)),
        }
    }
    let started = std::time::Instant::now();
    let synced = inner
        .faults
        .check(Step::Sync, &inner.layout.dir)
        .and_then(|()| sync.sync());
    inner.stats.sync_seconds.observe(started.elapsed());
    if let Err(e) = synced {
        undo(inner, &staged, &sync);
        return fail_all(inner, staged.into_iter().map(|s| s.job).chain(later), e);
    }
    if let Err(e) = index_batch(inner, &staged) {
        // The files are synced: the batch is stored. Only the cache failed; it is rebuilt from
        // the files (the probe, before the next batch), and readers get 503 until then.
        // Undoing durable files here could not be made crash-safe (a crash before the deletes
        // reach the disk would bring back a "refused" upload), so the batch is answered 201.
        tracing::error!("index write failed, rebuilding it from the files: {e}");
        inner.note_fault(&e);
        if let Ok(mut g) = inner.index.write() {
            *g = None;
        }
    }
    inner
        .count
        .fetch_add(staged.len() as u64, Ordering::Relaxed);
    if !staged.is_empty() && inner.index.read().is_ok_and(|g| g.is_some()) {
        inner.note_ok();
    }
    for s in staged {
        answer(inner, s.job, Ok(Committed::Created(s.sub)));
    }
    for job in later {
        let outcome = duplicate(inner, &job.received, &sync);
        answer(inner, job, outcome);
    }
}

/// Write a new submission's blob, then its record (neither synced yet).
fn stage(inner: &Inner, mut job: Job) -> Result<Staged, (Job, StoreError)> {
    let Some(sub) = job.sub.take() else {
        return Err((job, StoreError::Recovering));
    };
    let result = write_blob(inner, &job.received).and_then(|()| {
        let json = inner.record_json(&sub)?;
        let record = inner.layout.record(&sub.id);
        inner.faults.check(Step::Record, &record)?;
        layout::write_then_rename(&inner.layout.fresh_tmp("rec"), &record, &json)?;
        Ok(json)
    });
    match result {
        Ok(json) => Ok(Staged { job, sub, json }),
        Err(e) => {
            let _ = remove_if_present(&inner.layout.record(&sub.id));
            let _ = remove_if_present(&inner.layout.blob(&sub.id));
            job.sub = Some(sub);
            Err((job, e))
        }
    }
}

/// Put the received bytes at their blob path (replacing what is there).
fn write_blob(inner: &Inner, r: &Received) -> Result<(), StoreError> {
    let blob = inner.layout.blob(&r.id);
    inner.faults.check(Step::Blob, &blob)?;
    match &r.body {
        Body::Memory { bytes, .. } => {
            layout::write_then_rename(&inner.layout.fresh_tmp("blob"), &blob, bytes)
        }
        Body::File(tmp) => {
            if let Some(parent) = blob.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            // A second name in tmp/ (the intake's TempFile still removes its own), then renamed
            // over the blob: a stored copy is only ever replaced whole.
            let link = inner.layout.fresh_tmp("link");
            fs::hard_link(&tmp.0, &link).map_err(io(&link))?;
            fs::rename(&link, &blob).map_err(|e| {
                let _ = fs::remove_file(&link);
                io(&blob)(e)
            })
        }
    }
}

fn index_batch(inner: &Inner, staged: &[Staged]) -> Result<(), StoreError> {
    if staged.is_empty() {
        return Ok(());
    }
    inner.with_index(|i| {
        let result = staged
            .iter()
            .try_for_each(|s| i.insert_submission(&s.sub, &s.json))
            .and_then(|()| inner.faults.check(Step::Index, &inner.layout.dir))
            .and_then(|()| i.flush());
        if result.is_err() {
            // Keep the answers of readers honest until the index is rebuilt.
            for s in staged {
                let _ = i.remove_submission(&s.sub);
            }
        }
        result
    })
}

/// Remove what a failed batch wrote: records first, so a crash in between leaves only blobs
/// without records, which the next start sets aside.
fn undo(inner: &Inner, staged: &[Staged], sync: &FsSync) {
    for s in staged {
        if let Err(e) = remove_if_present(&inner.layout.record(&s.sub.id)) {
            tracing::error!("undoing a failed batch: {e}");
        }
    }
    for s in staged {
        if let Err(e) = remove_if_present(&inner.layout.blob(&s.sub.id)) {
            tracing::error!("undoing a failed batch: {e}");
        }
    }
    let _ = sync.sync();
}

/// Bytes stored before: the earlier record stands, but a missing or damaged stored copy is
/// replaced by these bytes (which hash to the id) and synced.
fn duplicate(inner: &Inner, r: &Received, sync: &FsSync) -> Result<Committed, StoreError> {
    let sub = inner
        .with_index(|i| i.get(&r.id))?
        .ok_or(StoreError::Recovering)?;
    if blob_matches(&inner.layout.blob(&r.id), &r.digest)? {
        return Ok(Committed::Existing(sub));
    }
    tracing::warn!(id = %r.id, "the stored copy was missing or damaged: replaced by the upload");
    write_blob(inner, r)?;
    inner
        .faults
        .check(Step::Sync, &inner.layout.dir)
        .and_then(|()| sync.sync())?;
    Ok(Committed::Repaired(sub))
}

/// Whether the file at `p` hashes to `digest`: false when it is missing or differs; an error
/// when it cannot be read (a stored copy is never replaced because of a passing read error).
pub(crate) fn blob_matches(p: &std::path::Path, digest: &[u8; 32]) -> Result<bool, StoreError> {
    let mut f = match fs::File::open(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(p)(e)),
    };
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf).map_err(io(p))? {
            0 => break,
            n => h.update(&buf[..n]),
        }
    }
    Ok(<[u8; 32]>::from(h.finalize()) == *digest)
}

pub(super) fn fail_all(inner: &Inner, jobs: impl Iterator<Item = Job>, e: StoreError) {
    tracing::error!("commit failed: {e}");
    inner.note_fault(&e);
    for job in jobs {
        answer(inner, job, Err(copy_error(inner, &e)));
    }
}

/// The same error for every caller of a failed batch.
fn copy_error(inner: &Inner, e: &StoreError) -> StoreError {
    let again = |s: &std::io::Error| match s.raw_os_error() {
        Some(n) => std::io::Error::from_raw_os_error(n),
        None => std::io::Error::new(s.kind(), s.to_string()),
    };
    match e {
        StoreError::Io { path, source } => StoreError::Io {
            path: path.clone(),
            source: again(source),
        },
        StoreError::Index(sled::Error::Io(source)) => StoreError::Io {
            path: inner.layout.dir.join("index"),
            source: again(source),
        },
        StoreError::Database { what } => StoreError::Database { what: what.clone() },
        e if e.fault().is_some() => StoreError::Recovering,
        e => StoreError::Corrupt {
            path: inner.layout.dir.clone(),
            what: e.to_string(),
        },
    }
}

pub(super) fn answer(inner: &Inner, job: Job, outcome: Result<Committed, StoreError>) {
    if let Err(e) = &outcome {
        inner.note_fault(e);
    }
    // The intake's temp file goes before the answer: nothing of this upload is left in tmp/
    // once the caller hears of it.
    let Job {
        received, reply, ..
    } = job;
    drop(received);
    // A caller that went away (client disconnected) no longer needs the answer.
    let _ = reply.send(outcome);
}
