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
    let live = app.get("/api/v1/reports/2026?quarter=1", Some(READ)).json();
    assert!(
        !live["groups"].to_string().contains("nguyen-van-an"),
        "no longer required in Q1: {live}"
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
    assert_eq!(
        p["amendments"],
        json!([{ "unit": "ubnd-huong-xuan", "requirement": "nguyen-van-an", "closed": 1, "now": null }])
    );
    let open = app.get("/api/v1/periods/2026-Q2", Some(READ)).json();
    assert!(open["closed"].is_null());

    // A month closes the same way, and its table says so.
    assert_eq!(
        post(&app, "/api/v1/periods/2026-03/close", ADMIN, "").status,
        201
    );
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(t["closed"]["sha256"].is_string(), "{t}");
    assert!(app.data_dir().join("periods/2026-Q1.json").is_file());
}
