//! Moving a file to its month (issue 21.6): a tool that writes Vietnam wall-clock time as UTC
//! signs on the last evening of a month, the file is sent days later, and its claimed time
//! reads as the first hours of the next month's first day. The Office sees it in the previous
//! month's chase list, moves it with a reason (audited, on the receipt, among the amendments of
//! the closed month), and the months' figures follow. The signer's clock is set with
//! libfaketime, so openssl writes that signingTime itself.

use crate::helpers::*;
use serde_json::json;
use std::path::Path;
use std::process::Command;

fn faketime_present() -> bool {
    let present = Command::new("faketime").arg("--version").output().is_ok();
    if !present {
        assert!(
            std::env::var("KYSO_REQUIRE_FAKETIME").is_err(),
            "faketime is required (KYSO_REQUIRE_FAKETIME)"
        );
        eprintln!("skipped: no faketime command (apt install faketime)");
    }
    present
}

/// openssl under a clock set by libfaketime (`-40d`, `@2026-11-30 23:30:00`), in UTC.
fn openssl_at(dir: &Path, clock: &str, args: &[&str]) {
    let out = Command::new("faketime")
        .args(["-f", clock, "openssl"])
        .args(args)
        .env("TZ", "UTC")
        .current_dir(dir)
        .output()
        .expect("faketime runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A root and a leaf valid from 60 days ago for a year (`root.pem`, `don-vi.pem`/`.key`).
fn backdated_pki(dir: &Path) {
    let back = "-60d";
    openssl_at(
        dir,
        back,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "root.key",
            "-subj",
            "/CN=Test Month Root",
            "-days",
            "400",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "root.pem",
        ],
    );
    std::fs::write(dir.join("leaf.ext"), "keyUsage=critical,digitalSignature\n").unwrap();
    openssl_at(
        dir,
        back,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "don-vi.key",
            "-subj",
            "/CN=UBND phuong Thuy Van",
            "-out",
            "don-vi.csr",
        ],
    );
    openssl_at(
        dir,
        back,
        &[
            "x509",
            "-req",
            "-in",
            "don-vi.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "400",
            "-extfile",
            "leaf.ext",
            "-out",
            "don-vi.pem",
        ],
    );
}

/// The instant a tool writing Vietnam time as UTC stamps on a file signed at 23:30 on the last
/// day of a month: 23:30 "UTC" that day, which is 06:30 on the next month's first day in
/// Vietnam. The month is the last one whose such instant is at least an hour past.
fn last_evening() -> (time::OffsetDateTime, String, String) {
    use time::macros::offset;
    let now = time::OffsetDateTime::now_utc();
    let vn = now.to_offset(offset!(+7));
    let mut first = vn.date().replace_day(1).unwrap();
    loop {
        let stamp = first
            .previous_day()
            .unwrap()
            .with_hms(23, 30, 0)
            .unwrap()
            .assume_utc();
        if stamp + time::Duration::hours(1) < now {
            let before = first.previous_day().unwrap();
            let month = |d: time::Date| format!("{:04}-{:02}", d.year(), d.month() as u8);
            return (stamp, month(before), month(first));
        }
        first = first.previous_day().unwrap().replace_day(1).unwrap();
    }
}

