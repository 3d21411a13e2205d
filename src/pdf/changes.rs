//! What changed after a signature: the state of the signed revision compared with the final
//! state of the file, object by object. Only what a later signer or archiver legitimately adds is
//! `permitted`; everything else, and anything that cannot be parsed, is `disallowed`.

use super::object::{dict_get, Dict, Object};
use super::trailing_garbage;
use super::xref::Document;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifications {
    None,
    Permitted,
    Disallowed,
}

#[derive(Debug, Clone)]
pub struct ChangeReport {
    pub verdict: Modifications,
    /// Why each disallowed change was not allowed, in words.
    pub disallowed: Vec<String>,
}

/// Compare revision `signed` with the final state of `doc`. `docmdp` is the `/P` of a
/// certification signature in force (1: no changes, 2: form filling and signing, 3: also
/// annotations).
pub fn analyse(doc: &Document, signed: usize, docmdp: Option<i64>) -> ChangeReport {
    let mut disallowed = Vec::new();
    if let Some(r) = trailing_garbage(doc) {
        disallowed.push(format!(
            "{} bytes after the last %%EOF do not belong to any revision (data hidden after the end of the file)",
            r.len()
        ));
    }
    let latest = doc.latest();
    if signed >= latest {
        return finish(disallowed, false);
    }
    if docmdp == Some(1) {
        disallowed.push(
            "the certification signature allows no change (DocMDP P=1), but the file was updated after it"
                .into(),
        );
    }
    let changed: BTreeSet<u32> = doc.sections[signed + 1..]
        .iter()
        .flat_map(|s| s.entries.keys().copied())
        .collect();
    let info = doc.sections[..=latest]
        .iter()
        .filter_map(|s| dict_get(&s.trailer, b"Info").and_then(Object::as_ref))
        .map(|(n, _)| n)
        .collect::<BTreeSet<_>>();
    let ctx = Ctx {
        doc,
        signed,
        latest,
        docmdp,
    };
    for num in changed {
        if num == 0 {
            continue;
        }
        let old = match doc.object(signed, num) {
            Ok(o) => o,
            Err(e) => {
                disallowed.push(format!(
                    "object {num} of the signed revision cannot be read: {e}"
                ));
                continue;
            }
        };
        let new = match doc.object(latest, num) {
            Ok(o) => o,
            Err(e) => {
                disallowed.push(format!(
                    "object {num} written after signing cannot be read: {e}"
                ));
                continue;
            }
        };
        match (old, new) {
            (None, _) => {} // new objects matter only through the objects that point to them
            (Some(_), None) => disallowed.push(format!("object {num} was deleted after signing")),
            (Some(old), Some(new)) => {
                if same(doc, signed, latest, &old, &new) {
                    continue;
                }
                if let Err(why) = ctx.judge(num, &old, &new, info.contains(&num)) {
                    disallowed.push(why);
                }
            }
        }
    }
    finish(disallowed, true)
}

fn finish(disallowed: Vec<String>, later_revisions: bool) -> ChangeReport {
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
fn same(doc: &Document, _signed: usize, _latest: usize, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(da, ra), Object::Stream(db, rb)) => {
            super::object::dict_eq(da, db) && doc.bytes.get(ra.clone()) == doc.bytes.get(rb.clone())
        }
        _ => a == b,
    }
}

struct Ctx<'d, 'a> {
    doc: &'d Document<'a>,
    signed: usize,
    latest: usize,
    docmdp: Option<i64>,
}

