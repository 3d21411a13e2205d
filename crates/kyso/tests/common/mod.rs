//! Shared helpers for the integration tests: fixture paths, the fixture trust store, the table
//! of expected verdicts.
#![allow(dead_code)]

use kyso_verify::pki::TrustStore;
use std::path::PathBuf;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/pdf").join(name)
}

pub fn pki(name: &str) -> PathBuf {
    root().join("fixtures/pki").join(name)
}

/// The arguments every fixture is verified with (see fixtures/expected.toml).
pub fn trust_args() -> Vec<String> {
    vec![
        "--trust".into(),
        pki("root.pem").display().to_string(),
        "--intermediates".into(),
        pki("issuing-ca.pem").display().to_string(),
        "--crl".into(),
        pki("issuing-ca.crl").display().to_string(),
        "--crl".into(),
        pki("root.crl").display().to_string(),
    ]
}

pub fn store() -> TrustStore {
    kyso::trust::files::load(
        &[pki("root.pem")],
        &[pki("issuing-ca.pem")],
        &[pki("issuing-ca.crl"), pki("root.crl")],
    )
    .expect("fixture trust store loads")
}

#[derive(serde::Deserialize, Debug)]
pub struct Expected {
    pub validation_time: String,
    pub file: Vec<ExpectedFile>,
}

#[derive(serde::Deserialize, Debug, Clone)]
pub struct ExpectedFile {
    pub name: String,
    pub verdict: String,
    pub signatures: usize,
    #[serde(default)]
    pub sub_indication: String,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub modifications: Vec<String>,
}

pub fn expected() -> Expected {
    let text =
        std::fs::read_to_string(root().join("fixtures/expected.toml")).expect("expected.toml");
    toml::from_str(&text).expect("expected.toml parses")
}

pub fn validation_time() -> OffsetDateTime {
    OffsetDateTime::parse(&expected().validation_time, &Rfc3339).expect("validation_time")
}

pub fn kyso() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
}
