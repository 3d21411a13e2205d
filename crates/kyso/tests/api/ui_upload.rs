//! The pages' multi-file upload at the HTTP level: a file over `max_upload_bytes` is refused
//! with 413 and nothing is stored; a form without the session's CSRF token is refused.

use crate::helpers::*;

/// Sign in through the form like a browser; the session cookie.
pub(crate) fn sign_in(app: &TestApp, token: &str) -> String {
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
        .send_form(&[("token", token), ("csrf", &nonce)]);
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(r.status(), 303, "signed in");
    r.header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

pub(crate) fn post_files(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let boundary = "kysoUiBoundary";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let r = ureq::post(&app.url(&format!("/ui/nop?csrf={csrf}")))
        .set("Cookie", cookie)
        .set(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send_bytes(&body);
    match r {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_upload_page_keeps_the_limits_and_wants_its_csrf_token() {
    let small = fixture("pyhanko-org-then-leader.pdf");
    let limit = small.len() as u64 + 10;
    let app = spawn_app_with(Some(&demo_registry_toml()), limit, "");
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

    // Without the session's token: refused, nothing stored.
    let (status, _) = post_files(&app, &cookie, "wrong", &[("a.pdf", &small)]);
    assert_eq!(status, 403);
    // One file within the limit and one over it: the whole form is refused with 413.
    let mut big = small.clone();
    big.extend(std::iter::repeat_n(b' ', 100));
    let (status, page) = post_files(&app, &cookie, &csrf, &[("a.pdf", &small), ("b.pdf", &big)]);
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("Không nộp được"), "{page}");
    assert!(
        page.contains("Tệp lớn hơn giới hạn"),
        "a reason the clerk can act on: {page}"
    );
    assert_eq!(
        app.get("/healthz", Some(READ)).json()["submissions"],
        0,
        "nothing stored"
    );
    // Within the limit: stored and shown.
    let (status, page) = post_files(&app, &cookie, &csrf, &[("a.pdf", &small)]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Kết quả nộp (1 tệp)"), "{page}");
    assert_eq!(app.get("/healthz", Some(READ)).json()["submissions"], 1);
}

/// The submissions page filters by unit and by the reason a file earned nothing, and its page
/// links keep the filters.
#[test]
fn the_submissions_page_filters_by_unit_and_reason() {
    let org = fingerprint("leaf-org.pem");
    let registry = format!(
        "[[unit]]\nid = \"ubnd-huong-xuan\"\nname = \"UBND phường Hương Xuân\"\nkind = \"commune\"\ncertificates = [\"{org}\"]\n\n[[unit]]\nid = \"phong-khac\"\nname = \"Phòng <Khác>\"\nkind = \"department\"\n"
    );
    let app = spawn_app(Some(&registry));
    // Signed by the organisation (credited) and by a leader nobody enrolled (a note).
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
    let cookie = sign_in(&app, READ);
    let page = |q: &str| {
        ureq::get(&app.url(&format!("/ui/ho-so?thang=2026-03{q}")))
            .set("Cookie", &cookie)
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    };
    let count = |html: &str| html.matches("/pdf\"").count();
    assert_eq!(count(&page("")), 1);
    assert_eq!(count(&page("&don-vi=ubnd-huong-xuan")), 1);
    assert_eq!(count(&page("&don-vi=phong-khac")), 0);
    let enrolled = page("&ly-do=signer_not_enrolled");
    assert_eq!(count(&enrolled), 1, "{enrolled}");
    assert!(
        enrolled.contains("<option value=\"signer_not_enrolled\" selected>"),
        "{enrolled}"
    );
    assert_eq!(count(&page("&ly-do=unit_mismatch")), 0);
    // Unit names are text, not markup.
    let all = page("");
    assert!(all.contains("Phòng &lt;Khác&gt;"), "{all}");
}

/// A file sent through the page gets the receipt the API gives it: the same credits and the
/// same notes, "already met" included (the page and the API submit through one path).
#[test]
fn a_page_upload_gets_the_receipt_the_api_gives() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let first = app.upload_multipart(&fixture("pyhanko-org-pades.pdf"), None);
    assert_eq!(first.status, 201, "{}", first.text());
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
        .unwrap();
    let second = fixture("pyhanko-org-then-leader.pdf");
    let (status, page) = post_files(&app, &cookie, csrf, &[("b.pdf", &second)]);
    assert_eq!(status, 200, "{page}");
    let id = hex::encode(kyso_verify::pki::crypto::sha256(&second));
    let receipt = app
        .get(&format!("/api/v1/submissions/{id}"), Some(ADMIN))
        .json();
    let notes = receipt["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["code"] == "requirement_already_met"),
        "the API's receipt says the organisation's month was met by the first file: {notes:?}"
    );
    let shown = page.replace("&quot;", "\"");
    for n in notes {
        let message = n["message"].as_str().unwrap();
        assert!(
            shown.contains(message),
            "the page shows the note {message:?}: {page}"
        );
    }
    let satisfies = receipt["satisfies"].as_array().unwrap();
    assert_eq!(
        satisfies.len(),
        2,
        "the organisation's and the leader's: {receipt}"
    );
    assert!(
        shown.contains("ký số lãnh đạo (Chủ tịch Nguyễn Văn An) của UBND phường Hương Xuân"),
        "names, not ids: {page}"
    );
}
