//! The rules for each kind of object that may change after a signature (ISO 32000-2 §12.8.2):
//! the catalog, pages and their annotations, the interactive form and its fields. Each returns
//! why a change is refused, or nothing.

use super::diff::{differing_keys, except, Ctx};
use super::reason::{ChangeReason, Keys};
use crate::pdf::object::{dict_get, Dict, Object};
use std::collections::BTreeSet;

impl Ctx<'_, '_> {
    /// The catalog: only its form, validation data, extensions, version, metadata and usage
    /// rights may change (ISO 32000-2 §12.8.2.2: DocMDP P=2 allows form filling and signing,
    /// which touch `/AcroForm`; `/DSS` is validation data, ETSI EN 319 142-1 §5.4), each judged
    /// further where it can hide content.
    pub(super) fn catalog(
        &self,
        num: u32,
        od: &Dict,
        nd: &Dict,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        let allowed: &[&[u8]] = &[
            b"AcroForm",
            b"DSS",
            b"Extensions",
            b"Version",
            b"Metadata",
            b"Perms",
        ];
        let rest = except(keys, allowed);
        if !rest.is_empty() {
            return Err(ChangeReason::KeysChanged {
                object: num,
                kind: "/Catalog".into(),
                keys: Keys(rest),
            });
        }
        if keys.contains(&b"Perms"[..]) {
            self.perms(num, od, nd)?;
        }
        if keys.contains(&b"AcroForm"[..]) {
            let oa = self.resolve(self.signed, dict_get(od, b"AcroForm"));
            let na = self
                .resolve(self.latest, dict_get(nd, b"AcroForm"))
                .ok_or(ChangeReason::AcroFormRemoved { catalog: num })?;
            let empty = Vec::new();
            self.acroform(
                num,
                oa.as_ref().and_then(Object::as_dict).unwrap_or(&empty),
                na.as_dict().unwrap_or(&empty),
            )?;
        }
        Ok(())
    }

    /// A page: only its annotations may grow (each new one judged), plus the keys the
    /// certification level allows (ISO 32000-2 §12.8.2.2, Table 257: annotations at P=3 only).
    pub(super) fn page(
        &self,
        num: u32,
        od: &Dict,
        nd: &Dict,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        // /Tabs is the tab order of the page's annotations: it may change where annotations may
        // (P=3), as iText reads §12.8.2.2. /StructParents ties the page to the structure tree
        // (§14.7.5.4), which may follow allowed changes (not at P=1).
        let allowed: &[&[u8]] = match self.policy.docmdp {
            Some(3) => &[b"Annots", b"Tabs", b"StructParents"],
            Some(1) => &[b"Annots"],
            _ => &[b"Annots", b"StructParents"],
        };
        let mut rest = except(keys, allowed);
        // Resources that only gained names draw nothing new: the signed content streams
        // cannot name what they did not have (ISO 32000-2 §7.8.3).
        if self.policy.docmdp != Some(1) && rest.contains(&b"Resources"[..]) {
            let old = self.resolve(self.signed, dict_get(od, b"Resources"));
            let new = self.resolve(self.latest, dict_get(nd, b"Resources"));
            if self.only_grew(old.as_ref(), new.as_ref(), true) {
                rest.remove(&b"Resources"[..]);
            }
        }
        if !rest.is_empty() {
            return Err(ChangeReason::KeysChanged {
                object: num,
                kind: "/Page".into(),
                keys: Keys(rest),
            });
        }
        let old_annots = self.refs(self.signed, dict_get(od, b"Annots"));
        let new_annots = self.refs(self.latest, dict_get(nd, b"Annots"));
        // A merged field-widget split into a field and a new widget (`split`) keeps its place.
        let splits = self.splits(&old_annots, &new_annots);
        let kept = |r: &u32| new_annots.contains(r) || splits.iter().any(|(f, _)| f == r);
        if !old_annots.iter().all(kept) {
            return Err(ChangeReason::AnnotationsRemoved { page: num });
        }
        for r in new_annots.iter().filter(|r| !old_annots.contains(r)) {
            if !splits.iter().any(|(_, w)| w == r) {
                self.added_annotation(*r, Some(nd))?;
            }
        }
        Ok(())
    }

    /// A node of the page tree (ISO 32000-2 §7.7.3.2): nothing it passes to its pages may
    /// change. iText writes its version (`/ITXT`, a key of its own that no viewer reads) into
    /// the root node when a later signer saves, as the BCY signing tools (iTextSharp 5.5) do:
    /// that alone is allowed, as EU DSS allows it.
    pub(super) fn pages_node(
        &self,
        num: u32,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        let rest = except(keys, &[b"ITXT"]);
        if rest.is_empty() {
            return Ok(());
        }
        Err(ChangeReason::KeysChanged {
            object: num,
            kind: "/Pages".into(),
            keys: Keys(rest),
        })
    }

