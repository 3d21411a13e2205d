//! `[office]`: who files the reports, for the letterhead of the sheets (Decree 30/2020/NĐ-CP):
//! the authority above the Office, the Office, the place written before the date, and the
//! title of who signs.

use crate::export::letterhead::Letterhead;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Office {
    /// e.g. "UBND thị xã Hương Trà".
    pub parent: String,
    /// e.g. "Văn phòng HĐND và UBND".
    pub name: String,
    /// e.g. "Hương Trà".
    pub place: String,
    /// e.g. "Chánh Văn phòng".
    pub head: String,
}

impl Default for Office {
    fn default() -> Self {
        let l = Letterhead::default();
        Office {
            parent: l.parent,
            name: l.office,
            place: l.place,
            head: l.head,
        }
    }
}

impl Office {
    /// The letterhead of the sheets.
    pub fn letterhead(&self) -> Letterhead {
        Letterhead {
            parent: self.parent.trim().to_string(),
            office: self.name.trim().to_string(),
            place: self.place.trim().to_string(),
            head: self.head.trim().to_string(),
        }
    }
}
