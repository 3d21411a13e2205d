//! `kyso store verify`: every blob re-hashed, records, blobs and index compared. Read-only.

use super::error::{io, StoreError};
use super::index::Index;
use super::layout::Layout;
use super::sweep::files_in_shards;
use crate::duty::submission::Submission;
use std::fs;

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub records: usize,
    pub blobs: usize,
    pub indexed: usize,
    /// One line per problem found, naming the submission.
    pub problems: Vec<String>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

pub fn run(
    layout: &Layout,
    index: &Index,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, StoreError> {
    let mut r = Report::default();
    let records = files_in_shards(&layout.dir.join("submissions"), "json")?;
    let blobs = files_in_shards(&layout.dir.join("blobs"), "pdf")?;
    r.records = records.len();
    r.blobs = blobs.len();
    let mut seen = std::collections::HashSet::new();
    for (n, p) in records.iter().enumerate() {
        progress(n + 1, records.len());
        let data = fs::read(p).map_err(io(p))?;
        let sub: Submission = match serde_json::from_slice(&data) {
            Ok(s) => s,
            Err(e) => {
                r.problems
                    .push(format!("{}: unreadable record: {e}", p.display()));
                continue;
            }
        };
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if stem != sub.id {
            r.problems
                .push(format!("{}: the record names {}", p.display(), sub.id));
        }
        // The report must describe its own file: a record moved onto another blob (or a
        // report copied from another file) would credit bytes nobody verified.
        if sub.report.document.sha256 != sub.id {
            r.problems.push(format!(
                "{}: its report describes another file ({})",
                sub.id, sub.report.document.sha256
            ));
        }
        if sub.report.document.size != sub.size {
            r.problems.push(format!(
                "{}: its report describes a file of {} bytes, the record says {}",
                sub.id, sub.report.document.size, sub.size
            ));
        }
        seen.insert(sub.id.clone());
        check_blob(layout, &sub, &mut r.problems);
        match index.get(&sub.id)? {
            Some(i) if serde_json::to_value(&i).ok() == serde_json::to_value(&sub).ok() => {}
            Some(_) => r.problems.push(format!(
                "{}: the index holds another version of the record",
                sub.id
            )),
            None => r.problems.push(format!(
                "{}: stored but missing from the index (run kyso store reindex)",
                sub.id
            )),
        }
    }
    for p in &blobs {
        let id = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !seen.contains(id) {
            r.problems.push(format!("{id}: a blob without a record"));
        }
    }
    let ids = index.ids()?;
    r.indexed = ids.len();
    for id in ids.iter().filter(|id| !seen.contains(*id)) {
        r.problems.push(format!(
            "{id}: in the index but no record file (run kyso store reindex)"
        ));
    }
    Ok(r)
}

fn check_blob(layout: &Layout, sub: &Submission, problems: &mut Vec<String>) {
    let blob = layout.blob(&sub.id);
    let Ok(meta) = fs::metadata(&blob) else {
        problems.push(format!("{}: its PDF is missing", sub.id));
        return;
    };
    if meta.len() != sub.size {
        problems.push(format!(
            "{}: its PDF has {} bytes, the record says {}",
            sub.id,
            meta.len(),
            sub.size
        ));
        return;
    }
    let Ok(digest) = hex::decode(&sub.id) else {
        problems.push(format!("{}: the id is not a SHA-256", sub.id));
        return;
    };
    let Ok(digest) = <[u8; 32]>::try_from(digest.as_slice()) else {
        problems.push(format!("{}: the id is not a SHA-256", sub.id));
        return;
    };
    match super::committer::blob_matches(&blob, &digest) {
        Ok(true) => {}
        Ok(false) => problems.push(format!("{}: its PDF no longer hashes to its id", sub.id)),
        Err(e) => problems.push(format!("{}: its PDF cannot be read: {e}", sub.id)),
    }
}