    /// The catalog's `/Extensions` (ISO 32000-2 §7.12, Table 49-50: developer extensions, by
    /// prefix, each a version, a level and a URL that no viewer draws): it may gain or change
    /// extensions (PAdES adds `/ESIC`) as long as it and every entry, before and after, hold
    /// nothing else, so that no other dictionary can pass for it.
    pub(super) fn extensions(
        &self,
        num: u32,
        od: &Dict,
        nd: &Dict,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        let entry_ok = |rev: usize, v: &Object| {
            let entries: Vec<Object> = match self.resolve(rev, Some(v)) {
                Some(Object::Array(a)) => a
                    .iter()
                    .filter_map(|x| self.resolve(rev, Some(x)))
                    .collect(),
                Some(o) => vec![o],
                None => Vec::new(),
            };
            !entries.is_empty()
                && entries.iter().all(|e| {
                    e.as_dict().is_some_and(|d| {
                        d.iter().all(|(k, _)| {
                            matches!(
                                k.as_slice(),
                                b"Type"
                                    | b"BaseVersion"
                                    | b"ExtensionLevel"
                                    | b"ExtensionRevision"
                                    | b"URL"
                            )
                        })
                    })
                })
        };
        let shaped = |rev: usize, d: &Dict| {
            d.iter()
                .all(|(k, v)| k.as_slice() == b"Type" || entry_ok(rev, v))
        };
        if shaped(self.signed, od) && shaped(self.latest, nd) {
            return Ok(());
        }
        Err(ChangeReason::KeysChanged {
            object: num,
            kind: "/Extensions".into(),
            keys: Keys(keys.clone()),
        })
    }

    /// Whether resources `new` hold every entry of `old` unchanged and only add names that no
    /// signed content names ([`Self::names_unused`]); `whole` as for [`Self::entries_kept`].
    pub(super) fn only_grew(
        &self,
        old: Option<&Object>,
        new: Option<&Object>,
        whole: bool,
    ) -> bool {
        if !self.entries_kept(old, new, whole) {
            return false;
        }
        match (old.and_then(Object::as_dict), new.and_then(Object::as_dict)) {
            (Some(od), Some(nd)) => self.names_unused(&self.added_names(od, nd, whole)),
            _ => true,
        }
    }

    /// Whether resources `new` hold every entry of `old` unchanged: in the
    /// dictionary itself, and, for a whole `/Resources` (`whole`), in its category
    /// dictionaries (`/Font`, `/XObject`, ...), whose entries must stay the same objects.
    pub(super) fn entries_kept(
        &self,
        old: Option<&Object>,
        new: Option<&Object>,
        whole: bool,
    ) -> bool {
        let (Some(od), Some(nd)) = (old.and_then(Object::as_dict), new.and_then(Object::as_dict))
        else {
            return old == new;
        };
        od.iter().all(|(k, ov)| match dict_get(nd, k) {
            Some(nv) if nv == ov => true,
            Some(nv) if whole => {
                let o = self.resolve(self.signed, Some(ov));
                let n = self.resolve(self.latest, Some(nv));
                match (
                    o.as_ref().and_then(Object::as_dict),
                    n.as_ref().and_then(Object::as_dict),
                ) {
                    (Some(a), Some(b)) => a.iter().all(|(name, v)| dict_get(b, name) == Some(v)),
                    _ => false,
                }
            }
            Some(_) | None => false,
        })
    }

    /// A page's resources, or one of their category dictionaries, kept as its own object (ISO
    /// 32000-2 §7.8.3): they may only gain names (unless DocMDP P=1).
    pub(super) fn page_resources(
        &self,
        num: u32,
        old: &Object,
        new: &Object,
        whole: bool,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        if self.policy.docmdp != Some(1) && self.only_grew(Some(old), Some(new), whole) {
            return Ok(());
        }
        Err(ChangeReason::KeysChanged {
            object: num,
            kind: "/Resources".into(),
            keys: Keys(keys.clone()),
        })
    }

