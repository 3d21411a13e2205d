//! What changed after a signature: the state of the signed revision compared with the final
//! state of the file, object by object, from the file's own xref sections. Only what a later
//! signer or archiver legitimately adds is `permitted`; everything else, and anything that cannot
//! be parsed, is `disallowed`, with the object and the reason.
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
//! - with DocMDP P=3 only: new sticky-note annotations (`/Text`, `/Popup`) without their own
//!   appearance. Other annotations can draw anything (the Evil Annotation attack).

use super::object::{dict_get, Dict, Object};
use super::trailing_garbage;
use super::Document;
use std::collections::BTreeSet;

/// Reasons listed one by one in a report; the rest are counted.
const MAX_REASONS: usize = 20;

pub use crate::report::Modifications;

#[derive(Debug, Clone)]
pub struct ChangeReport {
    pub verdict: Modifications,
    /// Why each disallowed change was not allowed, in words.
    pub disallowed: Vec<String>,
}

/// A FieldMDP lock of a signature (`/Reference` with `/TransformMethod /FieldMDP`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldLock {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl FieldLock {
    fn locks(&self, field: &str) -> bool {
        match self {
            FieldLock::All => true,
            FieldLock::Include(v) => v.iter().any(|f| f == field),
            FieldLock::Exclude(v) => !v.iter().any(|f| f == field),
        }
    }
}

/// What the signatures up to this one allow to change afterwards.
#[derive(Debug, Clone, Default)]
pub struct ChangePolicy {
    /// `/P` of the certification signature (1: nothing, 2: form filling and signing, 3: also
    /// annotations).
    pub docmdp: Option<i64>,
    pub locks: Vec<FieldLock>,
    /// Object numbers of the document's signature dictionaries (each one verified on its own):
    /// a field counts as signed only when its /V is one of them.
    pub signatures: BTreeSet<u32>,
}

