//! A field split from its widget: a field written as one dictionary with its widget (ISO
//! 32000-2 §12.7.4.1: "the field dictionary and the annotation dictionary may be merged") that
//! a later editor writes as a field with `/Kids` holding a new widget dictionary, the page's
//! `/Annots` naming the new widget where the merged one was. Nothing drawn changes when the new
//! widget carries the merged dictionary's annotation entries unchanged and the field keeps its
//! field entries; its value and appearance may then change only as form filling allows, which
//! the field's own rules still judge.

use super::diff::Ctx;
use crate::pdf::object::{dict_get, Dict, Object};

/// The entries that belong to the field (ISO 32000-2 Table 226, and the variable-text and
/// choice entries of Tables 228-231), not to its widget annotation.
const FIELD_KEYS: &[&[u8]] = &[
    b"FT", b"Parent", b"Kids", b"T", b"TU", b"TM", b"Ff", b"V", b"DV", b"DA", b"Q", b"DS", b"RV",
    b"MaxLen", b"Opt", b"TI", b"I", b"Lock", b"SV",
];

/// The entries of a widget that draw it (§12.5.5, Table 191 `/MK`): they may change with the
/// field's value when form filling allows it.
const APPEARANCE_KEYS: &[&[u8]] = &[b"AP", b"AS", b"MK"];

fn is_field_key(k: &[u8]) -> bool {
    FIELD_KEYS.contains(&k)
}

impl Ctx<'_, '_> {
    /// The new widget that merged field-widget `f` of the signed revision was split into, when
    /// it was split as the module describes.
    pub(super) fn split_widget(&self, f: u32) -> Option<u32> {
        let old = self.doc.object(self.signed, f).ok().flatten()?;
        let new = self.doc.object(self.latest, f).ok().flatten()?;
        let (od, nd) = (old.as_dict()?, new.as_dict()?);
        let merged = dict_get(od, b"Subtype").and_then(Object::as_name) == Some(b"Widget")
            && dict_get(od, b"Kids").is_none()
            && (dict_get(od, b"FT").is_some() || dict_get(od, b"T").is_some());
        // The field keeps its field entries (its value aside) and holds nothing else but /Kids.
        let field_kept = nd.iter().all(|(k, _)| is_field_key(k))
            && od
                .iter()
                .filter(|(k, _)| is_field_key(k) && k.as_slice() != b"V")
                .all(|(k, v)| dict_get(nd, k) == Some(v));
        // The page named the merged dictionary and now names the new widget instead.
        let on_page =
            self.page_annotations(false).contains(&f) && !self.page_annotations(true).contains(&f);
        if !merged || !field_kept || !on_page {
            return None;
        }
        let kids = self.refs(self.latest, dict_get(nd, b"Kids"));
        let [w] = kids.as_slice() else {
            return None;
        };
        let is_new = matches!(self.doc.object(self.signed, *w), Ok(None));
        let widget = self.doc.object(self.latest, *w).ok().flatten()?;
        let wd = widget.as_dict()?;
        let parent_ok = dict_get(wd, b"Parent")
            .and_then(Object::as_ref)
            .map(|(n, _)| n)
            == Some(f);
        let placed = self.page_annotations(true).contains(w);
        (is_new && placed && parent_ok && self.carries_widget(od, wd, (f, *w))).then_some(*w)
    }

    /// Whether widget `wd` (object `w`) holds exactly the annotation entries of the merged
    /// dictionary `od` (object `f`), its appearance aside when its field was filled as the
    /// policy allows.
    fn carries_widget(&self, od: &Dict, wd: &Dict, (f, w): (u32, u32)) -> bool {
        let widget_part = |d: &Dict| -> Vec<(Vec<u8>, Object)> {
            d.iter()
                .filter(|(k, _)| !is_field_key(k))
                .filter(|(k, _)| !APPEARANCE_KEYS.contains(&k.as_slice()))
                .cloned()
                .collect()
        };
        // The new widget is a widget only: no value, name or kids of its own.
        if wd
            .iter()
            .any(|(k, _)| is_field_key(k) && k.as_slice() != b"Parent")
        {
            return false;
        }
        let (mut a, mut b) = (widget_part(od), widget_part(wd));
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        if a != b {
            return false;
        }
        let same_look = APPEARANCE_KEYS
            .iter()
            .all(|k| dict_get(od, k) == dict_get(wd, k));
        same_look || self.filled_or_signed_from(f, w)
    }

    /// The merged field-widgets of `old` (a page's annotations in the signed revision) that
    /// were split, each with the widget of `new` (the final annotations) standing in its place.
    pub(super) fn splits(&self, old: &[u32], new: &[u32]) -> Vec<(u32, u32)> {
        old.iter()
            .filter(|r| !new.contains(r))
            .filter_map(|r| self.split_widget(*r).map(|w| (*r, w)))
            .filter(|(_, w)| new.contains(w))
            .collect()
    }

    /// The keys of a split field that changed as the split changes them: the widget entries
    /// it handed over, and its new `/Kids`.
    pub(super) fn split_keys(
        &self,
        num: u32,
        keys: &std::collections::BTreeSet<Vec<u8>>,
    ) -> Option<std::collections::BTreeSet<Vec<u8>>> {
        self.split_widget(num)?;
        Some(
            keys.iter()
                .filter(|k| is_field_key(k) && k.as_slice() != b"Kids")
                .cloned()
                .collect(),
        )
    }
}
