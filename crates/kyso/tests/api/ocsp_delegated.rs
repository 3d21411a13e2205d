//! Delegated OCSP responders at receipt (RFC 6960 §4.2.2.2): the service asks a real
//! `openssl ocsp -rsigner` whose certificate the CA issued with id-kp-OCSPSigning, believes
//! its answers (a revoked signer's signature fails), keeps them with the submission, and
//! re-verification uses them with the responder gone. A responder without the EKU is not
//! believed.

use crate::helpers::*;
use crate::ocsp_pki::*;

fn service_for(dir: &std::path::Path) -> TestApp {
    let extra = format!(
        "trust = [{:?}]\ncrls = []\nocsp_timeout_ms = 2000\nfetch_private_addresses = true",
        dir.join("root.pem").display().to_string()
    );
    spawn_app_with(None, 1 << 24, &extra)
}

#[test]
fn the_service_believes_a_responder_the_ca_delegated() {
    let Some(dir) = setup("api-delegated") else {
        return;
    };
    roots(&dir);
    let port = free_port();
    let good = leaf(&dir, "good", port);
    let revoked = leaf(&dir, "revoked", port);
    index(&dir, &[(&good, false, "good"), (&revoked, true, "revoked")]);
    responder_cert(&dir, "delegated", "root", true, true);
    let responder = responder(&dir, port, "delegated.pem", "delegated.key");
    let app = service_for(&dir);

    let ok = app.upload_raw(&signed_pdf(&dir, "good"));
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.json()["report"]["verdict"], "valid", "{}", ok.text());
    let problems = ok.json()["report"]["signatures"][0]["problems"].to_string();
    assert!(!problems.contains("revocation_unknown"), "{problems}");
    let bad = app.upload_raw(&signed_pdf(&dir, "revoked"));
    assert_eq!(bad.status, 201, "{}", bad.text());
    let report = &bad.json()["report"];
    assert_eq!(report["verdict"], "invalid", "{report}");
    assert_eq!(report["signatures"][0]["indication"], "TOTAL_FAILED");
    assert_eq!(report["signatures"][0]["sub_indication"], "REVOKED");

    // The delegated answers are kept: with the responder gone, nothing changes.
    drop(responder);
    assert_eq!(app.reverify(), (Some(2), Some(0)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_service_does_not_believe_a_responder_without_the_eku() {
    let Some(dir) = setup("api-no-eku") else {
        return;
    };
    roots(&dir);
    let port = free_port();
    let revoked = leaf(&dir, "revoked", port);
    index(&dir, &[(&revoked, true, "revoked")]);
    responder_cert(&dir, "no-eku", "root", false, false);
    let _responder = responder(&dir, port, "no-eku.pem", "no-eku.key");
    let app = service_for(&dir);

    let r = app.upload_raw(&signed_pdf(&dir, "revoked"));
    assert_eq!(r.status, 201, "{}", r.text());
    let sig = &r.json()["report"]["signatures"][0];
    assert_ne!(sig["sub_indication"], "REVOKED", "{sig}");
    let problems = sig["problems"].to_string();
    assert!(problems.contains("revocation_unknown"), "{problems}");
    assert!(!problems.contains("certificate_revoked"), "{problems}");
    let _ = std::fs::remove_dir_all(&dir);
}
