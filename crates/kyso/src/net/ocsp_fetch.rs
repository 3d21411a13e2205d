//! Online revocation (RFC 6960): an OCSP request to the responder a certificate names in its
//! authorityInfoAccess, with a fresh nonce (RFC 8954), bounded in time and size. Answers are
//! cached until their nextUpdate; every answer used for a verification is kept (DER) so the
//! service can store it with the submission and re-verification never needs the network.
//! The answer's signature is checked by `pki` where it is used, like an embedded one.
//!
//! The service asks in two steps, so that waiting on a responder never holds a verification
//! slot: a *collecting* session answers the verifier from the cache and notes what it would
//! have asked; the service then asks for those outside the slot, within one deadline, only for
//! certificates whose chain vouches for their addresses (`super::policy::vouched`), and
//! verifies again with a *cache-only* session. The command line asks at once.

use super::policy::{FetchPolicy, MAX_URLS_PER_CERT};
use kyso_verify::pki::crypto::DigestAlg;
use kyso_verify::pki::ocsp::{self, OcspResponse};
use kyso_verify::pki::{Cert, OnlineOcsp};
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// (issuer certificate's SHA-256, the certificate's serial).
type CacheKey = (Vec<u8>, Vec<u8>);

/// The largest answer read (real ones are a few KiB).
const MAX_RESPONSE: u64 = 1 << 20;
/// An answer without our nonce is taken only if produced this recently (some responders
/// pre-produce answers and do not echo nonces).
const FRESH_WITHOUT_NONCE: time::Duration = time::Duration::minutes(10);

/// The shared client: HTTP settings and the cache.
#[derive(Debug)]
pub struct OcspClient {
    timeout: Duration,
    policy: FetchPolicy,
    cache: Mutex<HashMap<CacheKey, Cached>>,
    /// Responders that just failed, skipped until the time given: an unreachable responder
    /// costs one timeout a minute, not one per upload. At most [`MAX_DOWN`] are remembered.
    down: Mutex<HashMap<String, OffsetDateTime>>,
}

/// The most failed responders remembered (a flood of made-up addresses forgets the oldest).
const MAX_DOWN: usize = 1024;
/// The most answers cached (an answer is a few KiB).
const MAX_CACHED: usize = 4096;

/// The longest an answer is reused.
const CACHE_AT_MOST: time::Duration = time::Duration::minutes(5);

/// How long a failed responder is left alone.
const RETRY_AFTER: time::Duration = time::Duration::seconds(60);

#[derive(Debug, Clone)]
struct Cached {
    response: Arc<OcspResponse>,
    der: Vec<u8>,
    until: OffsetDateTime,
}

impl OcspClient {
    pub fn new(timeout: Duration, policy: FetchPolicy) -> Arc<OcspClient> {
        Arc::new(OcspClient {
            timeout,
            policy,
            cache: Mutex::new(HashMap::new()),
            down: Mutex::new(HashMap::new()),
        })
    }

    /// A session that asks the responders at once (the command line).
    pub fn session(self: &Arc<Self>) -> Arc<Session> {
        self.session_in(Mode::Ask)
    }

    /// A session that answers from the cache and notes what it would have asked
    /// ([`Session::wanted`]).
    pub fn collecting(self: &Arc<Self>) -> Arc<Session> {
        self.session_in(Mode::Collect)
    }

    /// A session that answers from the cache only.
    pub fn cached_only(self: &Arc<Self>) -> Arc<Session> {
        self.session_in(Mode::CacheOnly)
    }

    fn session_in(self: &Arc<Self>, mode: Mode) -> Arc<Session> {
        Arc::new(Session {
            client: self.clone(),
            used: Mutex::new(Vec::new()),
            mode,
            wanted: Mutex::new(Vec::new()),
        })
    }

