//! The house's rules, read from the source: the verifier crate does no I/O and depends on no
//! service crate; within the service, a wing imports only wings below it (ARCHITECTURE.md §2:
//! `cli -> startup -> web -> app -> {store, export, net} -> duty -> kyso-verify`); no glob
//! imports outside tests; no file over 600 lines.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The code of a file without its tests (everything from the first `#[cfg(test)]` on; a file
/// of tests, `tests.rs` or `*_tests.rs`, is all tests) and without comment lines.
fn code(path: &Path) -> Vec<(usize, String)> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "tests.rs" || name.ends_with("_tests.rs") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.contains("cfg(test)"))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The wings of the service crate, lowest first; a wing may import its own modules and those
/// of lower ranks only. Modules of one rank do not import each other.
const RANKS: &[(&str, u8)] = &[
    ("metrics", 0),
    ("vn", 0),
    ("text", 0),
    ("duty", 1),
    ("store", 2),
    ("export", 2),
    ("net", 2),
    ("app", 3),
    ("config", 4),
    ("trust", 5),
    ("web", 5),
    ("startup", 6),
    ("cli", 7),
];

fn wing_of(src: &Path, file: &Path) -> Option<&'static str> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    RANKS.iter().find(|(w, _)| *w == name).map(|(w, _)| *w)
}

fn rank(wing: &str) -> Option<u8> {
    RANKS.iter().find(|(w, _)| *w == wing).map(|(_, r)| *r)
}

#[test]
fn each_wing_imports_only_the_wings_below_it() {
    let src = root().join("crates/kyso/src");
    let mut wrong = Vec::new();
    let mut files = 0;
    for f in rust_files(&src) {
        let Some(wing) = wing_of(&src, &f) else {
            let name = f.file_name().unwrap().to_str().unwrap();
            assert!(
                matches!(name, "lib.rs" | "main.rs"),
                "{} is in no wing: add it to RANKS (and to ARCHITECTURE.md)",
                f.display()
            );
            continue;
        };
        files += 1;
        let mine = rank(wing).unwrap();
        for (n, line) in code(&f) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let other: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if other == wing || other.is_empty() {
                    continue;
                }
                let Some(theirs) = rank(&other) else {
                    wrong.push(format!("{}:{n}: crate::{other} is in no wing", f.display()));
                    continue;
                };
                if theirs >= mine {
                    wrong.push(format!(
                        "{}:{n}: {wing} (rank {mine}) imports {other} (rank {theirs})",
                        f.display()
                    ));
                }
            }
        }
    }
    assert!(files > 50, "the wings were read ({files} files)");
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn duty_and_store_are_handed_the_time() {
    let src = root().join("crates/kyso/src");
    let mut wrong = Vec::new();
    for wing in ["duty", "store", "export"] {
        for f in rust_files(&src.join(wing)) {
            for (n, line) in code(&f) {
                if line.contains("now_utc()") || line.contains("OffsetDateTime::now") {
                    wrong.push(format!("{}:{n}: {}", f.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "clock read below app/:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_verifier_does_no_io_and_needs_no_service_crate() {
    let manifest = std::fs::read_to_string(root().join("crates/kyso-verify/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for forbidden in [
        "actix", "sled", "ureq", "tokio", "kyso =", "reqwest", "hyper",
    ] {
        assert!(
            !deps.contains(forbidden),
            "kyso-verify depends on {forbidden}"
        );
    }
    let mut wrong = Vec::new();
    let mut files = 0;
    for f in rust_files(&root().join("crates/kyso-verify/src")) {
        files += 1;
        for (n, line) in code(&f) {
            for io in [
                "std::fs",
                "std::env",
                "std::net",
                "File::open",
                "SystemTime::now",
                "now_utc()",
                "Instant::now",
            ] {
                if line.contains(io) {
                    wrong.push(format!("{}:{n}: {}", f.display(), line.trim()));
                }
            }
        }
    }
    assert!(files > 30, "the verifier's files were read ({files})");
    assert!(
        wrong.is_empty(),
        "I/O in the verifier:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_glob_imports_and_no_long_files() {
    let mut wrong = Vec::new();
    for dir in ["crates/kyso/src", "crates/kyso-verify/src"] {
        for f in rust_files(&root().join(dir)) {
            let total = std::fs::read_to_string(&f).unwrap().lines().count();
            if total > 600 {
                wrong.push(format!("{}: {total} lines", f.display()));
            }
            for (n, line) in code(&f) {
                let t = line.trim();
                if t.starts_with("use ") && t.ends_with("::*;") {
                    wrong.push(format!("{}:{n}: {t}", f.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Whether a line begins a function (any visibility, async or const).
fn starts_fn(line: &str) -> bool {
    let mut t = line.trim_start();
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "async ",
        "const ",
        "unsafe ",
    ] {
        t = t.strip_prefix(prefix).unwrap_or(t);
        t = t.trim_start();
    }
    t.starts_with("fn ")
}

/// `{` minus `}` on a line, outside string and character literals.
fn brace_balance(line: &str) -> i64 {
    let (mut depth, mut in_str, mut prev) = (0i64, false, ' ');
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '\'' if !in_str => {
                // A character literal: skip it ('x', '\n', '{').
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') || rest.chars().nth(1) == Some('\'') {
                    let skip = if rest.starts_with('\\') { 2 } else { 1 };
                    for _ in 0..skip {
                        chars.next();
                    }
                }
            }
            '{' if !in_str => depth += 1,
            '}' if !in_str => depth -= 1,
            _ => {}
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    depth
}

#[test]
fn no_function_over_eighty_lines() {
    let mut long = Vec::new();
    for dir in ["crates/kyso/src", "crates/kyso-verify/src"] {
        for f in rust_files(&root().join(dir)) {
            let lines: Vec<(usize, String)> = code(&f);
            let mut i = 0;
            while i < lines.len() {
                if !starts_fn(&lines[i].1) {
                    i += 1;
                    continue;
                }
                let (start, mut depth, mut opened) = (lines[i].0, 0i64, false);
                let mut j = i;
                while j < lines.len() {
                    let b = brace_balance(&lines[j].1);
                    opened |= lines[j].1.contains('{');
                    depth += b;
                    if (opened && depth <= 0) || (!opened && lines[j].1.trim_end().ends_with(';')) {
                        break;
                    }
                    j += 1;
                }
                let end = lines.get(j).map_or(start, |l| l.0);
                if end - start + 1 > 80 {
                    long.push(format!(
                        "{}:{start}: {} lines",
                        f.display(),
                        end - start + 1
                    ));
                }
                i = j + 1;
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 80 lines:\n{}",
        long.join("\n")
    );
}
