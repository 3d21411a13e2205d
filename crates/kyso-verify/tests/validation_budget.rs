//! The validation data a document makes the verifier decode (its `/DSS`, its signatures' CMS)
//! is charged to the document's budget: bytes, items and CRL entries. Spending any of them
//! ends the verification in `budget_exceeded`; the defaults leave every fixture as it was.

#[allow(dead_code)]
#[path = "../examples/verify_fixture.rs"]
mod example;

use kyso_verify::budget::Budget;
use kyso_verify::report::Verdict;
use kyso_verify::verify::{verify, Options, VerifyError};

fn verify_with(name: &str, budget: Budget) -> Result<Verdict, VerifyError> {
    let path = format!("{}/../../fixtures/pdf/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    let opts = Options {
        budget,
        ..Options::default()
    };
    let store = example::trust_store().unwrap();
    let at = example::validation_time().unwrap();
    verify(&bytes, &store, &opts, at).map(|r| r.verdict)
}

fn code(r: Result<Verdict, VerifyError>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => e.code().to_string(),
    }
}

#[test]
fn dss_data_is_charged_to_the_document() {
    // A /DSS with a CRL and OCSP responses (PAdES B-LT).
    let name = "pyhanko-b-lt-crl-ocsp.pdf";
    assert_eq!(
        verify_with(name, Budget::default()).unwrap(),
        Verdict::Valid
    );
    let tiny = [
        Budget {
            max_validation_bytes: 1_000,
            ..Budget::default()
        },
        Budget {
            max_validation_items: 1,
            ..Budget::default()
        },
        Budget {
            max_crl_entries: 0,
            ..Budget::default()
        },
    ];
    for budget in tiny {
        assert_eq!(
            code(verify_with(name, budget)),
            "budget_exceeded",
            "{budget:?}"
        );
    }
}

#[test]
fn cms_data_is_charged_to_the_document() {
    // The CMS carries a CRL (adbe-revocationInfoArchival) with one entry, and certificates.
    let name = "pyhanko-crl-issuer-without-crlsign.pdf";
    assert_eq!(
        verify_with(name, Budget::default()).unwrap(),
        Verdict::Valid
    );
    let no_entries = Budget {
        max_crl_entries: 0,
        ..Budget::default()
    };
    assert_eq!(code(verify_with(name, no_entries)), "budget_exceeded");
    let one_item = Budget {
        max_validation_items: 1,
        ..Budget::default()
    };
    assert_eq!(code(verify_with(name, one_item)), "budget_exceeded");
}

#[test]
fn an_unsigned_document_decodes_no_validation_data() {
    let nothing = Budget {
        max_validation_bytes: 0,
        max_validation_items: 0,
        max_crl_entries: 0,
        ..Budget::default()
    };
    assert_eq!(
        verify_with("unsigned.pdf", nothing).unwrap(),
        Verdict::Unsigned
    );
}
