//! The CRL lifecycle: download the CRLs named by the trusted CA certificates (and the BCY pins,
//! and configured extras), verify each against its issuer, keep the newest per issuer, and never
//! replace a CRL with an older one.

use kyso_verify::pki::{self, crypto, Crl, TrustStore};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

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

/// Every CRL address worth fetching for this trust store, plus `extra` (configured addresses,
/// those the pins name and those the stored signers' certificates name).
pub fn urls(trust: &TrustStore, extra: &[String]) -> Vec<String> {
    let mut out: BTreeSet<String> = extra.iter().cloned().collect();
    for c in trust.anchors.iter().chain(&trust.intermediates) {
        out.extend(
            c.crl_urls
                .iter()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .cloned(),
        );
    }
    out.into_iter().collect()
}

fn download(url: &str) -> Result<Vec<u8>, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(30))
        .build();
    let resp = agent.get(url).call().map_err(|e| e.to_string())?;
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

/// Fetch every url, keep what is verified and newer. `dir` is created when missing.
pub fn refresh(trust: &TrustStore, dir: &Path, urls: &[String]) -> Outcome {
    let mut out = Outcome::default();
    if let Err(e) = std::fs::create_dir_all(dir) {
        out.failed.push((dir.display().to_string(), e.to_string()));
        return out;
    }
    for url in urls {
        let crl = match download(url).and_then(|b| parse(&b).map(|c| (c, b))) {
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
