//! UTCTime and GeneralizedTime values (X.680 §46-47) as CMS, certificates and RFC 3161 write
//! them.

use super::CmsError;
use time::OffsetDateTime;

/// A UTCTime or GeneralizedTime value (RFC 5280 §4.1.2.5 forms, and RFC 3161's fractions).
pub fn time_value(v: &der::asn1::Any) -> Result<OffsetDateTime, CmsError> {
    time_ref(v.to_ref())
}

pub(super) fn time_ref(v: der::asn1::AnyRef<'_>) -> Result<OffsetDateTime, CmsError> {
    use der::Tagged;
    let tag = match v.tag() {
        der::Tag::UtcTime => 0x17,
        der::Tag::GeneralizedTime => 0x18,
        t => return Err(CmsError::Malformed(format!("time: a {t} is not a time"))),
    };
    parse_time_content(tag, v.value())
}

/// UTCTime (tag 0x17) or GeneralizedTime (0x18) of its content octets, in their DER forms
/// (`...Z`).
fn parse_time_content(tag: u8, content: &[u8]) -> Result<OffsetDateTime, CmsError> {
    // UTCTime and GeneralizedTime are ASCII (X.680 §46-47): anything else is malformed, and
    // byte offsets below are then character offsets (found by cargo-fuzz: a UTF-8 time).
    let s = std::str::from_utf8(content)
        .ok()
        .filter(|s| s.is_ascii())
        .ok_or_else(|| CmsError::Malformed("time: not ASCII".into()))?;
    let bad = || CmsError::Malformed(format!("time {s:?}"));
    let s = s.strip_suffix('Z').ok_or_else(bad)?;
    let (year, rest) = match tag {
        0x17 if s.len() >= 10 => {
            let yy: i32 = s[..2].parse().map_err(|_| bad())?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &s[2..])
        }
        0x18 if s.len() >= 12 => (s[..4].parse().map_err(|_| bad())?, &s[4..]),
        _ => return Err(bad()),
    };
    let rest = rest.split('.').next().unwrap_or(rest);
    let num = |r: std::ops::Range<usize>| -> Result<u8, CmsError> {
        rest.get(r).ok_or_else(bad)?.parse().map_err(|_| bad())
    };
    let month = time::Month::try_from(num(0..2)?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(year, month, num(2..4)?).map_err(|_| bad())?;
    let sec = if rest.len() >= 10 { num(8..10)? } else { 0 };
    let tm = time::Time::from_hms(num(4..6)?, num(6..8)?, sec).map_err(|_| bad())?;
    Ok(date.with_time(tm).assume_utc())
}
