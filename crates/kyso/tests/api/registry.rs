use crate::helpers::*;
use serde_json::json;

#[test]
fn import_at_start_then_edit_through_the_api_and_survive_a_restart() {
    let mut app = spawn_app(Some(&demo_registry_toml()));
    let units = app.get("/api/v1/units", Some(READ)).json();
    assert_eq!(units.as_array().unwrap().len(), 3);
    let hx = app.get("/api/v1/units/ubnd-huong-xuan", Some(READ)).json();
    assert_eq!(hx["name"], "UBND phường Hương Xuân");
    assert_eq!(hx["kind"], "commune");
    assert_eq!(hx["certificates"][0], fingerprint("leaf-org.pem").as_str());
    // Edit: a new unit, a changed leader (tenure ended in June, recorded later: a correction of
    // the months since), a bad request.
    let r = app.put_json(
        "/api/v1/units/phong-tu-phap",
        ADMIN,
        &json!({"name": "Phòng Tư pháp", "kind": "department"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = app.put_json(
        "/api/v1/leaders/nguyen-van-an?correction=ended%20in%20June",
        ADMIN,
        &json!({"name": "Nguyễn Văn An", "title": "Chủ tịch", "unit": "ubnd-huong-xuan", "from": "2025-01", "to": "2026-06",
                "certificates": [fingerprint("leaf-leader.pem")]}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let bad = app.put_json(
        "/api/v1/leaders/x",
        ADMIN,
        &json!({"name": "X", "title": "Y", "unit": "nowhere", "from": "2026-01"}),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.json()["message"]
        .as_str()
        .unwrap()
        .contains("unknown unit"));
    let dup = app.put_json("/api/v1/units/phong-tu-phap", ADMIN, &json!({"name": "Phòng Tư pháp", "kind": "department", "certificates": [fingerprint("leaf-org.pem")]}));
    assert_eq!(
        dup.status, 400,
        "a certificate is enrolled to one owner only"
    );
    let mismatch = app.put_json(
        "/api/v1/units/a",
        ADMIN,
        &json!({"id": "b", "name": "B", "kind": "commune"}),
    );
    assert_eq!(mismatch.status, 400);
    // After a hard stop and a restart the edits are still there, and the registry file's
    // import at start (an upsert) does not undo the unit added through the API.
    app.kill();
    app.start();
    assert_eq!(
        app.get("/api/v1/units/phong-tu-phap", Some(READ)).status,
        200
    );
    // At start the service credits this year's months in the background, and says so.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !app.log().contains("this year's months credited and kept")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        app.log().contains("this year's months credited and kept"),
        "{}",
        app.log()
    );
    // And again after the registry changes (the kept months were credited under the old one).
    let credited = || {
        app.log()
            .matches("this year's months credited and kept")
            .count()
    };
    let before = credited();
    let r = app.put_json(
        "/api/v1/units/phong-tu-phap",
        ADMIN,
        &json!({"name": "Phòng Tư pháp (đổi tên)", "kind": "department"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while credited() == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(credited() > before, "{}", app.log());
    let l = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    // The registry file is not applied again by itself: the end of tenure set through the API
    // stays, and the service says the file differs.
    assert_eq!(l["to"], "2026-06", "{l}");
    assert_eq!(app.get("/api/v1/leaders/x", Some(READ)).status, 404);
    let health = app.get("/healthz", Some(READ)).json();
    let warnings = health["warnings"].to_string();
    assert!(
        warnings.contains("registry file differs") && warnings.contains("leader nguyen-van-an"),
        "{warnings}"
    );
    // Who changed what, when, before and after.
    let changes = app.get("/api/v1/registry/changes", Some(READ)).json();
    let leader_change = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "leader" && c["id"] == "nguyen-van-an" && c["by"] == "admin")
        .unwrap_or_else(|| panic!("{changes}"));
    assert!(leader_change["before"]["to"].is_null());
    assert_eq!(leader_change["after"]["to"], "2026-06");
    assert!(changes
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "phong-tu-phap" && c["before"].is_null()));
    assert!(changes
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["by"] == "tệp danh mục lúc khởi động lần đầu"));
    // The explicit import shows its changes first (while the service runs: it reads the
    // files, not the store), with the past months it would rewrite, as the API's preview does.
    let file = app.dir.join("registry.toml");
    let dry = run_kyso(
        &["registry", "import", "--dry-run", file.to_str().unwrap()],
        &app.config,
    );
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success() && said.contains("leader nguyen-van-an: would change to"),
        "{said}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let api = app.post_to(
        "/api/v1/registry/import",
        ADMIN,
        "application/toml",
        &std::fs::read(&file).unwrap(),
    );
    let rewrites = api.json()["rewrites_past"].as_array().unwrap().len();
    assert_eq!(
        said.contains("without --correction"),
        rewrites > 0,
        "the command says what the API says: {said} / {}",
        api.text()
    );
    assert_eq!(
        app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json()["to"],
        "2026-06"
    );
}

#[test]
fn registry_import_command_and_reindex_work_on_a_stopped_service() {
    let mut app = spawn_app(None);
    assert_eq!(
        app.get("/api/v1/units", Some(READ))
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let file = app.dir.join("more.toml");
    std::fs::write(&file, demo_registry_toml()).unwrap();
    // While the service runs, the data directory is locked: a clear message, no damage. (In
    // PostgreSQL the database serialises writers, and the command may run beside the service.)
    if !on_postgres() {
        let busy = run_kyso(&["registry", "import", file.to_str().unwrap()], &app.config);
        assert!(!busy.status.success());
        let said = String::from_utf8_lossy(&busy.stderr);
        assert!(
            said.contains("is in use by another kyso process") && !said.contains("WouldBlock"),
            "{said}"
        );
    }
    app.kill();
    let out = run_kyso(&["registry", "import", file.to_str().unwrap()], &app.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 3 unit(s) and 3 leader(s)"));
    let bad = app.dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[unit]]\nid = \"Bad Id\"\nname = \"x\"\nkind = \"commune\"\n",
    )
    .unwrap();
    let out = run_kyso(&["registry", "import", bad.to_str().unwrap()], &app.config);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Bad Id"));
    app.start();
    assert_eq!(
        app.get("/api/v1/units", Some(READ))
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
