//! `spawn_app`: the real `kyso serve` binary on a free port with a temporary data directory.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const SUBMIT: &str = "test-submit-token";
pub const READ: &str = "test-read-token";
pub const ADMIN: &str = "test-admin-token";

/// The workspace's root, canonical (a browser refuses a file path with `..` in it).
pub fn root() -> PathBuf {
    let r = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    r.canonicalize().unwrap_or(r)
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/pdf").join(name)).unwrap()
}

pub fn pki(name: &str) -> PathBuf {
    root().join("fixtures/pki").join(name)
}

pub fn fingerprint(name: &str) -> String {
    kyso::trust::files::load_certs(&pki(name)).unwrap()[0].sha256_hex()
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(kyso_verify::pki::crypto::sha256(s.as_bytes()))
}

pub struct TestApp {
    pub addr: String,
    pub dir: PathBuf,
    data: PathBuf,
    pub config: PathBuf,
    child: Option<Child>,
    /// Environment for the server process, besides the test's own.
    pub env: Vec<(String, String)>,
    /// The PostgreSQL database the store is in, on the PostgreSQL run.
    pub database: Option<String>,
}

pub struct Resp {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    pub retry_after: Option<String>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn unique_dir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "kyso-api-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Distinct bytes, same signature: `i + 1` newlines after the last %%EOF.
pub fn variant(base: &[u8], i: usize) -> Vec<u8> {
    let mut v = base.to_vec();
    v.extend(std::iter::repeat_n(b'\n', i + 1));
    v
}

/// Whether this run of the API tests puts the store in PostgreSQL (`KYSO_TEST_STORE=postgres`,
/// with `KYSO_TEST_POSTGRES` the address of a server to make databases on: `.ci/run` sets
/// both for the second run of this suite).
pub fn on_postgres() -> bool {
    std::env::var("KYSO_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// Skip a test about the embedded store's files when the store is in PostgreSQL; says so.
#[macro_export]
macro_rules! files_store_only {
    () => {
        if $crate::helpers::on_postgres() {
            eprintln!(
                "skipped on the PostgreSQL store: this test is about the files under data_dir"
            );
            return;
        }
    };
}

/// A new, empty database on the test server, as a `store = ...` address.
pub fn new_database() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let server = std::env::var("KYSO_TEST_POSTGRES").expect(
        "KYSO_TEST_STORE=postgres needs KYSO_TEST_POSTGRES (source .ci/postgres.sh; pg_start)",
    );
    let name = format!(
        "kyso_t{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let out = Command::new("psql")
        .arg(&server)
        .args(["-qAtc", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql (Debian package postgresql-client)");
    assert!(
        out.status.success(),
        "CREATE DATABASE {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("KYSO_TEST_POSTGRES {server:?} is not postgres://…/db"),
    }
}

/// The demo registry (three units, three leaders) as TOML, enrolled to the fixture leaves.
pub fn demo_registry_toml() -> String {
    let r = kyso::cli::demo::demo_registry(&root().join("fixtures")).unwrap();
    toml::to_string(&r).unwrap()
}

/// Start a server; `registry` (TOML) is imported at start when given.
pub fn spawn_app(registry: Option<&str>) -> TestApp {
    spawn_app_with(registry, 104_857_600, "")
}

/// `extra`: more top-level configuration lines.
pub fn spawn_app_with(registry: Option<&str>, max_upload: u64, extra: &str) -> TestApp {
    spawn_app_in(registry, max_upload, extra, None)
}

/// As [`spawn_app_with`], with the data directory at `data` (a test file system) if given.
pub fn spawn_app_in(
    registry: Option<&str>,
    max_upload: u64,
    extra: &str,
    data: Option<&Path>,
) -> TestApp {
    let dir = unique_dir();
    let data = data
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join("data"));
    let registry_line = match registry {
        Some(text) => {
            let p = dir.join("registry.toml");
            std::fs::write(&p, text).unwrap();
            format!("registry = {:?}\n", p.display().to_string())
        }
        None => String::new(),
    };
    let config = dir.join("kyso.toml");
    let database = (on_postgres() && !extra.contains("store =")).then(new_database);
    let store_line = match &database {
        Some(url) => format!("store = {url:?}"),
        None => String::new(),
    };
    let text = format!(
        r#"bind = "127.0.0.1:0"
data_dir = {data:?}
{store_line}
{trust_line}
intermediates = [{ca:?}]
{crls_line}
max_upload_bytes = {max_upload}
{accept_line}
{extra}
{registry_line}
[[token]]
name = "submitter"
sha256 = "{s}"
scopes = ["submit"]

[[token]]
name = "reader"
sha256 = "{r}"
scopes = ["read"]

[[token]]
name = "admin"
sha256 = "{a}"
scopes = ["submit", "read", "admin"]
"#,
        data = data.display().to_string(),
        trust_line = if extra.contains("trust =") {
            String::new()
        } else {
            format!("trust = [{:?}]", pki("root.pem").display().to_string())
        },
        ca = pki("issuing-ca.pem").display().to_string(),
        // The fixtures are signed in 2026-03 and received now: accept their claimed times
        // (the plausibility test sets its own policy).
        accept_line = if extra.contains("accept_implausible_signing_time") {
            ""
        } else {
            "accept_implausible_signing_time = true"
        },
        crls_line = if extra.contains("crls =") {
            String::new()
        } else {
            format!(
                "crls = [{:?}, {:?}]",
                pki("issuing-ca.crl").display().to_string(),
                pki("root.crl").display().to_string()
            )
        },
        s = sha256_hex(SUBMIT),
        r = sha256_hex(READ),
        a = sha256_hex(ADMIN),
    );
    std::fs::write(&config, text).unwrap();
    let mut app = TestApp {
        addr: String::new(),
        dir,
        data,
        config,
        child: None,
        env: Vec::new(),
        database,
    };
    app.start();
    app
}

impl TestApp {
    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(["serve", "--config"])
            .arg(&self.config)
            .env_remove("KYSO_CONFIG")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("kyso listening on ")
            .unwrap_or_else(|| {
                let mut log = String::new();
                let _ = std::fs::File::open(self.dir.join("server.log"))
                    .and_then(|mut f| f.read_to_string(&mut log));
                panic!("server did not start: {line:?}\n{log}")
            });
        self.addr = addr.to_string();
        // Keep draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = out.read_to_end(&mut sink);
        });
        self.child = Some(child);
    }

    /// Stop the server the hard way (SIGKILL): nothing is flushed on the way out.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.start();
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.clone()
    }

