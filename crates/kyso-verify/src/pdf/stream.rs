//! Stream filters (ISO 32000-2 §7.4): FlateDecode with PNG predictors, the only filter the
//! structure needs (object streams, xref streams, DSS data). Output is metered.

use super::meter::Meter;
use super::object::{dict_get, Dict, Object};
use super::PdfError;
use flate2::read::ZlibDecoder;
use std::io::Read;

/// Decode a stream's data under the document's decompression budget.
pub fn decode(meter: &Meter, dict: &Dict, data: &[u8]) -> Result<Vec<u8>, PdfError> {
    decode_within(meter, dict, data, None)
}

/// [`decode`], producing at most `cap` bytes of validation data (a `/DSS` stream: what the
/// document may still decode, [`Meter::validation_left`]); beyond it the budget is spent.
pub fn decode_within(
    meter: &Meter,
    dict: &Dict,
    data: &[u8],
    cap: Option<u64>,
) -> Result<Vec<u8>, PdfError> {
    meter.check()?;
    let filters: Vec<&[u8]> = match dict_get(dict, b"Filter") {
        None => vec![],
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(a)) => a.iter().filter_map(Object::as_name).collect(),
        Some(_) => return Err(PdfError::Unsupported("a /Filter that is not a name".into())),
    };
    let mut out = data.to_vec();
    for (i, f) in filters.iter().enumerate() {
        match *f {
            b"FlateDecode" => {
                let left = meter.inflate_left().min(cap.unwrap_or(u64::MAX));
                let mut buf = Vec::new();
                if cap.is_some() {
                    let size = inflated_size(&out, left);
                    if size > left {
                        return Err(over_budget(meter, cap, left, size));
                    }
                    buf.reserve_exact(size as usize);
                }
                let mut dec = ZlibDecoder::new(out.as_slice()).take(left + 1);
                let read = dec.read_to_end(&mut buf);
                if buf.len() as u64 > left {
                    return Err(over_budget(meter, cap, left, buf.len() as u64));
                }
                meter.inflate(buf.len())?;
                // A damaged end (a missing checksum) after good data is accepted, as readers
                // do; no data at all is an error.
                if let Err(e) = read {
                    if buf.is_empty() {
                        return Err(PdfError::Syntax {
                            offset: 0,
                            what: format!("deflate data: {e}"),
                        });
                    }
                }
                out = buf;
            }
            // §7.4.10: the Crypt filter comes first, and was applied before decoding.
            b"Crypt" if i == 0 => {}
            other => {
                return Err(PdfError::Unsupported(format!(
                    "stream filter /{}",
                    String::from_utf8_lossy(other)
                )))
            }
        }
    }
    if let Some(parms) = dict_get(dict, b"DecodeParms").and_then(Object::as_dict) {
        let predictor = dict_get(parms, b"Predictor")
            .and_then(Object::as_int)
            .unwrap_or(1);
        if predictor >= 10 {
            let cols = dict_get(parms, b"Columns")
                .and_then(Object::as_int)
                .unwrap_or(1);
            out = png_unpredict(&out, cols.clamp(1, 1 << 20) as usize)?;
        } else if predictor != 1 {
            return Err(PdfError::Unsupported(format!("predictor {predictor}")));
        }
    }
    Ok(out)
}

/// The error of a stream that inflates to `size` bytes, more than the `left` it may: the
/// document's decompression budget, or its validation data (`cap`), charged and spent; else
/// this one stream's limit.
fn over_budget(meter: &Meter, cap: Option<u64>, left: u64, size: u64) -> PdfError {
    if let Err(e) = meter.inflate(size as usize) {
        return e;
    }
    if cap.is_some_and(|c| size > c) {
        return meter.validation_spent();
    }
    PdfError::Budget {
        what: "decompressed bytes of one stream",
        limit: left,
    }
}

/// How many bytes the zlib data `z` inflates to, counted without keeping them, up to
/// `limit + 1`: a stream of validation data is measured first and then decoded into a buffer
/// of its exact size, so that memory holds what the document is charged for, not a buffer
/// grown by doubling (nor the freed buffers before it).
fn inflated_size(z: &[u8], limit: u64) -> u64 {
    let mut dec = ZlibDecoder::new(z).take(limit + 1);
    let mut counted = 0u64;
    let mut chunk = [0u8; 16 * 1024];
    while let Ok(n) = dec.read(&mut chunk) {
        if n == 0 {
            break;
        }
        counted += n as u64;
    }
    counted
}

/// PNG predictors (ISO 32000-2 §7.4.4.4, RFC 2083 §6): one filter-type byte per row.
fn png_unpredict(data: &[u8], cols: usize) -> Result<Vec<u8>, PdfError> {
    let row = cols + 1;
    if data.len() % row != 0 {
        return Err(PdfError::Syntax {
            offset: 0,
            what: "predicted data is not whole rows".into(),
        });
    }
    let mut out = Vec::with_capacity(data.len() / row * cols);
    let mut prev = vec![0u8; cols];
    for chunk in data.chunks(row) {
        let (kind, line) = (chunk[0], &chunk[1..]);
        let mut cur = vec![0u8; cols];
        for i in 0..cols {
            let a = if i > 0 { cur[i - 1] } else { 0 };
            let b = prev[i];
            let c = if i > 0 { prev[i - 1] } else { 0 };
            cur[i] = line[i].wrapping_add(match kind {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                4 => paeth(a, b, c),
                _ => {
                    return Err(PdfError::Syntax {
                        offset: 0,
                        what: format!("PNG predictor type {kind}"),
                    })
                }
            });
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