fn name_of(o: &Object) -> String {
    match o.type_name() {
        Some(t) => format!("/{}", String::from_utf8_lossy(t)),
        None => match o {
            Object::Stream(..) => "stream".into(),
            Object::Dict(_) => "dictionary".into(),
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

impl Ctx<'_, '_> {
    fn judge(&self, num: u32, old: &Object, new: &Object, is_info: bool) -> Result<(), String> {
        let what = name_of(old);
        let changed_not_allowed = |keys: &BTreeSet<Vec<u8>>| {
            format!(
                "object {num} ({what}) was changed after signing: {}",
                keys_text(keys)
            )
        };
        match old.type_name() {
            Some(b"XRef") | Some(b"ObjStm") => return Ok(()),
            Some(b"Metadata") => return Ok(()),
            _ if is_info => return Ok(()),
            _ => {}
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
            Some(b"Catalog") => {
                let rest: BTreeSet<_> = keys
                    .iter()
                    .filter(|k| {
                        !matches!(
                            k.as_slice(),
                            b"AcroForm" | b"DSS" | b"Extensions" | b"Version" | b"Metadata"
                        )
                    })
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    return Err(changed_not_allowed(&rest));
                }
                if keys.contains(&b"AcroForm".to_vec()) {
                    let oa = self.resolve(self.signed, dict_get(od, b"AcroForm"));
                    let na = self.resolve(self.latest, dict_get(nd, b"AcroForm"));
                    if let Some(na) = na {
                        let empty = Vec::new();
                        self.acroform(
                            num,
                            oa.as_ref().and_then(Object::as_dict).unwrap_or(&empty),
                            na.as_dict().unwrap_or(&empty),
                        )?;
                    } else {
                        return Err(format!(
                            "object {num} (/Catalog): /AcroForm was removed after signing"
                        ));
                    }
                }
                Ok(())
            }
            Some(b"Page") => {
                let rest: BTreeSet<_> = keys
                    .iter()
                    .filter(|k| k.as_slice() != b"Annots")
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    return Err(changed_not_allowed(&rest));
                }
                let old_annots = self.refs(self.signed, dict_get(od, b"Annots"));
                let new_annots = self.refs(self.latest, dict_get(nd, b"Annots"));
                if old_annots.iter().any(|r| !new_annots.contains(r)) {
                    return Err(format!(
                        "object {num} (/Page): annotations were removed after signing"
                    ));
                }
                for r in new_annots.iter().filter(|r| !old_annots.contains(r)) {
                    if self.is_signature_widget(*r) {
                        continue;
                    }
                    if self.docmdp == Some(3) {
                        continue;
                    }
                    return Err(format!(
                        "object {num} (/Page): annotation {r} added after signing is not a signature field"
                    ));
                }
                Ok(())
            }
            _ if dict_get(od, b"Fields").is_some() => self.acroform(num, od, nd),
            _ if self.is_sig_field(old) => {
                let rest: BTreeSet<_> = keys
                    .iter()
                    .filter(|k| !matches!(k.as_slice(), b"V" | b"AP"))
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    return Err(changed_not_allowed(&rest));
                }
                if dict_get(od, b"V").is_some() {
                    return Err(format!(
                        "object {num}: signature field that was already signed got a new value after signing"
                    ));
                }
                Ok(())
            }
            _ => Err(changed_not_allowed(&keys)),
        }
    }

    fn acroform(&self, num: u32, od: &Dict, nd: &Dict) -> Result<(), String> {
        let keys = differing_keys(od, nd);
        let rest: BTreeSet<_> = keys
            .iter()
            .filter(|k| !matches!(k.as_slice(), b"Fields" | b"SigFlags" | b"DR" | b"DA"))
            .cloned()
            .collect();
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
                .map(|o| self.is_sig_field(&o))
                .unwrap_or(false);
            if !is_sig && self.docmdp.is_none_or(|p| p < 2) {
                return Err(format!(
                    "object {num} (/AcroForm): field {f} added after signing is not a signature field"
                ));
            }
            if !is_sig && self.docmdp.is_some_and(|p| p >= 2) {
                // Form filling is allowed by P=2/P=3, adding new non-signature fields is not.
                return Err(format!(
                    "object {num} (/AcroForm): field {f} added after signing is not a signature field"
                ));
            }
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

    fn is_sig_field(&self, o: &Object) -> bool {
        let mut cur = o.clone();
        for _ in 0..16 {
            if cur.get(b"FT").and_then(Object::as_name) == Some(b"Sig") {
                return true;
            }
            match cur.get(b"Parent").and_then(Object::as_ref) {
                Some((p, _)) => match self.doc.object(self.latest, p) {
                    Ok(Some(po)) => cur = po,
                    _ => return false,
                },
                None => return false,
            }
        }
        false
    }

    fn is_signature_widget(&self, num: u32) -> bool {
        match self.doc.object(self.latest, num) {
            Ok(Some(o)) => {
                o.get(b"Subtype").and_then(Object::as_name) == Some(b"Widget")
                    && self.is_sig_field(&o)
            }
            _ => false,
        }
    }
}
