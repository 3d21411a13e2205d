//! Hostile uploads do not reach other users: while two of them are verified, an honest upload
//! is still answered in time, and each hostile one ends in its own 422 budget_exceeded.

use crate::helpers::*;
use crate::hostile_pdf::nested_strings_tagged;
use std::time::{Duration, Instant};

#[test]
fn an_honest_upload_answers_while_hostile_ones_are_verified() {
    let app = std::sync::Arc::new(spawn_app(Some(&demo_registry_toml())));
    let hostile: Vec<_> = (0..2)
        .map(|i| {
            let app = app.clone();
            std::thread::spawn(move || app.upload_raw(&nested_strings_tagged(i)))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let honest = app.upload_raw(&fixture("pyhanko-org-pades.pdf"));
    let waited = started.elapsed();
    assert_eq!(honest.status, 201, "{}", honest.text());
    assert_eq!(honest.json()["report"]["verdict"], "valid");
    assert!(
        waited < Duration::from_secs(3),
        "the honest upload waited {waited:?}"
    );
    for h in hostile {
        let r = h.join().unwrap();
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.json()["code"], "budget_exceeded", "{}", r.text());
    }
}
