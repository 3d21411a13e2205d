use crate::helpers::*;
use std::process::Command;

fn submit(app: &TestApp, args: &[&str], token: &str) -> (i32, String) {
    let out = Command::new("bash")
        .arg(root().join("scripts/submit.sh"))
        .args(args)
        .env("KYSO_URL", &app.addr)
        .env("KYSO_TOKEN", token)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn the_submission_script_against_a_running_server() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let f = |n: &str| root().join("fixtures/pdf").join(n).display().to_string();
    // One valid file that satisfies two requirements: exit 0, one OK line.
    let (code, out) = submit(
        &app,
        &[
            "--unit",
            "ubnd-huong-xuan",
            &f("pyhanko-org-then-leader.pdf"),
        ],
        SUBMIT,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK    "), "{out}");
    // What it meets by names, as a clerk reads them.
    assert!(
        out.contains("ký số cơ quan của UBND phường Hương Xuân tháng 03/2026"),
        "{out}"
    );
    assert!(
        out.contains("ký số lãnh đạo (Chủ tịch Nguyễn Văn An)") && !out.contains("nguyen-van-an"),
        "{out}"
    );
    // A directory with valid and invalid files: one line per file, exit 1, reasons printed.
    let dir = app.dir.join("nop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(f("pyhanko-leader-april-0030.pdf"), dir.join("a.pdf")).unwrap();
    std::fs::copy(f("pyhanko-expired.pdf"), dir.join("b.pdf")).unwrap();
    std::fs::write(dir.join("c.pdf"), b"not a pdf").unwrap();
    let (code, out) = submit(&app, &[dir.to_str().unwrap()], SUBMIT);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("OK") && lines[0].contains("tháng 04/2026"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("CHƯA")
            && lines[1].contains("chưa xác định được chữ ký")
            && out.contains("hết hạn"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("LỖI") && lines[2].contains("HTTP 422"),
        "{out}"
    );
    // A wrong token is a rejection with the server's message.
    let (code, out) = submit(&app, &[&f("unsigned.pdf")], "wrong");
    assert_eq!(code, 1);
    assert!(out.contains("HTTP 401"), "{out}");
    // Usage errors and help.
    let (code, _) = submit(&app, &[], SUBMIT);
    assert_eq!(code, 2);
    let (code, out) = submit(&app, &["--help"], SUBMIT);
    assert_eq!(code, 0);
    assert!(out.contains("KYSO_URL") && out.contains("--unit"));
}

#[test]
fn the_demo_serves_the_whole_flow_on_a_fresh_data_directory() {
    let dir = std::env::temp_dir().join(format!("kyso-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["demo", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .arg("--fixtures")
        .arg(root().join("fixtures"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = listening_url(&mut child);
    let token = kyso::cli::demo::DEMO_TOKEN;
    let out = Command::new("bash")
        .arg(root().join("scripts/submit.sh"))
        .args(["--url", &url, "--token", token])
        .arg(root().join("fixtures/pdf/pyhanko-org-then-leader.pdf"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let table: serde_json::Value = ureq::get(&format!("{url}/api/v1/compliance/2026-03"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{text}");
    assert_eq!(table["totals"]["units"], 3);
    assert_eq!(table["totals"]["organisation_satisfied"], 1);
    assert_eq!(table["totals"]["leaders_satisfied"], 1);
}
