//! What changed after a signature: the state of the signed revision compared with the final
//! state of the file, object by object, from the file's own xref sections. Only what a later
//! signer or archiver legitimately adds is `permitted`; everything else, and anything that cannot
//! be parsed, is `disallowed`, with the object and the reason ([`ChangeReason`]).
//!
//! Permitted after a signature:
//! - new objects (they matter only through the existing objects that point to them, which are
//!   judged here);
//! - new signature fields and their widgets, added to `/AcroForm /Fields` and the page's
//!   `/Annots`; a visible one only when it is signed and covers at most a quarter of the page
//!   (an unsigned or page-sized visible widget can paint over signed content: the Sneaky
//!   Signature attack);
//! - the value of an empty signature field (`/V`, `/AP`);
//! - `/DSS` (and its existing validation-data objects), `/Extensions`, `/Metadata`, `/Info`;
//! - form filling (`/V`, `/AS`, `/AP` of non-signature fields) unless a certification signature
//!   says P=1 or a FieldMDP lock covers the field;
//! - the appearance of a field being signed or filled rewritten under its own object number,
//!   when nothing but that widget's `/AP` refers to it in the signed revision (`appearance`);
//!   `/Info` rewritten when it holds only text or only trailers name it;
//! - with DocMDP P=3 only: new sticky-note annotations (`/Text`, `/Popup`) without their own
//!   appearance. Other annotations can draw anything (the Evil Annotation attack).
//!
//! The comparison of one object is in `diff`, the rules for each kind of object in `rules`,
//! what they ask of form fields in `fields`, and the reasons in [`ChangeReason`].

mod appearance;
mod diff;
mod fields;
mod filling;
mod hidden;
mod reason;
mod resources;
mod rules;
mod signing;
mod split;
mod widget;

pub use crate::report::Modifications;
pub use reason::{ChangeReason, Keys};

use super::dss::DssHistory;
use super::object::{dict_get, Dict, Object};
use super::trailing_garbage;
use super::xref::Entry;
use super::Document;
use diff::Ctx;
use std::collections::BTreeSet;

/// Reasons listed one by one in a report; the rest are counted.
const MAX_REASONS: usize = 20;

/// What changed after one signature: the verdict, and why each refused change was refused.
#[derive(Debug, Clone)]
pub struct ChangeReport {
    /// Nothing changed, only what the policy permits, or more.
    pub verdict: Modifications,
    /// Why each disallowed change was not allowed (the first twenty, then a count).
    pub disallowed: Vec<ChangeReason>,
}

/// A FieldMDP lock of a signature (`/Reference` with `/TransformMethod /FieldMDP`, ISO 32000-2
/// §12.8.2.4, Table 259 `/Action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldLock {
    /// `/Action /All`: every field (and any action kyso does not know).
    All,
    /// `/Action /Include`: the fields named in `/Fields`.
    Include(Vec<String>),
    /// `/Action /Exclude`: every field but those named in `/Fields`.
    Exclude(Vec<String>),
}

