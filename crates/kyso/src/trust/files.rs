//! Reading the trust store from files: anchors, intermediates and CRLs as PEM or DER files, or
//! directories of them. `pki` itself never touches the file system; this module is the only
//! place that turns paths into a [`TrustStore`].

use crate::config::Config;
use crate::trust::pins;
use kyso_verify::pki::{Cert, Crl, PkiError, TrustStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const CERT_EXTENSIONS: &[&str] = &["pem", "crt", "cer", "der"];
const CRL_EXTENSIONS: &[&str] = &["crl", "pem", "der"];

/// What a file is expected to hold.
#[derive(Clone, Copy)]
enum Kind {
    Certificate,
    Crl,
}

impl Kind {
    fn pem_label(self) -> &'static str {
        match self {
            Kind::Certificate => "CERTIFICATE",
            Kind::Crl => "X509 CRL",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Kind::Certificate => "an X.509 certificate",
            Kind::Crl => "a CRL",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Certificate => CERT_EXTENSIONS,
            Kind::Crl => CRL_EXTENSIONS,
        }
    }
}

/// A trust store from explicit locations (each a file or a directory); what is left out is
/// logged ([`load_with`]).
pub fn load(
    anchors: &[PathBuf],
    intermediates: &[PathBuf],
    crls: &[PathBuf],
) -> Result<TrustStore, PkiError> {
    load_with(anchors, intermediates, crls, &mut |w| tracing::warn!("{w}"))
}

/// [`load`], telling `warn` about the files of a directory left out (private keys). A
/// directory of anchors holds CA certificates only: a certificate that is not one (a signer's,
/// put there by mistake, would make everything it signed VALID with a chain of one) stops the
/// load with its name; a single certificate is anchored by naming its file.
pub fn load_with(
    anchors: &[PathBuf],
    intermediates: &[PathBuf],
    crls: &[PathBuf],
    warn: &mut dyn FnMut(String),
) -> Result<TrustStore, PkiError> {
    let mut s = TrustStore::default();
    for p in anchors {
        let certs = certs_in(p, warn)?;
        if p.is_dir() {
            if let Some((f, c)) = certs.iter().find(|(_, c)| !c.is_ca) {
                return Err(PkiError::File {
                    path: f.clone(),
                    what: format!(
                        "{} is not a CA certificate (no basicConstraints cA), so it cannot be an anchor in a trust directory; take it out, or name this file alone in `trust` (--trust) to anchor it on purpose",
                        c.subject
                    ),
                });
            }
        }
        s.anchors
            .extend(certs.into_iter().map(|(_, c)| Arc::new(c)));
    }
    for p in intermediates {
        let certs = certs_in(p, warn)?;
        s.intermediates
            .extend(certs.into_iter().map(|(_, c)| Arc::new(c)));
    }
    for p in crls {
        s.crls.extend(load_crls(p)?.into_iter().map(Arc::new));
    }
    Ok(s)
}

/// The configured trust store. Locations that do not exist yet are skipped with a warning:
/// a fresh install has no anchors, and every signature then says so.
pub fn configured(cfg: &Config, warn: &mut dyn FnMut(String)) -> Result<TrustStore, String> {
    let mut existing = |v: &[PathBuf]| -> Vec<PathBuf> {
        let mut out = Vec::new();
        for p in v {
            if p.exists() {
                out.push(p.clone());
            } else {
                warn(format!("configured path {} does not exist", p.display()));
            }
        }
        out
    };
    let anchors = existing(&cfg.trust);
    let inter = existing(&cfg.intermediates);
    let crls = existing(&cfg.crls);
    load_with(&anchors, &inter, &crls, warn).map_err(|e| e.to_string())
}

/// Certificates from a PEM/DER file or a directory of them, each checked against the BCY pins.
pub fn load_certs(path: &Path) -> Result<Vec<Cert>, PkiError> {
    let certs = certs_in(path, &mut |w| tracing::warn!("{w}"))?;
    Ok(certs.into_iter().map(|(_, c)| c).collect())
}

/// [`load_certs`], each with its file; private keys found in a directory are named to `warn`.
fn certs_in(path: &Path, warn: &mut dyn FnMut(String)) -> Result<Vec<(PathBuf, Cert)>, PkiError> {
    if path.is_dir() {
        for key in private_keys(path) {
            warn(format!(
                "{}: a private key, not a certificate: left out (keep keys out of the directories of certificates kyso reads)",
                key.display()
            ));
        }
    }
    let mut out = Vec::new();
    for (f, der) in blocks(path, Kind::Certificate)? {
        let c = Cert::from_der(&der).map_err(|e| not_a(Kind::Certificate, &f, e))?;
        pins::check(&f, &c)?;
        out.push((f, c));
    }
    Ok(out)
}

/// The files of `dir` that hold a private key: by their name (`.key`, `.p12`, `.pfx`, `.p8`)
/// or a PEM private-key block.
fn private_keys(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            matches!(ext.as_str(), "key" | "p12" | "pfx" | "p8")
                || (CERT_EXTENSIONS.contains(&ext.as_str())
                    && std::fs::read(p)
                        .map(|d| d.windows(12).any(|w| w == b"PRIVATE KEY-"))
                        .unwrap_or(false))
        })
        .collect();
    out.sort();
    out
}

/// CRLs from a PEM/DER file or a directory of them (not yet checked against their issuers).
pub fn load_crls(path: &Path) -> Result<Vec<Crl>, PkiError> {
    let mut out = Vec::new();
    for (f, der) in blocks(path, Kind::Crl)? {
        out.push(Crl::from_der(&der).map_err(|e| not_a(Kind::Crl, &f, e))?);
    }
    Ok(out)
}

fn not_a(kind: Kind, path: &Path, e: impl std::fmt::Display) -> PkiError {
    PkiError::File {
        path: path.to_path_buf(),
        what: format!(
            "not {} (expected PEM \"-----BEGIN {}-----\" or DER): {e}",
            kind.words(),
            kind.pem_label()
        ),
    }
}

/// The DER blocks of `kind` in `path`, each with the file it came from. A file named
/// explicitly must hold at least one; in a directory, files of another kind (a key, a CRL
/// beside the certificates) are passed over.
fn blocks(path: &Path, kind: Kind) -> Result<Vec<(PathBuf, Vec<u8>)>, PkiError> {
    let io = |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !path.is_dir() {
        let found = der_blocks(path, kind)?;
        if found.is_empty() {
            return Err(not_a(kind, path, "the PEM file holds none"));
        }
        return Ok(found.into_iter().map(|d| (path.to_path_buf(), d)).collect());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| kind.extensions().contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(der_blocks(&f, kind)?.into_iter().map(|d| (f.clone(), d)));
    }
    Ok(out)
}

/// The DER blocks of a PEM file with the kind's label, or the file itself when it is DER.
fn der_blocks(path: &Path, kind: Kind) -> Result<Vec<Vec<u8>>, PkiError> {
    let data = std::fs::read(path).map_err(|source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if data.starts_with(b"-----") || data.windows(11).any(|w| w == b"-----BEGIN ") {
        let blocks = pem::parse_many(&data).map_err(|e| PkiError::File {
            path: path.to_path_buf(),
            what: format!("PEM: {e}"),
        })?;
        Ok(blocks
            .into_iter()
            .filter(|b| b.tag() == kind.pem_label())
            .map(|b| b.into_contents())
            .collect())
    } else {
        Ok(vec![data])
    }
}