    /// The server's process id (to read its memory use).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
    }

    fn finish(r: Result<ureq::Response, ureq::Error>) -> Resp {
        let resp = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let status = resp.status();
        let content_type = resp.header("content-type").unwrap_or("").to_string();
        let retry_after = resp.header("retry-after").map(str::to_string);
        let mut body = Vec::new();
        resp.into_reader().read_to_end(&mut body).unwrap();
        Resp {
            status,
            body,
            content_type,
            retry_after,
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut req = ureq::get(&self.url(path));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        Self::finish(req.call())
    }

    pub fn put_json(&self, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        let req = ureq::put(&self.url(path)).set("Authorization", &format!("Bearer {token}"));
        Self::finish(req.send_json(body.clone()))
    }

    pub fn post(&self, token: Option<&str>, content_type: &str, body: &[u8]) -> Resp {
        let mut req =
            ureq::post(&self.url("/api/v1/submissions")).set("Content-Type", content_type);
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        Self::finish(req.send_bytes(body))
    }

    /// POST `body` to `path` with a bearer token.
    pub fn post_to(&self, path: &str, token: &str, content_type: &str, body: &[u8]) -> Resp {
        let req = ureq::post(&self.url(path))
            .set("Content-Type", content_type)
            .set("Authorization", &format!("Bearer {token}"));
        Self::finish(req.send_bytes(body))
    }

    pub fn upload_raw(&self, pdf: &[u8]) -> Resp {
        self.post(Some(SUBMIT), "application/pdf", pdf)
    }

    pub fn upload_multipart(&self, pdf: &[u8], unit: Option<&str>) -> Resp {
        let (ct, body) = multipart(pdf, unit);
        self.post(Some(SUBMIT), &ct, &body)
    }
}

pub fn multipart(pdf: &[u8], unit: Option<&str>) -> (String, Vec<u8>) {
    multipart_named(pdf, unit, "van-ban.pdf")
}

/// [`multipart`] with the file's name.
pub fn multipart_named(pdf: &[u8], unit: Option<&str>, name: &str) -> (String, Vec<u8>) {
    let boundary = "kysoTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    if let Some(u) = unit {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"unit\"\r\n\r\n{u}\r\n")
                .as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend(pdf);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn run_kyso(args: &[&str], config: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .arg("--config")
        .arg(config)
        .env_remove("KYSO_CONFIG")
        .output()
        .unwrap()
}

/// A tiny HTTP server on loopback that answers every GET with the current `body` (a CRL).
pub struct CrlServer {
    pub url: String,
    pub body: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

pub fn crl_server() -> CrlServer {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/pki/pub/crl/cp.crl",
        listener.local_addr().unwrap()
    );
    let body = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let b = body.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut s) = stream else { continue };
            let mut req = [0u8; 2048];
            let _ = std::io::Read::read(&mut s, &mut req);
            let data = b.lock().unwrap().clone();
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", data.len());
            let _ = s.write_all(&data);
        }
    });
    CrlServer { url, body }
}

/// The address a freshly spawned `kyso serve`/`kyso demo` announces on its first stdout line.
pub fn listening_url(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim()
        .strip_prefix("kyso listening on ")
        .unwrap_or_else(|| panic!("server did not start: {line:?}"))
        .to_string()
}

impl TestApp {
    /// One value a query gives in the store's database (PostgreSQL run only).
    pub fn sql(&self, query: &str) -> String {
        let url = self.database.as_ref().expect("a store in PostgreSQL");
        let out = Command::new("psql")
            .arg(url)
            .args(["-qAtc", query])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// How many submissions the store holds (records written, whatever the index says).
    pub fn stored_count(&self) -> usize {
        if self.database.is_some() {
            return self
                .sql("SELECT count(*) FROM submissions")
                .parse()
                .unwrap();
        }
        let dir = self.data_dir().join("submissions");
        std::fs::read_dir(dir)
            .map(|shards| {
                shards
                    .flatten()
                    .map(|s| std::fs::read_dir(s.path()).map(|f| f.count()).unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The stored record of submission `id` (`submissions/xx/ID.json`), as JSON.
    pub fn stored_record(&self, id: &str) -> serde_json::Value {
        if self.database.is_some() {
            let q = format!("SELECT record FROM submissions WHERE id = '{id}'");
            return serde_json::from_str(&self.sql(&q)).unwrap();
        }
        let path = self
            .data_dir()
            .join("submissions")
            .join(&id[..2])
            .join(format!("{id}.json"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// Re-verify every stored file (`POST /api/v1/admin/reverify`): how many were checked and
    /// how many changed.
    pub fn reverify(&self) -> (Option<u64>, Option<u64>) {
        let outcome: serde_json::Value = ureq::post(&self.url("/api/v1/admin/reverify"))
            .set("Authorization", &format!("Bearer {ADMIN}"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        (outcome["checked"].as_u64(), outcome["changed"].as_u64())
    }
}
