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

/// The shell blocks of the README's "Quick start", in order.
fn quick_start_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("## Quick start")
        .expect("a Quick start section");
    let end = start + readme[start..].find("\n## ").unwrap();
    readme[start..end]
        .split("```sh\n")
        .skip(1)
        .map(|b| b[..b.find("```").unwrap()].to_string())
        .collect()
}

/// The README's quick start as written, from the repository's root: the demo (its first
/// line; the second, the test suite, is what runs this), the clerk's account in the demo's
/// data directory, then the submissions and the month's table with curl. Only the binary
/// (`cargo run --release --` is the binary built for the tests), the port (the demo's
/// 127.0.0.1:8080 may be taken: `--bind 127.0.0.1:0`, and its address where the README says
/// 127.0.0.1:8080) and the temporary directory (`TMPDIR`, where the demo keeps its data) differ.
#[test]
fn the_readme_quick_start_works_as_written() {
    let blocks = quick_start_blocks();
    assert_eq!(blocks.len(), 3, "{blocks:?}");
    let demo_line = blocks[0].lines().next().unwrap();
    assert!(
        demo_line.starts_with("cargo run --release -- demo"),
        "{demo_line}"
    );
    let tmp = std::env::temp_dir().join(format!("kyso-quick-start-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let bin = env!("CARGO_BIN_EXE_kyso");
    let demo = demo_line
        .split('#')
        .next()
        .unwrap()
        .trim()
        .replace("cargo run --release --", bin);
    let mut child = Command::new("bash")
        .args(["-c", &format!("exec {demo} --bind 127.0.0.1:0")])
        .current_dir(root())
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = listening_url(&mut child);
    let run = |block: &str| {
        let script = block
            .replace("cargo run --release --", bin)
            .replace("http://127.0.0.1:8080", &url);
        Command::new("bash")
            // As typed at a prompt: a line that fails (submit.sh says so for the expired
            // file, on purpose) does not stop the next.
            .args(["-c", &script])
            .current_dir(root())
            .env("TMPDIR", &tmp)
            .env_remove("KYSO_CONFIG")
            .output()
            .unwrap()
    };
    let account = run(&blocks[1]);
    let submitted = run(&blocks[2]);
    let _ = child.kill();
    let _ = child.wait();
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(account.status.success(), "{}", text(&account));
    let users = std::fs::read_dir(tmp.join("kyso-demo/users"))
        .unwrap()
        .count();
    assert!(
        users >= 1,
        "the clerk's account is in the demo's data directory"
    );
    assert!(submitted.status.success(), "{}", text(&submitted));
    let out = String::from_utf8_lossy(&submitted.stdout).into_owned();
    // The month's table as JSON, then as CSV (Vietnamese Excel's form: `;` between fields).
    assert!(
        out.contains("OK    fixtures/pdf/pyhanko-org-then-leader.pdf"),
        "{out}"
    );
    assert!(
        out.contains("CHƯA  fixtures/pdf/pyhanko-expired.pdf"),
        "{out}"
    );
    assert!(out.contains("\"organisation_satisfied\":1"), "{out}");
    assert!(out.lines().any(|l| l.contains(';')), "{out}");
    let _ = std::fs::remove_dir_all(&tmp);
}
