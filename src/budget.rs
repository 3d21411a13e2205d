//! Every limit a parse obeys, in one place. Reaching one is a typed result (an error that names
//! the budget, or an `indeterminate` verdict), never a crash or unbounded memory.

/// Limits for verifying one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Incremental updates (xref sections) followed through `/Prev`.
    pub max_revisions: usize,
    /// Objects listed in all xref sections together.
    pub max_objects: usize,
    /// Bytes produced by decompressing streams (object and xref streams), per document.
    pub max_inflated_bytes: u64,
    /// Signature dictionaries per document.
    pub max_signatures: usize,
    /// Decoded bytes of one `/Contents` (the CMS blob).
    pub max_cms_bytes: usize,
    /// Certificates carried in one CMS.
    pub max_certs_per_cms: usize,
    /// Candidate issuer certificates tried while building one path.
    pub max_path_attempts: usize,
    /// Longest certification path (signer to anchor, inclusive).
    pub max_path_len: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_revisions: 256,
            max_objects: 2_000_000,
            max_inflated_bytes: 256 * 1024 * 1024,
            max_signatures: 64,
            max_cms_bytes: 1024 * 1024,
            max_certs_per_cms: 64,
            max_path_attempts: 256,
            max_path_len: 8,
        }
    }
}
