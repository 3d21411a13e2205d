//! Online revocation at receipt: the service asks the signer's OCSP responder (a real
//! `openssl ocsp` on 127.0.0.1), keeps the answer with the submission, and re-verification uses
//! the stored answer with the responder gone.

use crate::helpers::*;
use crate::ocsp_pki::*;

#[test]
fn the_service_asks_ocsp_at_receipt_and_keeps_the_answer() {
    let Some(dir) = setup("api") else { return };
    roots(&dir);
    let port = free_port();
    let good = leaf(&dir, "good", port);
    let revoked = leaf(&dir, "revoked", port);
    index(&dir, &[(&good, false, "good"), (&revoked, true, "revoked")]);
    let responder = responder(&dir, port, "root.pem", "root.key");
    let extra = format!(
        "trust = [{:?}]\ncrls = []\nocsp_timeout_ms = 2000",
        dir.join("root.pem").display().to_string()
    );
    let app = spawn_app_with(None, 1 << 24, &extra);

    let ok = app.upload_raw(&signed_pdf(&dir, "good"));
    assert_eq!(ok.status, 201, "{}", ok.text());
    let receipt = ok.json();
    assert_eq!(receipt["report"]["verdict"], "valid", "{receipt}");
    let problems = receipt["report"]["signatures"][0]["problems"].to_string();
    assert!(
        !problems.contains("revocation_unknown"),
        "OCSP answered: {problems}"
    );
    let bad = app.upload_raw(&signed_pdf(&dir, "revoked"));
    assert_eq!(bad.status, 201);
    let bad_id = bad.json()["id"].as_str().unwrap().to_string();
    assert_eq!(bad.json()["report"]["verdict"], "invalid", "{}", bad.text());
    assert_eq!(
        bad.json()["report"]["signatures"][0]["sub_indication"],
        "REVOKED"
    );

    // The answers are stored with the submissions.
    let id = receipt["id"].as_str().unwrap();
    let record = app
        .data_dir()
        .join("submissions")
        .join(&id[..2])
        .join(format!("{id}.json"));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record).unwrap()).unwrap();
    assert_eq!(stored["ocsp"].as_array().map(Vec::len), Some(1), "{stored}");

    // Responder gone: re-verification keeps both verdicts from the stored answers.
    drop(responder);
    let r = ureq::post(&app.url("/api/v1/admin/reverify"))
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap();
    let outcome: serde_json::Value = r.into_json().unwrap();
    assert_eq!(
        (outcome["checked"].as_u64(), outcome["changed"].as_u64()),
        (Some(2), Some(0)),
        "{outcome}"
    );
    let after = app
        .get(&format!("/api/v1/submissions/{bad_id}"), Some(READ))
        .json();
    assert_eq!(after["report"]["verdict"], "invalid");
    let m = app.get("/metrics", None).text();
    assert!(
        m.contains("kyso_uploads_total{verdict=\"invalid\",status=\"201\"} 1"),
        "{m}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A signer whose certificate does not chain to a trusted anchor cannot make the service fetch
/// URLs of its choosing: its CRL distribution point is never asked (server-side request
/// forgery), while the trusted signers' addresses still are.
#[test]
fn an_untrusted_signers_crl_address_is_never_fetched() {
    let Some(dir) = setup("ssrf") else { return };
    roots(&dir);
    // A listener that counts the connections it gets.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::fs::write(
        dir.join("evil.ext"),
        format!("keyUsage=critical,digitalSignature\ncrlDistributionPoints=URI:http://127.0.0.1:{port}/internal\n"),
    )
    .unwrap();
    openssl(
        &dir,
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "evil.key", "-subj", "/CN=evil",
            "-out", "evil.csr",
        ],
    );
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "evil.csr",
            "-CA",
            "forger.pem",
            "-CAkey",
            "forger.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "evil.ext",
            "-out",
            "evil.pem",
        ],
    );
    let extra = format!(
        "trust = [{:?}]\ncrls = [{:?}]\nocsp_online = false\ncrl_refresh_hours = 0",
        dir.join("root.pem").display().to_string(),
        dir.join("crl").display().to_string()
    );
    std::fs::create_dir_all(dir.join("crl")).unwrap();
    let mut app = spawn_app_with(None, 1 << 24, &extra);
    let r = app.upload_raw(&signed_pdf(&dir, "evil"));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_ne!(r.json()["report"]["verdict"], "valid");
    app.kill();
    let out = run_kyso(&["crl", "refresh"], &app.config);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!said.contains(&port.to_string()), "{said}");
    assert!(
        listener.accept().is_err(),
        "the service connected to the uploader's address"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
