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
//!   (`webpki::nc::`, RFC 5280 §4.2.1.10) but the one that states the CA/B Forum's exception to
//!   RFC 5280 (it `conflicts_with` an `rfc5280::` case), its explicit-curve case (RFC 5480 §2.1.1) and the
//!   saved `cryptography.io` chains (plain path building); the features
//!   `pedantic-public-suffix-wildcard`, `pedantic-webpki-subscriber-key` and
//!   `pedantic-serial-number` (RFC 5280 §4.1.2.2 asks relying parties to handle such serials
//!   gracefully);
//! - a verifier parameter kyso does not take: a `max_chain_depth` (kyso's own bound is its
//!   budget's path length).
//!
//! Every other case runs: a [`TrustStore`] with the case's trusted certificates as anchors, its
//! untrusted intermediates as intermediates and its CRLs, the leaf checked at the case's
//! validation time (now when it gives none) under the default policy. Without CRLs, the
//! default policy reports the missing revocation data without failing the path, as a case
//! without CRLs expects (a revocation-only finding is not a refusal); a case that gives CRLs
//! runs with revocation data required, as it expects them to decide. A certificate or CRL that does not parse is a refusal. The
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
    conflicts_with: Vec<String>,
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
    // A webpki case that contradicts an RFC 5280 case states the CA/B Forum's exception.
    let webpki_general = (id.starts_with("webpki::nc::") && c.conflicts_with.is_empty())
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

/// Known differences, each with its reason. None is kyso accepting a path limbo rejects for a
/// reason that reaches a document signer's chain.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "rfc5280::root-non-critical-basic-constraints",
        "kyso accepts: RFC 5280 §4.2.1.9 asks the issuing CA to mark basicConstraints critical, the relying party's check (§6.1.4 (k)) is that cA is set, and NIST PKITS 4.6.4 (pkits.rs) expects a CA with a non-critical basicConstraints to be accepted",
    ),
    (
        "rfc5280::aki::cross-signed-root-missing-aki",
        "kyso accepts: the trust anchor is exempt from the authorityKeyIdentifier rule (RFC 5280 §4.2.1.1 gives it to find the issuer; the path ends at the anchor), as limbo's own cve::cve-2024-0567 expects of an anchor of the same shape; the operator chooses the anchors",
    ),
    (
        "pathlen::validation-ignores-pathlen-in-leaf",
        "kyso refuses: the leaf's keyUsage is keyCertSign only, so it is not a signing key (RFC 5280 §4.2.1.3); a document signer needs digitalSignature or nonRepudiation (README \"Policy (defaults)\"), limbo checks no key usage",
    ),
    (
        "rfc5280::ca-as-leaf",
        "kyso refuses: the leaf's keyUsage is keyCertSign only, so it is not a signing key (RFC 5280 §4.2.1.3); a document signer needs digitalSignature or nonRepudiation (README \"Policy (defaults)\"), limbo checks no key usage",
    ),
];

/// The problem code some refusals must carry: the dangerous differences of issue 23 are
/// refused for their own reason, not by chance.
const REFUSED_FOR: &[(&str, &str)] = &[
    ("rfc5280::duplicate-extensions", "certificate_nonconforming"),
    ("rfc5280::san::malformed", "certificate_nonconforming"),
    (
        "webpki::nc::intermediate-permitted-excluded-subtrees-both-null",
        "certificate_nonconforming",
    ),
    (
        "webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences",
        "certificate_nonconforming",
    ),
    (
        "rfc5280::nc::nc-permits-invalid-email-san",
        "name_not_permitted",
    ),
    (
        "rfc5280::nc::nc-permits-invalid-dns-san",
        "name_not_permitted",
    ),
    (
        "rfc5280::nc::nc-forbids-dnsname-wildcard-san",
        "name_not_permitted",
    ),
    ("pathological::nc-dos-1", "name_constraint_budget_exceeded"),
    ("crl::crlnumber-missing", "crl_nonconforming"),
    ("crl::crlnumber-critical", "crl_nonconforming"),
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
    // A case that gives CRLs expects them to decide: revocation data is then required.
    let policy = Policy {
        require_revocation: !c.crls.is_empty(),
        ..Policy::default()
    };
    let r = kyso_verify::verify::verify_certificate(&leaf, &store, &policy, at);
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
    let (mut agree, mut skipped, mut checked_reasons) = (0, 0, 0);
    let mut accepts = Vec::new();
    let mut refuses = Vec::new();
    for c in &limbo.testcases {
        if excluded(c).is_some() {
            skipped += 1;
            continue;
        }
        let expected = c.expected_result == "SUCCESS";
        let (passed, why) = run(c);
        if let Some((_, code)) = REFUSED_FOR.iter().find(|(id, _)| *id == c.id) {
            checked_reasons += 1;
            assert!(
                !passed && why.split(',').any(|w| w == *code),
                "{}: expected a refusal with {code}, got [{why}]",
                c.id
            );
        }
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
    assert_eq!(
        checked_reasons,
        REFUSED_FOR.len(),
        "a case of REFUSED_FOR is left out or gone"
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
