//! Online revocation (RFC 6960) without letting a file choose what kyso fetches, or how long a
//! verification waits: the file is verified once with what is known (the cache answers); the
//! responders of the certificates whose chain vouches for its addresses
//! (`crate::net::policy::vouched`) are then asked, outside any verification slot and within
//! one deadline; if anything was learnt, the file is verified again with those answers.

use crate::net::ca_issuers::IssuerSession;
use crate::net::ocsp_fetch::{OcspClient, Session};
use crate::net::policy::vouched;
use kyso_verify::pki::{Cert, TrustStore};
use kyso_verify::report::Report;
use kyso_verify::verify::{self, Options, VerifyError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// What one verification pass may ask beyond the trust store: the OCSP responders and the
/// caIssuers addresses (`crate::net::ca_issuers`), each through a session (the cache, or noted
/// for later).
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    pub ocsp: Option<Arc<Session>>,
    pub issuers: Option<Arc<IssuerSession>>,
}

/// One verification of `bytes` whose questions are answered by `sessions`.
pub fn pass(
    bytes: &[u8],
    sha256: Option<[u8; 32]>,
    trust: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    sessions: &Sessions,
) -> Result<Report, VerifyError> {
    let mut online = trust.clone();
    if let Some(s) = &sessions.ocsp {
        online.online = Some(s.clone());
    }
    if let Some(s) = &sessions.issuers {
        online.issuers = Some(s.clone());
    }
    match sha256 {
        Some(d) => verify::verify_hashed(bytes, d, &online, opts, at),
        None => verify::verify(bytes, &online, opts, at),
    }
}

/// The questions of a collecting session worth asking: those about a certificate in the chain
/// of a signature that vouches for its addresses.
pub fn worth_asking(report: &Report, wanted: Vec<(Cert, Cert)>) -> Vec<(Cert, Cert)> {
    let vouched_certs: Vec<&String> = report
        .signatures
        .iter()
        .filter(|s| vouched(s))
        .flat_map(|s| s.chain.iter())
        .collect();
    wanted
        .into_iter()
        .filter(|(c, _)| vouched_certs.contains(&&c.sha256_hex()))
        .collect()
}

/// [`pass`], asking the responders in between (the command line: no slots to give back).
/// The report and the DER of every answer it used.
pub fn verify_online(
    bytes: &[u8],
    trust: &TrustStore,
    opts: &Options,
    at: OffsetDateTime,
    client: &Arc<OcspClient>,
    within: Duration,
) -> Result<(Report, Vec<Vec<u8>>), VerifyError> {
    let deadline = Instant::now() + within;
    let first = client.collecting();
    let sessions = Sessions {
        ocsp: Some(first.clone()),
        issuers: None,
    };
    let report = pass(bytes, None, trust, opts, at, &sessions)?;
    let ask = worth_asking(&report, first.wanted());
    if ask.is_empty() || client.fetch_all(&ask, deadline) == 0 {
        return Ok((report, first.used()));
    }
    let second = client.cached_only();
    let sessions = Sessions {
        ocsp: Some(second.clone()),
        issuers: None,
    };
    let report = pass(bytes, None, trust, opts, at, &sessions)?;
    Ok((report, second.used()))
}
