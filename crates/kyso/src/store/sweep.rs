//! What an interrupted batch leaves behind, set aside at start. A submission is answered only
//! after its batch is on disk, so a record without its complete blob, or a blob without its
//! record, was never acknowledged: both go to `quarantine/` (kept, not deleted, in case an
//! operator wants to look) and out of the index.

use super::error::{io, StoreError};
use super::index::Index;
use super::layout::{fsync_dir, Layout};
use std::fs;
use std::path::{Path, PathBuf};

/// Uploads that never finished leave files in `tmp/`; they were never acknowledged.
pub fn empty_tmp(layout: &Layout) -> Result<(), StoreError> {
    let tmp = layout.dir.join("tmp");
    for e in fs::read_dir(&tmp).map_err(io(&tmp))?.flatten() {
        let _ = fs::remove_file(e.path());
    }
    Ok(())
}

/// Every `*.ext` file under `dir/<shard>/`.
pub fn files_in_shards(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    for shard in fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let shard = shard.path();
        if !shard.is_dir() {
            continue;
        }
        for f in fs::read_dir(&shard).map_err(io(&shard))?.flatten() {
            let p = f.path();
            if p.extension().and_then(|e| e.to_str()) == Some(ext) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// The two fields of a record the sweep needs.
#[derive(serde::Deserialize)]
struct Head {
    id: String,
    size: u64,
}

fn set_aside(layout: &Layout, p: &Path) -> Result<(), StoreError> {
    let q = layout.quarantine();
    fs::create_dir_all(&q).map_err(io(&q))?;
    let name = p.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    let target = q.join(name);
    fs::rename(p, &target).map_err(io(&target))?;
    tracing::warn!(file = %p.display(), to = %target.display(), "set aside at start: never acknowledged");
    Ok(())
}

/// Set aside records without their complete blob and blobs without their record, and bring the
/// index in line with the complete submissions: a batch killed after its sync but before its
/// index flush left complete files the index does not know (never answered; indexed now, so a
/// retry of the same bytes answers 200 with that receipt), and the index never names a
/// submission whose files are gone.
/// With `fresh` (a new index, as after a restore), the complete submissions are left to the
/// rebuild that follows: nothing was interrupted, and nothing is said.
pub fn orphans(layout: &Layout, index: &Index, fresh: bool) -> Result<usize, StoreError> {
    let mut moved = 0;
    let mut whole = std::collections::HashSet::new();
    for p in files_in_shards(&layout.dir.join("submissions"), "json")? {
        let data = fs::read(&p).map_err(io(&p))?;
        let Ok(head) = serde_json::from_slice::<Head>(&data) else {
            // `store verify` reports unreadable records; nothing is guessed or removed here.
            if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                whole.insert(stem.to_string());
            }
            continue;
        };
        let blob = layout.blob(&head.id);
        let complete = fs::metadata(&blob).is_ok_and(|m| m.len() == head.size);
        if !complete {
            if let Some(sub) = index.get(&head.id)? {
                index.remove_submission(&sub)?;
            }
            set_aside(layout, &p)?;
            if blob.exists() {
                set_aside(layout, &blob)?;
            }
            moved += 1;
        } else {
            if !fresh && !index.contains(&head.id)? {
                if let Ok(sub) = serde_json::from_slice(&data) {
                    index.insert_submission(&sub, &data)?;
                    tracing::warn!(id = %head.id, "indexed at start: stored by a batch interrupted before its index write");
                    moved += 1;
                }
            }
            whole.insert(head.id);
        }
    }
    for id in index.ids()? {
        if !whole.contains(&id) {
            if let Some(sub) = index.get(&id)? {
                index.remove_submission(&sub)?;
                moved += 1;
            }
        }
    }
    for p in files_in_shards(&layout.dir.join("blobs"), "pdf")? {
        let Some(id) = p.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !layout.record(id).exists() {
            set_aside(layout, &p)?;
            moved += 1;
        }
    }
    if moved > 0 {
        index.flush()?;
        if layout.quarantine().exists() {
            fsync_dir(&layout.quarantine())?;
        }
    }
    Ok(moved)
}
