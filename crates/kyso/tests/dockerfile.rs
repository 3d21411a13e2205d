//! The Dockerfile builds the workspace as it is: its build stage copies (and, for the
//! dependencies' layer, stubs) every path `cargo build --locked --release -p kyso` needs, and
//! `.dockerignore` keeps none of them out of the context. Read from the files, so a new crate,
//! a `[[bench]]` or an `include_str!` of a file outside `src/` that the Dockerfile forgets fails
//! here rather than in someone's `docker build` (docker is not needed to run this test).
//! Also: `systemd-analyze verify` on `deploy/kyso.service`, when systemd-analyze is installed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// What the build needs, read from the workspace.

/// The paths (relative to the workspace root) cargo needs: `manifest` at every `cargo build`
/// (the manifests, the lock file and every target a manifest declares: cargo refuses to load a
/// workspace whose declared target file is missing), `all` at the build of the real sources.
struct Needs {
    manifest: BTreeSet<String>,
    all: BTreeSet<String>,
    /// `include_str!`/`include_bytes!` targets left out because only tests compile them.
    test_only: Vec<String>,
}

fn needs(root: &Path) -> Needs {
    let mut n = Needs {
        manifest: BTreeSet::new(),
        all: BTreeSet::new(),
        test_only: Vec::new(),
    };
    n.manifest.insert("Cargo.toml".into());
    n.manifest.insert("Cargo.lock".into());
    let ws: toml::Value = toml::from_str(&read(&root.join("Cargo.toml"))).unwrap();
    let members = ws["workspace"]["members"].as_array().unwrap();
    assert!(!members.is_empty(), "the workspace names its members");
    for m in members {
        for member in expand_member(root, m.as_str().unwrap()) {
            member_needs(root, &member, &mut n);
        }
    }
    n.all.extend(n.manifest.iter().cloned());
    n
}

/// A `members` entry: a directory, or a glob of one level (`crates/*`).
fn expand_member(root: &Path, m: &str) -> Vec<String> {
    let Some(parent) = m.strip_suffix("/*") else {
        return vec![m.trim_end_matches('/').to_string()];
    };
    let mut out: Vec<String> = std::fs::read_dir(root.join(parent))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| format!("{parent}/{}", e.file_name().to_string_lossy()))
        .collect();
    out.sort();
    out
}

fn member_needs(root: &Path, member: &str, n: &mut Needs) {
    let manifest: toml::Value =
        toml::from_str(&read(&root.join(member).join("Cargo.toml"))).unwrap();
    n.manifest.insert(format!("{member}/Cargo.toml"));
    for target in declared_targets(root, member, &manifest) {
        n.manifest.insert(target);
    }
    let src = root.join(member).join("src");
    for f in files_under(&src) {
        n.all.insert(rel(root, &f));
        if f.extension().is_some_and(|e| e == "rs") {
            for (target, in_tests) in includes(&f) {
                let path = f.parent().unwrap().join(&target);
                let path = normalize(&path);
                assert!(
                    path.exists(),
                    "{} includes {target}, which does not exist",
                    f.display()
                );
                if in_tests {
                    n.test_only.push(rel(root, &path));
                } else {
                    n.all.insert(rel(root, &path));
                }
            }
        }
    }
}

/// The target files a manifest declares (`[lib]`, `[[bin]]`, `[[bench]]`, `[[example]]`,
/// `[[test]]`, `build`): each must exist wherever cargo loads the workspace.
fn declared_targets(root: &Path, member: &str, manifest: &toml::Value) -> Vec<String> {
    let package = manifest["package"]["name"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    let at = |p: &str| format!("{member}/{p}");
    if let Some(lib) = manifest.get("lib") {
        out.push(at(lib
            .get("path")
            .and_then(|p| p.as_str())
            .unwrap_or("src/lib.rs")));
    }
    for (kind, dir) in [
        ("bin", "src/bin"),
        ("bench", "benches"),
        ("example", "examples"),
        ("test", "tests"),
    ] {
        let Some(list) = manifest.get(kind).and_then(|v| v.as_array()) else {
            continue;
        };
        for t in list {
            let name = t["name"].as_str().unwrap();
            let path = match t.get("path").and_then(|p| p.as_str()) {
                Some(p) => p.to_string(),
                None if kind == "bin" && name == package => "src/main.rs".into(),
                None => {
                    let dir_form = format!("{dir}/{name}/main.rs");
                    if root.join(member).join(&dir_form).is_file() {
                        dir_form
                    } else {
                        format!("{dir}/{name}.rs")
                    }
                }
            };
            out.push(at(&path));
        }
    }
    match manifest["package"].get("build") {
        Some(toml::Value::String(p)) => out.push(at(p)),
        Some(toml::Value::Boolean(false)) => {}
        _ if root.join(member).join("build.rs").is_file() => out.push(at("build.rs")),
        _ => {}
    }
    out
}

/// The `include_str!`/`include_bytes!` targets of a source file, each with whether only a
/// `#[cfg(test)]` item compiles it.
fn includes(file: &Path) -> Vec<(String, bool)> {
    let text = read(file);
    let tests = test_spans(&text);
    let mut out = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (i, _) in text.match_indices(mac) {
            let start = i + mac.len();
            let end = start + text[start..].find('"').unwrap();
            let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
            if text[line_start..i].trim_start().starts_with("//") {
                continue;
            }
            let in_tests = tests.iter().any(|(a, b)| (*a..*b).contains(&i));
            out.push((text[start..end].to_string(), in_tests));
        }
    }
    out
}

