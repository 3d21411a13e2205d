//! Hostile documents, one per cost class of issue "Read every real signed PDF": each is built
//! here, verified by the real `kyso verify` process, and held to the per-document bounds:
//! CPU time under 3 s, peak memory under 256 MB, report under 1 MB, and a typed outcome
//! (a report or `budget_exceeded`), never a crash.

mod common;
#[path = "common/hostile_pdf.rs"]
mod hostile_pdf;

use common::*;
use hostile_pdf::*;
use kyso_verify::verify::{verify, Options};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

struct Run {
    stdout: Vec<u8>,
    exit: Option<i32>,
    cpu: Duration,
    max_rss_kb: i64,
}

/// `kyso verify --json` on `bytes` as a child process; its CPU time and peak memory from
/// wait4(2).
fn run_kyso(name: &str, bytes: &[u8]) -> Run {
    let dir = std::env::temp_dir().join(format!("kyso-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let out_path = dir.join(format!("{name}.json"));
    let child = kyso()
        .arg("verify")
        .args(trust_args())
        .arg("--json")
        .arg(&path)
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(dir.join(format!("{name}.err"))).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, writing into locals we own.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let exit = std::process::ExitStatus::from_raw(status).code();
    Run {
        stdout: std::fs::read(&out_path).unwrap(),
        exit,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss,
    }
}

fn assert_bounded(name: &str, bytes: Vec<u8>) -> serde_json::Value {
    let r = run_kyso(name, &bytes);
    assert!(
        matches!(r.exit, Some(0..=2)),
        "{name}: kyso ended with {:?}, not a verdict or a typed error",
        r.exit
    );
    assert!(r.cpu < Duration::from_secs(3), "{name}: {:?} of CPU", r.cpu);
    assert!(
        r.max_rss_kb < 256 * 1024,
        "{name}: peak memory {} MB",
        r.max_rss_kb / 1024
    );
    assert!(
        r.stdout.len() < 1024 * 1024,
        "{name}: report of {} bytes",
        r.stdout.len()
    );
    eprintln!(
        "{name}: {} bytes, {:?} CPU, {} MB peak, report {} bytes",
        bytes.len(),
        r.cpu,
        r.max_rss_kb / 1024,
        r.stdout.len()
    );
    serde_json::from_slice(&r.stdout).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn error_code(v: &serde_json::Value) -> Option<&str> {
    v.get("error")?.get("code")?.as_str()
}

#[test]
fn object_stream_entries_at_one_array() {
    let b = objstm_one_array();
    assert!(b.len() < 4096, "{} bytes", b.len());
    let v = assert_bounded("objstm-one-array.pdf", b);
    // The overlapping header is refused: the objects are unreadable, the file is unsigned.
    if error_code(&v).is_none() {
        assert_eq!(v["verdict"], "unsigned");
        let codes: Vec<_> = v["document_problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"object_unreadable"), "{codes:?}");
    }
}

#[test]
fn objects_are_counted_per_document_not_per_section() {
    let v = assert_bounded("many-sections.pdf", many_large_sections());
    assert_eq!(error_code(&v), Some("budget_exceeded"), "{v}");
}

#[test]
fn nested_strings_listed_many_times_parse_in_linear_time() {
    let b = nested_strings();
    assert!(b.len() > 300_000);
    let v = assert_bounded("nested-strings.pdf", b);
    assert_eq!(error_code(&v), Some("budget_exceeded"), "{v}");
}

#[test]
fn updates_without_prev_are_joined_in_one_pass() {
    // Each update sends the reader back to the `startxref` before it: the search runs
    // backwards once over the file, and the revisions stop at the document's budget.
    let v = assert_bounded("updates-without-prev.pdf", updates_without_prev());
    assert_eq!(error_code(&v), Some("budget_exceeded"), "{v}");
}

#[test]
fn a_million_unreadable_objects_make_a_small_report() {
    let b = million_unreadable();
    assert!(b.len() < 32 * 1024, "{} bytes", b.len());
    assert_bounded("million-unreadable.pdf", b);
}

#[test]
fn the_cpu_budget_ends_a_verification() {
    // With a tiny CPU budget even an honest file stops with budget_exceeded, in a typed way.
    use kyso_verify::verify::{verify, Options};
    let mut opts = Options::default();
    opts.budget.max_cpu = Some(Duration::from_nanos(1));
    let bytes = nested_strings();
    let err = verify(&bytes, &store(), &opts, validation_time()).unwrap_err();
    assert_eq!(err.code(), "budget_exceeded");
}

#[test]
fn signature_dictionaries_are_found_whatever_surrounds_their_names() {
    use kyso_verify::pdf::{find_signatures, Budget, Document};
    let bytes = hidden_signature_dictionaries();
    let doc = Document::parse(&bytes, Budget::default()).unwrap();
    let (sigs, _) = find_signatures(&doc, &Budget::default()).unwrap();
    let mut found: Vec<u32> = sigs.iter().map(|s| s.object.0).collect();
    found.sort();
    assert_eq!(found, vec![3, 4, 5, 6]);
}

/// The fixture issuing CA (its subject names the hostile CRLs' issuer) and the signed fixture
/// the `/DSS` is added to, with its catalog.
fn dss_bases() -> [(&'static str, Vec<u8>, &'static str); 2] {
    let signed = std::fs::read(fixture("openssl-org-detached.pdf")).unwrap();
    [
        (
            "unsigned",
            classic_unsigned(),
            "<< /Type /Catalog /Pages 2 0 R",
        ),
        (
            "signed",
            signed,
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >>",
        ),
    ]
}

fn issuing_ca() -> kyso_verify::pki::Cert {
    kyso::trust::files::load_certs(&pki("issuing-ca.pem"))
        .unwrap()
        .remove(0)
}

/// What a document with a hostile `/DSS` may end in: `budget_exceeded`, or a report (the
/// unsigned file's validation data is never read: nothing would use it).
fn assert_dss_outcome(name: &str, signed: bool, v: &serde_json::Value) {
    if signed {
        assert_eq!(error_code(v), Some("budget_exceeded"), "{name}: {v}");
    } else if error_code(v).is_none() {
        assert_eq!(v["verdict"], "unsigned", "{name}: {v}");
    }
}

#[test]
fn huge_dss_crls_are_read_within_the_document_budget() {
    // Four CRLs of 3,000,000 entries (60 MB each once inflated) in 300 KB: every entry a
    // parsed object used to cost 1.25 GB and seconds.
    let crl = big_crl_deflated(&issuing_ca().subject_raw, 3_000_000);
    for (kind, base, catalog) in dss_bases() {
        let data = DssData {
            key: "CRLs",
            streams: vec![crl.clone(); 4],
            refs: 1,
        };
        let name = format!("dss-huge-crls-{kind}.pdf");
        let b = with_dss(&base, catalog, &data);
        assert!(b.len() < 1024 * 1024, "{} bytes", b.len());
        let v = assert_bounded(&name, b);
        assert_dss_outcome(&name, kind == "signed", &v);
    }
}

#[test]
fn a_dss_crl_with_more_entries_than_the_budget_stops_the_verification() {
    // 1,200,000 entries (25 MB): within the bytes a document may carry, above the entries.
    let crl = big_crl_deflated(&issuing_ca().subject_raw, 1_200_000);
    for (kind, base, catalog) in dss_bases() {
        let data = DssData {
            key: "CRLs",
            streams: vec![crl.clone()],
            refs: 1,
        };
        let name = format!("dss-crl-entries-{kind}.pdf");
        let v = assert_bounded(&name, with_dss(&base, catalog, &data));
        assert_dss_outcome(&name, kind == "signed", &v);
    }
}

#[test]
fn a_dss_listing_one_certificate_many_times_is_counted_each_time() {
    let ca = issuing_ca();
    for (kind, base, catalog) in dss_bases() {
        let data = DssData {
            key: "Certs",
            streams: vec![deflate(&ca.der)],
            refs: 50_000,
        };
        let name = format!("dss-many-certs-{kind}.pdf");
        let v = assert_bounded(&name, with_dss(&base, catalog, &data));
        assert_dss_outcome(&name, kind == "signed", &v);
    }
}

/// A `/Prev` that names the section itself (a loop) or the file's start (`/Prev 0`) ends the
/// chain of revisions with a note, as pdfsig's reader ends it, instead of an unreadable file
/// (ISO 32000-2 §7.5.6 wants an older section there).
#[test]
fn a_prev_loop_or_prev_zero_ends_the_chain_with_a_note() {
    let base = classic_unsigned();
    let text = String::from_utf8(base.clone()).unwrap();
    let xref = text.find("xref\n").unwrap();
    for prev in [xref, 0] {
        let changed = text.replace(
            "<< /Size 3 /Root 1 0 R >>",
            &format!("<< /Size 3 /Root 1 0 R /Prev {prev} >>"),
        );
        let r = verify(
            changed.as_bytes(),
            &store(),
            &Options::default(),
            validation_time(),
        )
        .unwrap_or_else(|e| panic!("/Prev {prev}: {e}"));
        assert_eq!(
            r.verdict,
            kyso_verify::report::Verdict::Unsigned,
            "/Prev {prev}"
        );
        let codes: Vec<&str> = r
            .document_problems
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        assert!(codes.contains(&"xref_prev_loop"), "/Prev {prev}: {codes:?}");
    }
    // A /Prev to a place that is no section at all is still refused.
    let broken = text.replace(
        "<< /Size 3 /Root 1 0 R >>",
        "<< /Size 3 /Root 1 0 R /Prev 12 >>",
    );
    assert!(verify(
        broken.as_bytes(),
        &store(),
        &Options::default(),
        validation_time()
    )
    .is_err());
}

/// `base` with an update that gives it a new `/Info` dictionary carrying a stray `/ByteRange`
/// (no `/Type /Sig`, no field refers to it), as a home-made signer leaves one.
fn with_stray_byte_range_in_info(base: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(base);
    let at = text.rfind("/Size").unwrap() + 5;
    let size: usize = text[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    let body = "<< /Producer (home-made) /ByteRange [0 10 20 30] >>";
    with_update(base, &[(size, body)], Some(size))
}

/// A signature dictionary no signature field refers to (a stray `/ByteRange` in `/Info`, a
/// copy saved again without its fields) is a note, not a broken signature: the unsigned file
/// stays unsigned and the signed one keeps its valid signature, as pdfsig and pyHanko read them.
#[test]
fn a_signature_dictionary_no_field_refers_to_is_a_note() {
    let signed = std::fs::read(fixture("openssl-org-detached.pdf")).unwrap();
    for (name, base, verdict) in [
        (
            "unsigned",
            classic_unsigned(),
            kyso_verify::report::Verdict::Unsigned,
        ),
        ("signed", signed, kyso_verify::report::Verdict::Valid),
    ] {
        let bytes = with_stray_byte_range_in_info(&base);
        let r = verify(&bytes, &store(), &Options::default(), validation_time())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.verdict, verdict, "{name}: {r:#?}");
        let codes: Vec<&str> = r
            .document_problems
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        assert!(
            codes.contains(&"signature_not_attached"),
            "{name}: {codes:?}"
        );
        let expected = usize::from(name == "signed");
        assert_eq!(r.signatures.len(), expected, "{name}");
    }
}

/// iText (the BCY signing tools are iTextSharp 5.5) writes its version into the root of the
/// page tree (`/ITXT`) when a later signer saves: a private key no viewer draws, which EU DSS
/// lets pass. That alone keeps the signature valid; anything else on the page tree does not.
#[test]
fn itext_version_on_the_page_tree_is_allowed_and_nothing_else() {
    let signed = std::fs::read(fixture("openssl-org-detached.pdf")).unwrap();
    let pages = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    assert!(String::from_utf8_lossy(&signed).contains(pages));
    let judged = |body: &str| {
        let bytes = with_update(&signed, &[(2, body)], None);
        verify(&bytes, &store(), &Options::default(), validation_time()).unwrap()
    };
    let r = judged("<< /Type /Pages /Kids [3 0 R] /Count 1 /ITXT (5.5.13.3) >>");
    assert_eq!(r.verdict, kyso_verify::report::Verdict::Valid, "{r:#?}");
    let r = judged("<< /Type /Pages /Kids [3 0 R] /Count 1 /ITXT (5.5.13.3) /Rotate 90 >>");
    assert_eq!(r.verdict, kyso_verify::report::Verdict::Invalid, "{r:#?}");
    let p = &r.signatures[0].problems;
    assert!(
        p.iter()
            .any(|p| p.code.as_str() == "modified_after_signing" && p.message.contains("Rotate")),
        "{p:#?}"
    );
}

/// An archiver that writes the catalog anew (a new object, the trailer's `/Root` moved to it)
/// with its `/DSS`: the signed catalog is compared with the new one, so only what the catalog
/// rules allow passes (EU DSS accepts such files); a new catalog with another page tree is
/// still a new document behind the signed one.
#[test]
fn a_catalog_written_anew_with_its_dss_is_judged_like_the_old_one() {
    let signed = std::fs::read(fixture("openssl-org-detached.pdf")).unwrap();
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >>";
    assert!(String::from_utf8_lossy(&signed).contains(catalog));
    let judged = |objects: &[(usize, &str)]| {
        let bytes = with_update_rooted(&signed, objects, None, Some(9));
        verify(&bytes, &store(), &Options::default(), validation_time()).unwrap()
    };
    let dss = format!("{catalog} /DSS 10 0 R >>");
    let r = judged(&[(9, &dss), (10, "<< /Certs [] >>")]);
    assert_eq!(r.verdict, kyso_verify::report::Verdict::Valid, "{r:#?}");
    let other_pages =
        "<< /Type /Catalog /Pages 10 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >> >>";
    let r = judged(&[
        (9, other_pages),
        (10, "<< /Type /Pages /Kids [] /Count 0 >>"),
    ]);
    assert_eq!(r.verdict, kyso_verify::report::Verdict::Invalid, "{r:#?}");
    let p = &r.signatures[0].problems;
    assert!(
        p.iter().any(|p| p.message.contains("/Root")),
        "the new root is named: {p:#?}"
    );
}
