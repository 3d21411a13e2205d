//! What the rules ask of objects in the final state: references resolved, arrays of
//! references, and form fields with what they inherit from their parents (ISO 32000-2
//! §12.7.4: `/FT`, `/T`, `/V`, `/Parent`).

use super::diff::Ctx;
use crate::pdf::decode_text_string;
use crate::pdf::object::Object;

impl Ctx<'_, '_> {
    /// `o`, or the object it refers to as revision `rev` sees it.
    pub(super) fn resolve(&self, rev: usize, o: Option<&Object>) -> Option<Object> {
        match o? {
            Object::Ref(n, _) => self.doc.object(rev, *n).ok().flatten(),
            other => Some(other.clone()),
        }
    }

    /// The object numbers an array (or a reference to one) points to.
    pub(super) fn refs(&self, rev: usize, o: Option<&Object>) -> Vec<u32> {
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
    pub(super) fn ancestry(&self, o: &Object) -> Vec<Object> {
        self.ancestry_in(self.latest, o)
    }

    /// Walk a field and its parents (at most 16 levels) as revision `rev` sees them.
    pub(super) fn ancestry_in(&self, rev: usize, o: &Object) -> Vec<Object> {
        let mut out = vec![o.clone()];
        let mut cur = o.clone();
        for _ in 0..16 {
            match cur.get(b"Parent").and_then(Object::as_ref) {
                Some((p, _)) => match self.doc.object(rev, p) {
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

    /// The value (`/V`, §12.7.4.1) of field or widget `num`, inherited from its parents, as
    /// revision `rev` sees it (references resolved).
    pub(super) fn value_in(&self, rev: usize, num: u32) -> Option<Object> {
        self.written_value(rev, num).flatten()
    }

    /// The field value (`/V`, inherited) of object `num` as revision `rev` writes it: `None`
    /// without one, `Some(None)` when it is a reference that revision cannot resolve.
    pub(super) fn written_value(&self, rev: usize, num: u32) -> Option<Option<Object>> {
        let mut cur = self.doc.object(rev, num).ok().flatten()?;
        for _ in 0..16 {
            if let Some(v) = cur.get(b"V") {
                return Some(self.resolve(rev, Some(v)));
            }
            let (p, _) = cur.get(b"Parent").and_then(Object::as_ref)?;
            cur = self.doc.object(rev, p).ok().flatten()?;
        }
        None
    }

    /// `/FT` of a field, inherited from its parents.
    pub(super) fn field_type(&self, o: &Object) -> Option<Vec<u8>> {
        self.ancestry(o)
            .iter()
            .find_map(|x| x.get(b"FT").and_then(Object::as_name).map(<[u8]>::to_vec))
    }

    /// Whether `o` is a signature field (`/FT /Sig`, §12.7.5.5) or its widget.
    pub(super) fn is_sig_field(&self, o: &Object) -> bool {
        self.field_type(o).as_deref() == Some(b"Sig")
    }

    /// The fully qualified field name (`parent.child`, §12.7.4.2).
    pub(super) fn field_name(&self, o: &Object) -> String {
        self.field_name_in(self.latest, o)
    }

    /// The fully qualified field name as revision `rev` sees the field's parents.
    pub(super) fn field_name_in(&self, rev: usize, o: &Object) -> String {
        let mut parts: Vec<String> = self
            .ancestry_in(rev, o)
            .iter()
            .filter_map(|x| match x.get(b"T") {
                Some(Object::Str(b, _, _)) => Some(decode_text_string(b)),
                _ => None,
            })
            .collect();
        parts.reverse();
        parts.join(".")
    }
}
