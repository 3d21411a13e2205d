//! The revision diff: one object that changed after the signed revision, compared with its
//! signed state and handed to the rule for its kind of object ([`super::rules`]).

use super::appearance::{referrers, refers_outside, ReferrerIndex, Referrers};
use super::reason::{ChangeReason, Keys};
use super::widget::may_be_field;
use super::ChangePolicy;
use crate::pdf::object::{dict_eq, dict_get, Dict, Object};
use crate::pdf::Document;
use std::cell::OnceCell;
use std::collections::BTreeSet;

/// One comparison of the signed revision with the final state of the document.
pub(super) struct Ctx<'d, 'a> {
    pub(super) doc: &'d Document<'a>,
    /// The signed revision.
    pub(super) signed: usize,
    /// The final state.
    pub(super) latest: usize,
    pub(super) policy: &'d ChangePolicy,
    /// Objects of the signed revision's /DSS (its dictionary, arrays, /VRI entries).
    dss_objects: &'d BTreeSet<u32>,
    /// The signed revision's page-tree nodes' /Resources kept as their own objects, and their
    /// category dictionaries kept as their own objects.
    page_resources: OnceCell<(BTreeSet<u32>, BTreeSet<u32>)>,
    /// Who refers to each object of the signed revision, read when first needed.
    referrers: OnceCell<ReferrerIndex>,
    /// The annotations the pages name in `/Annots`, in the signed revision and the final state.
    annotations: [OnceCell<BTreeSet<u32>>; 2],
    /// How many objects written after the signed revision name each object as their `/V`.
    new_values: OnceCell<std::collections::HashMap<u32, usize>>,
}

impl<'d, 'a> Ctx<'d, 'a> {
    pub(super) fn new(
        doc: &'d Document<'a>,
        signed: usize,
        policy: &'d ChangePolicy,
        dss_objects: &'d BTreeSet<u32>,
    ) -> Self {
        Ctx {
            doc,
            signed,
            latest: doc.latest(),
            policy,
            dss_objects,
            page_resources: OnceCell::new(),
            referrers: OnceCell::new(),
            annotations: [OnceCell::new(), OnceCell::new()],
            new_values: OnceCell::new(),
        }
    }

    /// One object changed after the signed revision: allowed, or why not.
    pub(super) fn compare(&self, num: u32, info: &BTreeSet<u32>) -> Result<(), ChangeReason> {
        let doc = self.doc;
        let old = doc
            .object(self.signed, num)
            .map_err(|error| ChangeReason::SignedObjectUnreadable { object: num, error })?;
        let new = doc
            .object(self.latest, num)
            .map_err(|error| ChangeReason::NewObjectUnreadable { object: num, error })?;
        // ISO 32000-2 §7.3.10: a reference names the number and the generation.
        if new.is_some() {
            self.generation_ok(num, old.is_some())?;
        }
        match (old, new) {
            // A new object matters through the objects that refer to it, which are judged;
            // unless the signed revision already referred to its number (a reference to
            // nothing then), which now means something that was not signed.
            (None, Some(_)) if self.referrers().signed_refers_to(num) => {
                Err(ChangeReason::DanglingReferenceFilled { object: num })
            }
            (None, _) => Ok(()),
            (Some(_), None) => Err(ChangeReason::Deleted { object: num }),
            (Some(old), Some(new)) => {
                // /Info and the /DSS bookkeeping may change, but never a stream (a content
                // stream listed there by a prepared document would otherwise be exempt).
                let exempt = ((info.contains(&num) && self.is_info_only(num))
                    || self.is_dss_bookkeeping(num))
                    && !matches!(old, Object::Stream(..))
                    && !matches!(new, Object::Stream(..));
                if same(doc, &old, &new) || exempt {
                    return Ok(());
                }
                self.judge(num, &old, &new)
            }
        }
    }

    /// [`Ctx::new_values`], read once.
    pub(super) fn new_values_cached(&self) -> &std::collections::HashMap<u32, usize> {
        self.new_values.get_or_init(|| self.new_values())
    }

