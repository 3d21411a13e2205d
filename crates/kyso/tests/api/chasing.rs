//! Chasing the units ("đôn đốc"): what is still missing in a month, first on the month page
//! with the days left, each unit's văn thư, the leaders without a certificate marked, and the
//! list to download (all units, or one), for any month.

use crate::helpers::*;
use crate::ui_upload::sign_in;
use serde_json::json;

#[test]
fn the_missing_list_names_whom_to_call_and_what_cannot_be_met_yet() {
    let app = spawn_app(Some(&demo_registry_toml()));
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
    let mut unit = app.get("/api/v1/units/phong-noi-vu", Some(READ)).json();
    unit["contact"] = json!({ "name": "Hồ Thị Văn", "phone": "0234 3861 234", "email": "vanthu.noivu@huongtra.gov.vn" });
    assert_eq!(
        app.put_json("/api/v1/units/phong-noi-vu", ADMIN, &unit)
            .status,
        200
    );
    let mut bad = unit.clone();
    bad["contact"]["email"] = json!("not an address");
    assert_eq!(
        app.put_json("/api/v1/units/phong-noi-vu", ADMIN, &bad)
            .status,
        400
    );

    let list = app
        .get("/api/v1/compliance/2026-03/missing", Some(READ))
        .json();
    let rows = list.as_array().unwrap();
    let cuong = rows
        .iter()
        .find(|r| r["leader"] == "le-van-cuong")
        .expect("the leader without a file is missing");
    assert_eq!(
        cuong["no_certificate"], true,
        "he has no certificate enrolled: {cuong}"
    );
    assert_eq!(cuong["contact"]["email"], "vanthu.noivu@huongtra.gov.vn");
    assert!(
        !rows
            .iter()
            .any(|r| r["unit"] == "ubnd-huong-xuan" && r["requirement"] == "organisation"),
        "met in March: {list}"
    );
    let one = app
        .get(
            "/api/v1/compliance/2026-03/missing?unit=phong-noi-vu",
            Some(READ),
        )
        .json();
    assert!(
        one.as_array()
            .unwrap()
            .iter()
            .all(|r| r["unit"] == "phong-noi-vu"),
        "{one}"
    );
    let csv = app
        .get("/api/v1/compliance/2026-03/missing?format=csv", Some(READ))
        .text();
    assert!(
        csv.contains("chưa có chứng thư số") && csv.contains("Hồ Thị Văn"),
        "{csv}"
    );
    let x = app.get("/api/v1/compliance/2026-03/missing?format=xlsx", Some(READ));
    assert!(x.body.starts_with(b"PK"), "an XLSX (zip) file");
    assert_eq!(
        app.get("/api/v1/compliance/2026-03/missing?format=pdf", Some(READ))
            .status,
        400
    );

    // The month page: the missing list first, and the days left in the month in progress.
    let cookie = sign_in(&app, READ);
    let get = |p: &str| {
        ureq::get(&app.url(p))
            .set("Cookie", &cookie)
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    };
    let page = get("/ui/thang/2026-03");
    let first = page.find("Còn thiếu").expect("a Còn thiếu section");
    assert!(
        first < page.find("Ký số cơ quan:").unwrap(),
        "missing first"
    );
    assert!(
        page.contains("(chưa có chứng thư số)") && page.contains("0234 3861 234"),
        "{page}"
    );
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let this = format!("{:04}-{:02}", now.year(), now.month() as u8);
    let current = get(&format!("/ui/thang/{this}"));
    assert!(
        current.contains("đang diễn ra, còn"),
        "days left in the month in progress"
    );
    // Every unit still lacks something in March: the filter keeps all three.
    let only = get("/ui/thang/2026-03?con-thieu=1");
    assert!(
        only.contains("name=\"con-thieu\" value=\"1\" checked"),
        "{only}"
    );
    assert_eq!(only.matches("<table class=\"month\">").count(), 3, "{only}");
    let mut file = Vec::new();
    std::io::Read::read_to_end(
        &mut ureq::get(&app.url("/ui/thang/2026-03/con-thieu?dinh-dang=csv&don-vi=phong-noi-vu"))
            .set("Cookie", &cookie)
            .call()
            .unwrap()
            .into_reader(),
        &mut file,
    )
    .unwrap();
    let text = String::from_utf8(file).unwrap();
    assert!(
        text.contains("Phòng Nội vụ") && !text.contains("Hương Xuân"),
        "{text}"
    );
}
