//! An appearance rewritten in place: a signer or form filler that overwrites the appearance
//! stream (ISO 32000-2 §12.5.5, `/AP` with `/N`, `/R`, `/D` and their state dictionaries) of the
//! field it signs or fills, under the same object number, instead of writing a new object.
//! That is signing or form filling (§12.8.2.2) as long as nothing else draws with that object:
//! it must be reached, in the signed revision, from that one widget's `/AP` only. An object
//! also reached from the trailer, the catalog, a page or another widget would change what they
//! show as well, and stays refused (as pyHanko refuses it).

use super::diff::Ctx;
use crate::pdf::object::Object;
use crate::pdf::Document;
use std::collections::HashMap;

/// How deep an appearance object may sit below the widget's `/AP`: the appearance dictionary,
/// a state dictionary (`/N << /On 5 0 R /Off 6 0 R >>`), the stream.
const MAX_AP_DEPTH: usize = 3;

/// Who refers to an object in the signed revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Referrers {
    /// The trailers' `/Info` only (any number of them).
    Trailer,
    /// Exactly one object (any number of times).
    One(u32),
    /// More than one object, or objects and trailers.
    Many,
}

/// Who refers to each object of a signed revision: its objects and the trailers up to it
/// (`signed`), and the trailers written after it (`later`).
#[derive(Debug, Default)]
pub(super) struct ReferrerIndex {
    signed: HashMap<u32, Referrers>,
    later: HashMap<u32, Referrers>,
}

impl ReferrerIndex {
    /// Who refers to `num`, the later trailers included.
    pub(super) fn get(&self, num: u32) -> Option<Referrers> {
        match (self.signed.get(&num), self.later.get(&num)) {
            (Some(a), Some(b)) => Some(merge(*a, *b)),
            (a, b) => a.or(b).copied(),
        }
    }

    /// Whether the signed revision itself (an object or a trailer up to it) refers to `num`.
    pub(super) fn signed_refers_to(&self, num: u32) -> bool {
        self.signed.contains_key(&num)
    }
}

/// Two views of who refers to an object, as one.
fn merge(seen: Referrers, from: Referrers) -> Referrers {
    if seen != from || from == Referrers::Many {
        Referrers::Many
    } else {
        seen
    }
}

/// Note that `from` refers to `target`.
fn note(map: &mut HashMap<u32, Referrers>, target: u32, from: Referrers) {
    map.entry(target)
        .and_modify(|seen| *seen = merge(*seen, from))
        .or_insert(from);
}

/// A trailer's references: its `/Info` counts as the trailer; its `/Root`, `/Encrypt` or
/// anything else as more than one referrer (the catalog is never "only the trailer's").
fn note_trailer(map: &mut HashMap<u32, Referrers>, trailer: &crate::pdf::object::Dict) {
    for (k, v) in trailer {
        let who = if k.as_slice() == b"Info" {
            Referrers::Trailer
        } else {
            Referrers::Many
        };
        for_each_ref(v, 0, &mut |t, _| note(map, t, who));
    }
}

/// Who refers to each object of revision `rev`, read once, metered.
pub(super) fn referrers(doc: &Document, rev: usize) -> ReferrerIndex {
    let mut index = ReferrerIndex::default();
    for (i, r) in doc.revisions.iter().enumerate() {
        let map = if i <= rev {
            &mut index.signed
        } else {
            &mut index.later
        };
        note_trailer(map, &r.trailer);
    }
    let numbers: std::collections::BTreeSet<u32> = doc.revisions[..=rev]
        .iter()
        .flat_map(|s| s.entries.keys().copied())
        .collect();
    for n in numbers {
        if doc.meter().check().is_err() {
            break;
        }
        // An xref stream's dictionary is a trailer (ISO 32000-2 §7.5.8.2), counted above.
        if doc.is_xref_stream_object(rev, n) {
            continue;
        }
        if let Ok(Some(o)) = doc.object(rev, n) {
            for_each_ref(&o, 0, &mut |t, _| {
                note(&mut index.signed, t, Referrers::One(n))
            });
        }
    }
    index
}

/// Call `f` with every reference (number, generation) in `o`: dictionaries, arrays and
/// stream dictionaries, nested at most 32 deep as the parser allows.
pub(super) fn for_each_ref(o: &Object, depth: usize, f: &mut impl FnMut(u32, u16)) {
    if depth > 32 {
        return;
    }
    match o {
        Object::Ref(n, g) => f(*n, *g),
        Object::Array(a) => a.iter().for_each(|x| for_each_ref(x, depth + 1, f)),
        Object::Dict(d) | Object::Stream(d, _) => {
            d.iter().for_each(|(_, v)| for_each_ref(v, depth + 1, f))
        }
        _ => {}
    }
}