    /// Who refers to each object of the signed revision (trailers included).
    pub(super) fn referrers(&self) -> &ReferrerIndex {
        self.referrers
            .get_or_init(|| referrers(self.doc, self.signed))
    }

    /// The annotations the pages name in `/Annots` (direct or indirect arrays), in the signed
    /// revision (`latest` false) or the final state.
    pub(super) fn page_annotations(&self, latest: bool) -> &BTreeSet<u32> {
        let rev = if latest { self.latest } else { self.signed };
        self.annotations[usize::from(latest)].get_or_init(|| {
            page_nodes(self.doc, rev)
                .iter()
                .flat_map(|node| self.refs(rev, node.get(b"Annots")))
                .collect()
        })
    }

    /// What indirect array `num` is in the signed revision: a page's `/Annots` (`Some(true)`),
    /// the form's `/Fields` or a field's `/Kids` (`Some(false)`), or something else (`None`).
    fn array_role(&self, num: u32) -> Option<bool> {
        // The page tree's own arrays are never fields, whatever keys their node carries.
        if page_refs(self.doc, self.signed, b"Kids").contains(&num) {
            return None;
        }
        if page_refs(self.doc, self.signed, b"Annots").contains(&num) {
            return Some(true);
        }
        let acroform = self
            .doc
            .root(self.signed)
            .and_then(|r| self.doc.object(self.signed, r).ok().flatten())
            .and_then(|c| self.resolve(self.signed, c.get(b"AcroForm")));
        let is_ref = |o: Option<&Object>| o.and_then(Object::as_ref).is_some_and(|(n, _)| n == num);
        if acroform.as_ref().is_some_and(|f| is_ref(f.get(b"Fields"))) {
            return Some(false);
        }
        let Some(Referrers::One(by)) = self.referrers().get(num) else {
            return None;
        };
        let field = self.doc.object(self.signed, by).ok().flatten()?;
        let is_field = field.get(b"FT").is_some() || field.get(b"T").is_some();
        (matches!(field, Object::Dict(_)) && is_field && is_ref(field.get(b"Kids")))
            .then_some(false)
    }

    /// Whether `num`, named as `/Info` by a trailer, is only the document information
    /// dictionary (ISO 32000-2 §14.3.3): only trailers refer to it in the signed revision. An
    /// object that is also an appearance, a widget's `/MK`, a graphics state or anything else
    /// the signed pages use is judged as that.
    fn is_info_only(&self, num: u32) -> bool {
        self.referrers().get(num) == Some(Referrers::Trailer)
    }
    /// An object of the signed revision's /DSS (the dictionary, its arrays, /VRI entries)
    /// that only the /DSS uses: referred to once, by the catalog (the dictionary) or by another
    /// object of the /DSS. An object the /DSS lists that a page, an annotation or anything else
    /// also uses (a page put in /VRI, a page's /Annots array shared as /Certs) is judged as that.
    fn is_dss_bookkeeping(&self, num: u32) -> bool {
        if !self.dss_objects.contains(&num) {
            return false;
        }
        match self.referrers().get(num) {
            Some(Referrers::One(by)) => {
                self.dss_objects.contains(&by) || self.doc.root(self.signed) == Some(by)
            }
            _ => false,
        }
    }

