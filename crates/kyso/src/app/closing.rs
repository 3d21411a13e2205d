//! Closing a period ("chốt số liệu", plan 655): the Office freezes the month table, or the
//! quarter's or year's report, as it stands; the frozen copy and its SHA-256 are kept in the
//! store. Afterwards the live figures may still move (a late file accepted, a certificate
//! enrolled, a re-verification): each difference is shown as an amendment beside the closed
//! figures, never inside them.

use crate::app::App;
use crate::duty::period::Month;
use crate::duty::period::Period;
use crate::store::periods::Closed;
use crate::store::StoreError;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Why a period cannot be closed now.
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error(
        "Kỳ {0} chưa kết thúc: chỉ chốt số liệu khi tháng cuối của kỳ đã qua ({0} is not over yet)"
    )]
    NotOver(Period),
    #[error("Kỳ {} đã được chốt số liệu lúc {} bởi {} ({} was already closed)", .0.period, .0.closed_at, .0.closed_by, .0.period)]
    AlreadyClosed(Box<Closed>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The live figures of `period` as JSON: the month table, or the Office's report.
pub fn live(app: &App, period: Period, now: OffsetDateTime) -> Result<Value, StoreError> {
    let v = match period {
        Period::Month(m) => serde_json::to_value(crate::app::tables::month_table(app, m)?),
        p => {
            let (year, quarter) = p.year_quarter().unwrap_or((p.last_month().year, None));
            serde_json::to_value(crate::app::tables::office_report(app, year, quarter, now)?)
        }
    };
    Ok(v.unwrap_or(Value::Null))
}

/// Close `period`, by the token `by`, for `reason`.
pub fn close(
    app: &App,
    period: Period,
    now: OffsetDateTime,
    by: &str,
    reason: Option<String>,
) -> Result<Closed, CloseError> {
    if !period.is_over(Month::of_vietnam_time(now)) {
        return Err(CloseError::NotOver(period));
    }
    let store = &app.store;
    if let Some(c) = store.closed_period(&period.to_string())? {
        return Err(CloseError::AlreadyClosed(Box::new(c)));
    }
    let snapshot = live(app, period, now)?;
    let closed = Closed {
        period: period.to_string(),
        closed_at: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        closed_by: by.to_string(),
        reason,
        sha256: Closed::digest(&snapshot),
        snapshot,
    };
    match store.close_period(&closed)? {
        Some(()) => Ok(closed),
        None => match store.closed_period(&closed.period)? {
            Some(c) => Err(CloseError::AlreadyClosed(Box::new(c))),
            None => Ok(closed),
        },
    }
}

/// One figure that differs between the closed table and the live one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Amendment {
    pub unit: String,
    /// `organisation`, or the leader's id.
    pub requirement: String,
    pub closed: Value,
    pub now: Value,
}

/// `unit/requirement` -> satisfied (a month table's booleans, a report's counts).
fn figures(v: &Value) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    let units: Vec<&Value> = match v.get("groups") {
        Some(groups) => groups
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["units"].as_array().into_iter().flatten())
            .collect(),
        None => v["units"].as_array().into_iter().flatten().collect(),
    };
    for u in units {
        let id = u["id"].as_str().unwrap_or("").to_string();
        out.insert(
            (id.clone(), "organisation".into()),
            u["organisation"]["satisfied"].clone(),
        );
        for l in u["leaders"].as_array().into_iter().flatten() {
            let sat = l.get("score").map_or(&l["satisfied"], |s| &s["satisfied"]);
            out.insert(
                (id.clone(), l["id"].as_str().unwrap_or("").to_string()),
                sat.clone(),
            );
        }
    }
    out
}

/// What changed since the period was closed.
pub fn amendments(closed: &Closed, live: &Value) -> Vec<Amendment> {
    let (before, after) = (figures(&closed.snapshot), figures(live));
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (b, a) = (
                before.get(k).cloned().unwrap_or(Value::Null),
                after.get(k).cloned().unwrap_or(Value::Null),
            );
            (b != a).then(|| Amendment {
                unit: k.0.clone(),
                requirement: k.1.clone(),
                closed: b,
                now: a,
            })
        })
        .collect()
}
