//! Closing a period ("chốt số liệu", plan 655): the Office freezes the month table, or the
//! quarter's or year's report, as it stands, and the files it files (the report's XLSX and CSV,
//! the month's CSV) are made then and kept, to be downloaded again byte for byte. Afterwards the
//! live figures may still move (a late file accepted, a correction of the registry, a
//! re-verification): every view of a closed period shows the closed figures, and beside them
//! each difference as an amendment with its cause, never inside them.

use crate::app::App;
use crate::duty::credit;
use crate::duty::office_report::OfficeReport;
use crate::duty::period::{Amendment, Month, Period};
use crate::duty::tables::MonthTable;
use crate::store::periods::{Closed, FiledFile};
use crate::store::StoreError;
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
    #[error("Kỳ {} đã được chốt số liệu lúc {} bởi {} ({} was already closed)", .0.period, crate::vn::datetime(.0.closed_at), .0.closed_by, .0.period)]
    AlreadyClosed(Box<Closed>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The live figures of `period` as JSON: the month table, or the Office's report.
pub fn live(app: &App, period: Period, now: OffsetDateTime) -> Result<Value, StoreError> {
    let v = match period {
        Period::Month(m) => serde_json::to_value(crate::app::tables::month_table_live(app, m)?),
        p => {
            let (year, quarter) = p.year_quarter().unwrap_or((p.last_month().year, None));
            serde_json::to_value(crate::app::tables::office_report_live(
                app, year, quarter, now,
            )?)
        }
    };
    Ok(v.unwrap_or(Value::Null))
}

/// The files the Office files for `period`, made from its figures as they stand.
fn filed(
    app: &App,
    period: Period,
    snapshot: &Value,
) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    Ok(match period {
        Period::Month(m) => {
            let live = crate::app::tables::month_table_live(app, m)?;
            vec![(
                format!("{period}.csv"),
                vietnamese(crate::app::tables::month_csv_of(app, &live)?).into_bytes(),
            )]
        }
        _ => {
            let report: OfficeReport =
                serde_json::from_value(snapshot.clone()).map_err(|e| StoreError::Corrupt {
                    path: app.store.dir().join("periods"),
                    what: e.to_string(),
                })?;
            let xlsx = crate::export::xlsx::xlsx(&report, &app.letterhead).map_err(|e| {
                StoreError::Corrupt {
                    path: app.store.dir().join("periods"),
                    what: format!("XLSX: {e}"),
                }
            })?;
            vec![
                (format!("{period}.xlsx"), xlsx),
                (
                    format!("{period}.csv"),
                    vietnamese(crate::export::xlsx::csv(&report)).into_bytes(),
                ),
            ]
        }
    })
}

/// Close `period`, by `by`, for `reason`: its figures frozen and hashed, its files made and
/// kept.
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
    let files = filed(app, period, &snapshot)?;
    let closed = Closed {
        period: period.to_string(),
        closed_at: now,
        closed_by: by.to_string(),
        reason,
        sha256: Closed::digest(&snapshot),
        snapshot,
        files: files
            .iter()
            .map(|(name, bytes)| FiledFile {
                name: name.clone(),
                sha256: hex::encode(kyso_verify::pki::crypto::sha256(bytes)),
                size: bytes.len() as u64,
            })
            .collect(),
    };
    match store.close_period(&closed, &files)? {
        Some(()) => Ok(closed),
        None => match store.closed_period(&closed.period)? {
            Some(c) => Err(CloseError::AlreadyClosed(Box::new(c))),
            None => Ok(closed),
        },
    }
}

/// One requirement's figures in a table or report: (required, satisfied, unit's name, the
/// requirement as a clerk reads it).
type Figure = (usize, Value, String, String);

