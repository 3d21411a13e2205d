//! Administration of the registry on the pages (scope admin): the units with their leaders
//! (posts), a form per record to add or change it, and each record's history. A form saves
//! through the same path as `PUT /api/v1/units/{id}` and `/leaders/{id}`: validated against the
//! whole registry, audited under the signed-in name; a certificate the form drops is kept as
//! retired, so the files it signed keep their credit.

use super::templates::{self as pages, layout};
use super::{html, outcome, page, posted_by, signed_in, viewer};
use crate::app::error::AppError;
use crate::app::registry_edit::{correction_reason, save_record, Editor, Expect};
use crate::duty::period::Month;
use crate::duty::registry::slug;
use crate::duty::registry::{Leader, Registry, Unit, UnitKind};
use crate::store::audit::Change;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html as markup;

use super::registry_forms::{leader_form, span, unit_form, Draft};
use crate::app::registry_edit::record_version;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/ui/quan-tri/don-vi", web::get().to(list))
        .route("/ui/quan-tri/don-vi-moi", web::get().to(new_unit))
        .route("/ui/quan-tri/don-vi-moi", web::post().to(save_unit))
        .route("/ui/quan-tri/don-vi/{id}", web::get().to(edit_unit))
        .route("/ui/quan-tri/don-vi/{id}", web::post().to(save_unit))
        .route("/ui/quan-tri/lanh-dao-moi", web::get().to(new_leader))
        .route("/ui/quan-tri/lanh-dao-moi", web::post().to(save_leader))
        .route("/ui/quan-tri/lanh-dao/{id}", web::get().to(edit_leader))
        .route("/ui/quan-tri/lanh-dao/{id}", web::post().to(save_leader))
        .route(
            "/ui/quan-tri/nguoi/{id}",
            web::get().to(super::registry_person::edit_person),
        )
        .route(
            "/ui/quan-tri/nguoi/{id}",
            web::post().to(super::registry_person::save_person),
        )
        .route(
            "/ui/quan-tri/nguoi/{id}/chuc-vu",
            web::post().to(super::registry_person::add_post),
        );
}

