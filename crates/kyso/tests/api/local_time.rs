//! Signing tools that write Vietnam wall-clock time into the CMS signingTime labelled as UTC
//! (DESIGN.md §2): the /M entry gives the same wall clock with +07:00, and the receipt reads the
//! time as Vietnam time instead of refusing it as "signed after receipt". The signer's clock is
//! moved with libfaketime, so openssl writes the shifted signingTime itself.

use crate::helpers::*;
use crate::ocsp_pki::*;

fn faketime_present() -> bool {
    let present = std::process::Command::new("faketime")
        .arg("--version")
        .output()
        .is_ok();
    if !present {
        assert!(
            std::env::var("KYSO_REQUIRE_FAKETIME").is_err(),
            "faketime is required (KYSO_REQUIRE_FAKETIME)"
        );
        eprintln!("skipped: no faketime command (apt install faketime)");
    }
    present
}

#[test]
fn vietnam_time_labelled_as_utc_is_read_as_vietnam_time() {
    if !faketime_present() {
        return;
    }
    let Some(dir) = setup("localtime") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "don-vi", free_port());
    let cert = kyso::trust::files::load_certs(&dir.join("don-vi.pem"))
        .unwrap()
        .remove(0);
    let registry = format!(
        "[[unit]]\nid = \"ubnd-thuy-van\"\nname = \"UBND phường Thủy Vân\"\nkind = \"commune\"\ncertificates = [\"{}\"]\n",
        cert.sha256_hex()
    );
    let extra = format!(
        "trust = [{:?}]\ncrls = []\nocsp_online = false",
        dir.join("root.pem").display().to_string()
    );
    let app = spawn_app_with(Some(&registry), 1 << 24, &extra);

    // Now, as the unit's tool writes it: /M in Vietnam time, signingTime = that wall clock + "Z".
    let now_vn = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let m = format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+07'00'",
        now_vn.year(),
        now_vn.month() as u8,
        now_vn.day(),
        now_vn.hour(),
        now_vn.minute(),
        now_vn.second()
    );
    let pdf = signed_pdf_with(&dir, "don-vi", Some(&m), Some("+7h"));
    let r = app.upload_raw(&pdf);
    assert_eq!(r.status, 201, "{}", r.text());
    let receipt = r.json();
    let sig = &receipt["report"]["signatures"][0];
    let codes: Vec<&str> = sig["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"signing_time_local_as_utc"), "{receipt}");
    let month = format!("{:04}-{:02}", now_vn.year(), now_vn.month() as u8);
    assert_eq!(
        receipt["satisfies"][0]["month"],
        month.as_str(),
        "credited: {receipt}"
    );
    let notes = receipt["notes"].to_string();
    assert!(!notes.contains("signing_time_implausible"), "{notes}");
    let _ = std::fs::remove_dir_all(&dir);
}
