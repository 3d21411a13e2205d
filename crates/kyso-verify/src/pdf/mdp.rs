//! What a signature allows to change afterwards, read from its dictionary and its field:
//! DocMDP (a certification, ISO 32000-2 §12.8.2.2, Table 257), FieldMDP (§12.8.2.4, Table
//! 259) in `/Reference`, and the signature field's `/Lock` (Table 235: "the fields shall be
//! locked when this signature field is signed"). Every entry is read through its references,
//! and what cannot be read fails closed: an unreadable or out-of-range `/P` is 1 (no change),
//! a lock whose fields cannot be read locks every field.

use super::changes::FieldLock;
use super::document::Document;
use super::object::Object;
use super::signatures::text;

/// The permissions one signature sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Permissions {
    /// `/P` of its DocMDP transform, when it is a certification.
    pub docmdp: Option<i64>,
    /// Its FieldMDP locks and its field's `/Lock`.
    pub locks: Vec<FieldLock>,
    /// The lowest `/P` of those locks (PDF 2.0): the document's permissions once signed.
    pub lock_level: Option<i64>,
}

/// The permissions of signature dictionary `sig`, whose field carries `field_lock`, read in
/// revision `rev` of `doc`.
pub(crate) fn read(
    doc: &Document,
    rev: usize,
    sig: &Object,
    field_lock: Option<&Object>,
) -> Permissions {
    let r = |o: Option<&Object>| -> Option<Object> {
        match o? {
            Object::Ref(n, _) => doc.object(rev, *n).ok().flatten(),
            other => Some(other.clone()),
        }
    };
    let references: Vec<Object> = match r(sig.get(b"Reference")) {
        Some(Object::Array(a)) => a.iter().filter_map(|x| r(Some(x))).collect(),
        Some(d @ Object::Dict(_)) => vec![d],
        _ => Vec::new(),
    };
    let mut out = Permissions::default();
    let mut lock_params: Vec<Object> = Vec::new();
    for reference in &references {
        let method = r(reference.get(b"TransformMethod"));
        let params = r(reference.get(b"TransformParams")).unwrap_or(Object::Dict(Vec::new()));
        match method.as_ref().and_then(Object::as_name) {
            Some(b"DocMDP") if out.docmdp.is_none() => {
                // /P defaults to 2 (form filling and signing).
                out.docmdp = Some(match params.get(b"P") {
                    None => 2,
                    Some(p) => level(r(Some(p)).as_ref()),
                });
            }
            Some(b"FieldMDP") => lock_params.push(params),
            _ => {}
        }
    }
    lock_params.extend(r(field_lock));
    for params in &lock_params {
        out.locks.push(lock(params, &r));
        if let Some(p) = params.get(b"P") {
            let p = level(r(Some(p)).as_ref());
            out.lock_level = Some(out.lock_level.map_or(p, |l| l.min(p)));
        }
    }
    out
}

/// A permission level (1, 2 or 3; 1.0 as 1); anything else is 1, the strictest.
fn level(p: Option<&Object>) -> i64 {
    match p {
        Some(Object::Int(i)) if (1..=3).contains(i) => *i,
        Some(Object::Real(f)) if [1.0, 2.0, 3.0].contains(f) => *f as i64,
        _ => 1,
    }
}

/// The fields a FieldMDP transform or a `/Lock` locks (`/Action`, `/Fields`).
fn lock(params: &Object, r: &dyn Fn(Option<&Object>) -> Option<Object>) -> FieldLock {
    let action = r(params.get(b"Action"));
    let fields: Option<Vec<String>> = match r(params.get(b"Fields")) {
        Some(Object::Array(a)) => a.iter().map(|f| text(r(Some(f)).as_ref())).collect(),
        _ => None,
    };
    match (action.as_ref().and_then(Object::as_name), fields) {
        (Some(b"Include"), Some(f)) => FieldLock::Include(f),
        (Some(b"Exclude"), Some(f)) => FieldLock::Exclude(f),
        // /All, anything unknown, or fields that cannot be read: every field (fail closed).
        _ => FieldLock::All,
    }
}