    /// Ask the responders for `wanted` (certificate and issuer pairs), one after the other,
    /// until `deadline`; the answers whose signature checks are cached. How many were.
    pub fn fetch_all(&self, wanted: &[(Cert, Cert)], deadline: std::time::Instant) -> usize {
        let mut got = 0;
        for (cert, issuer) in wanted {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            let key = (issuer.sha256.to_vec(), cert.serial_key.clone());
            if self.cached(&key).is_some() {
                continue;
            }
            if let Some(c) = self.ask(cert, issuer, left.min(self.timeout)) {
                if c.response.status_of(cert, issuer).is_some() {
                    self.remember(key, c);
                    got += 1;
                } else {
                    tracing::warn!(subject = %cert.subject, "OCSP: the answer is not signed by the issuer or its responder");
                }
            }
        }
        got
    }

    fn cached(&self, key: &CacheKey) -> Option<Cached> {
        let now = OffsetDateTime::now_utc();
        let cache = self.cache.lock().ok()?;
        cache.get(key).filter(|c| now < c.until).cloned()
    }

    /// Keep an answer whose signature was checked, dropping the expired ones.
    fn remember(&self, key: CacheKey, c: Cached) {
        let now = OffsetDateTime::now_utc();
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|_, v| now < v.until);
            if cache.len() < MAX_CACHED {
                cache.insert(key, c);
            }
        }
    }

    fn rest(&self, url: &str, until: OffsetDateTime) {
        if let Ok(mut d) = self.down.lock() {
            let now = OffsetDateTime::now_utc();
            d.retain(|_, t| *t > now);
            if d.len() >= MAX_DOWN {
                let soonest = d.iter().min_by_key(|(_, t)| **t).map(|(u, _)| u.clone());
                if let Some(u) = soonest {
                    d.remove(&u);
                }
            }
            d.insert(url.to_string(), until);
        }
    }

    /// Ask the first [`MAX_URLS_PER_CERT`] responders of `cert` in turn, each within
    /// `timeout`; the first usable answer wins.
    fn ask(&self, cert: &Cert, issuer: &Cert, timeout: Duration) -> Option<Cached> {
        let (request, nonce) = request(cert, issuer)?;
        let now = OffsetDateTime::now_utc();
        let urls = cert
            .ocsp_urls
            .iter()
            .filter(|u| u.starts_with("http://"))
            .take(MAX_URLS_PER_CERT);
        for url in urls {
            let resting = self.down.lock().ok().and_then(|d| d.get(url).copied());
            if resting.is_some_and(|until| now < until) {
                continue;
            }
            let answer = self
                .policy
                .check_url(url)
                .and_then(|()| self.post(url, &request, timeout))
                .and_then(|der| accept(der, &nonce));
            match answer {
                Ok(c) => return Some(c),
                Err(why) => {
                    tracing::warn!(%url, subject = %cert.subject, "OCSP: {why}");
                    self.rest(url, now + RETRY_AFTER);
                }
            }
        }
        None
    }

    fn post(&self, url: &str, body: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        let resp = self
            .policy
            .agent(timeout)
            .post(url)
            .set("Content-Type", "application/ocsp-request")
            .send_bytes(body)
            .map_err(|e| format!("request failed: {e}"))?;
        let mut der = Vec::new();
        resp.into_reader()
            .take(MAX_RESPONSE + 1)
            .read_to_end(&mut der)
            .map_err(|e| format!("reading the answer: {e}"))?;
        if der.len() as u64 > MAX_RESPONSE {
            return Err("the answer is larger than 1 MiB".into());
        }
        Ok(der)
    }
}

/// Parse an answer and check its nonce (or, without one, its freshness).
fn accept(der: Vec<u8>, nonce: &[u8]) -> Result<Cached, String> {
    let response = ocsp::parse(&der)?;
    let now = OffsetDateTime::now_utc();
    match &response.nonce {
        Some(n) if n == nonce => {}
        Some(_) => return Err("the answer carries another request's nonce (replayed?)".into()),
        None => {
            let fresh = response
                .responses
                .iter()
                .all(|r| r.this_update + FRESH_WITHOUT_NONCE >= now);
            if !fresh {
                return Err("the answer has no nonce and was not produced just now".into());
            }
        }
    }
    // Reused for at most five minutes, however far its nextUpdate: a revocation the responder
    // learns of is seen within minutes.
    let until = response
        .responses
        .iter()
        .filter_map(|r| r.next_update)
        .min()
        .unwrap_or(now)
        .min(now + CACHE_AT_MOST);
    Ok(Cached {
        response: Arc::new(response),
        der,
        until,
    })
}

