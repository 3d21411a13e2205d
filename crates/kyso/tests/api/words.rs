//! The words a clerk reads (issue 21.7): receipts' notes and the pages name units, leaders and
//! files by their names, never by a registry id or a 64-hex digest where a name exists, and
//! speak Vietnamese only (English stays in logs and in the API's codes).

use crate::helpers::*;
use crate::ui_periods::page;
use crate::ui_upload::sign_in;

/// The registry's ids: none may stand where a name exists.
const IDS: [&str; 6] = [
    "ubnd-huong-xuan",
    "phong-noi-vu",
    "trung-tam-van-hoa",
    "nguyen-van-an",
    "tran-thi-binh",
    "le-van-cuong",
];

/// English words no Vietnamese sentence holds (whole words, lower case).
const ENGLISH: [&str; 16] = [
    "the",
    "signature",
    "valid",
    "invalid",
    "file",
    "would",
    "certificate",
    "revoked",
    "unknown",
    "error",
    "not",
    "from",
    "and",
    "with",
    "was",
    "has",
];

/// The text a person sees: tags, attributes and the stylesheet dropped, entities decoded.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
}

/// What in `text` a clerk should not read: ids, digests, English words.
fn faults(text: &str, digests: bool) -> Vec<String> {
    let mut found = Vec::new();
    for id in IDS {
        if text.contains(id) {
            found.push(format!("id {id}"));
        }
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    for w in &words {
        if ENGLISH.contains(&w.as_str()) {
            found.push(format!("English {w:?}"));
        }
        if digests && w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()) {
            found.push(format!("digest {w}"));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn notes_and_pages_name_things_in_vietnamese() {
    let app = spawn_app(Some(&demo_registry_toml()));
    let mut notes = Vec::new();
    let files = [
        ("pyhanko-org-then-leader.pdf", None),
        ("pyhanko-org-pades.pdf", None),
        ("pyhanko-expired.pdf", None),
        ("pyhanko-revoked.pdf", None),
        ("unsigned.pdf", None),
        ("openssl-leader-ecdsa-p384.pdf", None),
        ("openssl-content-changed-after-signing.pdf", None),
        ("pyhanko-leader-ecdsa.pdf", Some("phong-noi-vu")),
    ];
    // The files' own names are proper names: they are not the pages' words.
    let without_names = |t: &str| {
        files
            .iter()
            .fold(t.to_string(), |t, (f, _)| t.replace(f, "«tệp»"))
    };
    for (file, unit) in files {
        let (ct, body) = multipart_named(&fixture(file), unit, file);
        let r = app.post(Some(SUBMIT), &ct, &body);
        assert!(r.status == 201 || r.status == 200, "{file}: {}", r.text());
        let receipt = r.json();
        for n in receipt["notes"].as_array().unwrap() {
            notes.push(n["message"].as_str().unwrap().to_string());
        }
        for t in receipt["satisfies_text"].as_array().into_iter().flatten() {
            notes.push(t.as_str().unwrap().to_string());
        }
    }
    assert!(notes.len() >= 8, "the files gave notes: {notes:?}");
    for n in &notes {
        let f = faults(&without_names(n), true);
        assert!(f.is_empty(), "{f:?} in the note {n:?}");
    }
    let cookie = sign_in(&app, ADMIN);
    for path in [
        "/ui/thang/2026-03",
        "/ui/ho-so?thang=2026-03",
        "/ui/ho-so?thang=2026-03&trang-thai=not_credited",
        "/ui/don-vi/ubnd-huong-xuan?nam=2026",
        "/ui/bao-cao?nam=2026&quy=1",
        "/ui/ky-da-chot",
    ] {
        let text = without_names(&visible(&page(&app, &cookie, path).into_string().unwrap()));
        let f = faults(&text, true);
        assert!(f.is_empty(), "{f:?} on {path}: {text}");
    }
    // The administration page shows certificates' digests on purpose (to enrol them).
    let admin = without_names(&visible(
        &page(&app, &cookie, "/ui/quan-tri").into_string().unwrap(),
    ));
    let f = faults(&admin, false);
    assert!(f.is_empty(), "{f:?} on /ui/quan-tri: {admin}");
}

/// The guides of `docs/` are pages, linked from every page's footer (the sign-in page too):
/// each page's heading is its file's first heading, its tables are tables, and the guides link
/// to each other's pages.
#[test]
fn the_guides_are_pages_linked_from_the_footer() {
    let app = spawn_app(None);
    let login = app.get("/ui/dang-nhap", None);
    assert_eq!(login.status, 200);
    let html = login.text();
    for link in ["href=\"/ui/huong-dan\"", "href=\"/ui/huong-dan/van-hanh\""] {
        assert!(html.contains(link), "the footer links {link}: {html}");
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    for (path, file) in [
        ("/ui/huong-dan", "huong-dan-van-thu.md"),
        ("/ui/huong-dan/van-hanh", "huong-dan-van-hanh.md"),
    ] {
        let md = std::fs::read_to_string(root.join(file)).unwrap();
        let heading = md
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .unwrap()
            .trim();
        let r = app.get(path, None);
        assert_eq!(r.status, 200, "{path}");
        let page = r.text();
        assert!(
            page.contains(&format!("<h1>{heading}</h1>")),
            "{path}: {page}"
        );
        assert!(page.contains("<table>") && page.contains("<h2>"), "{path}");
        assert!(
            !page.contains("](") && !page.contains("**"),
            "{path}: Markdown left: {page}"
        );
    }
    let operator = app.get("/ui/huong-dan/van-hanh", None).text();
    assert!(
        operator.contains("<a href=\"/ui/huong-dan\">"),
        "{operator}"
    );
}
