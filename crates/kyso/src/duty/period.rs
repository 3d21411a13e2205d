//! Months and reporting periods of plan 655, in Vietnam time: a month (`2026-03`), a quarter
//! (`2026-Q1`) or a year (`2026`).

use serde::{Deserialize, Serialize};

/// A calendar month (`YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u8,
}

impl Month {
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        ((1..=12).contains(&month) && (1900..=9999).contains(&year))
            .then_some(Month { year, month })
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// As clerks write it: `mm/yyyy`.
    pub fn vn(self) -> String {
        crate::vn::month(self.year, self.month)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month's first day.
    pub fn first_day(self) -> time::Date {
        let month = time::Month::try_from(self.month).unwrap_or(time::Month::January);
        time::Date::from_calendar_date(self.year, month, 1).unwrap_or(time::Date::MIN)
    }

    /// The month's last day.
    pub fn last_day(self) -> time::Date {
        self.next()
            .first_day()
            .previous_day()
            .unwrap_or(time::Date::MIN)
    }

    /// Days left in the month counting today, when it is the month in progress at `now`
    /// (Vietnam time).
    pub fn days_left(self, now: time::OffsetDateTime) -> Option<i64> {
        if Month::of_vietnam_time(now) != self {
            return None;
        }
        let today = crate::vn::local(now).date();
        Some((self.last_day() - today).whole_days() + 1)
    }

    /// The month of an instant in Vietnam time (UTC+7, no daylight saving).
    pub fn of_vietnam_time(t: time::OffsetDateTime) -> Month {
        let v = crate::vn::local(t);
        Month {
            year: v.year(),
            month: v.month() as u8,
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Month::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a month YYYY-MM")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(Month),
    Quarter(i32, u8),
    Year(i32),
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let year = |y: &str| y.parse::<i32>().ok().filter(|y| (1900..=9999).contains(y));
        if let Some((y, q)) = s.split_once("-Q") {
            let q: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Period::Quarter(year(y)?, q));
        }
        if s.len() == 4 {
            return year(s).map(Period::Year);
        }
        Month::parse(s).map(Period::Month)
    }

    /// The year and quarter of a quarter or a year (`None` for a month).
    pub fn year_quarter(self) -> Option<(i32, Option<u8>)> {
        match self {
            Period::Month(_) => None,
            Period::Quarter(y, q) => Some((y, Some(q))),
            Period::Year(y) => Some((y, None)),
        }
    }

    /// The period's last month.
    pub fn last_month(self) -> Month {
        match self {
            Period::Month(m) => m,
            Period::Quarter(year, q) => Month { year, month: 3 * q },
            Period::Year(year) => Month { year, month: 12 },
        }
    }

    /// Whether every month of the period is over when `current` is in progress.
    pub fn is_over(self, current: Month) -> bool {
        self.last_month() < current
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month(m) => write!(f, "{m}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Year(y) => write!(f, "{y}"),
        }
    }
}

/// Whether, when and by whom a table's period was closed (shown on every table and report).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ClosedMark {
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub closed_at: time::OffsetDateTime,
    pub closed_by: String,
    /// The SHA-256 of the frozen figures (`GET /api/v1/periods/{period}`).
    pub sha256: String,
}

/// One requirement whose live figure differs from the closed one ("Điều chỉnh sau khi
/// chốt"): shown beside the closed figures, never inside them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Amendment {
    pub unit: String,
    /// `organisation`, or the leader's id.
    pub requirement: String,
    /// Months (or, for a month, whether) satisfied when closed; `null` when not required then.
    pub closed: serde_json::Value,
    /// The same now; `null` when no longer required.
    pub now: serde_json::Value,
    /// Months required when closed (a month: 1 if required), and now.
    pub closed_required: usize,
    pub now_required: usize,
    /// The unit's name, and the requirement as a clerk reads it ("Ký số cơ quan", or the
    /// leader's title and name).
    pub unit_name: String,
    pub requirement_name: String,
    /// What moved it, in Vietnamese, with who and when (a late file accepted, a correction of
    /// the registry with its reason, a re-verification, a file received after the closing).
    pub causes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_end() {
        let now = Month::parse("2026-11").unwrap();
        for (s, over) in [
            ("2026-03", true),
            ("2026-Q3", true),
            ("2026-Q4", false),
            ("2025", true),
            ("2026", false),
            ("2026-11", false),
        ] {
            let p = Period::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(p.to_string(), s);
            assert_eq!(p.is_over(now), over, "{s}");
        }
        for bad in ["2026-Q5", "26", "2026-13", "x", "2026-Q"] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }
}
