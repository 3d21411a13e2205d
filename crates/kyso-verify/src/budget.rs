//! Every limit a parse obeys, in one place. Reaching one is a typed result (an error that names
//! the budget, or an `indeterminate` verdict), never a crash or unbounded memory.
//!
//! The limits are per document, not per xref section or per object: a file made of many small
//! parts costs no more than one made of a few large ones.

use std::time::Duration;

/// Limits for verifying one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Incremental updates (xref sections) followed through `/Prev`.
    pub max_revisions: usize,
    /// Entries listed in all xref sections of the document together.
    pub max_objects: usize,
    /// Bytes produced by decompressing streams (object, xref and DSS streams), per document.
    pub max_inflated_bytes: u64,
    /// Decoded bytes of any one stream.
    pub max_stream_bytes: u64,
    /// Decoded object streams kept in memory at once (bytes); beyond it the cache is emptied
    /// and a stream needed again is decoded again (charged again to `max_inflated_bytes`).
    pub max_cached_bytes: u64,
    /// Parsing work, as a multiple of the bytes available to parse (the file plus what was
    /// decompressed): every byte may be read a bounded number of times, never once per entry.
    pub scan_factor: u64,
    /// Parsing work always allowed, whatever the file's size.
    pub min_scan_bytes: u64,
    /// Objects found away from their xref offset (or streams whose `/Length` is wrong) that the
    /// reader repairs, as readers do, before it gives up.
    pub max_repairs: usize,
    /// CPU time of the verifying thread for one document (None: unlimited).
    pub max_cpu: Option<Duration>,
    /// Signature dictionaries per document.
    pub max_signatures: usize,
    /// Decoded bytes of one `/Contents` (the CMS blob).
    pub max_cms_bytes: usize,
    /// Certificates carried in one CMS.
    pub max_certs_per_cms: usize,
    /// Bytes of validation data decoded from the document, all together: the DER of the
    /// certificates, CRLs and OCSP responses of its `/DSS` (ETSI EN 319 142-1 §5.4.2) and of
    /// its signatures' CMS (certificates, RevocationInfoChoices, adbe-revocationInfoArchival),
    /// and its timestamp tokens (RFC 3161), each counted every time it is decoded.
    pub max_validation_bytes: u64,
    /// Certificates, CRLs, OCSP responses (with the certificates they carry) and timestamp
    /// tokens decoded from the document, all together, each counted every time it is decoded.
    pub max_validation_items: usize,
    /// Entries (revokedCertificates, RFC 5280 §5.1.2.6) read in all the document's CRLs
    /// together. Entries are read in place, never kept as objects of their own.
    pub max_crl_entries: u64,
    /// Candidate issuer certificates tried while building one path.
    pub max_path_attempts: usize,
    /// Longest certification path (signer to anchor, inclusive).
    pub max_path_len: usize,
    /// Comparisons of a path's names with its CAs' nameConstraints (names × constraints,
    /// summed over the path); beyond it the path is refused (RFC 5280 §6.1.3 (b)-(c) work,
    /// quadratic in a hostile certificate's size).
    pub max_name_constraint_checks: usize,
    /// Problems of one code listed in a report with their objects; the rest are counted.
    pub max_problems_per_code: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_revisions: 256,
            max_objects: 1_000_000,
            max_inflated_bytes: 256 * 1024 * 1024,
            max_stream_bytes: 64 * 1024 * 1024,
            max_cached_bytes: 64 * 1024 * 1024,
            scan_factor: 16,
            min_scan_bytes: 16 * 1024 * 1024,
            max_repairs: 1_000,
            max_cpu: Some(Duration::from_secs(2)),
            max_signatures: 64,
            max_cms_bytes: 1024 * 1024,
            max_certs_per_cms: 64,
            max_validation_bytes: 32 * 1024 * 1024,
            max_validation_items: 2_000,
            max_crl_entries: 1_000_000,
            max_path_attempts: 256,
            max_path_len: 8,
            max_name_constraint_checks: 1 << 18,
            max_problems_per_code: 5,
        }
    }
}
