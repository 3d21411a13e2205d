//! Form filling after a signature (ISO 32000-2 §12.8.2.2: allowed unless a certification says
//! P=1, §12.8.2.4: or a FieldMDP lock covers the field): a field gets a new value and is drawn
//! again. What the value is shown by (`/AP`, `/AS`, `/MK`) may change only with the value (the
//! shadow attack "replace"), a widget that is not a field holds no value of its own, and a
//! lock covers a field whatever name reaches it: as signed, as it reads now, and through a
//! parent whose value its kids inherit.

use super::diff::{except, Ctx};
use super::reason::{ChangeReason, Keys};
use crate::pdf::decode_text_string;
use crate::pdf::object::Object;
use std::collections::BTreeSet;

/// How many field names below one field are looked at for locks (more: locked).
const MAX_NAMES: usize = 1_000;

impl Ctx<'_, '_> {
    /// A change to field or widget `num` (`old` as signed) named `name`: form filling.
    pub(super) fn form_filled(
        &self,
        num: u32,
        name: String,
        old: &Object,
        keys: &BTreeSet<Vec<u8>>,
    ) -> Result<(), ChangeReason> {
        if self.policy.docmdp == Some(1) {
            return Err(ChangeReason::FilledWithoutPermission { name, object: num });
        }
        if self.locked(old, &name) {
            return Err(ChangeReason::FieldLocked { name, object: num });
        }
        // A widget that is a kid without a name of its own is no field: its value is its
        // field's (§12.7.4.1), so it may not gain one.
        let widget_only = old.get(b"T").is_none() && old.get(b"Parent").is_some();
        // /MK holds the widget's appearance characteristics; /I the selected options of a
        // choice field, part of its value, /TI the first option a list box shows (§12.7.5.4).
        let allowed: &[&[u8]] = if widget_only {
            &[b"AS", b"AP", b"MK", b"M"]
        } else {
            &[b"V", b"AS", b"AP", b"MK", b"I", b"TI", b"M"]
        };
        let rest = except(keys, allowed);
        if !rest.is_empty() {
            return Err(ChangeReason::FieldChangedBeyondValue {
                name,
                object: num,
                keys: Keys(rest),
            });
        }
        // Filling a field gives it a value and draws it; a new look for the value that was
        // signed hides what was signed (as EU DSS flags it). /MK draws too, where a viewer
        // builds the appearance from it.
        let look = [&b"AP"[..], b"AS", b"MK"].iter().any(|k| keys.contains(*k));
        if look && self.value_in(self.signed, num) == self.value_in(self.latest, num) {
            return Err(ChangeReason::AppearanceWithoutValue { name, object: num });
        }
        Ok(())
    }

    /// Whether a lock covers field `old` (named `name` now): under its name as signed, as it
    /// reads now (a parent added later renames it), or any field below it that inherits its
    /// value (a lock on `form.amount` covers `/V` written on `form`).
    fn locked(&self, old: &Object, name: &str) -> bool {
        if self.policy.locks.is_empty() {
            return false;
        }
        let mut names = vec![name.to_string(), self.field_name_in(self.signed, old)];
        let Some(below) = self.names_below(old, &names[1]) else {
            return true; // too many to look at: locked
        };
        names.extend(below);
        self.policy
            .locks
            .iter()
            .any(|l| names.iter().any(|n| l.locks(n)))
    }

    /// The names of the fields below `field` (named `name`) in the signed revision, or `None`
    /// past [`MAX_NAMES`].
    fn names_below(&self, field: &Object, name: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        let mut todo: Vec<(Object, String, usize)> = vec![(field.clone(), name.to_string(), 0)];
        while let Some((f, n, depth)) = todo.pop() {
            if depth > 16 || out.len() > MAX_NAMES {
                return None;
            }
            for kid in self.refs(self.signed, f.get(b"Kids")) {
                let Some(k) = self.doc.object(self.signed, kid).ok().flatten() else {
                    continue;
                };
                let kid_name = match k.get(b"T") {
                    Some(Object::Str(b, _, _)) if n.is_empty() => decode_text_string(b),
                    Some(Object::Str(b, _, _)) => format!("{n}.{}", decode_text_string(b)),
                    _ => n.clone(),
                };
                out.push(kid_name.clone());
                todo.push((k, kid_name, depth + 1));
            }
        }
        Some(out)
    }
}
