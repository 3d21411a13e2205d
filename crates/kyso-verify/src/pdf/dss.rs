//! The document security store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): the
//! validation data a document carries in its catalog's `/DSS`. Each revision's is read once,
//! when first needed ([`DssHistory`]), and serves the PAdES level (does it hold revocation
//! data?), the change analysis (which objects are its bookkeeping?) and the trust store (the
//! latest one's certificates, CRLs and OCSP responses).

use super::object::Object;
use super::Document;
use std::cell::OnceCell;
use std::collections::BTreeSet;

/// The keys of a DSS dictionary (ETSI EN 319 142-1 §5.4.2.2).
const DSS_KEYS: [&[u8]; 5] = [b"Type", b"Certs", b"CRLs", b"OCSPs", b"VRI"];

/// The `/DSS` of the catalog as one revision sees it.
#[derive(Debug, Clone)]
pub(crate) struct Dss {
    /// The revision whose catalog this `/DSS` is read from.
    pub revision: usize,
    /// Whether it has `/CRLs` or `/OCSPs`: revocation data (PAdES B-LT, ETSI EN 319 142-1
    /// §6.3).
    pub revocation_data: bool,
    /// The objects that hold it (the dictionary, its arrays, `/VRI`, its entries and their
    /// arrays), which an archiver may update; none when the dictionary has keys a DSS does not
    /// have.
    pub objects: BTreeSet<u32>,
    /// `/Certs`, `/CRLs` and `/OCSPs` as written (arrays of stream references, or references
    /// to such arrays).
    arrays: [Option<Object>; 3],
}

/// Which array of a `/DSS` a stream is listed in (ETSI EN 319 142-1 §5.4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DssKind {
    /// `/Certs`: DER certificates.
    Cert,
    /// `/CRLs`: DER CRLs.
    Crl,
    /// `/OCSPs`: DER OCSP responses.
    Ocsp,
}

impl Dss {
    /// The `/DSS` of the catalog as revision `rev` sees it, if the catalog has one (readable
    /// or not). Objects that cannot be read count as absent; the reading is metered.
    pub(crate) fn read(doc: &Document, rev: usize) -> Option<Dss> {
        let root = doc.root(rev)?;
        let catalog = doc.object(rev, root).ok()??;
        let entry = catalog.get(b"DSS")?;
        let mut objects = BTreeSet::new();
        let resolve = |o: &Object, objects: &mut BTreeSet<u32>| match o {
            Object::Ref(n, _) => {
                objects.insert(*n);
                doc.object(rev, *n).ok().flatten()
            }
            other => Some(other.clone()),
        };
        let mut dss = Dss {
            revision: rev,
            revocation_data: false,
            objects: BTreeSet::new(),
            arrays: [None, None, None],
        };
        let Some(dict) = resolve(entry, &mut objects) else {
            dss.objects = objects;
            return Some(dss);
        };
        dss.revocation_data = dict.get(b"CRLs").is_some() || dict.get(b"OCSPs").is_some();
        dss.arrays = [&b"Certs"[..], b"CRLs", b"OCSPs"].map(|k| dict.get(k).cloned());
        let known = dict
            .as_dict()
            .is_some_and(|d| d.iter().all(|(k, _)| DSS_KEYS.contains(&k.as_slice())));
        if known {
            for a in dss.arrays.iter().flatten() {
                if let Object::Ref(n, _) = a {
                    objects.insert(*n);
                }
            }
            if let Some(vri) = dict.get(b"VRI").and_then(|v| resolve(v, &mut objects)) {
                for (_, entry) in vri.as_dict().into_iter().flatten() {
                    if let Some(e) = resolve(entry, &mut objects) {
                        for key in [&b"Cert"[..], b"CRL", b"OCSP"] {
                            if let Some(Object::Ref(n, _)) = e.get(key) {
                                objects.insert(*n);
                            }
                        }
                    }
                }
            }
            dss.objects = objects;
        }
        Some(dss)
    }

    /// The streams its `/Certs`, `/CRLs` and `/OCSPs` refer to, each decoded under the
    /// document's budget and handed to `each` in turn (one is in memory at a time, besides what
    /// `each` keeps). Each is charged to the document's validation data before `each` sees it,
    /// and decoded no further than what is left of it ([`super::meter::Meter::validation_data`]):
    /// once that budget is spent, nothing more is read. Entries that are not readable streams
    /// are left out.
    pub(crate) fn each_stream(&self, doc: &Document, each: &mut dyn FnMut(DssKind, Vec<u8>)) {
        let rev = self.revision;
        let meter = doc.meter();
        let resolve = |o: &Object| match o {
            Object::Ref(n, _) => doc.object(rev, *n).ok().flatten(),
            other => Some(other.clone()),
        };
        let kinds = [DssKind::Cert, DssKind::Crl, DssKind::Ocsp];
        for (kind, array) in kinds.into_iter().zip(&self.arrays) {
            let Some(arr) = array.as_ref().and_then(resolve) else {
                continue;
            };
            for o in arr.as_array().unwrap_or(&[]) {
                if meter.check().is_err() {
                    return;
                }
                let Some((Object::Ref(n, g), Object::Stream(d, r))) = resolve(o).map(|s| (o, s))
                else {
                    continue;
                };
                let cap = Some(meter.validation_left());
                if let Ok(der) = doc.decode_stream_within((*n, *g), &d, r, cap) {
                    if meter.validation_data(der.len()).is_ok() {
                        each(kind, der);
                    }
                }
            }
        }
    }
}

/// The `/DSS` of every revision of one document, each read at most once, when first asked
/// for.
pub struct DssHistory<'a, 'd> {
    doc: &'a Document<'d>,
    by_revision: Vec<OnceCell<Option<Dss>>>,
}

impl<'a, 'd> DssHistory<'a, 'd> {
    /// Nothing read yet.
    pub fn new(doc: &'a Document<'d>) -> Self {
        DssHistory {
            doc,
            by_revision: (0..doc.revision_count()).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The `/DSS` revision `rev` sees ([`Dss::read`]), read on the first call.
    pub(crate) fn at(&self, rev: usize) -> Option<&Dss> {
        self.by_revision
            .get(rev)?
            .get_or_init(|| Dss::read(self.doc, rev))
            .as_ref()
    }

    /// The `/DSS` of the final state of the document.
    pub(crate) fn latest(&self) -> Option<&Dss> {
        self.at(self.doc.latest())
    }
}
