//! An independent reader (lopdf) must see the same signature dictionaries as kyso's own
//! revision-aware parser on every honest fixture.

mod common;

use common::*;
use kyso_verify::pdf::{find_signatures, Budget, Document};

fn lopdf_byte_ranges(bytes: &[u8]) -> Vec<Vec<i64>> {
    let doc = lopdf::Document::load_mem(bytes).expect("lopdf loads the fixture");
    let mut out: Vec<Vec<i64>> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter_map(|d| d.get(b"ByteRange").ok())
        .filter_map(|br| br.as_array().ok())
        .map(|a| a.iter().filter_map(|v| v.as_i64().ok()).collect())
        .collect();
    out.sort();
    out
}

#[test]
fn signature_dictionaries_agree_with_lopdf() {
    let mut compared = 0;
    for e in expected().file {
        // Honest files and plain tampering only: the attack files are built to confuse readers.
        let attack = [
            "usf-", "swa-", "isa-", "shadow-", "eaa-", "ssa-", "cms-", "review-",
        ]
        .iter()
        .any(|p| e.name.starts_with(p));
        if attack || e.verdict.starts_with("error:") || e.name.contains("changed-after") {
            continue;
        }
        let bytes = std::fs::read(fixture(&e.name)).unwrap();
        let doc = Document::parse(&bytes, Budget::default()).unwrap();
        let (sigs, unparsed) = find_signatures(&doc, &Budget::default()).unwrap();
        assert!(unparsed.is_empty(), "{}: {unparsed:?}", e.name);
        let mut ours: Vec<Vec<i64>> = sigs.iter().filter_map(|s| s.byte_range.clone()).collect();
        ours.sort();
        assert_eq!(ours, lopdf_byte_ranges(&bytes), "{}", e.name);
        compared += 1;
    }
    assert!(compared >= 25);
}
