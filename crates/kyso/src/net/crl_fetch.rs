//! The CRL lifecycle: download the CRLs named by the trusted CA certificates (and the BCY pins,
//! and configured extras), verify each against its issuer, keep the newest per issuer, and never
//! replace a CRL with an older one.

use super::policy::{FetchPolicy, MAX_URLS_PER_CERT};
use kyso_verify::pki::{self, crypto, Crl, TrustStore};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A CRL larger than this is refused (BCY's are a few hundred KB).
pub const MAX_CRL_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Outcome {
    /// url -> file written
    pub updated: Vec<(String, String)>,
    /// urls whose CRL was not newer than the one kept
    pub unchanged: Vec<String>,
    /// url -> why it was not used
    pub failed: Vec<(String, String)>,
}

/// The most addresses taken from stored signers' certificates in one refresh.
pub const MAX_HARVESTED: usize = 256;
/// One CRL download's time.
const PER_URL: Duration = Duration::from_secs(15);

/// Every CRL address worth fetching, in the order they are fetched: those the trusted CAs name
/// first (the CRLs that decide every verdict), then `configured` (the pins' and the
/// configuration's), then at most [`MAX_HARVESTED`] of `harvested` (those the stored signers'
/// vouched certificates name), each once; http and https only.
pub fn urls(trust: &TrustStore, configured: &[String], harvested: &[String]) -> Vec<String> {
    let web = |u: &&String| u.starts_with("http://") || u.starts_with("https://");
    let mut out: Vec<String> = Vec::new();
    let mut push = |u: &String| {
        if !out.contains(u) {
            out.push(u.clone());
        }
    };
    for c in trust.anchors.iter().chain(&trust.intermediates) {
        c.crl_urls
            .iter()
            .filter(web)
            .take(MAX_URLS_PER_CERT)
            .for_each(&mut push);
    }
    configured.iter().filter(web).for_each(&mut push);
    harvested
        .iter()
        .filter(web)
        .take(MAX_HARVESTED)
        .for_each(&mut push);
    out
}

fn download(url: &str, policy: &FetchPolicy) -> Result<Vec<u8>, String> {
    policy.check_url(url)?;
    let resp = policy
        .agent(PER_URL)
        .get(url)
        .call()
        .map_err(|e| e.to_string())?;
    if (300..400).contains(&resp.status()) {
        return Err(format!(
            "answered {} (redirects are not followed)",
            resp.status()
        ));
    }
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_CRL_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    if body.len() as u64 > MAX_CRL_BYTES {
        return Err(format!("larger than {MAX_CRL_BYTES} bytes"));
    }
    Ok(body)
}

fn parse(bytes: &[u8]) -> Result<Crl, String> {
    let der = if bytes.starts_with(b"-----BEGIN") {
        pem::parse(bytes)
            .map_err(|e| format!("PEM: {e}"))?
            .into_contents()
    } else {
        bytes.to_vec()
    };
    Crl::from_der(&der).map_err(|e| e.to_string())
}

/// The trusted CA that signed `crl`, if any.
fn issuer_of<'a>(crl: &Crl, trust: &'a TrustStore) -> Option<&'a pki::Cert> {
    trust
        .anchors
        .iter()
        .chain(&trust.intermediates)
        .filter(|c| c.subject_raw == crl.issuer_raw || c.subject.eq_ignore_ascii_case(&crl.issuer))
        .find(|c| crl.signed_by(c))
        .map(|c| c.as_ref())
}

/// Newer: a higher CRL number, else a later thisUpdate.
fn newer(a: &Crl, b: &Crl) -> bool {
    match (&a.number, &b.number) {
        (Some(x), Some(y)) if x != y => {
            let strip = |v: &Vec<u8>| {
                v.iter()
                    .skip_while(|b| **b == 0)
                    .copied()
                    .collect::<Vec<u8>>()
            };
            let (x, y) = (strip(x), strip(y));
            (x.len(), &x) > (y.len(), &y)
        }
        _ => a.this_update > b.this_update,
    }
}

fn file_for(dir: &Path, crl: &Crl) -> PathBuf {
    dir.join(format!(
        "{}.crl",
        &hex::encode(crypto::sha256(&crl.issuer_raw))[..16]
    ))
}

/// Fetch the urls in order under `policy`, keep what is verified and newer; stop once `within`
/// has passed (the rest are reported as not tried). `dir` is created when missing.
pub fn refresh(
    trust: &TrustStore,
    dir: &Path,
    urls: &[String],
    policy: &FetchPolicy,
    within: Duration,
) -> Outcome {
    let mut out = Outcome::default();
    if let Err(e) = std::fs::create_dir_all(dir) {
        out.failed.push((dir.display().to_string(), e.to_string()));
        return out;
    }
    let started = std::time::Instant::now();
    for url in urls {
        if started.elapsed() > within {
            out.failed.push((
                url.clone(),
                "not tried: the refresh ran out of its time".into(),
            ));
            continue;
        }
        let crl = match download(url, policy).and_then(|b| parse(&b).map(|c| (c, b))) {
            Ok(c) => c,
            Err(e) => {
                out.failed.push((url.clone(), e));
                continue;
            }
        };
        let (crl, _) = crl;
        let Some(issuer) = issuer_of(&crl, trust) else {
            out.failed.push((
                url.clone(),
                format!(
                    "no trusted CA \"{}\" whose key verifies this CRL",
                    crl.issuer
                ),
            ));
            continue;
        };
        let path = file_for(dir, &crl);
        let kept = std::fs::read(&path).ok().and_then(|b| parse(&b).ok());
        if kept.as_ref().is_some_and(|k| !newer(&crl, k)) {
            out.unchanged.push(url.clone());
            continue;
        }
        let tmp = path.with_extension("crl.tmp");
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| {
                std::io::Write::write_all(&mut f, &crl.der).and_then(|_| f.sync_all())
            })
            .and_then(|_| std::fs::rename(&tmp, &path))
            .and_then(|_| std::fs::File::open(dir).and_then(|d| d.sync_all()));
        match written {
            Ok(()) => {
                tracing::info!(%url, issuer = %issuer.subject, file = %path.display(), "CRL updated");
                out.updated.push((url.clone(), path.display().to_string()));
            }
            Err(e) => out
                .failed
                .push((url.clone(), format!("cannot write {}: {e}", path.display()))),
        }
    }
    out
}
