//! Storage faults and request limits, against the real server: a real full disk (a tmpfs
//! mounted by the test), chunked bodies over the limit, a body trickled in, concurrent
//! downloads of a large file, and the per-token upload cap.

use crate::helpers::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A small tmpfs mounted for one test (root only), unmounted on drop.
struct TmpFs(PathBuf);

impl TmpFs {
    fn mount(size: &str) -> Option<TmpFs> {
        let dir = std::env::temp_dir().join(format!("kyso-tmpfs-{}-{size}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(TmpFs(dir));
        }
        let why = "cannot mount a tmpfs (not root?): the full-disk test is skipped";
        if std::env::var_os("KYSO_REQUIRE_MOUNT").is_some() {
            panic!("{why}, but KYSO_REQUIRE_MOUNT is set");
        }
        eprintln!("{why}");
        None
    }
}

impl Drop for TmpFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Fill the file system holding `dir` until a write fails; returns the filler's path.
fn fill(dir: &Path) -> PathBuf {
    let p = dir.join("filler");
    let mut f = std::fs::File::create(&p).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    // Give back a few pages: the next upload's blob write gets part-way, then fails.
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(4 * 1024)).unwrap();
    p
}

fn wait_ready(app: &TestApp, want: u16) -> Resp {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let r = app.get("/readyz", None);
        if r.status == want || Instant::now() > until {
            return r;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_full_disk_answers_507_stores_nothing_and_recovers_by_itself() {
    crate::files_store_only!();
    let Some(fs) = TmpFs::mount("24m") else {
        return;
    };
    let data = fs.0.join("data");
    let mut app = spawn_app_in(Some(&demo_registry_toml()), 104_857_600, "", Some(&data));
    let first = fixture("pyhanko-org-then-leader.pdf");
    assert_eq!(app.upload_raw(&first).status, 201);
    assert_eq!(app.get("/readyz", None).status, 200);

    let filler = fill(&fs.0);
    let second = fixture("pyhanko-leader-april-0030.pdf");
    for _ in 0..3 {
        let r = app.upload_raw(&second);
        assert_eq!(r.status, 507, "{}", r.text());
        assert_eq!(r.json()["code"], "insufficient_storage");
        assert!(r.retry_after.is_some(), "507 carries Retry-After");
        assert!(
            !r.text().contains(&fs.0.display().to_string()),
            "no paths in the answer: {}",
            r.text()
        );
    }
    let r = app.get("/readyz", None);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["storage"]["fault"], "no_space");
    assert_eq!(
        app.get("/healthz", None).status,
        200,
        "liveness is not readiness"
    );
    // What was stored stays readable.
    let id = hex::encode(kyso_verify::pki::crypto::sha256(&first));
    assert_eq!(
        app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ))
            .body,
        first
    );

    std::fs::remove_file(filler).unwrap();
    let r = wait_ready(&app, 200);
    assert_eq!(r.status, 200, "ready again without a restart: {}", r.text());
    let r = app.upload_raw(&second);
    assert_eq!(r.status, 201, "{}", r.text());
    let second_id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        second_id,
        hex::encode(kyso_verify::pki::crypto::sha256(&second))
    );
    assert_eq!(
        app.get(&format!("/api/v1/submissions/{second_id}/pdf"), Some(READ))
            .body,
        second
    );

    // No ghost of the refused attempts, after a reindex either; every PDF hashes to its id.
    app.kill();
    let out = run_kyso(&["store", "reindex"], &app.config);
    let msg = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(msg.contains("reindexed 2 submission(s)"), "{msg}");
    let out = run_kyso(&["store", "verify"], &app.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    drop(app);
}

