//! The pages that read: a month, a unit's year, a file, the report the Office files, the list of
//! files.

use super::{html, page, redirect, signed_in, templates, unit_choices, viewer};
use crate::app::error::AppError;
use crate::duty::period::Month;
use crate::web::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// The month in progress; a unit clerk's own unit.
pub(super) async fn home(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let s = match super::session_of(&req, &state) {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    match (&s.unit, s.can("read")) {
        (Some(unit), false) => redirect(&format!("/ui/don-vi/{unit}")),
        _ => match signed_in(&req, &state, "read") {
            Ok(_) => {
                let m = Month::of_vietnam_time(time::OffsetDateTime::now_utc());
                redirect(&format!("/ui/thang/{m}"))
            }
            Err(r) => r,
        },
    }
}

#[derive(serde::Deserialize)]
pub(super) struct MonthQuery {
    loai: Option<String>,
    q: Option<String>,
    /// `1`: the table shows only the units with something still missing.
    #[serde(rename = "con-thieu")]
    con_thieu: Option<String>,
}

/// Days left in `m` counting today, when `m` is the month in progress (Vietnam time).
fn days_left(m: Month) -> Option<i64> {
    m.days_left(time::OffsetDateTime::now_utc())
}

pub(super) async fn month(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<MonthQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let raw = path.into_inner();
    let Some(m) = Month::parse(&raw) else {
        return Ok(html(
            StatusCode::BAD_REQUEST,
            templates::message(
                "Tháng không hợp lệ",
                &format!(
                    "\u{201c}{raw}\u{201d} không phải là một tháng. Địa chỉ đúng có dạng /ui/thang/{} (năm-tháng, ví dụ tháng này).",
                    Month::of_vietnam_time(time::OffsetDateTime::now_utc())
                ),
                Some(&viewer(&s)),
            ),
        ));
    };
    let (table, missing) = state
        .table(&s.name, move |app| {
            let table = crate::app::figures::month_table(app, m)?;
            let mut missing =
                crate::duty::office_report::missing_in(&table, &app.store.registry(), None);
            crate::app::figures::mark_movable(app, m, &mut missing)?;
            Ok((table, missing))
        })
        .await?;
    let reminded = super::remind::reminded_in(&state, m).await?;
    let kind = q.loai.as_deref().filter(|k| !k.is_empty());
    let view = templates::MonthView {
        table: &table,
        kind,
        search: q.q.as_deref().unwrap_or(""),
        missing: &missing,
        days_left: days_left(m),
        only_missing: q.con_thieu.as_deref() == Some("1"),
        can_remind: state.postman.is_some() && days_left(m).is_some(),
        reminded: &reminded,
    };
    Ok(page(templates::month(&view, &viewer(&s))))
}

#[derive(serde::Deserialize)]
pub(super) struct YearQuery {
    nam: Option<i32>,
    quy: Option<String>,
    #[serde(rename = "dinh-dang")]
    dinh_dang: Option<String>,
}

pub(super) fn year_of(q: &YearQuery) -> i32 {
    q.nam
        .filter(|y| (1900..=9999).contains(y))
        .unwrap_or_else(|| Month::of_vietnam_time(time::OffsetDateTime::now_utc()).year)
}

pub(super) async fn unit(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let s = match super::signed_in_for_unit(&req, &state, &id) {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let name = match state.app.store.registry().unit(&id) {
        Some(u) => u.name.clone(),
        None => {
            return Ok(page(templates::message(
                "Không có đơn vị này",
                &format!("Không tìm thấy đơn vị {id}."),
                Some(&viewer(&s)),
            )))
        }
    };
    let year = year_of(&q);
    let uid = id.clone();
    let (months, files, missing) = state
        .table(&s.name, move |app| {
            let current = Month::of_vietnam_time(time::OffsetDateTime::now_utc());
            let missing = crate::app::figures::missing(app, current, Some(&uid))?;
            let months = crate::app::tables::unit_history(app, &uid, year)?;
            // Each file behind the year: its name, signers and verdict, for the page.
            let mut files = std::collections::HashMap::new();
            for m in &months {
                let ids = m
                    .organisation
                    .iter()
                    .flat_map(|o| o.submissions.iter())
                    .chain(m.leaders.iter().flat_map(|l| l.submissions.iter()));
                for sub_id in ids {
                    if !files.contains_key(sub_id) {
                        if let Some(sub) = app.store.get(sub_id)? {
                            files.insert(sub_id.clone(), templates::FileFacts::of(&sub));
                        }
                    }
                }
            }
            Ok((months, files, missing))
        })
        .await?;
    let view = templates::UnitView {
        name: &name,
        id: &id,
        year,
        months: &months,
        files: &files,
        missing: &missing,
    };
    Ok(page(templates::unit(&view, &viewer(&s))))
}

pub(super) async fn pdf(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let s = match super::session_of(&req, &state) {
        Ok((_, s)) => s,
        Err(r) => return Ok(r),
    };
    let id = path.into_inner();
    if !s.can("read") {
        // A unit clerk: only the files their unit sent or that count for it.
        let Some(unit) = s.unit.clone() else {
            return Ok(signed_in(&req, &state, "read")
                .err()
                .unwrap_or_else(|| redirect("/ui/")));
        };
        let (st, key) = (state.clone(), id.clone());
        let theirs = blocking(move || {
            let Some(sub) = st.app.store.get(&key)? else {
                return Ok(false);
            };
            let credits =
                crate::duty::credit::credits(&sub, &*st.app.store.lookup(), &st.app.policy).0;
            Ok(sub.unit_hint.as_deref() == Some(unit.as_str())
                || credits.iter().any(|c| c.unit == unit))
        })
        .await?;
        if !theirs {
            return Ok(signed_in(&req, &state, "read")
                .err()
                .unwrap_or_else(|| redirect("/ui/")));
        }
    }
    crate::web::api::submissions::pdf_response(&state, &id).await
}

/// A page's download (`?dinh-dang=csv|xlsx`): the CSV in the form Excel in Vietnamese reads.
fn page_answer(given: Option<&str>) -> crate::web::api::reports::Answer {
    use crate::web::api::reports::Answer;
    match given {
        Some("csv") => Answer::Csv(crate::export::dialect::Dialect::Vietnamese),
        _ => Answer::Xlsx,
    }
}

pub(super) fn quarter_of(q: &YearQuery) -> Option<u8> {
    q.quy
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| (1..=4).contains(n))
}

/// The report of the period the query names (the current year by default).
pub(super) async fn load_report(
    state: &web::Data<AppState>,
    who: &str,
    q: &YearQuery,
) -> Result<crate::duty::office_report::OfficeReport, AppError> {
    let (year, quarter) = (year_of(q), quarter_of(q));
    state
        .table(who, move |app| {
            let now = time::OffsetDateTime::now_utc();
            Ok(crate::app::figures::office_report(app, year, quarter, now)?)
        })
        .await
}

pub(super) async fn report(
    req: HttpRequest,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let r = load_report(&state, &s.name, &q).await?;
    Ok(page(templates::report(&r, &viewer(&s))))
}

/// The report's files, from the browser session (what the "Tải Excel" and "Tải CSV" links open).
pub(super) async fn report_file(
    req: HttpRequest,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let s = match signed_in(&req, &state, "read") {
        Ok((_, s)) => s,
        Err(r) => return Ok(r),
    };
    let r = load_report(&state, &s.name, &q).await?;
    crate::web::api::reports::report_response(
        &r,
        page_answer(q.dinh_dang.as_deref()),
        &state.app.letterhead,
    )
}

#[derive(serde::Deserialize)]
pub(super) struct ListQuery {
    thang: Option<String>,
    #[serde(rename = "trang-thai")]
    trang_thai: Option<String>,
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    #[serde(rename = "ly-do")]
    ly_do: Option<String>,
    trang: Option<usize>,
}

pub(super) async fn submissions(
    req: HttpRequest,
    q: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    // A unit clerk sees their unit's files only.
    let s = match super::session_of(&req, &state) {
        Ok((_, s)) if s.can("read") || s.unit.is_some() => s,
        Ok(_) => {
            return Ok(signed_in(&req, &state, "read")
                .err()
                .unwrap_or_else(|| redirect("/ui/")))
        }
        Err(r) => return Ok(r),
    };
    let own = (!s.can("read")).then(|| s.unit.clone()).flatten();
    let month = q
        .thang
        .as_deref()
        .and_then(Month::parse)
        .unwrap_or_else(|| Month::of_vietnam_time(time::OffsetDateTime::now_utc()));
    let filter = templates::SubmissionFilter {
        status: q.trang_thai.clone().unwrap_or_default(),
        unit: own.or_else(|| q.don_vi.clone().filter(|u| !u.is_empty())),
        reason: q
            .ly_do
            .as_deref()
            .and_then(crate::duty::note::NoteCode::parse_reason),
    };
    let query = crate::app::listing::Query {
        month,
        unit: filter.unit.clone(),
        person: None,
        reason: filter.reason,
        credited: match filter.status.as_str() {
            "credited" => Some(true),
            "not_credited" => Some(false),
            _ => None,
        },
        late: filter.status == "late",
        page: q.trang.unwrap_or(1),
        per_page: 100,
    };
    let st = state.clone();
    let list = blocking(move || Ok(crate::app::listing::list(&st.app, &query)?)).await?;
    let mut units = unit_choices(&state);
    if !s.can("read") {
        units.retain(|(id, _)| Some(id) == s.unit.as_ref());
    }
    Ok(page(templates::submissions(
        &list,
        &filter,
        &units,
        &state.app.store.registry(),
        &viewer(&s),
    )))
}

#[derive(serde::Deserialize)]
pub(super) struct MissingQuery {
    #[serde(rename = "don-vi")]
    don_vi: Option<String>,
    #[serde(rename = "dinh-dang")]
    dinh_dang: Option<String>,
}

/// The month's missing list as a file (CSV or XLSX), all units or one.
pub(super) async fn missing_file(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<MissingQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let s = match signed_in(&req, &state, "read") {
        Ok((_, s)) => s,
        Err(r) => return Ok(r),
    };
    let raw = path.into_inner();
    let m = Month::parse(&raw)
        .ok_or_else(|| AppError::BadRequest(format!("{raw:?} is not a month YYYY-MM")))?;
    let unit = q.don_vi.clone().filter(|u| !u.is_empty());
    let list = state
        .table(&s.name, move |app| {
            Ok(crate::app::figures::missing(app, m, unit.as_deref())?)
        })
        .await?;
    crate::web::api::reports::missing_response(m, &list, page_answer(q.dinh_dang.as_deref()))
}
