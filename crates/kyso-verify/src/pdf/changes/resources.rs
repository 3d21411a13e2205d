//! Resources that gain names after signing draw nothing new only if the signed content never
//! names them (ISO 32000-2 §7.8.3): a content stream may name a resource the page did not yet
//! define (`/X0 Do` with no `/X0`), which a later update could then supply. The names a
//! resource dictionary gained are looked for in every content stream of the signed pages and
//! in the form XObjects their resources hold.

use super::diff::{page_nodes, Ctx};
use crate::pdf::object::{dict_get, Dict, Object};
use std::collections::BTreeSet;

impl Ctx<'_, '_> {
    /// The names `new` holds that `old` did not: in the dictionary itself, and for a whole
    /// `/Resources` (`whole`) in each category dictionary.
    pub(super) fn added_names(&self, od: &Dict, nd: &Dict, whole: bool) -> BTreeSet<Vec<u8>> {
        if !whole {
            return nd
                .iter()
                .filter(|(k, _)| dict_get(od, k).is_none())
                .map(|(k, _)| k.clone())
                .collect();
        }
        let mut out = BTreeSet::new();
        for (category, nv) in nd {
            let old = self.resolve(self.signed, dict_get(od, category));
            let new = self.resolve(self.latest, Some(nv));
            let (Some(n), o) = (new.as_ref().and_then(Object::as_dict), old.as_ref()) else {
                continue;
            };
            let o = o.and_then(Object::as_dict);
            for (name, _) in n {
                if o.is_none_or(|o| dict_get(o, name).is_none()) {
                    out.insert(name.clone());
                }
            }
        }
        out
    }

    /// Whether no content stream of the signed pages, nor any form XObject, pattern or Type 3
    /// glyph their resources reach (at any depth), names one of `names` (a name written with
    /// `#` escapes counts as naming anything; a stream that cannot be read, too).
    pub(super) fn names_unused(&self, names: &BTreeSet<Vec<u8>>) -> bool {
        if names.is_empty() {
            return true;
        }
        let rev = self.signed;
        let mut todo: Vec<u32> = Vec::new();
        let mut resources: Vec<Object> = Vec::new();
        for node in page_nodes(self.doc, rev) {
            // Appearance streams without /Resources of their own fall back on the page's in
            // viewers (poppler): every state of every annotation's /AP.
            for annot in self.refs(rev, node.get(b"Annots")) {
                let ap = self
                    .doc
                    .object(rev, annot)
                    .ok()
                    .flatten()
                    .and_then(|a| self.resolve(rev, a.get(b"AP")));
                todo.extend(self.appearance_streams(ap.as_ref()));
            }
            match self.resolve(rev, node.get(b"Contents")) {
                Some(Object::Array(a)) => {
                    todo.extend(a.iter().filter_map(|x| x.as_ref().map(|r| r.0)))
                }
                _ => todo.extend(node.get(b"Contents").and_then(Object::as_ref).map(|r| r.0)),
            }
            resources.extend(self.resolve(rev, node.get(b"Resources")));
        }
        let mut seen = BTreeSet::new();
        loop {
            for r in resources.drain(..) {
                todo.extend(self.drawn_by(&r));
            }
            let Some(n) = todo.pop() else { return true };
            // A hostile closure ends as "used" (the names may not be added), never unbounded.
            if seen.len() > 100_000 || self.doc.meter().check().is_err() {
                return false;
            }
            if !seen.insert(n) {
                continue;
            }
            let Ok(Some(obj)) = self.doc.object(rev, n) else {
                continue;
            };
            if obj.get(b"Subtype").and_then(Object::as_name) == Some(b"Image") {
                continue;
            }
            if !self.stream_avoids(n, names) {
                return false;
            }
            resources.extend(self.resolve(rev, obj.get(b"Resources")));
        }
    }