/// Compare revision `signed` with the final state of `doc`.
pub fn analyse(doc: &Document, signed: usize, policy: &ChangePolicy) -> ChangeReport {
    let mut disallowed = Vec::new();
    if let Some(r) = trailing_garbage(doc) {
        disallowed.push(format!(
            "{} bytes after the last %%EOF do not belong to any revision (an update without an xref, or data hidden after the end of the file)",
            r.len()
        ));
    }
    let latest = doc.latest();
    if signed >= latest {
        return finish(disallowed, false);
    }
    // DocMDP P=1 (ISO 32000-2 Table 257) forbids every change except, as PAdES (ETSI EN
    // 319 142-1 §5.4) and pyHanko read it, validation data (/DSS) and document timestamps: the
    // per-object rules below refuse everything else at P=1.
    check_trailers(doc, signed, &mut disallowed);
    let changed: BTreeSet<u32> = doc.revisions[signed + 1..]
        .iter()
        .flat_map(|s| s.entries.keys().copied())
        .collect();
    // Only the signed revision's /Info may be rewritten: a later trailer naming another object
    // as /Info must not exempt it from the comparison.
    let info: BTreeSet<u32> = doc.revisions[..=signed]
        .iter()
        .filter_map(|s| dict_get(&s.trailer, b"Info").and_then(Object::as_ref))
        .map(|(n, _)| n)
        .collect();
    let ctx = Ctx {
        doc,
        signed,
        latest,
        policy,
        dss_objects: dss_objects(doc, signed),
        page_contents: std::cell::OnceCell::new(),
    };

    for num in changed {
        if num == 0 {
            continue;
        }
        // Enough reasons to fail, or a reading budget spent: judging more changes adds nothing.
        if disallowed.len() > MAX_REASONS || doc.meter().check().is_err() {
            disallowed.push("further changes were not examined".into());
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
    for r in doc.repairs() {
        if r.position() >= signed_end {
            disallowed.push(format!(
                "the update after signing is damaged ({r}); readers that repair it may show content that was not signed"
            ));
        }
    }
    finish(disallowed, true)
}

/// Every later trailer must keep the signed document's root and its encryption (ISO 32000-2
/// §7.6.1: one `/Encrypt` for the whole file; another would make readers decrypt the signed
/// objects with another key, or stop decrypting them).
fn check_trailers(doc: &Document, signed: usize, out: &mut Vec<String>) {
    let root = |d: &Dict| dict_get(d, b"Root").and_then(Object::as_ref);
    let signed_root = root(&doc.revisions[signed].trailer);
    // The dictionary itself, as each revision sees it: an update may rewrite its object.
    let encrypt_in = |rev: usize| match dict_get(&doc.revisions[rev].trailer, b"Encrypt") {
        Some(Object::Ref(n, _)) => Some(doc.object(rev, *n).ok().flatten().unwrap_or(Object::Null)),
        other => other.cloned(),
    };
    let signed_encrypt = encrypt_in(signed);
    for (i, s) in doc.revisions.iter().enumerate().skip(signed + 1) {
        let r = root(&s.trailer);
        if r.is_some() && r != signed_root {
            out.push(format!(
                "revision {} points the trailer's /Root to another catalog: a new document hidden behind the signed one",
                i + 1
            ));
        }
        match (&signed_encrypt, encrypt_in(i)) {
            (None, Some(_)) => {
                out.push(format!("revision {} adds encryption after signing", i + 1))
            }
            (Some(_), None) => out.push(format!(
                "revision {} removes the encryption after signing",
                i + 1
            )),
            (Some(a), Some(b)) if *a != b => out.push(format!(
                "revision {} changes the document's encryption after signing",
                i + 1
            )),
            _ => {}
        }
        // §7.6.4.3.2: under RC4 and AES-128 the key is derived from the first /ID string.
        let id0 = |d: &Dict| {
            dict_get(d, b"ID")
                .and_then(Object::as_array)
                .and_then(|a| a.first().cloned())
        };
        if signed_encrypt.is_some() && id0(&s.trailer) != id0(&doc.revisions[signed].trailer) {
            out.push(format!(
                "revision {} changes the file identifier the encryption key is derived from",
                i + 1
            ));
        }
    }
}

fn finish(mut disallowed: Vec<String>, later_revisions: bool) -> ChangeReport {
    // The report stays small whatever the file: the first reasons, then a count.
    if disallowed.len() > MAX_REASONS {
        let more = disallowed.len() - MAX_REASONS;
        disallowed.truncate(MAX_REASONS);
        disallowed.push(format!("and {more} more"));
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

/// Equal values, and for streams equal data bytes.
fn same(doc: &Document, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(da, ra), Object::Stream(db, rb)) => {
            super::object::dict_eq(da, db) && doc.bytes.get(ra.clone()) == doc.bytes.get(rb.clone())
        }
        _ => a == b,
    }
}

/// Objects that held validation data (`/DSS`, its arrays, `/VRI` entries) in the signed
/// revision: an archiver may update them.
fn dss_objects(doc: &Document, rev: usize) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let Some((root, _)) = doc.revisions[..=rev]
        .iter()
        .rev()
        .find_map(|s| dict_get(&s.trailer, b"Root").and_then(Object::as_ref))
    else {
        return out;
    };
    let resolve = |o: &Object, out: &mut BTreeSet<u32>| -> Option<Object> {
        match o {
            Object::Ref(n, _) => {
                out.insert(*n);
                doc.object(rev, *n).ok().flatten()
            }
            other => Some(other.clone()),
        }
    };
    let Ok(Some(catalog)) = doc.object(rev, root) else {
        return out;
    };
    let Some(dss_ref) = catalog.get(b"DSS") else {
        return out;
    };
    let Some(dss) = resolve(dss_ref, &mut out) else {
        return out;
    };
    if !only_keys(&dss, &[b"Type", b"Certs", b"CRLs", b"OCSPs", b"VRI"]) {
        return BTreeSet::new();
    }
    for key in [&b"Certs"[..], b"CRLs", b"OCSPs"] {
        if let Some(v) = dss.get(key) {
            resolve(v, &mut out);
        }
    }
    if let Some(vri) = dss.get(b"VRI").and_then(|v| resolve(v, &mut out)) {
        for (_, entry) in vri.as_dict().into_iter().flatten() {
            if let Some(e) = resolve(entry, &mut out) {
                for key in [&b"Cert"[..], b"CRL", b"OCSP"] {
                    if let Some(v) = e.get(key) {
                        resolve(v, &mut out);
                    }
                }
            }
        }
    }
    out
}

/// Object numbers of the indirect arrays that pages of revision `rev` use as `/Contents`.
fn page_content_arrays(doc: &Document, rev: usize) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let Some(root) = doc.root(rev) else {
        return out;
    };
    let pages = doc
        .object(rev, root)
        .ok()
        .flatten()
        .and_then(|c| c.get(b"Pages").and_then(Object::as_ref));
    let mut todo: Vec<u32> = pages.map(|(n, _)| n).into_iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(n) = todo.pop() {
        if !seen.insert(n) || seen.len() > 1_000_000 || doc.meter().check().is_err() {
            continue;
        }
        let Ok(Some(node)) = doc.object(rev, n) else {
            continue;
        };
        if let Some((c, _)) = node.get(b"Contents").and_then(Object::as_ref) {
            out.insert(c);
        }
        for kid in node.get(b"Kids").and_then(Object::as_array).unwrap_or(&[]) {
            if let Some((k, _)) = kid.as_ref() {
                todo.push(k);
            }
        }
    }
    out
}

