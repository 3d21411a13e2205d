//! The evidence in PostgreSQL: submitted bytes (chunked, SHA-256 checked on read) and
//! submission records. A batch of uploads is one transaction (group commit): its 201s are sent
//! only after `COMMIT` returned, with `synchronous_commit` on, so an acknowledged upload is in
//! the database's write-ahead log on disk.

use super::{db_error, Database, CHANNEL};
use crate::store::StoreError;
use serde_json::Value;

/// The largest piece of a blob one row holds.
pub const CHUNK: usize = 1 << 20;

/// One upload of a batch: its bytes (in chunks) and its record.
pub(crate) struct BatchItem {
    pub id: String,
    pub digest: [u8; 32],
    pub size: u64,
    pub chunks: Vec<Vec<u8>>,
    pub received_at: time::OffsetDateTime,
    pub record: Value,
}

/// What the batch's transaction did with one item.
#[derive(Debug)]
pub(crate) enum Stored {
    /// Written by this transaction.
    New,
    /// Already in the database (sent to another instance, or earlier): its record.
    Existing(Value),
}

impl Database {
    /// Write a batch in one transaction; announce each new submission on [`CHANNEL`].
    pub(crate) fn commit_batch(&self, items: Vec<BatchItem>) -> Result<Vec<Stored>, StoreError> {
        self.run(move |c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                tx.batch_execute("SET LOCAL synchronous_commit = on").await?;
                let mut out = Vec::with_capacity(items.len());
                for it in &items {
                    let size = i64::try_from(it.size).unwrap_or(i64::MAX);
                    let n = tx
                        .execute(
                            "INSERT INTO blobs (id, sha256, size) VALUES ($1, $2, $3)
                             ON CONFLICT (id) DO NOTHING",
                            &[&it.id, &it.digest.as_slice(), &size],
                        )
                        .await?;
                    if n == 0 {
                        let row = tx
                            .query_opt("SELECT record FROM submissions WHERE id = $1", &[&it.id])
                            .await?;
                        out.push(Stored::Existing(row.map(|r| r.get(0)).unwrap_or(Value::Null)));
                        continue;
                    }
                    for (i, chunk) in it.chunks.iter().enumerate() {
                        let i = i as i32;
                        tx.execute(
                            "INSERT INTO blob_chunks (id, n, bytes) VALUES ($1, $2, $3)",
                            &[&it.id, &i, chunk],
                        )
                        .await?;
                    }
                    tx.execute(
                        "INSERT INTO submissions (id, received_at, record) VALUES ($1, $2, $3)",
                        &[&it.id, &it.received_at, &it.record],
                    )
                    .await?;
                    let payload = format!("s {}", it.id);
                    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                        .await?;
                    out.push(Stored::New);
                }
                tx.commit().await?;
                Ok(out)
            })
        })
    }

    /// The bytes of submission `id`, checked against the SHA-256 they were stored with.
    pub fn blob(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = id.to_string();
        let found = self.run(move |c| {
            Box::pin(async move {
                let Some(head) = c
                    .query_opt("SELECT sha256, size FROM blobs WHERE id = $1", &[&key])
                    .await?
                else {
                    return Ok(None);
                };
                let rows = c
                    .query(
                        "SELECT bytes FROM blob_chunks WHERE id = $1 ORDER BY n",
                        &[&key],
                    )
                    .await?;
                let size: i64 = head.get(1);
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                for r in rows {
                    bytes.extend_from_slice(r.get::<_, &[u8]>(0));
                }
                Ok(Some((head.get::<_, Vec<u8>>(0), bytes)))
            })
        })?;
        let Some((digest, bytes)) = found else {
            return Ok(None);
        };
        if kyso_verify::pki::crypto::sha256(&bytes).as_slice() != digest.as_slice() {
            return Err(StoreError::Mismatch { id: id.to_string() });
        }
        Ok(Some(bytes))
    }

    /// (SHA-256, size, number of chunks) of the stored bytes of `id`.
    pub fn blob_head(&self, id: &str) -> Result<Option<(Vec<u8>, u64, i32)>, StoreError> {
        let key = id.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let row = c
                    .query_opt(
                        "SELECT b.sha256, b.size, (SELECT count(*) FROM blob_chunks c WHERE c.id = b.id)::int
                         FROM blobs b WHERE b.id = $1",
                        &[&key],
                    )
                    .await?;
                Ok(row.map(|r| {
                    let size: i64 = r.get(1);
                    (r.get(0), u64::try_from(size).unwrap_or(0), r.get(2))
                }))
            })
        })
    }

    /// At most `len` bytes from `offset` (0-based) of chunk `n` of `id`: a download streams a
    /// chunk in pieces, so memory stays flat however many are downloaded at once.
    pub fn blob_piece(
        &self,
        id: &str,
        n: i32,
        offset: i32,
        len: i32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let key = id.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let row = c
                    .query_opt(
                        "SELECT substring(bytes FROM $3 + 1 FOR $4) FROM blob_chunks WHERE id = $1 AND n = $2",
                        &[&key, &n, &offset, &len],
                    )
                    .await?;
                Ok(row.map(|r| r.get(0)))
            })
        })
    }

    /// The record of submission `id`.
    pub fn record(&self, id: &str) -> Result<Option<Value>, StoreError> {
        let key = id.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let row = c
                    .query_opt("SELECT record FROM submissions WHERE id = $1", &[&key])
                    .await?;
                Ok(row.map(|r| r.get(0)))
            })
        })
    }

    /// Up to `limit` records with an id after `after`, in id order (an index rebuild pages
    /// through the table instead of holding it whole).
    pub fn records_after(&self, after: &str, limit: i64) -> Result<Vec<(String, Value)>, StoreError> {
        let after = after.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let rows = c
                    .query(
                        "SELECT id, record FROM submissions WHERE id > $1 ORDER BY id LIMIT $2",
                        &[&after, &limit],
                    )
                    .await?;
                Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
            })
        })
    }

    /// Replace the record of `id` (re-verification, a month moved); announced on [`CHANNEL`].
    pub fn update_record(&self, id: &str, record: Value) -> Result<(), StoreError> {
        let key = id.to_string();
        let n = self.run(move |c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let n = tx
                    .execute(
                        "UPDATE submissions SET record = $2, changed = nextval('submissions_changed_seq')
                         WHERE id = $1",
                        &[&key, &record],
                    )
                    .await?;
                let payload = format!("s {key}");
                tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                    .await?;
                tx.commit().await?;
                Ok(n)
            })
        })?;
        if n == 0 {
            return Err(db_error(format!("no submission {id} to update")));
        }
        Ok(())
    }

    /// (submissions, bytes stored): for `kyso store verify` and the migration's counts.
    pub fn counts(&self) -> Result<(i64, i64), StoreError> {
        self.run(|c| {
            Box::pin(async move {
                let r = c
                    .query_one(
                        "SELECT (SELECT count(*) FROM submissions), (SELECT coalesce(sum(size), 0)::bigint FROM blobs)",
                        &[],
                    )
                    .await?;
                Ok((r.get(0), r.get(1)))
            })
        })
    }
}