impl FieldLock {
    /// Whether the lock covers the field with the fully qualified name `field`.
    /// A name covers itself and the fields below it (`form` covers `form.amount`).
    fn locks(&self, field: &str) -> bool {
        let covers = |f: &String| {
            field == f
                || field
                    .strip_prefix(f.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        };
        match self {
            FieldLock::All => true,
            FieldLock::Include(v) => v.iter().any(covers),
            FieldLock::Exclude(v) => !v.iter().any(covers),
        }
    }
}

/// What the signatures up to this one allow to change afterwards.
#[derive(Debug, Clone, Default)]
pub struct ChangePolicy {
    /// `/P` of the certification signature (ISO 32000-2 §12.8.2.2, Table 257; 1: nothing,
    /// 2: form filling and signing, 3: also annotations), lowered by FieldMDP `/P` (§12.8.2.4).
    pub docmdp: Option<i64>,
    /// The FieldMDP locks of the signatures up to this one.
    pub locks: Vec<FieldLock>,
    /// Object numbers of the document's signature dictionaries (each one verified on its own):
    /// a field counts as signed only when its /V is one of them.
    pub signatures: BTreeSet<u32>,
}

/// Compare revision `signed` with the final state of `doc`. `dss` holds the `/DSS` of each
/// revision of `doc`: an archiver may update the objects of the one the signed revision sees.
pub fn analyse(
    doc: &Document,
    signed: usize,
    policy: &ChangePolicy,
    dss: &DssHistory,
) -> ChangeReport {
    let mut disallowed = Vec::new();
    if let Some(r) = trailing_garbage(doc) {
        disallowed.push(ChangeReason::TrailingData { bytes: r.len() });
    }
    let latest = doc.latest();
    if signed >= latest {
        return finish(disallowed, false);
    }
    // DocMDP P=1 (ISO 32000-2 §12.8.2.2, Table 257) forbids every change except, as PAdES
    // (ETSI EN 319 142-1 §5.4) and pyHanko read it, validation data (/DSS) and document
    // timestamps: the per-object rules refuse everything else at P=1.
    let no_dss = BTreeSet::new();
    let dss_objects = dss.at(signed).map_or(&no_dss, |d| &d.objects);
    let ctx = Ctx::new(doc, signed, policy, dss_objects);
    check_trailers(doc, signed, &ctx, &mut disallowed);
    for offset in hidden::hidden_objects(doc, signed) {
        disallowed.push(ChangeReason::HiddenObject { offset });
    }
    let mut changed: BTreeSet<u32> = doc.revisions[signed + 1..]
        .iter()
        .flat_map(|s| s.entries.keys().copied())
        .collect();
    // An object stream written again changes every object the xref still finds in it, though
    // no later section lists them (ISO 32000-2 §7.5.7).
    let in_changed_streams: Vec<u32> = doc.revisions[..=signed]
        .iter()
        .flat_map(|s| s.entries.keys().copied())
        .filter(|n| {
            matches!(doc.entry(latest, *n), Some(Entry::InStream { stream, .. }) if changed.contains(&stream))
        })
        .collect();
    changed.extend(in_changed_streams);
    // Only the signed revision's /Info may be rewritten: a later trailer naming another object
    // as /Info must not exempt it from the comparison.
    let info: BTreeSet<u32> = doc.revisions[..=signed]
        .iter()
        .filter_map(|s| dict_get(&s.trailer, b"Info").and_then(Object::as_ref))
        .map(|(n, _)| n)
        .collect();
    for num in changed {
        if num == 0 {
            // Object 0 is always free (ISO 32000-2 §7.5.4); an update writing it is hiding
            // something a reader may find.
            if matches!(
                doc.entry(latest, 0),
                Some(Entry::InFile { .. } | Entry::InStream { .. })
            ) {
                disallowed.push(ChangeReason::Replaced {
                    object: 0,
                    kind: "the free head of the xref".into(),
                });
            }
            continue;
        }
        // Enough reasons to fail, or a reading budget spent: judging more changes adds nothing.
        if disallowed.len() > MAX_REASONS || doc.meter().check().is_err() {
            disallowed.push(ChangeReason::NotExamined);
            break;
        }
        if let Err(why) = ctx.compare(num, &info) {
            disallowed.push(why);
        }
    }
    // A repair (an object away from its offset, a wrong /Length, an ambiguous entry) in bytes
    // written after the signature, found while reading or while comparing above: readers that
    // rebuild the xref may show other objects there.
    let signed_end = doc.revisions[signed].end;
    for repair in doc.repairs() {
        if repair.position() >= signed_end {
            disallowed.push(ChangeReason::DamagedUpdate { repair });
        }
    }
    finish(disallowed, true)
}

/// Every later trailer must keep the signed document's root and its encryption (ISO 32000-2
/// §7.6.1: one `/Encrypt` for the whole file; another would make readers decrypt the signed
/// objects with another key, or stop decrypting them).
fn check_trailers(doc: &Document, signed: usize, ctx: &Ctx, out: &mut Vec<ChangeReason>) {
    let root = |d: &Dict| dict_get(d, b"Root").and_then(Object::as_ref);
    let signed_root = root(&doc.revisions[signed].trailer);
    let latest_root = root(&doc.revisions[doc.latest()].trailer);
    let new_catalog_ok = latest_root != signed_root && moved_catalog_ok(doc, signed, ctx);
    // The dictionary itself, as each revision sees it: an update may rewrite its object.
    let encrypt_in = |rev: usize| match dict_get(&doc.revisions[rev].trailer, b"Encrypt") {
        Some(Object::Ref(n, _)) => Some(doc.object(rev, *n).ok().flatten().unwrap_or(Object::Null)),
        other => other.cloned(),
    };
    let signed_encrypt = encrypt_in(signed);
    for (revision, s) in doc.revisions.iter().enumerate().skip(signed + 1) {
        let r = root(&s.trailer);
        // ISO 32000-2 §7.5.5: every trailer names the catalog; a reader that finds none
        // rebuilds the xref from the objects it can find (poppler does).
        if r.is_none() {
            out.push(ChangeReason::TrailerWithoutRoot { revision });
        } else if r != signed_root && !(new_catalog_ok && r == latest_root) {
            out.push(ChangeReason::NewRoot { revision });
        }
        match (&signed_encrypt, encrypt_in(revision)) {
            (None, Some(_)) => out.push(ChangeReason::EncryptionAdded { revision }),
            (Some(_), None) => out.push(ChangeReason::EncryptionRemoved { revision }),
            (Some(a), Some(b)) if *a != b => out.push(ChangeReason::EncryptionChanged { revision }),
            _ => {}
        }
        // §7.6.4.3.2: under RC4 and AES-128 the key is derived from the first /ID string.
        let id0 = |d: &Dict| {
            dict_get(d, b"ID")
                .and_then(Object::as_array)
                .and_then(|a| a.first().cloned())
        };
        if signed_encrypt.is_some() && id0(&s.trailer) != id0(&doc.revisions[signed].trailer) {
            out.push(ChangeReason::FileIdChanged { revision });
        }
    }
}

/// Whether the latest trailer's `/Root` names a catalog object that did not exist when the
/// signature was made, and that differs from the signed catalog only as the catalog rules
/// allow (`/DSS` and the like): an archiver that writes the catalog anew with its `/DSS` (EU
/// DSS accepts such files). The signed catalog is then compared with the new one.
fn moved_catalog_ok(doc: &Document, signed: usize, ctx: &Ctx) -> bool {
    let root = |rev: usize| {
        dict_get(&doc.revisions[rev].trailer, b"Root")
            .and_then(Object::as_ref)
            .map(|(n, _)| n)
    };
    let (Some(old), Some(new)) = (root(signed), root(doc.latest())) else {
        return false;
    };
    if matches!(doc.object(signed, new), Ok(Some(_))) {
        return false; // an object of the signed document made the catalog: not a new one
    }
    let (Ok(Some(od)), Ok(Some(nd))) = (doc.object(signed, old), doc.object(doc.latest(), new))
    else {
        return false;
    };
    if od.type_name() != Some(b"Catalog") || nd.type_name() != Some(b"Catalog") {
        return false;
    }
    let (Some(od), Some(nd)) = (od.as_dict(), nd.as_dict()) else {
        return false;
    };
    let keys = diff::differing_keys(od, nd);
    ctx.catalog(new, od, nd, &keys).is_ok()
}

/// The verdict from the reasons found, the list kept short: the first reasons, then a count.
fn finish(mut disallowed: Vec<ChangeReason>, later_revisions: bool) -> ChangeReport {
    if disallowed.len() > MAX_REASONS {
        let count = disallowed.len() - MAX_REASONS;
        disallowed.truncate(MAX_REASONS);
        disallowed.push(ChangeReason::More { count });
    }
    let verdict = if !disallowed.is_empty() {
        Modifications::Disallowed
    } else if later_revisions {
        Modifications::Permitted
    } else {
        Modifications::None
    };
    ChangeReport {
        verdict,
        disallowed,
    }
}
