//! `kyso store backup DIR` and `kyso store restore DIR`: the evidence files (not the index,
//! which is rebuilt from them) copied with their SHA-256, made durable, and a manifest written
//! last, so that a backup without its manifest is known to be incomplete. The manifest is sealed
//! with an HMAC-SHA256 (RFC 2104) under the backup key, which lives with the configuration and
//! never in the backup: whoever can write to the backup medium can change a file and its hash,
//! but not the seal. A restore checks the seal, then every file against the manifest (and every
//! PDF against its name) before it copies anything, into a data directory that holds no
//! evidence yet.

use super::error::{io, StoreError};
use super::layout::{write_durably, FsSync, Layout};
use super::sweep::files_in_shards;
use super::Store;
use kyso_verify::pki::crypto::sha256;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

const MANIFEST: &str = "MANIFEST.json";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub created_at: String,
    pub submissions: usize,
    pub files: Vec<Entry>,
    /// HMAC-SHA256 of the manifest without this field (compact JSON), hex, under the backup
    /// key. Absent in backups made before backups were sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<String>,
}

/// The key that seals backups: 32 random bytes, kept as 64 hex digits in a file beside the
/// configuration (`backup_key`), never in the data directory or a backup.
pub struct BackupKey([u8; 32]);

impl BackupKey {
    /// The key in `path`.
    pub fn load(path: &Path) -> Result<BackupKey, StoreError> {
        let text = fs::read_to_string(path).map_err(io(path))?;
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| bad(path, "a backup key is 64 hexadecimal digits".into()))?;
        Ok(BackupKey(bytes))
    }

    /// A new random key, written to `path` (readable by its owner only); refused if a file is
    /// there already.
    pub fn create(path: &Path) -> Result<BackupKey, StoreError> {
        let mut k = [0u8; 32];
        getrandom::getrandom(&mut k).map_err(|e| bad(path, format!("no randomness: {e}")))?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut f = {
            use std::os::unix::fs::OpenOptionsExt;
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io(path))?
        };
        use std::io::Write;
        f.write_all(format!("{}\n", hex::encode(k)).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io(path))?;
        Ok(BackupKey(k))
    }

    fn seal(&self, m: &Manifest) -> String {
        use hmac::Mac;
        let unsealed = Manifest {
            schema: m.schema,
            created_at: m.created_at.clone(),
            submissions: m.submissions,
            files: m
                .files
                .iter()
                .map(|e| Entry {
                    path: e.path.clone(),
                    sha256: e.sha256.clone(),
                    size: e.size,
                })
                .collect(),
            seal: None,
        };
        let json = serde_json::to_vec(&unsealed).unwrap_or_default();
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(&json);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `m`'s seal is this key's (compared in constant time).
    fn opens(&self, m: &Manifest) -> bool {
        let expected = self.seal(m);
        let Some(given) = &m.seal else { return false };
        expected.len() == given.len()
            && expected
                .bytes()
                .zip(given.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// How a restore treats the backup's seal.
pub enum Seal<'a> {
    /// The seal must be this key's.
    Key(&'a BackupKey),
    /// An unsealed backup (made before backups were sealed), restored on the operator's word.
    Unsealed,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the data directory, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

fn bad(dir: &Path, what: String) -> StoreError {
    StoreError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, what),
    }
}

/// The evidence files of a data directory, relative paths sorted.
fn evidence(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut out = vec!["VERSION".to_string()];
    for (kind, ext) in [("blobs", "pdf"), ("submissions", "json")] {
        for p in files_in_shards(&dir.join(kind), ext)? {
            if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    for kind in ["registry/units", "registry/leaders", "periods", "users"] {
        let d = dir.join(kind);
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            // A store made before closed periods existed has no periods/ yet.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&d)(e)),
        };
        for f in entries.flatten() {
            let filed = kind == "periods"
                && f.path()
                    .extension()
                    .is_some_and(|e| e == "xlsx" || e == "csv");
            if f.path().extension().is_some_and(|e| e == "json") || filed {
                out.push(format!("{kind}/{}", f.file_name().to_string_lossy()));
            }
        }
    }
    for f in [
        "registry/audit.jsonl",
        "registry/settings.json",
        super::reminders::SENT,
    ] {
        if dir.join(f).is_file() {
            out.push(f.into());
        }
    }
    out.sort();
    Ok(out)
}

/// An empty (or new) directory: a backup or a restore never writes over something.
fn empty_target(dir: &Path) -> Result<(), StoreError> {
    match fs::read_dir(dir) {
        Ok(mut d) => match d.next() {
            None => Ok(()),
            Some(_) => Err(bad(dir, "the directory is not empty".into())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(io(dir))
        }
        Err(e) => Err(io(dir)(e)),
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), StoreError> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    fs::copy(from, to).map(|_| ()).map_err(io(to))
}

/// Copy the evidence of `layout` into the empty directory `dest`; the store must be quiet (it is
/// opened by the caller, so the service is stopped).
pub fn backup(
    layout: &Layout,
    dest: &Path,
    now: time::OffsetDateTime,
    key: &BackupKey,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Manifest, StoreError> {
    empty_target(dest)?;
    let files = evidence(&layout.dir)?;
    let mut entries = Vec::with_capacity(files.len());
    for (n, rel) in files.iter().enumerate() {
        progress(n + 1, files.len());
        let from = layout.dir.join(rel);
        let data = fs::read(&from).map_err(io(&from))?;
        let to = dest.join(rel);
        copy(&from, &to)?;
        entries.push(Entry {
            path: rel.clone(),
            sha256: hex::encode(sha256(&data)),
            size: data.len() as u64,
        });
    }
    // Every copy durable before the manifest says the backup is complete.
    FsSync::open(dest)?.sync()?;
    let mut manifest = Manifest {
        schema: super::SCHEMA_VERSION,
        created_at: kyso_verify::report::wire_time::format(now),
        submissions: entries
            .iter()
            .filter(|e| e.path.starts_with("submissions/"))
            .count(),
        files: entries,
        seal: None,
    };
    manifest.seal = Some(key.seal(&manifest));
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| bad(dest, e.to_string()))?;
    write_durably(&dest.join(".manifest.tmp"), &dest.join(MANIFEST), &json)?;
    Ok(manifest)
}

/// The manifest of the backup at `src`, its seal checked as `seal` says and its schema ours.
fn sealed_manifest(src: &Path, seal: Seal) -> Result<Manifest, StoreError> {
    let mpath = src.join(MANIFEST);
    let text = match fs::read(&mpath) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad(
                src,
                format!(
                    "no {MANIFEST} here: this is not a complete kyso backup (a backup is complete once its manifest is written, last); nothing restored"
                ),
            ))
        }
        Err(e) => return Err(io(&mpath)(e)),
    };
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| bad(&mpath, format!("not a kyso backup manifest: {e}")))?;
    match (seal, &manifest.seal) {
        (Seal::Key(k), Some(_)) if k.opens(&manifest) => {}
        (Seal::Key(_), Some(_)) => {
            return Err(bad(
                src,
                "the backup's seal does not match the backup key: the backup was changed after it was made, or it was made with another key. Nothing restored".into(),
            ))
        }
        (Seal::Key(_), None) => {
            return Err(bad(
                src,
                "the backup carries no seal (made before kyso sealed its backups, or the seal was removed). Nothing restored; restore it with --unsealed only if you know where it came from".into(),
            ))
        }
        (Seal::Unsealed, _) => {}
    }
    if manifest.schema != super::SCHEMA_VERSION {
        return Err(bad(
            &mpath,
            format!(
                "backup of schema {}, this kyso reads {}",
                manifest.schema,
                super::SCHEMA_VERSION
            ),
        ));
    }
    Ok(manifest)
}

