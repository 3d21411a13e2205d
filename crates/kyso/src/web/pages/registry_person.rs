//! A person's page (the `[[person]]` of the registry file): their name and personal
//! certificates, which every post of theirs carries, their posts with their history, and a new
//! post (kiêm nhiệm, or a transfer's new post).

use super::registry_edit::{answer, certificates_field, editor, month_field, not_found, saved};
use super::registry_forms::person_form;
use super::{outcome, page, posted_by, signed_in, viewer};
use crate::app::registry_edit::{save_record, Expect};
use crate::duty::registry::slug;
use crate::duty::registry::{Leader, Registry};
use crate::store::audit::Change;
use crate::web::AppState;
use actix_web::{web, HttpRequest, HttpResponse};

#[derive(serde::Deserialize)]
pub(super) struct PersonForm {
    csrf: String,
    name: String,
    #[serde(default)]
    certificates: String,
}

/// A person (the `[[person]]` of the registry file): their name and certificates, which every
/// post of theirs carries, with the posts and their history.
pub(super) async fn edit_person(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) => s,
        Err(r) => return r,
    };
    let id = path.into_inner();
    let r = state.app.store.registry();
    let posts: Vec<&Leader> = r
        .leaders
        .iter()
        .filter(|l| l.person.as_deref() == Some(id.as_str()))
        .collect();
    if posts.is_empty() {
        return not_found(&s);
    }
    let changes: Vec<Change> = {
        let ids: Vec<&str> = posts.iter().map(|l| l.id.as_str()).collect();
        let mut c: Vec<Change> = state
            .app
            .store
            .registry_changes()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.kind == "leader" && ids.contains(&c.id.as_str()))
            .collect();
        c.reverse();
        c
    };
    page(person_form(&id, &posts, &r, &changes, &viewer(&s)))
}

/// Save a person: every post of theirs takes the name and certificates (a certificate dropped
/// is kept as retired on each), as a `[[person]]` imported alone does.
pub(super) async fn save_person(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PersonForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id = path.into_inner();
    let fragment = Registry {
        persons: vec![crate::duty::registry::file::Person {
            id: id.clone(),
            name: form.name.clone(),
            certificates: certificates_field(&form.certificates),
        }],
        ..Registry::default()
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, by) = (state.clone(), s.name.clone());
    let result = crate::web::blocking(move || {
        // Validated as the whole registry it would make, as an import is.
        let editor = crate::app::registry_edit::Editor::plain(&by);
        let apply = crate::app::registry_import::Apply {
            expected: None,
            editor: &editor,
        };
        crate::app::registry_import::import(&st.app.store, fragment, Some(apply), crate::web::now())
            .map(|_| ())
    })
    .await;
    match saved(result.map(|()| (false, serde_json::Value::Null))) {
        Ok(()) => outcome(Ok(()), &format!("/ui/quan-tri/nguoi/{id}"), &s),
        Err(e) => outcome(Err(e), "", &s),
    }
}

#[derive(serde::Deserialize)]
pub(super) struct PostForm {
    csrf: String,
    title: String,
    unit: String,
    from: String,
    #[serde(default)]
    to: String,
}

/// A new post of a person (kiêm nhiệm, or the new post of a transfer): a leader record linked
/// to the person, with the person's name and certificates, its id made from the name.
pub(super) async fn add_post(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PostForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let person = path.into_inner();
    let r = state.app.store.registry();
    let Some(first) = r
        .leaders
        .iter()
        .find(|l| l.person.as_deref() == Some(person.as_str()))
    else {
        return not_found(&s);
    };
    let post = match post_from_form(&r, first, &form) {
        Ok(l) => l,
        Err(e) => return outcome(Err(e), "", &s),
    };
    let id = post.id.clone();
    let fragment = Registry {
        leaders: vec![post],
        ..Registry::default()
    };
    let result = match editor(&s, "") {
        Ok(e) => save_record(&state.app, fragment, &id, e, Expect::New).await,
        Err(e) => Err(e),
    };
    answer(result, &format!("/ui/quan-tri/nguoi/{person}"), &s)
}

/// The post a person's form adds.
fn post_from_form(r: &Registry, person: &Leader, f: &PostForm) -> Result<Leader, String> {
    if r.unit(&f.unit).is_none() {
        return Err("Hãy chọn đơn vị của chức vụ.".into());
    }
    Ok(Leader {
        // As the registry file names a person's posts: person--unit.
        id: match &person.person {
            Some(p) => slug::unique(&format!("{p}--{}", f.unit), &|id| r.leader(id).is_some()),
            None => slug::fresh(&person.name, "lanh-dao", &|id| r.leader(id).is_some()),
        },
        name: person.name.clone(),
        title: f.title.trim().to_string(),
        unit: f.unit.clone(),
        from: month_field("Tháng bắt đầu", &f.from)?
            .ok_or("Hãy nhập tháng bắt đầu giữ chức vụ.")?,
        to: month_field("Tháng cuối", &f.to)?,
        certificates: person.certificates.clone(),
        retired_certificates: Vec::new(),
        person: person.person.clone(),
    })
}
