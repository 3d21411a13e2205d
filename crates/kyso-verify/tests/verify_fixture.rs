//! The `verify_fixture` example, run as a test: what it prints for its default fixture.

#[allow(dead_code)]
#[path = "../examples/verify_fixture.rs"]
mod example;

use kyso_verify::report::{Indication, Verdict};

#[test]
fn the_example_fixture_is_valid() {
    let report = example::verify_fixture(example::DEFAULT_FIXTURE).unwrap();
    assert_eq!(report.verdict, Verdict::Valid);
    assert_eq!(example::as_written(&report.verdict), "valid");
    assert_eq!(report.signatures.len(), 2);
    for s in &report.signatures {
        assert_eq!(s.indication, Indication::TotalPassed, "{:?}", s.problems);
        assert_eq!(example::as_written(&s.indication), "TOTAL_PASSED");
    }
}

#[test]
fn the_example_trust_store_has_the_fixture_files() {
    let store = example::trust_store().unwrap();
    assert_eq!((store.anchors.len(), store.intermediates.len()), (1, 1));
    assert_eq!(store.crls.len(), 2);
    assert_eq!(
        example::validation_time().unwrap(),
        time::macros::datetime!(2026-12-01 00:00 UTC)
    );
}
