//! Configuration (ARCHITECTURE.md §5.3): TOML with embedded defaults, each key overridable by
//! `KYSO_<KEY>` in the environment.

use serde::Deserialize;

mod env;
mod office;
mod reminders;
pub use env::{unknown_env, ENV_KEYS};
pub use office::Office;
pub use reminders::Reminders;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    /// Where the evidence and records live: `""` (the default) for files under `data_dir`, or
    /// a PostgreSQL address `postgres://user@host:port/db` (then `data_dir` holds only this
    /// instance's uploads in progress and index).
    pub store: String,
    /// Connections to the PostgreSQL store this instance keeps open at most.
    pub store_pool: usize,
    /// The CA certificate(s) (PEM) of the PostgreSQL server: when set, the connections are TLS
    /// and the server's certificate must chain to it and name the address's host.
    pub store_ca: Option<PathBuf>,
    pub trust: Vec<PathBuf>,
    pub intermediates: Vec<PathBuf>,
    pub crls: Vec<PathBuf>,
    /// The key that seals backups (64 hex digits; made by the first `kyso store backup`). Keep
    /// a copy apart from the backups: a restore needs it.
    pub backup_key: PathBuf,
    pub registry: Option<PathBuf>,
    pub max_upload_bytes: u64,
    /// An upload that sends nothing for this long is cut off with 408.
    pub upload_idle_timeout_secs: u64,
    /// An upload must be complete within this many seconds, however it trickles in (408).
    pub upload_deadline_secs: u64,
    /// Uploads (files) one token may have in progress at once (429 beyond).
    pub max_uploads_per_token: usize,
    /// Bytes one token's uploads in progress may hold at once, in memory and in `tmp/` (429
    /// beyond).
    pub max_upload_bytes_per_token: u64,
    /// HTTP worker threads (0: one per CPU). Blocking work runs on a separate pool.
    pub workers: usize,
    /// CRL addresses to fetch besides those named by the trusted CA certificates and the pins.
    pub crl_urls: Vec<String>,
    /// How often the service refreshes CRLs in the background (0: never).
    pub crl_refresh_hours: u64,
    /// `/readyz` says "not ready" once a CRL is past its nextUpdate by more than this.
    pub crl_grace_hours: u64,
    /// Ask the OCSP responders (authorityInfoAccess) at receipt (RFC 6960); the answers are
    /// stored with the submission.
    pub ocsp_online: bool,
    /// Fetch nothing: no OCSP question, no CRL download (a site without the Internet; CRLs are
    /// then copied in by hand). Overrides `ocsp_online` and `crl_refresh_hours`.
    pub offline: bool,
    /// Connect and read timeout of one OCSP request.
    pub ocsp_timeout_ms: u64,
    /// Let CRL and OCSP requests go to loopback, private, link-local and other non-public
    /// addresses (a responder on the office's network, a test). Off: only public addresses.
    pub fetch_private_addresses: bool,
    /// When not empty, the only hosts CRLs and OCSP answers are fetched from.
    pub fetch_hosts: Vec<String>,
    /// Fetch the issuer a signature lacks from its certificate's caIssuers address (RFC 5280
    /// §4.2.2.1), from the hosts of `fetch_hosts` only (which must then be set).
    pub fetch_ca_issuers: bool,
    /// A claimed signing time (no trusted timestamp) older than this at receipt earns nothing.
    pub max_claimed_signing_age_days: u64,
    /// Let such implausible signing times earn their month anyway (the receipt still says so).
    pub accept_implausible_signing_time: bool,
    /// CPU time one verification may use before it ends in `budget_exceeded` (0: unlimited).
    pub verify_cpu_ms: u64,
    /// The longest one upload's verification may take in all, waiting for a verification slot
    /// and for the OCSP responders included (503 with Retry-After beyond).
    pub verify_deadline_secs: u64,
    pub token: Vec<Token>,
    /// Reminder e-mails to the units still missing (off unless `smtp_host` is set).
    pub reminders: Reminders,
    /// Who files the reports: the letterhead of the sheets.
    pub office: Office,
    /// Start without trust anchors (a trial); otherwise the service refuses to start without.
    pub allow_no_anchors: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Token {
    pub name: String,
    pub sha256: String,
    pub scopes: Vec<String>,
    /// A unit's system or clerk: its uploads are always for this unit (submit scope only).
    #[serde(default)]
    pub unit: Option<String>,
}

