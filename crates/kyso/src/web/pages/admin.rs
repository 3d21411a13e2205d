//! The administration page: the service's state, enrolling certificates, accepting late files,
//! closing a period, importing a registry file.

use super::upload::CsrfQuery;
use super::{outcome, page, posted_by, redirect, signed_in, stale_form, templates, viewer};
use crate::app::error::AppError;
use crate::web::{blocking, AppState};
use actix_web::{web, HttpRequest, HttpResponse};

pub(super) async fn admin(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "admin") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let unenrolled = state
        .table(&s.name, |app| {
            Ok(crate::app::tables::unenrolled(&app.store)?)
        })
        .await?;
    let targets = enrol_targets(&state.app.store.registry());
    let facts = service_facts(&state);
    let mut changes = state.app.store.registry_changes().unwrap_or_default();
    changes.reverse();
    changes.truncate(20);
    let view = templates::AdminView {
        unenrolled: &unenrolled,
        targets: &targets,
        state: &facts,
        changes: &changes,
        tracking_from: state.app.store.registry().tracking_from,
    };
    Ok(page(templates::admin(&view, &viewer(&s))))
}

/// Whom a certificate can be enrolled to: each unit's organisation, each post.
fn enrol_targets(registry: &crate::duty::registry::Registry) -> Vec<(String, String)> {
    let mut targets: Vec<(String, String)> = registry
        .units
        .iter()
        .map(|u| {
            (
                format!("unit:{}", u.id),
                format!("Đơn vị (ký số cơ quan): {}", u.name),
            )
        })
        .collect();
    targets.extend(registry.leaders.iter().map(|l| {
        let unit = registry
            .unit(&l.unit)
            .map(|u| u.name.as_str())
            .unwrap_or(&l.unit);
        (
            format!("leader:{}", l.id),
            format!("Lãnh đạo: {} {} — {unit}", l.title, l.name),
        )
    }));
    targets
}

/// The service's state as the administration page tells it: files kept, the disk, anchors,
/// each CRL's date.
fn service_facts(state: &AppState) -> Vec<(String, String)> {
    let trust = state.app.trust();
    let health = state.app.store.health();
    let now = time::OffsetDateTime::now_utc();
    let mut facts = vec![
        (
            "Số hồ sơ lưu trữ".to_string(),
            state.app.store.count().to_string(),
        ),
        (
            "Ghi được vào kho".to_string(),
            if health.fault.is_none() && health.index_ok {
                "Có".into()
            } else {
                "Không (xem /readyz)".to_string()
            },
        ),
        (
            "Chứng thư gốc tin cậy".to_string(),
            trust.anchors.len().to_string(),
        ),
    ];
    for c in &trust.crls {
        let state_vi = match c.next_update {
            Some(n) if n < now => "đã hết hạn",
            Some(_) => "còn hiệu lực",
            None => "không ghi hạn",
        };
        facts.push((
            format!("CRL {}", c.issuer),
            format!(
                "cập nhật {}, {state_vi}",
                crate::vn::datetime(c.this_update)
            ),
        ));
    }
    facts
}

#[derive(serde::Deserialize)]
pub(super) struct EnrolForm {
    csrf: String,
    sha256: String,
    target: String,
}

pub(super) async fn enrol(
    req: HttpRequest,
    form: web::Form<EnrolForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "admin") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    if form.csrf != s.csrf {
        return Ok(stale_form("Hãy mở lại trang quản trị.", &s));
    }
    let target = crate::app::enrolment::Target::parse(&form.target)
        .ok_or_else(|| AppError::BadRequest("unknown target".into()))?;
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, sha, by) = (state.clone(), form.sha256.clone(), s.name.clone());
    blocking(move || {
        // Enrolling it where it would take past months from whoever it counted for: 409.
        crate::app::enrolment::enrol(&st.app.store, &sha, &target, &by, crate::web::now())
    })
    .await?;
    tracing::info!(by = %s.name, sha256 = %form.sha256, target = %form.target, "certificate enrolled from the pages");
    Ok(redirect("/ui/quan-tri"))
}

#[derive(serde::Deserialize)]
pub(super) struct ReasonForm {
    csrf: String,
    reason: String,
}

/// Accept a late file (scope admin), from the list of files.
pub(super) async fn accept_late(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ReasonForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, id, by, reason) = (
        state.clone(),
        path.into_inner(),
        s.name.clone(),
        form.reason.clone(),
    );
    let result = blocking(move || {
        crate::app::late::accept(&st.app, &id, &by, &reason, time::OffsetDateTime::now_utc())
            .map(|_| ())
            .map_err(|e| AppError::BadRequest(e.to_string()))
    })
    .await
    .map_err(|e| e.to_string());
    outcome(result, "/ui/ho-so?trang-thai=late", &s)
}

