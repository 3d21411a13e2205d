//! kyso-verify: the signatures of a PDF file checked against a trust store, a policy and a
//! validation time, turned into a [`report::Report`] (ETSI EN 319 102-1 indications, ISO 32000-2
//! signature fields, RFC 5652 CMS, RFC 5280 paths).
//!
//! This crate does no I/O of its own: no file system, no network, no environment, no wall
//! clock. Trust ([`pki::TrustStore`]), policy ([`verify::Options`]) and time are arguments; an
//! online OCSP client can be injected through [`pki::OnlineOcsp`]. The only clock read is the
//! thread's CPU time, which the per-document CPU budget counts ([`budget::Budget`]).
//!
//! ```no_run
//! let bytes = std::fs::read("signed.pdf").unwrap();
//! let trust = kyso_verify::pki::TrustStore::default();
//! let at = time::OffsetDateTime::now_utc();
//! let report = kyso_verify::verify::verify(&bytes, &trust, &Default::default(), at);
//! ```

#![deny(missing_docs)]

pub mod budget;
pub mod cms;
mod codes;
pub(crate) mod der;
pub mod pdf;
pub mod pki;
pub mod report;
pub mod verify;
