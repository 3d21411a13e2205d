//! Every submission visible: the month's list shows credited and uncredited files alike, with
//! the file name the clerk sent, the sender's token name and, for a file that earned nothing,
//! why (stable codes, Vietnamese sentences).

use crate::helpers::*;
use serde_json::Value;

fn upload_named(app: &TestApp, pdf: &[u8], file_name: &str) -> Resp {
    let boundary = "kysoListBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"unit\"\r\n\r\nubnd-huong-xuan\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.post(
        Some(SUBMIT),
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    )
}

fn list(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/submissions?{query}"), Some(READ));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[test]
fn every_submission_of_a_month_is_listed_with_its_name_sender_and_why() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let good = upload_named(
        &app,
        &fixture("pyhanko-org-then-leader.pdf"),
        "Báo cáo tháng 3.pdf",
    );
    assert_eq!(good.status, 201, "{}", good.text());
    assert_eq!(good.json()["file_name"], "Báo cáo tháng 3.pdf");
    assert_eq!(good.json()["client"], "submitter");
    let unsigned = upload_named(
        &app,
        &fixture("unsigned.pdf"),
        "/home/van thu/Tài liệu/khong-ky.pdf",
    );
    assert_eq!(unsigned.status, 201);
    assert_eq!(
        unsigned.json()["file_name"],
        "khong-ky.pdf",
        "only the last path component"
    );
    let expired = upload_named(&app, &fixture("pyhanko-expired.pdf"), "het-han.pdf");
    assert_eq!(expired.status, 201);

    // The month the files were signed in lists the signed ones.
    let march = list(&app, "month=2026-03");
    let names: Vec<&str> = march["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["file_name"].as_str())
        .collect();
    assert!(names.contains(&"Báo cáo tháng 3.pdf"), "{march}");
    // The month they were received in lists all three, the unsigned one included.
    let now = list(&app, "");
    assert_eq!(now["total"], 3, "{now}");
    let unsigned_item = now["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file_name"] == "khong-ky.pdf")
        .expect("the unsigned file is listed");
    assert_eq!(unsigned_item["credited"], false);
    assert_eq!(unsigned_item["client"], "submitter");
    assert_eq!(unsigned_item["unit"], "ubnd-huong-xuan");
    assert!(
        unsigned_item["notes"].to_string().contains("\"unsigned\""),
        "{unsigned_item}"
    );

    let not_credited = list(&app, "status=not_credited");
    let names: Vec<&str> = not_credited["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["file_name"].as_str())
        .collect();
    assert!(
        names.contains(&"khong-ky.pdf") && names.contains(&"het-han.pdf"),
        "{not_credited}"
    );
    assert!(!names.contains(&"Báo cáo tháng 3.pdf"));
    for i in not_credited["items"].as_array().unwrap() {
        assert!(
            !i["notes"].as_array().unwrap().is_empty(),
            "every uncredited file says why: {i}"
        );
    }
    let credited = list(&app, "status=credited&unit=ubnd-huong-xuan");
    assert_eq!(credited["total"], 1, "{credited}");
    let paged = list(&app, "per_page=1&page=2");
    assert_eq!(
        (
            paged["total"].as_u64(),
            paged["items"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1))
    );

    assert_eq!(
        app.get("/api/v1/submissions?month=13-2026", Some(READ))
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/submissions?status=maybe", Some(READ))
            .status,
        400
    );
    // Files by the reason they earned nothing; a reason that is none is refused.
    let unsigned = list(&app, "reason=unsigned");
    assert_eq!(unsigned["total"], 1, "{unsigned}");
    assert_eq!(unsigned["items"][0]["file_name"], "khong-ky.pdf");
    assert_eq!(
        app.get("/api/v1/submissions?reason=accepted_late", Some(READ))
            .status,
        400
    );
    assert_eq!(app.get("/api/v1/submissions", Some(SUBMIT)).status, 403);
    let doc = app.get("/api/openapi.json", None).json();
    let undeclared = crate::contract::check(&doc, "SubmissionPage", &now);
    assert!(undeclared.is_empty(), "{undeclared:?}");
}

/// A late file (a claimed signing time older than the age limit) is listed as late; an
/// administrator accepts it with a reason, and it earns its month, with the acceptance shown.
#[test]
fn a_late_file_is_listed_and_accepted_by_an_administrator() {
    let app = spawn_app_with(
        Some(&demo_registry_toml()),
        1 << 24,
        "accept_implausible_signing_time = false",
    );
    let r = app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"));
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert!(
        r.json()["satisfies"].as_array().unwrap().is_empty(),
        "late: {}",
        r.text()
    );
    let unsigned = app.upload_raw(&fixture("unsigned.pdf")).json()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let late = list(&app, "status=late");
    let ids: Vec<&str> = late["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "{late}");

    let path = format!("/api/v1/submissions/{id}/accept-late");
    let post = |token: &str, body: &str| {
        let r = ureq::post(&app.url(&path))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .send_string(body);
        match r {
            Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json::<Value>().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(post(SUBMIT, r#"{"reason":"x"}"#).0, 403);
    assert_eq!(post(ADMIN, r#"{"reason":"  "}"#).0, 400);
    let (status, receipt) = post(
        ADMIN,
        r#"{"reason":"Đơn vị nộp bổ sung theo công văn 12/VP"}"#,
    );
    assert_eq!(status, 200, "{receipt}");
    assert!(
        !receipt["satisfies"].as_array().unwrap().is_empty(),
        "{receipt}"
    );
    let note = receipt["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == "accepted_late")
        .expect("the acceptance is shown");
    assert!(note["message"].as_str().unwrap().contains("công văn 12/VP"));
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let ward = t["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "ubnd-huong-xuan")
        .unwrap();
    assert_eq!(ward["organisation"]["satisfied"], true);

    let other = format!("/api/v1/submissions/{unsigned}/accept-late");
    let r = ureq::post(&app.url(&other))
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .send_string(r#"{"reason":"x"}"#);
    assert!(
        matches!(r, Err(ureq::Error::Status(409, _))),
        "only a late file is accepted"
    );
}
