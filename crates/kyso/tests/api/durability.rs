use crate::helpers::*;

#[test]
fn restart_and_a_lost_index_lose_nothing() {
    let mut app = spawn_app(Some(&demo_registry_toml()));
    let mut ids = Vec::new();
    for f in [
        "pyhanko-org-then-leader.pdf",
        "pyhanko-leader-april-0030.pdf",
        "openssl-tampered-content.pdf",
    ] {
        let r = app.upload_raw(&fixture(f));
        assert_eq!(r.status, 201);
        ids.push((r.json()["id"].as_str().unwrap().to_string(), fixture(f)));
    }
    let before = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    // A plain restart.
    app.restart();
    for (id, bytes) in &ids {
        assert_eq!(
            app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ))
                .body,
            *bytes
        );
    }
    assert_eq!(
        app.get("/api/v1/compliance/2026-03", Some(READ)).json(),
        before
    );
    // The sled index deleted: it is rebuilt from the fsynced files at start.
    app.kill();
    std::fs::remove_dir_all(app.data_dir().join("index")).unwrap();
    app.start();
    assert_eq!(app.get("/healthz", Some(READ)).json()["submissions"], 3);
    assert_eq!(
        app.get("/api/v1/compliance/2026-03", Some(READ)).json(),
        before
    );
    let april = app.get("/api/v1/compliance/2026-04", Some(READ)).json();
    assert_eq!(april["totals"]["leaders_satisfied"], 1);
    // And by the command, with the service stopped.
    app.kill();
    let out = run_kyso(&["store", "reindex"], &app.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let msg = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        msg.contains("reindexed 3 submission(s), 3 unit(s), 3 leader(s)"),
        "{msg}"
    );
    app.start();
    assert_eq!(
        app.get("/api/v1/compliance/2026-03", Some(READ)).json(),
        before
    );
    // The schema version is recorded for later migrations.
    let version = match app.database {
        Some(_) => app.sql("SELECT max(version) FROM kyso_migrations"),
        None => std::fs::read_to_string(app.data_dir().join("VERSION"))
            .unwrap()
            .trim()
            .to_string(),
    };
    assert_eq!(version, "1");
}

#[test]
fn sigkill_during_uploads_loses_no_acknowledged_submission() {
    let mut app = spawn_app(Some(&demo_registry_toml()));
    let base = fixture("pyhanko-org-then-leader.pdf");
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, Vec<u8>)>::new()));
    let addr_app = std::sync::Arc::new(std::sync::Mutex::new(()));
    let mut threads = Vec::new();
    // As many connections as the benchmark (bench/upload.sh 16): commits share their syncs.
    for t in 0..16 {
        let acked = acked.clone();
        let base = base.clone();
        let url = app.addr.clone();
        let _ = &addr_app;
        threads.push(std::thread::spawn(move || {
            let client = ureq::AgentBuilder::new()
                .timeout(std::time::Duration::from_secs(20))
                .build();
            for i in 0..400 {
                let pdf = variant(&base, t * 1000 + i);
                let r = client
                    .post(&format!("{url}/api/v1/submissions"))
                    .set("Content-Type", "application/pdf")
                    .set("Authorization", &format!("Bearer {SUBMIT}"))
                    .send_bytes(&pdf);
                match r {
                    Ok(resp) if resp.status() == 201 => {
                        let v: serde_json::Value = resp.into_json().unwrap();
                        acked
                            .lock()
                            .unwrap()
                            .push((v["id"].as_str().unwrap().to_string(), pdf));
                    }
                    Ok(resp) => panic!("unexpected status {}", resp.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    // Let some uploads complete, then kill the server in the middle of others.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while acked.lock().unwrap().len() < 200 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    app.kill();
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 200,
        "only {} uploads acknowledged before the kill",
        acked.len()
    );
    app.start();
    for (id, pdf) in &acked {
        let r = app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ));
        assert_eq!(r.status, 200, "acknowledged submission {id} lost");
        assert_eq!(&r.body, pdf);
    }
    // Nothing half-written is visible: every stored record has its bytes.
    let count = app.get("/healthz", Some(READ)).json()["submissions"]
        .as_u64()
        .unwrap() as usize;
    assert!(count >= acked.len());
    // Nothing else appears: at most the one upload per connection in flight at the kill.
    assert!(
        count <= acked.len() + 16,
        "{count} stored, {} acknowledged",
        acked.len()
    );
    app.kill();
    let out = run_kyso(&["store", "verify"], &app.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    app.start();
    assert_eq!(
        std::fs::read_dir(app.data_dir().join("tmp"))
            .unwrap()
            .count(),
        0
    );
}
