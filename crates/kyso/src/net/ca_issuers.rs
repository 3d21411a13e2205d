//! The issuer a signature lacks, from where its certificate says it is published
//! (authorityInfoAccess id-ad-caIssuers, RFC 5280 §4.2.2.1): BCY signers embed only their own
//! certificate, and a sub-CA the operator did not install (such as "CA phục vụ cho dịch vụ phần
//! mềm G2") would otherwise leave every such signature without a path. What is fetched is only
//! a candidate for path building (the verifier's [`IssuerSource`] port): the path must still
//! end at a configured anchor, so a fetched certificate can complete a chain, never vouch for
//! one.
//!
//! The address comes from a certificate no anchor vouches for yet (that is the point), so it is
//! fetched under stricter rules than OCSP and CRLs (`super::policy`): only when the operator
//! turned it on (`fetch_ca_issuers`) and only from the hosts of `fetch_hosts`, which must then
//! be set; http only, no redirects, public addresses unless allowed, at most
//! [`MAX_URLS_PER_CERT`] addresses of a certificate, [`MAX_BODY`] bytes, within the upload's
//! deadline and outside its verification slot. Like the OCSP client, the service asks in two
//! steps: a *collecting* session answers from the cache and notes the addresses it lacks; they
//! are fetched; a *cache-only* session answers the next pass. Certificates used are kept with
//! the submission, so re-verification never needs the network.

use super::policy::{FetchPolicy, MAX_URLS_PER_CERT};
use kyso_verify::pki::{Cert, IssuerSource};
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest answer read (a certificate is a few KiB; a PEM bundle of a few).
pub const MAX_BODY: u64 = 256 * 1024;
/// The most certificates taken from one answer.
const MAX_CERTS: usize = 8;
/// The most addresses remembered (answers and failures together).
const MAX_CACHED: usize = 1024;
/// How long what an address gave is reused.
const KEEP: Duration = Duration::from_secs(24 * 3600);
/// How long an address that failed is left alone.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The shared client: HTTP settings and what each address gave.
#[derive(Debug)]
pub struct IssuerClient {
    timeout: Duration,
    policy: FetchPolicy,
    cache: Mutex<HashMap<String, Known>>,
}

#[derive(Debug, Clone)]
struct Known {
    /// The CA certificates the address gave (empty: it failed).
    certs: Vec<Arc<Cert>>,
    until: Instant,
}

impl IssuerClient {
    /// A client fetching within `timeout` per address, under `policy` (whose host list must
    /// not be empty: the configuration refuses `fetch_ca_issuers` without `fetch_hosts`).
    pub fn new(timeout: Duration, policy: FetchPolicy) -> Arc<IssuerClient> {
        Arc::new(IssuerClient {
            timeout,
            policy,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A session answering from the cache and noting the addresses it lacks.
    pub fn collecting(self: &Arc<Self>) -> Arc<IssuerSession> {
        self.session(false)
    }

    /// A session answering from the cache only.
    pub fn cached_only(self: &Arc<Self>) -> Arc<IssuerSession> {
        self.session(true)
    }

    fn session(self: &Arc<Self>, cache_only: bool) -> Arc<IssuerSession> {
        Arc::new(IssuerSession {
            client: self.clone(),
            cache_only,
            wanted: Mutex::new(Vec::new()),
            used: Mutex::new(Vec::new()),
        })
    }

    /// Fetch `urls` one after the other until `deadline`; how many gave a CA certificate.
    pub fn fetch_all(&self, urls: &[String], deadline: Instant) -> usize {
        let mut got = 0;
        for url in urls {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if self.known(url).is_some() {
                continue;
            }
            let (certs, keep) = match self.fetch(url, left.min(self.timeout)) {
                Ok(certs) => (certs, KEEP),
                Err(why) => {
                    tracing::warn!(%url, "caIssuers: {why}");
                    (Vec::new(), RETRY_AFTER)
                }
            };
            got += usize::from(!certs.is_empty());
            self.remember(url, certs, keep);
        }
        got
    }

    fn known(&self, url: &str) -> Option<Vec<Arc<Cert>>> {
        let cache = self.cache.lock().ok()?;
        let k = cache.get(url).filter(|k| Instant::now() < k.until)?;
        Some(k.certs.clone())
    }

    fn remember(&self, url: &str, certs: Vec<Arc<Cert>>, keep: Duration) {
        let now = Instant::now();
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|_, k| now < k.until);
            if cache.len() < MAX_CACHED {
                let until = now + keep;
                cache.insert(url.to_string(), Known { certs, until });
            }
        }
    }

    fn fetch(&self, url: &str, timeout: Duration) -> Result<Vec<Arc<Cert>>, String> {
        if !url.starts_with("http://") {
            return Err("only http addresses are fetched (RFC 5280 §4.2.2.1)".into());
        }
        if self.policy.hosts.is_empty() {
            return Err(
                "fetch_hosts is empty: caIssuers are fetched from listed hosts only".into(),
            );
        }
        self.policy.check_url(url)?;
        let resp = self
            .policy
            .agent(timeout)
            .get(url)
            .call()
            .map_err(|e| format!("request failed: {e}"))?;
        if resp.status() != 200 {
            return Err(format!(
                "answered {} (redirects are not followed)",
                resp.status()
            ));
        }
        let mut body = Vec::new();
        resp.into_reader()
            .take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the answer: {e}"))?;
        if body.len() as u64 > MAX_BODY {
            return Err(format!("the answer is larger than {MAX_BODY} bytes"));
        }
        let certs = ca_certificates(&body);
        if certs.is_empty() {
            return Err("no CA certificate in the answer (DER or PEM expected)".into());
        }
        Ok(certs)
    }
}

/// The CA certificates in a caIssuers answer: one DER certificate (RFC 5280 §4.2.2.1's
/// `application/pkix-cert`) or PEM blocks; at most [`MAX_CERTS`]. (A certs-only CMS,
/// `.p7c`, is not read: no BCY address serves one.)
fn ca_certificates(body: &[u8]) -> Vec<Arc<Cert>> {
    let ders: Vec<Vec<u8>> = match Cert::from_der(body) {
        Ok(_) => vec![body.to_vec()],
        Err(_) => pem::parse_many(body)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.tag() == "CERTIFICATE")
            .take(MAX_CERTS)
            .map(|p| p.into_contents())
            .collect(),
    };
    ders.iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .filter(|c| c.is_ca)
        .map(Arc::new)
        .collect()
}

