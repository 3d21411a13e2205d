//! What can go wrong in the store, and which of it is a storage fault the client may retry.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index database: {0}")]
    Index(#[from] sled::Error),
    #[error("{path}: corrupt record: {what}")]
    Corrupt { path: PathBuf, what: String },
    #[error("data directory {path} has schema version {found}; this kyso knows version {} (see the README's migration notes)", super::SCHEMA_VERSION)]
    Schema { path: PathBuf, found: String },
    #[error("registry: {0}")]
    Registry(#[from] crate::duty::registry::RegistryError),
    /// The bytes read back are not those received under this id.
    #[error("the bytes read back for {id} are not those received")]
    Mismatch { id: String },
    /// The index is being rebuilt after a storage fault, or the committer has stopped.
    #[error("the store is recovering from a storage fault")]
    Recovering,
    /// Someone else changed what this write was based on (another instance's registry edit).
    #[error("{what}")]
    Conflict { what: String },
    /// The PostgreSQL store is unreachable or refused an operation.
    #[error("database: {what}")]
    Database { what: String },
}

/// A storage fault, as the client is told about it (without paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// No space or quota left: 507.
    NoSpace,
    /// The disk refuses writes (read-only, I/O error) or the index is recovering: 503.
    Unavailable,
}

impl Fault {
    pub fn of_io(e: &std::io::Error) -> Fault {
        match e.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => Fault::NoSpace,
            _ => Fault::Unavailable,
        }
    }
}

impl StoreError {
    /// The storage fault behind this error, if it is one (and not a bug or bad data).
    pub fn fault(&self) -> Option<Fault> {
        match self {
            StoreError::Io { source, .. } => Some(Fault::of_io(source)),
            StoreError::Index(sled::Error::Io(e)) => Some(Fault::of_io(e)),
            StoreError::Index(_) | StoreError::Recovering | StoreError::Database { .. } => {
                Some(Fault::Unavailable)
            }
            _ => None,
        }
    }
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}
