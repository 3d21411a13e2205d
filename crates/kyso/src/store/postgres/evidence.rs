//! The evidence in PostgreSQL: submitted bytes (chunked, SHA-256 checked on read) and
//! submission records. A batch of uploads is one transaction (group commit): its 201s are sent
//! only after `COMMIT` returned, with `synchronous_commit` on, so an acknowledged upload is in
//! the database's write-ahead log on disk.

use super::{Database, CHANNEL};
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
    /// Write a batch in one transaction; announce each new submission on [`CHANNEL`]. A
    /// statement per table for the whole batch (arrays unnested), not a statement per upload:
    /// the round trips of a batch do not grow with its size.
    pub(crate) fn commit_batch(&self, items: Vec<BatchItem>) -> Result<Vec<Stored>, StoreError> {
        let origin = self.origin.clone();
        self.run(move |c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                tx.batch_execute("SET LOCAL synchronous_commit = on")
                    .await?;
                // In id order: two instances' batches holding the same files take the rows'
                // locks in the same order (no deadlock between them).
                let mut order: Vec<&BatchItem> = items.iter().collect();
                order.sort_by(|a, b| a.id.cmp(&b.id));
                let ids: Vec<&str> = order.iter().map(|i| i.id.as_str()).collect();
                let digests: Vec<&[u8]> = order.iter().map(|i| i.digest.as_slice()).collect();
                let sizes: Vec<i64> = order
                    .iter()
                    .map(|i| i64::try_from(i.size).unwrap_or(i64::MAX))
                    .collect();
                let rows = tx
                    .query(
                        "INSERT INTO blobs (id, sha256, size)
                         SELECT * FROM unnest($1::text[], $2::bytea[], $3::int8[])
                         ON CONFLICT (id) DO NOTHING RETURNING id",
                        &[&ids, &digests, &sizes],
                    )
                    .await?;
                let new: std::collections::HashSet<String> =
                    rows.iter().map(|r| r.get(0)).collect();
                let fresh: Vec<&BatchItem> = order
                    .iter()
                    .copied()
                    .filter(|i| new.contains(&i.id))
                    .collect();
                insert_fresh(&tx, &fresh, &origin).await?;
                let old: Vec<&str> = ids.iter().copied().filter(|i| !new.contains(*i)).collect();
                let mut existing = std::collections::HashMap::new();
                if !old.is_empty() {
                    for r in tx
                        .query(
                            "SELECT id, record FROM submissions WHERE id = ANY($1)",
                            &[&old],
                        )
                        .await?
                    {
                        existing.insert(r.get::<_, String>(0), r.get::<_, Value>(1));
                    }
                }
                tx.commit().await?;
                Ok(items
                    .iter()
                    .map(|i| match new.contains(&i.id) {
                        true => Stored::New,
                        false => Stored::Existing(existing.remove(&i.id).unwrap_or(Value::Null)),
                    })
                    .collect())
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

    /// Whether every stored chunk of `id` still hashes to the SHA-256 stored with it (computed
    /// by the database server: a download checks before sending its first byte).
    pub fn blob_intact(&self, id: &str) -> Result<bool, StoreError> {
        let key = id.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let r = c
                    .query_one(
                        "SELECT coalesce(bool_and(sha256(bytes) = sha256), true) FROM blob_chunks WHERE id = $1",
                        &[&key],
                    )
                    .await?;
                Ok(r.get(0))
            })
        })
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
    pub fn records_after(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, Value)>, StoreError> {
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
    /// Only when the record is still at version `was` (from [`Database::record_at`]): else
    /// another instance changed it meanwhile, and the answer is a 409 (nothing written).
    pub fn update_record(&self, id: &str, record: Value, was: i64) -> Result<(), StoreError> {
        let key = id.to_string();
        let payload = format!("s {key} {}", self.origin);
        let n = self.run(move |c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let n = tx
                    .execute(
                        "UPDATE submissions SET record = $2, changed = nextval('submissions_changed_seq')
                         WHERE id = $1 AND changed = $3",
                        &[&key, &record, &was],
                    )
                    .await?;
                tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                    .await?;
                tx.commit().await?;
                Ok(n)
            })
        })?;
        if n == 0 {
            return Err(StoreError::Conflict {
                what: format!(
                    "Hồ sơ {id} vừa được sửa ở nơi khác; không có gì bị ghi đè: hãy mở lại trang rồi làm lại (submission {id} was changed meanwhile, on another instance: try again)"
                ),
            });
        }
        Ok(())
    }

    /// The record of `id` with its version (what [`Database::update_record`] builds on).
    pub fn record_at(&self, id: &str) -> Result<Option<(Value, i64)>, StoreError> {
        let key = id.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let row = c
                    .query_opt(
                        "SELECT record, changed FROM submissions WHERE id = $1",
                        &[&key],
                    )
                    .await?;
                Ok(row.map(|r| (r.get(0), r.get(1))))
            })
        })
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

/// The chunks and records of the uploads new to the database, and their announcements.
async fn insert_fresh(
    tx: &tokio_postgres::Transaction<'_>,
    fresh: &[&BatchItem],
    origin: &str,
) -> Result<(), tokio_postgres::Error> {
    if fresh.is_empty() {
        return Ok(());
    }
    // At most STATEMENT_BYTES of chunks a statement (PostgreSQL refuses a message over 1 GB).
    let (mut cid, mut cn, mut cbytes) = (Vec::new(), Vec::new(), Vec::new());
    let mut held = 0;
    for it in fresh {
        for (n, chunk) in it.chunks.iter().enumerate() {
            if held + chunk.len() > STATEMENT_BYTES && !cid.is_empty() {
                insert_chunks(tx, &cid, &cn, &cbytes).await?;
                (cid, cn, cbytes, held) = (Vec::new(), Vec::new(), Vec::new(), 0);
            }
            held += chunk.len();
            cid.push(it.id.as_str());
            cn.push(n as i32);
            cbytes.push(chunk.as_slice());
        }
    }
    if !cid.is_empty() {
        insert_chunks(tx, &cid, &cn, &cbytes).await?;
    }
    let ids: Vec<&str> = fresh.iter().map(|i| i.id.as_str()).collect();
    let times: Vec<time::OffsetDateTime> = fresh.iter().map(|i| i.received_at).collect();
    let records: Vec<&Value> = fresh.iter().map(|i| &i.record).collect();
    tx.execute(
        "INSERT INTO submissions (id, received_at, record)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::json[])",
        &[&ids, &times, &records],
    )
    .await?;
    // Delivered at commit, and only if it commits.
    tx.execute(
        "SELECT pg_notify($1, 's ' || id || ' ' || $3) FROM unnest($2::text[]) AS id",
        &[&CHANNEL, &ids, &origin],
    )
    .await?;
    Ok(())
}

/// The most bytes of chunks one statement sends.
const STATEMENT_BYTES: usize = 64 << 20;

/// The chunks with their own SHA-256, which the database computes as it stores them (the
/// upload's bytes were hashed once already, in the intake): what a download checks first.
async fn insert_chunks(
    tx: &tokio_postgres::Transaction<'_>,
    ids: &[&str],
    n: &[i32],
    bytes: &[&[u8]],
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO blob_chunks (id, n, bytes, sha256)
         SELECT c.id, c.n, c.bytes, sha256(c.bytes)
         FROM unnest($1::text[], $2::int4[], $3::bytea[]) AS c (id, n, bytes)",
        &[&ids, &n, &bytes],
    )
    .await
    .map(drop)
}
