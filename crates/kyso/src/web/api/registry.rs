//! The registry API: units and leaders, read and upserted one record at a time.

use crate::app::registry_import::Apply;
use crate::duty::registry::{Leader, Registry, Unit};
use crate::store::audit::Author;
use crate::web::{authorize, blocking, ApiError, AppState, Scope};
use actix_web::{web, HttpRequest, HttpResponse};

pub(crate) async fn list_units(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let mut units = state.store.registry().units.clone();
    units.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(HttpResponse::Ok().json(units))
}

pub(crate) async fn list_leaders(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let mut leaders = state.store.registry().leaders.clone();
    leaders.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(HttpResponse::Ok().json(leaders))
}

pub(crate) async fn get_unit(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    let r = state.store.registry();
    let u = r
        .unit(&id)
        .ok_or_else(|| ApiError::NotFound(format!("unit {id}")))?;
    Ok(HttpResponse::Ok().json(u))
}

pub(crate) async fn get_leader(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    let r = state.store.registry();
    let l = r
        .leader(&id)
        .ok_or_else(|| ApiError::NotFound(format!("leader {id}")))?;
    Ok(HttpResponse::Ok().json(l))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

/// The id of a PUT body: taken from the path when left out, refused when it differs.
fn body_id(body: &str, path: &str) -> Result<String, ApiError> {
    if body.is_empty() || body == path {
        Ok(path.to_string())
    } else {
        Err(ApiError::BadRequest(format!(
            "the body's id {body:?} differs from the path's {path:?}"
        )))
    }
}

/// Who saves a registry record, and the reason when the change corrects months already past
/// (`crate::duty::registry::past`).
#[derive(Debug, Clone)]
pub(crate) struct Editor {
    pub by: String,
    pub correction: Option<String>,
}

impl Editor {
    pub fn author(&self) -> Author<'_> {
        Author {
            by: &self.by,
            correction: self.correction.as_deref(),
        }
    }
}

/// The longest reason a correction takes.
const MAX_CORRECTION_CHARS: usize = 500;

/// `?correction=<reason>`: a change that alters past months is made only with it.
#[derive(serde::Deserialize, Default)]
pub(crate) struct CorrectionQuery {
    correction: Option<String>,
}

/// A correction's reason as given: trimmed, NFC, not empty, bounded.
pub(crate) fn correction_reason(given: Option<&str>) -> Result<Option<String>, ApiError> {
    use unicode_normalization::UnicodeNormalization;
    let Some(text) = given.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_CORRECTION_CHARS || text.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "a correction's reason is one line of at most {MAX_CORRECTION_CHARS} characters"
        )));
    }
    Ok(Some(text.nfc().collect()))
}

/// Upsert one unit or leader (as a registry fragment): validated against the whole registry,
/// saved durably, 201 when new.
pub(crate) async fn save_fragment(
    state: &web::Data<AppState>,
    fragment: Registry,
    id: &str,
    editor: Editor,
) -> Result<HttpResponse, ApiError> {
    let (created, saved) = save_record(state, fragment, id, editor, Expect::Any).await?;
    Ok(if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
    .json(saved))
}

/// What a save expects of the record it replaces: anything (the API's upsert), nothing (a
/// form that adds), or the version a form showed ([`record_version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expect {
    Any,
    New,
    Version(String),
}

/// A record's version: a digest of it as stored, so that a form can say which one it changed.
pub(crate) fn record_version<T: serde::Serialize>(record: &T) -> String {
    use sha2::Digest;
    let json = serde_json::to_vec(record).unwrap_or_default();
    hex::encode(&sha2::Sha256::digest(&json)[..12])
}

/// [`save_fragment`] for the API and the pages: whether the record is new, and as saved. The
/// expectation is checked under the write lock, so two administrators' forms cannot overwrite
/// each other unseen (409).
pub(crate) async fn save_record(
    state: &web::Data<AppState>,
    fragment: Registry,
    id: &str,
    editor: Editor,
    expect: Expect,
) -> Result<(bool, serde_json::Value), ApiError> {
    let is_unit = !fragment.units.is_empty();
    let _guard = state.write_lock.lock().await;
    let (st, key) = (state.clone(), id.to_string());
    let (created, saved) = blocking(move || {
        check_expected(&st.store.registry(), &key, is_unit, &expect)?;
        upsert(&st, fragment, &key, is_unit, &editor)
    })
    .await?;
    tracing::info!(id, unit = is_unit, created, "registry record saved");
    Ok((created, saved))
}