fn only_keys(o: &Object, allowed: &[&[u8]]) -> bool {
    o.as_dict()
        .is_some_and(|d| d.iter().all(|(k, _)| allowed.contains(&k.as_slice())))
}

struct Ctx<'d, 'a> {
    doc: &'d Document<'a>,
    signed: usize,
    latest: usize,
    policy: &'d ChangePolicy,
    dss_objects: BTreeSet<u32>,
    /// Indirect arrays the signed revision's pages use as /Contents, found when first needed.
    page_contents: std::cell::OnceCell<BTreeSet<u32>>,
}

fn name_of(o: &Object) -> String {
    match o.type_name() {
        Some(t) => format!("/{}", String::from_utf8_lossy(t)),
        None => match o {
            Object::Stream(..) => "stream".into(),
            Object::Dict(_) => "dictionary".into(),
            Object::Array(_) => "array".into(),
            _ => "value".into(),
        },
    }
}

/// Keys whose values differ between two dictionaries (added, removed or changed).
fn differing_keys(a: &Dict, b: &Dict) -> BTreeSet<Vec<u8>> {
    let mut out = BTreeSet::new();
    for (k, v) in a {
        if dict_get(b, k) != Some(v) {
            out.insert(k.clone());
        }
    }
    for (k, _) in b {
        if dict_get(a, k).is_none() {
            out.insert(k.clone());
        }
    }
    out
}