/// Send a request head and body by hand; returns the status line.
fn raw_request(
    addr: &str,
    head: &str,
    body: &mut dyn FnMut(&mut std::net::TcpStream) -> bool,
) -> String {
    let host = addr.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    while body(&mut s) {}
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_chunked_multipart_body_over_the_limit_is_refused_whatever_its_parts() {
    let app = spawn_app_with(Some(&demo_registry_toml()), 100_000, "");
    let pdf = fixture("pyhanko-org-then-leader.pdf");
    let (ct, mut body) = multipart(&pdf, Some("ubnd-huong-xuan"));
    // A large part named neither "file" nor "unit", before the file.
    let boundary = ct.split("boundary=").nth(1).unwrap().to_string();
    let mut big =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"padding\"\r\n\r\n")
            .into_bytes();
    big.extend(std::iter::repeat_n(b'x', 3_000_000));
    big.extend(b"\r\n");
    big.extend(body);
    body = big;
    let r = ureq::post(&app.url("/api/v1/submissions"))
        .set("Content-Type", &ct)
        .set("Authorization", &format!("Bearer {SUBMIT}"))
        .send(std::io::Cursor::new(body)); // a reader: sent chunked, no Content-Length
    let status = match r {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        // The server may close the connection once it has answered 413.
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 413);
    // A file part a little over the limit (within the multipart envelope allowance) is refused.
    let mut over = pdf.clone();
    over.extend(std::iter::repeat_n(b'\n', 100_000 + 30_000 - pdf.len()));
    let (ct, body) = multipart(&over, None);
    assert_eq!(app.post(Some(SUBMIT), &ct, &body).status, 413);
    let stored = app.stored_count();
    assert_eq!(stored, 0);
}

#[test]
fn a_body_trickled_in_is_cut_off_at_the_deadline() {
    let app = spawn_app_with(None, 104_857_600, "upload_deadline_secs = 2");
    let started = Instant::now();
    let mut sent = 0;
    let head = format!(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SUBMIT}\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n"
    );
    let status = raw_request(&app.addr, &head, &mut |s| {
        // One byte every 100 ms: the idle timer never fires, the deadline does.
        std::thread::sleep(Duration::from_millis(100));
        sent += 1;
        s.write_all(b"%").is_ok() && sent < 100
    });
    assert!(status.contains("408"), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "{:?}",
        started.elapsed()
    );
    assert!(
        std::fs::read_dir(app.data_dir().join("tmp"))
            .unwrap()
            .count()
            == 0,
        "no temporary file left"
    );
}

#[test]
fn a_token_gets_a_bounded_number_of_uploads_at_once() {
    let app = spawn_app_with(None, 104_857_600, "max_uploads_per_token = 1");
    let host = app.addr.trim_start_matches("http://").to_string();
    let mut slow = std::net::TcpStream::connect(&host).unwrap();
    write!(
        slow,
        "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SUBMIT}\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n%PDF-"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let r = app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"));
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.json()["code"], "too_many_uploads");
    assert!(r.retry_after.is_some());
    drop(slow);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn fifty_concurrent_downloads_of_a_large_file_keep_memory_flat() {
    let app = std::sync::Arc::new(spawn_app(None));
    let mut pdf = fixture("pyhanko-org-then-leader.pdf");
    pdf.extend(std::iter::repeat_n(b'\n', 10 << 20));
    let r = app.upload_raw(&pdf);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let before = peak_rss_kb(app.pid());
    let downloads: Vec<_> = (0..50)
        .map(|_| {
            let (app, id) = (app.clone(), id.clone());
            std::thread::spawn(move || {
                let r = app.get(&format!("/api/v1/submissions/{id}/pdf"), Some(READ));
                (r.status, r.body.len())
            })
        })
        .collect();
    for d in downloads {
        assert_eq!(d.join().unwrap(), (200, pdf.len()));
    }
    let after = peak_rss_kb(app.pid());
    assert!(before > 0);
    // Reading each whole file into memory would add about 500 MB.
    assert!(
        after.saturating_sub(before) < 100 * 1024,
        "peak RSS grew from {before} kB to {after} kB"
    );
    let r = ureq::get(&app.url(&format!("/api/v1/submissions/{id}/pdf")))
        .set("Authorization", &format!("Bearer {READ}"))
        .call()
        .unwrap();
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}
