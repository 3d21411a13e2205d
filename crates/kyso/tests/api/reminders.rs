//! Reminders ("thư nhắc"): the units still missing something get one e-mail each at their văn
//! thư's address, from the monthly run and when the Office asks, through a real SMTP server
//! (aiosmtpd, a Python implementation we did not write); every attempt is recorded, a restart
//! does not remind twice, and a server that is down is recorded as a failure, not a send.

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VAN_THU: &str = "vanthu.noivu@huongtra.gov.vn";

/// aiosmtpd on loopback, keeping every message in a mailbox directory.
struct Smtp {
    port: u16,
    mailbox: PathBuf,
    child: Child,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_server(dir: &Path) -> Option<Smtp> {
    let have = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("KYSO_REQUIRE_SMTP").is_err(),
            "aiosmtpd is required (KYSO_REQUIRE_SMTP): python3 -m pip install aiosmtpd"
        );
        eprintln!("skipped: aiosmtpd is not installed");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailbox = dir.join("mailbox");
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&mailbox)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Smtp {
        port,
        mailbox,
        child,
    })
}

/// The messages received, decoded by Python's e-mail package: [{to, subject, body}].
fn received(mailbox: &Path) -> Vec<serde_json::Value> {
    let script = r#"
import json, os, sys
from email import policy
from email.parser import BytesParser
new = os.path.join(sys.argv[1], "new")
out = []
for name in sorted(os.listdir(new), key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns):
    with open(os.path.join(new, name), "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    out.append({"to": str(msg["To"]), "subject": str(msg["Subject"]), "body": msg.get_content()})
print(json.dumps(out))
"#;
    if !mailbox.join("new").exists() {
        return Vec::new();
    }
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(mailbox)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn wait_for_messages(mailbox: &Path, n: usize) -> Vec<serde_json::Value> {
    let start = Instant::now();
    loop {
        let got = received(mailbox);
        if got.len() >= n || start.elapsed() > Duration::from_secs(30) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The demo registry with a văn thư's address for Phòng Nội vụ only.
fn registry_with_contact() -> String {
    let mut r = kyso::cli::demo::demo_registry(&root().join("fixtures")).unwrap();
    let u = r.units.iter_mut().find(|u| u.id == "phong-noi-vu").unwrap();
    u.contact = Some(kyso::duty::registry::Contact {
        name: "Hồ Thị Văn".into(),
        phone: "0234 3861 234".into(),
        email: VAN_THU.into(),
    });
    toml::to_string(&r).unwrap()
}

/// The month in progress in Vietnam time, as `MM/YYYY`.
fn this_month_vn() -> String {
    let now =
        time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap());
    format!("{:02}/{}", now.month() as u8, now.year())
}

#[test]
fn the_units_still_missing_are_reminded_once_a_month_and_on_request() {
    let dir = std::env::temp_dir().join(format!("kyso-smtp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let Some(mut smtp) = smtp_server(&dir) else {
        return;
    };
    // Day 1, hour 0: the monthly run is due as soon as the service starts.
    let reminders = format!(
        r#"reminders = {{ smtp_host = "127.0.0.1", smtp_port = {}, tls = "none", from = "Văn phòng HĐND và UBND <vanphong@huongtra.gov.vn>", day = 1, hour = 0, office = "Văn phòng HĐND và UBND thị xã Hương Trà" }}"#,
        smtp.port
    );
    let mut app = spawn_app_with(Some(&registry_with_contact()), 104_857_600, &reminders);

    let got = wait_for_messages(&smtp.mailbox, 1);
    assert_eq!(got.len(), 1, "one unit has an address: {got:?}");
    let m = &got[0];
    assert_eq!(m["to"], VAN_THU);
    let subject = m["subject"].as_str().unwrap();
    assert!(
        subject.contains(&format!("tháng {}", this_month_vn())) && subject.contains("Phòng Nội vụ"),
        "{subject}"
    );
    let body = m["body"].as_str().unwrap();
    for needle in [
        "Kính gửi: Phòng Nội vụ",
        "ký số bằng chứng thư số của cơ quan, đơn vị",
        "(chưa có chứng thư số)",
        "ngày nữa là hết tháng",
        "Văn phòng HĐND và UBND thị xã Hương Trà",
    ] {
        assert!(body.contains(needle), "{needle:?} in {body}");
    }

    let log = app.get("/api/v1/reminders", Some(READ)).json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["by"], "schedule");
    assert_eq!(log[0]["unit"], "phong-noi-vu");
    assert!(log[0].get("error").is_none(), "{}", log[0]);

    // A restart does not remind the unit again this month.
    app.restart();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        received(&smtp.mailbox).len(),
        1,
        "reminded twice after a restart"
    );

    // The Office asks: the unit is written to again; the units without an address are named.
    assert_eq!(
        app.post_to("/api/v1/reminders/send", READ, "application/json", b"")
            .status,
        403
    );
    let r = app.post_to("/api/v1/reminders/send", ADMIN, "application/json", b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let o = r.json();
    assert_eq!(o["sent"].as_array().unwrap().len(), 1, "{o}");
    assert_eq!(o["sent"][0]["by"], "admin");
    let no_address: Vec<&str> = o["no_address"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit"].as_str().unwrap())
        .collect();
    assert!(no_address.contains(&"trung-tam-van-hoa"), "{o}");
    assert_eq!(wait_for_messages(&smtp.mailbox, 2).len(), 2);
    assert_eq!(
        app.post_to(
            "/api/v1/reminders/send?month=13-2026",
            ADMIN,
            "application/json",
            b""
        )
        .status,
        400
    );

    // From the month page: when each unit was last reminded, and a round sent by the button.
    let cookie = crate::ui_upload::sign_in(&app, ADMIN);
    let month = this_month_vn();
    let path = format!("/ui/thang/{}-{}", &month[3..], &month[..2]);
    let page = crate::ui_periods::page(&app, &cookie, &path)
        .into_string()
        .unwrap();
    assert!(page.contains("Đã gửi thư nhắc lúc"), "{page}");
    assert!(
        page.contains("Gửi thư nhắc đến các đơn vị còn thiếu"),
        "{page}"
    );
    let csrf = crate::ui_periods::csrf_of(&page);
    let (status, answer) = crate::ui_periods::form(
        &app,
        &cookie,
        &format!("{path}/nhac"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.contains("Đã gửi (1)") && answer.contains(VAN_THU),
        "{answer}"
    );
    assert!(answer.contains("Chưa có địa chỉ thư điện tử"), "{answer}");
    assert_eq!(wait_for_messages(&smtp.mailbox, 3).len(), 3);
    let (status, _) =
        crate::ui_periods::form(&app, &cookie, &format!("{path}/nhac"), &[("csrf", "x")]);
    assert_eq!(status, 403, "a form without the page's token sends nothing");
    assert_eq!(received(&smtp.mailbox).len(), 3);

    // The server is down: the attempt is recorded with why, and answered, not lost.
    let _ = smtp.child.kill();
    let _ = smtp.child.wait();
    let r = app.post_to(
        "/api/v1/reminders/send?unit=phong-noi-vu",
        ADMIN,
        "application/json",
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let failed = &r.json()["sent"][0];
    assert!(
        failed["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    let log = app.get("/api/v1/reminders", Some(READ)).json();
    assert_eq!(log.as_array().unwrap().len(), 4, "{log}");
    assert!(log[0].get("error").is_some(), "newest first: {log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_a_mail_server_the_office_is_told_to_configure_one() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let r = app.post_to("/api/v1/reminders/send", ADMIN, "application/json", b"");
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("smtp_host"), "{}", r.text());
    assert_eq!(
        app.get("/api/v1/reminders", Some(READ)).json(),
        serde_json::json!([])
    );
}
