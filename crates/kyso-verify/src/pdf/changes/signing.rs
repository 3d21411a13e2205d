//! Whether a signature field was really signed after the signed revision: its value is a
//! signature dictionary written after it, which no other field claims (ISO 32000-2 §12.7.5.5:
//! a signature field's `/V` is its signature). A field that borrows the value of an earlier
//! signature, or of one another field also claims, or holds something else, is not signed,
//! and whatever it draws is judged as an unsigned widget.

use super::diff::Ctx;
use crate::pdf::object::Object;
use std::collections::HashMap;

impl Ctx<'_, '_> {
    /// How many objects written after the signed revision name each object as their `/V`.
    pub(super) fn new_values(&self) -> HashMap<u32, usize> {
        let mut out: HashMap<u32, usize> = HashMap::new();
        let numbers: std::collections::BTreeSet<u32> = self.doc.revisions[self.signed + 1..]
            .iter()
            .flat_map(|s| s.entries.keys().copied())
            .collect();
        for n in numbers {
            if self.doc.meter().check().is_err() {
                break;
            }
            let v = self.doc.object(self.latest, n).ok().flatten();
            if let Some((v, _)) = v
                .as_ref()
                .and_then(|o| o.get(b"V"))
                .and_then(Object::as_ref)
            {
                *out.entry(v).or_default() += 1;
            }
        }
        out
    }

    /// Whether `v` is one of the document's signatures, written after the signed revision and
    /// the value of one field only.
    pub(super) fn newly_signed_value(&self, v: u32) -> bool {
        self.policy.signatures.contains(&v)
            && matches!(self.doc.object(self.signed, v), Ok(None))
            && !self.referrers().signed_refers_to(v)
            && self.new_values_cached().get(&v) == Some(&1)
    }

    /// Whether the field of widget `o` (its own `/V` or its parents') holds a new signature.
    pub(super) fn widget_newly_signed(&self, o: &Object) -> bool {
        self.ancestry(o)
            .iter()
            .find_map(|x| x.get(b"V"))
            .is_some_and(|v| v.as_ref().is_some_and(|(v, _)| self.newly_signed_value(v)))
    }

    /// Whether widget `a` (object `r`) is its field's only widget: merged with its field, or
    /// the one kid its `/Parent` lists (a widget naming a parent that does not list it, or one
    /// of several, would draw a signature's appearance the field does not own).
    pub(super) fn sole_widget(&self, r: u32, a: &Object) -> bool {
        let Some((p, _)) = a.get(b"Parent").and_then(Object::as_ref) else {
            return true;
        };
        let Some(parent) = self.doc.object(self.latest, p).ok().flatten() else {
            return false;
        };
        self.refs(self.latest, parent.get(b"Kids")) == [r]
    }
}
