//! Resources that gain names after signing draw nothing new only if the signed content never
//! names them (ISO 32000-2 §7.8.3): a content stream may name a resource the page did not yet
//! define (`/X0 Do` with no `/X0`), which a later update could then supply. The names a
//! resource dictionary gained are looked for in every content stream of the signed pages and
//! in the form XObjects their resources hold.

use super::diff::{page_nodes, Ctx};
use crate::pdf::object::{dict_get, Dict, Object};
use std::collections::BTreeSet;

impl Ctx<'_, '_> {
    /// The names `new` holds that `old` did not: in the dictionary itself, and for a whole
    /// `/Resources` (`whole`) in each category dictionary.
    pub(super) fn added_names(&self, od: &Dict, nd: &Dict, whole: bool) -> BTreeSet<Vec<u8>> {
        if !whole {
            return nd
                .iter()
                .filter(|(k, _)| dict_get(od, k).is_none())
                .map(|(k, _)| k.clone())
                .collect();
        }
        let mut out = BTreeSet::new();
        for (category, nv) in nd {
            let old = self.resolve(self.signed, dict_get(od, category));
            let new = self.resolve(self.latest, Some(nv));
            let (Some(n), o) = (new.as_ref().and_then(Object::as_dict), old.as_ref()) else {
                continue;
            };
            let o = o.and_then(Object::as_dict);
            for (name, _) in n {
                if o.is_none_or(|o| dict_get(o, name).is_none()) {
                    out.insert(name.clone());
                }
            }
        }
        out
    }

    /// Whether no content stream of the signed pages, nor any form XObject in their
    /// resources, names one of `names` (a name written with `#` escapes counts as naming
    /// anything; a stream that cannot be read, too).
    pub(super) fn names_unused(&self, names: &BTreeSet<Vec<u8>>) -> bool {
        if names.is_empty() {
            return true;
        }
        let rev = self.signed;
        let mut streams: Vec<u32> = Vec::new();
        for node in page_nodes(self.doc, rev) {
            match self.resolve(rev, node.get(b"Contents")) {
                Some(Object::Array(a)) => {
                    streams.extend(a.iter().filter_map(|x| x.as_ref().map(|r| r.0)))
                }
                _ => streams.extend(node.get(b"Contents").and_then(Object::as_ref).map(|r| r.0)),
            }
            let resources = self.resolve(rev, node.get(b"Resources"));
            let xobjects = resources.and_then(|r| self.resolve(rev, r.get(b"XObject")));
            if let Some(d) = xobjects.as_ref().and_then(Object::as_dict) {
                streams.extend(d.iter().filter_map(|(_, v)| v.as_ref().map(|r| r.0)));
            }
        }
        streams.iter().all(|n| self.stream_avoids(*n, names))
    }

    /// Whether stream `num` of the signed revision names none of `names`.
    fn stream_avoids(&self, num: u32, names: &BTreeSet<Vec<u8>>) -> bool {
        let Ok(Some(Object::Stream(d, data))) = self.doc.object(self.signed, num) else {
            return true; // not a stream: nothing drawn from it
        };
        let Ok(bytes) = self.doc.decode_stream((num, 0), &d, data) else {
            return false;
        };
        let delimiter = |b: u8| b"()<>[]{}/% \t\r\n\x0c\0".contains(&b);
        !names.iter().any(|name| {
            let mut token = vec![b'/'];
            token.extend_from_slice(name);
            memchr::memmem::find_iter(&bytes, &token)
                .any(|at| bytes.get(at + token.len()).is_none_or(|b| delimiter(*b)))
        }) && !bytes.contains(&b'#')
    }
}
