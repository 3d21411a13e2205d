//! The two ways kyso writes CSV. Excel set to Vietnamese (vi-VN) splits a CSV file at `;`, not
//! `,`, and reads `87,5` as a number where `87.5` stays text: the Office opens the Vietnamese
//! form by default. Programs that read CSV get RFC 4180 (`,` between fields, a decimal point)
//! with `?dialect=rfc4180`. Every file is written in RFC 4180 first ([`crate::export::cell`])
//! and turned into the Vietnamese form here, field by field, so that both say the same.

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    /// `;` between fields, a decimal comma (what Excel in Vietnamese reads).
    #[default]
    Vietnamese,
    /// `,` between fields, a decimal point (RFC 4180).
    Rfc4180,
}

impl Dialect {
    /// `?dialect=`: `vi` (the default) or `rfc4180`.
    pub fn parse(given: Option<&str>) -> Result<Dialect, String> {
        match given.map(str::trim) {
            None | Some("") | Some("vi") | Some("vi-VN") => Ok(Dialect::Vietnamese),
            Some("rfc4180") => Ok(Dialect::Rfc4180),
            Some(other) => Err(format!(
                "unknown dialect {other:?}: use vi (; and a decimal comma) or rfc4180"
            )),
        }
    }
}

/// A decimal number as kyso writes one (`-12.5`): it takes a decimal comma.
fn decimal(field: &str) -> bool {
    let digits = field.strip_prefix('-').unwrap_or(field);
    let mut parts = digits.splitn(2, '.');
    let (whole, frac) = (parts.next().unwrap_or(""), parts.next());
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// One field in the Vietnamese form: a decimal comma, quoted when it holds `;`, a quote or a
/// line break.
fn vietnamese_field(text: &str) -> String {
    let text = if decimal(text) {
        text.replace('.', ",")
    } else {
        text.to_string()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The rows of an RFC 4180 text, each a list of unquoted fields (CRLF or LF ends a row).
fn rows(csv: &str) -> Vec<Vec<String>> {
    let (mut out, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = csv.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push(row);
    }
    out
}

/// `csv`, written in RFC 4180 (with or without a BOM), in `dialect`.
pub fn in_dialect(csv: String, dialect: Dialect) -> String {
    if dialect == Dialect::Rfc4180 {
        return csv;
    }
    let (bom, body) = match csv.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", csv.as_str()),
    };
    let mut out = String::from(bom);
    for row in rows(body) {
        let fields: Vec<String> = row.iter().map(|f| vietnamese_field(f)).collect();
        out += &fields.join(";");
        out += "\r\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::cell::csv_row;

    #[test]
    fn the_vietnamese_form_splits_at_semicolons_with_a_decimal_comma() {
        let rfc = format!(
            "\u{feff}{}{}",
            csv_row(&["Tên đơn vị", "Tỷ lệ (%)", "Ghi chú"]),
            csv_row(&["Phòng A, B", "87.5", "nói \"rõ\"; xong\nhai dòng"])
        );
        let vi = in_dialect(rfc.clone(), Dialect::Vietnamese);
        assert_eq!(
            vi,
            "\u{feff}Tên đơn vị;Tỷ lệ (%);Ghi chú\r\nPhòng A, B;87,5;\"nói \"\"rõ\"\"; xong\nhai dòng\"\r\n"
        );
        assert_eq!(in_dialect(rfc.clone(), Dialect::Rfc4180), rfc);
    }

    #[test]
    fn only_decimals_take_a_comma() {
        for (given, shown) in [
            ("12", "12"),
            ("-0.5", "-0,5"),
            ("1.2.3", "1.2.3"),
            ("v1.5", "v1.5"),
            ("03/2026", "03/2026"),
            (".5", ".5"),
        ] {
            assert_eq!(vietnamese_field(given), shown);
        }
    }

    #[test]
    fn dialects_by_name() {
        assert_eq!(Dialect::parse(None), Ok(Dialect::Vietnamese));
        assert_eq!(Dialect::parse(Some("rfc4180")), Ok(Dialect::Rfc4180));
        assert!(Dialect::parse(Some("excel")).is_err());
    }
}
