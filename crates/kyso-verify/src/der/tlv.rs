//! A minimal BER/DER TLV reader: lengths (definite and indefinite), children, original bytes.
//!
//! Typed decoding is `cms`'s and `x509-parser`'s; this reader only finds where things are, so that signed
//! attributes are hashed from their original bytes and zero padding after the structure can be
//! told apart from garbage.

/// A BER structure that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BerError(pub String);

/// Deepest nesting accepted (CMS with certificates is about 12 levels deep).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    /// The whole element: header, content and (for indefinite lengths) the end-of-contents.
    pub raw: &'a [u8],
    /// The content octets (for indefinite lengths: the children, without end-of-contents).
    pub content: &'a [u8],
    pub indefinite: bool,
}

impl<'a> Tlv<'a> {
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// The children of a constructed element.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, BerError> {
        children(self.content, 1)
    }
}

pub fn children(mut buf: &[u8], depth: usize) -> Result<Vec<Tlv<'_>>, BerError> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (t, rest) = read(buf, depth)?;
        out.push(t);
        buf = rest;
    }
    Ok(out)
}

/// Read one element from the front of `buf`; returns it and what follows.
pub fn read(buf: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError("nesting deeper than 64 levels".into()));
    }
    let tag = *buf
        .first()
        .ok_or_else(|| BerError("unexpected end of data".into()))?;
    if tag & 0x1f == 0x1f {
        return Err(BerError("high-number tags are not used by CMS".into()));
    }
    let first = *buf
        .get(1)
        .ok_or_else(|| BerError("unexpected end of data in a length".into()))?;
    let (len, hdr) = if first < 0x80 {
        (Some(first as usize), 2)
    } else if first == 0x80 {
        (None, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n > 4 {
            return Err(BerError("a length of more than 4 bytes".into()));
        }
        let bytes = buf
            .get(2..2 + n)
            .ok_or_else(|| BerError("unexpected end of data in a length".into()))?;
        (
            Some(bytes.iter().fold(0usize, |a, b| a << 8 | *b as usize)),
            2 + n,
        )
    };
    match len {
        Some(len) => {
            let end = hdr
                .checked_add(len)
                .filter(|e| *e <= buf.len())
                .ok_or_else(|| BerError("a length beyond the end of the data".into()))?;
            Ok((
                Tlv {
                    tag,
                    raw: &buf[..end],
                    content: &buf[hdr..end],
                    indefinite: false,
                },
                &buf[end..],
            ))
        }
        None => {
            if tag & 0x20 == 0 {
                return Err(BerError("indefinite length on a primitive element".into()));
            }
            let mut pos = hdr;
            loop {
                if buf.get(pos..pos + 2) == Some(&[0, 0]) {
                    break;
                }
                if pos >= buf.len() {
                    return Err(BerError("missing end-of-contents".into()));
                }
                let (child, _) = read(&buf[pos..], depth + 1)?;
                pos += child.raw.len();
            }
            Ok((
                Tlv {
                    tag,
                    raw: &buf[..pos + 2],
                    content: &buf[hdr..pos],
                    indefinite: true,
                },
                &buf[pos + 2..],
            ))
        }
    }
}

/// A DER length (X.690 §8.1.3: the short form below 128, else the fewest bytes).
pub fn definite_length(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// The bytes of a primitive element, or the concatenated bytes of a constructed (BER) string.
pub fn string_bytes(t: &Tlv) -> Result<Vec<u8>, BerError> {
    if !t.constructed() {
        return Ok(t.content.to_vec());
    }
    let mut out = Vec::new();
    for c in t.children()? {
        out.extend(string_bytes(&c)?);
    }
    Ok(out)
}

/// The dotted form of an OBJECT IDENTIFIER element.
pub fn oid(t: &Tlv) -> Result<String, BerError> {
    if t.tag != 0x06 {
        return Err(BerError(format!(
            "expected an OID, found tag {:#04x}",
            t.tag
        )));
    }
    der::asn1::ObjectIdentifier::from_bytes(t.content)
        .map(|o| o.to_string())
        .map_err(|e| BerError(format!("OID: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0,
            0, 0, 0, 0, 0,
        ];
        let (t, rest) = read(&ber, 0).unwrap();
        assert!(t.indefinite);
        assert_eq!(rest, &[0, 0]);
        let kids = t.children().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(string_bytes(&kids[1]).unwrap(), b"abc");
    }

    #[test]
    fn rejects_lengths_past_the_end() {
        assert!(read(&[0x30, 0x05, 0x02], 0).is_err());
        assert!(read(&[0x30, 0x80, 0x02, 0x01, 0x05], 0).is_err());
        assert!(read(&[0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0).is_err());
    }
}
