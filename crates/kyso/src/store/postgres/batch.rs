//! The committer's batch over PostgreSQL: the batch's uploads are one transaction (group
//! commit), each is answered only after `COMMIT` returned, and an upload another instance stored
//! first is answered as the duplicate it is (one 201, one 200).

use super::{evidence::CHUNK, to_value, BatchItem, Database, Stored};
use crate::duty::submission::Submission;
use crate::store::committer::{answer, fail_all, Committed, Job};
use crate::store::error::io;
use crate::store::intake::Body;
use crate::store::{Inner, StoreError};
use std::collections::HashSet;
use std::io::Read;
use std::sync::atomic::Ordering;

/// Write `batch` to the database, then to this instance's index, then answer each upload.
pub(crate) fn commit(inner: &Inner, db: &Database, batch: Vec<Job>) {
    let mut items = Vec::new();
    let mut staged = Vec::new();
    let mut later = Vec::new();
    let mut ids = HashSet::new();
    for mut job in batch {
        let id = job.received.id.clone();
        let known = match ids.contains(&id) {
            true => Ok(true),
            false => inner.with_index(|i| i.contains(&id)),
        };
        match (known, job.sub.take()) {
            (Ok(false), Some(sub)) => match item(&job, &sub) {
                Ok(it) => {
                    ids.insert(id);
                    items.push(it);
                    staged.push((job, sub));
                }
                Err(e) => answer(inner, job, Err(e)),
            },
            (Ok(_), _) => later.push(job),
            (Err(e), _) => answer(inner, job, Err(e)),
        }
    }
    // The transaction's commit is what every acknowledged upload waits for, as the files
    // store's syncfs(2) is: the same histogram.
    let started = std::time::Instant::now();
    let stored = match items.is_empty() {
        true => Ok(Vec::new()),
        false => db.commit_batch(items),
    };
    inner.stats.sync_seconds.observe(started.elapsed());
    let stored = match stored {
        Ok(s) => s,
        Err(e) => {
            let jobs = staged.into_iter().map(|(j, _)| j).chain(later);
            return fail_all(inner, jobs, e);
        }
    };
    inner.note_ok();
    for ((job, sub), st) in staged.into_iter().zip(stored) {
        let outcome = match st {
            Stored::New => index(inner, &sub).map(|()| Committed::Created(sub)),
            Stored::Existing(record) => serde_json::from_value::<Submission>(record)
                .map_err(super::db_error)
                .and_then(|s| index(inner, &s).map(|()| Committed::Existing(s))),
        };
        answer(inner, job, outcome);
    }
    for job in later {
        let id = job.received.id.clone();
        let outcome = match inner.with_index(|i| i.get(&id)) {
            Ok(Some(s)) => Ok(Committed::Existing(s)),
            Ok(None) => Err(StoreError::Recovering),
            Err(e) => Err(e),
        };
        answer(inner, job, outcome);
    }
}

/// Put `sub` in this instance's index (the database has it already).
fn index(inner: &Inner, sub: &Submission) -> Result<(), StoreError> {
    let json = inner.record_json(sub)?;
    let _turn = inner.index_turn();
    inner.journal_id(&sub.id);
    inner.with_index(|i| {
        if !i.contains(&sub.id)? {
            inner.count.fetch_add(1, Ordering::Relaxed);
            i.insert_submission(sub, &json)?;
        }
        Ok(())
    })
}

/// The upload's bytes in chunks, with its record.
fn item(job: &Job, sub: &Submission) -> Result<BatchItem, StoreError> {
    let r = &job.received;
    let chunks = match &r.body {
        Body::Memory { bytes, .. } => bytes.chunks(CHUNK).map(<[u8]>::to_vec).collect(),
        Body::File(tmp) => {
            let mut f = std::fs::File::open(&tmp.0).map_err(io(&tmp.0))?;
            let mut chunks = Vec::new();
            loop {
                let mut chunk = Vec::with_capacity(CHUNK);
                let n = (&mut f)
                    .take(CHUNK as u64)
                    .read_to_end(&mut chunk)
                    .map_err(io(&tmp.0))?;
                if n == 0 {
                    break;
                }
                chunks.push(chunk);
            }
            chunks
        }
    };
    Ok(BatchItem {
        id: r.id.clone(),
        digest: r.digest,
        size: r.size,
        chunks,
        received_at: sub.received_at,
        record: to_value(sub)?,
    })
}