    /// An indirect array, a page's `/Annots` (`annots`) or a form's `/Fields` or a field's
    /// `/Kids` kept as its own object: only additions of allowed annotations to the first, of
    /// signature fields to the others (ISO 32000-2 §12.8.2.2).
    pub(super) fn grown_array(
        &self,
        num: u32,
        old: &[Object],
        new: &[Object],
        annots: bool,
    ) -> Result<(), ChangeReason> {
        let o: Vec<_> = old
            .iter()
            .filter_map(Object::as_ref)
            .map(|(r, _)| r)
            .collect();
        let n: Vec<_> = new
            .iter()
            .filter_map(Object::as_ref)
            .map(|(r, _)| r)
            .collect();
        let splits = self.splits(&o, &n);
        // The signed entries stay first and in order (a merged field-widget may stand as the
        // widget split from it); new entries come after them.
        let back = |r: &u32| splits.iter().find(|(_, w)| w == r).map_or(*r, |(f, _)| *f);
        let head: Vec<u32> = n.iter().take(o.len()).map(back).collect();
        if o.len() != old.len() || n.len() != new.len() || head != o {
            return Err(ChangeReason::ArrayEntriesRemoved { array: num });
        }
        for r in &n[o.len()..] {
            let obj = self.doc.object(self.latest, *r).ok().flatten();
            let added = ChangeReason::ArrayEntryAdded {
                array: num,
                entry: *r,
            };
            match obj {
                Some(a) if annots && a.get(b"Subtype").is_some() => {
                    let page = self.array_page(num);
                    self.added_annotation(*r, page.as_ref().and_then(Object::as_dict))?;
                }
                Some(f @ Object::Dict(_))
                    if !annots
                        && self.is_sig_field(&f)
                        && f.type_name().is_none_or(|t| t == b"Annot") =>
                {
                    self.signing_allowed_for(*r, &f)?;
                    self.runs_nothing(*r, &f)?;
                }
                _ => return Err(added),
            }
        }
        Ok(())
    }

    /// A new entry of a page's `/Annots`: a signature widget (signing, allowed at DocMDP P=2
    /// and P=3, ISO 32000-2 §12.8.2.2) that is invisible, or signed and small; or, at P=3
    /// only, a sticky note without an appearance of its own.
    pub(super) fn added_annotation(&self, r: u32, page: Option<&Dict>) -> Result<(), ChangeReason> {
        let Some(a) = self.doc.object(self.latest, r).ok().flatten() else {
            return Err(ChangeReason::AnnotationUnreadable { annotation: r });
        };
        let subtype = a.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
        if subtype == b"Widget" && self.is_sig_field(&a) {
            return self.added_signature_widget(r, &a, page);
        }
        let annotations_allowed = self.policy.docmdp == Some(3);
        // A pop-up shows its parent's text (ISO 32000-2 §12.5.6.14): only a new sticky note's.
        let popup_of_new_note = || {
            let parent = a.get(b"Parent").and_then(Object::as_ref).map(|(n, _)| n);
            parent.is_some_and(|p| {
                matches!(self.doc.object(self.signed, p), Ok(None))
                    && self
                        .doc
                        .object(self.latest, p)
                        .ok()
                        .flatten()
                        .is_some_and(|o| {
                            o.get(b"Subtype").and_then(Object::as_name) == Some(b"Text")
                        })
            })
        };
        let note = subtype == b"Text" || (subtype == b"Popup" && popup_of_new_note());
        if annotations_allowed && note && a.get(b"AP").is_none() {
            // A note is text to read: it runs nothing and hides behind nothing.
            return self.runs_nothing(r, &a);
        }
        Err(ChangeReason::AnnotationAdded {
            annotation: r,
            subtype: String::from_utf8_lossy(subtype).into_owned(),
            annotations_allowed,
        })
    }

    /// The interactive form: its fields may grow by signature fields only (signing, ISO
    /// 32000-2 §12.8.2.2), and only the keys that signing and form filling touch may change.
    pub(super) fn acroform(&self, num: u32, od: &Dict, nd: &Dict) -> Result<(), ChangeReason> {
        let keys = differing_keys(od, nd);
        let rest = except(
            &keys,
            &[b"Fields", b"SigFlags", b"DR", b"DA", b"NeedAppearances"],
        );
        if !rest.is_empty() {
            return Err(ChangeReason::KeysChanged {
                object: num,
                kind: "/AcroForm".into(),
                keys: Keys(rest),
            });
        }
        self.form_drawing(num, od, nd, &keys)?;
        let old_fields = self.refs(self.signed, dict_get(od, b"Fields"));
        let new_fields = self.refs(self.latest, dict_get(nd, b"Fields"));
        if old_fields.iter().any(|f| !new_fields.contains(f)) {
            return Err(ChangeReason::FieldsRemoved { form: num });
        }
        for f in new_fields.iter().filter(|f| !old_fields.contains(f)) {
            let is_sig = self
                .doc
                .object(self.latest, *f)
                .ok()
                .flatten()
                .is_some_and(|o| self.is_sig_field(&o));
            if !is_sig {
                return Err(ChangeReason::FieldAdded {
                    form: num,
                    field: *f,
                });
            }
            if let Some(o) = self.doc.object(self.latest, *f).ok().flatten() {
                self.signing_allowed_for(*f, &o)?;
                self.runs_nothing(*f, &o)?;
            }
        }
        Ok(())
    }

