//! The pinned fingerprints of the BCY CA certificates (`certs/bcy-pins.toml`, compiled in).

use kyso_verify::pki::{Cert, PkiError};
use std::path::Path;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Pin {
    pub file: String,
    pub cn: String,
    pub role: String,
    pub generation: String,
    pub sha256: String,
    pub url: Option<String>,
    pub crl: Option<String>,
}

#[derive(serde::Deserialize)]
struct PinFile {
    pin: Vec<Pin>,
}

const PINS_TOML: &str = include_str!("../../../../certs/bcy-pins.toml");

/// All pins. The file is part of the binary, so a parse failure is a build defect; it is
/// reported as an empty list plus a test that fails (`pins_parse`).
pub fn all() -> Vec<Pin> {
    toml::from_str::<PinFile>(PINS_TOML)
        .map(|f| f.pin)
        .unwrap_or_default()
}

fn common_name(subject: &str) -> Option<&str> {
    // Our subject strings are RFC 4514 with CN first when present.
    subject.split(',').find_map(|p| p.strip_prefix("CN="))
}

/// A certificate whose CN is a pinned BCY CA's must have the pinned fingerprint.
pub fn check(path: &Path, c: &Cert) -> Result<(), PkiError> {
    let Some(cn) = common_name(&c.subject) else {
        return Ok(());
    };
    let found = c.sha256_hex();
    let pins = all();
    let same_cn: Vec<&Pin> = pins.iter().filter(|p| p.cn == cn).collect();
    if same_cn.is_empty()
        || same_cn
            .iter()
            .any(|p| p.sha256.eq_ignore_ascii_case(&found))
    {
        return Ok(());
    }
    Err(PkiError::PinMismatch {
        path: path.to_path_buf(),
        cn: cn.to_string(),
        found,
        pinned: same_cn[0].sha256.clone(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins_parse() {
        let pins = super::all();
        assert_eq!(pins.len(), 9);
        assert!(pins.iter().all(|p| p.sha256.len() == 64));
    }
}

/// The CRLs the pins name for the BCY CAs loaded in `trust` (each CA's CRL, for the
/// certificates below it).
pub fn crls_for(trust: &kyso_verify::pki::TrustStore) -> Vec<String> {
    let loaded: std::collections::BTreeSet<String> = trust
        .anchors
        .iter()
        .chain(&trust.intermediates)
        .map(|c| c.sha256_hex())
        .collect();
    all()
        .into_iter()
        .filter(|p| loaded.contains(&p.sha256))
        .filter_map(|p| p.crl)
        .collect()
}
