//! Times as the report and the clerk read them: RFC 3339 in UTC on the wire, dd/mm/yyyy in
//! Vietnam time in messages, and PDF date strings (ISO 32000-2 §7.9.4).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub(super) fn fmt_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub(super) fn date(t: OffsetDateTime) -> String {
    let v = t.to_offset(time::macros::offset!(+7));
    format!("{:02}/{:02}/{}", v.day(), v.month() as u8, v.year())
}

/// `D:YYYYMMDDHHmmSSOHH'mm'` with the usual omissions.
pub fn parse_pdf_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return None;
    }
    let num = |a: usize, b: usize, d: u8| -> Option<u8> {
        match digits.get(a..b) {
            Some(x) => x.parse().ok(),
            None => Some(d),
        }
    };
    let year: i32 = digits[..4].parse().ok()?;
    let date = time::Date::from_calendar_date(
        year,
        time::Month::try_from(num(4, 6, 1)?).ok()?,
        num(6, 8, 1)?,
    )
    .ok()?;
    let tm = time::Time::from_hms(num(8, 10, 0)?, num(10, 12, 0)?, num(12, 14, 0)?).ok()?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let r: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let h: i8 = r.get(0..2)?.parse().ok()?;
            let m: i8 = r.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let (h, m) = if sign == '-' { (-h, -m) } else { (h, m) };
            time::UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(date.with_time(tm).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn pdf_dates() {
        let t = parse_pdf_date("D:20260310090000+07'00'").unwrap();
        assert_eq!(fmt_time(t), "2026-03-10T02:00:00Z");
        assert_eq!(
            fmt_time(parse_pdf_date("D:2026").unwrap()),
            "2026-01-01T00:00:00Z"
        );
        assert!(parse_pdf_date("garbage").is_none());
    }
}
