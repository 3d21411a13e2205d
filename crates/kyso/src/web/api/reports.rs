//! The Office's views: month and period tables, unenrolled signers, re-verification.

use crate::app::error::AppError;
use crate::duty::period::Month;
use crate::export::csv;
use crate::export::dialect::{in_dialect, Dialect};
use crate::web::{authorize, now, AppState, Scope};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

#[derive(serde::Deserialize)]
pub(crate) struct FormatQuery {
    format: Option<String>,
    dialect: Option<String>,
}

/// What a figures endpoint answers in: JSON, CSV in a dialect (`crate::export::dialect`), or
/// XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Json,
    Csv(Dialect),
    Xlsx,
}

impl Answer {
    /// `?format=` (json by default; xlsx only where `xlsx` allows it) and `?dialect=`.
    pub(crate) fn parse(
        format: Option<&str>,
        dialect: Option<&str>,
        xlsx: bool,
    ) -> Result<Answer, AppError> {
        let dialect = Dialect::parse(dialect).map_err(AppError::BadRequest)?;
        match format {
            None | Some("json") => Ok(Answer::Json),
            Some("csv") => Ok(Answer::Csv(dialect)),
            Some("xlsx") if xlsx => Ok(Answer::Xlsx),
            Some(f) => Err(AppError::BadRequest(format!(
                "unknown format {f:?}: use json, csv{}",
                if xlsx { " or xlsx" } else { "" }
            ))),
        }
    }
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
    if let Answer::Csv(dialect) = Answer::parse(q.format.as_deref(), q.dialect.as_deref(), false)? {
        let body = state
            .table(&who, move |app| {
                Ok(crate::app::figures::month_csv(app, month)?)
            })
            .await?;
        return Ok(csv_attachment(&format!("ky-so-{month}.csv"), body, dialect));
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
    dialect: Option<String>,
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
    let answer = Answer::parse(q.format.as_deref(), q.dialect.as_deref(), false)?;
    let quarter = q.quarter;
    let table = state
        .table(&who, move |app| {
            Ok(crate::app::tables::period_table(app, year, quarter, now())?)
        })
        .await?;
    let Answer::Csv(dialect) = answer else {
        return Ok(HttpResponse::Ok().json(table));
    };
    let name = match quarter {
        Some(n) => format!("ky-so-{year}-quy-{n}.csv"),
        None => format!("ky-so-{year}.csv"),
    };
    Ok(csv_attachment(&name, csv::period_csv(&table), dialect))
}

/// A CSV file to save as `name`, written in `dialect`.
fn csv_attachment(name: &str, body: String, dialect: Dialect) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(in_dialect(body, dialect))
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
    dialect: Option<String>,
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
    let answer = Answer::parse(q.format.as_deref(), q.dialect.as_deref(), true)?;
    let (quarter, at) = (q.quarter, now());
    let report = state
        .table(&who, move |app| {
            Ok(crate::app::figures::office_report(app, year, quarter, at)?)
        })
        .await?;
    report_response(&report, answer, &state.app.letterhead)
}

/// The report as `format` (json, csv or xlsx), the files as attachments named after the period.
pub(crate) fn report_response(
    report: &crate::duty::office_report::OfficeReport,
    answer: Answer,
    head: &crate::export::letterhead::Letterhead,
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
    Ok(match answer {
        Answer::Csv(d) => {
            csv_attachment(&format!("{stem}.csv"), crate::export::xlsx::csv(report), d)
        }
        Answer::Xlsx => HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header(attachment("xlsx"))
            .body(
                crate::export::xlsx::xlsx(report, head)
                    .map_err(|e| AppError::Internal(format!("XLSX: {e}")))?,
            ),
        _ => HttpResponse::Ok().json(report),
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct MissingQuery {
    unit: Option<String>,
    format: Option<String>,
    dialect: Option<String>,
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
    let answer = Answer::parse(q.format.as_deref(), q.dialect.as_deref(), true)?;
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    let list = state
        .table(&who, move |app| {
            Ok(crate::app::figures::missing(app, month, unit.as_deref())?)
        })
        .await?;
    missing_response(month, &list, answer)
}

/// The missing list as `format`, the files named after the month.
pub(crate) fn missing_response(
    month: Month,
    list: &[crate::duty::office_report::Missing],
    answer: Answer,
) -> Result<HttpResponse, AppError> {
    Ok(match answer {
        Answer::Csv(d) => csv_attachment(
            &format!("con-thieu-{month}.csv"),
            crate::export::missing::csv(month, list),
            d,
        ),
        Answer::Xlsx => HttpResponse::Ok()
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
