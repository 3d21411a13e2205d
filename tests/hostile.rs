//! Hostile documents, one per cost class of issue "Read every real signed PDF": each is built
//! here, verified by the real `kyso verify` process, and held to the per-document bounds:
//! CPU time under 3 s, peak memory under 256 MB, report under 1 MB, and a typed outcome
//! (a report or `budget_exceeded`), never a crash.

mod common;

use common::*;
use flate2::write::ZlibEncoder;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// A small PDF writer: objects at known offsets, then an xref stream (W [1 4 2]).
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            out: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
        }
    }
    fn obj(&mut self, num: u32, body: &[u8]) -> usize {
        let at = self.out.len();
        write!(self.out, "{num} 0 obj\n").unwrap();
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        at
    }
    fn stream(&mut self, num: u32, dict: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.obj(num, &body)
    }
    /// An xref stream with the given rows (type, field 2, field 3) from object 0, `prev`
    /// chained, and startxref/%%EOF after it.
    fn xref_stream(&mut self, num: u32, rows: &[(u8, u32, u16)], prev: Option<usize>) -> usize {
        let mut raw = Vec::with_capacity(rows.len() * 7);
        for (t, a, b) in rows {
            raw.push(*t);
            raw.extend_from_slice(&a.to_be_bytes());
            raw.extend_from_slice(&b.to_be_bytes());
        }
        let data = deflate(&raw);
        let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        let dict = format!(
            "/Type /XRef /Size {} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode{prev}",
            rows.len()
        );
        let at = self.stream(num, &dict, &data);
        write!(self.out, "startxref\n{at}\n%%EOF\n").unwrap();
        at
    }
}

fn deflate(b: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// A catalog and an empty page tree: objects 1 and 2.
fn skeleton(w: &mut Writer) -> Vec<(u8, u32, u16)> {
    let a = w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    let b = w.obj(2, b"<< /Type /Pages /Kids [] /Count 0 >>");
    vec![(0, 0, 65535), (1, a as u32, 0), (1, b as u32, 0)]
}

/// An object stream whose header lists every object at the same offset, where one
/// 200,000-element array sits (2 KB compressed).
fn objstm_one_array() -> Vec<u8> {
    let mut w = Writer::new();
    let mut rows = skeleton(&mut w);
    let n = 200u32;
    let header: String = (0..n).map(|i| format!("{} 0 ", 10 + i)).collect();
    let mut data = header.clone().into_bytes();
    data.extend_from_slice(b"[");
    data.extend(std::iter::repeat_n(&b"0 "[..], 200_000).flatten());
    data.extend_from_slice(b"]");
    let dict = format!(
        "/Type /ObjStm /N {n} /First {} /Filter /FlateDecode",
        header.len()
    );
    let at = w.stream(3, &dict, &deflate(&data));
    rows.push((1, at as u32, 0));
    rows.extend((4..10).map(|_| (0u8, 0u32, 0u16)));
    rows.extend((0..n).map(|i| (2u8, 3u32, i as u16)));
    w.xref_stream(9, &rows.iter().enumerate().map(|(i, r)| if i == 9 { (1, 0, 0) } else { *r }).collect::<Vec<_>>(), None);
    w.out
}

/// 32 xref sections of 2,000,000 entries each, chained by /Prev.
fn many_large_sections() -> Vec<u8> {
    let mut w = Writer::new();
    let base = skeleton(&mut w);
    let mut prev = None;
    for s in 0..32u32 {
        let mut rows = base.clone();
        rows.resize(2_000_000, (0, 0, 0));
        prev = Some(w.xref_stream(3 + s, &rows, prev));
    }
    w.out
}

/// Objects nested inside each other's literal strings (`4 0 obj (5 0 obj (6 0 obj (...`),
/// 360 KB, every one listed in the xref: parsing each from its offset to the end of its string
/// costs the rest of the file, quadratic in all.
fn nested_strings() -> Vec<u8> {
    let mut w = Writer::new();
    let mut rows = skeleton(&mut w);
    let n = 30_000u32;
    for k in 3..3 + n {
        rows.push((1, w.out.len() as u32, 0));
        write!(w.out, "{k} 0 obj (").unwrap();
    }
    w.out.extend(std::iter::repeat_n(b')', n as usize));
    w.out.extend_from_slice(b"\nendobj\n");
    w.xref_stream(3 + n, &rows, None);
    w.out
}

/// A 16 KB file whose xref stream lists a million objects at offsets where nothing is.
fn million_unreadable() -> Vec<u8> {
    let mut w = Writer::new();
    let mut rows = skeleton(&mut w);
    let junk = w.out.len() as u32;
    w.out.extend_from_slice(b"% nothing here\n");
    rows.extend((0..1_000_000).map(|_| (1u8, junk, 0u16)));
    w.xref_stream(1_000_003, &rows, None);
    w.out
}

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
        let codes: Vec<_> = v["document_problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
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
fn a_million_unreadable_objects_make_a_small_report() {
    let b = million_unreadable();
    assert!(b.len() < 32 * 1024, "{} bytes", b.len());
    assert_bounded("million-unreadable.pdf", b);
}

#[test]
fn the_cpu_budget_ends_a_verification() {
    // With a tiny CPU budget even an honest file stops with budget_exceeded, in a typed way.
    use kyso::verify::{verify, Options};
    let mut opts = Options::default();
    opts.budget.max_cpu = Some(Duration::from_nanos(1));
    let bytes = nested_strings();
    let err = verify(&bytes, &store(), &opts, validation_time()).unwrap_err();
    assert_eq!(err.code(), "budget_exceeded");
}
