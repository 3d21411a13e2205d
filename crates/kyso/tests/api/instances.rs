//! Several kyso instances over one PostgreSQL database (ARCHITECTURE.md, "The PostgreSQL
//! store"): one SIGKILLed during concurrent uploads loses nothing acknowledged, the same bytes
//! sent to two instances at once are stored once, the month table is the same on every
//! instance, and a database that goes away gives 503s and comes back without a restart.
//!
//! These need a PostgreSQL server (`KYSO_TEST_POSTGRES`, which `.ci/run` starts); without one
//! they are skipped with a message, unless `KYSO_REQUIRE_POSTGRES=1`. They run in the suite's
//! first run only (they make their own databases whatever `KYSO_TEST_STORE` says).

use crate::helpers::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The database for these tests, or `None` (skip) when no server is given.
fn database() -> Option<String> {
    if on_postgres() {
        return None;
    }
    if std::env::var("KYSO_TEST_POSTGRES").is_err() {
        assert!(
            std::env::var("KYSO_REQUIRE_POSTGRES").is_err(),
            "KYSO_REQUIRE_POSTGRES=1 but no KYSO_TEST_POSTGRES (source .ci/postgres.sh; pg_start)"
        );
        eprintln!("skipped: no PostgreSQL server (KYSO_TEST_POSTGRES); .ci/run starts one");
        return None;
    }
    Some(new_database())
}

/// An instance over the database at `via`; `direct` is that database's own address (for the
/// test's queries).
fn instance(via: &str, direct: &str) -> TestApp {
    let reg = demo_registry_toml();
    let mut app = spawn_app_with(
        Some(reg.as_str()),
        104_857_600,
        &format!("store = {via:?}\nstore_pool = 4"),
    );
    app.database = Some(direct.to_string());
    app
}

fn upload(url: &str, pdf: &[u8]) -> Result<(u16, serde_json::Value), String> {
    let r = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build()
        .post(&format!("{url}/api/v1/submissions"))
        .set("Content-Type", "application/pdf")
        .set("Authorization", &format!("Bearer {SUBMIT}"))
        .send_bytes(pdf);
    match r {
        Ok(resp) => Ok((resp.status(), resp.into_json().unwrap_or_default())),
        Err(ureq::Error::Status(code, resp)) => Ok((code, resp.into_json().unwrap_or_default())),
        Err(e) => Err(e.to_string()),
    }
}

/// Ask `app` until `f` holds (another instance's change reaches this one through the
/// database's announcements, a moment after it was acknowledged).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_instances_one_killed_lose_nothing_acknowledged_and_agree() {
    let Some(url) = database() else { return };
    let mut a = instance(&url, &url);
    let b = instance(&url, &url);
    let base = fixture("pyhanko-org-then-leader.pdf");
    // The same bytes to both at once: stored once, one 201 and one 200.
    let same = variant(&base, 100_000);
    let (ua, ub) = (a.addr.clone(), b.addr.clone());
    let (s1, s2) = (same.clone(), same.clone());
    let t1 = std::thread::spawn(move || upload(&ua, &s1).unwrap().0);
    let t2 = std::thread::spawn(move || upload(&ub, &s2).unwrap().0);
    let mut both = [t1.join().unwrap(), t2.join().unwrap()];
    both.sort();
    assert_eq!(both, [200, 201], "the same bytes at two instances at once");

    // Sixteen connections over both instances; A is killed in the middle.
    let acked = Arc::new(Mutex::new(vec![(String::new(), same)]));
    acked.lock().unwrap()[0].0 = a.sql("SELECT id FROM submissions");
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (acked, base) = (acked.clone(), base.clone());
            let url = if t % 2 == 0 {
                a.addr.clone()
            } else {
                b.addr.clone()
            };
            std::thread::spawn(move || {
                for i in 0..200 {
                    let pdf = variant(&base, t * 1000 + i);
                    match upload(&url, &pdf) {
                        Ok((201, v)) => acked
                            .lock()
                            .unwrap()
                            .push((v["id"].as_str().unwrap().to_string(), pdf)),
                        Ok((s, v)) => panic!("unexpected status {s}: {v}"),
                        Err(_) => return, // its instance is gone
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 150 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    a.kill();
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 150, "only {} acknowledged", acked.len());
    // Every acknowledged file is on the surviving instance, with its own bytes.
    for (id, pdf) in &acked {
        let r = b.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ));
        assert_eq!(r.status, 200, "acknowledged submission {id} lost");
        assert!(r.body == *pdf, "{id}: other bytes");
    }
    // Stored once each: the database's rows, B's count and listing agree; nothing more than
    // the uploads in flight at the kill (one per connection) appears.
    let rows: usize = b.sql("SELECT count(*) FROM submissions").parse().unwrap();
    assert!(
        rows >= acked.len() && rows <= acked.len() + 8,
        "{rows} rows, {} acknowledged",
        acked.len()
    );
    eventually("B counts every row", || {
        b.get("/healthz", Some(READ)).json()["submissions"].as_u64() == Some(rows as u64)
    });
    // A again: it reads the database at start; both give the same month table.
    a.start();
    let table = |app: &TestApp| app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    eventually("the month table is the same on both", || {
        table(&a) == table(&b)
    });
    let t = table(&b);
    assert_eq!(t["totals"]["organisation_satisfied"], 1, "{t}");
    // One credit however many copies: the unit's submissions list each file once.
    let listed = t["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "ubnd-huong-xuan")
        .map(|u| u["organisation"]["submissions"].as_array().unwrap().len())
        .unwrap();
    assert_eq!(listed, rows, "each stored file credited once");
}

/// A TCP relay between the instances and the database that the test can cut and mend.
struct Relay {
    addr: String,
    cut: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn to(target: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let live = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
        let (c, l, target) = (cut.clone(), live.clone(), target.to_string());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: the database is unreachable
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                l.lock()
                    .unwrap()
                    .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Relay { addr, cut, live }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.live.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 1 << 16];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Both);
    });
}

