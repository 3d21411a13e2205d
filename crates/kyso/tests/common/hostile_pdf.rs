//! Hostile PDFs built in the tests, one per cost class (shared by tests/hostile.rs and the
//! service tests in tests/api).
#![allow(dead_code)]

use flate2::write::ZlibEncoder;
use std::io::Write;

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
pub fn objstm_one_array() -> Vec<u8> {
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
    w.xref_stream(
        9,
        &rows
            .iter()
            .enumerate()
            .map(|(i, r)| if i == 9 { (1, 0, 0) } else { *r })
            .collect::<Vec<_>>(),
        None,
    );
    w.out
}

/// 32 xref sections of 2,000,000 entries each, chained by /Prev.
pub fn many_large_sections() -> Vec<u8> {
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
pub fn nested_strings() -> Vec<u8> {
    nested_strings_tagged(0)
}

/// [`nested_strings`], made distinct by `tag` (the service stores each upload once).
pub fn nested_strings_tagged(tag: u32) -> Vec<u8> {
    let mut w = Writer::new();
    write!(w.out, "%{tag}\n").unwrap();
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
pub fn million_unreadable() -> Vec<u8> {
    let mut w = Writer::new();
    let mut rows = skeleton(&mut w);
    let junk = w.out.len() as u32;
    w.out.extend_from_slice(b"% nothing here\n");
    rows.extend((0..1_000_000).map(|_| (1u8, junk, 0u16)));
    w.xref_stream(1_000_003, &rows, None);
    w.out
}

/// Signature dictionaries whose names a quick look could miss: after a name containing
/// `stream`, after a literal string containing `endobj`, with a `#`-escaped /ByteRange, and
/// beyond the first 4 KiB of a dictionary.
pub fn hidden_signature_dictionaries() -> Vec<u8> {
    let mut w = Writer::new();
    let mut rows = skeleton(&mut w);
    let bodies: [Vec<u8>; 4] = [
        b"<< /Xstream 1 /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>".to_vec(),
        b"<< /Note (endobj) /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>".to_vec(),
        b"<< /By#74eRange [0 1 2 3] /Contents <00> >>".to_vec(),
        [
            &b"<< /Pad <"[..],
            &vec![b'0'; 8192],
            b"> /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>",
        ]
        .concat(),
    ];
    for (i, b) in bodies.iter().enumerate() {
        let at = w.obj(3 + i as u32, b);
        rows.push((1, at as u32, 0));
    }
    w.xref_stream(
        7,
        &rows.iter().copied().chain([(1, 0, 0)]).collect::<Vec<_>>(),
        None,
    );
    w.out
}

/// 20,000 classic updates, none with /Prev, each listing only its own new object: every one
/// sends the reader looking for the revision before it (the `startxref` before its object).
pub fn updates_without_prev() -> Vec<u8> {
    let mut w = Writer::new();
    let rows = skeleton(&mut w);
    let first = w.xref_stream(3, &rows, None);
    let _ = first;
    for i in 0..20_000u32 {
        let num = 4 + i;
        let at = w.obj(num, b"<< /Type /Annot >>");
        let x = w.out.len();
        write!(
            w.out,
            "xref\n{num} 1\n{at:010} 00000 n \ntrailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n",
            num + 1
        )
        .unwrap();
    }
    w.out
}
