//! Vietnamese forms of times and periods, in one place: the one offset of Vietnam time (UTC+7,
//! no daylight saving since 1975), dates as clerks write them (dd/mm/yyyy, mm/yyyy), and the
//! names of periods ("Quý 1 năm 2026"). Everything a clerk reads is formatted here.

use time::{OffsetDateTime, UtcOffset};

/// Vietnam time: UTC+7, all year.
pub const OFFSET: UtcOffset = time::macros::offset!(+7);

/// Vietnam's offset as a duration (a wall-clock time written as UTC is this far ahead).
pub fn offset_duration() -> time::Duration {
    time::Duration::seconds(i64::from(OFFSET.whole_seconds()))
}

/// `t` in Vietnam time.
pub fn local(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(OFFSET)
}

/// dd/mm/yyyy HH:mm, Vietnam time.
pub fn datetime(t: OffsetDateTime) -> String {
    let v = local(t);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        v.day(),
        v.month() as u8,
        v.year(),
        v.hour(),
        v.minute()
    )
}

/// dd/mm/yyyy, Vietnam time.
pub fn date(t: OffsetDateTime) -> String {
    let v = local(t);
    format!("{:02}/{:02}/{}", v.day(), v.month() as u8, v.year())
}

/// [`datetime`] of an RFC 3339 text; the text itself when it is not one.
pub fn datetime_of(rfc3339: &str) -> String {
    kyso_verify::report::wire_time::parse(rfc3339)
        .map(datetime)
        .unwrap_or_else(|| rfc3339.to_string())
}

/// mm/yyyy.
pub fn month(year: i32, month: u8) -> String {
    format!("{month:02}/{year}")
}

/// "Quý 1 năm 2026", or "Năm 2026" for a whole year.
pub fn period(year: i32, quarter: Option<u8>) -> String {
    match quarter {
        Some(q) => format!("Quý {q} năm {year}"),
        None => format!("Năm {year}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_time_as_clerks_write_it() {
        let t = time::macros::datetime!(2026-03-31 17:05 UTC);
        assert_eq!(datetime(t), "01/04/2026 00:05");
        assert_eq!(date(t), "01/04/2026");
        assert_eq!(datetime_of("2026-03-31T17:05:00Z"), "01/04/2026 00:05");
        assert_eq!(datetime_of("hôm qua"), "hôm qua");
        assert_eq!(month(2026, 3), "03/2026");
        assert_eq!(period(2026, Some(1)), "Quý 1 năm 2026");
        assert_eq!(period(2026, None), "Năm 2026");
        assert_eq!(offset_duration(), time::Duration::hours(7));
    }
}