    /// The file's own structure, known from the xref chain and the catalog, never from the
    /// `/Type` an object claims: an xref stream the chain read (§7.5.8), an object stream some
    /// revision's xref names (its objects are compared one by one, §7.5.7), the catalog's XMP
    /// `/Metadata` (§14.3.2, not rendered). A widget typed /Metadata is still a widget.
    fn is_structure(&self, num: u32, old: &Object) -> bool {
        // Structure is referred to by nothing (an object stream), or only by the signed
        // catalog (its metadata): an object a page also uses is judged as what the page uses.
        let referrers = || self.referrers().get(num);
        let signed_root = self.doc.root(self.signed);
        match old.type_name() {
            Some(b"XRef") => self.doc.is_xref_stream_object(self.signed, num),
            Some(b"ObjStm") => {
                self.doc.is_object_stream_by(self.signed, num) && referrers().is_none()
            }
            Some(b"Metadata") => {
                let of_signed_catalog = signed_root
                    .and_then(|r| self.doc.object(self.signed, r).ok().flatten())
                    .and_then(|c| c.get(b"Metadata").and_then(Object::as_ref))
                    .is_some_and(|(n, _)| n == num);
                of_signed_catalog
                    && signed_root.is_some_and(|r| referrers() == Some(Referrers::One(r)))
            }
            _ => false,
        }
    }

    /// Whether `num` is the `/Resources` dictionary of a page of the signed revision, kept as
    /// its own object.
    /// `Some(true)` for a page's `/Resources` kept as its own object, `Some(false)` for one of
    /// their category dictionaries (`/Font`, ...) kept as its own object.
    /// Only an object that nothing but one page node or one resources dictionary refers to
    /// is judged as resources: the same dictionary serving as the form, the catalog's names or
    /// an appearance is judged as that.
    fn page_resources_kind(&self, num: u32) -> Option<bool> {
        let (resources, categories) = self
            .page_resources
            .get_or_init(|| resource_objects(self.doc, self.signed));
        let kind = if resources.contains(&num) {
            Some(true)
        } else {
            categories.contains(&num).then_some(false)
        }?;
        let Some(Referrers::One(by)) = self.referrers().get(num) else {
            return None;
        };
        let holder = self.doc.object(self.signed, by).ok().flatten()?;
        // A page node that refers to it only through its /Resources (not also as its /AA).
        let page_node = matches!(holder.type_name(), Some(b"Page" | b"Pages"))
            && !refers_outside(&holder, b"Resources", num);
        (page_node || resources.contains(&by)).then_some(kind)
    }

    /// Whether `num` is the catalog, as a trailer names it (never by the `/Type` it claims).
    fn is_root(&self, num: u32) -> bool {
        self.doc.root(self.signed) == Some(num) || self.doc.root(self.latest) == Some(num)
    }

    /// Whether `num` is the signed catalog's `/Extensions` dictionary (ISO 32000-2 §7.12).
    fn is_signed_extensions(&self, num: u32) -> bool {
        let Some(root) = self.doc.root(self.signed) else {
            return false;
        };
        self.doc
            .object(self.signed, root)
            .ok()
            .flatten()
            .and_then(|c| c.get(b"Extensions").and_then(Object::as_ref))
            .is_some_and(|(n, _)| n == num)
    }

    /// A changed object that is not structure: the rule for its kind (ISO 32000-2 §12.8.2.2,
    /// §12.8.2.4), and for any other dictionary, no change at all.
    fn judge(&self, num: u32, old: &Object, new: &Object) -> Result<(), ChangeReason> {
        if self.is_structure(num, old) {
            return Ok(());
        }
        if let (Object::Array(o), Object::Array(n)) = (old, new) {
            return match self.array_role(num) {
                Some(annots) => self.grown_array(num, o, n, annots),
                None => Err(ChangeReason::ArrayChanged { array: num }),
            };
        }
        let (Some(od), Some(nd)) = (old.as_dict(), new.as_dict()) else {
            return Err(ChangeReason::Replaced {
                object: num,
                kind: name_of(old),
            });
        };
        if matches!(old, Object::Stream(..)) || matches!(new, Object::Stream(..)) {
            if self.rewritten_appearance_ok(num) {
                return Ok(());
            }
            return Err(ChangeReason::StreamChanged {
                object: num,
                kind: name_of(old),
            });
        }
        let keys = differing_keys(od, nd);
        // What an object is in the page tree or the catalog decides its rule before any other
        // role it may also play (a page listed among resources is still a page).
        let plain = |d: &Dict| {
            [&b"Type"[..], b"Subtype", b"FT", b"Parent", b"Kids"]
                .iter()
                .all(|k| dict_get(d, k).is_none())
        };
        match old.type_name() {
            _ if self.is_root(num) => self.catalog(num, od, nd, &keys),
            Some(b"Page") => self.page(num, od, nd, &keys),
            Some(b"Pages") => self.pages_node(num, &keys),
            _ if self.is_signed_extensions(num) => self.extensions(num, od, nd, &keys),
            _ if plain(od) && self.page_resources_kind(num).is_some() => {
                let whole = self.page_resources_kind(num) == Some(true);
                self.page_resources(num, old, new, whole, &keys)
            }
            _ if dict_get(od, b"Fields").is_some() => self.acroform(num, od, nd),
            _ if may_be_field(od) && self.field_type(old).is_some() => {
                self.field_change(num, old, &keys)
            }
            _ if self.rewritten_appearance_ok(num) => Ok(()),
            _ => Err(ChangeReason::KeysChanged {
                object: num,
                kind: name_of(old),
                keys: Keys(keys),
            }),
        }
    }
}

