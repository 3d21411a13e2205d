//! The Office's figures as every view shows them: the live figures of a month or a period,
//! or, once it is closed, the closed figures with the amendments since beside them
//! ([`crate::app::closing`]).

use crate::app::{closing, tables, App};
use crate::duty::office_report::OfficeReport;
use crate::duty::period::{Month, Period};
use crate::duty::tables::MonthTable;
use crate::store::StoreError;
use time::OffsetDateTime;

/// The month's table as the Office reads it: the live figures, or, once the month is closed,
/// the closed figures with the amendments since beside them.
pub fn month_table(app: &App, month: Month) -> Result<MonthTable, StoreError> {
    let live = tables::month_table_live(app, month)?;
    Ok(closing::closed_month(app, month, &live)?.unwrap_or(live))
}

/// The month's table as CSV, each file named as the clerk sent it ([`tables::month_csv_of`]):
/// the closed figures of a closed month, with its amendments in a section of their own.
pub fn month_csv(app: &App, month: Month) -> Result<String, StoreError> {
    tables::month_csv_of(app, &month_table(app, month)?)
}

/// The report of a period as the Office reads it: the live figures, or, once the period is
/// closed, the closed figures with the amendments since beside them.
pub fn office_report(
    app: &App,
    year: i32,
    quarter: Option<u8>,
    now: OffsetDateTime,
) -> Result<OfficeReport, StoreError> {
    let live = tables::office_report_live(app, year, quarter, now)?;
    let period = match quarter {
        Some(q) => Period::Quarter(year, q),
        None => Period::Year(year),
    };
    Ok(closing::closed_report(app, period, &live)?.unwrap_or(live))
}

/// What is still missing in `month` ("còn thiếu"), unit by unit, for chasing; only `unit`'s
/// when given. A closed month's list is that of its closed figures.
pub fn missing(
    app: &App,
    month: Month,
    unit: Option<&str>,
) -> Result<Vec<crate::duty::office_report::Missing>, StoreError> {
    let t = month_table(app, month)?;
    let mut list = crate::duty::office_report::missing_in(&t, &app.store.registry(), unit);
    mark_movable(app, month, &mut list)?;
    Ok(list)
}

/// Mark the requirements of `month` that a file of the next month would meet if it were moved
/// to `month` (`crate::app::month_move`): what the Office should look at before chasing.
pub fn mark_movable(
    app: &App,
    month: Month,
    list: &mut [crate::duty::office_report::Missing],
) -> Result<(), StoreError> {
    use crate::duty::credit::{self, Requirement};
    let current = Month::of_vietnam_time(time::OffsetDateTime::now_utc());
    if list.is_empty() || month >= current {
        return Ok(());
    }
    let lookup = app.store.lookup();
    for sub in app.store.facts_in_month(month.next())? {
        if crate::app::month_move::movable_to(&sub) != Some(month) {
            continue;
        }
        let mut moved = sub.clone();
        moved.moved = Some(crate::duty::submission::Move {
            from: month.next(),
            to: month,
            by: String::new(),
            at: sub.received_at,
            reason: String::new(),
        });
        let file = crate::duty::office_report::MovableFile {
            id: sub.id.clone(),
            file_name: sub.file_name.clone(),
        };
        for c in credit::credits(&moved, &*lookup, &app.policy).0 {
            let meets = |m: &crate::duty::office_report::Missing| {
                c.month == month
                    && m.unit == c.unit
                    && m.requirement == c.requirement
                    && (c.requirement == Requirement::Organisation || m.leader == c.leader)
            };
            for m in list.iter_mut().filter(|m| meets(m)) {
                if !m.movable.contains(&file) {
                    m.movable.push(file.clone());
                }
            }
        }
    }
    Ok(())
}
