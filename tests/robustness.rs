//! Hostile input: mutated fixtures, truncations and garbage end in a verdict or a typed error,
//! never a panic. (Fuzzing with cargo-fuzz lives in fuzz/; this runs in the normal suite.)

mod common;

use common::*;
use kyso::verify::{verify, Options};
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
                if s.indication != kyso::report::Indication::TotalPassed {
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
        assert_eq!(r.verdict, kyso::report::Verdict::Invalid, "byte {i}");
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
    let budget = kyso::budget::Budget {
        max_inflated_bytes: 1 << 20,
        ..Default::default()
    };
    let doc = kyso::pdf::Document::parse(&pdf, budget).unwrap();
    let err = doc.object_stream(0, 2).unwrap_err();
    assert!(
        matches!(
            err,
            kyso::pdf::PdfError::Budget {
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
    assert_eq!(r.verdict, kyso::report::Verdict::Unsigned);
}
