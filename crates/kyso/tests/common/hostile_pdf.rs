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

pub fn deflate(b: &[u8]) -> Vec<u8> {
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

/// A DER length (RFC 5280 uses X.690 DER: definite, shortest form).
fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        0x100..=0xffff => vec![0x82, (n >> 8) as u8, n as u8],
        0x1_0000..=0xff_ffff => vec![0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8],
        _ => vec![
            0x84,
            (n >> 24) as u8,
            (n >> 16) as u8,
            (n >> 8) as u8,
            n as u8,
        ],
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(content.len()));
    out.extend_from_slice(content);
    out
}

/// A CRL (RFC 5280 §5.1) of `entries` revoked certificates issued by `issuer` (a Name's DER),
/// compressed (zlib): 4 distinct serials repeated, so that it compresses to almost nothing. It
/// is written into the compressor a block at a time, so that the test process stays small
/// (the peak memory `wait4` reports for a child includes its parent's at the fork). Its
/// signature value is zeros: nothing can verify it, only reading it costs.
pub fn big_crl_deflated(issuer: &[u8], entries: usize) -> Vec<u8> {
    let time = der(0x17, b"260101000000Z");
    let block: Vec<u8> = (0..4u32)
        .flat_map(|i| {
            let mut serial = der(0x02, &[0x01, i as u8]);
            serial.extend_from_slice(&time);
            der(0x30, &serial)
        })
        .collect();
    let entry_len = block.len() / 4;
    let list_len = entries * entry_len;
    // sha256WithRSAEncryption
    let alg = der(
        0x30,
        &[
            &der(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
            )[..],
            &[0x05, 0x00],
        ]
        .concat(),
    );
    let mut fields = [&der(0x02, &[1])[..], &alg, issuer, &time].concat();
    fields.extend(der(0x17, b"450101000000Z"));
    fields.push(0x30);
    fields.extend(der_len(list_len));
    let tbs_len = fields.len() + list_len;
    let mut sig = vec![0u8];
    sig.extend(std::iter::repeat_n(0u8, 256));
    let tail = [&alg[..], &der(0x03, &sig)].concat();
    let tbs_header = [&[0x30][..], &der_len(tbs_len)].concat();
    let total = tbs_header.len() + tbs_len + tail.len();
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&[&[0x30][..], &der_len(total), &tbs_header, &fields].concat())
        .unwrap();
    let chunk: Vec<u8> = block.repeat(4096);
    let mut left = list_len;
    while left > 0 {
        let n = left.min(chunk.len());
        z.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    z.write_all(&tail).unwrap();
    z.finish().unwrap()
}

/// A one-page unsigned PDF with a classic xref table (catalog 1, pages 2).
pub fn classic_unsigned() -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let a = out.len();
    out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    let b = out.len();
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    let x = out.len();
    write!(
        out,
        "xref\n0 3\n0000000000 65535 f \n{a:010} 00000 n \n{b:010} 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n"
    )
    .unwrap();
    out
}

/// What a `/DSS` added by [`with_dss`] holds: under `key` (`Certs`, `CRLs` or `OCSPs`),
/// `refs` references to each of `streams` (DER compressed with zlib: a FlateDecode stream's
/// data).
pub struct DssData<'a> {
    pub key: &'a str,
    pub streams: Vec<Vec<u8>>,
    pub refs: usize,
}

/// `base` (a PDF with a classic xref table whose catalog is object 1, written as
/// `catalog`, a dictionary without its closing `>>`) with one incremental update that gives
/// the catalog a `/DSS` (ETSI EN 319 142-1 §5.4.2) holding `data`, the way an LTV tool adds
/// validation data after signing.
pub fn with_dss(base: &[u8], catalog: &str, data: &DssData) -> Vec<u8> {
    let text = String::from_utf8_lossy(&base[base.len().saturating_sub(200)..]).to_string();
    let prev: usize = text
        .rsplit("startxref")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("startxref");
    let size: u32 = text
        .rsplit("/Size ")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("/Size");
    let mut out = base.to_vec();
    out.push(b'\n');
    let mut offsets = vec![(1u32, out.len())];
    let (dss, first) = (size, size + 1);
    write!(out, "1 0 obj\n{catalog} /DSS {dss} 0 R >>\nendobj\n").unwrap();
    let refs: String = (0..data.streams.len() as u32)
        .flat_map(|i| std::iter::repeat_n(format!("{} 0 R ", first + i), data.refs))
        .collect();
    offsets.push((dss, out.len()));
    write!(out, "{dss} 0 obj\n<< /{} [{refs}] >>\nendobj\n", data.key).unwrap();
    for (i, z) in data.streams.iter().enumerate() {
        offsets.push((first + i as u32, out.len()));
        write!(
            out,
            "{} 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n",
            first + i as u32,
            z.len()
        )
        .unwrap();
        out.extend_from_slice(z);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    let x = out.len();
    write!(
        out,
        "xref\n0 1\n0000000000 65535 f \n1 1\n{:010} 00000 n \n",
        offsets[0].1
    )
    .unwrap();
    writeln!(out, "{dss} {}", offsets.len() - 1).unwrap();
    for (_, at) in &offsets[1..] {
        writeln!(out, "{at:010} 00000 n ").unwrap();
    }
    let new_size = first + data.streams.len() as u32;
    write!(
        out,
        "trailer\n<< /Size {new_size} /Root 1 0 R /Prev {prev} >>\nstartxref\n{x}\n%%EOF\n"
    )
    .unwrap();
    out
}

/// `base` (a classic xref table) with one incremental update writing `objects` (number, body),
/// its trailer naming `/Info` when `info` is given.
pub fn with_update(base: &[u8], objects: &[(usize, &str)], info: Option<usize>) -> Vec<u8> {
    with_update_rooted(base, objects, info, None)
}

/// [`with_update`], the trailer's `/Root` naming `root` when given.
pub fn with_update_rooted(
    base: &[u8],
    objects: &[(usize, &str)],
    info: Option<usize>,
    new_root: Option<usize>,
) -> Vec<u8> {
    let text = String::from_utf8_lossy(base).into_owned();
    let number_after = |key: &str| -> usize {
        let at = text.rfind(key).unwrap() + key.len();
        let digits: String = text[at..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    let (prev, size, root) = (
        number_after("startxref"),
        number_after("/Size"),
        new_root.unwrap_or_else(|| number_after("/Root")),
    );
    let mut out = base.to_vec();
    let mut rows = String::new();
    for (num, body) in objects {
        let at = out.len();
        write!(out, "{num} 0 obj\n{body}\nendobj\n").unwrap();
        rows += &format!("{num} 1\n{at:010} 00000 n \n");
    }
    let size = objects
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(0)
        .max(size);
    let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
    let x = out.len();
    write!(
        out,
        "xref\n{rows}trailer\n<< /Size {size} /Root {root} 0 R{info} /Prev {prev} >>\nstartxref\n{x}\n%%EOF\n"
    )
    .unwrap();
    out
}