    /// The streams of an appearance dictionary (`/N`, `/R`, `/D`, each a stream or a
    /// dictionary of states, ISO 32000-2 §12.5.5).
    fn appearance_streams(&self, ap: Option<&Object>) -> Vec<u32> {
        let mut out = Vec::new();
        for (_, v) in ap
            .and_then(Object::as_dict)
            .map(|d| d.as_slice())
            .unwrap_or(&[])
        {
            match v {
                Object::Ref(n, _) => match self.doc.object(self.signed, *n) {
                    Ok(Some(Object::Dict(states))) => {
                        out.extend(states.iter().filter_map(|(_, s)| s.as_ref().map(|r| r.0)))
                    }
                    _ => out.push(*n),
                },
                Object::Dict(states) => {
                    out.extend(states.iter().filter_map(|(_, s)| s.as_ref().map(|r| r.0)))
                }
                _ => {}
            }
        }
        out
    }

    /// Whether no default appearance string of the signed form (the form's `/DA`, every
    /// field's) names one of `names` (ISO 32000-2 §12.7.4.3).
    pub(super) fn names_unused_in_da(&self, form: &Dict, names: &BTreeSet<Vec<u8>>) -> bool {
        if names.is_empty() {
            return true;
        }
        let mut strings: Vec<Vec<u8>> = Vec::new();
        if let Some(Object::Str(b, _, _)) = dict_get(form, b"DA") {
            strings.push(b.clone());
        }
        let mut todo = self.refs(self.signed, dict_get(form, b"Fields"));
        let mut seen = BTreeSet::new();
        while let Some(f) = todo.pop() {
            if seen.len() > 100_000 || self.doc.meter().check().is_err() {
                return false;
            }
            if !seen.insert(f) {
                continue;
            }
            let Some(o) = self.doc.object(self.signed, f).ok().flatten() else {
                continue;
            };
            if let Some(Object::Str(b, _, _)) = o.get(b"DA") {
                strings.push(b.clone());
            }
            todo.extend(self.refs(self.signed, o.get(b"Kids")));
        }
        strings.iter().all(|da| !names_any(da, names))
    }

    /// The streams a resource dictionary draws with: its form XObjects, patterns and the
    /// glyph procedures of its Type 3 fonts.
    fn drawn_by(&self, resources: &Object) -> Vec<u32> {
        let rev = self.signed;
        let entries = |key: &[u8]| -> Vec<Object> {
            self.resolve(rev, resources.get(key))
                .and_then(|d| {
                    d.as_dict()
                        .map(|d| d.iter().map(|(_, v)| v.clone()).collect())
                })
                .unwrap_or_default()
        };
        let mut out: Vec<u32> = entries(b"XObject")
            .iter()
            .chain(entries(b"Pattern").iter())
            .filter_map(|v| v.as_ref().map(|r| r.0))
            .collect();
        for font in entries(b"Font") {
            let procs = self
                .resolve(rev, Some(&font))
                .and_then(|f| self.resolve(rev, f.get(b"CharProcs")));
            if let Some(d) = procs.as_ref().and_then(Object::as_dict) {
                out.extend(d.iter().filter_map(|(_, v)| v.as_ref().map(|r| r.0)));
            }
        }
        out
    }

    /// Whether stream `num` of the signed revision names none of `names`.
    fn stream_avoids(&self, num: u32, names: &BTreeSet<Vec<u8>>) -> bool {
        let Ok(Some(Object::Stream(d, data))) = self.doc.object(self.signed, num) else {
            return true; // not a stream: nothing drawn from it
        };
        let Ok(bytes) = self.doc.decode_stream((num, 0), &d, data) else {
            return false;
        };
        !names_any(&bytes, names) && !bytes.contains(&b'#')
    }
}

/// Whether `bytes` (content or a default appearance string) write one of `names` as a name
/// token: `/Name` followed by a delimiter, whitespace or the end.
fn names_any(bytes: &[u8], names: &BTreeSet<Vec<u8>>) -> bool {
    let delimiter = |b: u8| b"()<>[]{}/% \t\r\n\x0c\0".contains(&b);
    names.iter().any(|name| {
        let mut token = vec![b'/'];
        token.extend_from_slice(name);
        memchr::memmem::find_iter(bytes, &token)
            .any(|at| bytes.get(at + token.len()).is_none_or(|b| delimiter(*b)))
    })
}