/// Equal values, and for streams equal data bytes.
fn same(doc: &Document, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(da, ra), Object::Stream(db, rb)) => {
            dict_eq(da, db) && doc.bytes.get(ra.clone()) == doc.bytes.get(rb.clone())
        }
        _ => a == b,
    }
}

/// The page-tree nodes' `/Resources` kept as their own objects in revision `rev` (`.0`), and
/// the category dictionaries (`/Font`, `/XObject`, ...) any resources keep as their own
/// objects (`.1`).
fn resource_objects(doc: &Document, rev: usize) -> (BTreeSet<u32>, BTreeSet<u32>) {
    let mut resources = BTreeSet::new();
    let mut out = BTreeSet::new();
    let mut dicts: Vec<Object> = Vec::new();
    // The page tree is walked once: each node's resources, as its own object or in the node.
    for node in page_nodes(doc, rev) {
        match node.get(b"Resources") {
            Some(Object::Ref(n, _)) => {
                resources.insert(*n);
                dicts.extend(doc.object(rev, *n).ok().flatten());
            }
            Some(d @ Object::Dict(_)) => dicts.push(d.clone()),
            _ => {}
        }
    }
    for d in dicts {
        for (_, v) in d.as_dict().map(|d| d.as_slice()).unwrap_or(&[]) {
            if let Some((n, _)) = v.as_ref() {
                out.insert(n);
            }
        }
    }
    (resources, out)
}

/// The page-tree nodes of revision `rev` (at most a million; the meter stops a hostile tree).
pub(super) fn page_nodes(doc: &Document, rev: usize) -> Vec<Object> {
    let mut out = Vec::new();
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
        for kid in node.get(b"Kids").and_then(Object::as_array).unwrap_or(&[]) {
            if let Some((k, _)) = kid.as_ref() {
                todo.push(k);
            }
        }
        out.push(node);
    }
    out
}

/// Object numbers that the page-tree nodes of revision `rev` refer to under `key`
/// (`/Contents`: their content arrays; `/Resources`: their resources).
fn page_refs(doc: &Document, rev: usize, key: &[u8]) -> BTreeSet<u32> {
    page_nodes(doc, rev)
        .iter()
        .filter_map(|node| node.get(key).and_then(Object::as_ref))
        .map(|(n, _)| n)
        .collect()
}

/// What an object is, for a reason: its `/Type` as a name, else its kind.
pub(super) fn name_of(o: &Object) -> String {
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
pub(super) fn differing_keys(a: &Dict, b: &Dict) -> BTreeSet<Vec<u8>> {
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

/// `keys` less the `allowed` ones.
pub(super) fn except(keys: &BTreeSet<Vec<u8>>, allowed: &[&[u8]]) -> BTreeSet<Vec<u8>> {
    keys.iter()
        .filter(|k| !allowed.contains(&k.as_slice()))
        .cloned()
        .collect()
}
