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
