//! A new signature widget on a signed page (ISO 32000-2 §12.8.2.2: signing is allowed at
//! DocMDP P=2 and P=3): invisible, or signed and covering at most a quarter of the page as a
//! viewer shows it. An unsigned or page-sized visible widget can paint over signed content (the
//! Sneaky Signature attack).

use super::diff::Ctx;
use super::reason::ChangeReason;
use crate::pdf::object::{dict_get, Dict, Object};

/// The page size assumed when a page has no readable box (A4, in points).
const DEFAULT_PAGE_AREA: f64 = 595.0 * 842.0;

impl Ctx<'_, '_> {
    /// A new widget `a` (object `r`) of a signature field, on `page` when the caller knows it.
    pub(super) fn added_signature_widget(
        &self,
        r: u32,
        a: &Object,
        page: Option<&Dict>,
    ) -> Result<(), ChangeReason> {
        self.signing_allowed_for(r, a)?;
        self.runs_nothing(r, a)?;
        self.signature_drawn_ok(r, a, page)
    }

    /// A signature widget `a` (object `r`) that draws after signing, new or signed in place:
    /// invisible, or the one widget of a field holding a new signature of its own, covering at
    /// most a quarter of `page` (the page naming it, when known).
    pub(super) fn signature_drawn_ok(
        &self,
        r: u32,
        a: &Object,
        page: Option<&Dict>,
    ) -> Result<(), ChangeReason> {
        let area = self.rect_area(a.get(b"Rect"));
        let hidden = a
            .get(b"F")
            .and_then(Object::as_int)
            .is_some_and(|f| f & 2 != 0);
        if hidden || area == Some(0.0) {
            return Ok(()); // invisible signature
        }
        if !self.widget_newly_signed(a) {
            return Err(ChangeReason::UnsignedVisibleSignature { widget: r });
        }
        // At P=1 nothing may change on the page: a document timestamp may follow, unseen.
        if self.policy.docmdp == Some(1) {
            return Err(ChangeReason::DrawnWithoutPermission { widget: r });
        }
        if !self.sole_widget(r, a) {
            return Err(ChangeReason::WidgetNotOfItsField { widget: r });
        }
        // The page that names the widget, never the widget's own /P (which the update writes).
        let page = page.map(|p| Object::Dict(p.clone()));
        let page_area = self.page_area(page.as_ref());
        // All the signature widgets added to the page together, not one by one (four
        // quarter-page widgets cover it all).
        let added = page.as_ref().map_or(0.0, |p| self.new_widgets_area(p));
        match area {
            Some(area) if area.max(added) <= page_area / 4.0 => Ok(()),
            // Larger, or a /Rect that is not four numbers (a viewer may still draw it).
            _ => Err(ChangeReason::LargeSignatureWidget { widget: r }),
        }
    }

    /// A new signature field or widget `a` (object `r`): signing draws a signature; it runs
    /// nothing (ISO 32000-2 §12.6: `/A`, `/AA` actions, which could hide a field or set its
    /// value when the page opens) and is not put behind optional content (`/OC`).
    pub(super) fn runs_nothing(&self, r: u32, a: &Object) -> Result<(), ChangeReason> {
        let acts: std::collections::BTreeSet<Vec<u8>> = [&b"A"[..], b"AA", b"OC"]
            .iter()
            .filter(|k| a.get(k).is_some())
            .map(|k| k.to_vec())
            .collect();
        if acts.is_empty() {
            return Ok(());
        }
        Err(ChangeReason::KeysChanged {
            object: r,
            kind: "new annotation or signature field".into(),
            keys: super::reason::Keys(acts),
        })
    }

    /// The area the visible signature widgets added to `page` after the signed revision cover
    /// together (a `/Rect` that is not four numbers counts as the whole page).
    fn new_widgets_area(&self, page: &Object) -> f64 {
        let signed = self.page_annotations(false);
        self.refs(self.latest, page.get(b"Annots"))
            .into_iter()
            .filter(|r| !signed.contains(r))
            .filter_map(|r| self.doc.object(self.latest, r).ok().flatten())
            .filter(|a| a.get(b"Subtype").and_then(Object::as_name) == Some(b"Widget"))
            .filter(|a| {
                !a.get(b"F")
                    .and_then(Object::as_int)
                    .is_some_and(|f| f & 2 != 0)
            })
            .map(|a| self.rect_area(a.get(b"Rect")).unwrap_or(f64::INFINITY))
            .sum()
    }

    /// The page of the final state whose `/Annots` names annotation `num`.
    pub(super) fn page_naming(&self, num: u32) -> Option<Object> {
        super::diff::page_nodes(self.doc, self.latest)
            .into_iter()
            .find(|p| self.refs(self.latest, p.get(b"Annots")).contains(&num))
    }