/// DER: a TLV with a short or long length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The OCSPRequest for `cert` (RFC 6960 §4.1.1): one CertID with SHA-1 hashes of the issuer's
/// name and key, and a 16-byte nonce extension. Returns the DER and the nonce.
fn request(cert: &Cert, issuer: &Cert) -> Option<(Vec<u8>, Vec<u8>)> {
    const SHA1: &[u8] = &[0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00];
    const NONCE: &[u8] = &[
        0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02,
    ];
    let key = ocsp::key_bits(issuer)?;
    let mut nonce = vec![0u8; 16];
    getrandom::getrandom(&mut nonce).ok()?;
    let cert_id = tlv(
        0x30,
        &[
            tlv(0x30, SHA1),
            tlv(0x04, &DigestAlg::Sha1.hash(&[&issuer.subject_raw])),
            tlv(0x04, &DigestAlg::Sha1.hash(&[&key])),
            tlv(0x02, &cert.serial_key),
        ]
        .concat(),
    );
    let request_list = tlv(0x30, &tlv(0x30, &cert_id));
    let nonce_ext = tlv(0x30, &[NONCE, &tlv(0x04, &tlv(0x04, &nonce))].concat());
    let extensions = tlv(0xa2, &tlv(0x30, &nonce_ext));
    let tbs = tlv(0x30, &[request_list, extensions].concat());
    Some((tlv(0x30, &tbs), nonce))
}

/// How a session answers the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// From the cache, else from the responders at once.
    Ask,
    /// From the cache, else nothing, noting the pair for [`OcspClient::fetch_all`].
    Collect,
    /// From the cache only.
    CacheOnly,
}

/// One verification's view of the client: answers it used are kept for the submission.
#[derive(Debug)]
pub struct Session {
    client: Arc<OcspClient>,
    used: Mutex<Vec<Vec<u8>>>,
    mode: Mode,
    wanted: Mutex<Vec<(Cert, Cert)>>,
}

impl Session {
    /// The DER of every answer used, once each.
    pub fn used(&self) -> Vec<Vec<u8>> {
        self.used.lock().map(|u| u.clone()).unwrap_or_default()
    }

    /// What a collecting session would have asked: (certificate, issuer) pairs, each once.
    pub fn wanted(&self) -> Vec<(Cert, Cert)> {
        self.wanted.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

impl OnlineOcsp for Session {
    fn fetch(&self, cert: &Cert, issuer: &Cert) -> Option<Arc<OcspResponse>> {
        let key = (issuer.sha256.to_vec(), cert.serial_key.clone());
        let got = match (self.client.cached(&key), self.mode) {
            (Some(c), _) => c,
            (None, Mode::CacheOnly) => return None,
            (None, Mode::Collect) => {
                if let Ok(mut w) = self.wanted.lock() {
                    if !w
                        .iter()
                        .any(|(c, i)| c.sha256 == cert.sha256 && i.sha256 == issuer.sha256)
                    {
                        w.push((cert.clone(), issuer.clone()));
                    }
                }
                return None;
            }
            (None, Mode::Ask) => {
                let c = self.client.ask(cert, issuer, self.client.timeout)?;
                // Only an answer the CA (or its delegated responder) signed is kept: a forged
                // one must not stand in the cache in place of the responder.
                if c.response.status_of(cert, issuer).is_none() {
                    tracing::warn!(subject = %cert.subject, "OCSP: the answer is not signed by the issuer or its responder");
                    return None;
                }
                self.client.remember(key, c.clone());
                c
            }
        };
        if let Ok(mut used) = self.used.lock() {
            if !used.contains(&got.der) {
                used.push(got.der.clone());
            }
        }
        Some(got.response)
    }
}
