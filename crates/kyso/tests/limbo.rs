//! C2SP x509-limbo (`../shared/corpora/x509-limbo/limbo.json`, read in place, never copied)
//! through kyso's certificate-path engine, as PKITS is in `pkits.rs`.
//!
//! Inclusion rule: the cases that apply to a document signer. A case is left out when its
//! result is decided by
//! - a peer name: the `webpki::san::` and `webpki::cn::` cases (matching the leaf against the
//!   expected TLS host name or IP address), and the cases whose leaf is refused only for the
//!   syntax of a DNS name nothing constrains (`rfc5280::san::underscore-dns`,
//!   `rfc5280::san::ip-in-dns`) or for a SAN other than the expected peer
//!   (`rfc5280::ca-as-leaf-wrong-san`);
//! - a TLS extended key usage: the case asks for `serverAuth` (`extended_key_usage`), or has the
//!   feature `pedantic-webpki-eku`;
//! - certificate policies: the feature `has-policy-constraints` (kyso does not process
//!   policies, README "Security model");
//! - a CA/B Forum-only rule: the other `webpki::` cases, except its name-constraint cases
//!   (`webpki::nc::`, RFC 5280 §4.2.1.10), its explicit-curve case (RFC 5480 §2.1.1) and the
//!   saved `cryptography.io` chains (plain path building); the features
//!   `pedantic-public-suffix-wildcard`, `pedantic-webpki-subscriber-key` and
//!   `pedantic-serial-number` (RFC 5280 §4.1.2.2 asks relying parties to handle such serials
//!   gracefully);
//! - a verifier parameter kyso does not take: a `max_chain_depth` (kyso's own bound is its
//!   budget's path length).
//!
//! Every other case runs: a [`TrustStore`] with the case's trusted certificates as anchors, its
//! untrusted intermediates as intermediates and its CRLs, the leaf checked at the case's
//! validation time (now when it gives none) under the default policy. With no CRL for an
//! issuer the default policy reports the missing revocation data without failing the path, as
//! a case without CRLs expects. A certificate or CRL that does not parse is a refusal. The
//! counts are printed, and every difference must be in [`KNOWN_DIFFERENCES`] with its reason.

mod common;

use base64::Engine;
use kyso_verify::pki::{Cert, Crl, Policy, TrustStore};
use std::path::PathBuf;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn corpus() -> Option<PathBuf> {
    let file = common::root().join("../shared/corpora/x509-limbo/limbo.json");
    if file.is_file() {
        return Some(file);
    }
    if std::env::var("KYSO_REQUIRE_CORPORA").is_ok_and(|v| v == "1") {
        panic!("{} is absent and KYSO_REQUIRE_CORPORA=1", file.display());
    }
    eprintln!("skipped: x509-limbo is not at {}", file.display());
    None
}

#[derive(serde::Deserialize)]
struct Limbo {
    testcases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    id: String,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    trusted_certs: Vec<String>,
    #[serde(default)]
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    #[serde(default)]
    validation_time: Option<String>,
    #[serde(default)]
    extended_key_usage: Vec<String>,
    expected_result: String,
    #[serde(default)]
    max_chain_depth: Option<u32>,
    #[serde(default)]
    crls: Vec<String>,
}

/// Why a case does not apply to a document signer (the rule of the module comment).
fn excluded(c: &Case) -> Option<&'static str> {
    let id = c.id.as_str();
    let has = |f: &str| c.features.iter().any(|x| x == f);
    if id.starts_with("webpki::san::")
        || id.starts_with("webpki::cn::")
        || matches!(
            id,
            "rfc5280::san::underscore-dns"
                | "rfc5280::san::ip-in-dns"
                | "rfc5280::ca-as-leaf-wrong-san"
        )
    {
        return Some("decided by the peer name");
    }
    if c.extended_key_usage.iter().any(|e| e == "serverAuth") || has("pedantic-webpki-eku") {
        return Some("decided by a TLS extended key usage");
    }
    if has("has-policy-constraints") {
        return Some("decided by certificate policies");
    }
    let webpki_general = id.starts_with("webpki::nc::")
        || id == "webpki::explicit-curve"
        || id.starts_with("webpki::cryptographydotio-chain");
    if (id.starts_with("webpki::") && !webpki_general)
        || has("pedantic-public-suffix-wildcard")
        || has("pedantic-webpki-subscriber-key")
        || has("pedantic-serial-number")
    {
        return Some("a CA/B Forum-only rule");
    }
    if c.max_chain_depth.is_some() {
        return Some("a maximum chain depth (a verifier parameter kyso does not take)");
    }
    None
}

