//! Encrypted documents (ISO 32000-2 §7.6), made by qpdf and signed by pyHanko
//! (fixtures/encrypted.py): permission-only files are read in full, a user-password file is
//! checked as far as its signatures go and says what it could not check.

mod common;

use common::*;
use kyso_verify::report::{EncryptionMethod, Indication, Modifications, Report, Verdict};
use kyso_verify::verify::{verify, Options};
use proptest::prelude::*;

fn file(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/encrypted").join(name)).unwrap()
}

fn check(name: &str) -> Report {
    let store = kyso::trust::files::load(
        &[pki("encrypted-root.pem")],
        &[],
        &[pki("encrypted-root.crl")],
    )
    .expect("trust store");
    verify(&file(name), &store, &Options::default(), validation_time())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

struct Case {
    name: &'static str,
    verdict: Verdict,
    method: EncryptionMethod,
    opened: bool,
    /// Per signature, oldest first.
    modifications: &'static [Modifications],
    /// A problem code some signature must carry ("" for none).
    problem: &'static str,
}

const CASES: &[Case] = {
    use EncryptionMethod::{Aes128, Aes256, Rc4};
    use Modifications::{Disallowed, Permitted, Unchecked};
    const NONE: Modifications = Modifications::None;
    &[
        Case {
            name: "aes256-objstm-pyhanko.pdf",
            verdict: Verdict::Valid,
            method: Aes256,
            opened: true,
            modifications: &[NONE],
            problem: "",
        },
        Case {
            name: "aes128-objstm-pyhanko.pdf",
            verdict: Verdict::Valid,
            method: Aes128,
            opened: true,
            modifications: &[NONE],
            problem: "",
        },
        Case {
            name: "rc4-128-pyhanko.pdf",
            verdict: Verdict::Valid,
            method: Rc4,
            opened: true,
            modifications: &[NONE],
            problem: "",
        },
        Case {
            name: "rc4-40-pyhanko.pdf",
            verdict: Verdict::Valid,
            method: Rc4,
            opened: true,
            modifications: &[NONE],
            problem: "",
        },
        Case {
            name: "aes256-two-signatures.pdf",
            verdict: Verdict::Valid,
            method: Aes256,
            opened: true,
            modifications: &[Permitted, NONE],
            problem: "",
        },
        Case {
            name: "aes256-page-replaced.pdf",
            verdict: Verdict::Invalid,
            method: Aes256,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "aes256-permissions-swapped.pdf",
            verdict: Verdict::Invalid,
            method: Aes256,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "user-password-pyhanko.pdf",
            verdict: Verdict::Valid,
            method: Aes256,
            opened: false,
            modifications: &[NONE],
            problem: "",
        },
        Case {
            name: "user-password-then-change.pdf",
            verdict: Verdict::Invalid,
            method: Aes256,
            opened: false,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "user-password-two-signatures.pdf",
            verdict: Verdict::Indeterminate,
            method: Aes256,
            opened: false,
            modifications: &[Unchecked, NONE],
            problem: "encrypted_unreadable",
        },
        // What an attacker's review found: each passed before its fix.
        Case {
            name: "aes256-crypt-filter-polyglot.pdf",
            verdict: Verdict::Invalid,
            method: Aes256,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "aes256-metadata-polyglot.pdf",
            verdict: Verdict::Invalid,
            method: Aes256,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "rc4-locked-field-filled.pdf",
            verdict: Verdict::Invalid,
            method: Rc4,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "rc4-locked-field-parent-typed-xref.pdf",
            verdict: Verdict::Invalid,
            method: Rc4,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "rc4-locked-widget-typed-metadata.pdf",
            verdict: Verdict::Invalid,
            method: Rc4,
            opened: true,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
        Case {
            name: "rc4-id-changed.pdf",
            verdict: Verdict::Invalid,
            method: Rc4,
            opened: false,
            modifications: &[Disallowed],
            problem: "modified_after_signing",
        },
    ]
};

#[test]
fn encrypted_documents_get_their_expected_verdicts() {
    for c in CASES {
        let r = check(c.name);
        assert_eq!(r.verdict, c.verdict, "{}: {:#?}", c.name, r.signatures);
        let enc = r
            .document
            .encryption
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no encryption", c.name));
        assert_eq!((enc.method, enc.opened), (c.method, c.opened), "{}", c.name);
        let m: Vec<_> = r.signatures.iter().map(|s| s.modifications_after).collect();
        assert_eq!(m, c.modifications, "{}", c.name);
        let codes: Vec<_> = r
            .signatures
            .iter()
            .flat_map(|s| s.problems.iter().map(|p| p.code.as_str().to_string()))
            .collect();
        if c.problem.is_empty() {
            assert!(codes.is_empty(), "{}: {codes:?}", c.name);
        } else {
            assert!(
                codes.iter().any(|k| k == c.problem),
                "{}: {codes:?}",
                c.name
            );
        }
        let doc_codes: Vec<_> = r
            .document_problems
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        // Opened: nothing left unread. Closed: said once, for the whole document.
        assert_eq!(
            doc_codes.contains(&"encrypted_unreadable"),
            !c.opened,
            "{}: {doc_codes:?}",
            c.name
        );
        if c.opened && c.verdict == Verdict::Valid {
            assert!(doc_codes.is_empty(), "{}: {doc_codes:?}", c.name);
        }
    }
}

#[test]
fn field_names_are_decrypted_or_not_shown() {
    // The field name (/T) is an encrypted string: decrypted when the file opens, never shown
    // as ciphertext when it does not.
    let opened = check("aes256-two-signatures.pdf");
    let names: Vec<_> = opened.signatures.iter().map(|s| s.field.clone()).collect();
    assert_eq!(
        names,
        [
            Some("ChuKyLanhDao".to_string()),
            Some("ChuKyCoQuan".to_string())
        ]
    );
    let closed = check("user-password-two-signatures.pdf");
    assert!(closed.signatures.iter().all(|s| s.field.is_none()));
    // What the closed file could still check: both signatures' bytes and CMS.
    assert!(closed.signatures.iter().all(|s| s
        .signer
        .as_ref()
        .is_some_and(|x| x.subject.contains("Ngô Thị Hoa"))));
    assert_eq!(closed.signatures[1].indication, Indication::TotalPassed);
}

#[test]
fn the_cli_reports_the_encryption() {
    let out = kyso()
        .args(["verify", "--json", "--at", &expected().validation_time])
        .arg("--trust")
        .arg(pki("encrypted-root.pem"))
        .arg("--crl")
        .arg(pki("encrypted-root.crl"))
        .arg(root().join("fixtures/encrypted/rc4-40-pyhanko.pdf"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "valid");
    assert_eq!(
        v["document"]["encryption"],
        serde_json::json!({ "method": "rc4", "opened": true })
    );
}

const SEEDS: &[&str] = &[
    "aes256-two-signatures.pdf",
    "rc4-40-pyhanko.pdf",
    "aes128-objstm-pyhanko.pdf",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Flipped bytes in an encrypted file (its encryption dictionary, its ciphertext) end in a
    /// verdict or a typed error, never a panic, and never a pass for a damaged signature.
    #[test]
    fn flipped_encrypted_bytes_never_panic(which in 0usize..3, flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = file(SEEDS[which]);
        for (i, b) in flips {
            let at = i.index(bytes.len());
            bytes[at] ^= b | 1;
        }
        let store = kyso::trust::files::load(&[pki("encrypted-root.pem")], &[], &[pki("encrypted-root.crl")]).unwrap();
        match verify(&bytes, &store, &Options::default(), validation_time()) {
            Ok(r) => {
                for s in &r.signatures {
                    if s.indication != Indication::TotalPassed {
                        prop_assert!(!s.problems.is_empty());
                    }
                }
            }
            Err(e) => prop_assert!(!e.code().is_empty()),
        }
    }
}
