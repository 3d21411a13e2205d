//! A reporting period of plan 655: a month (`2026-03`), a quarter (`2026-Q1`) or a year
//! (`2026`).

use crate::duty::registry::Month;

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
    pub closed_at: String,
    pub closed_by: String,
    /// The SHA-256 of the frozen figures (`GET /api/v1/periods/{period}`).
    pub sha256: String,
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