/// `(unit, requirement)` -> its figure, from a month table (required 1, satisfied true/false)
/// or a report (months required and satisfied).
fn figures(v: &Value) -> BTreeMap<(String, String), Figure> {
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
    let required = |x: &Value| x["required"].as_u64().map_or(1, |n| n as usize);
    for u in units {
        let id = u["id"].as_str().unwrap_or("").to_string();
        let name = u["name"].as_str().unwrap_or("").to_string();
        let org = &u["organisation"];
        out.insert(
            (id.clone(), "organisation".into()),
            (
                required(org),
                org["satisfied"].clone(),
                name.clone(),
                "Ký số cơ quan".to_string(),
            ),
        );
        for l in u["leaders"].as_array().into_iter().flatten() {
            let fig = l.get("score").unwrap_or(l);
            let who = format!(
                "{} {}",
                l["title"].as_str().unwrap_or(""),
                l["name"].as_str().unwrap_or("")
            );
            out.insert(
                (id.clone(), l["id"].as_str().unwrap_or("").to_string()),
                (required(fig), fig["satisfied"].clone(), name.clone(), who),
            );
        }
    }
    out
}

/// What differs between the closed figures and `live`, required or satisfied, each with what
/// moved it (`causes` names them for a requirement).
pub fn amendments(
    closed: &Closed,
    live: &Value,
    causes: &dyn Fn(&str, &str) -> Vec<String>,
) -> Vec<Amendment> {
    let (before, after) = (figures(&closed.snapshot), figures(live));
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let none = (0, Value::Null, String::new(), String::new());
            let (b, a) = (
                before.get(k).unwrap_or(&none),
                after.get(k).unwrap_or(&none),
            );
            let differs = b.0 != a.0 || b.1 != a.1;
            let names = if b.2.is_empty() { a } else { b };
            differs.then(|| Amendment {
                unit: k.0.clone(),
                requirement: k.1.clone(),
                closed: b.1.clone(),
                now: a.1.clone(),
                closed_required: b.0,
                now_required: a.0,
                unit_name: names.2.clone(),
                requirement_name: names.3.clone(),
                causes: causes(&k.0, &k.1),
            })
        })
        .collect()
}

/// What moved a requirement of `months` since `closed_at`, in Vietnamese: registry changes of
/// the unit or the leader (a correction with its reason), late files accepted, files verified
/// again or received after the closing that it credits.
pub fn causes_of(
    app: &App,
    months: &[Month],
    closed_at: OffsetDateTime,
    unit: &str,
    requirement: &str,
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let about = |c: &crate::store::audit::Change| {
        (c.kind == "unit" && c.id == unit) || (c.kind == "leader" && c.id == requirement)
    };
    for c in app
        .store
        .registry_changes_where(|c| c.at > closed_at && about(c))?
    {
        {
            let when = crate::vn::datetime(c.at);
            out.push(match &c.correction {
                Some(r) => format!("Đính chính danh mục lúc {when} ({}): {r}", c.by),
                None => format!("Danh mục thay đổi lúc {when} ({})", c.by),
            });
        }
    }
    let lookup = app.store.lookup();
    for m in months {
        for sub in app.store.concerning(*m)? {
            let meets_with = |s: &crate::duty::submission::Submission| {
                credit::credits(s, &*lookup, &app.policy).0.iter().any(|c| {
                    c.month == *m
                        && c.unit == unit
                        && match &c.leader {
                            Some(l) => l == requirement,
                            None => requirement == "organisation",
                        }
                })
            };
            let meets = meets_with(&sub);
            // What it earned with the report it had before a re-verification after closing.
            let met_before = sub
                .history
                .iter()
                .find(|h| h.replaced_at > closed_at)
                .is_some_and(|h| {
                    let mut before = sub.clone();
                    before.report = h.report.clone();
                    meets_with(&before)
                });
            if !meets && !met_before {
                continue;
            }
            out.extend(file_cause(&sub, closed_at, meets));
        }
    }
    out.dedup();
    Ok(out)
}