#[derive(serde::Deserialize)]
pub(super) struct HideForm {
    csrf: String,
    sha256: String,
}

/// Hide a certificate from the unenrolled list (scope admin), audited.
pub(super) async fn hide_certificate(
    req: HttpRequest,
    form: web::Form<HideForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, sha, by) = (state.clone(), form.sha256.clone(), s.name.clone());
    let result = blocking(move || {
        Ok(crate::app::enrolment::hide(
            &st.app.store,
            &sha,
            &by,
            time::OffsetDateTime::now_utc(),
        )?)
    })
    .await
    .map_err(|e: AppError| e.to_string());
    outcome(result, "/ui/quan-tri", &s)
}

#[derive(serde::Deserialize)]
pub(super) struct MoveForm {
    csrf: String,
    thang: String,
    reason: String,
}

/// Move a file to the month before (scope admin), from the list of files.
pub(super) async fn move_month(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<MoveForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(to) = crate::duty::period::Month::parse(&form.thang) else {
        return outcome(Err("Tháng không hợp lệ.".into()), "", &s);
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, id, by, reason) = (
        state.clone(),
        path.into_inner(),
        s.name.clone(),
        form.reason.clone(),
    );
    let result = blocking(move || {
        let request = crate::app::month_move::MoveRequest {
            id: &id,
            to,
            by: &by,
            reason: &reason,
            at: time::OffsetDateTime::now_utc(),
        };
        crate::app::month_move::move_to_month(&st.app, request)
            .map(|_| ())
            .map_err(|e| AppError::BadRequest(e.to_string()))
    })
    .await
    .map_err(|e| e.to_string());
    outcome(result, &format!("/ui/ho-so?thang={to}"), &s)
}

#[derive(serde::Deserialize)]
pub(super) struct CloseForm {
    csrf: String,
    period: String,
    reason: Option<String>,
    /// Set by the confirmation page: without it, the confirmation page is shown.
    xac_nhan: Option<String>,
}

/// Close a period (scope admin), from the administration page.
pub(super) async fn close_period(
    req: HttpRequest,
    form: web::Form<CloseForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(period) = crate::duty::period::Period::parse(form.period.trim()) else {
        return outcome(
            Err(format!(
                "\"{}\" không phải là một kỳ (YYYY-MM, YYYY-Qn, YYYY).",
                form.period
            )),
            "",
            &s,
        );
    };
    if form.xac_nhan.is_none() {
        let label = templates::period_label(&period.to_string());
        return page(templates::close_confirm(
            &period.to_string(),
            &label,
            form.reason.as_deref().unwrap_or(""),
            &viewer(&s),
        ));
    }
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, by) = (state.clone(), s.name.clone());
    let reason = form.reason.clone().filter(|r| !r.trim().is_empty());
    let result = blocking(move || {
        crate::app::closing::close(
            &st.app,
            period,
            time::OffsetDateTime::now_utc(),
            &by,
            reason,
        )
        .map(|_| ())
        .map_err(|e| AppError::BadRequest(e.to_string()))
    })
    .await
    .map_err(|e| e.to_string());
    let to = match period {
        crate::duty::period::Period::Month(m) => format!("/ui/thang/{m}"),
        _ => "/ui/quan-tri".into(),
    };
    outcome(result, &to, &s)
}

#[derive(serde::Deserialize)]
pub(super) struct ImportForm {
    danh_muc: String,
    /// Set by the preview page's "apply" form, with the preview's changes digest.
    ap_dung: Option<String>,
    /// The reason, when the preview showed changes to past months.
    #[serde(default)]
    correction: String,
}

