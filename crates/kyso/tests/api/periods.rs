//! Closing a period ("chốt số liệu"): the figures are frozen and hashed; a later registry
//! change moves the live figures, which show as amendments beside the closed ones, never inside.

use crate::helpers::*;
use serde_json::{json, Value};

fn post(app: &TestApp, path: &str, token: &str, body: &str) -> Resp {
    let r = ureq::post(&app.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/json")
        .send_string(body);
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = resp.status();
    let content_type = resp.header("content-type").unwrap_or("").to_string();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).unwrap();
    Resp {
        status,
        body,
        content_type,
        retry_after: None,
    }
}

fn satisfied<'a>(report: &'a Value, unit: &str, leader: &str) -> &'a Value {
    let u = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["units"].as_array().unwrap())
        .find(|u| u["id"] == unit)
        .unwrap();
    &u["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == leader)
        .unwrap()["score"]["satisfied"]
}

#[test]
fn a_closed_quarter_stays_as_it_was_and_shows_amendments() {
    let app = spawn_app(Some(&demo_registry_toml()));
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );

    assert_eq!(
        post(&app, "/api/v1/periods/2026-Q1/close", SUBMIT, "").status,
        403
    );
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let current = format!("{:04}-{:02}", now.year(), now.month() as u8);
    let r = post(&app, &format!("/api/v1/periods/{current}/close"), ADMIN, "");
    assert_eq!(
        r.status,
        400,
        "the month in progress cannot be closed: {}",
        r.text()
    );
    assert_eq!(
        post(&app, "/api/v1/periods/2026-Q5/close", ADMIN, "").status,
        400
    );

    let r = post(
        &app,
        "/api/v1/periods/2026-Q1/close",
        ADMIN,
        r#"{"reason":"Báo cáo quý 1 gửi thị xã"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let closed = r.json();
    assert_eq!(closed["closed_by"], "admin");
    assert_eq!(closed["reason"], "Báo cáo quý 1 gửi thị xã");
    let digest = hex::encode(kyso_verify::pki::crypto::sha256(
        &serde_json::to_vec(&closed["snapshot"]).unwrap(),
    ));
    assert_eq!(closed["sha256"], digest.as_str());
    assert_eq!(
        satisfied(&closed["snapshot"], "ubnd-huong-xuan", "nguyen-van-an"),
        1
    );
    let again = post(&app, "/api/v1/periods/2026-Q1/close", ADMIN, "");
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["code"], "conflict");

    let report = app.get("/api/v1/reports/2026?quarter=1", Some(READ)).json();
    assert_eq!(report["closed"]["sha256"], digest.as_str());
    assert!(app.get("/api/v1/reports/2026?quarter=2", Some(READ)).json()["closed"].is_null());

    // The leader's tenure is corrected (he took office in April). That rewrites past months,
    // so an ordinary save is refused, naming the months; an explicit correction goes through,
    // with its reason in the audit log. The live figures move.
    let mut leader = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    let first = leader["from"].clone();
    leader["from"] = json!("2026-04");
    let plain = app.put_json("/api/v1/leaders/nguyen-van-an", ADMIN, &leader);
    assert_eq!(plain.status, 409, "{}", plain.text());
    let refused = plain.json();
    assert_eq!(refused["code"], "rewrites_past");
    assert_eq!(refused["rewrites_past"][0]["id"], "nguyen-van-an");
    let months = refused["rewrites_past"][0]["months"].as_array().unwrap();
    assert_eq!(months.first(), Some(&first), "{refused}");
    assert_eq!(months.last(), Some(&json!("2026-03")), "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("–03/2026"),
        "{refused}"
    );
    assert_eq!(
        app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json()["from"],
        first,
        "nothing saved"
    );
    // A reason is one line of at most 500 characters.
    let long = format!(
        "/api/v1/leaders/nguyen-van-an?correction={}",
        "a".repeat(501)
    );
    assert_eq!(app.put_json(&long, ADMIN, &leader).status, 400);
    let lines = "/api/v1/leaders/nguyen-van-an?correction=a%0Ab";
    assert_eq!(app.put_json(lines, ADMIN, &leader).status, 400);
    let blank = "/api/v1/leaders/nguyen-van-an?correction=%20%20";
    assert_eq!(
        app.put_json(blank, ADMIN, &leader).status,
        409,
        "blank is no reason"
    );
    let reason = "Quyết định bổ nhiệm ghi sai tháng";
    let path = format!(
        "/api/v1/leaders/nguyen-van-an?correction={}",
        url::form_urlencoded::byte_serialize(reason.as_bytes()).collect::<String>()
    );
    let r = app.put_json(&path, ADMIN, &leader);
    assert_eq!(r.status, 200, "{}", r.text());
    let log = app.get("/api/v1/registry/changes", Some(READ)).json();
    assert_eq!(log[0]["id"], "nguyen-van-an");
    assert_eq!(log[0]["correction"], reason, "{log}");
    // The closed quarter's report still shows what was closed; the change is beside it.
    let shown = app.get("/api/v1/reports/2026?quarter=1", Some(READ)).json();
    assert_eq!(
        satisfied(&shown, "ubnd-huong-xuan", "nguyen-van-an"),
        1,
        "closed figures: {shown}"
    );
    let a = &shown["amendments"][0];
    assert_eq!(a["requirement"], "nguyen-van-an", "{shown}");
    assert_eq!(
        (a["closed_required"].as_u64(), a["now_required"].as_u64()),
        (Some(3), Some(0))
    );
    assert!(
        a["causes"][0].as_str().unwrap().contains(reason),
        "the correction's reason is the cause: {a}"
    );

    let p = app.get("/api/v1/periods/2026-Q1", Some(READ)).json();
    assert_eq!(
        p["closed"]["sha256"],
        digest.as_str(),
        "the closed figures do not change"
    );
    assert_eq!(
        satisfied(&p["closed"]["snapshot"], "ubnd-huong-xuan", "nguyen-van-an"),
        1
    );
    let a = &p["amendments"];
    assert_eq!(a.as_array().unwrap().len(), 1, "{a}");
    assert_eq!(
        (
            &a[0]["unit"],
            &a[0]["requirement"],
            &a[0]["closed"],
            &a[0]["now"]
        ),
        (
            &json!("ubnd-huong-xuan"),
            &json!("nguyen-van-an"),
            &json!(1),
            &json!(null)
        )
    );
    assert_eq!(a[0]["requirement_name"], "Chủ tịch Nguyễn Văn An");
    let open = app.get("/api/v1/periods/2026-Q2", Some(READ)).json();
    assert!(open["closed"].is_null());

    // A month closes the same way, and its table says so.
    assert_eq!(
        post(&app, "/api/v1/periods/2026-03/close", ADMIN, "").status,
        201
    );
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(t["closed"]["sha256"].is_string(), "{t}");
    match app.database {
        Some(_) => assert_eq!(
            app.sql("SELECT count(*) FROM periods WHERE period = '2026-Q1'"),
            "1"
        ),
        None => assert!(app.data_dir().join("periods/2026-Q1.json").is_file()),
    }
}

