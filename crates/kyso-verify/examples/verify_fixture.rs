//! Verify a fixture of this repository with the fixture trust store, as the fixture tests do:
//!
//! ```text
//! cargo run -p kyso-verify --example verify_fixture [NAME]
//! ```
//!
//! `NAME` is a file of `fixtures/pdf` (by default `pyhanko-org-then-leader.pdf`). The verifier
//! reads no file of its own: this example reads the trust files (PEM or DER), the document and
//! the validation time of `fixtures/expected.toml`, and hands the verifier certificates, CRLs,
//! bytes and a time. It prints the verdict, then each signature's indication.

use kyso_verify::pki::{Cert, Crl, TrustStore};
use kyso_verify::report::Report;
use kyso_verify::verify::{verify, Options};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The fixture verified when no name is given.
pub const DEFAULT_FIXTURE: &str = "pyhanko-org-then-leader.pdf";

/// The repository's `fixtures` folder.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The DER of each block of a PEM file (RFC 7468), or the whole file when it is DER.
fn der_blocks(path: &Path) -> Result<Vec<Vec<u8>>, Box<dyn Error>> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN ") {
        return Ok(vec![bytes]);
    }
    let blocks = pem::parse_many(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(blocks.into_iter().map(pem::Pem::into_contents).collect())
}

/// The certificates of a trust file.
fn certificates(path: &Path) -> Result<Vec<Arc<Cert>>, Box<dyn Error>> {
    der_blocks(path)?
        .iter()
        .map(|der| Ok(Arc::new(Cert::from_der(der)?)))
        .collect()
}

/// The fixture trust store: `root.pem` as the anchor, `issuing-ca.pem` as an intermediate, and
/// the CRLs of both (`issuing-ca.crl` is DER, `root.crl` PEM).
pub fn trust_store() -> Result<TrustStore, Box<dyn Error>> {
    let pki = fixtures().join("pki");
    let mut crls = Vec::new();
    for name in ["issuing-ca.crl", "root.crl"] {
        for der in der_blocks(&pki.join(name))? {
            crls.push(Arc::new(Crl::from_der(&der)?));
        }
    }
    Ok(TrustStore {
        anchors: certificates(&pki.join("root.pem"))?,
        intermediates: certificates(&pki.join("issuing-ca.pem"))?,
        crls,
        ..TrustStore::default()
    })
}

/// The `validation_time` of `fixtures/expected.toml` (RFC 3339).
pub fn validation_time() -> Result<OffsetDateTime, Box<dyn Error>> {
    let table: toml::Table = std::fs::read_to_string(fixtures().join("expected.toml"))?.parse()?;
    let at = table
        .get("validation_time")
        .and_then(toml::Value::as_str)
        .ok_or("fixtures/expected.toml has no validation_time")?;
    Ok(OffsetDateTime::parse(at, &Rfc3339)?)
}

/// The report on `fixtures/pdf/NAME` with the fixture trust store at the fixtures' time.
pub fn verify_fixture(name: &str) -> Result<Report, Box<dyn Error>> {
    let path = fixtures().join("pdf").join(name);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let store = trust_store()?;
    Ok(verify(
        &bytes,
        &store,
        &Options::default(),
        validation_time()?,
    )?)
}

/// A value of the report as its JSON writes it (`valid`, `TOTAL_PASSED`).
pub fn as_written<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_FIXTURE.to_string());
    let report = verify_fixture(&name)?;
    println!("{name}: {}", as_written(&report.verdict));
    for (i, s) in report.signatures.iter().enumerate() {
        println!(
            "  signature {} ({}): {}",
            i + 1,
            s.field.as_deref().unwrap_or("no field name"),
            as_written(&s.indication)
        );
    }
    Ok(())
}
