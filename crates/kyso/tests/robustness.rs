//! Hostile input: mutated fixtures, truncations and garbage end in a verdict or a typed error,
//! never a panic. (Fuzzing with cargo-fuzz lives in fuzz/; this runs in the normal suite.)

mod common;

use common::*;
use kyso_verify::verify::{verify, Options};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    "pyhanko-org-then-leader.pdf",
    "openssl-org-cades-ber.pdf",
    "openssl-leader-pss.pdf",
    "pyhanko-leader-ecdsa.pdf",
    "openssl-content-changed-after-signing.pdf",
];

fn seed(i: usize) -> Vec<u8> {
    std::fs::read(fixture(SEEDS[i % SEEDS.len()])).unwrap()
}

fn check(bytes: &[u8]) {
    let store = store();
    match verify(bytes, &store, &Options::default(), validation_time()) {
        Ok(r) => {
            // A mutated document never passes unless the mutation missed every signed byte.
            for s in &r.signatures {
                if s.indication != kyso_verify::report::Indication::TotalPassed {
                    assert!(!s.problems.is_empty());
                }
            }
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn flipped_bytes(which in 0usize..5, flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut b = seed(which);
        for (i, v) in flips {
            let at = i.index(b.len());
            b[at] ^= v | 1;
        }
        check(&b);
    }

    #[test]
    fn truncated(which in 0usize..5, cut in any::<prop::sample::Index>()) {
        let b = seed(which);
        let n = cut.index(b.len());
        check(&b[..n]);
    }

    #[test]
    fn spliced(which in 0usize..5, at in any::<prop::sample::Index>(), junk in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut b = seed(which);
        let i = at.index(b.len());
        b.splice(i..i, junk);
        check(&b);
    }

    #[test]
    fn garbage_after_a_header(junk in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut b = b"%PDF-1.7\n".to_vec();
        b.extend(junk);
        check(&b);
    }
}

#[test]
fn a_flipped_signed_byte_is_never_valid() {
    // Every byte of the page text is signed; changing any of them must not pass.
    let orig = std::fs::read(fixture("openssl-org-detached.pdf")).unwrap();
    let start = orig
        .windows(13)
        .position(|w| w == b"Van ban ky so")
        .unwrap();
    for i in start..start + 13 {
        let mut b = orig.clone();
        b[i] ^= 0x01;
        let r = verify(&b, &store(), &Options::default(), validation_time()).unwrap();
        assert_eq!(r.verdict, kyso_verify::report::Verdict::Invalid, "byte {i}");
    }
}

#[test]
fn crafted_structures_hit_budgets_not_the_stack() {
    let deep = format!("%PDF-1.7\n1 0 obj\n{}\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
        "[".repeat(100_000), 0);
    check(deep.as_bytes());
    let huge_count = b"%PDF-1.7\nxref\n0 4000000000\ntrailer\n<< /Size 2 >>\nstartxref\n9\n%%EOF\n";
    check(huge_count);
    let prev_loop = b"%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 9 >>\nstartxref\n9\n%%EOF\n";
    check(prev_loop);
}

#[test]
fn a_deflate_bomb_stops_at_the_decompression_budget() {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    // An object stream that inflates to 64 MiB of spaces, under a 1 MiB budget.
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(b"1 0 ").unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        z.write_all(&chunk).unwrap();
    }
    let data = z.finish().unwrap();
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let stm_at = pdf.len();
    pdf.extend(
        format!(
            "2 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            data.len()
        )
        .as_bytes(),
    );
    pdf.extend(&data);
    pdf.extend(b"\nendstream\nendobj\n");
    let xref_at = pdf.len();
    pdf.extend(
        format!("xref\n0 3\n0000000000 65535 f \n0000000000 65535 f \n{stm_at:010} 00000 n \ntrailer\n<< /Size 3 >>\nstartxref\n{xref_at}\n%%EOF\n")
            .as_bytes(),
    );
    let budget = kyso_verify::budget::Budget {
        max_inflated_bytes: 1 << 20,
        ..Default::default()
    };
    let doc = kyso_verify::pdf::Document::parse(&pdf, budget).unwrap();
    let err = doc.object_stream(0, 2).unwrap_err();
    assert!(
        matches!(
            err,
            kyso_verify::pdf::PdfError::Budget {
                what: "decompressed bytes",
                ..
            }
        ),
        "{err}"
    );
    // The pipeline decodes only object streams that an xref entry points into: this one is
    // referenced by none, so it is never inflated and the file is simply unsigned.
    let opts = Options {
        budget,
        ..Options::default()
    };
    let r = verify(&pdf, &store(), &opts, validation_time()).unwrap();
    assert_eq!(r.verdict, kyso_verify::report::Verdict::Unsigned);
}

/// Found by cargo-fuzz (cms_decoder): a signed attribute whose UTCTime holds UTF-8 text made the
/// time parser slice inside a character and panic. It must be a malformed CMS, not a crash.
const FUZZ_CMS_UTF8_TIME: &str = concat!(
    "3082056406092a864886f70d010702a082055530820551020101310d300b0609608648016503040201300b06092a8648",
    "86f70d010701a08203503082034c30820234a00302010202141df0fca8876a68b60fbeb0f1eb576ab4c7943726300d06",
    "092a864886f70d01010b0500302e3111300f06035504030c0841746b20526f6f74310c300a060355040a0c0341746b31",
    "0b300906035504061302564e301e170d3236313133303039333731395a170d3335303231363039333731395a30303113",
    "301106035504030c0a41746b205369676e6572310c300a060355040a0c0341746b310b300906035504061302564e3082",
    "0122300d06092a864886f70d01010105000382010f003082010a0282010100d5f53bd9fda5b55ae1aed2003807f7a36b",
    "028ccadd24e9c73181d54032357487f37d0c9bab23a4a3e89e58da3cbe6d0e8d8108ec36ad98ec6dd0f57d07d400b30f",
    "96dd1600d62dfc189c7f67fe350f1248e62a6bb370201fc47e907731351cc34e6b2714df7d6d8273f39b7fe8bf6a7ce6",
    "1755a9df274dbf783daa02dce2b4915237857ab4faaef5d384a193830a91302ca223b305186ca440534a4e3c7154c959",
    "e694dc835494174134ba6ea86accba3077d9fd36502966a0db754c03bcd15478437bb9788d54a2347c676fd643f83fc7",
    "011c1aa395fdfa8f73e9067d3984b4b639a5d854a55db15d007899905aa8dd1654d7f9466e4b71196b1e3ffb231ef502",
    "03010001a360305e300c0603551d130101ff04023000300e0603551d0f0101ff0404030206c0301d0603551d0e041604",
    "14d13724229ffb93da861d8f08fe6640926a8fbc93301f0603551d23041830168014c8490c3d8bf5f707ff7332bad5e7",
    "a3303959d37e300d06092a864886f70d01010b050003820101002fc01f99873aa72ffa47639716d3dd96506500fd4071",
    "6c038e36fed3775f376029ae026b0114d041704268309523c1b155074d28c360ad72359659e5d922173c60f4d55e890c",
    "886246f87f286fc99007e68a1c5c3974f17855d45f16d31288f8d864a7c33abce518c2bde6ad482579ebb889edffe9a0",
    "d1937c3e2505ff0f86bf9c279115c71513663a2139fecd25b7a6dc65ff260c35db8b50f0bfdfcd9b35bbf712fdb49551",
    "355ed1d78f14310e5c7fc8ee080f93cfde572fe585c8a065c4910de22b86060c305691c19ff66e06e21b0eba620bae98",
    "2e3a3255321b928f3f20761466a9a125a08d3047a44a62b9ddd728a6de431aa41092787b45609af3f83f318201da3082",
    "01d60201013046302e3111300f06035504030c0841746b20526f6f74310c300a060355040a0c0341746b310b30090603",
    "5504061302564e02141df0fca8876a68b60fbeb0f1eb576ab4c7943726300b0609608648016503040201a06930180609",
    "2a864886f70d010903310b06092a864886f70d010701301c06092a864886f70d010905310f170d43c6a12079e1babf75",
    "3733305a302f06092a864886f70d010904312204206432e234e7f91d386d354298c95dc28e86468ad92dcc05812faa1a",
    "33e2910856300d06092a864886f70d0101010500048201002542d7990ab87d09b9e7590974887a1e74c4abc977a535e3",
    "f2acad51160fd927234fd38081a4c18e1fc4d6cac47fae7fe4822c749a6f0a1981792e26e5a5ab336dec08c7d42a1bd7",
    "160c8f17f6263e5df5c741ead34790b38d879caf844c8e908440273ed5208cdb7f2fb1f9f0b64bac1a492f62bae39bde",
    "3d1fe39d1ed36cbaa4d90fe6f3b16f77256ca5cac77c75fb0664514f06b712ede8bb54c35687596cd01cd0a1d3f72a49",
    "495f5170e9e930b550edf54f3caf296fc9f7744b75bb9b2aeb087a3a089f03aa6a99ea6e4afc281eb1550cc3d78c4dd1",
    "5db4226ceb1b16af51afeed7823669ee997411c821fe046faad8d60201013046302e31e3fcf89a51",
);

#[test]
fn a_non_ascii_signing_time_is_malformed_not_a_panic() {
    let bytes = hex::decode(FUZZ_CMS_UTF8_TIME).unwrap();
    let r = std::panic::catch_unwind(|| kyso_verify::cms::decode(&bytes, 1 << 20, 100));
    let decoded = r.expect("no panic");
    assert!(decoded.is_err(), "{decoded:?}");
}
