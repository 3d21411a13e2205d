//! A test-only fault hook: make one step of the protocol fail with a chosen errno, to prove
//! that a failure at any step leaves either a complete submission or none.

use super::error::StoreError;
use super::layout::Step;
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Faults(Mutex<Option<(Step, i32)>>);

impl Faults {
    pub fn set(&self, fault: Option<(Step, i32)>) {
        if let Ok(mut g) = self.0.lock() {
            *g = fault;
        }
    }

    /// Fail with the injected errno if `step` is the one chosen.
    pub fn check(&self, step: Step, path: &Path) -> Result<(), StoreError> {
        match self.0.lock().ok().and_then(|g| *g) {
            Some((s, errno)) if s == step => Err(StoreError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::from_raw_os_error(errno),
            }),
            _ => Ok(()),
        }
    }
}
