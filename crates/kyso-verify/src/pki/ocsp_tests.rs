//! Delegated responders (RFC 6960 §4.2.2.2), on answers `openssl ocsp` signed
//! (fixtures/ocsp_delegated.sh): every answer is about the same leaf, revoked on 01/01/2026;
//! what differs is who signed it.

use super::*;
use crate::pki::{Crl, Policy, TrustStore};
use crate::verify::{verify_certificate, CertificateReport};

fn check(leaf: &Arc<Cert>, store: &TrustStore, at: OffsetDateTime) -> CertificateReport {
    verify_certificate(leaf, store, &Policy::default(), at)
}
use time::macros::datetime;

fn file(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/pki/ocsp-delegated/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

fn cert(name: &str) -> Cert {
    Cert::from_der(pem::parse(file(name)).unwrap().contents()).unwrap()
}

fn response(name: &str) -> OcspResponse {
    parse(&file(name)).unwrap()
}

fn revoked() -> CertStatus {
    CertStatus::Revoked(datetime!(2026-01-01 0:00 UTC))
}

#[test]
fn a_responder_certificate_keeps_its_purposes() {
    let r = cert("responder.pem");
    assert!(r.ext_key_usage.iter().any(|e| e == oid::EKU_OCSP_SIGNING));
    assert!(r.ocsp_nocheck);
    assert!(r.unknown_critical.is_empty());
    let checked = cert("responder-checked.pem");
    assert!(checked
        .ext_key_usage
        .iter()
        .any(|e| e == oid::EKU_OCSP_SIGNING));
    assert!(!checked.ocsp_nocheck);
    assert!(cert("responder-no-eku.pem").ext_key_usage.is_empty());
}

#[test]
fn an_answer_a_delegated_responder_signed_is_used() {
    let (leaf, ca) = (cert("leaf.pem"), cert("ca.pem"));
    for name in ["resp-delegated.der", "resp-delegated-by-key.der"] {
        let r = response(name);
        let a = r.answer(&leaf, &ca, &[]).unwrap();
        assert_eq!(a.single.status, revoked(), "{name}");
        let Responder::Delegated(d) = a.responder else {
            panic!("{name}: signed by the CA itself?");
        };
        assert_eq!(d.subject, "CN=Kyso OCSP responder");
        assert_eq!(r.status_of(&leaf, &ca).map(|s| &s.status), Some(&revoked()));
    }
    // The CA's own answer.
    let r = response("resp-ca.der");
    assert!(matches!(
        r.answer(&leaf, &ca, &[]).map(|a| a.responder),
        Some(Responder::Issuer)
    ));
    // Not about another certificate, nor for another issuer of the same name.
    let r = response("resp-delegated.der");
    assert!(r.status_of(&cert("responder.pem"), &ca).is_none());
    assert!(r.status_of(&leaf, &cert("other.pem")).is_none());
}

#[test]
fn the_responder_certificate_may_come_from_elsewhere() {
    let (leaf, ca) = (cert("leaf.pem"), cert("ca.pem"));
    let r = response("resp-delegated-no-certs.der");
    assert!(r.certs.is_empty());
    assert!(r.status_of(&leaf, &ca).is_none());
    let known = [Arc::new(cert("responder.pem"))];
    let a = r.answer(&leaf, &ca, &known).unwrap();
    assert_eq!(a.single.status, revoked());
    // Another certificate with the responder's name would not verify the signature.
    let mut impostor = cert("responder-no-eku.pem");
    impostor.subject_raw = known[0].subject_raw.clone();
    impostor.ext_key_usage = vec![oid::EKU_OCSP_SIGNING.into()];
    assert!(r.answer(&leaf, &ca, &[Arc::new(impostor)]).is_none());
}

#[test]
fn a_responder_without_the_eku_or_of_another_ca_is_not_used() {
    let (leaf, ca) = (cert("leaf.pem"), cert("ca.pem"));
    for name in ["resp-no-eku.der", "resp-other-ca.der"] {
        let r = response(name);
        assert!(r.answer(&leaf, &ca, &[]).is_none(), "{name}");
    }
    // anyExtendedKeyUsage is not id-kp-OCSPSigning.
    let r = response("resp-delegated-no-certs.der");
    let mut any = cert("responder.pem");
    any.ext_key_usage = vec![oid::ANY_EXTENDED_KEY_USAGE.into()];
    assert!(r.answer(&leaf, &ca, &[Arc::new(any)]).is_none());
}

#[test]
fn a_responder_is_valid_when_it_answered() {
    let (leaf, ca) = (cert("leaf.pem"), cert("ca.pem"));
    let r = response("resp-delegated-no-certs.der");
    let second = time::Duration::seconds(1);
    let mut expired = cert("responder.pem");
    expired.not_after = r.produced_at - second;
    let mut early = cert("responder.pem");
    early.not_before = r.produced_at + second;
    let mut no_signing = cert("responder.pem");
    no_signing.key_usage = Some(super::super::cert::KU_CRL_SIGN);
    let mut unknown = cert("responder.pem");
    unknown.unknown_critical = vec!["1.2.3.4".into()];
    for d in [expired, early, no_signing, unknown] {
        assert!(r.answer(&leaf, &ca, &[Arc::new(d)]).is_none());
    }
}

/// The revocation check of a certificate path uses a delegated answer, and the responder's
/// own revocation unless its certificate has id-pkix-ocsp-nocheck (§4.2.2.2.1).
#[test]
fn the_revocation_check_relies_on_a_responder_as_the_rfc_says() {
    let leaf = Arc::new(cert("leaf.pem"));
    let crl = Arc::new(Crl::from_der(&file("ca.crl")).unwrap());
    let store = |resp: &str, crls: Vec<Arc<Crl>>| TrustStore {
        anchors: vec![Arc::new(cert("ca.pem"))],
        crls,
        ocsps: vec![Arc::new(response(resp))],
        ..TrustStore::default()
    };
    let at = response("resp-delegated.der").produced_at + time::Duration::days(1);
    let problems = |s: &TrustStore| -> Vec<String> {
        check(&leaf, s, at)
            .problems
            .iter()
            .map(|p| p.code.as_str().to_string())
            .collect()
    };
    // With id-pkix-ocsp-nocheck: relied on, the CA's CRL (which revokes another responder)
    // notwithstanding.
    let nocheck = problems(&store("resp-delegated.der", vec![crl.clone()]));
    assert!(
        nocheck.contains(&"certificate_revoked".to_string()),
        "{nocheck:?}"
    );
    // Without it and without a CRL of the CA: relied on, as any certificate without
    // revocation data is under the default policy.
    let unchecked = problems(&store("resp-checked.der", vec![]));
    assert!(
        unchecked.contains(&"certificate_revoked".to_string()),
        "{unchecked:?}"
    );
    // Without it, and revoked by the CA's CRL: not relied on (the CRL answers for the leaf).
    let revoked_responder = problems(&store("resp-checked.der", vec![crl]));
    assert!(
        !revoked_responder.contains(&"certificate_revoked".to_string()),
        "{revoked_responder:?}"
    );
    // Without the EKU: never.
    let no_eku = problems(&store("resp-no-eku.der", vec![]));
    assert_eq!(no_eku, ["revocation_unknown"]);
}