/// One verification's view of the client: the addresses it lacked, and the certificates it
/// gave (kept with the submission).
#[derive(Debug)]
pub struct IssuerSession {
    client: Arc<IssuerClient>,
    cache_only: bool,
    wanted: Mutex<Vec<String>>,
    used: Mutex<Vec<Arc<Cert>>>,
}

impl IssuerSession {
    /// The addresses a collecting session lacked, each once.
    pub fn wanted(&self) -> Vec<String> {
        self.wanted.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// The DER of every certificate given to the verifier, once each.
    pub fn used(&self) -> Vec<Vec<u8>> {
        self.used
            .lock()
            .map(|u| u.iter().map(|c| c.der.clone()).collect())
            .unwrap_or_default()
    }
}

impl IssuerSource for IssuerSession {
    fn issuers_of(&self, cert: &Cert) -> Vec<Arc<Cert>> {
        let mut out: Vec<Arc<Cert>> = Vec::new();
        for url in cert.ca_issuers.iter().take(MAX_URLS_PER_CERT) {
            match self.client.known(url) {
                Some(certs) => out.extend(certs),
                None if !self.cache_only => {
                    if let Ok(mut w) = self.wanted.lock() {
                        if !w.contains(url) {
                            w.push(url.clone());
                        }
                    }
                }
                None => {}
            }
        }
        if let Ok(mut used) = self.used.lock() {
            for c in &out {
                if !used.iter().any(|u| u.sha256 == c.sha256) {
                    used.push(c.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_hosts_and_http() {
        let c = IssuerClient::new(Duration::from_secs(1), FetchPolicy::default());
        let e = c.fetch("http://ca.gov.vn/x.crt", Duration::from_secs(1));
        assert!(e.unwrap_err().contains("fetch_hosts"));
        let c = IssuerClient::new(
            Duration::from_secs(1),
            FetchPolicy {
                allow_private: false,
                hosts: vec!["ca.gov.vn".into()],
            },
        );
        for (url, why) in [
            ("https://ca.gov.vn/x.crt", "only http"),
            ("ldap://ca.gov.vn/x", "only http"),
            ("http://evil.example/x.crt", "not in fetch_hosts"),
        ] {
            let e = c.fetch(url, Duration::from_secs(1)).unwrap_err();
            assert!(e.contains(why), "{url}: {e}");
        }
    }

    #[test]
    fn an_answer_gives_only_ca_certificates() {
        assert!(ca_certificates(b"not a certificate").is_empty());
        assert!(ca_certificates(&[0x30, 0x82, 0xff, 0xff]).is_empty());
    }
}
