//! Where things live in the data directory, and the file operations the durability protocol
//! is made of. Every result is checked: a write that fails is an error, never a short file.

use super::error::{io, StoreError};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The steps of the commit protocol, for the test-only fault hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Writing an upload's bytes to `tmp/` (the intake).
    Intake,
    /// Writing a blob under `blobs/`.
    Blob,
    /// Writing a submission record under `submissions/`.
    Record,
    /// The batch's sync to disk.
    Sync,
    /// Writing the batch to the index.
    Index,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub dir: PathBuf,
}

impl Layout {
    pub fn tmp(&self, name: &str) -> PathBuf {
        self.dir.join("tmp").join(name)
    }

    fn sharded(&self, kind: &str, id: &str, ext: &str) -> PathBuf {
        let shard = id.get(..2).unwrap_or("__");
        self.dir.join(kind).join(shard).join(format!("{id}.{ext}"))
    }

    pub fn blob(&self, id: &str) -> PathBuf {
        self.sharded("blobs", id, "pdf")
    }

    pub fn record(&self, id: &str) -> PathBuf {
        self.sharded("submissions", id, "json")
    }

    pub fn quarantine(&self) -> PathBuf {
        self.dir.join("quarantine")
    }

    /// A fresh name in `tmp/`.
    pub fn fresh_tmp(&self, prefix: &str) -> PathBuf {
        self.tmp(&format!("{prefix}-{}-{}", std::process::id(), unique()))
    }
}

/// A process-unique counter for temporary names.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Make a directory entry durable (fsync(2) on the directory).
pub fn fsync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Write `data` to a new file `tmp`, then move it to `target` (not synced: the batch's
/// [`sync_filesystem`] or the caller's fsync makes it durable).
pub fn write_then_rename(tmp: &Path, target: &Path, data: &[u8]) -> Result<(), StoreError> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let result = File::create(tmp)
        .and_then(|mut f| f.write_all(data).and_then(|()| f.flush()))
        .map_err(io(tmp));
    if let Err(e) = result {
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    fs::rename(tmp, target).map_err(|e| {
        let _ = fs::remove_file(tmp);
        io(target)(e)
    })
}

/// Write `data` to `target` atomically and durably (temp file, fsync, rename, fsync dir).
pub fn write_durably(tmp: &Path, target: &Path, data: &[u8]) -> Result<(), StoreError> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let result = File::create(tmp)
        .and_then(|mut f| f.write_all(data).and_then(|()| f.sync_all()))
        .map_err(io(tmp));
    if let Err(e) = result {
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    fs::rename(tmp, target).map_err(io(target))?;
    fsync_dir(target.parent().unwrap_or(tmp))
}

/// syncfs(2): every file and directory entry written on the data directory's file system
/// reaches the disk, with one call for a whole batch. Since Linux 5.8 it reports a write-back
/// error that happened since the descriptor was opened, which is why it is opened here, before
/// the batch's writes would matter.
pub struct FsSync(File, PathBuf);

impl FsSync {
    pub fn open(dir: &Path) -> Result<FsSync, StoreError> {
        Ok(FsSync(File::open(dir).map_err(io(dir))?, dir.to_path_buf()))
    }

    pub fn sync(&self) -> Result<(), StoreError> {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs only reads the descriptor, which `self.0` keeps open.
        let rc = unsafe { libc::syncfs(self.0.as_raw_fd()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(StoreError::Io {
                path: self.1.clone(),
                source: std::io::Error::last_os_error(),
            })
        }
    }
}

/// Remove a file that may not exist.
pub fn remove_if_present(p: &Path) -> Result<(), StoreError> {
    match fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(p)(e)),
    }
}
