//! What changed after each revision, on arbitrary bytes (and the whole pipeline on top).
#![no_main]
use kyso_verify::pdf::{changes, Budget, Document, DssHistory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let budget = Budget::default();
    if let Ok(doc) = Document::parse(data, budget) {
        let dss = DssHistory::new(&doc);
        for rev in 0..doc.revision_count() {
            let _ = changes::analyse(&doc, rev, &changes::ChangePolicy::default(), &dss);
            let certified = changes::ChangePolicy {
                docmdp: Some(2),
                locks: vec![changes::FieldLock::All],
                signatures: (1..64).collect(),
            };
            let _ = changes::analyse(&doc, rev, &certified, &dss);
        }
    }
    let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let _ = kyso_verify::verify::verify(data, &kyso_verify::pki::TrustStore::default(), &kyso_verify::verify::Options::default(), at);
});