impl Config {
    /// The PostgreSQL address when the store lives in a database.
    pub fn database_url(&self) -> Option<&str> {
        let s = self.store.trim();
        (s.starts_with("postgres://") || s.starts_with("postgresql://")).then_some(s)
    }

    /// The PostgreSQL store this configuration names (address, pool, TLS).
    pub fn database_target(&self) -> Option<crate::store::postgres::Target> {
        self.database_url()
            .map(|url| crate::store::postgres::Target {
                url: url.to_string(),
                pool: self.store_pool,
                ca: self.store_ca.clone(),
            })
    }

    /// Open the store this configuration names.
    pub fn open_store(&self) -> Result<crate::store::Store, crate::store::StoreError> {
        match self.database_target() {
            Some(t) => crate::store::Store::open_postgres_at(&t, &self.data_dir),
            None => crate::store::Store::open(&self.data_dir),
        }
    }

    /// Open the store for a command run beside the service (`kyso registry import`, `kyso crl
    /// refresh`, ...). Over PostgreSQL the command keeps its own index in a temporary
    /// directory, so it never touches a running instance's; over files it is [`Self::open_store`].
    pub fn open_store_beside(&self) -> Result<crate::store::Store, crate::store::StoreError> {
        match self.database_target() {
            Some(t) => {
                crate::store::Store::open_postgres_scratch(&crate::store::postgres::Target {
                    pool: 2,
                    ..t
                })
            }
            None => crate::store::Store::open(&self.data_dir),
        }
    }

    /// Where the staff accounts are, without opening the whole store (`kyso user`).
    pub fn accounts(&self) -> Result<crate::store::users::Accounts, crate::store::StoreError> {
        use crate::store::users::Accounts;
        Ok(match self.database_target() {
            Some(t) => Accounts::Database(crate::store::postgres::Database::open_target(
                &crate::store::postgres::Target { pool: 1, ..t },
            )?),
            None => Accounts::Dir(self.data_dir.clone()),
        })
    }

    /// Verification options for this configuration (the CPU budget per document).
    pub fn verify_options(&self) -> kyso_verify::verify::Options {
        let mut o = kyso_verify::verify::Options::default();
        o.budget.max_cpu =
            (self.verify_cpu_ms > 0).then(|| std::time::Duration::from_millis(self.verify_cpu_ms));
        o
    }