    /// The signed page whose `/Annots` is the indirect array `num`, as the final state has it.
    pub(super) fn array_page(&self, num: u32) -> Option<Object> {
        let Some(super::appearance::Referrers::One(by)) = self.referrers().get(num) else {
            return None;
        };
        let page = self.doc.object(self.latest, by).ok().flatten()?;
        (page.type_name() == Some(b"Page")).then_some(page)
    }

    /// The area of a rectangle (`[llx lly urx ury]`, ISO 32000-2 §7.9.5), each number read
    /// through its reference; `None` unless it is exactly four numbers.
    fn rect_area(&self, o: Option<&Object>) -> Option<f64> {
        let a = self.resolve(self.latest, o)?;
        let v: Vec<f64> = a
            .as_array()?
            .iter()
            .map(|x| match self.resolve(self.latest, Some(x)) {
                Some(Object::Int(i)) => Some(i as f64),
                Some(Object::Real(r)) => Some(r),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let [x0, y0, x1, y1] = v.as_slice() else {
            return None;
        };
        Some(((x1 - x0) * (y1 - y0)).abs())
    }

    /// The area of the page as a viewer shows it: the smaller of its `/MediaBox` and
    /// `/CropBox` (both inheritable from the page tree, ISO 32000-2 §7.7.3.3, Table 31).
    fn page_area(&self, page: Option<&Object>) -> f64 {
        let mut boxes: [Option<f64>; 2] = [None, None];
        let mut cur = page.cloned();
        for _ in 0..32 {
            let Some(node) = cur else { break };
            for (i, key) in [&b"MediaBox"[..], b"CropBox"].iter().enumerate() {
                if boxes[i].is_none() {
                    boxes[i] = node.get(key).and_then(|b| self.rect_area(Some(b)));
                }
            }
            cur = self.resolve(self.latest, node.get(b"Parent"));
        }
        boxes
            .iter()
            .flatten()
            .copied()
            .filter(|a| *a > 0.0)
            .reduce(f64::min)
            .unwrap_or(DEFAULT_PAGE_AREA)
    }
}

impl Ctx<'_, '_> {
    /// What the form gives viewers to draw fields with (ISO 32000-2 §12.7.3, Table 224): the
    /// default resources may gain names but not change one, a default appearance string may be
    /// added but not changed, and `/NeedAppearances` may not be turned on (viewers would draw
    /// every field again from its value and these resources, not as it was signed: the shadow
    /// attack "replace" without touching a widget).
    pub(super) fn form_drawing(
        &self,
        num: u32,
        od: &Dict,
        nd: &Dict,
        keys: &std::collections::BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        let refused = |key: &[u8]| ChangeReason::KeysChanged {
            object: num,
            kind: "/AcroForm".into(),
            keys: super::reason::Keys([key.to_vec()].into_iter().collect()),
        };
        if keys.contains(&b"NeedAppearances"[..])
            && !matches!(
                dict_get(nd, b"NeedAppearances"),
                None | Some(Object::Bool(false))
            )
        {
            return Err(ChangeReason::AppearancesRegenerated { form: num });
        }
        if keys.contains(&b"DA"[..]) && dict_get(od, b"DA").is_some() {
            return Err(refused(b"DA"));
        }
        if keys.contains(&b"DR"[..]) {
            let old = self.resolve(self.signed, dict_get(od, b"DR"));
            let new = self.resolve(self.latest, dict_get(nd, b"DR"));
            if old.is_some() && !self.entries_kept(old.as_ref(), new.as_ref(), true) {
                return Err(refused(b"DR"));
            }
            // A name the default appearance strings (/DA) already use would change how a
            // viewer draws the fields it builds appearances for.
            let added = match (
                old.as_ref().and_then(Object::as_dict),
                new.as_ref().and_then(Object::as_dict),
            ) {
                (Some(o), Some(n)) => self.added_names(o, n, true),
                (None, Some(n)) => self.added_names(&Vec::new(), n, true),
                _ => Default::default(),
            };
            if !self.names_unused_in_da(od, &added) {
                return Err(refused(b"DR"));
            }
        }
        Ok(())
    }
}

/// Whether `d` may be judged as a form field: a field dictionary, or a widget (a field's
/// merged widget); never another kind of annotation that merely carries `/FT` (ISO 32000-2
/// §12.7.4.1: only widget annotations merge with fields).
pub(super) fn may_be_field(d: &Dict) -> bool {
    match dict_get(d, b"Subtype").and_then(Object::as_name) {
        None => true,
        Some(s) => s == b"Widget",
    }
}
