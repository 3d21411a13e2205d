//! The CMS side: BER/DER SignedData decoding of arbitrary /Contents bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kyso::signed_data::decode(data, 1 << 20, 64);
});
