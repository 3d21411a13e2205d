use crate::helpers::*;
use serde_json::{json, Value};

fn unit<'a>(table: &'a Value, id: &str) -> &'a Value {
    table["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap()
}

fn note<'a>(receipt: &'a Value, code: &str) -> &'a Value {
    receipt["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == code)
        .unwrap_or_else(|| panic!("no {code} note in {receipt}"))
}

fn leader<'a>(u: &'a Value, id: &str) -> Option<&'a Value> {
    u["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
}

#[test]
fn monthly_table_quarterly_counts_and_csv() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let both = app
        .upload_multipart(&fixture("pyhanko-org-then-leader.pdf"), None)
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert_eq!(t["month"], "2026-03");
    let hx = unit(&t, "ubnd-huong-xuan");
    assert_eq!(hx["name"], "UBND phường Hương Xuân");
    assert_eq!(
        hx["organisation"],
        json!({"satisfied": true, "submissions": [both]})
    );
    assert_eq!(leader(hx, "nguyen-van-an").unwrap()["satisfied"], true);
    assert_eq!(leader(hx, "tran-thi-binh").unwrap()["satisfied"], false);
    assert_eq!(unit(&t, "phong-noi-vu")["organisation"]["satisfied"], false);
    assert_eq!(
        t["totals"],
        json!({"units": 3, "organisation_satisfied": 1, "leaders": 3, "leaders_satisfied": 1})
    );
    // Nothing in February.
    let feb = app.get("/api/v1/compliance/2026-02", Some(READ)).json();
    assert_eq!(feb["totals"]["organisation_satisfied"], 0);
    // Quarter 1: March satisfied out of three months; the leader of Phòng Nội vụ starts in January.
    let q = app
        .get("/api/v1/compliance?year=2026&quarter=1", Some(READ))
        .json();
    assert_eq!(q["months"], json!(["2026-01", "2026-02", "2026-03"]));
    let hxq = unit(&q, "ubnd-huong-xuan");
    assert_eq!(hxq["organisation"]["required"], 3);
    assert_eq!(hxq["organisation"]["satisfied"], 1);
    assert_eq!(
        hxq["organisation"]["missing"],
        json!(["2026-01", "2026-02"])
    );
    let an = leader(hxq, "nguyen-van-an").unwrap();
    assert_eq!(
        (an["required"].as_u64(), an["satisfied"].as_u64()),
        (Some(3), Some(1))
    );
    let year = app.get("/api/v1/compliance?year=2026", Some(READ)).json();
    // The month in progress and later ones are not required yet.
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let over = match now.year() {
        2026 => now.month() as u64 - 1,
        y if y > 2026 => 12,
        _ => 0,
    };
    assert_eq!(
        unit(&year, "ubnd-huong-xuan")["organisation"]["required"],
        over
    );
    assert_eq!(
        app.get("/api/v1/compliance?year=2026&quarter=5", Some(READ))
            .status,
        400
    );
    assert_eq!(app.get("/api/v1/compliance", Some(READ)).status, 400);
    // The quarter as CSV (the format is no longer silently ignored): the months still missing.
    let csv = app.get(
        "/api/v1/compliance?year=2026&quarter=1&format=csv",
        Some(READ),
    );
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.body.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = String::from_utf8(csv.body.clone()).unwrap();
    let row = text
        .lines()
        .find(|l| l.contains("ubnd-huong-xuan") && l.contains("Ký số cơ quan"))
        .unwrap();
    // By default in the form Excel in Vietnamese opens: `;` between fields.
    assert!(row.starts_with("Quý 1/2026;"), "{row}");
    assert!(row.ends_with(";3;1;01/2026, 02/2026"), "{row}");
    // RFC 4180 for programs.
    let rfc = app
        .get(
            "/api/v1/compliance?year=2026&quarter=1&format=csv&dialect=rfc4180",
            Some(READ),
        )
        .text();
    let row = rfc
        .lines()
        .find(|l| l.contains("ubnd-huong-xuan") && l.contains("Ký số cơ quan"))
        .unwrap();
    assert!(row.starts_with("Quý 1/2026,"), "{row}");
    assert!(row.ends_with(",3,1,\"01/2026, 02/2026\""), "{row}");
    assert_eq!(
        app.get(
            "/api/v1/compliance?year=2026&quarter=1&format=csv&dialect=excel",
            Some(READ)
        )
        .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/compliance?year=2026&format=pdf", Some(READ))
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/compliance/2026-13", Some(READ)).status,
        400
    );
    // CSV: UTF-8 with BOM, Vietnamese headers, one row per requirement (in the Vietnamese form
    // by default: the RFC 4180 form read here is the same table).
    let vi = app
        .get("/api/v1/compliance/2026-03?format=csv", Some(READ))
        .text();
    assert!(
        vi.contains("\r\nTháng;Mã đơn vị;") || vi.starts_with("\u{feff}Tháng;Mã đơn vị;"),
        "{vi}"
    );
    let csv = app.get(
        "/api/v1/compliance/2026-03?format=csv&dialect=rfc4180",
        Some(READ),
    );
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.body.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = csv.text();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "Tháng,Mã đơn vị,Tên đơn vị,Loại đơn vị,Yêu cầu,Lãnh đạo,Chức vụ,Đã nộp,Hồ sơ"
    );
    assert_eq!(lines.len(), 1 + 3 + 3, "{text}");
    let org = lines
        .iter()
        .find(|l| {
            l.starts_with(
                "03/2026,ubnd-huong-xuan,UBND phường Hương Xuân,\"UBND xã, phường\",Ký số cơ quan,,,Có,",
            )
        })
        .unwrap();
    // The file as the clerk sent it: its name, when it was received (Vietnam time), its id.
    let at = org.split("van-ban.pdf (nhận ").nth(1).unwrap_or_default();
    let date: Vec<&str> = at.get(..10).unwrap_or_default().split('/').collect();
    assert!(
        date.len() == 3 && date[0].len() == 2 && date[1].len() == 2 && date[2].len() == 4,
        "dd/mm/yyyy: {org}"
    );
    assert!(org.contains(&format!("mã {both})")), "the whole id: {org}");
}

