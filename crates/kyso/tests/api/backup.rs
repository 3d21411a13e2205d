//! `kyso store backup` and `kyso store restore`, end to end: a backup of a real service's data,
//! restored into a new data directory, serves the same receipts and verifies clean; a damaged
//! backup restores nothing.

use crate::helpers::*;

#[test]
fn a_backup_restores_the_same_evidence_and_a_damaged_one_nothing() {
    crate::files_store_only!();
    let mut app = spawn_app(Some(&demo_registry_toml()));
    let mut ids = Vec::new();
    for f in [
        "pyhanko-org-then-leader.pdf",
        "pyhanko-expired.pdf",
        "pyhanko-leader-april-0030.pdf",
    ] {
        let r = app.upload_raw(&fixture(f));
        assert_eq!(r.status, 201, "{}", r.text());
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let receipts: Vec<String> = ids
        .iter()
        .map(|id| {
            app.get(&format!("/api/v1/submissions/{id}"), Some(READ))
                .text()
        })
        .collect();
    app.kill();

    let backup = app.dir.join("backup");
    let out = run_kyso(&["store", "backup", backup.to_str().unwrap()], &app.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up 3 submission(s)"));
    assert!(backup.join("MANIFEST.json").is_file());
    assert!(!backup.join("index").exists(), "the index is not backed up");
    // A second backup into the same directory is refused.
    let again = run_kyso(&["store", "backup", backup.to_str().unwrap()], &app.config);
    assert_eq!(again.status.code(), Some(1));

    // Restore into a new data directory under a configuration that points there.
    let restored_dir = app.dir.join("restored");
    let config_text = std::fs::read_to_string(&app.config).unwrap().replace(
        &format!("data_dir = {:?}", app.data_dir().display().to_string()),
        &format!("data_dir = {:?}", restored_dir.display().to_string()),
    );
    let restored_config = app.dir.join("restored.toml");
    std::fs::write(&restored_config, &config_text).unwrap();
    let out = run_kyso(
        &["store", "restore", backup.to_str().unwrap()],
        &restored_config,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("restored 3 submission(s)") && text.contains("all consistent"),
        "{text}"
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !said.contains("interrupted") && !said.contains("WARN"),
        "a clean restore is quiet: {said}"
    );
    // Restoring over a store is refused.
    let over = run_kyso(
        &["store", "restore", backup.to_str().unwrap()],
        &restored_config,
    );
    assert_eq!(over.status.code(), Some(1));

    app.config = restored_config;
    app.start();
    for (id, before) in ids.iter().zip(&receipts) {
        let after = app.get(&format!("/api/v1/submissions/{id}"), Some(READ));
        assert_eq!(&after.text(), before, "the receipt of {id} after restore");
        let pdf = app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ));
        assert_eq!(
            hex::encode(kyso_verify::pki::crypto::sha256(&pdf.body)),
            *id
        );
    }
    app.kill();

    // A flipped byte in a backed-up PDF: the restore refuses and writes nothing.
    let blob = walk(&backup.join("blobs")).into_iter().next().unwrap();
    let mut bytes = std::fs::read(&blob).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let fresh = app.dir.join("fresh");
    let cfg = app.dir.join("fresh.toml");
    std::fs::write(
        &cfg,
        config_text.replace(
            &format!("data_dir = {:?}", restored_dir.display().to_string()),
            &format!("data_dir = {:?}", fresh.display().to_string()),
        ),
    )
    .unwrap();
    let out = run_kyso(&["store", "restore", backup.to_str().unwrap()], &cfg);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("damaged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !fresh.join("blobs").exists(),
        "nothing restored from a damaged backup"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The review's forged backup: a record edited on the backup medium (an unsigned PDF's record
/// rewritten to say "valid" for a past month) with its hash fixed in the manifest. The seal,
/// made with the key beside the configuration, no longer matches: nothing is restored, and the
/// refusal says why. A backup without its manifest says what it is; `store verify` finds a
/// report that describes another file.
#[test]
fn a_forged_backup_is_refused_and_a_report_must_describe_its_own_file() {
    crate::files_store_only!();
    let mut app = spawn_app(Some(&demo_registry_toml()));
    let valid = app
        .upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
        .json();
    let unsigned = app.upload_raw(&fixture("unsigned.pdf")).json();
    app.kill();
    let backup = app.dir.join("backup");
    let out = run_kyso(&["store", "backup", backup.to_str().unwrap()], &app.config);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("sealed") && said.contains("A new backup key"),
        "{said}"
    );
    let key = app.dir.join("backup.key");
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    assert!(
        walk(&backup).iter().all(|p| !p.ends_with("backup.key")),
        "the key is not in the backup"
    );

    // The forgery: the unsigned file's record takes the valid file's report.
    let id = unsigned["id"].as_str().unwrap();
    let rel = format!("submissions/{}/{id}.json", &id[..2]);
    let mut record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join(&rel)).unwrap()).unwrap();
    record["report"] = valid["report"].clone();
    let forged = serde_json::to_vec_pretty(&record).unwrap();
    std::fs::write(backup.join(&rel), &forged).unwrap();
    let mpath = backup.join("MANIFEST.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
    for e in manifest["files"].as_array_mut().unwrap() {
        if e["path"] == rel.as_str() {
            e["sha256"] = hex::encode(kyso_verify::pki::crypto::sha256(&forged)).into();
            e["size"] = forged.len().into();
        }
    }
    std::fs::write(&mpath, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();

    let restored = app.dir.join("restored");
    let cfg = app.dir.join("restored.toml");
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&app.config).unwrap().replace(
            &format!("data_dir = {:?}", app.data_dir().display().to_string()),
            &format!("data_dir = {:?}", restored.display().to_string()),
        ),
    )
    .unwrap();
    let out = run_kyso(&["store", "restore", backup.to_str().unwrap()], &cfg);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("seal does not match"), "{err}");
    assert!(!restored.join("blobs").exists(), "nothing restored");

    // Without the key, a restore is refused before it reads anything.
    std::fs::rename(&key, app.dir.join("elsewhere.key")).unwrap();
    let out = run_kyso(&["store", "restore", backup.to_str().unwrap()], &cfg);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("backup key"), "{err}");

    // The operator's word restores it unsealed; then `store verify` still finds the forgery:
    // the report describes the valid file, not the bytes it is stored with.
    let out = run_kyso(
        &["store", "restore", "--unsealed", backup.to_str().unwrap()],
        &cfg,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("describes another file"), "{text}");
    let out = run_kyso(&["store", "verify"], &cfg);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains(&format!("{id}: its report describes another file")));

    // A backup cut short before its manifest says what it is.
    std::fs::remove_file(&mpath).unwrap();
    let fresh = app.dir.join("fresh.toml");
    std::fs::write(
        &fresh,
        std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("restored", "fresh"),
    )
    .unwrap();
    let out = run_kyso(
        &["store", "restore", "--unsealed", backup.to_str().unwrap()],
        &fresh,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a complete kyso backup"), "{err}");
}