/// Check the backup at `src` completely, then copy it into `data_dir` (new or empty).
pub fn restore(src: &Path, data_dir: &Path, seal: Seal) -> Result<Manifest, StoreError> {
    let manifest = sealed_manifest(src, seal)?;
    let mpath = src.join(MANIFEST);
    let mut problems = Vec::new();
    for e in &manifest.files {
        let p = safe_join(src, &e.path)
            .filter(|_| is_evidence(&e.path))
            .ok_or_else(|| {
                bad(
                    &mpath,
                    format!("{}: not an evidence file of a kyso store", e.path),
                )
            })?;
        match fs::read(&p) {
            Ok(d) if d.len() as u64 == e.size && hex::encode(sha256(&d)) == e.sha256 => {
                let is_blob = e.path.starts_with("blobs/");
                if is_blob && !e.path.ends_with(&format!("{}.pdf", e.sha256)) {
                    problems.push(format!("{}: does not hash to its name", e.path));
                }
            }
            Ok(_) => problems.push(format!("{}: differs from the manifest", e.path)),
            Err(err) => problems.push(format!("{}: {err}", e.path)),
        }
    }
    if !problems.is_empty() {
        return Err(bad(
            src,
            format!(
                "the backup is damaged, nothing restored: {}",
                problems.join("; ")
            ),
        ));
    }
    if data_dir.join("VERSION").exists() || data_dir.join("blobs").exists() {
        return Err(bad(
            data_dir,
            "the data directory already holds a store; restore into a new or empty directory"
                .into(),
        ));
    }
    empty_target(data_dir)?;
    // Copy into a staging directory beside it, check every copy against the manifest, make it
    // durable, and only then give it the data directory's name: a failure half-way leaves no
    // half store behind, and a file changed on the backup medium after the check is caught.
    let staging = staging_dir(data_dir);
    let result = copy_checked(src, &staging, &manifest).and_then(|()| {
        FsSync::open(&staging)?.sync()?;
        fs::remove_dir(data_dir).map_err(io(data_dir))?;
        fs::rename(&staging, data_dir).map_err(io(data_dir))?;
        match data_dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => super::layout::fsync_dir(parent),
            _ => Ok(()),
        }
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result.map(|()| manifest)
}

fn staging_dir(data_dir: &Path) -> PathBuf {
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    data_dir.with_file_name(format!(".{name}.restoring-{}", std::process::id()))
}

/// Copy every file of the manifest into `dest`, then hash the copy: it must be what the
/// manifest says.
fn copy_checked(src: &Path, dest: &Path, manifest: &Manifest) -> Result<(), StoreError> {
    let _ = fs::remove_dir_all(dest);
    for e in &manifest.files {
        let (Some(from), Some(to)) = (safe_join(src, &e.path), safe_join(dest, &e.path)) else {
            return Err(bad(src, format!("unsafe path {}", e.path)));
        };
        copy(&from, &to)?;
        let data = fs::read(&to).map_err(io(&to))?;
        if data.len() as u64 != e.size || hex::encode(sha256(&data)) != e.sha256 {
            return Err(bad(&from, "changed while it was being restored".into()));
        }
    }
    Ok(())
}

/// The paths a backup may hold: the evidence files, nothing else.
fn is_evidence(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let hex_name = |f: &str, ext: &str| {
        f.strip_suffix(ext)
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let json_name = |f: &str| f.ends_with(".json") && f.len() > 5 && !f.starts_with('.');
    match parts.as_slice() {
        ["VERSION"] => true,
        ["blobs", shard, f] => shard.len() == 2 && hex_name(f, ".pdf"),
        ["submissions", shard, f] => shard.len() == 2 && hex_name(f, ".json"),
        ["registry", "units" | "leaders", f] | ["periods" | "users", f] if json_name(f) => true,
        ["periods", f] => {
            (f.ends_with(".xlsx") || f.ends_with(".csv"))
                && !f.starts_with('.')
                && f.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
        }
        ["registry", "audit.jsonl" | "settings.json"] | ["reminders", "sent.jsonl"] => true,
        _ => false,
    }
}

/// `base/rel` when `rel` is a plain relative path (no `..`, not absolute).
fn safe_join(base: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    let plain = p
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    plain.then(|| base.join(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_only_evidence_files() {
        let h = "ab".repeat(32);
        for ok in [
            "VERSION".to_string(),
            format!("blobs/ab/{h}.pdf"),
            format!("submissions/ab/{h}.json"),
            "registry/units/ubnd-huong-xuan.json".into(),
            "periods/2026-Q1.json".into(),
        ] {
            assert!(is_evidence(&ok), "{ok}");
        }
        for bad in [
            "foo/bar",
            "index/db",
            "blobs/ab/x.pdf",
            "../VERSION",
            "registry/units/.json",
            "tmp/x.json",
        ] {
            assert!(!is_evidence(bad), "{bad}");
        }
    }
}

impl Store {
    /// Copy the evidence into the empty directory `dest` (`kyso store backup`).
    pub fn backup(
        &self,
        dest: &Path,
        now: time::OffsetDateTime,
        key: &BackupKey,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Manifest, StoreError> {
        backup(&self.inner.layout, dest, now, key, progress)
    }

    /// Check the backup at `src`, copy it into the new or empty `data_dir`, and open it there
    /// (the index is rebuilt from the files) (`kyso store restore`).
    pub fn restore(
        src: &Path,
        data_dir: &Path,
        seal: Seal,
    ) -> Result<(Store, Manifest), StoreError> {
        let manifest = restore(src, data_dir, seal)?;
        Ok((Store::open(data_dir)?, manifest))
    }
}