#[test]
fn month_boundaries_are_in_vietnam_time() {
    let app = spawn_app(Some(&demo_registry_toml()));
    // 31/03/2026 23:30 in Vietnam: March.
    let late = app.upload_raw(&fixture("pyhanko-leader-pkcs7.pdf")).json();
    assert_eq!(late["satisfies"][0]["month"], "2026-03");
    // 01/04/2026 00:30 in Vietnam (still 31/03 in UTC): April.
    let early = app
        .upload_raw(&fixture("pyhanko-leader-april-0030.pdf"))
        .json();
    assert_eq!(early["satisfies"][0]["month"], "2026-04");
    let mar = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let apr = app.get("/api/v1/compliance/2026-04", Some(READ)).json();
    let an_mar = leader(unit(&mar, "ubnd-huong-xuan"), "nguyen-van-an")
        .unwrap()
        .clone();
    let an_apr = leader(unit(&apr, "ubnd-huong-xuan"), "nguyen-van-an")
        .unwrap()
        .clone();
    assert_eq!(an_mar["submissions"], json!([late["id"]]));
    assert_eq!(an_apr["submissions"], json!([early["id"]]));
}

#[test]
fn late_enrolment_credits_earlier_submissions() {
    let mut registry = kyso::cli::demo::demo_registry(&root().join("fixtures")).unwrap();
    // The leader's certificate is not enrolled yet.
    registry
        .leaders
        .iter_mut()
        .for_each(|l| l.certificates.clear());
    let app = spawn_app(Some(&toml::to_string(&registry).unwrap()));
    let r = app.upload_raw(&fixture("pyhanko-leader-pkcs7.pdf")).json();
    let id = r["id"].as_str().unwrap().to_string();
    assert!(r["satisfies"].as_array().unwrap().is_empty());
    let n = note(&r, "signer_not_enrolled");
    let message = n["message"].as_str().unwrap();
    assert!(
        message.contains("Nguyễn Văn An") && !message.contains(&fingerprint("leaf-leader.pem")),
        "the certificate by its holder's name, not its hash: {message}"
    );
    let un = app.get("/api/v1/signers/unenrolled", Some(READ)).json();
    assert_eq!(un[0]["sha256"], fingerprint("leaf-leader.pem").as_str());
    assert_eq!(
        un[0]["subject"],
        "CN=Chủ tịch Nguyễn Văn An,O=UBND phường Hương Xuân,C=VN"
    );
    assert_eq!(un[0]["submissions"], json!([id]));
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert_eq!(
        leader(unit(&t, "ubnd-huong-xuan"), "nguyen-van-an").unwrap()["satisfied"],
        false
    );
    // Enrol the certificate: the earlier submission now counts.
    let r = app.put_json(
        "/api/v1/leaders/nguyen-van-an",
        ADMIN,
        &json!({"name": "Nguyễn Văn An", "title": "Chủ tịch", "unit": "ubnd-huong-xuan", "from": "2025-01", "certificates": [fingerprint("leaf-leader.pem")]}),
    );
    assert_eq!(r.status, 200);
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let an = leader(unit(&t, "ubnd-huong-xuan"), "nguyen-van-an").unwrap();
    assert_eq!(an["satisfied"], true);
    assert_eq!(an["submissions"], json!([id]));
    assert_eq!(
        app.get(&format!("/api/v1/submissions/{id}"), Some(READ))
            .json()["satisfies"][0]["leader"],
        "nguyen-van-an"
    );
    assert_eq!(
        app.get("/api/v1/signers/unenrolled", Some(READ)).json(),
        json!([])
    );
}