/// Import a registry file (scope admin): first a preview of what it would change, then, from
/// the preview, the change itself (audited under the administrator's name), refused if the
/// registry moved since the preview. The session and its CSRF token (in the address) are
/// checked before the body, which may be large, is read.
pub(super) async fn import_registry(
    req: HttpRequest,
    q: web::Query<CsrfQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match signed_in(&req, &state, "admin") {
        Ok((_, s)) if s.csrf == q.csrf => s,
        Ok((_, s)) => return stale_form("Hãy mở lại trang quản trị.", &s),
        Err(r) => return r,
    };
    let _one_import = state.import_slot.lock().await;
    let mut body = payload.into_inner();
    let form = match <web::Form<ImportForm> as actix_web::FromRequest>::from_request(
        &req, &mut body,
    )
    .await
    {
        Ok(f) => f.into_inner(),
        Err(_) => {
            return outcome(
                Err(format!(
                    "Không đọc được nội dung gửi lên (tối đa {} MB).",
                    crate::app::registry_import::MAX_REGISTRY_BYTES >> 20
                )),
                "",
                &s,
            )
        }
    };
    let text = form.danh_muc.clone();
    let incoming = match blocking(move || {
        crate::app::registry_import::parse_registry(text.as_bytes())
    })
    .await
    {
        Ok(r) => r,
        Err(e) => {
            return outcome(
                Err(format!(
                    "Nội dung không phải là một tệp danh mục hợp lệ: {e}"
                )),
                "",
                &s,
            )
        }
    };
    let apply = form.ap_dung.is_some();
    let correction = match crate::app::registry_edit::correction_reason(Some(&form.correction)) {
        Ok(c) => c,
        Err(e) => return outcome(Err(e.to_string()), "", &s),
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let (st, by, expected) = (state.clone(), s.name.clone(), form.ap_dung.clone());
    let result = blocking(move || {
        let editor = crate::app::registry_edit::Editor { by, correction };
        let apply = apply.then(|| crate::app::registry_import::Apply {
            expected: expected.as_deref(),
            editor: &editor,
        });
        crate::app::registry_import::import(&st.app.store, incoming, apply, crate::web::now())
    })
    .await;
    match result {
        Ok(o) if apply => {
            tracing::info!(by = %s.name, changes = o.changes.len(), "registry imported from the pages");
            redirect("/ui/quan-tri")
        }
        Ok(o) => page(templates::registry_preview(&o, &form.danh_muc, &viewer(&s))),
        Err(AppError::Conflict(_)) => outcome(
            Err("Danh mục đã thay đổi từ lúc xem trước (có người vừa sửa). Hãy xem trước lại rồi mới áp dụng.".into()),
            "",
            &s,
        ),
        Err(e) => outcome(Err(format!("Không nhập được danh mục: {e}")), "", &s),
    }
}

/// Every closed period (scope read).
pub(super) async fn closed_periods(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (_, s) = match signed_in(&req, &state, "read") {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let st = state.clone();
    let list = blocking(move || Ok(st.app.store.closed_periods()?)).await?;
    Ok(page(templates::closed_periods(&list, &viewer(&s))))
}

/// A file filed when a period was closed, byte for byte (scope read).
pub(super) async fn filed_file(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Err(r) = signed_in(&req, &state, "read") {
        return Ok(r);
    }
    let (period, name) = path.into_inner();
    let (st, p, n) = (state.clone(), period.clone(), name.clone());
    let bytes = blocking(move || Ok(st.app.store.filed_file(&p, &n)?))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{name} of {period}")))?;
    let content_type = if name.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"ban-da-chot-{name}\""),
        ))
        .body(bytes))
}

#[derive(serde::Deserialize)]
pub(super) struct TrackingForm {
    csrf: String,
    tu_thang: String,
    #[serde(default)]
    correction: String,
}

/// A month as a clerk types it: `07/2026` (or `7/2026`), or `2026-07`.
fn typed_month(s: &str) -> Option<crate::duty::period::Month> {
    let s = s.trim();
    if let Some((m, y)) = s.split_once('/') {
        return crate::duty::period::Month::parse(&format!("{}-{:0>2}", y.trim(), m.trim()));
    }
    crate::duty::period::Month::parse(s)
}

/// Set the first month tracked (scope admin), from the administration page.
pub(super) async fn set_tracking(
    req: HttpRequest,
    form: web::Form<TrackingForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let s = match posted_by(&req, &state, "admin", &form.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(from) = typed_month(&form.tu_thang) else {
        return outcome(
            Err(format!(
                "\"{}\" không phải là một tháng; hãy ghi dạng MM/YYYY, ví dụ 07/2026.",
                form.tu_thang
            )),
            "",
            &s,
        );
    };
    let correction = match crate::app::registry_edit::correction_reason(Some(&form.correction)) {
        Ok(c) => c,
        Err(e) => return outcome(Err(e.to_string()), "", &s),
    };
    let editor = crate::app::registry_edit::Editor {
        by: s.name.clone(),
        correction,
    };
    let _one_at_a_time = state.app.write_lock.lock().await;
    let st = state.clone();
    let result = blocking(move || {
        crate::app::registry_edit::set_tracking_from(
            &st.app.store,
            Some(from),
            &editor,
            time::OffsetDateTime::now_utc(),
        )
    })
    .await
    .map_err(|e| e.to_string());
    outcome(result, "/ui/quan-tri", &s)
}
