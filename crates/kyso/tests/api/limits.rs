//! Limits that hold whatever the entry point, and the review's low findings (issue 22): sign-in
//! failures slow an address down but never lock a right token out, and a foreign form counts
//! for nothing; signing out ends any session; bearer tokens and media types are read exactly;
//! answers are never sniffed nor cached; a reason is one line; a duplicate upload does not tell
//! another client who sent the file first; a registry file of empty tables is refused before it
//! is parsed; page uploads take a place per file and hold bounded memory.

use crate::helpers::*;
use crate::ui_upload::sign_in;

/// The sign-in form's nonce cookie and value.
fn nonce(app: &TestApp) -> (String, String) {
    let agent = ureq::builder().redirects(0).build();
    let r = agent.get(&app.url("/ui/dang-nhap")).call().unwrap();
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let value = cookie.split_once('=').unwrap().1.to_string();
    (cookie, value)
}

fn post_login(
    app: &TestApp,
    cookie: Option<&str>,
    csrf: &str,
    token: &str,
) -> (u16, Option<String>) {
    let agent = ureq::builder().redirects(0).build();
    let mut req = agent.post(&app.url("/ui/dang-nhap"));
    if let Some(c) = cookie {
        req = req.set("Cookie", c);
    }
    match req.send_form(&[("token", token), ("csrf", csrf)]) {
        Ok(r) => (r.status(), r.header("retry-after").map(str::to_string)),
        Err(ureq::Error::Status(s, r)) => (s, r.header("retry-after").map(str::to_string)),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn wrong_tokens_slow_an_address_down_but_a_right_one_always_gets_in() {
    let app = spawn_app(Some(&demo_registry_toml()));
    // A foreign page's forms (no nonce cookie) count for nothing, however many.
    for _ in 0..20 {
        let (status, _) = post_login(&app, None, "forged", "guess");
        assert_eq!(status, 200, "a fresh form, no counting");
    }
    // Five wrong tokens with a valid form: each answered with the form again.
    for _ in 0..5 {
        let (c, v) = nonce(&app);
        assert_eq!(post_login(&app, Some(&c), &v, "guess").0, 200);
    }
    // The sixth must wait, and is told how long.
    let (c, v) = nonce(&app);
    let (status, retry) = post_login(&app, Some(&c), &v, "guess");
    assert_eq!(status, 429);
    assert!(retry.is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    // A real user behind the same address still gets in.
    let (c, v) = nonce(&app);
    assert_eq!(
        post_login(&app, Some(&c), &v, READ).0,
        303,
        "the right token is never locked out"
    );
}

#[test]
fn signing_out_ends_a_submit_only_session() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let cookie = sign_in(&app, SUBMIT);
    let page = ureq::get(&app.url("/ui/nop"))
        .set("Cookie", &cookie)
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(page.contains("Nộp hồ sơ"), "{page}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let agent = ureq::builder().redirects(0).build();
    let r = agent
        .post(&app.url("/ui/dang-xuat"))
        .set("Cookie", &cookie)
        .send_form(&[("csrf", &csrf)])
        .unwrap();
    assert_eq!(r.status(), 303);
    let after = agent
        .get(&app.url("/ui/nop"))
        .set("Cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(
        after.status(),
        303,
        "the old cookie no longer opens the page"
    );
    assert_eq!(after.header("location"), Some("/ui/dang-nhap"));
}

#[test]
fn tokens_and_media_types_are_read_exactly_and_answers_are_not_sniffed_or_kept() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let pdf = fixture("pyhanko-org-pades.pdf");
    let with = |auth: &str| {
        let r = ureq::get(&app.url("/api/v1/compliance/2026-03"))
            .set("Authorization", auth)
            .call();
        match r {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(s, _)) => s,
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(with(&format!("Bearer {READ}")), 200);
    assert_eq!(with(&format!("Bearer  {READ}")), 401, "two spaces");
    // (A space after the token is the header's own whitespace, trimmed by HTTP itself:
    // RFC 9110 §5.5.)
    assert_eq!(
        with(&format!("bearer {READ}")),
        401,
        "the scheme as RFC 6750 writes it"
    );
    let r = app.post(Some(SUBMIT), "application/pdfx-evil", &pdf);
    assert_eq!(r.status, 415, "{}", r.text());
    let r = app.post(Some(SUBMIT), "application/pdf; charset=binary", &pdf);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    for path in [
        format!("/api/v1/submissions/{id}"),
        "/api/v1/nowhere".into(),
    ] {
        let r = ureq::get(&app.url(&path))
            .set("Authorization", &format!("Bearer {READ}"))
            .call();
        let r = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[test]
fn a_late_files_reason_is_one_line() {
    let app = spawn_app_with(
        Some(&demo_registry_toml()),
        104_857_600,
        "accept_implausible_signing_time = false",
    );
    let r = app.upload_raw(&fixture("pyhanko-org-pades.pdf"));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/submissions/{id}/accept-late");
    for bad in ["ok\u{1b}[31m", "line\nbreak", "\u{202e}gnol", "nul\u{0}"] {
        let body = serde_json::json!({ "reason": bad }).to_string();
        let r = app.post_to(&path, ADMIN, "application/json", body.as_bytes());
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text());
    }
    let body = serde_json::json!({ "reason": "Công văn 12/VP ngày 02/04" }).to_string();
    let r = app.post_to(&path, ADMIN, "application/json", body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn a_duplicate_upload_does_not_tell_another_client_who_sent_it() {
    let mut app = spawn_app(Some(&demo_registry_toml()));
    app.kill();
    let tokens = [
        ("submitter", SUBMIT, "submit"),
        ("reader", READ, "read"),
        ("admin", ADMIN, "submit+read+admin"),
        ("other", "another-submit-token", "submit"),
    ];
    let list: Vec<String> = tokens
        .iter()
        .map(|(n, t, s)| format!("{n}:{}:{s}", sha256_hex(t)))
        .collect();
    app.env.push(("KYSO_TOKEN".into(), list.join(",")));
    app.start();
    let pdf = fixture("pyhanko-org-then-leader.pdf");
    let (ct, body) = multipart_named(&pdf, Some("ubnd-huong-xuan"), "bao-cao-thang-3.pdf");
    let first = app.post(Some(SUBMIT), &ct, &body);
    assert_eq!(first.status, 201);
    assert_eq!(first.json()["client"], "submitter");
    let again = app.post(Some("another-submit-token"), "application/pdf", &pdf);
    assert_eq!(again.status, 200);
    let r = again.json();
    for field in ["client", "file_name", "unit"] {
        assert!(
            r.get(field).is_none(),
            "{field} shown to another client: {r}"
        );
    }
    assert_eq!(
        r["id"],
        first.json()["id"],
        "the same file, and its verdict"
    );
    // The first sender and a reader still see them.
    let mine = app.post(Some(SUBMIT), "application/pdf", &pdf).json();
    assert_eq!(mine["client"], "submitter");
    assert_eq!(mine["file_name"], "bao-cao-thang-3.pdf");
}

#[test]
fn a_registry_file_of_empty_tables_is_refused_before_it_is_parsed() {
    let app = spawn_app(None);
    let mut text = String::from("x = [");
    while text.len() < 30 << 20 {
        text.push_str("{},");
    }
    text.push(']');
    let started = std::time::Instant::now();
    let r = app.post_to(
        "/api/v1/registry/import",
        ADMIN,
        "application/toml",
        text.as_bytes(),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("tables and arrays"), "{}", r.text());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let peak = peak_rss_mb(app.pid());
    assert!(peak < 400, "the server's peak memory was {peak} MB");
}

/// The server's peak resident memory (VmHWM), in MB.
pub fn peak_rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
        / 1024
}

/// 32 page uploads of 20 files of 1 MB at once by one token: each file takes a place of the
/// token's 32 uploads in progress, so most forms are refused (429) rather than held; the server
/// stays within bounded memory and `tmp/` is empty afterwards.
#[test]
fn page_uploads_take_a_place_per_file_and_hold_bounded_memory() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let cookie = sign_in(&app, SUBMIT);
    let form = ureq::get(&app.url("/ui/nop"))
        .set("Cookie", &cookie)
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let csrf = form
        .split("csrf=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let base = fixture("pyhanko-org-pades.pdf");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let jobs: Vec<_> = (0..32)
            .map(|n| {
                let (app, cookie, csrf, base) = (&app, &cookie, &csrf, &base);
                s.spawn(move || {
                    let boundary = "kysoLimitsBoundary";
                    let mut body = Vec::new();
                    for f in 0..20 {
                        let mut pdf = base.clone();
                        pdf.extend(std::iter::repeat_n(b' ', 1 << 20));
                        pdf.extend(format!("%{n}-{f}\n").as_bytes());
                        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{n}-{f}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
                        body.extend(pdf);
                        body.extend(b"\r\n");
                    }
                    body.extend(format!("--{boundary}--\r\n").as_bytes());
                    let r = ureq::post(&app.url(&format!("/ui/nop?csrf={csrf}")))
                        .set("Cookie", cookie)
                        .set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
                        .send_bytes(&body);
                    match r {
                        Ok(r) => r.status(),
                        Err(ureq::Error::Status(s, _)) => s,
                        Err(_) => 0,
                    }
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    assert!(
        statuses.iter().all(|s| matches!(s, 200 | 429 | 0)),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&429),
        "places are taken per file: {statuses:?}"
    );
    let peak = peak_rss_mb(app.pid());
    assert!(
        peak < 500,
        "the server's peak memory was {peak} MB: {statuses:?}"
    );
    let tmp = app.data_dir().join("tmp");
    let left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "tmp/ is emptied as each request ends");
}