/// The byte ranges of the items under `#[cfg(test)]`: to the end of an inline module's
/// braces (strings, characters and comments skipped when counting them), or of the line.
fn test_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("#[cfg(test)]") {
        let after = i + "#[cfg(test)]".len();
        let semi = text[after..].find(';').map(|n| after + n);
        let brace = text[after..].find('{').map(|n| after + n);
        let end = match (brace, semi) {
            (Some(b), Some(s)) if s < b => s,
            (Some(b), _) => matching_brace(text, b),
            (None, Some(s)) => s,
            (None, None) => text.len(),
        };
        out.push((i, end));
    }
    out
}

/// The index just past the brace that closes the one at `open`.
fn matching_brace(text: &str, open: usize) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, open);
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i += text[i..].find('\n').unwrap_or(text.len() - i);
            }
            b'r' if matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
                && !b[i.saturating_sub(1)].is_ascii_alphanumeric() =>
            {
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                if b.get(i + 1 + hashes) == Some(&b'"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let from = i + 2 + hashes;
                    i = from + text[from..].find(&close).unwrap_or(text.len() - from) + close.len();
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A character literal ('{', '\''), not a lifetime ('a).
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i += 2;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile and .dockerignore, read as docker reads them (the parts this project uses).

#[derive(Debug, Clone)]
enum Step {
    /// A `COPY` from the build context: (context source, absolute destination) pairs.
    Copy(Vec<(String, String)>),
    /// A `COPY --from=...`: nothing from the context.
    CopyFrom,
    /// A `RUN`, with the working directory it runs in.
    Run { text: String, workdir: String },
}

/// The Dockerfile's stages, each a list of steps; continuation lines joined, comments dropped.
fn stages(dockerfile: &str) -> Vec<Vec<Step>> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(t);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    let mut out: Vec<Vec<Step>> = Vec::new();
    let mut workdir = "/".to_string();
    for l in lines {
        let (word, rest) = l.split_once(char::is_whitespace).unwrap_or((&l, ""));
        let rest = rest.trim();
        match word.to_ascii_uppercase().as_str() {
            "FROM" => {
                out.push(Vec::new());
                workdir = "/".into();
            }
            "WORKDIR" => workdir = absolute(&workdir, rest),
            "COPY" | "ADD" => {
                let step = copy_step(rest, &workdir);
                out.last_mut().expect("FROM first").push(step);
            }
            "RUN" => out.last_mut().expect("FROM first").push(Step::Run {
                text: rest.to_string(),
                workdir: workdir.clone(),
            }),
            _ => {}
        }
    }
    out
}

fn copy_step(args: &str, workdir: &str) -> Step {
    let words: Vec<String> = if args.starts_with('[') {
        serde_json::from_str(args).expect("a JSON COPY form")
    } else {
        args.split_whitespace().map(str::to_string).collect()
    };
    let (flags, paths): (Vec<&String>, Vec<&String>) =
        words.iter().partition(|w| w.starts_with("--"));
    if flags.iter().any(|f| f.starts_with("--from")) {
        return Step::CopyFrom;
    }
    let (dest, sources) = paths.split_last().expect("COPY SRC... DEST");
    let into_dir = sources.len() > 1 || dest.ends_with('/');
    let dest = absolute(workdir, dest);
    Step::Copy(
        sources
            .iter()
            .map(|s| {
                let s = clean(s);
                let target = if into_dir {
                    let base = s.rsplit('/').next().unwrap();
                    format!("{}/{base}", dest.trim_end_matches('/'))
                } else {
                    dest.clone()
                };
                (s, target)
            })
            .collect(),
    )
}

/// A context path as docker cleans it: no leading `./` or `/`, no trailing `/`.
fn clean(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    parts.join("/")
}

fn absolute(workdir: &str, p: &str) -> String {
    let joined = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{workdir}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `.dockerignore`: patterns in order, `!` taking a path back; a path is left out when the
/// last pattern that matches it or one of its parent directories says so.
struct Ignore(Vec<(bool, Vec<String>)>);

impl Ignore {
    fn parse(text: &str) -> Ignore {
        Ignore(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (keep, p) = match l.strip_prefix('!') {
                        Some(p) => (true, p),
                        None => (false, l),
                    };
                    (keep, clean(p).split('/').map(str::to_string).collect())
                })
                .collect(),
        )
    }

    fn excludes(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let mut out = false;
        for (keep, pattern) in &self.0 {
            let pattern: Vec<&str> = pattern.iter().map(String::as_str).collect();
            if (1..=parts.len()).any(|k| glob(&pattern, &parts[..k])) {
                out = !keep;
            }
        }
        out
    }
}

/// Path components against pattern components: `**` any number of them, else [`wild`].
fn glob(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|k| glob(rest, &path[k..])),
        Some((p, rest)) => {
            !path.is_empty() && wild(p.as_bytes(), path[0].as_bytes()) && glob(rest, &path[1..])
        }
    }
}

