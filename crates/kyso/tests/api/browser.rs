//! The Office's pages in a real headless Chromium, driven over WebDriver (chromedriver):
//! sign in with a token, read a month with known values, open a unit, download the report's
//! XLSX from the session, see a hostile unit name as text, print the month (print media: no
//! navigation or forms; Chromium's A4 PDF of it), sign out and be refused. A screenshot of each
//! page, and the printed month, go to `target/ui-screenshots/`. Skipped (with a message) without
//! chromium and chromium-driver, unless KYSO_REQUIRE_BROWSER=1 (set by .ci/run).

use crate::helpers::*;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver(Child, u16);

/// A WebDriver command fantoccini has no method for: W3C "Print Page" (`print`), or a Chrome
/// DevTools call through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Raw {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Raw {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

fn print_media(on: bool) -> Raw {
    Raw {
        path: "goog/cdp/execute",
        body: serde_json::json!({"cmd": "Emulation.setEmulatedMedia",
            "params": {"media": if on { "print" } else { "" }}}),
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<Driver> {
    let have = |c: &str| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(have("chromedriver") && (have("chromium") || have("chromium-browser"))) {
        assert!(
            std::env::var("KYSO_REQUIRE_BROWSER").is_err(),
            "KYSO_REQUIRE_BROWSER=1 but chromium or chromedriver is missing"
        );
        eprintln!("skipped: no chromium/chromedriver (apt install chromium chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver(child, port))
}

fn shots() -> std::path::PathBuf {
    let d = root().join("target/ui-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_pages_in_a_real_browser() {
    let Some(driver) = chromedriver() else { return };
    let registry = format!(
        "{}\n[[unit]]\nid = \"don-vi-la\"\nname = \"<script>alert('x')</script>\"\nkind = \"department\"\n",
        demo_registry_toml()
    );
    let app = spawn_app(Some(&registry));
    let id = app
        .upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768"] }),
        );
        let c = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await
            .expect("a WebDriver session");
        let shot = |name: &'static str| {
            let c = c.clone();
            async move {
                let png = c.screenshot().await.unwrap();
                std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
            }
        };

        // Not signed in: the pages send to the sign-in form.
        c.goto(&app.url("/ui/thang/2026-03")).await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("/ui/dang-nhap"));
        shot("dang-nhap").await;
        // A wrong token is refused with a message (the token form is folded under the
        // password form).
        c.find(Locator::Css("details.token-login summary")).await.unwrap().click().await.unwrap();
        c.find(Locator::Id("token")).await.unwrap().send_keys("sai-ma").await.unwrap();
        c.find(Locator::Css("details.token-login button")).await.unwrap().click().await.unwrap();
        let error = c.wait().for_element(Locator::Css("p.error")).await.unwrap();
        assert!(error.text().await.unwrap().contains("Mã truy cập không đúng"));
        // Sign in.
        c.find(Locator::Css("details.token-login summary")).await.unwrap().click().await.unwrap();
        c.find(Locator::Id("token")).await.unwrap().send_keys(ADMIN).await.unwrap();
        c.find(Locator::Css("details.token-login button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("form.signout")).await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().contains("/ui/thang/"));

        // A mistyped month in the address: a page in Vietnamese that says what the address should be.
        c.goto(&app.url("/ui/thang/2026-13")).await.unwrap();
        c.wait().for_element(Locator::Css("main h1")).await.unwrap();
        let html = c.source().await.unwrap();
        let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
        let this_month = format!("/ui/thang/{:04}-{:02}", today.year(), today.month() as u8);
        assert!(html.contains("Tháng không hợp lệ") && html.contains(&this_month), "{html}");

        // A month with known values.
        c.goto(&app.url("/ui/thang/2026-03")).await.unwrap();
        let html = c.source().await.unwrap();
        assert!(html.contains("Tình hình ký số tháng 03/2026"), "{html}");
        assert!(html.contains("UBND phường Hương Xuân"));
        assert!(html.contains("Ký số cơ quan: <strong>1/4</strong>"), "{html}");
        // The hostile name is text, never a script.
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"), "{html}");
        assert!(c.find_all(Locator::Css("script")).await.unwrap().is_empty());
        shot("thang").await;

        // Printed: the month's table on paper, without the navigation, the filters and the
        // links between months, as wide as an A4 page; and the page as Chromium prints it.
        c.issue_cmd(print_media(true)).await.unwrap();
        let display = |sel: &'static str| {
            let c = c.clone();
            async move {
                c.execute(
                    "const e = document.querySelector(arguments[0]); return e ? getComputedStyle(e).display : 'absent';",
                    vec![serde_json::json!(sel)],
                )
                .await
                .unwrap()
            }
        };
        let is_print = c.execute("return matchMedia('print').matches", vec![]).await.unwrap();
        assert_eq!(is_print, true, "print media emulated");
        assert_eq!(display("header").await, "none");
        assert_eq!(display("form.filter").await, "none");
        assert_eq!(display("nav.months").await, "none");
        assert_eq!(display("table.month").await, "table");
        shot("thang-in").await;
        c.issue_cmd(print_media(false)).await.unwrap();
        let printed = c
            .issue_cmd(Raw {
                path: "print",
                body: serde_json::json!({"page": {"width": 21.0, "height": 29.7}}),
            })
            .await
            .unwrap();
        use base64::Engine;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(printed.as_str().expect("a base64 PDF"))
            .unwrap();
        std::fs::write(shots().join("thang.pdf"), &pdf).unwrap();
        let doc = lopdf::Document::load_mem(&pdf).expect("Chromium's print is a PDF");
        assert_eq!(doc.get_pages().len(), 1, "the month of this registry fits one A4 page");

        // A unit: its months and the file behind March.
        c.find(Locator::LinkText("UBND phường Hương Xuân")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("table.unit")).await.unwrap();
        let html = c.source().await.unwrap();
        assert!(html.contains(&format!("/ui/ho-so/{id}/pdf")), "{html}");
        assert!(html.contains("Hợp lệ") && html.contains("ký lúc"), "the file's verdict and signers: {html}");
        shot("don-vi").await;

        // The report, and its XLSX through the browser session's cookie.
        c.goto(&app.url("/ui/bao-cao?nam=2026&quy=1")).await.unwrap();
        let link = c.find(Locator::LinkText("Tải Excel")).await.unwrap().attr("href").await.unwrap().unwrap();
        shot("bao-cao").await;
        let cookie = c.get_named_cookie("kyso_session").await.unwrap();
        let xlsx = ureq::get(&app.url(&link))
            .set("Cookie", &format!("kyso_session={}", cookie.value()))
            .call()
            .unwrap();
        assert_eq!(xlsx.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut xlsx.into_reader(), &mut body).unwrap();
        assert!(body.starts_with(b"PK"), "an XLSX (zip) file");

        // The clerk's upload: a file through the page, its result in Vietnamese, then the list.
        c.goto(&app.url("/ui/nop")).await.unwrap();
        shot("nop").await;
        // Two files at once (a multiple file input); each gets its result.
        let pdfs = ["pyhanko-leader-april-0030.pdf", "pyhanko-expired.pdf"]
            .map(|f| root().join("fixtures/pdf").join(f).display().to_string());
        c.find(Locator::Id("file")).await.unwrap().send_keys(&pdfs.join("\n")).await.unwrap();
        c.find(Locator::Css("form.upload button")).await.unwrap().click().await.unwrap();
        // nop.js (allowed by the CSP) sends the files one by one and adds each result to the
        // page as it arrives; it marks the end with data-xong (a plain post would not).
        c.wait().for_element(Locator::Css("#ket-qua[data-xong='2']")).await.unwrap();
        let html = c.source().await.unwrap();
        assert!(html.contains("Kết quả nộp (2 tệp)"), "{html}");
        assert!(html.contains("Đã kiểm tra xong 2/2 tệp."), "{html}");
        assert!(!c.find(Locator::Id("tha-tep")).await.unwrap().attr("hidden").await.unwrap().is_some(), "the drop zone shows when the script runs");
        assert!(html.contains("Kết quả: pyhanko-leader-april-0030.pdf"), "{html}");
        assert!(html.contains("Kết quả: pyhanko-expired.pdf"), "{html}");
        assert_eq!(c.find_all(Locator::Css("section.receipt")).await.unwrap().len(), 2);
        assert!(html.contains("Hợp lệ") && html.contains("Chưa được tính"), "{html}");
        shot("ket-qua").await;
        let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
        c.goto(&app.url(&format!("/ui/ho-so?thang={:04}-{:02}", now.year(), now.month() as u8))).await.unwrap();
        let html = c.source().await.unwrap();
        assert!(html.contains("pyhanko-leader-april-0030.pdf") && html.contains("pyhanko-expired.pdf"), "{html}");
        assert!(html.contains("admin"), "{html}");
        shot("ho-so").await;

        // Administration: enrol an unenrolled signer to a unit and see the month change.
        let unenrolled = app.upload_raw(&fixture("openssl-leader-ecdsa-p384.pdf")).json();
        let month = &unenrolled["report"]["signatures"][0]["signing_time"].as_str().unwrap()[..7];
        let ticked = format!(
            "//a[text()='Trung tâm Văn hóa - Thông tin và Thể thao']/ancestor::tr/td[2]/span[@class='ok']"
        );
        c.goto(&app.url(&format!("/ui/thang/{month}"))).await.unwrap();
        assert!(c.find_all(Locator::XPath(&ticked)).await.unwrap().is_empty());
        c.goto(&app.url("/ui/quan-tri")).await.unwrap();
        shot("quan-tri").await;
        let sha = fingerprint("leaf-leader-p384.pem");
        let form = c
            .find(Locator::XPath(&format!("//form[input[@name='sha256' and @value='{sha}']]")))
            .await
            .unwrap();
        form.find(Locator::Css("select")).await.unwrap().select_by_value("unit:trung-tam-van-hoa").await.unwrap();
        form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("h1")).await.unwrap();
        c.goto(&app.url(&format!("/ui/thang/{month}"))).await.unwrap();
        assert_eq!(c.find_all(Locator::XPath(&ticked)).await.unwrap().len(), 1, "enrolled: the month changes");
        // The enrolment is in the registry's history, under the administrator's name.
        c.goto(&app.url("/ui/quan-tri")).await.unwrap();
        let history = c.find(Locator::Css("table.changes")).await.unwrap().text().await.unwrap();
        assert!(
            history.contains("admin") && history.contains("Đơn vị Trung tâm Văn hóa") && history.contains("chứng thư số"),
            "{history}"
        );

        // Import a registry file from the administration page: a preview first (nothing saved),
        // then "apply"; the new unit is in the registry's history.
        c.goto(&app.url("/ui/quan-tri")).await.unwrap();
        let file = "[[unit]]\nid = \"phuong-huong-van\"\nname = \"UBND phường Hương Văn\"\nkind = \"commune\"\n";
        c.find(Locator::Id("danh-muc")).await.unwrap().send_keys(file).await.unwrap();
        c.find(Locator::Css("form.import button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("ul.changes")).await.unwrap();
        let preview = c.find(Locator::Css("ul.changes")).await.unwrap().text().await.unwrap();
        assert!(preview.contains("Đơn vị phuong-huong-van: sẽ được thêm"), "{preview}");
        shot("nhap-danh-muc").await;
        assert_eq!(app.get("/api/v1/units/phuong-huong-van", Some(READ)).status, 404, "a preview saves nothing");
        c.find(Locator::Css("form.import button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("table.changes")).await.unwrap();
        assert_eq!(app.get("/api/v1/units/phuong-huong-van", Some(READ)).status, 200);
        let history = c.find(Locator::Css("table.changes")).await.unwrap().text().await.unwrap();
        assert!(history.contains("Đơn vị UBND phường Hương Văn"), "{history}");

        // The registry's pages: the new unit renamed through its form, then listed so.
        c.goto(&app.url("/ui/quan-tri/don-vi/phuong-huong-van")).await.unwrap();
        let name = c.find(Locator::Id("name")).await.unwrap();
        name.clear().await.unwrap();
        name.send_keys("UBND phường Hương Văn (đã đổi tên)").await.unwrap();
        shot("sua-don-vi").await;
        c.find(Locator::Css("form.record button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("table.registry")).await.unwrap();
        let listed = c.find(Locator::Id("don-vi-phuong-huong-van")).await.unwrap().text().await.unwrap();
        assert!(listed.contains("UBND phường Hương Văn (đã đổi tên)"), "{listed}");
        shot("danh-muc").await;

        // Close March from the administration page: its table now says so.
        c.goto(&app.url("/ui/quan-tri")).await.unwrap();
        c.find(Locator::Id("period")).await.unwrap().send_keys("2026-03").await.unwrap();
        c.find(Locator::Css("form.close button")).await.unwrap().click().await.unwrap();
        // A confirmation first: nothing is closed until it is confirmed.
        let confirm = c.wait().for_element(Locator::Css("input[name=xac_nhan]")).await.unwrap();
        assert_eq!(confirm.attr("value").await.unwrap().as_deref(), Some("1"));
        assert!(app.get("/api/v1/periods/2026-03", Some(READ)).json()["closed"].is_null());
        shot("xac-nhan-chot").await;
        c.find(Locator::Css("form.close button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("p.period")).await.unwrap();
        let closed = c.find(Locator::Css("p.period")).await.unwrap().text().await.unwrap();
        assert!(closed.starts_with("Số liệu đã chốt lúc"), "{closed}");

        // Sign out: the session is revoked on the server, even for a copied cookie.
        c.find(Locator::Css("form.signout button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("form.login")).await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("/ui/dang-nhap"));
        c.goto(&app.url("/ui/thang/2026-03")).await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("/ui/dang-nhap"));
        let stale = ureq::builder().redirects(0).build()
            .get(&app.url("/ui/thang/2026-03"))
            .set("Cookie", &format!("kyso_session={}", cookie.value()))
            .call();
        let status = match stale { Ok(r) => r.status(), Err(ureq::Error::Status(s, _)) => s, Err(e) => panic!("{e}") };
        assert_eq!(status, 303, "a signed-out session is refused");
        c.close().await.unwrap();
    });
}

/// A late file, accepted from the list of files by an administrator with a reason.
#[test]
fn a_late_file_is_accepted_from_the_pages() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app_with(
        Some(&demo_registry_toml()),
        1 << 24,
        "accept_implausible_signing_time = false",
    );
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768"] }),
        );
        let c = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await
            .unwrap();
        c.goto(&app.url("/ui/dang-nhap")).await.unwrap();
        c.find(Locator::Css("details.token-login summary")).await.unwrap().click().await.unwrap();
        c.find(Locator::Id("token")).await.unwrap().send_keys(ADMIN).await.unwrap();
        c.find(Locator::Css("details.token-login button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("form.signout")).await.unwrap();
        let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
        c.goto(&app.url(&format!("/ui/ho-so?thang={:04}-{:02}&trang-thai=late", now.year(), now.month() as u8)))
            .await
            .unwrap();
        let form = c.find(Locator::Css("form.accept")).await.unwrap();
        form.find(Locator::Css("input[name=reason]")).await.unwrap().send_keys("Công văn 12/VP").await.unwrap();
        std::fs::write(shots().join("nop-muon.png"), c.screenshot().await.unwrap()).unwrap();
        form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("table.submissions")).await.unwrap();
        c.goto(&app.url("/ui/thang/2026-03")).await.unwrap();
        let ticked = "//a[text()='UBND phường Hương Xuân']/ancestor::tr/td[2]/span[@class='ok']";
        assert_eq!(c.find_all(Locator::XPath(ticked)).await.unwrap().len(), 1, "accepted: the month counts");
        c.close().await.unwrap();
    });
}

#[test]
fn a_unit_clerk_in_a_real_browser() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app(Some(&demo_registry_toml()));
    let made = crate::accounts::kyso_user(
        &app,
        &[
            "add",
            "vanthu.huongxuan",
            "--role",
            "clerk",
            "--unit",
            "ubnd-huong-xuan",
            "--display-name",
            "Lê Thị Thư",
        ],
        "mật-khẩu-văn-thư-1\n",
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844"] }),
        );
        let c = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await
            .unwrap();
        // The clerk signs in with a password and lands on their unit, what is missing first.
        c.goto(&app.url("/ui/dang-nhap")).await.unwrap();
        c.find(Locator::Id("ten")).await.unwrap().send_keys("vanthu.huongxuan").await.unwrap();
        c.find(Locator::Id("mat_khau")).await.unwrap().send_keys("mật-khẩu-văn-thư-1").await.unwrap();
        c.find(Locator::Css("form.login button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("section.missing")).await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("/ui/don-vi/ubnd-huong-xuan"));
        let html = c.source().await.unwrap();
        assert!(html.contains("còn thiếu") && html.contains("Lê Thị Thư"), "{html}");
        assert!(!html.contains("/ui/bao-cao"), "no link the clerk may not follow: {html}");
        let wide = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth";
        assert_eq!(c.execute(wide, vec![]).await.unwrap(), serde_json::json!(true), "390 px without scrolling sideways");
        std::fs::write(shots().join("van-thu.png"), c.screenshot().await.unwrap()).unwrap();
        // An upload through the page, for the clerk's unit.
        c.goto(&app.url("/ui/nop")).await.unwrap();
        let pdf = root().join("fixtures/pdf/pyhanko-org-then-leader.pdf").display().to_string();
        c.find(Locator::Id("file")).await.unwrap().send_keys(&pdf).await.unwrap();
        c.find(Locator::Css("form.upload button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("#ket-qua[data-xong='1']")).await.unwrap();
        assert!(c.source().await.unwrap().contains("Hợp lệ"));
        // Another unit's page, or the town's month: refused.
        c.goto(&app.url("/ui/thang/2026-03")).await.unwrap();
        let refused = c.wait().for_element(Locator::Css("main h1")).await.unwrap();
        assert_eq!(refused.text().await.unwrap(), "Không đủ quyền");
        c.close().await.unwrap();
    });
    let listed = app
        .get("/api/v1/submissions?month=2026-03", Some(READ))
        .json();
    assert_eq!(listed["items"][0]["unit"], "ubnd-huong-xuan", "{listed}");
    assert_eq!(listed["items"][0]["client"], "vanthu.huongxuan");
}

#[test]
fn the_month_page_at_390_px() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app(Some(&demo_registry_toml()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844"] }),
        );
        let c = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await
            .unwrap();
        // A reader signs in with the token form.
        c.goto(&app.url("/ui/dang-nhap")).await.unwrap();
        c.find(Locator::Css("details.token-login summary")).await.unwrap().click().await.unwrap();
        c.find(Locator::Id("token")).await.unwrap().send_keys(READ).await.unwrap();
        c.find(Locator::Css("details.token-login button")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("form.signout")).await.unwrap();
        let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
        c.goto(&app.url(&format!("/ui/thang/{:04}-{:02}", now.year(), now.month() as u8))).await.unwrap();
        c.wait().for_element(Locator::Css("section.missing")).await.unwrap();
        let missing_width = "const s = document.querySelector('section.missing'); return s.scrollWidth <= s.clientWidth && document.documentElement.scrollWidth <= document.documentElement.clientWidth";
        assert_eq!(c.execute(missing_width, vec![]).await.unwrap(), serde_json::json!(true), "Còn thiếu at 390 px without scrolling sideways");
        std::fs::write(shots().join("thang-390.png"), c.screenshot().await.unwrap()).unwrap();
        c.close().await.unwrap();
    });
}
