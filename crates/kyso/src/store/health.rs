//! What the store reports of itself: whether it can take writes (`/readyz`) and what the
//! committer has done (`/metrics`).

use super::Fault;
use std::sync::atomic::AtomicU64;

/// Whether the store can take writes now (for `/readyz`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Health {
    /// The storage fault seen by the last write, until a write or a probe succeeds again.
    pub fault: Option<Fault>,
    /// When that fault was first seen (written as RFC 3339). The store's own clock reading:
    /// operational health, never a decision about evidence.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_since"
    )]
    pub since: Option<std::time::SystemTime>,
    /// False while the index is being rebuilt after a fault.
    pub index_ok: bool,
}

/// What the committer has done, for `/metrics`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Submissions handed to the committer and not yet taken into a batch.
    pub queued: AtomicU64,
    /// Batches written.
    pub batches: AtomicU64,
    /// The batch's `syncfs(2)` (the fsync cost every acknowledged upload waits for).
    pub sync_seconds: crate::metrics::Histogram,
}

fn serialize_since<S: serde::Serializer>(
    t: &Option<std::time::SystemTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&kyso_verify::report::wire_time::format((*t).into())),
        None => s.serialize_none(),
    }
}