/// One component: `*` any run of characters, `?` one.
fn wild(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|k| wild(rest, &s[k..])),
        Some((b'?', rest)) => !s.is_empty() && wild(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && wild(rest, &s[1..]),
    }
}

/// Whether the image holds `want` (absolute) after `steps`: the latest step that makes it or
/// removes it decides. A COPY gives what the context holds under its source and docker lets in.
fn present(steps: &[Step], want: &str, root: &Path, ignore: &Ignore) -> bool {
    for step in steps.iter().rev() {
        match step {
            Step::Copy(pairs) => {
                for (src, target) in pairs {
                    let Some(tail) = under(want, target) else {
                        continue;
                    };
                    let from = if tail.is_empty() {
                        src.clone()
                    } else if src.is_empty() {
                        tail.to_string()
                    } else {
                        format!("{src}/{tail}")
                    };
                    if root.join(&from).exists() && !ignore.excludes(&from) {
                        return true;
                    }
                }
            }
            Step::CopyFrom => {}
            Step::Run { text, workdir } => {
                let commands: Vec<&str> = text.split("&&").flat_map(|c| c.split(';')).collect();
                // The last command that touches it decides.
                for command in commands.into_iter().rev() {
                    let words: Vec<&str> = command.split_whitespace().collect();
                    match words.first() {
                        Some(&"rm") => {
                            let gone = words[1..]
                                .iter()
                                .filter(|w| !w.starts_with('-'))
                                .map(|w| absolute(workdir, w))
                                .any(|w| {
                                    under(want, &w).is_some() || wild(w.as_bytes(), want.as_bytes())
                                });
                            if gone {
                                return false;
                            }
                        }
                        Some(&"touch") => {
                            if words[1..].iter().any(|w| absolute(workdir, w) == want) {
                                return true;
                            }
                        }
                        _ => {
                            // `... > FILE` writes FILE.
                            if let Some(i) = words.iter().position(|w| *w == ">") {
                                if words
                                    .get(i + 1)
                                    .is_some_and(|w| absolute(workdir, w) == want)
                                {
                                    return true;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    false
}

/// The rest of `path` below `dir` ("" when they are the same), if it is there.
fn under<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if path == dir {
        return Some("");
    }
    let dir = dir.trim_end_matches('/');
    path.strip_prefix(dir)?.strip_prefix('/')
}

/// What the Dockerfile gets wrong: every path a `cargo build` in the build stage needs and
/// would not find, and every context source that is missing or left out by `.dockerignore`.
fn problems(dockerfile: &str, dockerignore: &str, root: &Path, n: &Needs) -> Vec<String> {
    let ignore = Ignore::parse(dockerignore);
    let stages = stages(dockerfile);
    let mut out = Vec::new();
    for steps in &stages {
        for step in steps {
            if let Step::Copy(pairs) = step {
                for (src, _) in pairs {
                    if !root.join(src).exists() {
                        out.push(format!("COPY {src}: not in the repository"));
                    } else if ignore.excludes(src) {
                        out.push(format!(
                            "COPY {src}: left out of the context by .dockerignore"
                        ));
                    }
                }
            }
        }
    }
    let build = stages
        .iter()
        .find(|s| {
            s.iter()
                .any(|st| matches!(st, Step::Run { text, .. } if text.contains("cargo build")))
        })
        .expect("a stage runs cargo build");
    let builds: Vec<usize> = build
        .iter()
        .enumerate()
        .filter(|(_, st)| matches!(st, Step::Run { text, .. } if text.contains("cargo build")))
        .map(|(i, _)| i)
        .collect();
    for (k, &i) in builds.iter().enumerate() {
        let Step::Run { text, workdir } = &build[i] else {
            unreachable!()
        };
        let last = k + 1 == builds.len();
        let wanted = if last { &n.all } else { &n.manifest };
        // The steps before it, and what its own RUN does before cargo build (the stubs).
        let mut before = build[..i].to_vec();
        before.push(Step::Run {
            text: text[..text.find("cargo build").unwrap()].to_string(),
            workdir: workdir.clone(),
        });
        for p in wanted {
            let at = absolute(workdir, p);
            if !present(&before, &at, root, &ignore) {
                out.push(format!(
                    "cargo build #{} ({}) needs {p}",
                    k + 1,
                    if last {
                        "the sources"
                    } else {
                        "the dependencies' layer"
                    },
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn normalize(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn the_files() -> (String, String) {
    (
        read(&root().join("Dockerfile")),
        read(&root().join(".dockerignore")),
    )
}

#[test]
fn the_dockerfile_copies_everything_the_build_needs() {
    let root = root();
    let n = needs(&root);
    // What this test knows the build needs today; more is welcome, less means it read nothing.
    for p in [
        "crates/kyso/Cargo.toml",
        "crates/kyso-verify/Cargo.toml",
        "crates/kyso/benches/national.rs",
        "certs/bcy-pins.toml",
        "crates/kyso/src/web/pages/kyso.css",
        "crates/kyso/src/main.rs",
    ] {
        assert!(n.all.contains(p), "the needs include {p}: {:?}", n.all);
    }
    assert!(
        n.test_only.iter().any(|p| p == "README.md"),
        "the README is included by a test only: {:?}",
        n.test_only
    );
    let (dockerfile, dockerignore) = the_files();
    let wrong = problems(&dockerfile, &dockerignore, &root, &n);
    assert!(
        wrong.is_empty(),
        "the Dockerfile does not build the workspace as it is:\n{}",
        wrong.join("\n")
    );
}

/// The checker finds what a broken Dockerfile or `.dockerignore` leaves out.
#[test]
fn a_missing_copy_or_stub_is_found() {
    let root = root();
    let n = needs(&root);
    let (dockerfile, dockerignore) = the_files();

    let no_certs = dockerfile.replace("COPY certs ./certs\n", "");
    assert_ne!(
        no_certs, dockerfile,
        "the Dockerfile copies certs/ on a line of its own"
    );
    let wrong = problems(&no_certs, &dockerignore, &root, &n);
    assert!(
        wrong
            .iter()
            .any(|w| w.ends_with("needs certs/bcy-pins.toml")),
        "{wrong:?}"
    );

    let no_stub = dockerfile.replace("crates/kyso/benches/national.rs", "/dev/null");
    let wrong = problems(&no_stub, &dockerignore, &root, &n);
    assert!(
        wrong.iter().any(
            |w| w.starts_with("cargo build #1 (the dependencies' layer)")
                && w.ends_with("needs crates/kyso/benches/national.rs")
        ),
        "{wrong:?}"
    );

    let ignored = format!("{dockerignore}\n**/pages/*.css\n");
    let wrong = problems(&dockerfile, &ignored, &root, &n);
    assert_eq!(
        wrong,
        vec!["cargo build #2 (the sources) needs crates/kyso/src/web/pages/kyso.css".to_string()]
    );

    let taken_back = format!("{dockerignore}\n!fixtures/README.md\n");
    assert!(!Ignore::parse(&taken_back).excludes("fixtures/README.md"));
    assert!(Ignore::parse(&taken_back).excludes("fixtures/pdf/a.pdf"));
    assert!(Ignore::parse(&dockerignore).excludes("target/release/kyso"));
    assert!(!Ignore::parse(&dockerignore).excludes("crates/kyso/src/lib.rs"));
}

#[test]
fn the_systemd_unit_verifies() {
    let Some(tool) = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .map(PathBuf::from)
        .or_else(|| which("systemd-analyze"))
    else {
        eprintln!("skipped: systemd-analyze is not installed (deploy/kyso.service not verified)");
        return;
    };
    let unit = read(&root().join("deploy/kyso.service"));
    let exec = "ExecStart=/usr/local/bin/kyso serve";
    assert!(unit.contains(exec), "the unit runs {exec}");
    // The unit as installed, with the binary this build made (verify checks it is executable).
    let dir = std::env::temp_dir().join(format!("kyso-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kyso.service");
    std::fs::write(
        &file,
        unit.replace(
            exec,
            &format!("ExecStart={} serve", env!("CARGO_BIN_EXE_kyso")),
        ),
    )
    .unwrap();
    let out = std::process::Command::new(tool)
        .args(["verify", "--man=no"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify: {said}"
    );
}

fn which(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(cmd))
            .find(|p| p.is_file())
    })
}