fn check_expected(r: &Registry, id: &str, is_unit: bool, expect: &Expect) -> Result<(), ApiError> {
    let now = if is_unit {
        r.unit(id).map(record_version)
    } else {
        r.leader(id).map(record_version)
    };
    let ok = match expect {
        Expect::Any => true,
        Expect::New => now.is_none(),
        Expect::Version(v) => now.as_deref() == Some(v.as_str()),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "record {id} was changed or added by someone else meanwhile"
        )))
    }
}

/// Merge one record into the registry, validate the whole, save it durably.
fn upsert(
    state: &AppState,
    fragment: Registry,
    id: &str,
    is_unit: bool,
    editor: &Editor,
) -> Result<(bool, serde_json::Value), ApiError> {
    let mut r = (*state.store.registry()).clone();
    let created = if is_unit {
        r.unit(id).is_none()
    } else {
        r.leader(id).is_none()
    };
    r.merge(fragment)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let (units, leaders): (Vec<&Unit>, Vec<&Leader>) = if is_unit {
        (r.unit(id).into_iter().collect(), vec![])
    } else {
        (vec![], r.leader(id).into_iter().collect())
    };
    state
        .store
        .save_registry(&units, &leaders, editor.author())?;
    let saved = match (units.first(), leaders.first()) {
        (Some(u), _) => serde_json::to_value(u),
        (_, Some(l)) => serde_json::to_value(l),
        _ => return Err(ApiError::Internal("the saved record vanished".into())),
    }
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((created, saved))
}

pub(crate) async fn put_unit(
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<CorrectionQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
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
) -> Result<HttpResponse, ApiError> {
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

/// The largest registry file an import takes (a whole country's is a few megabytes).
pub(crate) const MAX_REGISTRY_BYTES: usize = 32 << 20;

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
) -> Result<HttpResponse, ApiError> {
    let editor = Editor {
        by: authorize(&req, &state, Scope::Admin)?,
        correction: correction_reason(q.correction.as_deref())?,
    };
    let _one_import = state.import_slot.lock().await;
    let body = payload
        .to_bytes_limited(MAX_REGISTRY_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge {
            limit: MAX_REGISTRY_BYTES as u64,
        })?
        .map_err(|e| ApiError::BadRequest(format!("the registry file could not be read: {e}")))?;
    let incoming = blocking(move || parse_registry(&body)).await?;
    let _guard = state.write_lock.lock().await;
    let (st, q) = (state.clone(), q.into_inner());
    let outcome = blocking(move || {
        let apply = q.apply.then(|| Apply {
            expected: q.expected.as_deref(),
            author: editor.author(),
        });
        crate::app::registry_import::import(&st.store, incoming, apply).map_err(import_error)
    })
    .await?;
    tracing::info!(
        changes = outcome.changes.len(),
        applied = outcome.applied,
        "registry import"
    );
    Ok(HttpResponse::Ok().json(outcome))
}

/// A registry file's bytes as a registry fragment (records valid, ids once; references to
/// units are checked once merged).
pub(crate) fn parse_registry(body: &[u8]) -> Result<Registry, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::BadRequest("the registry file is not UTF-8 text".into()))?;
    Registry::fragment_from_toml(text).map_err(|e| ApiError::BadRequest(e.to_string()))
}

pub(crate) fn import_error(e: crate::app::registry_import::ImportError) -> ApiError {
    match e {
        crate::app::registry_import::ImportError::Stale => ApiError::Conflict(e.to_string()),
        crate::app::registry_import::ImportError::Store(s) => s.into(),
    }
}

/// `GET /api/v1/registry/changes` (scope read): the registry's audit log, newest first.
pub(crate) async fn changes(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let st = state.clone();
    let mut all = blocking(move || Ok(st.store.registry_changes()?)).await?;
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
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read)?;
    let id = path.into_inner();
    if state.store.registry().unit(&id).is_none() {
        return Err(ApiError::NotFound(format!("unit {id}")));
    }
    let year = match q.year {
        Some(y) if (1900..=9999).contains(&y) => y,
        Some(y) => return Err(ApiError::BadRequest(format!("{y} is not a year"))),
        None => crate::duty::period::Month::of_vietnam_time(crate::web::now()).year,
    };
    let (st, unit) = (state.clone(), id.clone());
    let months = blocking(move || {
        Ok(crate::app::tables::unit_history(
            &st.store,
            &st.config.time_policy(),
            &unit,
            year,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "unit": id, "year": year, "months": months })))
}