/// Known differences, each with its reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "crl::crlnumber-missing",
        "to fix: a CRL without cRLNumber is used",
    ),
    (
        "crl::crlnumber-critical",
        "to fix: a CRL with a critical cRLNumber is used",
    ),
    (
        "crl::issuer-missing-crlsign",
        "to fix: an unusable CRL leaves revocation unknown, reported only",
    ),
    (
        "cve::cve-2025-61727",
        "to fix: malformed name read as no constraint",
    ),
    (
        "pathological::nc-dos-1",
        "to fix: no bound on name-constraint work",
    ),
    (
        "pathological::nc-dos-2",
        "to fix: no bound on name-constraint work",
    ),
    (
        "pathological::nc-dos-3",
        "to fix: no bound on name-constraint work",
    ),
    (
        "rfc5280::aki::critical-aki",
        "to fix: critical AKI not refused",
    ),
    (
        "rfc5280::aki::leaf-missing-aki",
        "to fix: missing AKI not refused",
    ),
    (
        "rfc5280::aki::intermediate-missing-aki",
        "to fix: missing AKI not refused",
    ),
    (
        "rfc5280::aki::cross-signed-root-missing-aki",
        "to fix: missing AKI not refused",
    ),
    (
        "rfc5280::eku::ee-eku-empty",
        "to fix: empty EKU not refused",
    ),
    (
        "rfc5280::nc::permitted-dns-match-noncritical",
        "to fix: non-critical nameConstraints not refused",
    ),
    (
        "rfc5280::nc::invalid-dnsname-leading-period",
        "to fix: malformed constraint read as a constraint",
    ),
    (
        "rfc5280::nc::not-allowed-in-ee-noncritical",
        "to fix: nameConstraints in an end entity",
    ),
    (
        "rfc5280::nc::not-allowed-in-ee-critical",
        "to fix: nameConstraints in an end entity",
    ),
    (
        "rfc5280::nc::nc-permits-invalid-dns-san",
        "to fix: malformed name read as no constraint",
    ),
    (
        "rfc5280::nc::nc-permits-invalid-email-san",
        "to fix: malformed name read as no constraint",
    ),
    (
        "rfc5280::nc::nc-forbids-dnsname-wildcard-san",
        "to fix: wildcard SAN against an excluded subtree",
    ),
    (
        "rfc5280::san::malformed",
        "to fix: a SAN that does not decode is ignored",
    ),
    (
        "rfc5280::san::noncritical-with-empty-subject",
        "to fix: empty subject without a critical SAN",
    ),
    (
        "rfc5280::ski::root-missing-ski",
        "to fix: missing SKI on a CA",
    ),
    (
        "rfc5280::ski::intermediate-missing-ski",
        "to fix: missing SKI on a CA",
    ),
    (
        "rfc5280::ca-empty-subject",
        "to fix: a CA with an empty subject",
    ),
    (
        "rfc5280::root-non-critical-basic-constraints",
        "to fix: non-critical basicConstraints on a CA",
    ),
    (
        "rfc5280::leaf-ku-keycertsign",
        "to fix: keyCertSign without cA",
    ),
    (
        "rfc5280::ee-critical-aia-invalid",
        "to fix: critical AIA not refused",
    ),
    (
        "rfc5280::duplicate-extensions",
        "to fix: a repeated extension not refused",
    ),
    (
        "webpki::nc::intermediate-permitted-excluded-subtrees-both-null",
        "to fix: malformed nameConstraints read as none",
    ),
    (
        "webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences",
        "to fix: malformed nameConstraints read as none",
    ),
    (
        "pathlen::validation-ignores-pathlen-in-leaf",
        "a document signer's keyUsage must allow signing",
    ),
    (
        "rfc5280::nc::permitted-ipv4-match",
        "to fix: IP-address constraints unsupported",
    ),
    (
        "rfc5280::nc::permitted-ipv6-match",
        "to fix: IP-address constraints unsupported",
    ),
    (
        "rfc5280::nc::permitted-different-constraint-type",
        "to fix: IP-address constraints unsupported",
    ),
    (
        "rfc5280::nc::excluded-different-constraint-type",
        "to fix: IP-address constraints unsupported",
    ),
    (
        "rfc5280::nc::nc-forbids-same-chain-ica",
        "to fix: no retry after a constraint failure",
    ),
    (
        "rfc5280::nc::nc-forbids-othername-noop",
        "to fix: otherName constraints unsupported",
    ),
    (
        "rfc5280::validity::notafter-fractional",
        "to fix: fractional-second validation time",
    ),
    (
        "rfc5280::ca-as-leaf",
        "a document signer's keyUsage must allow signing",
    ),
];

