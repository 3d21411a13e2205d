//! iText 8's validation corpus (`../shared/corpora/itext-validation`, read in place, never
//! copied): every file is evaluated, and kyso's conclusion is compared with iText's for each
//! (the table of iText's conclusions is `tests/itext_expected.toml`, read from iText's own
//! Java tests). Every disagreement is listed below with its reason; a new one fails the test.
//!
//! What is compared: for iText's document-revision tests, whether the changes after the
//! signatures are allowed (kyso's `modifications_after`); for its signature tests, whether a
//! signature fails outright (TOTAL_FAILED), since iText's chains and revocation come from trust
//! material its tests build at run time (an INDETERMINATE here is not a disagreement).

mod common;

use common::*;
use kyso_verify::pdf::changes::Modifications;
use kyso_verify::report::{Indication, Report};
use kyso_verify::verify::{verify, Options};
use std::path::PathBuf;
use time::macros::datetime;

#[derive(serde::Deserialize)]
struct Table {
    file: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    path: String,
    itext: String,
    kind: String,
    readable: bool,
}

/// Where kyso concludes otherwise than iText, on purpose or for now, and why.
const DIFFERENCES: &[(&str, &str)] = &[
    ("DocumentRevisionsValidatorIntegrationTest/annotationModificationNotAllowedTabsSetToDefaultTest.pdf",
     "a page's /Tabs added after a certification that does not allow annotations (P=2): iText accepts it when the value equals its default; kyso accepts /Tabs changes only at P=3"),
    ("DocumentRevisionsValidatorIntegrationTest/fieldLockLevelIncrease.pdf",
     "a later FieldMDP /P that tries to raise the level: iText says indeterminate; kyso keeps the lowest level and finds no change beyond it"),
    ("DocumentRevisionsValidatorIntegrationTest/taggedDocAddAndRemoveAnnotations.pdf", REMOVED),
    ("DocumentRevisionsValidatorIntegrationTest/taggedDocModifyAnnotation.pdf", ANNOTATIONS),
    ("DocumentRevisionsValidatorIntegrationTest/taggedDocModifyAnnotationAndStructContent.pdf", ANNOTATIONS),
    ("DocumentRevisionsValidatorIntegrationTest/outlinesNotModified.pdf", STRUCT_TREE),
    ("DocumentRevisionsValidatorIntegrationTest/simpleTaggedDoc.pdf", STRUCT_TREE),
    ("DocumentRevisionsValidatorTest/gotoReferencesModifiedStructTreeElem.pdf", STRUCT_TREE),
    ("DocumentRevisionsValidatorIntegrationTest/removeAllAnnots.pdf", REMOVED),
    ("DocumentRevisionsValidatorIntegrationTest/removeFieldAnnots.pdf", REMOVED),
    ("DocumentRevisionsValidatorTest/multipleRevisionsDocument.pdf",
     "objects freed after signing: iText accepts freeing unused objects; kyso refuses every freed object of the signed revision (it does not prove that nothing used it)"),
    ("DocumentRevisionsValidatorTest/multipleRevisionsDocument3.pdf", REMOVED),
    ("DocumentRevisionsValidatorTest/addUnsignedSignatureField.pdf",
     "an empty, invisible signature field added after signing: iText refuses it under the test's access level; kyso allows new invisible signature fields (they draw nothing and may be signed later)"),
    ("DocumentRevisionsValidatorTest/extensionsModifications.pdf",
     "/Extensions changed after signing: iText refuses it; ISO 32000-2 §7.12 extensions only declare what the file uses, and kyso allows the update (issue: an /Extensions update is allowed)"),
    ("DocumentRevisionsValidatorTest/randomEntryWithoutUsage.pdf",
     "an entry nothing uses added after signing: iText refuses it only in its strict mode; kyso finds no change to any object the signed revision had"),
    ("DocumentRevisionsValidatorTest/removeDSS.pdf",
     "the /DSS removed after signing: iText refuses it; kyso allows /DSS updates of any kind, since validation data is not signed content (the removed data is then simply not used)"),
    ("DocumentRevisionsValidatorTest/catalogReferenceInRandomPlace.pdf",
     "the first signature's /ByteRange ends inside a revision (pdfsig also reports its digest does not match the file as read); iText checks only the revisions, kyso refuses partial coverage"),
    ("SignatureValidatorIntegrationTest/revDataInTheSignatureContainer.pdf",
     "the SignerInfo's digestAlgorithm is SHA-384 but its signatureAlgorithm is sha256WithRSAEncryption, and the RSA value holds a SHA-384 DigestInfo: Bouncy Castle (under iText) builds the algorithm from the digestAlgorithm and the key type, so the value verifies; kyso verifies with the hash the signatureAlgorithm names and reports signature_invalid, saying the two disagree. pyHanko and OpenSSL cannot parse this CMS at all (its SignedData.crls)"),
    ("SignatureValidatorTest/docWithBrokenDss.pdf",
     "the older signature's /ByteRange does not match its /Contents (pdfsig: digest mismatch); iText's test checks only the latest signature"),
    ("SignatureValidatorTest/docWithBrokenTimestamp.pdf", BROKEN_TIMESTAMP),
    ("SignatureValidatorTest/signatureWithModifiedTimestampDate.pdf", BROKEN_TIMESTAMP),
];

