//! The registry on the administration pages: a unit and a leader changed and added through the
//! forms land in the registry the API reads, a dropped certificate is kept as retired, each
//! record shows its history, and a form that would make the registry invalid says why and
//! saves nothing.

use crate::helpers::*;
use crate::ui_upload::sign_in;

struct Pages<'a> {
    app: &'a TestApp,
    cookie: String,
    agent: ureq::Agent,
}

impl Pages<'_> {
    fn get(&self, path: &str) -> (u16, String) {
        answer(
            self.agent
                .get(&self.app.url(path))
                .set("Cookie", &self.cookie)
                .call(),
        )
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        answer(
            self.agent
                .post(&self.app.url(path))
                .set("Cookie", &self.cookie)
                .send_form(form),
        )
    }

    /// The CSRF token the page's forms carry.
    fn csrf(&self, path: &str) -> String {
        self.hidden(path, "csrf")
    }

    /// A hidden field of the page's form.
    fn hidden(&self, path: &str, name: &str) -> String {
        let (_, html) = self.get(path);
        let marker = format!("name=\"{name}\" value=\"");
        let at = html.find(&marker).expect("the hidden field") + marker.len();
        html[at..].split('"').next().unwrap().to_string()
    }
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match r {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn units_and_leaders_are_changed_on_the_pages_with_their_history() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let pages = Pages {
        app: &app,
        cookie: sign_in(&app, ADMIN),
        agent: ureq::builder().redirects(0).build(),
    };
    let (status, list) = pages.get("/ui/quan-tri/don-vi");
    assert_eq!(status, 200);
    assert!(list.contains("UBND phường Hương Xuân"), "{list}");
    assert!(
        list.contains("/ui/quan-tri/lanh-dao/nguyen-van-an"),
        "{list}"
    );

    // The unit renamed and its token re-issued (the old certificate dropped from the form).
    let old = fingerprint("leaf-org.pem");
    let new = "d".repeat(64);
    let csrf = pages.csrf("/ui/quan-tri/don-vi/ubnd-huong-xuan");
    // Two administrators open the same form.
    let version = pages.hidden("/ui/quan-tri/don-vi/ubnd-huong-xuan", "version");
    let (status, body) = pages.post(
        "/ui/quan-tri/don-vi/ubnd-huong-xuan",
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("name", "UBND phường Hương Xuân (mới)"),
            ("kind", "commune"),
            ("from", ""),
            ("to", ""),
            ("certificates", &new.to_uppercase()),
        ],
    );
    assert_eq!(status, 303, "{body}");
    let u = app.get("/api/v1/units/ubnd-huong-xuan", Some(READ)).json();
    assert_eq!(u["name"], "UBND phường Hương Xuân (mới)");
    assert_eq!(u["certificates"], serde_json::json!([new]));
    assert_eq!(u["retired_certificates"][0]["sha256"], old.as_str(), "{u}");
    let (_, form) = pages.get("/ui/quan-tri/don-vi/ubnd-huong-xuan");
    assert!(
        form.contains("Lịch sử thay đổi") && form.contains("<td>admin</td>"),
        "{form}"
    );
    // The second one saves the form they opened before the first one's change: refused, the
    // first one's change stays.
    let (status, body) = pages.post(
        "/ui/quan-tri/don-vi/ubnd-huong-xuan",
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("name", "UBND phường Hương Xuân (cũ)"),
            ("kind", "commune"),
            ("certificates", &old),
        ],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("người khác sửa"), "{body}");
    let u = app.get("/api/v1/units/ubnd-huong-xuan", Some(READ)).json();
    assert_eq!(u["name"], "UBND phường Hương Xuân (mới)");

    // A new leader of that unit.
    let csrf = pages.csrf("/ui/quan-tri/lanh-dao-moi");
    let leader = |from: &str, unit: &str| {
        pages.post(
            "/ui/quan-tri/lanh-dao-moi",
            &[
                ("csrf", &csrf),
                ("name", "Lê Thị Mới"),
                ("title", "Phó Chủ tịch"),
                ("unit", unit),
                ("from", from),
                ("to", ""),
                ("certificates", ""),
            ],
        )
    };
    // The chairman's unit changed in place on his form would move his past months: refused
    // and explained; saved with a correction's reason, which his history then shows.
    let an = |correction: &str| {
        let csrf = pages.csrf("/ui/quan-tri/lanh-dao/nguyen-van-an");
        let version = pages.hidden("/ui/quan-tri/lanh-dao/nguyen-van-an", "version");
        pages.post(
            "/ui/quan-tri/lanh-dao/nguyen-van-an",
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "Nguyễn Văn An"),
                ("title", "Chủ tịch"),
                ("unit", "phong-noi-vu"),
                ("from", "2025-01"),
                ("to", ""),
                ("certificates", &fingerprint("leaf-leader.pem")),
                ("correction", correction),
            ],
        )
    };
    let (status, body) = an("");
    assert_eq!(status, 409, "{body}");
    assert!(
        body.contains("các tháng đã qua") && body.contains("01/2025"),
        "{body}"
    );
    let l = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    assert_eq!(l["unit"], "ubnd-huong-xuan", "nothing saved");
    let (status, body) = an("Quyết định điều động ghi nhầm đơn vị");
    assert_eq!(status, 303, "{body}");
    let l = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    assert_eq!(l["unit"], "phong-noi-vu");
    let (_, form) = pages.get("/ui/quan-tri/lanh-dao/nguyen-van-an");
    assert!(
        form.contains("Đính chính số liệu tháng đã qua")
            && form.contains("Quyết định điều động ghi nhầm đơn vị"),
        "{form}"
    );

    // A new unit's form starts it this month (left empty, every past month would require it).
    let (status, form) = pages.get("/ui/quan-tri/don-vi-moi");
    assert_eq!(status, 200);
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let this_month = format!("{:04}-{:02}", now.year(), now.month() as u8);
    assert!(
        form.contains(&format!(
            "name=\"from\" type=\"month\" value=\"{this_month}\""
        )),
        "{form}"
    );

    // A month that is not one, and a unit that does not exist: said, nothing saved.
    let (status, body) = leader("2026-13", "ubnd-huong-xuan");
    assert_eq!(status, 400);
    assert!(body.contains("không đúng dạng"), "{body}");
    // Refused, the form comes back as it was typed, with why.
    assert!(
        body.contains("Chưa lưu:")
            && body.contains("value=\"Lê Thị Mới\"")
            && body.contains("value=\"Phó Chủ tịch\""),
        "{body}"
    );
    let (status, body) = leader("2026-01", "khong-co");
    assert_eq!(status, 400);
    assert!(body.contains("khong-co"), "{body}");
    assert_eq!(
        app.get("/api/v1/leaders/le-thi-moi", Some(READ)).status,
        404
    );
    let (status, body) = leader("2026-01", "ubnd-huong-xuan");
    assert_eq!(status, 303, "{body}");
    let l = app.get("/api/v1/leaders/le-thi-moi", Some(READ)).json();
    assert_eq!(
        (l["title"].as_str(), l["from"].as_str()),
        (Some("Phó Chủ tịch"), Some("2026-01"))
    );
    let log = app.get("/api/v1/registry/changes", Some(READ)).json();
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "le-thi-moi" && c["by"] == "admin"));

    // A form without the session's token, and a reader, are refused.
    let (status, _) = pages.post(
        "/ui/quan-tri/don-vi/ubnd-huong-xuan",
        &[("csrf", "x"), ("name", "X"), ("kind", "commune")],
    );
    assert_eq!(status, 403);
    let reader = Pages {
        app: &app,
        cookie: sign_in(&app, READ),
        agent: ureq::builder().redirects(0).build(),
    };
    assert_eq!(reader.get("/ui/quan-tri/don-vi").0, 403);
}