fn pem_blocks(pem: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut b64 = String::new();
    let mut inside = false;
    for line in pem.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN") {
            inside = true;
            b64.clear();
        } else if line.starts_with("-----END") {
            inside = false;
            out.push(
                base64::engine::general_purpose::STANDARD
                    .decode(&b64)
                    .expect("limbo PEM is base64"),
            );
        } else if inside {
            b64.push_str(line);
        }
    }
    out
}

fn certs(pems: &[String]) -> Result<Vec<Arc<Cert>>, String> {
    pems.iter()
        .flat_map(|p| pem_blocks(p))
        .map(|der| {
            Cert::from_der(&der)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Whether kyso accepts the case's leaf, and the problem codes (or the load error) if not.
fn run(c: &Case) -> (bool, String) {
    let store = (|| -> Result<TrustStore, String> {
        Ok(TrustStore {
            anchors: certs(&c.trusted_certs)?,
            intermediates: certs(&c.untrusted_intermediates)?,
            crls: c
                .crls
                .iter()
                .flat_map(|p| pem_blocks(p))
                .map(|der| Crl::from_der(&der).map(Arc::new).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?,
            ..TrustStore::default()
        })
    })();
    let leaf = certs(std::slice::from_ref(&c.peer_certificate))
        .and_then(|v| v.into_iter().next().ok_or_else(|| "no leaf".to_string()));
    let (store, leaf) = match (store, leaf) {
        (Ok(s), Ok(l)) => (s, l),
        (Err(e), _) | (_, Err(e)) => return (false, format!("load: {e}")),
    };
    let at = match &c.validation_time {
        Some(t) => OffsetDateTime::parse(t, &Rfc3339).expect("limbo validation_time is RFC 3339"),
        None => OffsetDateTime::now_utc(),
    };
    let r = kyso_verify::verify::verify_certificate(&leaf, &store, &Policy::default(), at);
    let codes = r
        .problems
        .iter()
        .map(|p| p.code.as_str())
        .collect::<Vec<_>>()
        .join(",");
    (r.passed(), codes)
}

#[test]
fn limbo_agrees_with_the_expected_result() {
    let Some(file) = corpus() else { return };
    let limbo: Limbo = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let (mut agree, mut skipped) = (0, 0);
    let mut accepts = Vec::new();
    let mut refuses = Vec::new();
    for c in &limbo.testcases {
        if excluded(c).is_some() {
            skipped += 1;
            continue;
        }
        let expected = c.expected_result == "SUCCESS";
        let (passed, why) = run(c);
        match (expected, passed) {
            (e, p) if e == p => agree += 1,
            (false, true) => accepts.push((c.id.as_str(), why)),
            _ => refuses.push((c.id.as_str(), why)),
        }
    }
    eprintln!(
        "x509-limbo: {} cases apply ({skipped} left out): {agree} agree, kyso accepts {} limbo rejects, kyso refuses {} limbo accepts",
        agree + accepts.len() + refuses.len(),
        accepts.len(),
        refuses.len()
    );
    let mut unexpected = Vec::new();
    for (kind, list) in [("accepts", &accepts), ("refuses", &refuses)] {
        for (id, why) in list {
            let known = KNOWN_DIFFERENCES.iter().find(|(k, _)| k == id);
            eprintln!(
                "  kyso {kind} {id} [{why}]{}",
                known
                    .map(|(_, r)| format!(" (known: {r})"))
                    .unwrap_or_default()
            );
            if known.is_none() {
                unexpected.push(*id);
            }
        }
    }
    for (id, _) in KNOWN_DIFFERENCES {
        assert!(
            accepts.iter().chain(&refuses).any(|d| d.0 == *id),
            "{id} now agrees (or is left out): remove it from KNOWN_DIFFERENCES"
        );
    }
    assert!(
        unexpected.is_empty(),
        "differences from x509-limbo: {unexpected:?}"
    );
}
