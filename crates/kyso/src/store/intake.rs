//! The intake: an upload's bytes as the store receives them. Small uploads stay in memory; a
//! large one spills to `tmp/` (fsynced when complete). The SHA-256 is computed over the bytes
//! as they are kept and every write is checked, so the id names exactly the bytes the store
//! holds; each byte is hashed once.

use super::error::{io, StoreError};
use super::faults::Faults;
use super::layout::{Layout, Step};
use sha2::Digest;
use std::fs::{self, File};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Uploads up to this size are kept in memory until they are committed.
pub const MEMORY_LIMIT: usize = 1 << 20;

/// The most bytes all uploads in progress may hold in memory at once: past it, an upload goes
/// to `tmp/` from its first byte, so memory stays bounded however many uploads arrive.
pub const MEMORY_HELD_LIMIT: usize = 64 << 20;

/// Bytes held in memory by one upload, counted in the store's total until dropped.
#[derive(Debug)]
pub(crate) struct Charge {
    held: Arc<AtomicUsize>,
    bytes: usize,
}

impl Charge {
    fn add(&mut self, n: usize) {
        self.held.fetch_add(n, Ordering::Relaxed);
        self.bytes += n;
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.held.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// A file in `tmp/` that is removed unless it was moved into the store.
#[derive(Debug)]
pub(crate) struct TempFile(pub(crate) PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

#[derive(Debug)]
pub(crate) enum Body {
    /// The bytes, and their share of the memory all uploads hold.
    Memory {
        bytes: Arc<Vec<u8>>,
        /// Released when the bytes are.
        _charge: Charge,
    },
    File(TempFile),
}

pub struct Intake {
    layout: Layout,
    faults: Arc<Faults>,
    hasher: sha2::Sha256,
    size: u64,
    memory: Vec<u8>,
    charge: Charge,
    spill: Option<(File, TempFile)>,
}

/// An upload received in full: its id is the SHA-256 of its bytes.
#[derive(Debug)]
pub struct Received {
    pub id: String,
    pub digest: [u8; 32],
    pub size: u64,
    pub(crate) body: Body,
}

impl Intake {
    pub(crate) fn new(layout: Layout, faults: Arc<Faults>, held: Arc<AtomicUsize>) -> Intake {
        Intake {
            layout,
            faults,
            hasher: sha2::Sha256::new(),
            size: 0,
            memory: Vec::new(),
            charge: Charge { held, bytes: 0 },
            spill: None,
        }
    }

    /// Whether `more` bytes would go past this upload's or all uploads' share of memory.
    fn over_memory(&self, more: usize) -> bool {
        self.memory.len() + more > MEMORY_LIMIT
            || self.charge.held.load(Ordering::Relaxed) + more > MEMORY_HELD_LIMIT
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether writing `more` bytes touches the disk (the caller may move off an async worker).
    pub fn writes_to_disk(&self, more: usize) -> bool {
        self.spill.is_some() || self.over_memory(more)
    }

    pub fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        if self.spill.is_none() && self.over_memory(chunk.len()) {
            let tmp = TempFile(self.layout.fresh_tmp("up"));
            let mut f = File::create(&tmp.0).map_err(io(&tmp.0))?;
            self.faults.check(Step::Intake, &tmp.0)?;
            f.write_all(&self.memory).map_err(io(&tmp.0))?;
            self.memory = Vec::new();
            let held = self.charge.held.clone();
            self.charge = Charge { held, bytes: 0 };
            self.spill = Some((f, tmp));
        }
        match &mut self.spill {
            Some((f, tmp)) => {
                self.faults.check(Step::Intake, &tmp.0)?;
                f.write_all(chunk).map_err(io(&tmp.0))?;
            }
            None => {
                self.memory.extend_from_slice(chunk);
                self.charge.add(chunk.len());
            }
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        Ok(())
    }

    /// The upload is complete. A spilled file is flushed and its length checked against what
    /// was hashed.
    pub fn finish(self) -> Result<Received, StoreError> {
        let digest: [u8; 32] = self.hasher.finalize().into();
        let body = match self.spill {
            None => Body::Memory {
                bytes: Arc::new(self.memory),
                _charge: self.charge,
            },
            Some((mut f, tmp)) => {
                // Synced here: the batch's syncfs could miss a write-back error that an
                // earlier batch's syncfs already reported.
                f.flush().and_then(|()| f.sync_data()).map_err(io(&tmp.0))?;
                let len = f.metadata().map_err(io(&tmp.0))?.len();
                if len != self.size {
                    return Err(StoreError::Io {
                        path: tmp.0.clone(),
                        source: std::io::Error::other(format!(
                            "{len} bytes on disk where {} were received",
                            self.size
                        )),
                    });
                }
                Body::File(tmp)
            }
        };
        Ok(Received {
            id: hex::encode(digest),
            digest,
            size: self.size,
            body,
        })
    }
}

impl Received {
    /// The bytes as the store holds them. A spilled upload is read back from disk (its hash was
    /// computed over the checked, synced writes: it is not hashed a second time here).
    pub fn bytes(&self) -> Result<Arc<Vec<u8>>, StoreError> {
        match &self.body {
            Body::Memory { bytes, .. } => Ok(bytes.clone()),
            Body::File(tmp) => {
                let b = fs::read(&tmp.0).map_err(io(&tmp.0))?;
                if b.len() as u64 != self.size {
                    return Err(StoreError::Mismatch {
                        id: self.id.clone(),
                    });
                }
                Ok(Arc::new(b))
            }
        }
    }
}
