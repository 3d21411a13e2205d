//! Real staffing in the registry: a unit created mid-year is not required before it existed; a
//! merged unit keeps its past; one person's token credits each post in office that month (two
//! posts at once, kiêm nhiệm; a transfer with the same token).

use crate::helpers::*;
use serde_json::Value;

fn unit<'a>(table: &'a Value, id: &str) -> Option<&'a Value> {
    table["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
}

fn leader_ok(table: &Value, unit_id: &str, leader: &str) -> bool {
    unit(table, unit_id).unwrap()["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == leader)
        .unwrap_or_else(|| panic!("no {leader} in {unit_id}"))["satisfied"]
        == true
}

#[test]
fn units_exist_for_their_months_and_a_person_is_credited_for_each_post() {
    let leader_cert = fingerprint("leaf-leader.pem");
    let registry = format!(
        r#"{}
[[unit]]
id = "phuong-moi"
name = "UBND phường Mới"
kind = "commune"
from = "2026-11"

[[unit]]
id = "xa-da-sap-nhap"
name = "UBND xã Đã Sáp Nhập"
kind = "commune"
active = false
to = "2026-02"

[[leader]]
id = "nguyen-van-an-kiem-nhiem"
name = "Nguyễn Văn An"
title = "Trưởng phòng (kiêm nhiệm)"
unit = "phong-noi-vu"
from = "2026-01"
certificates = ["{leader_cert}"]

[[leader]]
id = "nguyen-van-an-truoc-day"
name = "Nguyễn Văn An"
title = "Phó Giám đốc"
unit = "trung-tam-van-hoa"
from = "2025-01"
to = "2026-02"
certificates = ["{leader_cert}"]
"#,
        demo_registry_toml()
    );
    let app = spawn_app(Some(&registry));
    let r = app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"));
    assert_eq!(r.status, 201, "{}", r.text());
    let credited: Vec<String> = r.json()["satisfies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["unit"].as_str().unwrap(),
                c["leader"].as_str().unwrap_or("org")
            )
        })
        .collect();
    // March 2026: the organisation, and both posts the person holds in March; not the post
    // held until February.
    assert!(
        credited.contains(&"ubnd-huong-xuan/nguyen-van-an".to_string()),
        "{credited:?}"
    );
    assert!(
        credited.contains(&"phong-noi-vu/nguyen-van-an-kiem-nhiem".to_string()),
        "{credited:?}"
    );
    assert!(
        !credited.iter().any(|c| c.contains("truoc-day")),
        "{credited:?}"
    );

    let march = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(leader_ok(
        &march,
        "phong-noi-vu",
        "nguyen-van-an-kiem-nhiem"
    ));
    assert!(
        unit(&march, "phuong-moi").is_none(),
        "not required before it existed"
    );
    assert!(
        unit(&march, "xa-da-sap-nhap").is_none(),
        "not required after the merger"
    );
    let january = app.get("/api/v1/compliance/2026-01", Some(READ)).json();
    assert!(
        unit(&january, "xa-da-sap-nhap").is_some(),
        "its past months stay"
    );
    let q1 = app
        .get("/api/v1/compliance?year=2026&quarter=1", Some(READ))
        .json();
    let merged = unit(&q1, "xa-da-sap-nhap").expect("in the quarter it existed in");
    assert_eq!(
        merged["organisation"]["required"], 2,
        "January and February only"
    );
    assert!(unit(&q1, "phuong-moi").is_none());

    // A unit's year: what each month required and the files behind it.
    let id = r.json()["id"].as_str().unwrap().to_string();
    let h = app
        .get(
            "/api/v1/units/ubnd-huong-xuan/history?year=2026",
            Some(READ),
        )
        .json();
    let months = h["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[2]["month"], "2026-03");
    assert_eq!(months[2]["organisation"]["satisfied"], true);
    assert_eq!(months[2]["organisation"]["submissions"][0], id.as_str());
    assert_eq!(months[1]["organisation"]["satisfied"], false);
    let merged = app
        .get("/api/v1/units/xa-da-sap-nhap/history?year=2026", Some(READ))
        .json();
    let required: Vec<bool> = merged["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["required"] == true)
        .collect();
    assert_eq!(&required[..4], &[true, true, false, false]);
    assert_eq!(
        app.get("/api/v1/units/nowhere/history", Some(READ)).status,
        404
    );

    // A re-issued token: the leader's certificate is replaced. Files the old one signed while
    // it was enrolled keep their credit; the old certificate is kept as retired.
    let mut an = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    an["certificates"] = serde_json::json!([fingerprint("leaf-leader-p384.pem")]);
    assert_eq!(
        app.put_json("/api/v1/leaders/nguyen-van-an", ADMIN, &an)
            .status,
        200
    );
    let an = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    assert_eq!(
        an["retired_certificates"][0]["sha256"],
        leader_cert.as_str(),
        "{an}"
    );
    let march = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(
        leader_ok(&march, "ubnd-huong-xuan", "nguyen-van-an"),
        "the old token's credit stays"
    );

    // A certificate stays with one person: another person's post cannot share it.
    let other = serde_json::json!({"name": "Trần Văn Khác", "title": "Phó phòng", "unit": "phong-noi-vu",
        "from": "2026-01", "certificates": [leader_cert]});
    let r = app.put_json("/api/v1/leaders/tran-van-khac", ADMIN, &other);
    assert_eq!(r.status, 400, "{}", r.text());
}

/// The registry file is imported by an explicit admin action: first what it would change (an
/// edit made through the API shows as a change the file would undo, and stays), then, when
/// asked, the change itself, audited under the administrator's name. A file that would make
/// the registry invalid is refused with nothing written.
#[test]
fn a_registry_import_is_previewed_then_applied_as_audited_changes() {
    let file = demo_registry_toml();
    let app = spawn_app(Some(&file));
    let import = |toml: &str, apply: bool, token: &str| {
        app.post_to(
            &format!("/api/v1/registry/import?apply={apply}"),
            token,
            "application/toml",
            toml.as_bytes(),
        )
    };
    // An edit through the API.
    let mut unit = app.get("/api/v1/units/ubnd-huong-xuan", Some(READ)).json();
    unit["name"] = "UBND phường Hương Xuân (đổi tên)".into();
    assert_eq!(
        app.put_json("/api/v1/units/ubnd-huong-xuan", ADMIN, &unit)
            .status,
        200
    );

    // The original file again, previewed: the edit is what it would change; nothing changes.
    let r = import(&file, false, ADMIN);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["applied"], false);
    let changes: Vec<String> = serde_json::from_value(v["changes"].clone()).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].contains("ubnd-huong-xuan") && changes[0].contains("name"),
        "{changes:?}"
    );
    let now = app.get("/api/v1/units/ubnd-huong-xuan", Some(READ)).json();
    assert_eq!(now["name"], "UBND phường Hương Xuân (đổi tên)");

    // A new unit, applied: saved, and audited under the token's name.
    let added = "[[unit]]\nid = \"phuong-huong-van\"\nname = \"UBND phường Hương Văn\"\nkind = \"commune\"\n";
    let v = import(added, true, ADMIN).json();
    assert_eq!(v["applied"], true, "{v}");
    assert_eq!(v["changes"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        app.get("/api/v1/units/phuong-huong-van", Some(READ)).status,
        200
    );
    let log = app.get("/api/v1/registry/changes", Some(READ)).json();
    assert_eq!(log[0]["id"], "phuong-huong-van", "{log}");
    assert_eq!(log[0]["by"], "admin", "{log}");
    // The same file again changes nothing and saves nothing.
    let v = import(added, true, ADMIN).json();
    assert_eq!(
        (v["applied"].clone(), v["changes"].as_array().unwrap().len()),
        (false.into(), 0)
    );

    // A file of leaders alone (for a unit the registry has) is an upsert, not an error; and a
    // misspelt table is refused, not read as an empty file.
    let leader = format!(
        "[[leader]]\nid = \"pho-chu-tich-moi\"\nname = \"Lê Văn Mới\"\ntitle = \"Phó Chủ tịch\"\nunit = \"phuong-huong-van\"\nfrom = \"2026-01\"\n"
    );
    let v = import(&leader, false, ADMIN).json();
    assert_eq!(v["changes"].as_array().unwrap().len(), 1, "{v}");
    let typo = import("[[unitt]]\nid = \"x\"\n", false, ADMIN);
    assert_eq!(typo.status, 400, "{}", typo.text());

    // An apply whose registry moved since its preview is refused: the administrator saw one
    // change (the new leader); meanwhile another edit renamed the unit, which the same file
    // would now undo.
    let file2 = format!(
        "{leader}[[unit]]\nid = \"phuong-huong-van\"\nname = \"UBND phường Hương Văn\"\nkind = \"commune\"\n"
    );
    let preview = import(&file2, false, ADMIN).json();
    assert_eq!(preview["changes"].as_array().unwrap().len(), 1, "{preview}");
    let sha = preview["changes_sha256"].as_str().unwrap().to_string();
    let mut other = app.get("/api/v1/units/phuong-huong-van", Some(READ)).json();
    other["name"] = "UBND phường Hương Văn (đổi tên)".into();
    assert_eq!(
        app.put_json("/api/v1/units/phuong-huong-van", ADMIN, &other)
            .status,
        200
    );
    let apply_seen = |body: &str| {
        app.post_to(
            &format!("/api/v1/registry/import?apply=true&expected={sha}"),
            ADMIN,
            "application/toml",
            body.as_bytes(),
        )
    };
    let stale = apply_seen(&file2);
    assert_eq!(
        (stale.status, stale.json()["code"].as_str()),
        (409, Some("conflict")),
        "{}",
        stale.text()
    );
    assert_eq!(
        app.get("/api/v1/leaders/pho-chu-tich-moi", Some(READ))
            .status,
        404,
        "nothing saved"
    );
    // The leader alone still makes the change that was seen.
    let ok = apply_seen(&leader);
    assert_eq!(ok.json()["applied"], true, "{}", ok.text());
    assert_eq!(
        app.get("/api/v1/leaders/pho-chu-tich-moi", Some(READ))
            .status,
        200
    );

    // Refusals: not an administrator, not a registry, an invalid registry.
    assert_eq!(import(added, true, SUBMIT).status, 403);
    let bad = import("[[unit]\nid = ", true, ADMIN);
    assert_eq!(
        (bad.status, bad.json()["code"].as_str()),
        (400, Some("bad_request"))
    );
    let cert = fingerprint("leaf-leader.pem");
    let twice = format!(
        "[[unit]]\nid = \"xa-khac\"\nname = \"UBND xã Khác\"\nkind = \"commune\"\ncertificates = [\"{cert}\"]\n"
    );
    let r = import(&twice, true, ADMIN);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains(&cert), "{}", r.text());
    assert_eq!(app.get("/api/v1/units/xa-khac", Some(READ)).status, 404);

    // A re-issued token: the dropped certificate is kept as retired by the merge, and the same
    // file imported again changes nothing (no phantom "retired_certificates" line).
    let with = |fp: char| {
        format!(
            "[[unit]]\nid = \"xa-token\"\nname = \"UBND xã Token\"\nkind = \"commune\"\ncertificates = [\"{}\"]\n",
            fp.to_string().repeat(64)
        )
    };
    assert_eq!(import(&with('a'), true, ADMIN).json()["applied"], true);
    assert_eq!(import(&with('b'), true, ADMIN).json()["applied"], true);
    let again = import(&with('b'), true, ADMIN).json();
    assert_eq!(again["changes"].as_array().unwrap().len(), 0, "{again}");
    let unit = app.get("/api/v1/units/xa-token", Some(READ)).json();
    assert_eq!(
        unit["retired_certificates"][0]["sha256"],
        "a".repeat(64),
        "{unit}"
    );
}