    /// Where CRL and OCSP requests may go.
    pub fn fetch_policy(&self) -> crate::net::policy::FetchPolicy {
        crate::net::policy::FetchPolicy {
            allow_private: self.fetch_private_addresses,
            hosts: self
                .fetch_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// The OCSP client when OCSP is asked at receipt (`ocsp_online`, not `offline`).
    pub fn ocsp_client(&self) -> Option<std::sync::Arc<crate::net::ocsp_fetch::OcspClient>> {
        (self.ocsp_online && !self.offline).then(|| {
            crate::net::ocsp_fetch::OcspClient::new(
                std::time::Duration::from_millis(self.ocsp_timeout_ms.max(1)),
                self.fetch_policy(),
            )
        })
    }

    /// The caIssuers client when `fetch_ca_issuers` (and not `offline`).
    pub fn issuer_client(&self) -> Option<std::sync::Arc<crate::net::ca_issuers::IssuerClient>> {
        (self.fetch_ca_issuers && !self.offline).then(|| {
            crate::net::ca_issuers::IssuerClient::new(
                std::time::Duration::from_millis(self.ocsp_timeout_ms.max(1)),
                self.fetch_policy(),
            )
        })
    }

    /// `fetch_ca_issuers` takes its addresses from certificates no anchor vouches for yet: only
    /// from listed hosts.
    /// `store` is empty (files) or a PostgreSQL address.
    fn check_store(&self) -> Result<(), String> {
        if !self.store.trim().is_empty() && self.database_url().is_none() {
            return Err(format!("store = {:?}: leave it empty to keep the data in files under data_dir, or give a PostgreSQL address (postgres://user@host:5432/kyso)", self.store));
        }
        Ok(())
    }

    fn check_fetching(&self) -> Result<(), String> {
        if self.fetch_ca_issuers && self.fetch_policy().hosts.is_empty() {
            return Err("fetch_ca_issuers = true needs fetch_hosts, the hosts CA certificates are published on (for BCY: [\"ca.gov.vn\"]): a caIssuers address comes from a certificate nothing vouches for yet".into());
        }
        Ok(())
    }

    /// The application for this configuration, over `store` and `trust`: the verifier's
    /// options, the time policy and, when `ocsp_online`, the OCSP client.
    pub fn app(
        &self,
        store: crate::store::Store,
        trust: kyso_verify::pki::TrustStore,
    ) -> crate::app::App {
        let mut app = crate::app::App::new(
            store,
            trust,
            self.verify_options(),
            self.time_policy(),
            self.ocsp_client(),
        );
        app.verify_within = std::time::Duration::from_secs(self.verify_deadline_secs.max(1));
        app.ocsp_within = std::time::Duration::from_millis(self.ocsp_timeout_ms.max(1));
        app.issuers = self.issuer_client();
        app.letterhead = self.office.letterhead();
        app
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            data_dir: "data".into(),
            store: String::new(),
            store_pool: 8,
            store_ca: None,
            trust: vec!["certs/bcy".into()],
            intermediates: vec!["certs/bcy".into()],
            crls: vec!["data/crl".into()],
            backup_key: "backup.key".into(),
            registry: None,
            max_upload_bytes: 104_857_600,
            upload_idle_timeout_secs: 30,
            upload_deadline_secs: 300,
            max_uploads_per_token: 32,
            max_upload_bytes_per_token: 1 << 30,
            workers: 0,
            crl_urls: Vec::new(),
            crl_refresh_hours: 6,
            crl_grace_hours: 24,
            ocsp_online: true,
            offline: false,
            ocsp_timeout_ms: 5000,
            fetch_private_addresses: false,
            fetch_hosts: Vec::new(),
            fetch_ca_issuers: false,
            max_claimed_signing_age_days: 45,
            accept_implausible_signing_time: false,
            verify_cpu_ms: 2000,
            verify_deadline_secs: 60,
            token: Vec::new(),
            reminders: Reminders::default(),
            office: Office::default(),
            allow_no_anchors: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {key}: {message}")]
    Env { key: String, message: String },
}

impl Config {
    /// Relative paths in a configuration file (and the defaults of keys it leaves out) mean
    /// "beside the file", whatever the current directory. Environment overrides stay relative to
    /// the current directory.
    fn resolve_against(&mut self, base: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        join(&mut self.data_dir);
        join(&mut self.backup_key);
        self.trust.iter_mut().for_each(join);
        self.intermediates.iter_mut().for_each(join);
        self.crls.iter_mut().for_each(join);
        if let Some(p) = self.reminders.password_file.as_mut() {
            join(p);
        }
        if let Some(r) = self.registry.as_mut() {
            join(r);
        }
        if let Some(c) = self.store_ca.as_mut() {
            join(c);
        }
    }

    /// Every `[[token]]` entry: a name, a SHA-256 hex digest (not a placeholder), known scopes,
    /// and no digest twice.
    fn check_tokens(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for t in &self.token {
            check_token(&t.name, &t.sha256, &t.scopes)?;
            if t.unit.is_some() && t.scopes.iter().any(|s| s != "submit") {
                return Err(format!(
                    "token {:?}: a token bound to a unit takes the submit scope only (it would see every unit's figures)",
                    t.name
                ));
            }
            if !seen.insert(t.sha256.to_ascii_lowercase()) {
                return Err(format!(
                    "token {:?}: the same sha256 as another token; each client needs its own (kyso token new)",
                    t.name
                ));
            }
        }
        Ok(())
    }

    pub fn time_policy(&self) -> crate::duty::credit::TimePolicy {
        crate::duty::credit::TimePolicy {
            max_claimed_age_days: self.max_claimed_signing_age_days.min(i64::MAX as u64) as i64,
            accept_implausible: self.accept_implausible_signing_time,
        }
    }

    /// Where refreshed CRLs are kept: the first configured CRL location (a directory).
    pub fn crl_dir(&self) -> PathBuf {
        self.crls
            .first()
            .cloned()
            .unwrap_or_else(|| self.data_dir.join("crl"))
    }

    /// Load `file` (if given) over the defaults, then apply `KYSO_*` from `env`.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut c = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Io {
                    path: p.into(),
                    source,
                })?;
                let mut c: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: p.into(),
                    message: e.to_string(),
                })?;
                c.resolve_against(p.parent().unwrap_or(Path::new("")));
                c.check_tokens()
                    .and_then(|()| c.reminders.check())
                    .and_then(|()| c.check_fetching())
                    .and_then(|()| c.check_store())
                    .map_err(|message| ConfigError::Parse {
                        path: p.into(),
                        message,
                    })?;
                c
            }
            None => Config::default(),
        };
        c.apply_env(env)?;
        // Once more after the environment: KYSO_TOKEN may repeat a digest too.
        c.check_tokens().map_err(|message| ConfigError::Env {
            key: "KYSO_TOKEN".into(),
            message,
        })?;
        c.check_fetching().map_err(|message| ConfigError::Env {
            key: "KYSO_FETCH_CA_ISSUERS".into(),
            message,
        })?;
        c.check_store().map_err(|message| ConfigError::Env {
            key: "KYSO_STORE".into(),
            message,
        })?;
        Ok(c)
    }
}

