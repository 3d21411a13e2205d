//! People sign in as themselves (issue 21.4): staff accounts with a password (argon2id), made
//! with `kyso user add` while the service runs or from the administration page; a unit clerk
//! sees only their unit (its months, files and what is still missing) and uploads for it; a
//! reader sees every figure and changes nothing; a disabled account's session ends; wrong
//! passwords make that name wait at that address.

use crate::helpers::*;
use crate::ui_periods::{csrf_of, form, page};
use std::io::Write;
use std::process::{Command, Stdio};

const CLERK: &str = "vanthu.huongxuan";
const CLERK_PASSWORD: &str = "mật-khẩu-văn-thư-1";

/// `kyso user ...` with the password on standard input.
pub(crate) fn kyso_user(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .arg("user")
        .args(args)
        .arg("--config")
        .arg(&app.config)
        .env_remove("KYSO_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Sign in with a name and password: the session cookie, or the answer's status and page.
fn sign_in_as(app: &TestApp, name: &str, password: &str) -> Result<String, (u16, String)> {
    let agent = ureq::builder().redirects(0).build();
    let r = agent.get(&app.url("/ui/dang-nhap")).call().unwrap();
    let nonce_cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let nonce = nonce_cookie.split_once('=').unwrap().1.to_string();
    let r = agent
        .post(&app.url("/ui/dang-nhap"))
        .set("Cookie", &nonce_cookie)
        .send_form(&[("ten", name), ("mat_khau", password), ("csrf", &nonce)]);
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    if r.status() == 303 {
        return Ok(r
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string());
    }
    Err((r.status(), r.into_string().unwrap()))
}

/// A page's status and where it sends the browser, without following.
fn status_of(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let agent = ureq::builder().redirects(0).build();
    match agent.get(&app.url(path)).set("Cookie", cookie).call() {
        Ok(r) => (r.status(), r.header("location").unwrap_or("").to_string()),
        Err(ureq::Error::Status(s, r)) => (s, r.header("location").unwrap_or("").to_string()),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_unit_clerk_signs_in_and_sees_only_their_unit() {
    let app = spawn_app(Some(&demo_registry_toml()));
    // Made while the service runs; the rules are checked first.
    let short = kyso_user(
        &app,
        &[
            "add",
            CLERK,
            "--role",
            "clerk",
            "--unit",
            "ubnd-huong-xuan",
            "--display-name",
            "Lê Thị Thư",
        ],
        "ngắn\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("ít nhất 10"));
    let unknown = kyso_user(
        &app,
        &[
            "add",
            CLERK,
            "--role",
            "clerk",
            "--unit",
            "khong-co",
            "--display-name",
            "Lê Thị Thư",
        ],
        &format!("{CLERK_PASSWORD}\n"),
    );
    assert!(
        !unknown.status.success(),
        "a clerk's unit must be in the registry"
    );
    let made = kyso_user(
        &app,
        &[
            "add",
            CLERK,
            "--role",
            "clerk",
            "--unit",
            "ubnd-huong-xuan",
            "--display-name",
            "Lê Thị Thư",
        ],
        &format!("{CLERK_PASSWORD}\n"),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let stored = match app.database {
        Some(_) => app.sql(&format!(
            "SELECT account::text FROM accounts WHERE name = '{CLERK}'"
        )),
        None => {
            std::fs::read_to_string(app.data_dir().join(format!("users/{CLERK}.json"))).unwrap()
        }
    };
    assert!(stored.contains("$argon2id$") && !stored.contains(CLERK_PASSWORD));

    let (status, page_text) = sign_in_as(&app, CLERK, "sai mật khẩu rồi").unwrap_err();
    assert_eq!(status, 200);
    assert!(
        page_text.contains("Tên đăng nhập hoặc mật khẩu không đúng"),
        "{page_text}"
    );
    let clerk = sign_in_as(&app, CLERK, CLERK_PASSWORD).expect("signed in");

    // Home is the unit's own page; every other unit, the town's months and reports are closed.
    assert_eq!(
        status_of(&app, &clerk, "/ui/"),
        (303, "/ui/don-vi/ubnd-huong-xuan".into())
    );
    for closed in [
        "/ui/thang/2026-03",
        "/ui/don-vi/phong-noi-vu",
        "/ui/bao-cao",
        "/ui/quan-tri",
    ] {
        assert_eq!(status_of(&app, &clerk, closed).0, 403, "{closed}");
    }
    let own = page(&app, &clerk, "/ui/don-vi/ubnd-huong-xuan")
        .into_string()
        .unwrap();
    assert!(
        own.contains("còn thiếu") && own.contains("Đơn vị của tôi"),
        "{own}"
    );
    assert!(
        own.contains("Lê Thị Thư"),
        "the person's name in the header"
    );
    assert!(
        !own.contains("href=\"/ui/bao-cao\""),
        "no link to what the clerk may not see"
    );

    // An upload from the page is for the clerk's unit, whatever the form says.
    let csrf = csrf_of(&page(&app, &clerk, "/ui/nop").into_string().unwrap());
    let (status, result) = crate::ui_upload::post_files(
        &app,
        &clerk,
        &csrf,
        &[("bao-cao.pdf", &fixture("pyhanko-org-then-leader.pdf"))],
    );
    assert_eq!(status, 200, "{result}");
    let listed = app
        .get("/api/v1/submissions?month=2026-03", Some(READ))
        .json();
    let item = &listed["items"][0];
    assert_eq!(item["unit"], "ubnd-huong-xuan", "{listed}");
    assert_eq!(item["client"], CLERK);
    let id = item["id"].as_str().unwrap();
    assert_eq!(
        status_of(&app, &clerk, &format!("/ui/ho-so/{id}/pdf")).0,
        200
    );
    let files = page(&app, &clerk, "/ui/ho-so?thang=2026-03&don-vi=phong-noi-vu")
        .into_string()
        .unwrap();
    assert!(
        files.contains("bao-cao.pdf") && !files.contains(">Phòng Nội vụ<"),
        "{files}"
    );

    // Disabled: the session ends at its next request, and the password no longer signs in.
    let off = kyso_user(&app, &["disable", CLERK], "");
    assert!(
        off.status.success(),
        "{}",
        String::from_utf8_lossy(&off.stderr)
    );
    assert_eq!(
        status_of(&app, &clerk, "/ui/don-vi/ubnd-huong-xuan"),
        (303, "/ui/dang-nhap".into())
    );
    assert!(sign_in_as(&app, CLERK, CLERK_PASSWORD).is_err());
}

#[test]
fn the_administrator_adds_a_reader_who_reads_and_changes_nothing() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let admin = crate::ui_upload::sign_in(&app, ADMIN);
    let accounts = page(&app, &admin, "/ui/quan-tri/nguoi-dung")
        .into_string()
        .unwrap();
    let csrf = csrf_of(&accounts);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("ten", "nv.noivu"),
        ("ho_ten", "Phan Văn Đọc"),
        ("vai_tro", "reader"),
        ("don_vi", ""),
        ("mat_khau", "ngắn"),
    ];
    let (status, refused) = form(&app, &admin, "/ui/quan-tri/nguoi-dung", &fields);
    assert_eq!(status, 400);
    assert!(
        refused.contains("ít nhất 10") && refused.contains("Phan Văn Đọc"),
        "kept: {refused}"
    );
    fields[5] = ("mat_khau", "mật-khẩu-người-xem");
    let (status, _) = form(&app, &admin, "/ui/quan-tri/nguoi-dung", &fields);
    assert_eq!(status, 303);
    let reader = sign_in_as(&app, "nv.noivu", "mật-khẩu-người-xem").expect("signed in");
    assert_eq!(status_of(&app, &reader, "/ui/thang/2026-03").0, 200);
    assert_eq!(status_of(&app, &reader, "/ui/don-vi/phong-noi-vu").0, 200);
    assert_eq!(
        status_of(&app, &reader, "/ui/nop").0,
        403,
        "a reader uploads nothing"
    );
    assert_eq!(status_of(&app, &reader, "/ui/quan-tri").0, 403);

    // Five wrong passwords for that name from this address: then even the right one waits.
    for _ in 0..5 {
        assert_eq!(
            sign_in_as(&app, "nv.noivu", "không phải mật khẩu")
                .unwrap_err()
                .0,
            200
        );
    }
    let (status, _) = sign_in_as(&app, "nv.noivu", "mật-khẩu-người-xem").unwrap_err();
    assert_eq!(status, 429);
    // Another name from the same address is not held up, nor is a token.
    assert_eq!(
        sign_in_as(&app, "khong-co-ai", "mật khẩu bất kỳ")
            .unwrap_err()
            .0,
        200
    );
    crate::ui_upload::sign_in(&app, READ);
}

#[test]
fn a_token_bound_to_a_unit_uploads_for_that_unit() {
    let secret = "kyso_unit_bound_test_token";
    let extra = format!(
        "[[token]]\nname = \"he-thong-huong-xuan\"\nsha256 = \"{}\"\nscopes = [\"submit\"]\nunit = \"ubnd-huong-xuan\"\n",
        sha256_hex(secret)
    );
    let app = spawn_app_with(None, 104_857_600, &extra);
    let imported = app.post_to(
        "/api/v1/registry/import?apply=true",
        ADMIN,
        "application/toml",
        demo_registry_toml().as_bytes(),
    );
    assert_eq!(imported.status, 200, "{}", imported.text());
    let (ct, body) = multipart(
        &fixture("pyhanko-org-then-leader.pdf"),
        Some("phong-noi-vu"),
    );
    let r = app.post(Some(secret), &ct, &body);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.json()["unit"],
        "ubnd-huong-xuan",
        "the token's unit, not the form's"
    );
}
