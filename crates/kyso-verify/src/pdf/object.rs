//! A small, budgeted PDF object parser.
//!
//! It reads one indirect object at a time from the file bytes, never the whole graph, and keeps
//! the file position of every string so that a signature's `/Contents` can be matched against its
//! `/ByteRange` gap. Every failure is a [`PdfError`]; nothing here panics on input.

use super::PdfError;
use std::ops::Range;

/// Nesting depth of arrays and dictionaries we accept in one object.
pub const MAX_DEPTH: usize = 32;
/// Elements (values) we accept in one object, all levels together.
pub const MAX_ELEMENTS: usize = 200_000;

pub type Dict = Vec<(Vec<u8>, Object)>;

#[derive(Debug, Clone)]
pub enum Object {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    /// A string with its decoded bytes and the span of its token in the parsed buffer.
    Str(Vec<u8>, Range<usize>, StrKind),
    Array(Vec<Object>),
    Dict(Dict),
    Ref(u32, u16),
    /// A stream: its dictionary and the range of its raw (still encoded) data.
    Stream(Dict, Range<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    Literal,
    Hex,
}

impl PartialEq for Object {
    /// Semantic equality: positions of strings and streams do not matter, their content does
    /// (stream data is compared by the caller, which has the bytes).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Object::Null, Object::Null) => true,
            (Object::Bool(a), Object::Bool(b)) => a == b,
            (Object::Int(a), Object::Int(b)) => a == b,
            (Object::Real(a), Object::Real(b)) => super::number::same_number(*a, *b),
            (Object::Int(a), Object::Real(b)) | (Object::Real(b), Object::Int(a)) => {
                super::number::same_number(*a as f64, *b)
            }
            (Object::Name(a), Object::Name(b)) => a == b,
            (Object::Str(a, _, _), Object::Str(b, _, _)) => a == b,
            (Object::Array(a), Object::Array(b)) => a == b,
            (Object::Dict(a), Object::Dict(b)) => dict_eq(a, b),
            (Object::Ref(a, g), Object::Ref(b, h)) => a == b && g == h,
            (Object::Stream(a, _), Object::Stream(b, _)) => dict_eq(a, b),
            _ => false,
        }
    }
}

pub fn dict_eq(a: &Dict, b: &Dict) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| dict_get(b, k) == Some(v))
}

pub fn dict_get<'a>(d: &'a Dict, key: &[u8]) -> Option<&'a Object> {
    d.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

impl Object {
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) | Object::Stream(d, _) => Some(d),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_ref(&self) -> Option<(u32, u16)> {
        match self {
            Object::Ref(n, g) => Some((*n, *g)),
            _ => None,
        }
    }
    /// `/Key` of a dictionary or stream.
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.as_dict().and_then(|d| dict_get(d, key))
    }
    pub fn type_name(&self) -> Option<&[u8]> {
        self.get(b"Type").and_then(Object::as_name)
    }
}

/// An indirect object as found at a file offset.
#[derive(Debug, Clone)]
pub struct Indirect {
    pub num: u32,
    pub gen: u16,
    pub object: Object,
    /// Where `N G obj` starts and where `endobj` (or the value) ends.
    pub span: Range<usize>,
}

pub struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    elements: usize,
    /// Bytes gone over by searches for `endstream` (charged by the caller).
    pub searched: usize,
    /// A stream's `/Length` was wrong and its end was found by `endstream` instead.
    pub length_repaired: bool,
}

pub fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

pub fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

