//! Closing a period from the pages: a confirmation step first; then the closed periods' page
//! (who, when in Vietnam time, the SHA-256, the filed copies), the filed copy downloaded from
//! the pages as from the API, and the closed month's page saying its figures are the closed
//! ones.

use crate::helpers::*;
use crate::ui_upload::sign_in;

pub(crate) fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

pub(crate) fn form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let agent = ureq::builder().redirects(0).build();
    match agent
        .post(&app.url(path))
        .set("Cookie", cookie)
        .send_form(fields)
    {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

pub(crate) fn page(app: &TestApp, cookie: &str, path: &str) -> ureq::Response {
    ureq::get(&app.url(path))
        .set("Cookie", cookie)
        .call()
        .unwrap()
}

#[test]
fn closing_from_the_pages_asks_first_and_lists_what_was_filed() {
    let app = spawn_app(Some(&demo_registry_toml()));
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
    let cookie = sign_in(&app, ADMIN);
    let admin = page(&app, &cookie, "/ui/quan-tri").into_string().unwrap();
    let csrf = csrf_of(&admin);
    let fields = [
        ("csrf", csrf.as_str()),
        ("period", "2026-Q1"),
        ("reason", "Gửi thị xã"),
    ];
    let (status, confirm) = form(&app, &cookie, "/ui/quan-tri/chot-so-lieu", &fields);
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains("Xác nhận chốt số liệu Quý 1 năm 2026"),
        "{confirm}"
    );
    assert!(
        app.get("/api/v1/periods/2026-Q1", Some(READ)).json()["closed"].is_null(),
        "nothing closed before the confirmation"
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("xac_nhan", "1"));
    let (status, _) = form(&app, &cookie, "/ui/quan-tri/chot-so-lieu", &confirmed);
    assert_eq!(status, 303);
    let closed = app.get("/api/v1/periods/2026-Q1", Some(READ)).json();
    let sha = closed["closed"]["sha256"].as_str().unwrap().to_string();

    let list = page(&app, &cookie, "/ui/ky-da-chot").into_string().unwrap();
    assert!(
        list.contains("Quý 1 năm 2026") && list.contains(&sha) && list.contains("Gửi thị xã"),
        "{list}"
    );
    let vn = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    assert!(
        list.contains(&format!(
            "{:02}/{:02}/{}",
            vn.day(),
            vn.month() as u8,
            vn.year()
        )),
        "{list}"
    );
    let mut from_page = Vec::new();
    std::io::Read::read_to_end(
        &mut page(&app, &cookie, "/ui/ky-da-chot/2026-Q1/2026-Q1.xlsx").into_reader(),
        &mut from_page,
    )
    .unwrap();
    let from_api = app
        .get("/api/v1/periods/2026-Q1/files/2026-Q1.xlsx", Some(READ))
        .body;
    assert_eq!(from_page, from_api, "the same filed copy");
    let report = page(&app, &cookie, "/ui/bao-cao?nam=2026&quy=1")
        .into_string()
        .unwrap();
    assert!(report.contains("Số liệu đã chốt lúc"), "{report}");

    // A month closes the same way; its page says its figures are the closed ones.
    let (_, _) = form(
        &app,
        &cookie,
        "/ui/quan-tri/chot-so-lieu",
        &[
            ("csrf", csrf.as_str()),
            ("period", "2026-03"),
            ("xac_nhan", "1"),
        ],
    );
    let month = page(&app, &cookie, "/ui/thang/2026-03")
        .into_string()
        .unwrap();
    assert!(
        month.contains("Số liệu đã chốt lúc") && month.contains("Tải bản đã chốt"),
        "{month}"
    );
}