const STRUCT_TREE: &str = "the structure tree (/StructTreeRoot /ParentTree, /StructElem /K) updated after signing: iText accepts it; kyso refuses it, since a review showed that an object typed /StructElem can also serve as a rendered dictionary (a knockout transparency group), a /Nums leaf can be /PageLabels, and a new /ActualText changes what screen readers read";
const ANNOTATIONS: &str = "a link annotation added and an annotation's colour changed under a P=3 certification: iText accepts any annotation change at P=3; kyso accepts only new sticky notes without their own appearance, since any other annotation can draw over signed content (the Evil Annotation attack)";
const REMOVED: &str = "annotations or widgets removed after signing: iText accepts removals; kyso refuses them, since removing a stamp or a visible signature changes what the signed page shows";
const BROKEN_TIMESTAMP: &str = "a signature timestamp that does not verify: iText fails the signature; kyso, like EU DSS, reports timestamp_invalid, ignores the timestamp and judges the signature on its own (it does not become TOTAL_FAILED)";

fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpora/itext-validation/pdf");
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("KYSO_REQUIRE_CORPORA").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "KYSO_REQUIRE_CORPORA=1 but {} is missing",
        dir.display()
    );
    eprintln!("skipped: the iText corpus is not at {} (set KYSO_REQUIRE_CORPORA=1 to make this a failure)", dir.display());
    None
}

/// kyso's conclusion in the terms of iText's test.
fn ours(kind: &str, r: &Report) -> &'static str {
    if kind == "revisions" {
        if r.signatures
            .iter()
            .any(|s| s.modifications_after == Modifications::Disallowed)
        {
            "invalid"
        } else {
            "valid"
        }
    } else if r
        .signatures
        .iter()
        .any(|s| s.indication == Indication::TotalFailed)
    {
        "invalid"
    } else {
        "valid"
    }
}

/// iText's conclusion in the same terms (an indeterminate revision check does not allow).
fn theirs(kind: &str, itext: &str) -> Option<&'static str> {
    match (kind, itext) {
        (_, "unknown") => None,
        ("revisions", "valid") => Some("valid"),
        ("revisions", _) => Some("invalid"),
        (_, "invalid") => Some("invalid"),
        _ => Some("valid"),
    }
}

#[test]
fn every_itext_file_is_read_and_judged_as_itext_does_or_as_listed() {
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/itext_expected.toml"),
    )
    .unwrap();
    let table: Table = toml::from_str(&text).unwrap();
    let store = store();
    let at = datetime!(2026-01-01 00:00 UTC);
    let (mut agreed, mut listed, mut unexpected) = (0, 0, Vec::new());
    for e in &table.file {
        let bytes = std::fs::read(dir.join(&e.path)).unwrap();
        let r = match verify(&bytes, &store, &Options::default(), at) {
            Ok(r) => r,
            Err(err) if !e.readable => {
                eprintln!("{}: {} (meant to be unreadable)", e.path, err.code());
                continue;
            }
            Err(err) => panic!("{}: not evaluated: {err}", e.path),
        };
        let Some(want) = theirs(&e.kind, &e.itext) else {
            continue;
        };
        let got = ours(&e.kind, &r);
        let difference = DIFFERENCES.iter().find(|(p, _)| *p == e.path);
        match (got == want, difference) {
            (true, None) => agreed += 1,
            (false, Some((_, why))) => {
                listed += 1;
                eprintln!("{}: iText {want}, kyso {got}: {why}", e.path);
            }
            (true, Some(_)) => unexpected.push(format!(
                "{}: now agrees with iText; remove it from DIFFERENCES",
                e.path
            )),
            (false, None) => unexpected.push(format!(
                "{}: iText {want}, kyso {got}: {:?}",
                e.path,
                r.signatures
                    .iter()
                    .flat_map(|s| s.problems.iter().map(|p| &p.message))
                    .collect::<Vec<_>>()
            )),
        }
    }
    eprintln!("{agreed} agree with iText, {listed} listed differences");
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert!(agreed >= 60, "only {agreed} files compared");
}
