use crate::helpers::*;

#[test]
fn tokens_and_scopes() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let pdf = fixture("pyhanko-org-pades.pdf");
    // No token, an unknown token, a malformed header: 401 with a JSON body.
    let r = app.post(None, "application/pdf", &pdf);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["code"], "unauthorized");
    assert_eq!(
        app.post(Some("not-a-token"), "application/pdf", &pdf)
            .status,
        401
    );
    assert_eq!(app.get("/api/v1/compliance/2026-03", None).status, 401);
    // The wrong scope: 403.
    let r = app.post(Some(READ), "application/pdf", &pdf);
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "forbidden");
    assert_eq!(
        app.get("/api/v1/compliance/2026-03", Some(SUBMIT)).status,
        403
    );
    let unit = serde_json::json!({"name": "Phòng Tư pháp", "kind": "department"});
    assert_eq!(
        app.put_json("/api/v1/units/phong-tu-phap", READ, &unit)
            .status,
        403
    );
    assert_eq!(
        app.put_json("/api/v1/units/phong-tu-phap", SUBMIT, &unit)
            .status,
        403
    );
    // The right scope works; a refused request changed nothing.
    assert_eq!(app.get("/healthz", Some(READ)).json()["submissions"], 0);
    assert_eq!(app.post(Some(SUBMIT), "application/pdf", &pdf).status, 201);
    assert_eq!(
        app.get("/api/v1/compliance/2026-03", Some(READ)).status,
        200
    );
    assert_eq!(
        app.put_json("/api/v1/units/phong-tu-phap", ADMIN, &unit)
            .status,
        201
    );
}

#[test]
fn token_new_prints_a_token_whose_hash_is_the_config_block() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args([
            "token", "new", "--name", "qlvb", "--scope", "submit", "--scope", "read",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let token = text
        .lines()
        .find_map(|l| l.strip_prefix("# kyso_"))
        .map(|t| format!("kyso_{t}"))
        .unwrap();
    let block: toml::Value = toml::from_str(
        &text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let t = &block["token"][0];
    assert_eq!(t["name"].as_str(), Some("qlvb"));
    assert_eq!(
        t["sha256"].as_str().unwrap(),
        hex::encode(kyso_verify::pki::crypto::sha256(token.as_bytes()))
    );
    assert_eq!(t["scopes"].as_array().unwrap().len(), 2);
    // Two calls, two different tokens.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["token", "new", "--name", "qlvb", "--scope", "submit"])
        .output()
        .unwrap();
    assert!(!String::from_utf8(again.stdout).unwrap().contains(&token));
}