#[test]
fn a_file_signed_on_the_last_evening_is_moved_to_its_month() {
    if !faketime_present() {
        return;
    }
    let Some(dir) = crate::ocsp_pki::setup("month-move") else {
        return;
    };
    backdated_pki(&dir);
    let cert = kyso::trust::files::load_certs(&dir.join("don-vi.pem"))
        .unwrap()
        .remove(0);
    let registry = format!(
        "[[unit]]\nid = \"ubnd-thuy-van\"\nname = \"UBND phường Thủy Vân\"\nkind = \"commune\"\ncertificates = [\"{}\"]\n",
        cert.sha256_hex()
    );
    let extra = format!(
        "trust = [{:?}]\ncrls = []\nocsp_online = false\naccept_implausible_signing_time = false",
        dir.join("root.pem").display().to_string()
    );
    let app = spawn_app_with(Some(&registry), 1 << 24, &extra);
    let (stamp, before, claimed) = last_evening();
    let clock = format!(
        "@{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        stamp.year(),
        stamp.month() as u8,
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    );
    let pdf = crate::ocsp_pki::signed_pdf_with(&dir, "don-vi", None, Some(&clock));
    let (ct, body) = multipart_named(&pdf, None, "bao-cao-thang.pdf");
    let r = app.post(Some(SUBMIT), &ct, &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let receipt = r.json();
    let id = receipt["id"].as_str().unwrap().to_string();
    assert_eq!(
        receipt["satisfies"][0]["month"],
        claimed.as_str(),
        "{receipt}"
    );
    assert_eq!(receipt["movable_to"], before.as_str(), "{receipt}");

    // The month before: missing, with the file that may be its own.
    let missing = app
        .get(&format!("/api/v1/compliance/{before}/missing"), Some(READ))
        .json();
    let row = missing
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"] == "ubnd-thuy-van" && r["requirement"] == "organisation")
        .unwrap_or_else(|| panic!("{missing}"));
    assert_eq!(row["movable"][0]["id"], id.as_str(), "{row}");
    assert_eq!(row["movable"][0]["file_name"], "bao-cao-thang.pdf");

    // The administrator's list of the claimed month offers the move, with the note.
    let cookie = crate::ui_upload::sign_in(&app, ADMIN);
    let list = crate::ui_periods::page(&app, &cookie, &format!("/ui/ho-so?thang={claimed}"))
        .into_string()
        .unwrap();
    let before_vn = format!("{}/{}", &before[5..], &before[..4]);
    assert!(
        list.contains(&format!("Chuyển về tháng {before_vn}"))
            && list.contains("rạng sáng ngày đầu tháng"),
        "{list}"
    );

    // The month before is closed first: the move shows as an amendment with its cause.
    let close = app.post_to(
        &format!("/api/v1/periods/{before}/close"),
        ADMIN,
        "application/json",
        b"",
    );
    assert_eq!(close.status, 201, "{}", close.text());

    let path = format!("/api/v1/submissions/{id}/move");
    let body = |month: &str, reason: &str| {
        serde_json::to_vec(&json!({ "month": month, "reason": reason })).unwrap()
    };
    let ask = |token: &str, b: Vec<u8>| app.post_to(&path, token, "application/json", &b);
    assert_eq!(ask(READ, body(&before, "Ký tối 30")).status, 403);
    assert_eq!(
        ask(ADMIN, body(&before, " ")).status,
        400,
        "a reason is required"
    );
    let wrong = ask(ADMIN, body(&claimed, "Ký tối 30"));
    assert_eq!(
        wrong.status,
        409,
        "only to the month before: {}",
        wrong.text()
    );
    let moved = ask(ADMIN, body(&before, "Văn thư xác nhận ký tối hôm trước"));
    assert_eq!(moved.status, 200, "{}", moved.text());
    let receipt = moved.json();
    assert_eq!(
        receipt["satisfies"][0]["month"],
        before.as_str(),
        "{receipt}"
    );
    let notes = receipt["notes"].to_string();
    assert!(
        notes.contains("moved_to_month") && notes.contains("Văn thư xác nhận ký tối hôm trước"),
        "{notes}"
    );
    assert_eq!(
        ask(ADMIN, body(&before, "lần nữa")).status,
        409,
        "moved once"
    );

    // The figures follow: the month before is met, the claimed month no longer.
    let met = |m: &str| {
        let t = app
            .get(&format!("/api/v1/compliance/{m}"), Some(READ))
            .json();
        t["units"][0]["organisation"]["satisfied"] == true
    };
    let period = app
        .get(&format!("/api/v1/periods/{before}"), Some(READ))
        .json();
    let amendments = period["amendments"].to_string();
    assert!(
        amendments.contains("chuyển từ tháng") && amendments.contains("bao-cao-thang.pdf"),
        "{period}"
    );
    assert!(!met(&claimed), "the claimed month no longer has it");
    let closed = app
        .get(&format!("/api/v1/compliance/{before}"), Some(READ))
        .json();
    assert!(
        closed["amendments"].to_string().contains("ubnd-thuy-van"),
        "the closed month shows the move beside its closed figures: {closed}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