#[test]
fn a_database_gone_gives_503s_and_recovers_without_a_restart() {
    let Some(url) = database() else { return };
    let (server, name) = url.rsplit_once('/').unwrap();
    let target = server.rsplit_once('@').unwrap().1.to_string();
    let relay = Relay::to(&target);
    let via = format!("postgres://kyso@{}/{name}", relay.addr);
    let app = instance(&via, &url);
    let other = instance(&url, &url);
    let base = fixture("pyhanko-org-then-leader.pdf");
    assert_eq!(upload(&app.addr, &variant(&base, 1)).unwrap().0, 201);
    relay.cut();
    // Meanwhile another instance, which still reaches the database, stores a file: its
    // announcement cannot reach the cut one.
    assert_eq!(upload(&other.addr, &variant(&base, 7)).unwrap().0, 201);
    // While it is gone: uploads answer 503 with Retry-After, nothing is acknowledged.
    let r = ureq::post(&app.url("/api/v1/submissions"))
        .set("Content-Type", "application/pdf")
        .set("Authorization", &format!("Bearer {SUBMIT}"))
        .send_bytes(&variant(&base, 2));
    match r {
        Err(ureq::Error::Status(503, resp)) => {
            assert!(resp.header("Retry-After").is_some());
            let v: serde_json::Value = resp.into_json().unwrap();
            assert_eq!(v["code"], "storage_unavailable", "{v}");
        }
        other => panic!("upload with the database gone: {other:?}"),
    }
    let ready = app.get("/readyz", None);
    assert_eq!(ready.status, 503, "{}", ready.text());
    assert!(ready.json()["reasons"]
        .as_array()
        .unwrap()
        .contains(&"storage".into()));
    // Back: the same instance takes uploads again, by itself.
    relay.mend();
    eventually("ready again", || app.get("/readyz", None).status == 200);
    assert_eq!(upload(&app.addr, &variant(&base, 3)).unwrap().0, 201);
    // The upload refused while it was gone is not in the database, the others are.
    let ids = app.sql("SELECT count(*) FROM submissions");
    assert_eq!(ids, "3");
    assert_eq!(upload(&app.addr, &variant(&base, 2)).unwrap().0, 201);
    // What was written elsewhere while it was cut off reaches it too (it reads the database
    // again after its listening connection came back), and both count the same.
    eventually("the cut instance knows the other's file", || {
        app.get("/healthz", Some(READ)).json()["submissions"] == 4
            && other.get("/healthz", Some(READ)).json()["submissions"] == 4
    });
}