/// Whether `value` refers to `num` itself or through direct dictionaries (a state dictionary
/// written in the `/AP` dictionary).
fn refers_to(value: &Object, num: u32, depth: usize) -> bool {
    match value {
        Object::Ref(n, _) => *n == num,
        Object::Dict(d) if depth < MAX_AP_DEPTH => {
            d.iter().any(|(_, v)| refers_to(v, num, depth + 1))
        }
        _ => false,
    }
}

impl Ctx<'_, '_> {
    /// The widget whose appearance object `num` is, when the signed revision reaches `num`
    /// from that widget's `/AP` and from nowhere else: through one chain of objects each
    /// referred to once (an indirect `/AP` dictionary, an indirect state dictionary).
    pub(super) fn appearance_owner(&self, num: u32) -> Option<u32> {
        let index = self.referrers();
        let mut cur = num;
        for _ in 0..MAX_AP_DEPTH {
            let Some(Referrers::One(by)) = index.get(cur) else {
                return None;
            };
            let obj = self.doc.object(self.signed, by).ok().flatten()?;
            if let Some(ap) = obj.get(b"AP") {
                return (self.is_page_widget(by, &obj)
                    && refers_to(ap, cur, 0)
                    && !refers_outside_ap(&obj, cur))
                .then_some(by);
            }
            // An intermediate appearance or state dictionary: a plain dictionary, never a
            // stream or anything typed.
            if !matches!(obj, Object::Dict(_)) || obj.get(b"Type").is_some() {
                return None;
            }
            cur = by;
        }
        None
    }

    /// Whether `obj` (object `num`) is a widget annotation (ISO 32000-2 §12.5.6.19) that a page
    /// of the signed revision names in its `/Annots`: a dictionary, never a page or a stream
    /// that merely carries `/AP`.
    fn is_page_widget(&self, num: u32, obj: &Object) -> bool {
        matches!(obj, Object::Dict(_))
            && obj.get(b"Subtype").and_then(Object::as_name) == Some(b"Widget")
            && obj.type_name().is_none_or(|t| t == b"Annot")
            && self.page_annotations(false).contains(&num)
    }

    /// Whether the widget `w`'s field was signed or filled after the signed revision, as the
    /// policy allows: an empty signature field that now holds one of the document's
    /// signatures, or a form field with a new value (ISO 32000-2 §12.8.2.2) that neither a
    /// certification with P=1 nor a FieldMDP lock (§12.8.2.4) forbids.
    pub(super) fn filled_or_signed(&self, w: u32) -> bool {
        self.filled_or_signed_from(w, w)
    }

    /// [`Self::filled_or_signed`] for widget `w` of the final state, whose value in the
    /// signed revision was held by object `before` (`w` itself, or the field it was split from).
    pub(super) fn filled_or_signed_from(&self, before: u32, w: u32) -> bool {
        let Some(latest) = self.doc.object(self.latest, w).ok().flatten() else {
            return false;
        };
        // A value that is a reference the signed revision cannot resolve was not a value: one
        // written later under that number would pass for a new one.
        let before = self.written_value(self.signed, before);
        let after = self.written_value(self.latest, w);
        if matches!(before, Some(None)) || matches!(after, Some(None)) {
            return false;
        }
        if self.is_sig_field(&latest) {
            return before.is_none()
                && self.widget_newly_signed(&latest)
                && self.signing_allowed_for(w, &latest).is_ok();
        }
        let name = self.field_name(&latest);
        self.policy.docmdp != Some(1)
            && !self.policy.locks.iter().any(|l| l.locks(&name))
            && after.is_some()
            && before != after
    }

    /// An appearance object (stream or dictionary) rewritten under its own number: allowed
    /// when it belongs to one widget only and that widget's field was signed or filled.
    pub(super) fn rewritten_appearance_ok(&self, num: u32) -> bool {
        self.appearance_owner(num)
            .is_some_and(|w| self.filled_or_signed(w))
    }
}

/// Whether widget `obj` refers to `num` in an entry other than `/AP` (its `/Contents`, `/MK`,
/// anything): then `num` is not only its appearance.
fn refers_outside_ap(obj: &Object, num: u32) -> bool {
    refers_outside(obj, b"AP", num)
}

/// Whether dictionary `obj` refers to `num` in an entry other than `key`.
pub(super) fn refers_outside(obj: &Object, key: &[u8], num: u32) -> bool {
    let Some(d) = obj.as_dict() else {
        return true;
    };
    let mut found = false;
    for (k, v) in d {
        if k.as_slice() != key {
            for_each_ref(v, 0, &mut |t, _| found |= t == num);
        }
    }
    found
}
