//! The PDF side: revisions, signature dictionaries and byte-range checks on arbitrary bytes.
#![no_main]
use kyso_verify::pdf::{check_byte_range, find_signatures, Budget, Document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let budget = Budget::default();
    if let Ok(doc) = Document::parse(data, budget) {
        if let Ok((sigs, _)) = find_signatures(&doc, &budget) {
            for s in &sigs {
                let _ = check_byte_range(&doc, s);
            }
        }
    }
});