/// A person's page: their posts, and a form whose name and certificates every post takes (a
/// re-issued token added, the old one kept as retired on each post).
#[test]
fn a_person_is_changed_once_for_all_their_posts() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let old = "a".repeat(64);
    let file = format!(
        "[[person]]\nid = \"vo-thi-giang\"\nname = \"Võ Thị Giang\"\ncertificates = [\"{old}\"]\n\
         [[post]]\nperson = \"vo-thi-giang\"\nunit = \"phong-noi-vu\"\ntitle = \"Trưởng phòng\"\nfrom = \"2026-01\"\n\
         [[post]]\nperson = \"vo-thi-giang\"\nunit = \"trung-tam-van-hoa\"\ntitle = \"Giám đốc (kiêm nhiệm)\"\nfrom = \"2026-01\"\n"
    );
    let r = app.post_to(
        "/api/v1/registry/import?apply=true",
        ADMIN,
        "application/toml",
        file.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let pages = Pages {
        app: &app,
        cookie: sign_in(&app, ADMIN),
        agent: ureq::builder().redirects(0).build(),
    };
    let (status, html) = pages.get("/ui/quan-tri/nguoi/vo-thi-giang");
    assert_eq!(status, 200);
    assert!(
        html.contains("Trưởng phòng") && html.contains("Giám đốc (kiêm nhiệm)"),
        "{html}"
    );
    let (_, list) = pages.get("/ui/quan-tri/don-vi");
    assert!(list.contains("/ui/quan-tri/nguoi/vo-thi-giang"), "{list}");
    let new = "b".repeat(64);
    let csrf = pages.csrf("/ui/quan-tri/nguoi/vo-thi-giang");
    let (status, body) = pages.post(
        "/ui/quan-tri/nguoi/vo-thi-giang",
        &[
            ("csrf", &csrf),
            ("name", "Võ Thị Giang"),
            ("certificates", &new),
        ],
    );
    assert_eq!(status, 303, "{body}");
    for id in [
        "vo-thi-giang--phong-noi-vu",
        "vo-thi-giang--trung-tam-van-hoa",
    ] {
        let l = app.get(&format!("/api/v1/leaders/{id}"), Some(READ)).json();
        assert_eq!(l["certificates"], serde_json::json!([new]), "{l}");
        assert_eq!(l["retired_certificates"][0]["sha256"], old.as_str(), "{l}");
    }
    // A certificate that is not a fingerprint: said, nothing saved.
    let (status, body) = pages.post(
        "/ui/quan-tri/nguoi/vo-thi-giang",
        &[
            ("csrf", &csrf),
            ("name", "Võ Thị Giang"),
            ("certificates", "khong-phai"),
        ],
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(pages.get("/ui/quan-tri/nguoi/khong-co").0, 404);

    // A third post for her (kiêm nhiệm), from her page: her name and certificate, linked to her.
    let (status, body) = pages.post(
        "/ui/quan-tri/nguoi/vo-thi-giang/chuc-vu",
        &[
            ("csrf", &csrf),
            ("title", "Phó Chủ tịch (kiêm nhiệm)"),
            ("unit", "ubnd-huong-xuan"),
            ("from", "2026-11"),
            ("to", ""),
        ],
    );
    assert_eq!(status, 303, "{body}");
    let l = app
        .get("/api/v1/leaders/vo-thi-giang--ubnd-huong-xuan", Some(READ))
        .json();
    assert_eq!(l["name"], "Võ Thị Giang", "{l}");
    assert_eq!(l["certificates"], serde_json::json!([new]), "{l}");
    assert_eq!(l["from"], "2026-11");
    let (_, html) = pages.get("/ui/quan-tri/nguoi/vo-thi-giang");
    assert!(html.contains("Phó Chủ tịch (kiêm nhiệm)"), "{html}");
}

/// The unenrolled list asks only about certificates nobody held: a retired one (a re-issued
/// token's old certificate) is not listed, and one the Office will not enrol can be hidden.
#[test]
fn retired_and_hidden_certificates_are_not_asked_about() {
    let app = spawn_app(Some(&demo_registry_toml()));
    for f in ["pyhanko-leader-pkcs7.pdf", "openssl-leader-ecdsa-p384.pdf"] {
        assert_eq!(app.upload_raw(&fixture(f)).status, 201);
    }
    let listed = |app: &TestApp| -> Vec<String> {
        app.get("/api/v1/signers/unenrolled", Some(READ))
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["sha256"].as_str().unwrap().to_string())
            .collect()
    };
    let p384 = fingerprint("leaf-leader-p384.pem");
    assert_eq!(listed(&app), [p384.clone()], "only the signer nobody holds");
    // The chairman's token re-issued: his old certificate is retired, not unenrolled.
    let mut an = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    an["certificates"] = serde_json::json!(["c".repeat(64)]);
    let r = app.put_json("/api/v1/leaders/nguyen-van-an", ADMIN, &an);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(listed(&app), [p384.clone()]);
    // Hidden from the administration page: listed no more, and the change is in the history.
    let pages = Pages {
        app: &app,
        cookie: sign_in(&app, ADMIN),
        agent: ureq::builder().redirects(0).build(),
    };
    let (_, admin) = pages.get("/ui/quan-tri");
    assert!(
        admin.contains("Ẩn (không đăng ký chứng thư này)"),
        "{admin}"
    );
    let csrf = pages.csrf("/ui/quan-tri");
    let (status, body) = pages.post(
        "/ui/quan-tri/an-chung-thu",
        &[("csrf", &csrf), ("sha256", &p384)],
    );
    assert_eq!(status, 303, "{body}");
    assert!(listed(&app).is_empty());
    let changes = app.get("/api/v1/registry/changes", Some(READ)).json();
    assert!(
        changes.to_string().contains("hidden_certificates"),
        "{changes}"
    );
}