/// What the Office filed stays what it filed: the quarter's XLSX and CSV made at closing are
/// downloaded again byte for byte, while a late file accepted and a leader's first month
/// corrected after the closing show as amendments (satisfied, and required) with their causes;
/// a closed month's table is its closed figures, and a repeated close says when, in Vietnam
/// time.
#[test]
fn the_files_filed_at_closing_come_back_byte_for_byte_and_amendments_say_why() {
    let app = spawn_app_with(
        Some(&demo_registry_toml()),
        104_857_600,
        "accept_implausible_signing_time = false",
    );
    // Signed in March, received now: late, so it earns nothing until accepted.
    let late = app
        .upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
        .json();
    let r = post(&app, "/api/v1/periods/2026-Q1/close", ADMIN, "");
    assert_eq!(r.status, 201, "{}", r.text());
    let closed = r.json();
    let files = closed["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2, "{closed}");
    let download =
        |name: &str| app.get(&format!("/api/v1/periods/2026-Q1/files/{name}"), Some(READ));
    let mut filed = Vec::new();
    for f in &files {
        let name = f["name"].as_str().unwrap();
        let d = download(name);
        assert_eq!(d.status, 200, "{name}");
        assert_eq!(
            hex::encode(kyso_verify::pki::crypto::sha256(&d.body)),
            f["sha256"].as_str().unwrap()
        );
        filed.push((name.to_string(), d.body));
    }
    assert_eq!(
        download("2026-Q1.json").status,
        404,
        "only the files it filed"
    );

    // After the closing: the late file accepted, a leader's first month corrected.
    let id = late["id"].as_str().unwrap();
    let body = json!({ "reason": "Văn thư gửi nhầm địa chỉ, có công văn giải trình" }).to_string();
    assert_eq!(
        app.post_to(
            &format!("/api/v1/submissions/{id}/accept-late"),
            ADMIN,
            "application/json",
            body.as_bytes()
        )
        .status,
        200
    );
    let mut leader = app.get("/api/v1/leaders/le-van-cuong", Some(READ)).json();
    leader["from"] = json!("2026-03");
    let r = app.put_json(
        "/api/v1/leaders/le-van-cuong?correction=Nh%E1%BA%ADn%20ch%E1%BB%A9c%20t%E1%BB%AB%20th%C3%A1ng%203",
        ADMIN,
        &leader,
    );
    assert_eq!(r.status, 200, "{}", r.text());

    // The year's report counts what administrators did: one file accepted late, and the
    // correction if it was made this year.
    let year = app.get("/api/v1/reports/2026", Some(READ)).json();
    assert_eq!(
        year["adjustments"]["accepted_late"], 1,
        "{}",
        year["adjustments"]
    );
    let this_year = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .year();
    assert_eq!(
        year["adjustments"]["corrections"],
        usize::from(this_year == 2026),
        "{}",
        year["adjustments"]
    );

    // The filed copies have not moved.
    for (name, bytes) in &filed {
        assert_eq!(&download(name).body, bytes, "{name} is what was filed");
    }
    let p = app.get("/api/v1/periods/2026-Q1", Some(READ)).json();
    let amendments = p["amendments"].as_array().unwrap();
    let find = |unit: &str, req: &str| {
        amendments
            .iter()
            .find(|a| a["unit"] == unit && a["requirement"] == req)
            .unwrap_or_else(|| panic!("{unit}/{req} in {p}"))
    };
    let org = find("ubnd-huong-xuan", "organisation");
    assert_eq!(
        (org["closed"].as_u64(), org["now"].as_u64()),
        (Some(0), Some(1)),
        "{org}"
    );
    assert!(
        org["causes"].to_string().contains("chấp nhận")
            && org["causes"].to_string().contains("admin"),
        "{org}"
    );
    let cuong = find("phong-noi-vu", "le-van-cuong");
    assert_eq!(
        (
            cuong["closed_required"].as_u64(),
            cuong["now_required"].as_u64()
        ),
        (Some(3), Some(1)),
        "a change of months required is an amendment too: {cuong}"
    );
    assert!(
        cuong["causes"].to_string().contains("Nhận chức từ tháng 3"),
        "{cuong}"
    );
    // A fresh XLSX of the closed quarter: the closed figures, and the amendments on their own
    // sheet.
    let x = app.get("/api/v1/reports/2026?quarter=1&format=xlsx", Some(READ));
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.body)).unwrap();
    use calamine::Reader;
    assert!(
        book.sheet_names()
            .contains(&"Điều chỉnh sau khi chốt".to_string()),
        "{:?}",
        book.sheet_names()
    );
    let csv = app
        .get("/api/v1/reports/2026?quarter=1&format=csv", Some(READ))
        .text();
    let (figures, beside) = csv
        .split_once("Điều chỉnh sau khi chốt")
        .expect("a separate section");
    assert_eq!(
        figures,
        String::from_utf8_lossy(&filed.iter().find(|(n, _)| n.ends_with(".csv")).unwrap().1)
            .trim_end_matches("\r\n")
            .to_string()
            + "\r\n\r\n",
        "the figures are those filed"
    );
    assert!(beside.contains("Lê Văn Cường"), "{beside}");

    // A closed month's table is what was closed; closing it again says when.
    assert_eq!(
        post(&app, "/api/v1/periods/2026-03/close", ADMIN, "").status,
        201
    );
    let again = post(&app, "/api/v1/periods/2026-03/close", ADMIN, "").json();
    let said = again["message"].as_str().unwrap();
    assert!(
        said.contains('/') && !said.contains('T'),
        "dd/mm/yyyy, Vietnam time: {said}"
    );
}