/// The units, each with its leader records, with links to change them.
async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let r = state.app.store.registry();
    let mut units: Vec<&Unit> = r.units.iter().collect();
    units.sort_by(|a, b| (a.kind as u8, &a.name).cmp(&(b.kind as u8, &b.name)));
    page(layout(
        "Danh mục đơn vị và lãnh đạo",
        Some(&viewer(&s)),
        markup! {
            h1 { "Danh mục đơn vị và lãnh đạo" }
            p { a href="/ui/quan-tri/don-vi-moi" { "Thêm đơn vị" } " · " a href="/ui/quan-tri/lanh-dao-moi" { "Thêm lãnh đạo" } }
            table.registry {
                thead { tr { th { "Đơn vị / lãnh đạo" } th { "Loại / chức vụ" } th { "Thời gian" } th { "Chứng thư số" } th {} } }
                tbody {
                    @for u in &units {
                        tr.unit id={ "don-vi-" (u.id) } {
                            td { strong { (u.name) } br; small { (u.id) } }
                            td { (u.kind.label_vi()) }
                            td { (span(u.from, u.to)) @if !u.active && u.to.is_none() { " (ngừng)" } }
                            td { (u.certificates.len()) @if !u.retired_certificates.is_empty() { " (+" (u.retired_certificates.len()) " cũ)" } }
                            td { a href={ "/ui/quan-tri/don-vi/" (u.id) } { "Sửa" } }
                        }
                        @for l in r.leaders.iter().filter(|l| l.unit == u.id) {
                            tr.leader {
                                td {
                                    "— " (l.name) br; small { (l.id) }
                                    @if let Some(p) = &l.person { " · " a href={ "/ui/quan-tri/nguoi/" (p) } { "người " (p) } }
                                }
                                td { (l.title) }
                                td { (span(Some(l.from), l.to)) }
                                td { (l.certificates.len()) @if !l.retired_certificates.is_empty() { " (+" (l.retired_certificates.len()) " cũ)" } }
                                td { a href={ "/ui/quan-tri/lanh-dao/" (l.id) } { "Sửa" } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(serde::Deserialize)]
struct UnitForm {
    csrf: String,
    /// The version of the record the form showed (empty when it adds one).
    #[serde(default)]
    version: String,
    #[serde(default)]
    id: String,
    name: String,
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    certificates: String,
    /// The unit's contact (văn thư): name, phone, e-mail.
    #[serde(default)]
    van_thu: String,
    #[serde(default)]
    dien_thoai: String,
    #[serde(default)]
    email: String,
    /// The unit's place in the Office's order of units (empty: after those that have one).
    #[serde(default)]
    thu_tu: String,
    /// The reason, when the change corrects months already past.
    #[serde(default)]
    correction: String,
}

#[derive(serde::Deserialize)]
struct LeaderForm {
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    id: String,
    name: String,
    title: String,
    unit: String,
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    certificates: String,
    /// The reason, when the change corrects months already past.
    #[serde(default)]
    correction: String,
}

async fn new_unit(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    unit_page(req, state, None).await
}

async fn edit_unit(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    unit_page(req, state, Some(path.into_inner())).await
}

async fn unit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: Option<String>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let r = state.app.store.registry();
    let unit = match id.as_deref().map(|i| r.unit(i)) {
        Some(None) => return not_found(&s),
        found => found.flatten(),
    };
    let history = history(&state, "unit", id.as_deref());
    let draft = Draft::stored(unit, id.as_deref(), unit.map(record_version));
    page(unit_form(&draft, &history, &viewer(&s)))
}

async fn new_leader(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    leader_page(req, state, None).await
}

async fn edit_leader(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    leader_page(req, state, Some(path.into_inner())).await
}

async fn leader_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: Option<String>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let r = state.app.store.registry();
    let leader = match id.as_deref().map(|i| r.leader(i)) {
        Some(None) => return not_found(&s),
        found => found.flatten(),
    };
    let history = history(&state, "leader", id.as_deref());
    let draft = Draft::stored(leader, id.as_deref(), leader.map(record_version));
    page(leader_form(&draft, &r, &history, &viewer(&s)))
}

pub(super) fn not_found(s: &super::session::Session) -> HttpResponse {
    html(
        StatusCode::NOT_FOUND,
        pages::message(
            "Không tìm thấy",
            "Không có bản ghi này trong danh mục.",
            Some(&viewer(s)),
        ),
    )
}

/// A record's changes, newest first.
fn history(state: &AppState, kind: &str, id: Option<&str>) -> Vec<Change> {
    let Some(id) = id else { return Vec::new() };
    let mut changes: Vec<Change> = state
        .app
        .store
        .registry_changes()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.kind == kind && c.id == id)
        .collect();
    changes.reverse();
    changes
}

/// An optional month field: empty is none.
pub(super) fn month_field(label: &str, text: &str) -> Result<Option<Month>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Month::parse(t)
        .map(Some)
        .ok_or_else(|| format!("{label} \"{t}\" không đúng dạng năm-tháng (YYYY-MM)."))
}

/// Fingerprints one per line (spaces, commas and colons are ignored, as copied from a viewer).
pub(super) fn certificates_field(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';'])
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_whitespace() && *c != ':')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

async fn save_unit(
    req: HttpRequest,
    path: Option<web::Path<String>>,
    form: web::Form<UnitForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let existing = path.map(|p| p.into_inner());
    let expect = expected(existing.as_deref(), &form.version);
    let refuse = |status: StatusCode, why: &str| {
        let typed = unit_as_typed(&form, existing.as_deref());
        let d = Draft {
            record: Some(&typed),
            existing: existing.as_deref(),
            version: existing.as_ref().map(|_| form.version.clone()),
            refused: Some(why),
        };
        let history = history(&state, "unit", existing.as_deref());
        html(status, unit_form(&d, &history, &viewer(&s)))
    };
    let u = match unit_from_form(&state.app.store.registry(), existing.as_deref(), &form) {
        Ok(u) => u,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
    };
    let id = u.id.clone();
    let fragment = Registry {
        units: vec![u],
        ..Registry::default()
    };
    let result = match editor(&s, &form.correction) {
        Ok(e) => save_record(&state.app, fragment, &id, e, expect).await,
        Err(e) => Err(e),
    };
    match refusal(&result) {
        Some((status, why)) => refuse(status, &why),
        None => answer(result, &format!("/ui/quan-tri/don-vi#don-vi-{id}"), &s),
    }
}

/// The unit as typed, for the form shown again with why it was refused (nothing checked).
fn unit_as_typed(f: &UnitForm, existing: Option<&str>) -> Unit {
    Unit {
        id: existing.unwrap_or_default().to_string(),
        name: f.name.clone(),
        kind: serde_json::from_value(serde_json::Value::String(f.kind.clone()))
            .unwrap_or(UnitKind::Department),
        certificates: certificates_field(&f.certificates),
        retired_certificates: Vec::new(),
        active: true,
        from: Month::parse(f.from.trim()),
        to: Month::parse(f.to.trim()),
        contact: Some(crate::duty::registry::Contact {
            name: f.van_thu.clone(),
            phone: f.dien_thoai.clone(),
            email: f.email.clone(),
        }),
        order: f.thu_tu.trim().parse().ok(),
    }
}

/// Why a save was refused, when the form should be shown again with what was typed: an
/// invalid registry, or a change to past months without a reason. Not when someone else
/// changed the record meanwhile (that answer says to reload: the typed form is stale).
fn refusal(result: &Result<(bool, serde_json::Value), AppError>) -> Option<(StatusCode, String)> {
    match result {
        Err(AppError::BadRequest(why)) => Some((
            StatusCode::BAD_REQUEST,
            format!("danh mục không hợp lệ nếu lưu thay đổi này: {why}"),
        )),
        Err(AppError::RewritesPast(past)) => Some((
            StatusCode::CONFLICT,
            format!(
                "{} Nếu đây đúng là đính chính, hãy ghi lý do vào ô \"Lý do đính chính\" rồi lưu lại.",
                crate::duty::registry::past::describe(past)
            ),
        )),
        _ => None,
    }
}

/// The unit a form describes; what the form does not show (retired certificates, the legacy
/// `active` flag) is kept from the record it changes.
fn unit_from_form(r: &Registry, existing: Option<&str>, f: &UnitForm) -> Result<Unit, String> {
    let old = existing.and_then(|id| r.unit(id));
    if existing.is_some() && old.is_none() {
        return Err("Không có đơn vị này trong danh mục.".into());
    }
    // A new unit's id is made from its name (nobody types one).
    let id = existing.map(str::to_string).unwrap_or_else(|| {
        let typed = f.id.trim();
        if typed.is_empty() {
            slug::fresh(&f.name, "don-vi", &|id| r.unit(id).is_some())
        } else {
            typed.to_string()
        }
    });
    if old.is_none() && r.unit(&id).is_some() {
        return Err(format!(
            "Đã có đơn vị mã \"{id}\"; hãy sửa đơn vị đó hoặc chọn mã khác."
        ));
    }
    let kind: UnitKind = serde_json::from_value(serde_json::Value::String(f.kind.clone()))
        .map_err(|_| format!("Loại đơn vị \"{}\" không có.", f.kind))?;
    Ok(Unit {
        id,
        name: f.name.clone(),
        kind,
        certificates: certificates_field(&f.certificates),
        retired_certificates: old
            .map(|u| u.retired_certificates.clone())
            .unwrap_or_default(),
        active: old.is_none_or(|u| u.active),
        from: month_field("Tháng bắt đầu", &f.from)?,
        to: month_field("Tháng kết thúc", &f.to)?,
        contact: contact_fields(f)?,
        order: order_field(&f.thu_tu)?,
    })
}

/// The unit's place in the order, as typed: a whole number, or nothing.
fn order_field(typed: &str) -> Result<Option<u32>, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("Thứ tự \"{t}\" phải là một số nguyên dương (1, 2, 3…)."))
}

