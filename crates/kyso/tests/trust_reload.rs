//! Kept signatures never outlive the trust they were checked under (issue 24): the verifier
//! keeps the certificate and CRL signatures it has verified, for the whole process, and a new
//! trust store (a CRL refresh, an anchor removed) takes effect on the very next verification.

mod common;

use common::*;
use kyso_verify::pki::TrustStore;
use kyso_verify::report::{Report, Verdict};
use kyso_verify::verify::{verify, Options};

fn load(anchors: &[&str], crls: &[&str]) -> TrustStore {
    let anchors: Vec<_> = anchors.iter().map(|a| pki(a)).collect();
    let crls: Vec<_> = crls.iter().map(|c| pki(c)).collect();
    kyso::trust::files::load(&anchors, &[pki("issuing-ca.pem")], &crls).unwrap()
}

fn check(store: &TrustStore, name: &str) -> Report {
    let bytes = std::fs::read(fixture(name)).unwrap();
    verify(&bytes, store, &Options::default(), validation_time()).unwrap()
}

fn sub_indication(r: &Report) -> String {
    r.signatures[0]
        .sub_indication
        .map(|s| {
            serde_json::to_value(s)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap_or_default()
}

/// The lost-token leader's March signature: valid under January's CRL (it revokes nothing),
/// revoked as soon as March's CRL is loaded, valid again under January's.
#[test]
fn a_crl_reload_takes_effect_on_the_next_verification() {
    let doc = "pyhanko-lost-token-mar.pdf";
    let january = load(&["root.pem"], &["issuing-ca-2026-01.crl", "root.crl"]);
    for _ in 0..2 {
        assert_eq!(check(&january, doc).verdict, Verdict::Valid);
    }
    let march = load(&["root.pem"], &["issuing-ca-2026-03.crl", "root.crl"]);
    let r = check(&march, doc);
    assert_eq!(r.verdict, Verdict::Invalid, "{:#?}", r.signatures);
    assert_eq!(sub_indication(&r), "REVOKED");
    assert_eq!(check(&january, doc).verdict, Verdict::Valid);
    // Both CRLs in one store: the newest speaks.
    let both = load(
        &["root.pem"],
        &[
            "issuing-ca-2026-01.crl",
            "issuing-ca-2026-03.crl",
            "root.crl",
        ],
    );
    assert_eq!(sub_indication(&check(&both, doc)), "REVOKED");
}

/// An anchor removed (or demoted to an intermediate) leaves no path on the next verification,
/// although the root's signature on the issuing CA was verified and kept a moment before.
#[test]
fn an_anchor_removed_takes_effect_on_the_next_verification() {
    let doc = "pyhanko-lost-token-feb.pdf";
    let crls = ["issuing-ca.crl", "root.crl"];
    let trusted = load(&["root.pem"], &crls);
    assert_eq!(check(&trusted, doc).verdict, Verdict::Valid);
    let removed = load(&[], &crls);
    let r = check(&removed, doc);
    assert_eq!(r.verdict, Verdict::Indeterminate, "{:#?}", r.signatures);
    assert_eq!(sub_indication(&r), "NO_CERTIFICATE_CHAIN_FOUND");
    let another = load(&["foreign-root.pem"], &crls);
    assert_eq!(
        sub_indication(&check(&another, doc)),
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
    let mut demoted = load(&[], &crls);
    demoted
        .intermediates
        .extend(trusted.anchors.iter().cloned());
    assert_eq!(
        sub_indication(&check(&demoted, doc)),
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
    assert_eq!(check(&trusted, doc).verdict, Verdict::Valid);
}

/// Verifying on several threads at once gives each file the report it gets alone.
#[test]
fn verifications_on_several_threads_agree_with_one_at_a_time() {
    let store = store();
    let names: Vec<String> = expected().file.into_iter().map(|f| f.name).collect();
    let one_by_one: Vec<String> = names.iter().map(|n| report_of(&store, n)).collect();
    let mut together = Vec::new();
    kyso::app::batch::in_order(&names, 4, |n| report_of(&store, n), |_, r| together.push(r));
    assert_eq!(one_by_one, together);
}

fn report_of(store: &TrustStore, name: &str) -> String {
    let bytes = std::fs::read(fixture(name)).unwrap();
    match verify(&bytes, store, &Options::default(), validation_time()) {
        Ok(r) => serde_json::to_string(&r).unwrap(),
        Err(e) => e.code().to_string(),
    }
}