impl<'a> Parser<'a> {
    pub fn new(buf: &'a [u8], pos: usize) -> Self {
        Parser {
            buf,
            // A position past the end (an offset from a hostile xref) reads as end of data.
            pos: pos.min(buf.len()),
            elements: 0,
            searched: 0,
            length_repaired: false,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    fn err(&self, what: &str) -> PdfError {
        PdfError::Syntax {
            offset: self.pos,
            what: what.to_string(),
        }
    }

    pub fn skip_ws(&mut self) {
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < self.buf.len() && !matches!(self.buf[self.pos], b'\r' | b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// A bare keyword or number token.
    fn regular_token(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.pos < self.buf.len() && is_regular(self.buf[self.pos]) {
            self.pos += 1;
        }
        &self.buf[start..self.pos]
    }

    pub fn keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_ws();
        let save = self.pos;
        if self.regular_token() == kw {
            true
        } else {
            self.pos = save;
            false
        }
    }

    pub fn unsigned(&mut self) -> Option<u64> {
        self.skip_ws();
        let save = self.pos;
        let tok = self.regular_token();
        if tok.is_empty() || tok.len() > 19 || !tok.iter().all(u8::is_ascii_digit) {
            self.pos = save;
            return None;
        }
        std::str::from_utf8(tok).ok()?.parse().ok()
    }

    /// Parse `N G obj <value> [stream ... endstream] endobj` at the current position.
    /// `stream_length` resolves an indirect `/Length` (it may return None).
    pub fn indirect(
        &mut self,
        stream_length: &dyn Fn(u32, u16) -> Option<u64>,
    ) -> Result<Indirect, PdfError> {
        self.skip_ws();
        let start = self.pos;
        let num = self.unsigned().ok_or_else(|| self.err("object number"))?;
        let gen = self
            .unsigned()
            .ok_or_else(|| self.err("generation number"))?;
        if !self.keyword(b"obj") {
            return Err(self.err("keyword obj"));
        }
        let num = u32::try_from(num).map_err(|_| self.err("object number too large"))?;
        let gen = u16::try_from(gen).map_err(|_| self.err("generation number too large"))?;
        let mut object = self.value(0)?;
        if let Object::Dict(dict) = &object {
            self.skip_ws();
            if self.buf[self.pos..].starts_with(b"stream") {
                let data = self.stream_data(dict, stream_length)?;
                object = Object::Stream(dict.clone(), data);
            }
        }
        if !self.keyword(b"endobj") {
            return Err(self.err("keyword endobj"));
        }
        Ok(Indirect {
            num,
            gen,
            object,
            span: start..self.pos,
        })
    }

    fn stream_data(
        &mut self,
        dict: &Dict,
        stream_length: &dyn Fn(u32, u16) -> Option<u64>,
    ) -> Result<Range<usize>, PdfError> {
        self.pos += b"stream".len();
        // `stream` is followed by CRLF or LF (a lone CR is tolerated).
        if self.buf[self.pos..].starts_with(b"\r\n") {
            self.pos += 2;
        } else if matches!(self.peek(), Some(b'\n') | Some(b'\r')) {
            self.pos += 1;
        } else {
            return Err(self.err("end of line after stream"));
        }
        let data_start = self.pos;
        let declared = match dict_get(dict, b"Length") {
            Some(Object::Int(n)) if *n >= 0 => Some(*n as u64),
            Some(Object::Ref(n, g)) => stream_length(*n, *g),
            _ => None,
        };
        // ISO 32000-2 §7.3.8.1: the data is /Length bytes, then an end-of-line and `endstream`.
        // Readers recover when /Length is wrong by looking for `endstream`; so do we, and say so.
        let by_length = declared.and_then(|len| {
            let end = data_start.checked_add(usize::try_from(len).ok()?)?;
            let mut after = Parser::new(self.buf, end.min(self.buf.len()));
            after.skip_ws();
            (end <= self.buf.len() && self.buf[after.pos..].starts_with(b"endstream"))
                .then_some((end, after.pos))
        });
        let end = match by_length {
            Some((end, at)) => {
                self.pos = at;
                end
            }
            None => {
                let rel = memchr::memmem::find(&self.buf[data_start..], b"endstream")
                    .ok_or_else(|| self.err("endstream"))?;
                self.searched += rel;
                self.length_repaired = declared.is_some();
                let mut end = data_start + rel;
                if end > data_start && self.buf[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > data_start && self.buf[end - 1] == b'\r' {
                    end -= 1;
                }
                self.pos = data_start + rel;
                end
            }
        };
        self.pos += b"endstream".len();
        Ok(data_start..end)
    }

    pub fn value(&mut self, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_DEPTH {
            return Err(PdfError::Budget {
                what: "nesting depth",
                limit: MAX_DEPTH as u64,
            });
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(PdfError::Budget {
                what: "values in one object",
                limit: MAX_ELEMENTS as u64,
            });
        }
        self.skip_ws();
        let b = self
            .peek()
            .ok_or_else(|| self.err("a value, found end of data"))?;
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()))
            }
            b'(' => self.literal_string(),
            b'<' if self.buf.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Ok(Object::Dict(self.dict_body(depth)?))
            }
            b'<' => self.hex_string(),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        None => return Err(self.err("] to close an array")),
                        _ => items.push(self.value(depth + 1)?),
                    }
                }
                Ok(Object::Array(items))
            }
            _ => self.number_or_keyword(),
        }
    }

    fn dict_body(&mut self, depth: usize) -> Result<Dict, PdfError> {
        let mut d: Dict = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'>') if self.buf.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Ok(d);
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name_body();
                    let v = self.value(depth + 1)?;
                    if d.iter().any(|(k, _)| *k == key) {
                        return Err(PdfError::DuplicateKey {
                            key: String::from_utf8_lossy(&key).into_owned(),
                            offset: self.pos,
                        });
                    }
                    d.push((key, v));
                }
                _ => return Err(self.err("a /Name key or >> in a dictionary")),
            }
        }
    }

    fn name_body(&mut self) -> Vec<u8> {
        let raw = self.regular_token();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#' && i + 2 < raw.len() {
                if let (Some(h), Some(l)) = (hex_val(raw[i + 1]), hex_val(raw[i + 2])) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
            out.push(raw[i]);
            i += 1;
        }
        out
    }

    fn literal_string(&mut self) -> Result<Object, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut level = 1usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'(' => {
                    level += 1;
                    out.push(b);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(Object::Str(out, start..self.pos, StrKind::Literal));
                    }
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
        Err(PdfError::Syntax {
            offset: start,
            what: "unterminated string".into(),
        })
    }

    fn hex_string(&mut self) -> Result<Object, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let end = memchr::memchr(b'>', &self.buf[self.pos..])
            .map(|r| self.pos + r)
            .ok_or_else(|| self.err("> to close a hex string"))?;
        let mut out = Vec::with_capacity((end - self.pos) / 2);
        let mut hi: Option<u8> = None;
        for &c in &self.buf[self.pos..end] {
            if is_whitespace(c) {
                continue;
            }
            let v = hex_val(c).ok_or_else(|| PdfError::Syntax {
                offset: start,
                what: "a non-hex character in a hex string".into(),
            })?;
            match hi.take() {
                None => hi = Some(v),
                Some(h) => out.push(h << 4 | v),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        self.pos = end + 1;
        Ok(Object::Str(out, start..self.pos, StrKind::Hex))
    }

    fn number_or_keyword(&mut self) -> Result<Object, PdfError> {
        let start = self.pos;
        let tok = self.regular_token();
        if tok.is_empty() {
            self.pos += 1;
            return Err(PdfError::Syntax {
                offset: start,
                what: "an unexpected delimiter".into(),
            });
        }
        match tok {
            b"true" => return Ok(Object::Bool(true)),
            b"false" => return Ok(Object::Bool(false)),
            b"null" => return Ok(Object::Null),
            _ => {}
        }
        let text = std::str::from_utf8(tok).map_err(|_| self.err("a number"))?;
        if tok.iter().all(|c| c.is_ascii_digit()) {
            // Maybe `N G R`.
            let save = self.pos;
            if let Some(gen) = self.unsigned() {
                if self.keyword(b"R") {
                    let n = text.parse::<u32>().map_err(|_| self.err("object number"))?;
                    let g = u16::try_from(gen).map_err(|_| self.err("generation number"))?;
                    return Ok(Object::Ref(n, g));
                }
            }
            self.pos = save;
        }
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Object::Int(i));
        }
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Ok(Object::Real(f));
            }
        }
        Err(PdfError::Syntax {
            offset: start,
            what: format!("unknown token {:?}", String::from_utf8_lossy(tok)),
        })
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Object {
        Parser::new(s, 0).value(0).unwrap()
    }

    #[test]
    fn parses_the_usual_values() {
        let src: &[u8] = b"<< /Type /Sig /ByteRange [0 10 20 30] /Contents <0A0b> /M (D:2026\\051) /R 3 0 R /F 1.5 >>";
        let o = parse(src);
        let at = src.windows(6).position(|w| w == b"<0A0b>").unwrap();
        assert_eq!(o.type_name(), Some(&b"Sig"[..]));
        assert_eq!(
            o.get(b"ByteRange")
                .and_then(Object::as_array)
                .map(|a| a.len()),
            Some(4)
        );
        match o.get(b"Contents") {
            Some(Object::Str(b, span, StrKind::Hex)) => {
                assert_eq!(b, &vec![0x0a, 0x0b]);
                assert_eq!(span.clone(), at..at + 6);
            }
            other => panic!("{other:?}"),
        }
        match o.get(b"M") {
            Some(Object::Str(b, _, StrKind::Literal)) => assert_eq!(b, b"D:2026)"),
            other => panic!("{other:?}"),
        }
        assert_eq!(o.get(b"R").and_then(Object::as_ref), Some((3, 0)));
    }

    #[test]
    fn rejects_duplicate_keys_and_deep_nesting() {
        assert!(Parser::new(b"<< /A 1 /A 2 >>", 0).value(0).is_err());
        let deep = [b"[".repeat(100), b"]".repeat(100)].concat();
        assert!(matches!(
            Parser::new(&deep, 0).value(0),
            Err(PdfError::Budget { .. })
        ));
    }

    #[test]
    fn reads_an_indirect_stream_by_length() {
        let src = b"7 0 obj\n<< /Length 5 >>\nstream\nhello\nendstream\nendobj\n";
        let ind = Parser::new(src, 0).indirect(&|_, _| None).unwrap();
        assert_eq!(ind.num, 7);
        match ind.object {
            Object::Stream(_, r) => assert_eq!(&src[r], b"hello"),
            other => panic!("{other:?}"),
        }
    }
}
