//! The commit protocol under injected write errors (the store's test-only fault hook): a
//! failure at any step leaves either a complete submission or none, the store recovers without
//! being reopened, and what the start-up sweep and `check` find agrees with what was answered.

use kyso::duty::submission::Submission;
use kyso::store::{Committed, Fault, Step, Store};
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kyso-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join("fixtures/pdf")
            .join(name),
    )
    .unwrap()
}

/// Receive `bytes` through the store's intake and verify them (no trust: the verdict does not
/// matter here, only that it is a real report).
fn receive(store: &Store, bytes: &[u8]) -> (kyso::store::Received, Submission) {
    let mut intake = store.intake();
    for chunk in bytes.chunks(8192) {
        intake.write(chunk).unwrap();
    }
    let r = intake.finish().unwrap();
    let at = time::OffsetDateTime::now_utc();
    let report = kyso_verify::verify::verify(
        bytes,
        &kyso_verify::pki::TrustStore::default(),
        &kyso_verify::verify::Options::default(),
        at,
    )
    .unwrap();
    let sub = Submission {
        id: r.id.clone(),
        received_at: at,
        size: r.size,
        unit_hint: None,
        report,
        history: Vec::new(),
        file_name: None,
        client: None,
        accepted_late: None,
        moved: None,
        ocsp: Vec::new(),
        ca_issuers: Vec::new(),
    };
    (r, sub)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_failure_at_any_step_leaves_a_complete_submission_or_none() {
    let pdf = fixture("pyhanko-org-then-leader.pdf");
    for (step, errno, fault) in [
        (Step::Blob, libc::ENOSPC, Fault::NoSpace),
        (Step::Record, libc::EDQUOT, Fault::NoSpace),
        (Step::Sync, libc::EIO, Fault::Unavailable),
    ] {
        let dir = temp_dir(&format!("{step:?}"));
        let store = Store::open(&dir).unwrap();
        let (r, sub) = receive(&store, &pdf);
        let id = sub.id.clone();
        store.inject_fault(Some((step, errno)));
        let e = store.commit_blocking(r, Some(sub.clone())).unwrap_err();
        assert_eq!(e.fault(), Some(fault), "{step:?}: {e}");
        // Nothing of it anywhere: no blob, no record, not in the index.
        assert!(files_under(&dir.join("blobs")).is_empty(), "{step:?}");
        assert!(files_under(&dir.join("submissions")).is_empty(), "{step:?}");
        assert!(
            !store.health().fault.is_none(),
            "{step:?}: the fault is reported"
        );
        // The fault clears: the same bytes commit, without reopening the store.
        store.inject_fault(None);
        let mut committed = None;
        for _ in 0..50 {
            let (r, sub) = receive(&store, &pdf);
            match store.commit_blocking(r, Some(sub)) {
                Ok(c) => {
                    committed = Some(c);
                    break;
                }
                // The index is rebuilt by the committer's probe after an index fault.
                Err(e) if e.fault().is_some() => {
                    std::thread::sleep(std::time::Duration::from_millis(200))
                }
                Err(e) => panic!("{step:?}: {e}"),
            }
        }
        assert!(
            matches!(committed, Some(Committed::Created(_))),
            "{step:?}: {committed:?}"
        );
        assert_eq!(store.get(&id).unwrap().unwrap().id, id);
        assert!(store.health().fault.is_none(), "{step:?}");
        assert_eq!(store.count(), 1);
        let check = store.check(&mut |_, _| {}).unwrap();
        assert!(check.is_clean(), "{step:?}: {:?}", check.problems);
        drop(store);
        // Reopened and reindexed: exactly the one submission.
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.reindex().unwrap().submissions, 1, "{step:?}");
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn an_index_failure_after_the_sync_keeps_the_submission_and_rebuilds_the_index() {
    let dir = temp_dir("index");
    let store = Store::open(&dir).unwrap();
    let (r, sub) = receive(&store, &fixture("pyhanko-org-then-leader.pdf"));
    let id = sub.id.clone();
    store.inject_fault(Some((Step::Index, libc::ENOSPC)));
    // The files were synced before the index write: the submission is stored (201).
    let c = store.commit_blocking(r, Some(sub)).unwrap();
    assert!(matches!(c, Committed::Created(_)), "{c:?}");
    let h = store.health();
    assert!(h.fault.is_some() && !h.index_ok, "{h:?}");
    assert!(store.get(&id).is_err(), "readers wait for the rebuild");
    store.inject_fault(None);
    // The committer's probe rebuilds the index from the files, without reopening the store.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while (store.get(&id).is_err() || store.health().fault.is_some())
        && std::time::Instant::now() < until
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(store.get(&id).unwrap().unwrap().id, id);
    let h = store.health();
    assert!(h.fault.is_none() && h.index_ok, "{h:?}");
    assert_eq!(store.count(), 1);
    assert!(store.check(&mut |_, _| {}).unwrap().is_clean());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_large_upload_spills_and_a_failed_spill_keeps_nothing() {
    let dir = temp_dir("spill");
    let store = Store::open(&dir).unwrap();
    let mut big = fixture("pyhanko-org-then-leader.pdf");
    big.extend(std::iter::repeat_n(b' ', 3 << 20));
    store.inject_fault(Some((Step::Intake, libc::ENOSPC)));
    let mut intake = store.intake();
    let e = big
        .chunks(65536)
        .try_for_each(|c| intake.write(c))
        .unwrap_err();
    assert_eq!(e.fault(), Some(Fault::NoSpace));
    drop(intake);
    assert!(files_under(&dir.join("tmp")).is_empty());
    store.inject_fault(None);
    let (r, sub) = receive(&store, &big);
    assert_eq!(r.size, big.len() as u64);
    let c = store.commit_blocking(r, Some(sub)).unwrap();
    let id = c.submission().id.clone();
    assert_eq!(std::fs::read(store.blob_path(&id)).unwrap(), big);
    assert!(
        files_under(&dir.join("tmp")).is_empty(),
        "the spill file is gone"
    );
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_duplicate_repairs_a_missing_or_damaged_copy() {
    let dir = temp_dir("repair");
    let store = Store::open(&dir).unwrap();
    let pdf = fixture("pyhanko-org-then-leader.pdf");
    let (r, sub) = receive(&store, &pdf);
    let id = sub.id.clone();
    assert!(matches!(
        store.commit_blocking(r, Some(sub)).unwrap(),
        Committed::Created(_)
    ));
    let (r, _) = receive(&store, &pdf);
    assert!(matches!(
        store.commit_blocking(r, None).unwrap(),
        Committed::Existing(_)
    ));
    // Damaged on disk (same length, one byte changed): `check` sees it, a re-upload repairs it.
    let blob = store.blob_path(&id);
    let mut damaged = pdf.clone();
    damaged[100] ^= 0x20;
    std::fs::write(&blob, &damaged).unwrap();
    let check = store.check(&mut |_, _| {}).unwrap();
    assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
    assert!(
        check.problems[0].contains("no longer hashes"),
        "{:?}",
        check.problems
    );
    let (r, _) = receive(&store, &pdf);
    assert!(matches!(
        store.commit_blocking(r, None).unwrap(),
        Committed::Repaired(_)
    ));
    assert_eq!(std::fs::read(&blob).unwrap(), pdf);
    // Missing altogether: repaired too.
    std::fs::remove_file(&blob).unwrap();
    let (r, _) = receive(&store, &pdf);
    assert!(matches!(
        store.commit_blocking(r, None).unwrap(),
        Committed::Repaired(_)
    ));
    assert!(store.check(&mut |_, _| {}).unwrap().is_clean());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_start_sets_aside_what_an_interrupted_batch_left() {
    let dir = temp_dir("sweep");
    let store = Store::open(&dir).unwrap();
    let a = fixture("pyhanko-org-then-leader.pdf");
    let b = fixture("pyhanko-leader-april-0030.pdf");
    let (r, sub) = receive(&store, &a);
    store.commit_blocking(r, Some(sub)).unwrap();
    let (r, sub) = receive(&store, &b);
    let b_id = sub.id.clone();
    store.commit_blocking(r, Some(sub)).unwrap();
    drop(store);
    // As a crash mid-batch can leave them: b's record without its blob, a blob without record.
    std::fs::remove_file(
        dir.join("blobs")
            .join(&b_id[..2])
            .join(format!("{b_id}.pdf")),
    )
    .unwrap();
    let stray = "ab".repeat(32);
    std::fs::create_dir_all(dir.join("blobs/ab")).unwrap();
    std::fs::write(dir.join(format!("blobs/ab/{stray}.pdf")), b"%PDF-1.7 stray").unwrap();
    // And complete files the index never heard of (killed after the sync, before the index):
    // made by another store, copied in.
    let other = temp_dir("sweep-other");
    let c_id = {
        let s = Store::open(&other).unwrap();
        let (r, sub) = receive(&s, &fixture("pyhanko-org-pades.pdf"));
        s.commit_blocking(r, Some(sub))
            .unwrap()
            .submission()
            .id
            .clone()
    };
    for (kind, ext) in [("blobs", "pdf"), ("submissions", "json")] {
        let rel = format!("{kind}/{}/{c_id}.{ext}", &c_id[..2]);
        std::fs::create_dir_all(dir.join(&rel).parent().unwrap()).unwrap();
        std::fs::copy(other.join(&rel), dir.join(&rel)).unwrap();
    }
    std::fs::remove_dir_all(&other).unwrap();
    let store = Store::open(&dir).unwrap();
    assert_eq!(store.count(), 2);
    assert!(store.get(&b_id).unwrap().is_none());
    assert_eq!(store.get(&c_id).unwrap().unwrap().id, c_id);
    assert!(store.check(&mut |_, _| {}).unwrap().is_clean());
    let mut set_aside: Vec<String> = files_under(&dir.join("quarantine"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    set_aside.sort();
    let mut expected = vec![format!("{stray}.pdf"), format!("{b_id}.json")];
    expected.sort();
    assert_eq!(set_aside, expected);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