/// Why one file that meets (or met) a requirement moved it after `closed_at`: moved to another
/// month, accepted late, verified again, or received after the closing.
fn file_cause(
    sub: &crate::duty::submission::Submission,
    closed_at: OffsetDateTime,
    meets: bool,
) -> Option<String> {
    let name = sub
        .file_name
        .clone()
        .unwrap_or_else(|| "tệp không tên".into());
    if let Some(mv) = sub.moved.as_ref().filter(|mv| mv.at > closed_at) {
        Some(format!(
            "Hồ sơ \"{name}\" được {} chuyển từ tháng {} về tháng {} lúc {}: {}",
            mv.by,
            mv.from.vn(),
            mv.to.vn(),
            crate::vn::datetime(mv.at),
            mv.reason
        ))
    } else if let Some(a) = sub.accepted_late.as_ref().filter(|a| a.at > closed_at) {
        Some(format!(
            "Hồ sơ nộp muộn \"{name}\" được {} chấp nhận lúc {}: {}",
            a.by,
            crate::vn::datetime(a.at),
            a.reason
        ))
    } else if let Some(h) = sub.history.iter().find(|h| h.replaced_at > closed_at) {
        Some(format!(
            "Hồ sơ \"{name}\" được kiểm tra lại lúc {} ({})",
            crate::vn::datetime(h.replaced_at),
            h.reason
        ))
    } else if meets && sub.received_at > closed_at {
        Some(format!(
            "Hồ sơ \"{name}\" nhận lúc {}, sau khi chốt",
            crate::vn::datetime(sub.received_at)
        ))
    } else {
        None
    }
}

/// The closed view of a closed `period`: its closed figures as `T`, and the amendments since.
fn closed_view<T: serde::de::DeserializeOwned>(
    app: &App,
    period: Period,
    live: &Value,
    months: &[Month],
) -> Result<Option<(T, Closed, Vec<Amendment>)>, StoreError> {
    let Some(c) = app.store.closed_period(&period.to_string())? else {
        return Ok(None);
    };
    let frozen: T =
        serde_json::from_value(c.snapshot.clone()).map_err(|e| StoreError::Corrupt {
            path: app.store.dir().join("periods"),
            what: e.to_string(),
        })?;
    let causes =
        |unit: &str, req: &str| causes_of(app, months, c.closed_at, unit, req).unwrap_or_default();
    let a = amendments(&c, live, &causes);
    Ok(Some((frozen, c, a)))
}

/// The month table of a closed month as it was closed, with its amendments; `None` when the
/// month is not closed.
pub fn closed_month(
    app: &App,
    m: Month,
    live: &MonthTable,
) -> Result<Option<MonthTable>, StoreError> {
    let live = serde_json::to_value(live).unwrap_or(Value::Null);
    Ok(
        closed_view::<MonthTable>(app, Period::Month(m), &live, &[m])?.map(|(mut t, c, a)| {
            t.closed = Some(mark(&c));
            t.amendments = a;
            t
        }),
    )
}

/// The report of a closed quarter or year as it was closed, with its amendments; `None` when
/// the period is not closed.
pub fn closed_report(
    app: &App,
    period: Period,
    live: &OfficeReport,
) -> Result<Option<OfficeReport>, StoreError> {
    let months = live.months.clone();
    let live = serde_json::to_value(live).unwrap_or(Value::Null);
    Ok(
        closed_view::<OfficeReport>(app, period, &live, &months)?.map(|(mut r, c, a)| {
            r.closed = Some(mark(&c));
            r.amendments = a;
            r
        }),
    )
}

/// A closing record's mark, as every table of its period shows it.
pub fn mark(c: &Closed) -> crate::duty::period::ClosedMark {
    crate::duty::period::ClosedMark {
        closed_at: c.closed_at,
        closed_by: c.closed_by.clone(),
        sha256: c.sha256.clone(),
    }
}

/// A filed CSV in the form the Office opens it in (Excel in Vietnamese: `;`, a decimal comma).
fn vietnamese(csv: String) -> String {
    crate::export::dialect::in_dialect(csv, crate::export::dialect::Dialect::Vietnamese)
}