fn keys_text(keys: &BTreeSet<Vec<u8>>) -> String {
    keys.iter()
        .map(|k| format!("/{}", String::from_utf8_lossy(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn except(keys: &BTreeSet<Vec<u8>>, allowed: &[&[u8]]) -> BTreeSet<Vec<u8>> {
    keys.iter()
        .filter(|k| !allowed.contains(&k.as_slice()))
        .cloned()
        .collect()
}

fn rect_area(o: Option<&Object>) -> f64 {
    let Some(a) = o.and_then(Object::as_array) else {
        return 0.0;
    };
    let v: Vec<f64> = a
        .iter()
        .filter_map(|x| match x {
            Object::Int(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        })
        .collect();
    if v.len() != 4 {
        return 0.0;
    }
    ((v[2] - v[0]) * (v[3] - v[1])).abs()
}

impl Ctx<'_, '_> {
    /// One object changed after the signed revision: allowed, or why not.
    fn compare(&self, num: u32, info: &BTreeSet<u32>) -> Result<(), String> {
        let doc = self.doc;
        let old = doc
            .object(self.signed, num)
            .map_err(|e| format!("object {num} of the signed revision cannot be read: {e}"))?;
        let new = doc
            .object(self.latest, num)
            .map_err(|e| format!("object {num} written after signing cannot be read: {e}"))?;
        match (old, new) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(format!("object {num} was deleted after signing")),
            (Some(old), Some(new)) => {
                // /Info and the /DSS bookkeeping may change, but never a stream (a content
                // stream listed there by a prepared document would otherwise be exempt).
                let exempt = (info.contains(&num) || self.is_dss_bookkeeping(num, &old))
                    && !matches!(old, Object::Stream(..))
                    && !matches!(new, Object::Stream(..));
                if same(doc, &old, &new) || exempt {
                    return Ok(());
                }
                self.judge(num, &old, &new)
            }
        }
    }

    /// An object of the signed revision's /DSS (the dictionary, its arrays, /VRI entries),
    /// unless it is an array that a page also uses as its /Contents: then it is page content.
    fn is_dss_bookkeeping(&self, num: u32, old: &Object) -> bool {
        self.dss_objects.contains(&num)
            && !(matches!(old, Object::Array(_))
                && self
                    .page_contents
                    .get_or_init(|| page_content_arrays(self.doc, self.signed))
                    .contains(&num))
    }

    /// The file's own structure, known from the xref chain and the catalog, never from the
    /// `/Type` an object claims: an xref stream the chain read (§7.5.8), an object stream some
    /// revision's xref names (its objects are compared one by one, §7.5.7), the catalog's XMP
    /// `/Metadata` (§14.3.2, not rendered). A widget typed /Metadata is still a widget.
    fn is_structure(&self, num: u32, old: &Object) -> bool {
        match old.type_name() {
            Some(b"XRef") => self.doc.is_xref_stream_object(self.signed, num),
            Some(b"ObjStm") => self.doc.is_object_stream(num),
            Some(b"Metadata") => self.doc.catalog_metadata().contains(&num),
            _ => false,
        }
    }

    fn judge(&self, num: u32, old: &Object, new: &Object) -> Result<(), String> {
        let what = name_of(old);
        let not_allowed = |keys: &BTreeSet<Vec<u8>>| {
            format!(
                "object {num} ({what}) was changed after signing: {}",
                keys_text(keys)
            )
        };
        if self.is_structure(num, old) {
            return Ok(());
        }
        if let (Object::Array(o), Object::Array(n)) = (old, new) {
            return self.grown_array(num, o, n);
        }
        let (Some(od), Some(nd)) = (old.as_dict(), new.as_dict()) else {
            return Err(format!("object {num} ({what}) was replaced after signing"));
        };
        if matches!(old, Object::Stream(..)) || matches!(new, Object::Stream(..)) {
            return Err(format!(
                "object {num} ({what}) is a stream whose content was changed after signing"
            ));
        }
        let keys = differing_keys(od, nd);
        match old.type_name() {
            Some(b"Catalog") => self.catalog(num, od, nd, &keys),
            Some(b"Page") => self.page(num, od, nd, &keys),
            _ if dict_get(od, b"Fields").is_some() => self.acroform(num, od, nd),
            _ if self.field_type(old).is_some() => self.field_change(num, old, &keys),
            _ => Err(not_allowed(&keys)),
        }
    }

    /// The catalog: only its form, validation data, extensions, version, metadata and usage
    /// rights may change (ISO 32000-2 §12.8.2), each judged further where it can hide content.
    fn catalog(
        &self,
        num: u32,
        od: &Dict,
        nd: &Dict,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), String> {
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
            return Err(format!(
                "object {num} (/Catalog) was changed after signing: {}",
                keys_text(&rest)
            ));
        }
        if keys.contains(&b"Perms"[..]) {
            self.perms(num, od, nd)?;
        }
        if keys.contains(&b"AcroForm"[..]) {
            let oa = self.resolve(self.signed, dict_get(od, b"AcroForm"));
            let na = self
                .resolve(self.latest, dict_get(nd, b"AcroForm"))
                .ok_or_else(|| {
                    format!("object {num} (/Catalog): /AcroForm was removed after signing")
                })?;
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
    /// certification level allows.
    fn page(&self, num: u32, od: &Dict, nd: &Dict, keys: &BTreeSet<Vec<u8>>) -> Result<(), String> {
        // /Tabs is the tab order of the page's annotations: it may change where annotations may
        // (P=3), as iText reads §12.8.2.2. /StructParents ties the page to the structure tree
        // (§14.7.5.4), which may follow allowed changes (not at P=1).
        let allowed: &[&[u8]] = match self.policy.docmdp {
            Some(3) => &[b"Annots", b"Tabs", b"StructParents"],
            Some(1) => &[b"Annots"],
            _ => &[b"Annots", b"StructParents"],
        };
        let rest = except(keys, allowed);
        if !rest.is_empty() {
            return Err(format!(
                "object {num} (/Page) was changed after signing: {}",
                keys_text(&rest)
            ));
        }
        let old_annots = self.refs(self.signed, dict_get(od, b"Annots"));
        let new_annots = self.refs(self.latest, dict_get(nd, b"Annots"));
        if old_annots.iter().any(|r| !new_annots.contains(r)) {
            return Err(format!(
                "object {num} (/Page): annotations were removed after signing"
            ));
        }
        for r in new_annots.iter().filter(|r| !old_annots.contains(r)) {
            self.added_annotation(*r, Some(nd))?;
        }
        Ok(())
    }

    /// An indirect array (`/Annots` or `/Fields` kept as its own object): only additions of
    /// signature fields or allowed annotations.
    fn grown_array(&self, num: u32, old: &[Object], new: &[Object]) -> Result<(), String> {
        let o: Vec<_> = old.iter().filter_map(Object::as_ref).collect();
        let n: Vec<_> = new.iter().filter_map(Object::as_ref).collect();
        if o.len() != old.len() || n.len() != new.len() || o.iter().any(|r| !n.contains(r)) {
            return Err(format!(
                "object {num} (array) was changed after signing: entries removed or replaced"
            ));
        }
        for (r, _) in n.iter().filter(|r| !o.contains(r)) {
            let obj = self.doc.object(self.latest, *r).ok().flatten();
            let is_annot = obj.as_ref().is_some_and(|x| x.get(b"Subtype").is_some());
            if is_annot {
                self.added_annotation(*r, None)?;
            } else if !obj.as_ref().is_some_and(|x| self.is_sig_field(x)) {
                return Err(format!("object {num} (array): entry {r} added after signing is neither a signature field nor an allowed annotation"));
            }
        }
        Ok(())
    }

    /// A new entry of a page's `/Annots`.
    fn added_annotation(&self, r: u32, page: Option<&Dict>) -> Result<(), String> {
        let Some(a) = self.doc.object(self.latest, r).ok().flatten() else {
            return Err(format!("annotation {r} added after signing cannot be read"));
        };
        let subtype = a.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
        if subtype == b"Widget" && self.is_sig_field(&a) {
            self.signing_allowed_for(r, &a)?;
            let area = rect_area(self.resolve(self.latest, a.get(b"Rect")).as_ref());
            if area == 0.0
                || a.get(b"F")
                    .and_then(Object::as_int)
                    .is_some_and(|f| f & 2 != 0)
            {
                return Ok(()); // invisible signature
            }
            if !self.field_is_signed(&a) {
                return Err(format!(
                    "a visible signature field {r} without a signature was added after signing: its appearance can paint over signed content"
                ));
            }
            let page_area = page
                .and_then(|p| dict_get(p, b"MediaBox"))
                .map(|m| rect_area(self.resolve(self.latest, Some(m)).as_ref()))
                .unwrap_or(595.0 * 842.0);
            if page_area > 0.0 && area > page_area / 4.0 {
                return Err(format!(
                    "the visible signature {r} added after signing covers more than a quarter of the page: it can paint over signed content"
                ));
            }
            return Ok(());
        }
        if self.policy.docmdp == Some(3)
            && matches!(subtype, b"Text" | b"Popup")
            && a.get(b"AP").is_none()
        {
            return Ok(());
        }
        Err(format!(
            "annotation {r} (/{}) added after signing is not a signature field; it can draw over signed content{}",
            String::from_utf8_lossy(subtype),
            if self.policy.docmdp == Some(3) { "" } else { " (annotations need a certification with DocMDP P=3, and then only sticky notes)" }
        ))
    }

    fn acroform(&self, num: u32, od: &Dict, nd: &Dict) -> Result<(), String> {
        let keys = differing_keys(od, nd);
        let rest = except(
            &keys,
            &[b"Fields", b"SigFlags", b"DR", b"DA", b"NeedAppearances"],
        );
        if !rest.is_empty() {
            return Err(format!(
                "object {num} (/AcroForm) was changed after signing: {}",
                keys_text(&rest)
            ));
        }
        let old_fields = self.refs(self.signed, dict_get(od, b"Fields"));
        let new_fields = self.refs(self.latest, dict_get(nd, b"Fields"));
        if old_fields.iter().any(|f| !new_fields.contains(f)) {
            return Err(format!(
                "object {num} (/AcroForm): form fields were removed after signing"
            ));
        }
        for f in new_fields.iter().filter(|f| !old_fields.contains(f)) {
            let is_sig = self
                .doc
                .object(self.latest, *f)
                .ok()
                .flatten()
                .is_some_and(|o| self.is_sig_field(&o));
            if !is_sig {
                return Err(format!("object {num} (/AcroForm): field {f} added after signing is not a signature field"));
            }
            if let Some(o) = self.doc.object(self.latest, *f).ok().flatten() {
                self.signing_allowed_for(*f, &o)?;
            }
        }
        Ok(())
    }

    /// A change to an existing form field (or its widget).
    fn field_change(&self, num: u32, old: &Object, keys: &BTreeSet<Vec<u8>>) -> Result<(), String> {
        let name = self.field_name(old);
        if self.field_type(old) == Some(b"Sig".to_vec()) {
            // Signing an empty field sets its value and appearance, and signers often set the
            // widget's flags (/F: print) and modification date (/M) as they do.
            let being_signed = old.get(b"V").is_none() && keys.contains(&b"V".to_vec());
            let allowed: &[&[u8]] = if being_signed {
                &[b"V", b"AP", b"F", b"M"]
            } else {
                &[b"V", b"AP"]
            };
            let rest = except(keys, allowed);
            if !rest.is_empty() {
                return Err(format!(
                    "signature field {name} (object {num}) was changed after signing: {}",
                    keys_text(&rest)
                ));
            }
            if old.get(b"V").is_some() && keys.contains(&b"V".to_vec()) {
                return Err(format!("signature field {name} (object {num}) was already signed and got a new value after signing"));
            }
            return self.signing_allowed(num);
        }
        // Form filling.
        if self.policy.docmdp == Some(1) {
            return Err(format!("form field {name} (object {num}) was filled in although the certification allows no change"));
        }
        if self.policy.locks.iter().any(|l| l.locks(&name)) {
            return Err(format!("form field {name} (object {num}) is locked by a signature (FieldMDP) but was changed"));
        }
        // /MK holds the widget's appearance characteristics, used to draw /AP, which may change.
        // /I: the selected options of a choice field, part of its value (§12.7.5.4).
        let rest = except(keys, &[b"V", b"AS", b"AP", b"MK", b"I", b"M"]);
        if !rest.is_empty() {
            return Err(format!(
                "form field {name} (object {num}) was changed after signing beyond its value: {}",
                keys_text(&rest)
            ));
        }
        Ok(())
    }

    /// A new signature in an existing field: at DocMDP P=1 only a document timestamp.
    fn signing_allowed(&self, num: u32) -> Result<(), String> {
        match self.doc.object(self.latest, num).ok().flatten() {
            Some(o) => self.signing_allowed_for(num, &o),
            None => Ok(()),
        }
    }

    fn signing_allowed_for(&self, num: u32, field: &Object) -> Result<(), String> {
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
            Err(format!("signature field {num} was signed after a certification that allows no change (DocMDP P=1); only document timestamps may follow it"))
        }
    }

    /// `/Perms` (ISO 32000-2 §12.8.4): usage rights may be added; the certification's /DocMDP
    /// entry may not be added, removed or changed.
    fn perms(&self, num: u32, od: &Dict, nd: &Dict) -> Result<(), String> {
        let docmdp = |rev: usize, d: &Dict| {
            self.resolve(rev, dict_get(d, b"Perms"))
                .and_then(|p| p.get(b"DocMDP").cloned())
        };
        if docmdp(self.signed, od) != docmdp(self.latest, nd) {
            return Err(format!(
                "object {num} (/Catalog): the certification (/Perms /DocMDP) was changed after signing"
            ));
        }
        Ok(())
    }

    fn resolve(&self, rev: usize, o: Option<&Object>) -> Option<Object> {
        match o? {
            Object::Ref(n, _) => self.doc.object(rev, *n).ok().flatten(),
            other => Some(other.clone()),
        }
    }

    /// The object numbers an array (or a reference to one) points to.
    fn refs(&self, rev: usize, o: Option<&Object>) -> Vec<u32> {
        match self.resolve(rev, o) {
            Some(Object::Array(a)) => a
                .iter()
                .filter_map(Object::as_ref)
                .map(|(n, _)| n)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Walk a field and its parents (at most 16 levels) in the final state.
    fn ancestry(&self, o: &Object) -> Vec<Object> {
        let mut out = vec![o.clone()];
        let mut cur = o.clone();
        for _ in 0..16 {
            match cur.get(b"Parent").and_then(Object::as_ref) {
                Some((p, _)) => match self.doc.object(self.latest, p) {
                    Ok(Some(po)) => {
                        out.push(po.clone());
                        cur = po;
                    }
                    _ => break,
                },
                None => break,
            }
        }
        out
    }

    /// `/FT` of a field, inherited from its parents.
    fn field_type(&self, o: &Object) -> Option<Vec<u8>> {
        self.ancestry(o)
            .iter()
            .find_map(|x| x.get(b"FT").and_then(Object::as_name).map(<[u8]>::to_vec))
    }

    fn is_sig_field(&self, o: &Object) -> bool {
        self.field_type(o).as_deref() == Some(b"Sig")
    }

    fn field_is_signed(&self, o: &Object) -> bool {
        self.ancestry(o).iter().any(|x| {
            x.get(b"V")
                .and_then(Object::as_ref)
                .is_some_and(|(v, _)| self.policy.signatures.contains(&v))
        })
    }

    /// The fully qualified field name (`parent.child`).
    fn field_name(&self, o: &Object) -> String {
        let mut parts: Vec<String> = self
            .ancestry(o)
            .iter()
            .filter_map(|x| match x.get(b"T") {
                Some(Object::Str(b, _, _)) => Some(super::decode_text_string(b)),
                _ => None,
            })
            .collect();
        parts.reverse();
        parts.join(".")
    }
}