#[test]
fn a_registry_write_built_on_an_older_version_is_refused() {
    use kyso::store::postgres::{Database, Write, Written};
    let Some(url) = database() else { return };
    let a = Database::open(&url, 1).unwrap();
    let b = Database::open(&url, 1).unwrap();
    let seen = a.registry_version().unwrap();
    let settings = |hidden: &str| Write {
        settings: Some(serde_json::json!({ "hidden_certificates": [hidden] })),
        registry_base: Some(seen),
        ..Default::default()
    };
    // Both read the registry at the same version; the first write goes in ...
    assert_eq!(
        b.write(settings("aa")).unwrap(),
        Written::Done(Some(seen + 1))
    );
    // ... and the second, built on what it read before, is refused and changes nothing.
    assert_eq!(a.write(settings("bb")).unwrap(), Written::RegistryMoved);
    assert_eq!(
        a.settings().unwrap().unwrap()["hidden_certificates"],
        serde_json::json!(["aa"])
    );
    assert_eq!(a.registry_version().unwrap(), seen + 1);
}

#[test]
fn background_work_takes_turns_across_instances() {
    use kyso::store::postgres::{Database, Work};
    let Some(url) = database() else { return };
    let a = Database::open(&url, 1).unwrap();
    let b = Database::open(&url, 1).unwrap();
    let held = a.turn(Work::Reminders).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _turn = b.turn(Work::Reminders).unwrap();
        tx.send(Instant::now()).unwrap();
    });
    // The second instance waits while the first holds the reminders' turn...
    assert!(rx.recv_timeout(Duration::from_millis(700)).is_err());
    // ... other work does not wait for it ...
    drop(a.turn(Work::Crediting).unwrap());
    // ... and its turn comes once the first lets go.
    let released = Instant::now();
    drop(held);
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(got >= released);
    waiter.join().unwrap();
}

fn migrate(from: &str, to: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["store", "migrate", "--from", from, "--to", to])
        .env_remove("KYSO_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn a_store_migrates_to_postgresql_and_back_with_the_same_figures() {
    let Some(url) = database() else { return };
    let mut files = spawn_app(Some(&demo_registry_toml()));
    for f in [
        "pyhanko-org-then-leader.pdf",
        "pyhanko-leader-april-0030.pdf",
        "openssl-tampered-content.pdf",
    ] {
        assert_eq!(files.upload_raw(&fixture(f)).status, 201);
    }
    let closed = ureq::post(&files.url("/api/v1/periods/2026-03/close"))
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .send_string("");
    assert_eq!(closed.map(|r| r.status()).unwrap_or(0), 201);
    let figures = |app: &TestApp| {
        (
            app.get("/api/v1/compliance/2026-03", Some(READ)).json(),
            app.get("/api/v1/compliance/2026-04", Some(READ)).json(),
            app.get("/api/v1/periods", Some(READ)).json(),
            app.get("/api/v1/submissions?month=2026-03", Some(READ))
                .json(),
        )
    };
    let before = figures(&files);
    files.kill();
    let data = files.data_dir().display().to_string();
    let out = migrate(&data, &url);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.starts_with("migrated 3 submission(s)"), "{said}");
    // A service over the database gives the same figures, the closed month included.
    let pg = instance(&url, &url);
    assert_eq!(figures(&pg), before);
    assert_eq!(pg.sql("SELECT count(*) FROM periods"), "1");
    // Into a store that holds something already: refused, nothing changed.
    let again = migrate(&data, &url);
    assert!(!again.status.success());
    assert_eq!(pg.sql("SELECT count(*) FROM submissions"), "3");
    // And back into a new data directory.
    let back = files.dir.join("back");
    let out = migrate(&url, &back.display().to_string());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files_again = spawn_app_in(None, 104_857_600, "", Some(&back));
    assert_eq!(figures(&files_again), before);
}

#[test]
fn with_store_ca_the_database_is_reached_over_tls_and_checked() {
    let Some(url) = database() else { return };
    let Ok(ca) = std::env::var("KYSO_TEST_POSTGRES_CA") else {
        eprintln!("skipped: the test server offers no TLS (KYSO_TEST_POSTGRES_CA); .ci/postgres.sh makes one");
        return;
    };
    let mut app = spawn_app_with(
        Some(&demo_registry_toml()),
        104_857_600,
        &format!("store = {url:?}\nstore_ca = {ca:?}"),
    );
    app.database = Some(url.clone());
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
    // Every connection of the service to its database is TLS (the query's own aside).
    let others = "FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                  WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()";
    let tls: u32 = app
        .sql(&format!("SELECT count(*) {others} AND s.ssl"))
        .parse()
        .unwrap();
    let plain: u32 = app
        .sql(&format!("SELECT count(*) {others} AND NOT s.ssl"))
        .parse()
        .unwrap();
    assert!(
        tls >= 2 && plain == 0,
        "{tls} TLS, {plain} plain connections"
    );
    // A CA that did not issue the server's certificate: refused, saying why.
    let config = std::fs::read_to_string(&app.config).unwrap();
    let wrong = app.dir.join("wrong-ca.toml");
    std::fs::write(
        &wrong,
        config.replace(&ca, pki("root.pem").to_str().unwrap()),
    )
    .unwrap();
    let out = run_kyso(&["store", "verify"], &wrong);
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(said.contains("certificate"), "{said}");
    // An address asking for TLS without a CA to check it with: refused, naming the setting.
    let bare = app.dir.join("no-ca.toml");
    let text = config
        .replace(&format!("store_ca = {ca:?}"), "")
        .replace(&format!("{url:?}"), &format!("\"{url}?sslmode=require\""));
    std::fs::write(&bare, text).unwrap();
    let out = run_kyso(&["store", "verify"], &bare);
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(said.contains("store_ca"), "{said}");
}