/// The registry file's person form (DESIGN.md §4.4): a `[[person]]` with a token and two
/// `[[post]]`s (kiêm nhiệm from January, a post that ended in February). One file credits the
/// posts in office that month; the submissions list finds it by person; a `[[person]]` alone,
/// imported later, adds a re-issued token to both posts and keeps the old one's credit.
#[test]
fn the_person_form_credits_each_post_and_lists_by_person() {
    let (org, person) = (fingerprint("leaf-org.pem"), fingerprint("leaf-leader.pem"));
    let registry = format!(
        r#"
[[unit]]
id = "ubnd-huong-xuan"
name = "UBND phường Hương Xuân"
kind = "commune"
certificates = ["{org}"]

[[unit]]
id = "phong-noi-vu"
name = "Phòng Nội vụ"
kind = "department"

[[person]]
id = "nguyen-van-an"
name = "Nguyễn Văn An"
certificates = ["{person}"]

[[post]]
person = "nguyen-van-an"
unit = "ubnd-huong-xuan"
title = "Chủ tịch"
from = "2020-01"

[[post]]
person = "nguyen-van-an"
unit = "phong-noi-vu"
title = "Trưởng phòng (kiêm nhiệm)"
from = "2026-01"

[[post]]
id = "nguyen-van-an-truoc-day"
person = "nguyen-van-an"
unit = "phong-noi-vu"
title = "Phó phòng"
from = "2025-01"
to = "2026-02"
"#
    );
    let app = spawn_app(Some(&registry));
    let r = app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"));
    assert_eq!(r.status, 201, "{}", r.text());
    let mut credited: Vec<String> = r.json()["satisfies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["leader"].as_str().unwrap_or("org").to_string())
        .collect();
    credited.sort();
    assert_eq!(
        credited,
        [
            "nguyen-van-an--phong-noi-vu",
            "nguyen-van-an--ubnd-huong-xuan",
            "org"
        ],
        "March 2026: both posts in office, not the one that ended in February"
    );
    let post = app
        .get("/api/v1/leaders/nguyen-van-an--phong-noi-vu", Some(READ))
        .json();
    assert_eq!(
        (post["person"].as_str(), post["name"].as_str()),
        (Some("nguyen-van-an"), Some("Nguyễn Văn An"))
    );

    // The submissions of a person (all their posts), and of one post; none for another.
    let list = |q: &str| {
        app.get(
            &format!("/api/v1/submissions?month=2026-03&{q}"),
            Some(READ),
        )
        .json()["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(list("person=nguyen-van-an"), 1);
    assert_eq!(list("person=nguyen-van-an--phong-noi-vu"), 1);
    assert_eq!(list("person=tran-van-khac"), 0);

    // A re-issued token: the person alone, with both certificates, then with the new one only.
    let import = |toml: String| {
        let r = app.post_to(
            "/api/v1/registry/import?apply=true",
            ADMIN,
            "application/toml",
            toml.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };
    let new = "c".repeat(64);
    let v = import(format!(
        "[[person]]\nid = \"nguyen-van-an\"\nname = \"Nguyễn Văn An\"\ncertificates = [\"{new}\"]\n"
    ));
    assert_eq!(v["changes"].as_array().unwrap().len(), 3, "every post: {v}");
    for id in [
        "nguyen-van-an--phong-noi-vu",
        "nguyen-van-an--ubnd-huong-xuan",
    ] {
        let l = app.get(&format!("/api/v1/leaders/{id}"), Some(READ)).json();
        assert_eq!(l["certificates"][0], new.as_str(), "{l}");
        assert_eq!(
            l["retired_certificates"][0]["sha256"],
            person.as_str(),
            "{l}"
        );
    }
    // The March file keeps its credit.
    let march = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(leader_ok(
        &march,
        "phong-noi-vu",
        "nguyen-van-an--phong-noi-vu"
    ));

    // A post naming nobody is refused, nothing written.
    let r = app.post_to(
        "/api/v1/registry/import?apply=true",
        ADMIN,
        "application/toml",
        b"[[post]]\nperson = \"ai-do\"\nunit = \"phong-noi-vu\"\ntitle = \"X\"\nfrom = \"2026-01\"\n",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("unknown person ai-do"), "{}", r.text());
}

/// A transfer written over the old record (the leader's unit changed in place) would move his
/// past months to the other unit. The import's preview says so, an apply without a reason is
/// refused with nothing written, and an apply with a correction's reason is saved with that
/// reason in the audit log. Recorded the usual way (the old post ends, a new one starts) the
/// same transfer needs no reason.
#[test]
fn an_import_that_rewrites_past_months_needs_a_correction() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let import = |query: &str, toml: &str| {
        app.post_to(
            &format!("/api/v1/registry/import{query}"),
            ADMIN,
            "application/toml",
            toml.as_bytes(),
        )
    };
    let leader_cert = fingerprint("leaf-leader.pem");
    let in_place = format!(
        "[[leader]]\nid = \"nguyen-van-an\"\nname = \"Nguyễn Văn An\"\ntitle = \"Trưởng phòng\"\nunit = \"phong-noi-vu\"\nfrom = \"2025-01\"\ncertificates = [\"{leader_cert}\"]\n"
    );
    let preview = import("", &in_place).json();
    assert_eq!(preview["applied"], false);
    assert_eq!(
        preview["rewrites_past"][0]["id"], "nguyen-van-an",
        "{preview}"
    );
    assert_eq!(preview["rewrites_past"][0]["months"][0], "2025-01");
    let refused = import("?apply=true", &in_place);
    assert_eq!(refused.status, 409, "{}", refused.text());
    assert_eq!(refused.json()["code"], "rewrites_past");
    let an = app.get("/api/v1/leaders/nguyen-van-an", Some(READ)).json();
    assert_eq!(an["unit"], "ubnd-huong-xuan", "nothing written");
    let march = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let hx = unit(&march, "ubnd-huong-xuan").unwrap();
    assert!(hx["leaders"].to_string().contains("nguyen-van-an"), "{hx}");

    // The usual way: his post ends in October and a new one starts in November.
    let transfer = format!(
        "[[leader]]\nid = \"nguyen-van-an\"\nname = \"Nguyễn Văn An\"\ntitle = \"Chủ tịch\"\nunit = \"ubnd-huong-xuan\"\nfrom = \"2025-01\"\nto = \"{last}\"\ncertificates = [\"{leader_cert}\"]\n\n[[leader]]\nid = \"nguyen-van-an-2\"\nname = \"Nguyễn Văn An\"\ntitle = \"Trưởng phòng\"\nunit = \"phong-noi-vu\"\nfrom = \"{first}\"\ncertificates = [\"{leader_cert}\"]\n",
        last = this_month_vn_offset(0),
        first = this_month_vn_offset(1),
    );
    let r = import("?apply=true", &transfer);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rewrites_past"], serde_json::json!([]));

    // The in-place change as an explicit correction (another leader's record).
    let wrong_unit = "[[leader]]\nid = \"tran-thi-binh\"\nname = \"Trần Thị Bình\"\ntitle = \"Phó Chủ tịch\"\nunit = \"trung-tam-van-hoa\"\nfrom = \"2025-01\"\n";
    let before = app.get("/api/v1/leaders/tran-thi-binh", Some(READ)).json();
    let mut toml = wrong_unit.to_string();
    if let Some(certs) = before["certificates"].as_array() {
        let list: Vec<String> = certs.iter().map(|c| format!("{c}")).collect();
        toml += &format!("certificates = [{}]\n", list.join(", "));
    }
    let r = import(
        "?apply=true&correction=nh%E1%BA%ADp%20sai%20%C4%91%C6%A1n%20v%E1%BB%8B",
        &toml,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["applied"], true);
    let log = app.get("/api/v1/registry/changes", Some(READ)).json();
    assert_eq!(log[0]["id"], "tran-thi-binh", "{log}");
    assert_eq!(log[0]["correction"], "nhập sai đơn vị", "{log}");
    assert!(
        log[1].get("correction").is_none(),
        "an ordinary change: {log}"
    );
}

/// `YYYY-MM` of this month (Vietnam time) plus `ahead` months.
fn this_month_vn_offset(ahead: i32) -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let total = now.year() * 12 + (now.month() as i32 - 1) + ahead;
    format!("{}-{:02}", total.div_euclid(12), total.rem_euclid(12) + 1)
}

/// A transfer with the same token, as the issue describes it (October stays with the old
/// unit, November goes to the new one), here with two files pyHanko signed with one token in
/// February and in March 2026: the post in the People's Committee ends in February, the post in
/// the Home Affairs office starts in March. Each file credits the post in office in its month,
/// and rewriting the old post's unit in place afterwards is refused.
#[test]
fn a_transfer_with_the_same_token_splits_the_months_between_the_units() {
    let token = fingerprint("leaf-leader-lost-token.pem");
    let file = format!(
        "{}\n[[person]]\nid = \"vu-van-minh\"\nname = \"Vũ Văn Minh\"\ncertificates = [\"{token}\"]\n\n[[post]]\nperson = \"vu-van-minh\"\nunit = \"ubnd-huong-xuan\"\ntitle = \"Phó Chủ tịch\"\nfrom = \"2025-01\"\nto = \"2026-02\"\n\n[[post]]\nperson = \"vu-van-minh\"\nunit = \"phong-noi-vu\"\ntitle = \"Trưởng phòng\"\nfrom = \"2026-03\"\n",
        demo_registry_toml()
    );
    let app = spawn_app(Some(&file));
    for f in ["pyhanko-lost-token-feb.pdf", "pyhanko-lost-token-mar.pdf"] {
        let r = app.upload_raw(&fixture(f));
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let (old, new) = ("vu-van-minh--ubnd-huong-xuan", "vu-van-minh--phong-noi-vu");
    let feb = app.get("/api/v1/compliance/2026-02", Some(READ)).json();
    assert!(leader_ok(&feb, "ubnd-huong-xuan", old), "{feb}");
    assert!(
        !unit(&feb, "phong-noi-vu").unwrap()["leaders"]
            .to_string()
            .contains(new),
        "not yet in office in February"
    );
    let mar = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    assert!(leader_ok(&mar, "phong-noi-vu", new), "{mar}");
    assert!(
        !unit(&mar, "ubnd-huong-xuan").unwrap()["leaders"]
            .to_string()
            .contains(old),
        "no longer in office in March"
    );
    // The person filter finds his file of each month, whichever post it credited.
    for month in ["2026-02", "2026-03"] {
        let listed = app
            .get(
                &format!("/api/v1/submissions?person=vu-van-minh&month={month}"),
                Some(READ),
            )
            .json();
        assert_eq!(listed["total"], 1, "{month}: {listed}");
    }

    // Rewriting the old post as if he had always been in the Home Affairs office would move
    // February: refused, February stays with the People's Committee.
    let mut post = app
        .get(&format!("/api/v1/leaders/{old}"), Some(READ))
        .json();
    post["unit"] = "phong-noi-vu".into();
    let r = app.put_json(&format!("/api/v1/leaders/{old}"), ADMIN, &post);
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["code"], "rewrites_past");
    let feb = app.get("/api/v1/compliance/2026-02", Some(READ)).json();
    assert!(leader_ok(&feb, "ubnd-huong-xuan", old), "{feb}");
}