    /// A change to an existing form field (or its widget): signing an empty signature field,
    /// or form filling, which DocMDP P=1 (ISO 32000-2 §12.8.2.2) and FieldMDP locks
    /// (§12.8.2.4) refuse.
    pub(super) fn field_change(
        &self,
        num: u32,
        old: &Object,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        let name = self.field_name(old);
        // A merged field-widget split in two: its widget entries went to the new widget,
        // which the page's rules judge; what is left is judged here.
        let split = self.split_keys(num, keys);
        let keys = split.as_ref().unwrap_or(keys);
        if self.field_type(old) == Some(b"Sig".to_vec()) {
            return self.signature_field_change(num, name, old, keys);
        }
        self.form_filled(num, name, old, keys)
    }

    /// A change to a signature field `name`: signing it when it is empty (its value and
    /// appearance), never a new value for one already signed.
    fn signature_field_change(
        &self,
        num: u32,
        name: String,
        old: &Object,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        // Signing an empty field sets its value and appearance, and signers often set the
        // widget's flags (/F: print) and modification date (/M) as they do.
        // iText adds the widget's page (/P, ISO 32000-2 Table 166, optional: viewers draw
        // annotations from the page's /Annots) when it signs a field written without one.
        let being_signed = old.get(b"V").is_none() && keys.contains(&b"V".to_vec());
        // A field already signed keeps its value and its appearance (the signer's look).
        let allowed: &[&[u8]] = match (being_signed, old.get(b"P").is_none()) {
            (true, true) => &[b"V", b"AP", b"AS", b"F", b"M", b"P"],
            (true, false) => &[b"V", b"AP", b"AS", b"F", b"M"],
            (false, _) => &[b"V"],
        };
        let rest = except(keys, allowed);
        if !rest.is_empty() {
            return Err(ChangeReason::SignatureFieldChanged {
                name,
                object: num,
                keys: Keys(rest),
            });
        }
        if old.get(b"V").is_some() && keys.contains(&b"V".to_vec()) {
            return Err(ChangeReason::SignatureReplaced { name, object: num });
        }
        self.signing_allowed(num)?;
        if being_signed {
            self.signed_in_place(num, name)?;
        }
        Ok(())
    }

    /// An empty signature field `num` given a value: a new signature of its own, and what it
    /// now draws within the size a new signature may have.
    fn signed_in_place(&self, num: u32, name: String) -> Result<(), ChangeReason> {
        let Some(now) = self.doc.object(self.latest, num).ok().flatten() else {
            return Ok(());
        };
        if !self.widget_newly_signed(&now) {
            return Err(ChangeReason::NotASignature { name, object: num });
        }
        if now.get(b"Subtype").and_then(Object::as_name) != Some(b"Widget") {
            return Ok(()); // a field whose widgets are its kids: they are judged on their own
        }
        let page = self.page_naming(num);
        self.signature_drawn_ok(num, &now, page.as_ref().and_then(Object::as_dict))
    }

    /// A new signature in an existing field: at DocMDP P=1 only a document timestamp.
    fn signing_allowed(&self, num: u32) -> Result<(), ChangeReason> {
        match self.doc.object(self.latest, num).ok().flatten() {
            Some(o) => self.signing_allowed_for(num, &o),
            None => Ok(()),
        }
    }

    /// Signing the field `field` (object `num`): DocMDP P=1 allows no change (ISO 32000-2
    /// §12.8.2.2, Table 257), and so no signature but a document timestamp (ETSI EN 319 142-1
    /// §5.4, as pyHanko reads it).
    pub(super) fn signing_allowed_for(&self, num: u32, field: &Object) -> Result<(), ChangeReason> {
        if self.policy.docmdp != Some(1) {
            return Ok(());
        }
        let is_timestamp = self.ancestry(field).iter().any(|x| {
            self.resolve(self.latest, x.get(b"V"))
                .is_some_and(|v| v.type_name() == Some(b"DocTimeStamp"))
        });
        if is_timestamp {
            Ok(())
        } else {
            Err(ChangeReason::SignedWithoutPermission { field: num })
        }
    }

    /// `/Perms` (ISO 32000-2 §12.8.4): usage rights may be added; the certification's /DocMDP
    /// entry (§12.8.2.2) may not be added, removed or changed.
    fn perms(&self, num: u32, od: &Dict, nd: &Dict) -> Result<(), ChangeReason> {
        let docmdp = |rev: usize, d: &Dict| {
            self.resolve(rev, dict_get(d, b"Perms"))
                .and_then(|p| p.get(b"DocMDP").cloned())
        };
        if docmdp(self.signed, od) != docmdp(self.latest, nd) {
            return Err(ChangeReason::CertificationChanged { catalog: num });
        }
        Ok(())
    }
}