#[test]
fn a_pg_dump_restores_into_a_store_with_the_same_figures_and_intact_files() {
    let Some(url) = database() else { return };
    let app = instance(&url, &url);
    for f in [
        "pyhanko-org-then-leader.pdf",
        "pyhanko-leader-april-0030.pdf",
    ] {
        assert_eq!(app.upload_raw(&fixture(f)).status, 201);
    }
    let table = |a: &TestApp| a.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let before = table(&app);
    // The README's backup: pg_dump while the service runs, pg_restore into a new database.
    let dump = app.dir.join("kyso.dump");
    let out = std::process::Command::new("pg_dump")
        .args(["--format=custom", "-f"])
        .arg(&dump)
        .arg(&url)
        .output()
        .expect("pg_dump (Debian package postgresql-client)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = new_database();
    let out = std::process::Command::new("pg_restore")
        .args(["--no-owner", "-d", &copy])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored = instance(&copy, &copy);
    assert_eq!(table(&restored), before);
    // `kyso store verify` reads every PDF back and checks it against its SHA-256, with an
    // index of its own in a scratch directory that it removes.
    let scratch = restored.dir.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["store", "verify", "--config"])
        .arg(&restored.config)
        .env_remove("KYSO_CONFIG")
        .env("TMPDIR", &scratch)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("2 record(s), 2 PDF(s), 2 indexed"), "{said}");
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "scratch left behind"
    );
    // A damaged chunk is found by the check, and its download is refused, not sent.
    restored.sql(
        "UPDATE blob_chunks SET bytes = set_byte(bytes, 100, (get_byte(bytes, 100) + 1) % 256)",
    );
    let out = run_kyso(&["store", "verify"], &restored.config);
    assert!(!out.status.success());
    let id = restored.sql("SELECT id FROM blobs LIMIT 1");
    let r = restored.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ));
    assert_eq!(r.status, 503, "{}", r.text());
}

#[test]
fn a_field_name_with_a_nul_is_stored_without_failing_its_batch() {
    let Some(url) = database() else { return };
    let app = instance(&url, &url);
    // The signature field renamed `ChuKy\0LanhDa` (PDF escape `\000`): its signature no longer
    // covers the file, but the upload is evidence all the same, and its record carries the
    // name. `jsonb` would refuse the U+0000 and fail every upload of the batch.
    let pdf = fixture("pyhanko-leader-april-0030.pdf");
    let from = b"/T (ChuKyLanhDao)";
    let at = pdf.windows(from.len()).position(|w| w == from).unwrap();
    let mut bad = pdf.clone();
    bad[at..at + from.len()].copy_from_slice(b"/T (ChuKy\\000Dao)");
    let (ua, ub) = (app.addr.clone(), app.addr.clone());
    let (b1, ok) = (bad.clone(), fixture("pyhanko-org-then-leader.pdf"));
    // Sent together, so that they may share a batch.
    let t1 = std::thread::spawn(move || upload(&ua, &b1).unwrap());
    let t2 = std::thread::spawn(move || upload(&ub, &ok).unwrap());
    let (r1, r2) = (t1.join().unwrap(), t2.join().unwrap());
    assert_eq!(r1.0, 201, "{}", r1.1);
    assert_eq!(r2.0, 201, "{}", r2.1);
    let id = r1.1["id"].as_str().unwrap().to_string();
    let field = &app.stored_record(&id)["report"]["signatures"][0]["field"];
    assert_eq!(field, "ChuKy\u{0}Dao", "{field}");
    assert_eq!(app.get("/readyz", None).status, 200);
}
