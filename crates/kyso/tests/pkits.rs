//! NIST PKITS (Public Key Interoperability Test Suite) through kyso's certificate-path engine:
//! `../shared/corpora/pkits/` (pkits.json names each case's certificates and CRLs and whether
//! the path is valid). Every case of the sections kyso implements must agree; the cases it does
//! not (certificate policies, 4.8–4.12; DSA keys) are listed with the reason, and so is every
//! known difference: a new difference fails the test.

mod common;

use kyso_verify::pki::Policy;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

fn corpus() -> Option<PathBuf> {
    let dir = common::root().join("../shared/corpora/pkits");
    if dir.join("pkits.json").is_file() {
        return Some(dir);
    }
    if std::env::var("KYSO_REQUIRE_CORPORA").is_ok_and(|v| v == "1") {
        panic!("{} is absent and KYSO_REQUIRE_CORPORA=1", dir.display());
    }
    eprintln!("skipped: NIST PKITS is not at {}", dir.display());
    None
}

#[derive(serde::Deserialize)]
struct Case {
    id: String,
    name: String,
    cert: String,
    #[serde(default)]
    other_certs: Vec<String>,
    #[serde(default)]
    crls: Vec<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    params: Option<serde_json::Value>,
}

/// PKITS section of a case id: "40101" is 4.1, "41302" is 4.13.
fn section(id: &str) -> u32 {
    id[1..3].parse().unwrap_or(0)
}

/// Why a case is not run. Sections 4.8–4.12 test certificate-policy processing (RFC 5280
/// §6.1.3 (d)–(f)), which kyso does not implement: BCY certificates carry no policy constraints
/// and signature validation does not depend on them (a documented limit, README "Security
/// model").
fn skipped(c: &Case) -> Option<&'static str> {
    match section(&c.id) {
        8..=12 => Some("certificate policies (RFC 5280 §6.1.3 (d)-(f)) are not implemented"),
        _ if c.params.is_some() => Some("needs initial policy parameters (not implemented)"),
        _ if c.name.contains("dsa") => {
            Some("DSA keys are not supported (BCY issues RSA; FIPS 186-5 retired DSA)")
        }
        _ => None,
    }
}

/// Known differences, each with its reason. Every one is kyso refusing a path PKITS accepts
/// (revocation status unknown), never the other way round.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "41430",
    "the indirect CRL's issuer is itself covered only by the CRL it signs: kyso does not let a key vouch for its own revocation status (fail closed)",
)];

#[test]
fn pkits_agrees_with_the_expected_outcome() {
    let Some(dir) = corpus() else { return };
    let cases: Vec<Case> =
        serde_json::from_slice(&std::fs::read(dir.join("pkits.json")).unwrap()).unwrap();
    let certs = dir.join("certs");
    let crls = dir.join("crls");
    let at = time::macros::datetime!(2022-01-01 00:00 UTC);
    let policy = Policy {
        require_revocation: true,
        min_rsa_bits: 1024,
        ..Policy::default()
    };
    let mut agree = 0;
    let mut skips: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut differences = Vec::new();
    for c in &cases {
        if let Some(why) = skipped(c) {
            skips.entry(why).or_default().push(c.id.clone());
            continue;
        }
        let store = kyso::trust::files::load(
            &[certs.join("TrustAnchorRootCertificate.crt")],
            &c.other_certs
                .iter()
                .map(|f| certs.join(f))
                .collect::<Vec<_>>(),
            // The anchor's own CRL is part of every case (it covers the first CA).
            &std::iter::once("TrustAnchorRootCRL.crl")
                .chain(
                    c.crls
                        .iter()
                        .map(String::as_str)
                        .filter(|f| *f != "TrustAnchorRootCRL.crl"),
                )
                .map(|f| crls.join(f))
                .collect::<Vec<_>>(),
        );
        let outcome = store.and_then(|store| {
            let ee = kyso::trust::files::load_certs(&certs.join(&c.cert))?.remove(0);
            Ok(kyso_verify::verify::verify_certificate(
                &Arc::new(ee),
                &store,
                &policy,
                at,
            ))
        });
        let (passed, why) = match &outcome {
            Ok(r) => (
                r.passed(),
                r.problems
                    .iter()
                    .map(|p| p.code.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Err(e) => (false, format!("load: {e}")),
        };
        let expected_valid = c.error.is_none();
        if passed == expected_valid {
            agree += 1;
        } else {
            differences.push((c.id.clone(), c.name.clone(), expected_valid, why));
        }
    }
    eprintln!(
        "PKITS: {agree} agree, {} differ, {} skipped",
        differences.len(),
        skips.values().map(Vec::len).sum::<usize>()
    );
    for (why, ids) in &skips {
        eprintln!("  skipped ({}): {why}", ids.len());
    }
    let mut unexpected = Vec::new();
    for (id, _, expected_valid, _) in &differences {
        assert!(*expected_valid, "{id}: kyso accepts a path PKITS refuses");
    }
    for (id, name, expected_valid, why) in &differences {
        let known = KNOWN_DIFFERENCES.iter().find(|(k, _)| k == id);
        eprintln!(
            "  {id} {name}: expected {}, kyso {} [{why}]{}",
            if *expected_valid { "valid" } else { "invalid" },
            if *expected_valid { "invalid" } else { "valid" },
            known
                .map(|(_, r)| format!(" (known: {r})"))
                .unwrap_or_default()
        );
        if known.is_none() {
            unexpected.push(id.clone());
        }
    }
    for (id, _) in KNOWN_DIFFERENCES {
        assert!(
            differences.iter().any(|d| &d.0 == id),
            "{id} now agrees: remove it from KNOWN_DIFFERENCES"
        );
    }
    assert!(
        unexpected.is_empty(),
        "differences from PKITS: {unexpected:?}"
    );
}
