//! What reading one document has cost so far, charged as it is spent, against its [`Budget`].
//!
//! Once a limit is reached the meter stays exhausted: every later read fails with the same
//! budget error, so a caller that turns read errors into findings (an unreadable object, a
//! disallowed change) cannot go on working, and the pipeline reports `budget_exceeded`.

use super::PdfError;
use crate::budget::Budget;
use std::cell::{Cell, RefCell};
use std::time::Duration;

pub struct Meter {
    budget: Budget,
    file_len: u64,
    scanned: Cell<u64>,
    inflated: Cell<u64>,
    objects: Cell<u64>,
    repairs: Cell<usize>,
    validation_bytes: Cell<u64>,
    validation_items: Cell<u64>,
    crl_entries: Cell<u64>,
    charges: Cell<u32>,
    cpu_start: Option<Duration>,
    exhausted: RefCell<Option<PdfError>>,
}

/// CPU time used by the calling thread (POSIX `CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own and reads nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

impl Meter {
    pub fn new(budget: Budget, file_len: usize) -> Self {
        Meter {
            budget,
            file_len: file_len as u64,
            scanned: Cell::new(0),
            inflated: Cell::new(0),
            objects: Cell::new(0),
            repairs: Cell::new(0),
            validation_bytes: Cell::new(0),
            validation_items: Cell::new(0),
            crl_entries: Cell::new(0),
            charges: Cell::new(0),
            cpu_start: budget.max_cpu.and_then(|_| thread_cpu_time()),
            exhausted: RefCell::new(None),
        }
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The budget error that stopped the reading, if one did.
    pub fn exhausted(&self) -> Option<PdfError> {
        self.exhausted.borrow().clone()
    }

    /// Fail now if an earlier charge exhausted the budget.
    pub fn check(&self) -> Result<(), PdfError> {
        match &*self.exhausted.borrow() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn exceed(&self, what: &'static str, limit: u64) -> PdfError {
        let e = PdfError::Budget { what, limit };
        self.exhausted.borrow_mut().get_or_insert(e.clone());
        e
    }

    /// Bytes the parser went over (object syntax, searches for a keyword).
    pub fn scan(&self, n: usize) -> Result<(), PdfError> {
        self.check()?;
        let total = self.scanned.get().saturating_add(n as u64);
        self.scanned.set(total);
        let base = self.file_len.saturating_add(self.inflated.get());
        let limit = base
            .saturating_mul(self.budget.scan_factor)
            .max(self.budget.min_scan_bytes);
        if total > limit {
            return Err(self.exceed("parsing work (bytes read)", limit));
        }
        self.tick()
    }

    /// Bytes produced by decompression (the whole document's total).
    pub fn inflate(&self, n: usize) -> Result<(), PdfError> {
        self.check()?;
        let total = self.inflated.get().saturating_add(n as u64);
        self.inflated.set(total);
        if total > self.budget.max_inflated_bytes {
            return Err(self.exceed("decompressed bytes", self.budget.max_inflated_bytes));
        }
        Ok(())
    }

    /// How many more bytes decompression may still produce.
    pub fn inflate_left(&self) -> u64 {
        self.budget
            .max_inflated_bytes
            .saturating_sub(self.inflated.get())
            .min(self.budget.max_stream_bytes)
    }

    /// Xref entries read (all sections together).
    pub fn objects(&self, n: usize) -> Result<(), PdfError> {
        self.check()?;
        let total = self.objects.get().saturating_add(n as u64);
        self.objects.set(total);
        if total > self.budget.max_objects as u64 {
            return Err(self.exceed("objects", self.budget.max_objects as u64));
        }
        Ok(())
    }

    /// One repair of a damaged structure (an object away from its offset, a wrong /Length).
    pub fn repair(&self) -> Result<(), PdfError> {
        self.check()?;
        let n = self.repairs.get() + 1;
        self.repairs.set(n);
        if n > self.budget.max_repairs {
            return Err(self.exceed(
                "repairs of damaged structure",
                self.budget.max_repairs as u64,
            ));
        }
        Ok(())
    }

    /// One certificate, CRL, OCSP response or timestamp token of `n` bytes decoded from the
    /// document (its `/DSS` or a signature's CMS), before it is parsed.
    pub fn validation_data(&self, n: usize) -> Result<(), PdfError> {
        self.validation_items(1)?;
        let total = self.validation_bytes.get().saturating_add(n as u64);
        self.validation_bytes.set(total);
        if total > self.budget.max_validation_bytes {
            return Err(self.validation_spent());
        }
        self.check_time()
    }

    /// `n` more items of validation data (the certificates an OCSP response carries).
    pub fn validation_items(&self, n: usize) -> Result<(), PdfError> {
        self.check()?;
        let total = self.validation_items.get().saturating_add(n as u64);
        self.validation_items.set(total);
        let max = self.budget.max_validation_items as u64;
        if total > max {
            return Err(self.exceed("validation data (certificates, CRLs, OCSP)", max));
        }
        Ok(())
    }

    /// The validation-data budget, spent (a `/DSS` stream decoded beyond what is left of it).
    pub fn validation_spent(&self) -> PdfError {
        let max = self.budget.max_validation_bytes;
        self.exceed("validation data (bytes of certificates, CRLs, OCSP)", max)
    }

    /// How many more bytes of validation data the document may decode.
    pub fn validation_left(&self) -> u64 {
        self.budget
            .max_validation_bytes
            .saturating_sub(self.validation_bytes.get())
    }

    /// `n` more CRL entries read; the CPU time is looked at too (a CRL is read in one go).
    pub fn crl_entries(&self, n: usize) -> Result<(), PdfError> {
        self.check()?;
        let total = self.crl_entries.get().saturating_add(n as u64);
        self.crl_entries.set(total);
        let max = self.budget.max_crl_entries;
        if total > max {
            return Err(self.exceed("CRL entries", max));
        }
        self.check_time()
    }

    /// The CPU-time limit, looked at every few charges (reading the clock costs a system call).
    pub fn tick(&self) -> Result<(), PdfError> {
        let c = self.charges.get().wrapping_add(1);
        self.charges.set(c);
        if c % 64 == 0 {
            self.check_time()?;
        }
        Ok(())
    }

    /// The CPU-time limit, looked at now.
    pub fn check_time(&self) -> Result<(), PdfError> {
        self.check()?;
        let (Some(max), Some(start)) = (self.budget.max_cpu, self.cpu_start) else {
            return Ok(());
        };
        if let Some(now) = thread_cpu_time() {
            if now.saturating_sub(start) > max {
                return Err(self.exceed("CPU time (ms)", max.as_millis() as u64));
            }
        }
        Ok(())
    }
}
