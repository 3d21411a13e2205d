//! `KYSO_<KEY>` overrides of the configuration, and the variables kyso does not know (a misspelt
//! one is otherwise silently ignored).

use super::{parse_tokens, Config, ConfigError};
use std::path::PathBuf;

/// Every `KYSO_*` variable kyso reads, and those of its tools (the submission script) and tests.
pub const ENV_KEYS: &[&str] = &[
    "KYSO_ACCEPT_IMPLAUSIBLE_SIGNING_TIME",
    "KYSO_ALLOW_NO_ANCHORS",
    "KYSO_BACKUP_KEY",
    "KYSO_BIND",
    "KYSO_CONFIG",
    "KYSO_CRLS",
    "KYSO_CRL_GRACE_HOURS",
    "KYSO_CRL_REFRESH_HOURS",
    "KYSO_CRL_URLS",
    "KYSO_DATA_DIR",
    "KYSO_FETCH_CA_ISSUERS",
    "KYSO_FETCH_HOSTS",
    "KYSO_FETCH_PRIVATE_ADDRESSES",
    "KYSO_INTERMEDIATES",
    "KYSO_LOG",
    "KYSO_LOG_FORMAT",
    "KYSO_MAX_CLAIMED_SIGNING_AGE_DAYS",
    "KYSO_MAX_UPLOADS_PER_TOKEN",
    "KYSO_MAX_UPLOAD_BYTES",
    "KYSO_MAX_UPLOAD_BYTES_PER_TOKEN",
    "KYSO_OCSP_ONLINE",
    "KYSO_OCSP_TIMEOUT_MS",
    "KYSO_REGISTRY",
    "KYSO_TOKEN",
    "KYSO_TRUST",
    "KYSO_UPLOAD_DEADLINE_SECS",
    "KYSO_UPLOAD_IDLE_TIMEOUT_SECS",
    "KYSO_VERIFY_CPU_MS",
    "KYSO_VERIFY_DEADLINE_SECS",
    "KYSO_WORKERS",
    "KYSO_OFFLINE",
    // The submission script's, and the tests'.
    "KYSO_URL",
    "KYSO_GCC_CA_DIR",
    "KYSO_STORE",
    "KYSO_STORE_POOL",
    "KYSO_STORE_CA",
];

/// The `KYSO_*` names among `names` that kyso does not read (a misspelt setting is otherwise
/// silently ignored), with the setting each probably meant.
pub fn unknown_env(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = names
        .filter(|k| k.starts_with("KYSO_") && !k.starts_with("KYSO_REQUIRE_"))
        .filter(|k| !ENV_KEYS.contains(&k.as_str()))
        .map(|k| {
            let near = ENV_KEYS
                .iter()
                .min_by_key(|known| distance(&k, known))
                .filter(|known| distance(&k, known) <= 3);
            match near {
                Some(n) => format!("environment variable {k} is not a kyso setting and is ignored (did you mean {n}?)"),
                None => format!("environment variable {k} is not a kyso setting and is ignored"),
            }
        })
        .collect();
    out.sort();
    out
}

/// Edit distance between two names (Levenshtein), to suggest the setting meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A list in an environment variable: comma-separated (paths with commas are not supported).
fn list(v: &str) -> Vec<PathBuf> {
    v.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| PathBuf::from(s.trim()))
        .collect()
}

