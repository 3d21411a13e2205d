use crate::helpers::*;
use serde_json::{json, Value};

fn leader_status(table: &Value, id: &str) -> Value {
    table["units"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["leaders"].as_array().unwrap().iter())
        .find(|l| l["id"] == id)
        .cloned()
        .unwrap()
}

#[test]
fn a_lost_token_loses_credit_after_crl_refresh_and_reverification() {
    let mut registry = kyso::cli::demo::demo_registry(&root().join("fixtures")).unwrap();
    registry.leaders.push(kyso::duty::registry::Leader {
        id: "vu-van-minh".into(),
        name: "Vũ Văn Minh".into(),
        title: "Phó Chủ tịch".into(),
        unit: "ubnd-huong-xuan".into(),
        from: kyso::duty::period::Month::parse("2025-01").unwrap(),
        to: None,
        certificates: vec![fingerprint("leaf-leader-lost-token.pem")],
        retired_certificates: vec![],
        person: None,
    });
    let crl = crl_server();
    let dir = std::env::temp_dir().join(format!("kyso-crl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(pki("issuing-ca.crl"), dir.join("issuing-ca-2026-01-15.crl")).unwrap();
    std::fs::copy(pki("root.crl"), dir.join("root.crl")).unwrap();
    let extra = format!(
        "crls = [{:?}]\ncrl_urls = [{:?}]\ncrl_refresh_hours = 0\nfetch_private_addresses = true",
        dir.display().to_string(),
        crl.url
    );
    let mut app = spawn_app_with(
        Some(&toml::to_string(&registry).unwrap()),
        104_857_600,
        &extra,
    );
    // Both uploads are valid with the January CRL: February and March are credited.
    let feb = app
        .upload_raw(&fixture("pyhanko-lost-token-feb.pdf"))
        .json();
    let mar = app
        .upload_raw(&fixture("pyhanko-lost-token-mar.pdf"))
        .json();
    assert_eq!(feb["satisfies"][0]["month"], "2026-02", "{feb}");
    assert_eq!(mar["satisfies"][0]["month"], "2026-03", "{mar}");
    let mar_id = mar["id"].as_str().unwrap().to_string();
    // The signer's certificate names its CRL; kyso keeps that address to fetch it later.
    assert_eq!(
        mar["report"]["signatures"][0]["signer"]["crl_urls"],
        json!(["http://crl.kyso.invalid/issuing-ca.crl"])
    );
    // The CA publishes a CRL revoking the token on 15/03/2026.
    *crl.body.lock().unwrap() = std::fs::read(pki("issuing-ca-2026-03.crl")).unwrap();
    let out = run_kyso(&["crl", "refresh"], &app.config);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // Over PostgreSQL the command reads the stored signers beside the running service, so it
    // also tries the address their certificate names (unreachable here).
    let only_signer_failed = on_postgres()
        && text
            .lines()
            .all(|l| !l.starts_with("failed") || l.contains("crl.kyso.invalid"));
    assert!(
        out.status.success() || only_signer_failed,
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("updated"), "{text}");
    // The same CRL again, then an older one: nothing is replaced.
    let again = run_kyso(&["crl", "refresh"], &app.config);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("kept"));
    *crl.body.lock().unwrap() = std::fs::read(pki("issuing-ca-2026-01.crl")).unwrap();
    let older = run_kyso(&["crl", "refresh"], &app.config);
    assert!(String::from_utf8_lossy(&older.stdout).starts_with("kept"));
    // A CRL in the CA's name signed by another key is refused (service stopped this time, so
    // the command also reads the stored signers' CRL addresses).
    app.kill();
    *crl.body.lock().unwrap() = std::fs::read(pki("issuing-ca-forged.crl")).unwrap();
    let forged = run_kyso(&["crl", "refresh"], &app.config);
    assert_eq!(forged.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&forged.stdout).contains("no trusted CA"));
    // ... and the address named by the stored signer's certificate was tried too.
    assert!(
        String::from_utf8_lossy(&forged.stdout)
            .contains("failed   http://crl.kyso.invalid/issuing-ca.crl"),
        "{}",
        String::from_utf8_lossy(&forged.stdout)
    );
    // The service picks the new CRL up at start; re-verification through the admin API.
    app.start();
    let h = app.get("/healthz", Some(READ)).json();
    assert!(
        h["crl_status"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["this_update"] == "2026-03-16T00:00:00Z"),
        "{h}"
    );
    let denied = ureq::post(&app.url("/api/v1/admin/reverify"))
        .set("Authorization", &format!("Bearer {READ}"))
        .call();
    assert!(
        matches!(denied, Err(ureq::Error::Status(403, _))),
        "a read token cannot re-verify"
    );
    let r = ureq::post(&app.url("/api/v1/admin/reverify"))
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap();
    let outcome: Value = r.into_json().unwrap();
    assert_eq!(outcome["checked"], 2);
    assert_eq!(outcome["changed"], 1);
    // March lost its credit (revoked before the timestamp), February kept it.
    let m = app
        .get(&format!("/api/v1/submissions/{mar_id}"), Some(READ))
        .json();
    assert_eq!(m["report"]["verdict"], "invalid");
    assert_eq!(m["report"]["signatures"][0]["sub_indication"], "REVOKED");
    assert_eq!(m["history"][0]["report"]["verdict"], "valid");
    let doc = app.get("/api/openapi.json", None).json();
    let undeclared = crate::contract::check(&doc, "Receipt", &m);
    assert!(
        undeclared.is_empty(),
        "not in the OpenAPI document: {undeclared:?}"
    );
    assert!(m["satisfies"].as_array().unwrap().is_empty());
    let t_mar = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert_eq!(leader_status(&t_mar, "vu-van-minh")["satisfied"], false);
    let t_feb = app.get("/api/v1/compliance/2026-02", Some(READ)).json();
    assert_eq!(
        leader_status(&t_feb, "vu-van-minh")["submissions"],
        json!([feb["id"]])
    );
    // Re-running changes nothing more; the CLI does the same with the service stopped.
    app.kill();
    let out = run_kyso(&["reverify"], &app.config);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("re-verified 2 submission(s): 0 changed"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_service_refreshes_crls_in_the_background_and_reports_freshness() {
    let crl = crl_server();
    *crl.body.lock().unwrap() = std::fs::read(pki("issuing-ca-2026-03.crl")).unwrap();
    let dir = std::env::temp_dir().join(format!("kyso-crl-bg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(pki("issuing-ca-expired.crl"), dir.join("old.crl")).unwrap();
    let extra = format!(
        "crls = [{:?}]\ncrl_urls = [{:?}]\ncrl_refresh_hours = 1\nfetch_private_addresses = true",
        dir.display().to_string(),
        crl.url
    );
    let app = spawn_app_with(None, 104_857_600, &extra);
    // At start the service has only the outdated CRL, and says so.
    let mut h = app.get("/healthz", Some(READ)).json();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h["crl_last_refresh"].is_null() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        h = app.get("/healthz", Some(READ)).json();
    }
    assert_eq!(h["crl_last_refresh"]["updated"], 1, "{h}\n{}", app.log());
    let status = h["crl_status"].as_array().unwrap();
    assert!(
        status
            .iter()
            .any(|c| c["this_update"] == "2026-03-16T00:00:00Z" && c["expired"] == false),
        "{h}\n{}\n{:?}",
        app.log(),
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
    );
    // The refreshed CRL is in force: the revoked leaf is caught.
    let r = app.upload_raw(&fixture("pyhanko-revoked.pdf")).json();
    assert_eq!(r["report"]["verdict"], "invalid", "{r}");
    let _ = std::fs::remove_dir_all(&dir);
}