/// The unit's contact as typed: nothing when every field is empty; an e-mail address must
/// look like one (reminders go there).
fn contact_fields(f: &UnitForm) -> Result<Option<crate::duty::registry::Contact>, String> {
    let c = crate::duty::registry::Contact {
        name: f.van_thu.trim().to_string(),
        phone: f.dien_thoai.trim().to_string(),
        email: f.email.trim().to_string(),
    };
    if !c.email.is_empty() && !crate::duty::registry::valid_email(&c.email) {
        return Err(format!(
            "\"{}\" không phải là một địa chỉ thư điện tử.",
            c.email
        ));
    }
    Ok((c != crate::duty::registry::Contact::default()).then_some(c))
}

async fn save_leader(
    req: HttpRequest,
    path: Option<web::Path<String>>,
    form: web::Form<LeaderForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let existing = path.map(|p| p.into_inner());
    let expect = expected(existing.as_deref(), &form.version);
    let registry = state.app.store.registry();
    let refuse = |status: StatusCode, why: &str| {
        let typed = leader_as_typed(&form, existing.as_deref());
        let d = Draft {
            record: Some(&typed),
            existing: existing.as_deref(),
            version: existing.as_ref().map(|_| form.version.clone()),
            refused: Some(why),
        };
        let history = history(&state, "leader", existing.as_deref());
        html(status, leader_form(&d, &registry, &history, &viewer(&s)))
    };
    let l = match leader_from_form(&registry, existing.as_deref(), &form) {
        Ok(l) => l,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
    };
    let (id, unit) = (l.id.clone(), l.unit.clone());
    let fragment = Registry {
        leaders: vec![l],
        ..Registry::default()
    };
    let result = match editor(&s, &form.correction) {
        Ok(e) => save_record(&state.app, fragment, &id, e, expect).await,
        Err(e) => Err(e),
    };
    match refusal(&result) {
        Some((status, why)) => refuse(status, &why),
        None => answer(result, &format!("/ui/quan-tri/don-vi#don-vi-{unit}"), &s),
    }
}

