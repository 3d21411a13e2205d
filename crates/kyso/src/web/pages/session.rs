//! Browser sessions for the Office's pages: a user signs in by pasting an API token; the server
//! keeps a session (the token's name and scopes, a CSRF token, an expiry) and gives the browser
//! only a random id in an `HttpOnly`, `SameSite=Strict` cookie. Signing out revokes the session
//! on the server. Failed sign-ins are counted per client address and slowed down.

use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// How long a session lasts without being renewed.
pub const LIFETIME: Duration = Duration::hours(8);
/// Failed sign-ins allowed per address per window.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::minutes(5);

#[derive(Debug, Clone)]
pub struct Session {
    pub name: String,
    pub scopes: Vec<String>,
    pub csrf: String,
    pub expires: OffsetDateTime,
}

impl Session {
    pub fn can(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Debug, Default)]
pub struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Vec<OffsetDateTime>>>,
}

/// 32 random bytes, hex.
pub fn random_id() -> String {
    let mut b = [0u8; 32];
    // With no randomness the id would be guessable: refuse to make one.
    if getrandom::getrandom(&mut b).is_err() {
        return String::new();
    }
    hex::encode(b)
}

impl Sessions {
    /// A new session for the token `name` with `scopes`; its id (the cookie's value).
    pub fn open(&self, name: &str, scopes: &[String]) -> Option<String> {
        let (id, csrf) = (random_id(), random_id());
        if id.is_empty() || csrf.is_empty() {
            return None;
        }
        let now = OffsetDateTime::now_utc();
        let mut live = self.live.lock().ok()?;
        live.retain(|_, s| s.expires > now);
        live.insert(
            id.clone(),
            Session {
                name: name.to_string(),
                scopes: scopes.to_vec(),
                csrf,
                expires: now + LIFETIME,
            },
        );
        Some(id)
    }

    /// The live session of this cookie value.
    pub fn get(&self, id: &str) -> Option<Session> {
        let now = OffsetDateTime::now_utc();
        let live = self.live.lock().ok()?;
        live.get(id).filter(|s| s.expires > now).cloned()
    }

    /// Sign out: the id is no longer accepted, whoever holds it.
    pub fn close(&self, id: &str) {
        if let Ok(mut live) = self.live.lock() {
            live.remove(id);
        }
    }

    /// Whether `addr` has failed too often lately (then it must wait).
    pub fn locked_out(&self, addr: &str) -> bool {
        let now = OffsetDateTime::now_utc();
        self.failures
            .lock()
            .map(|f| {
                f.get(addr).is_some_and(|v| {
                    v.iter().filter(|t| now - **t < FAILURE_WINDOW).count() >= MAX_FAILURES
                })
            })
            .unwrap_or(true)
    }

    pub fn failed(&self, addr: &str) {
        let now = OffsetDateTime::now_utc();
        if let Ok(mut f) = self.failures.lock() {
            f.retain(|_, v| {
                v.retain(|t| now - *t < FAILURE_WINDOW);
                !v.is_empty()
            });
            f.entry(addr.to_string()).or_default().push(now);
        }
    }
}
