//! The registry API: units and leaders, read and upserted one record at a time.

use crate::app::error::AppError;
use crate::app::registry_edit::{correction_reason, save_record, Editor, Expect};
use crate::app::registry_import::{parse_registry, Apply, MAX_REGISTRY_BYTES};
use crate::duty::registry::{Leader, Registry, Unit};
use crate::web::{authorize, blocking, now, AppState, Scope};
use actix_web::{web, HttpRequest, HttpResponse};

pub(crate) async fn list_units(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let mut units = state.app.store.registry().units.clone();
    units.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(HttpResponse::Ok().json(units))
}

pub(crate) async fn list_leaders(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let mut leaders = state.app.store.registry().leaders.clone();
    leaders.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(HttpResponse::Ok().json(leaders))
}

pub(crate) async fn get_unit(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    let r = state.app.store.registry();
    let u = r
        .unit(&id)
        .ok_or_else(|| AppError::NotFound(format!("unit {id}")))?;
    Ok(HttpResponse::Ok().json(u))
}

pub(crate) async fn get_leader(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    let r = state.app.store.registry();
    let l = r
        .leader(&id)
        .ok_or_else(|| AppError::NotFound(format!("leader {id}")))?;
    Ok(HttpResponse::Ok().json(l))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))
}

/// The id of a PUT body: taken from the path when left out, refused when it differs.
fn body_id(body: &str, path: &str) -> Result<String, AppError> {
    if body.is_empty() || body == path {
        Ok(path.to_string())
    } else {
        Err(AppError::BadRequest(format!(
            "the body's id {body:?} differs from the path's {path:?}"
        )))
    }
}

/// `?correction=<reason>`: a change that alters past months is made only with it.
#[derive(serde::Deserialize, Default)]
pub(crate) struct CorrectionQuery {
    correction: Option<String>,
}

/// Upsert one unit or leader (as a registry fragment): validated against the whole registry,
/// saved durably, 201 when new.
pub(crate) async fn save_fragment(
    state: &web::Data<AppState>,
    fragment: Registry,
    id: &str,
    editor: Editor,
) -> Result<HttpResponse, AppError> {
    let (created, saved) = save_record(&state.app, fragment, id, editor, Expect::Any).await?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(saved))
}

pub(crate) async fn put_unit(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<CorrectionQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let editor = Editor {
        by: authorize(&req, &state, Scope::Admin)?,
        correction: correction_reason(q.correction.as_deref())?,
    };
    let id = path.into_inner();
    let mut u: Unit = json_body(&body)?;
    u.id = body_id(&u.id, &id)?;
    save_fragment(
        &state,
        Registry {
            units: vec![u],
            ..Registry::default()
        },
        &id,
        editor,
    )
    .await
}

pub(crate) async fn put_leader(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<CorrectionQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let editor = Editor {
        by: authorize(&req, &state, Scope::Admin)?,
        correction: correction_reason(q.correction.as_deref())?,
    };
    let id = path.into_inner();
    let mut l: Leader = json_body(&body)?;
    l.id = body_id(&l.id, &id)?;
    save_fragment(
        &state,
        Registry {
            leaders: vec![l],
            ..Registry::default()
        },
        &id,
        editor,
    )
    .await
}

#[derive(serde::Deserialize)]
pub(crate) struct ImportQuery {
    #[serde(default)]
    apply: bool,
    /// The preview's `changes_sha256`: the apply is refused (409) if the changes differ.
    expected: Option<String>,
    /// The reason, when the changes alter past months (an explicit correction).
    correction: Option<String>,
}

/// `POST /api/v1/registry/import?apply=&expected=` (scope admin): a registry file (TOML) in
/// the body; answers what it would change and, with `apply=true`, saves it as audited changes.
pub(crate) async fn import(
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let editor = Editor {
        by: authorize(&req, &state, Scope::Admin)?,
        correction: correction_reason(q.correction.as_deref())?,
    };
    let _one_import = state.import_slot.lock().await;
    let body = payload
        .to_bytes_limited(MAX_REGISTRY_BYTES)
        .await
        .map_err(|_| AppError::TooLarge {
            limit: MAX_REGISTRY_BYTES as u64,
        })?
        .map_err(|e| AppError::BadRequest(format!("the registry file could not be read: {e}")))?;
    let incoming = blocking(move || parse_registry(&body)).await?;
    let _guard = state.app.write_lock.lock().await;
    let (st, q) = (state.clone(), q.into_inner());
    let outcome = blocking(move || {
        let apply = q.apply.then(|| Apply {
            expected: q.expected.as_deref(),
            editor: &editor,
        });
        crate::app::registry_import::import(&st.app.store, incoming, apply, now())
    })
    .await?;
    tracing::info!(
        changes = outcome.changes.len(),
        applied = outcome.applied,
        "registry import"
    );
    Ok(HttpResponse::Ok().json(outcome))
}

/// `GET /api/v1/registry/changes` (scope read): the registry's audit log, newest first.
pub(crate) async fn changes(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let st = state.clone();
    let mut all = blocking(move || Ok(st.app.store.registry_changes()?)).await?;
    all.reverse();
    Ok(HttpResponse::Ok().json(all))
}

#[derive(serde::Deserialize)]
pub(crate) struct YearQuery {
    year: Option<i32>,
}

/// `GET /api/v1/units/{id}/history?year=` (scope read): each month of the year, what it
/// required of the unit and the files that met it (default: the current year in Vietnam time).
pub(crate) async fn unit_history(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    if state.app.store.registry().unit(&id).is_none() {
        return Err(AppError::NotFound(format!("unit {id}")));
    }
    let year = match q.year {
        Some(y) if (1900..=9999).contains(&y) => y,
        Some(y) => return Err(AppError::BadRequest(format!("{y} is not a year"))),
        None => crate::duty::period::Month::of_vietnam_time(crate::web::now()).year,
    };
    let unit = id.clone();
    let months = state
        .table(&who, move |app| {
            Ok(crate::app::tables::unit_history(app, &unit, year)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "unit": id, "year": year, "months": months })))
}

#[derive(serde::Deserialize)]
pub(crate) struct SettingsBody {
    /// `YYYY-MM`, or null to track every month a record exists.
    tracking_from: Option<String>,
}

/// `GET /api/v1/registry/settings` (scope read): the registry's settings (the first month
/// tracked).
pub(crate) async fn settings(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    authorize(&req, &state, Scope::Read)?;
    let r = state.app.store.registry();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "tracking_from": r.tracking_from })))
}

/// `PUT /api/v1/registry/settings?correction=` (scope admin, body `{"tracking_from":
/// "YYYY-MM"}`): the first month tracked. Changing it once set alters past months and needs a
/// correction's reason (409 `rewrites_past` without).
pub(crate) async fn put_settings(
    req: HttpRequest,
    q: web::Query<CorrectionQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let editor = Editor {
        by: authorize(&req, &state, Scope::Admin)?,
        correction: correction_reason(q.correction.as_deref())?,
    };
    let body: SettingsBody = json_body(&body)?;
    let from = match body.tracking_from.as_deref() {
        None | Some("") => None,
        Some(m) => Some(
            crate::duty::period::Month::parse(m)
                .ok_or_else(|| AppError::BadRequest(format!("{m:?} is not a month YYYY-MM")))?,
        ),
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let st = state.clone();
    blocking(move || {
        crate::app::registry_edit::set_tracking_from(&st.app.store, from, &editor, now())
    })
    .await?;
    let r = state.app.store.registry();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "tracking_from": r.tracking_from })))
}
