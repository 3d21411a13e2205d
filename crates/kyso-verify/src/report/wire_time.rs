//! Times on the wire: RFC 3339 in UTC (the JSON contract, ARCHITECTURE.md §5.1), and
//! `OffsetDateTime` everywhere inside. Reading is lenient with what earlier versions stored:
//! a time too far from ours for RFC 3339 was written as Unix seconds.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// RFC 3339 in UTC, or Unix seconds for a year RFC 3339 cannot write.
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// What [`format()`] writes.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| {
        s.parse::<i64>()
            .ok()
            .and_then(|u| OffsetDateTime::from_unix_timestamp(u).ok())
    })
}

/// `#[serde(with = "crate::report::wire_time::required")]`
pub mod required {
    use super::{format, parse};
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Writes `t` as [`format()`] does.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*t))
    }

    /// Reads what [`format()`] writes; anything else is an error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time")))
    }
}

/// `#[serde(with = "crate::report::wire_time::optional")]`: absent, null or unreadable is `None`.
pub mod optional {
    use super::{format, parse};
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Writes a time as [`format()`] does, `None` as null.
    pub fn serialize<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format(*t)),
            None => s.serialize_none(),
        }
    }

    /// Reads what [`format()`] writes; null or an unreadable time is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.as_deref().and_then(parse))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_in_utc_and_read_back() {
        let t = time::macros::datetime!(2026-03-31 23:30:15.25 +07:00);
        assert_eq!(format(t), "2026-03-31T16:30:15.25Z");
        assert_eq!(parse(&format(t)), Some(t));
        let far = time::macros::datetime!(0000-01-01 00:30 +01:00);
        assert_eq!(parse(&format(far)), Some(far), "{}", format(far));
        assert_eq!(parse("hôm qua"), None);
    }
}