/// One token entry, from the file or the environment.
fn check_token(name: &str, sha: &str, scopes: &[String]) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a token without a name (the name is what the logs and receipts show)".into());
    }
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "token {name:?}: sha256 {sha:?} is not a SHA-256 hex digest (64 hex digits; `kyso token new` prints one)"
        ));
    }
    if scopes.is_empty() {
        return Err(format!("token {name:?}: no scopes (submit, read, admin)"));
    }
    if let Some(s) = scopes
        .iter()
        .find(|s| !matches!(s.as_str(), "submit" | "read" | "admin"))
    {
        return Err(format!(
            "token {name:?}: unknown scope {s:?} (known: submit, read, admin)"
        ));
    }
    Ok(())
}

/// `KYSO_TOKEN`: the server's token list as `name:sha256:scope+scope`, several separated by
/// commas (the submission script's KYSO_TOKEN is a client token: a different thing).
fn parse_tokens(v: &str) -> Result<Vec<Token>, ConfigError> {
    let bad = |m: String| ConfigError::Env {
        key: "KYSO_TOKEN".into(),
        message: m,
    };
    v.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|entry| {
            let parts: Vec<&str> = entry.trim().split(':').collect();
            let [name, sha, scopes] = parts.as_slice() else {
                return Err(bad("expected name:sha256:scope+scope (for the server; a client token belongs to scripts/submit.sh only)".into()));
            };
            let scopes: Vec<String> = scopes.split('+').map(str::to_string).collect();
            check_token(name, sha, &scopes).map_err(bad)?;
            Ok(Token { name: name.to_string(), sha256: sha.to_ascii_lowercase(), scopes, unit: None })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_env_overrides() {
        let c = Config::load(None, &|_| None).unwrap();
        assert_eq!(c, Config::default());
        let c = Config::load(None, &|k| match k {
            "KYSO_TRUST" => Some("a, b".into()),
            "KYSO_MAX_UPLOAD_BYTES" => Some("10".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.trust, vec![PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(c.max_upload_bytes, 10);
        assert!(Config::load(None, &|k| (k == "KYSO_MAX_UPLOAD_BYTES")
            .then(|| "x".into()))
        .is_err());
    }

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("kyso-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!(
            "{:x}.toml",
            kyso_verify::pki::crypto::sha256(text.as_bytes())[0]
        ));
        std::fs::write(&file, text).unwrap();
        Config::load(Some(&file), &|_| None)
    }

    #[test]
    fn relative_paths_are_beside_the_file() {
        let dir = std::env::temp_dir().join(format!("kyso-config-rel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("kyso.toml");
        std::fs::write(
            &file,
            "data_dir = \"data\"\ntrust = [\"certs/bcy\", \"/etc/abs\"]\nregistry = \"units.toml\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), &|_| None).unwrap();
        assert_eq!(c.data_dir, dir.join("data"));
        assert_eq!(
            c.trust,
            vec![dir.join("certs/bcy"), PathBuf::from("/etc/abs")]
        );
        assert_eq!(c.registry, Some(dir.join("units.toml")));
        // Keys left to their defaults are beside the file too; environment overrides are not.
        assert_eq!(c.intermediates, vec![dir.join("certs/bcy")]);
        let c = Config::load(Some(&file), &|k| {
            (k == "KYSO_DATA_DIR").then(|| "rel".into())
        })
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("rel"));
    }

    #[test]
    fn token_entries_are_checked() {
        let entry = |sha: &str, scopes: &str| {
            format!("[[token]]\nname = \"a\"\nsha256 = \"{sha}\"\nscopes = [{scopes}]\n")
        };
        let good = "ab".repeat(32);
        assert!(load_text(&entry(&good, "\"submit\", \"read\"")).is_ok());
        for (text, says) in [
            (
                entry("hex of SHA-256 of the token string", "\"read\""),
                "not a SHA-256",
            ),
            (entry(&good, "\"reed\""), "unknown scope \"reed\""),
            (entry(&good, ""), "no scopes"),
            (
                entry(&good, "\"read\"") + &entry(&good.to_uppercase(), "\"admin\""),
                "same sha256",
            ),
        ] {
            let e = load_text(&text).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
        let env = |v: &'static str| move |k: &str| (k == "KYSO_TOKEN").then(|| v.to_string());
        let e = Config::load(None, &env("a:xyz:read"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a SHA-256"), "{e}");
    }

    #[test]
    fn offline_asks_nothing() {
        let env = |v: &'static str| move |k: &str| (k == "KYSO_OFFLINE").then(|| v.to_string());
        let on = Config::load(None, &env("1")).unwrap();
        assert!(on.offline && on.ocsp_online, "ocsp_online stays as set");
        assert!(on.ocsp_client().is_none(), "but nothing is asked");
        assert!(Config::load(None, &env("0"))
            .unwrap()
            .ocsp_client()
            .is_some());
    }

    #[test]
    fn a_misspelt_variable_is_named_with_the_setting_meant() {
        let names = [
            "KYSO_BNID",
            "KYSO_BIND",
            "PATH",
            "KYSO_REQUIRE_SMTP",
            "KYSO_WHATEVER_ELSE",
        ];
        let w = unknown_env(names.iter().map(|s| s.to_string()));
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("KYSO_BNID") && w[0].contains("did you mean KYSO_BIND?"),
            "{w:?}"
        );
        assert!(
            w[1].contains("KYSO_WHATEVER_ELSE") && !w[1].contains("mean"),
            "{w:?}"
        );
    }

    #[test]
    fn a_token_bound_to_a_unit_only_submits() {
        let sha = "a".repeat(64);
        let ok = format!("[[token]]\nname = \"hx\"\nsha256 = \"{sha}\"\nscopes = [\"submit\"]\nunit = \"ubnd-huong-xuan\"\n");
        let c = load_text(&ok).unwrap();
        assert_eq!(c.token[0].unit.as_deref(), Some("ubnd-huong-xuan"));
        let e = load_text(&ok.replace("[\"submit\"]", "[\"submit\", \"read\"]"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("submit scope only"), "{e}");
    }

    #[test]
    fn ca_issuers_are_fetched_only_from_listed_hosts() {
        let e = load_text("fetch_ca_issuers = true\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs fetch_hosts"), "{e}");
        let c = load_text("fetch_ca_issuers = true\nfetch_hosts = [\"ca.gov.vn\"]\n").unwrap();
        assert!(c.issuer_client().is_some());
        let c =
            load_text("fetch_ca_issuers = true\nfetch_hosts = [\"ca.gov.vn\"]\noffline = true\n")
                .unwrap();
        assert!(c.issuer_client().is_none(), "offline fetches nothing");
        assert!(
            load_text("").unwrap().issuer_client().is_none(),
            "off by default"
        );
    }

    #[test]
    fn the_readme_example_loads() {
        let readme = include_str!("../../../../README.md");
        let start = readme
            .find("```toml\nbind =")
            .expect("README has the example")
            + 8;
        let text = &readme[start..start + readme[start..].find("```").unwrap()];
        let c = load_text(text).unwrap_or_else(|e| panic!("README example: {e}"));
        assert_eq!(c.token.len(), 1);
        assert_eq!(c.registry, None);
    }
}
