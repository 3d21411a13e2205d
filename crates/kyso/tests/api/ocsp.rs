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
        "trust = [{:?}]\ncrls = []\nocsp_timeout_ms = 2000\nfetch_private_addresses = true",
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
    let stored = app.stored_record(id);
    assert_eq!(stored["ocsp"].as_array().map(Vec::len), Some(1), "{stored}");

    // Responder gone: re-verification keeps both verdicts from the stored answers.
    drop(responder);
    assert_eq!(app.reverify(), (Some(2), Some(0)));
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

/// A certificate issued by an ordinary end-entity certificate (anyone holding one genuine
/// signing key can make one) names the uploader's addresses for OCSP and CRLs. Its chain does
/// not validate (`issuer_not_ca`), so neither address is ever asked: not at receipt, not by a
/// CRL refresh, even with private addresses allowed (only the chain rule stands between).
#[test]
fn a_certificate_issued_by_a_leaf_makes_the_service_fetch_nothing() {
    let Some(dir) = setup("under-leaf") else {
        return;
    };
    roots(&dir);
    let port = free_port();
    leaf(&dir, "genuine", port);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let trap = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::fs::write(
        dir.join("under.ext"),
        format!("keyUsage=critical,digitalSignature\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:{trap}/ocsp\ncrlDistributionPoints=URI:http://127.0.0.1:{trap}/crl\n"),
    )
    .unwrap();
    openssl(
        &dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "under.key",
            "-subj",
            "/CN=under",
            "-out",
            "under.csr",
        ],
    );
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "under.csr",
            "-CA",
            "genuine.pem",
            "-CAkey",
            "genuine.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "under.ext",
            "-out",
            "under.pem",
        ],
    );
    let extra = format!(
        "trust = [{:?}]\ncrls = [{:?}]\nocsp_online = true\nfetch_private_addresses = true\ncrl_refresh_hours = 0",
        dir.join("root.pem").display().to_string(),
        dir.join("crl").display().to_string()
    );
    std::fs::create_dir_all(dir.join("crl")).unwrap();
    let mut app = spawn_app_with(None, 1 << 24, &extra);
    let r = app.upload_raw(&signed_pdf_carrying(&dir, "under", "genuine.pem"));
    assert_eq!(r.status, 201, "{}", r.text());
    let problems = r.json()["report"]["signatures"][0]["problems"].to_string();
    assert!(problems.contains("issuer_not_ca"), "{problems}");
    app.kill();
    let out = run_kyso(&["crl", "refresh"], &app.config);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!said.contains(&trap.to_string()), "{said}");
    assert!(
        listener.accept().is_err(),
        "the service connected to the uploader's address"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A responder that accepts and never answers: the uploads it concerns wait for it outside the
/// verification slots, so an honest upload is still answered at once.
#[test]
fn a_hanging_responder_holds_no_verification_slot() {
    let Some(dir) = setup("hanging") else { return };
    roots(&dir);
    let hang = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang_port = hang.local_addr().unwrap().port();
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for s in hang.incoming().flatten() {
            keep.lock().unwrap().push(s);
        }
    });
    let slow: Vec<Vec<u8>> = (0..4)
        .map(|n| {
            leaf(&dir, &format!("slow{n}"), hang_port);
            signed_pdf(&dir, &format!("slow{n}"))
        })
        .collect();
    let port = free_port();
    let good = leaf(&dir, "honest", port);
    index(&dir, &[(&good, false, "honest")]);
    let _responder = responder(&dir, port, "root.pem", "root.key");
    let honest = signed_pdf(&dir, "honest");
    let extra = format!(
        "trust = [{:?}]\ncrls = []\nocsp_timeout_ms = 8000\nfetch_private_addresses = true",
        dir.join("root.pem").display().to_string()
    );
    let app = spawn_app_with(None, 1 << 24, &extra);
    std::thread::scope(|s| {
        for pdf in &slow {
            let app = &app;
            s.spawn(move || app.upload_raw(pdf));
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        let started = std::time::Instant::now();
        let r = app.upload_raw(&honest);
        let took = started.elapsed();
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["report"]["verdict"], "valid", "{}", r.text());
        assert!(
            took < std::time::Duration::from_secs(3),
            "the honest upload waited {took:?} behind the hanging responder"
        );
    });
    assert!(
        !held.lock().unwrap().is_empty(),
        "the slow uploads did ask their responder"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