/// The leader record as typed, for the form shown again with why it was refused.
fn leader_as_typed(f: &LeaderForm, existing: Option<&str>) -> Leader {
    Leader {
        id: existing.unwrap_or_default().to_string(),
        name: f.name.clone(),
        title: f.title.clone(),
        unit: f.unit.clone(),
        from: Month::parse(f.from.trim())
            .unwrap_or_else(|| Month::of_vietnam_time(crate::web::now())),
        to: Month::parse(f.to.trim()),
        certificates: certificates_field(&f.certificates),
        retired_certificates: Vec::new(),
        person: None,
    }
}

/// The leader record a form describes; its person link and retired certificates are kept.
fn leader_from_form(
    r: &Registry,
    existing: Option<&str>,
    f: &LeaderForm,
) -> Result<Leader, String> {
    let old = existing.and_then(|id| r.leader(id));
    if existing.is_some() && old.is_none() {
        return Err("Không có lãnh đạo này trong danh mục.".into());
    }
    let id = existing.map(str::to_string).unwrap_or_else(|| {
        let typed = f.id.trim();
        if typed.is_empty() {
            slug::fresh(&f.name, "lanh-dao", &|id| r.leader(id).is_some())
        } else {
            typed.to_string()
        }
    });
    if old.is_none() && r.leader(&id).is_some() {
        return Err(format!(
            "Đã có lãnh đạo mã \"{id}\"; hãy sửa bản ghi đó hoặc chọn mã khác."
        ));
    }
    Ok(Leader {
        id,
        name: f.name.clone(),
        title: f.title.clone(),
        unit: f.unit.clone(),
        from: month_field("Tháng bắt đầu", &f.from)?
            .ok_or("Hãy nhập tháng bắt đầu giữ chức vụ (YYYY-MM).")?,
        to: month_field("Tháng kết thúc", &f.to)?,
        certificates: certificates_field(&f.certificates),
        retired_certificates: old
            .map(|l| l.retired_certificates.clone())
            .unwrap_or_default(),
        person: old.and_then(|l| l.person.clone()),
    })
}

/// What a form's save expects: to add a record, or to change the version it showed.
fn expected(existing: Option<&str>, version: &str) -> Expect {
    match existing {
        None => Expect::New,
        Some(_) => Expect::Version(version.to_string()),
    }
}

/// A form's save answered: back to the list, or why not (409 when someone else changed the
/// record meanwhile: nothing is overwritten unseen).
pub(super) fn answer(
    result: Result<(bool, serde_json::Value), AppError>,
    to: &str,
    s: &super::session::Session,
) -> HttpResponse {
    match result {
        Err(AppError::Conflict(_)) => html(
            StatusCode::CONFLICT,
            pages::message(
                "Bản ghi vừa được người khác sửa",
                "Trong lúc bạn điền biểu mẫu, bản ghi này đã được sửa (hoặc thêm) bởi người khác. Không có gì bị ghi đè: hãy mở lại trang để xem bản mới rồi sửa lại.",
                Some(&viewer(s)),
            ),
        ),
        Err(AppError::RewritesPast(past)) => html(
            StatusCode::CONFLICT,
            pages::message(
                "Thay đổi này sửa số liệu các tháng đã qua",
                &format!(
                    "{} Không có gì được lưu: hãy quay lại biểu mẫu, ghi lý do vào ô \"Lý do đính chính\" nếu đây đúng là đính chính, rồi lưu lại.",
                    crate::duty::registry::past::describe(&past)
                ),
                Some(&viewer(s)),
            ),
        ),
        other => outcome(saved(other), to, s),
    }
}

/// A save's outcome in the clerk's words.
pub(super) fn saved(r: Result<(bool, serde_json::Value), AppError>) -> Result<(), String> {
    r.map(|_| ()).map_err(|e| match e {
        AppError::BadRequest(why) => format!("Danh mục không hợp lệ nếu lưu thay đổi này: {why}"),
        e => e.to_string(),
    })
}

/// Who saves a form, with the correction's reason if one was given.
pub(super) fn editor(s: &super::session::Session, correction: &str) -> Result<Editor, AppError> {
    Ok(Editor {
        by: s.name.clone(),
        correction: correction_reason(Some(correction))?,
    })
}