#[test]
fn leader_tenure_decides_which_months_count() {
    let mut registry = kyso::cli::demo::demo_registry(&root().join("fixtures")).unwrap();
    for l in registry
        .leaders
        .iter_mut()
        .filter(|l| l.id == "nguyen-van-an")
    {
        l.to = kyso::duty::period::Month::parse("2026-02");
    }
    let app = spawn_app(Some(&toml::to_string(&registry).unwrap()));
    let r = app.upload_raw(&fixture("pyhanko-leader-pkcs7.pdf")).json();
    assert!(r["satisfies"].as_array().unwrap().is_empty());
    let n = note(&r, "leader_not_in_office");
    assert!(n["message"].as_str().unwrap().contains("03/2026"));
    // Out of office in March: not listed; in office in February: listed, not satisfied.
    let mar = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(leader(unit(&mar, "ubnd-huong-xuan"), "nguyen-van-an").is_none());
    let feb = app.get("/api/v1/compliance/2026-02", Some(READ)).json();
    assert_eq!(
        leader(unit(&feb, "ubnd-huong-xuan"), "nguyen-van-an").unwrap()["satisfied"],
        false
    );
    let q = app
        .get("/api/v1/compliance?year=2026&quarter=1", Some(READ))
        .json();
    assert_eq!(
        leader(unit(&q, "ubnd-huong-xuan"), "nguyen-van-an").unwrap()["required"],
        2
    );
}

#[test]
fn claimed_signing_times_far_from_the_receipt_earn_nothing_by_default() {
    let app = spawn_app_with(
        Some(&demo_registry_toml()),
        104_857_600,
        "accept_implausible_signing_time = false",
    );
    // Claimed 10/03/2026 (PAdES /M), received now: more than 45 days.
    let claimed = app.upload_raw(&fixture("pyhanko-org-pades.pdf")).json();
    assert!(
        claimed["satisfies"].as_array().unwrap().is_empty(),
        "{claimed}"
    );
    let n = note(&claimed, "signing_time_implausible");
    assert!(
        n["message"].as_str().unwrap().contains("dấu thời gian"),
        "{n}"
    );
    // A trusted timestamp of the same day is believed: the month counts.
    let stamped = app.upload_raw(&fixture("pyhanko-b-t.pdf")).json();
    assert_eq!(stamped["satisfies"][0]["month"], "2026-03", "{stamped}");
    assert_eq!(
        stamped["report"]["signatures"][0]["signing_time_source"],
        "timestamp"
    );
}

/// The month's credits are kept between tables (`src/credit_cache.rs`), never past a change:
/// the same table again, then after an upload of that month, after a registry change, and
/// after a re-import of the same file, each answers as if credited afresh.
#[test]
fn kept_credits_follow_uploads_and_registry_changes() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let march = || app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let org = |t: &Value| unit(t, "ubnd-huong-xuan")["organisation"]["satisfied"].clone();
    assert_eq!(org(&march()), false);
    assert_eq!(org(&march()), false, "asked again");
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
    let t = march();
    assert_eq!(org(&t), true, "a commit to the month is seen");
    let an = unit(&t, "ubnd-huong-xuan");
    assert!(leader(an, "nguyen-van-an").is_some());
    // The leader's post starts later: March no longer requires him.
    let mut l = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    l["from"] = "2026-04".into();
    assert_eq!(
        app.put_json("/api/v1/leaders/nguyen-van-an?correction=test", ADMIN, &l)
            .status,
        200
    );
    let t = march();
    assert!(
        leader(unit(&t, "ubnd-huong-xuan"), "nguyen-van-an").is_none(),
        "{t}"
    );
    // The unit was merged away at the end of February: March no longer lists it.
    let mut u = app.get("/api/v1/units/ubnd-huong-xuan", Some(READ)).json();
    u["to"] = "2026-02".into();
    assert_eq!(
        app.put_json("/api/v1/units/ubnd-huong-xuan?correction=test", ADMIN, &u)
            .status,
        200
    );
    let t = march();
    assert!(
        t["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != "ubnd-huong-xuan"),
        "{t}"
    );
}