impl Config {
    /// The numeric `KYSO_*` overrides: limits and timeouts.
    fn apply_env_numbers(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let c = self;
        if let Some(v) = env("KYSO_MAX_UPLOAD_BYTES") {
            c.max_upload_bytes = v.parse().map_err(|_| ConfigError::Env {
                key: "KYSO_MAX_UPLOAD_BYTES".into(),
                message: format!("{v:?} is not a number of bytes"),
            })?;
        }
        if let Some(v) = env("KYSO_UPLOAD_IDLE_TIMEOUT_SECS") {
            c.upload_idle_timeout_secs = v.parse().map_err(|_| ConfigError::Env {
                key: "KYSO_UPLOAD_IDLE_TIMEOUT_SECS".into(),
                message: format!("{v:?} is not a number of seconds"),
            })?;
        }
        if let Some(v) = number(env, "KYSO_UPLOAD_DEADLINE_SECS", "seconds")? {
            c.upload_deadline_secs = v;
        }
        if let Some(v) = number(env, "KYSO_MAX_UPLOADS_PER_TOKEN", "uploads")? {
            c.max_uploads_per_token = v;
        }
        if let Some(v) = number(env, "KYSO_MAX_UPLOAD_BYTES_PER_TOKEN", "bytes")? {
            c.max_upload_bytes_per_token = v;
        }
        if let Some(v) = env("KYSO_OFFLINE") {
            c.offline = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KYSO_ALLOW_NO_ANCHORS") {
            c.allow_no_anchors = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KYSO_OCSP_ONLINE") {
            c.ocsp_online = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KYSO_FETCH_PRIVATE_ADDRESSES") {
            c.fetch_private_addresses = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KYSO_FETCH_CA_ISSUERS") {
            c.fetch_ca_issuers = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KYSO_FETCH_HOSTS") {
            c.fetch_hosts = v
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = number(env, "KYSO_VERIFY_DEADLINE_SECS", "seconds")? {
            c.verify_deadline_secs = v;
        }
        if let Some(v) = number(env, "KYSO_OCSP_TIMEOUT_MS", "milliseconds")? {
            c.ocsp_timeout_ms = v;
        }
        if let Some(v) = number(env, "KYSO_CRL_GRACE_HOURS", "hours")? {
            c.crl_grace_hours = v;
        }
        if let Some(v) = number(env, "KYSO_WORKERS", "threads")? {
            c.workers = v;
        }
        if let Some(v) = number(env, "KYSO_STORE_POOL", "connections")? {
            c.store_pool = v;
        }
        Ok(())
    }

    /// `KYSO_<KEY>` overrides, over the file or the defaults.
    pub(super) fn apply_env(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let c = self;
        if let Some(v) = env("KYSO_BIND") {
            c.bind = v;
        }
        if let Some(v) = env("KYSO_DATA_DIR") {
            c.data_dir = v.into();
        }
        if let Some(v) = env("KYSO_STORE") {
            c.store = v.trim().to_string();
        }
        if let Some(v) = env("KYSO_STORE_CA") {
            c.store_ca = Some(v.into());
        }
        if let Some(v) = env("KYSO_TRUST") {
            c.trust = list(&v);
        }
        if let Some(v) = env("KYSO_INTERMEDIATES") {
            c.intermediates = list(&v);
        }
        if let Some(v) = env("KYSO_CRLS") {
            c.crls = list(&v);
        }
        if let Some(v) = env("KYSO_REGISTRY") {
            c.registry = Some(v.into());
        }
        if let Some(v) = env("KYSO_BACKUP_KEY") {
            c.backup_key = v.into();
        }
        c.apply_env_numbers(env)?;
        if let Some(v) = env("KYSO_CRL_URLS") {
            c.crl_urls = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = env("KYSO_CRL_REFRESH_HOURS") {
            c.crl_refresh_hours = v.parse().map_err(|_| ConfigError::Env {
                key: "KYSO_CRL_REFRESH_HOURS".into(),
                message: format!("{v:?} is not a number of hours"),
            })?;
        }
        if let Some(v) = env("KYSO_VERIFY_CPU_MS") {
            c.verify_cpu_ms = v.parse().map_err(|_| ConfigError::Env {
                key: "KYSO_VERIFY_CPU_MS".into(),
                message: format!("{v:?} is not a number of milliseconds"),
            })?;
        }
        if let Some(v) = env("KYSO_MAX_CLAIMED_SIGNING_AGE_DAYS") {
            c.max_claimed_signing_age_days = v.parse().map_err(|_| ConfigError::Env {
                key: "KYSO_MAX_CLAIMED_SIGNING_AGE_DAYS".into(),
                message: format!("{v:?} is not a number of days"),
            })?;
        }
        if let Some(v) = env("KYSO_ACCEPT_IMPLAUSIBLE_SIGNING_TIME") {
            c.accept_implausible_signing_time = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KYSO_TOKEN") {
            c.token = parse_tokens(&v)?;
        }
        Ok(())
    }
}

/// A number from the environment variable `key`, if set.
fn number<T: std::str::FromStr>(
    env: &dyn Fn(&str) -> Option<String>,
    key: &str,
    unit: &str,
) -> Result<Option<T>, ConfigError> {
    env(key)
        .map(|v| {
            v.trim().parse().map_err(|_| ConfigError::Env {
                key: key.into(),
                message: format!("{v:?} is not a number of {unit}"),
            })
        })
        .transpose()
}
