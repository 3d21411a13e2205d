//! The Office's views: month and period tables, unenrolled signers, re-verification.

use crate::app::error::AppError;
use crate::duty::period::Month;
use crate::export::csv;
use crate::web::{authorize, now, AppState, Scope};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

#[derive(serde::Deserialize)]
pub(crate) struct FormatQuery {
    format: Option<String>,
}

pub(crate) async fn compliance_month(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<FormatQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    let m = path.into_inner();
    let month = Month::parse(&m)
        .ok_or_else(|| AppError::BadRequest(format!("{m:?} is not a month YYYY-MM")))?;
    let csv = wants_csv(q.format.as_deref())?;
    if csv {
        let body = state
            .table(&who, move |app| {
                Ok(crate::app::figures::month_csv(app, month)?)
            })
            .await?;
        return Ok(csv_attachment(&format!("ky-so-{month}.csv"), body));
    }
    let table = state
        .table(&who, move |app| {
            Ok(crate::app::figures::month_table(app, month)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(table))
}

#[derive(serde::Deserialize)]
pub(crate) struct PeriodQuery {
    year: Option<i32>,
    quarter: Option<u8>,
    format: Option<String>,
}

pub(crate) async fn compliance_period(
    req: HttpRequest,
    q: web::Query<PeriodQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    let year = q
        .year
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| {
            AppError::BadRequest("give ?year=YYYY (and optionally &quarter=1..4)".into())
        })?;
    if q.quarter.is_some_and(|x| !(1..=4).contains(&x)) {
        return Err(AppError::BadRequest("quarter must be 1, 2, 3 or 4".into()));
    }
    let csv = wants_csv(q.format.as_deref())?;
    let quarter = q.quarter;
    let table = state
        .table(&who, move |app| {
            Ok(crate::app::tables::period_table(app, year, quarter, now())?)
        })
        .await?;
    if !csv {
        return Ok(HttpResponse::Ok().json(table));
    }
    let name = match quarter {
        Some(n) => format!("ky-so-{year}-quy-{n}.csv"),
        None => format!("ky-so-{year}.csv"),
    };
    Ok(csv_attachment(&name, csv::period_csv(&table)))
}

/// `?format=`: JSON (the default) or CSV; anything else is refused.
fn wants_csv(format: Option<&str>) -> Result<bool, AppError> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(f) => Err(AppError::BadRequest(format!(
            "unknown format {f:?}: use json or csv"
        ))),
    }
}

/// A CSV file to save as `name`.
fn csv_attachment(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

pub(crate) async fn unenrolled(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    Ok(HttpResponse::Ok().json(
        state
            .table(&who, |app| Ok(crate::app::tables::unenrolled(&app.store)?))
            .await?,
    ))
}

pub(crate) async fn reverify_all(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Admin)?;
    let _guard = state.app.write_lock.lock().await;
    let st = state.clone();
    let outcome = web::block(move || {
        crate::app::reverify::run(
            &st.app,
            &format!("admin API ({who})"),
            now(),
            &mut |_, _| {},
        )
    })
    .await??;
    tracing::info!(
        checked = outcome.checked,
        changed = outcome.changed,
        failed = outcome.failed,
        "re-verification"
    );
    Ok(HttpResponse::Ok().json(outcome))
}

#[derive(serde::Deserialize)]
pub(crate) struct ReportQuery {
    quarter: Option<u8>,
    format: Option<String>,
}

/// `GET /api/v1/reports/{year}?quarter=N&format=json|csv|xlsx` (scope read): the report the
/// Office files, by kind of unit, with totals; the month in progress is not counted.
pub(crate) async fn office_report(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ReportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    let y = path.into_inner();
    let year: i32 = y
        .parse()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| AppError::BadRequest(format!("{y:?} is not a year YYYY")))?;
    if q.quarter.is_some_and(|x| !(1..=4).contains(&x)) {
        return Err(AppError::BadRequest("quarter must be 1, 2, 3 or 4".into()));
    }
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "csv" | "xlsx") {
        return Err(AppError::BadRequest(format!(
            "unknown format {format:?}: use json, csv or xlsx"
        )));
    }
    let (quarter, at) = (q.quarter, now());
    let report = state
        .table(&who, move |app| {
            Ok(crate::app::figures::office_report(app, year, quarter, at)?)
        })
        .await?;
    report_response(&report, &format)
}

/// The report as `format` (json, csv or xlsx), the files as attachments named after the period.
pub(crate) fn report_response(
    report: &crate::duty::office_report::OfficeReport,
    format: &str,
) -> Result<HttpResponse, AppError> {
    let year = report.year;
    let stem = match report.quarter {
        Some(n) => format!("bao-cao-ky-so-{year}-quy-{n}"),
        None => format!("bao-cao-ky-so-{year}"),
    };
    let attachment = |ext: &str| {
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{stem}.{ext}\""),
        )
    };
    Ok(match format {
        "csv" => csv_attachment(&format!("{stem}.csv"), crate::export::xlsx::csv(report)),
        "xlsx" => HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header(attachment("xlsx"))
            .body(
                crate::export::xlsx::xlsx(report)
                    .map_err(|e| AppError::Internal(format!("XLSX: {e}")))?,
            ),
        _ => HttpResponse::Ok().json(report),
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct MissingQuery {
    unit: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/compliance/{month}/missing?unit=&format=json|csv|xlsx` (scope read): what is
/// still missing in the month ("còn thiếu"), with each unit's văn thư, for chasing.
pub(crate) async fn missing(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<MissingQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    let m = path.into_inner();
    let month = Month::parse(&m)
        .ok_or_else(|| AppError::BadRequest(format!("{m:?} is not a month YYYY-MM")))?;
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "csv" | "xlsx") {
        return Err(AppError::BadRequest(format!(
            "unknown format {format:?}: use json, csv or xlsx"
        )));
    }
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let list = state
        .table(&who, move |app| {
            Ok(crate::app::figures::missing(app, month, unit.as_deref())?)
        })
        .await?;
    missing_response(month, &list, &format)
}

/// The missing list as `format`, the files named after the month.
pub(crate) fn missing_response(
    month: Month,
    list: &[crate::duty::office_report::Missing],
    format: &str,
) -> Result<HttpResponse, AppError> {
    Ok(match format {
        "csv" => csv_attachment(
            &format!("con-thieu-{month}.csv"),
            crate::export::missing::csv(month, list),
        ),
        "xlsx" => HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"con-thieu-{month}.xlsx\""),
            ))
            .body(
                crate::export::missing::xlsx(month, list)
                    .map_err(|e| AppError::Internal(format!("XLSX: {e}")))?,
            ),
        _ => HttpResponse::Ok().json(list),
    })
}
