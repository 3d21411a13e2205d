//! Browser sessions for the Office's pages: a person signs in with their account's name and
//! password, or by pasting an API token; the server keeps a session (who, their scopes and unit,
//! a CSRF token, an expiry) and gives the browser
//! only a random id in an `HttpOnly`, `SameSite=Strict` cookie. Signing out revokes the session
//! on the server. Failed sign-ins (a valid form with a wrong token) are counted per client
//! address and answered with a growing wait; a right token always gets in, so nobody can lock
//! the users behind an address (the office's NAT, the reverse proxy) out.

use std::collections::HashMap;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// How long a session lasts without being renewed.
pub const LIFETIME: Duration = Duration::hours(8);
/// Failed sign-ins allowed per address per window before each further one must wait.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// The wait after the first failure past the allowance; it doubles with each further one.
const FIRST_WAIT: Duration = Duration::seconds(30);
const LONGEST_WAIT: Duration = Duration::minutes(15);
/// Addresses remembered at once (a flood of addresses forgets the oldest first).
const MAX_ADDRESSES: usize = 10_000;

/// Who a session is for: a token (a system, or a person using one) or a staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's or the account's name (what the audit records).
    pub name: String,
    /// The name the pages show.
    pub display: String,
    pub scopes: Vec<String>,
    /// The one unit the session may see and upload for (a unit clerk, a unit-bound token).
    pub unit: Option<String>,
    /// A staff account (checked again at each request: a disabled account's sessions end).
    pub account: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub name: String,
    pub display: String,
    pub scopes: Vec<String>,
    pub unit: Option<String>,
    pub account: bool,
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
    /// A new session for `who`; its id (the cookie's value).
    pub fn open(&self, who: Identity) -> Option<String> {
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
                name: who.name,
                display: who.display,
                scopes: who.scopes,
                unit: who.unit,
                account: who.account,
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

    /// How long `addr` must still wait before its next wrong token is judged, if it must: past
    /// [`MAX_FAILURES`] recent failures, [`FIRST_WAIT`] after the last one, doubling with each
    /// further one up to [`LONGEST_WAIT`]. A right token is never made to wait.
    pub fn wait(&self, addr: &str) -> Option<Duration> {
        let now = OffsetDateTime::now_utc();
        let f = self.failures.lock().ok()?;
        let recent: Vec<&OffsetDateTime> = f
            .get(addr)?
            .iter()
            .filter(|t| now - **t < FAILURE_WINDOW)
            .collect();
        let beyond = recent.len().checked_sub(MAX_FAILURES)?;
        let last = **recent.last()?;
        let wait = (FIRST_WAIT * 2i32.saturating_pow(beyond.min(10) as u32)).min(LONGEST_WAIT);
        let left = last + wait - now;
        (left > Duration::ZERO).then_some(left)
    }

    /// A wrong token from `addr` (the form itself was valid).
    pub fn failed(&self, addr: &str) {
        let now = OffsetDateTime::now_utc();
        if let Ok(mut f) = self.failures.lock() {
            f.retain(|_, v| {
                v.retain(|t| now - *t < FAILURE_WINDOW);
                !v.is_empty()
            });
            if f.len() >= MAX_ADDRESSES && !f.contains_key(addr) {
                let oldest = f
                    .iter()
                    .min_by_key(|(_, v)| v.last().copied())
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    f.remove(&k);
                }
            }
            let v = f.entry(addr.to_string()).or_default();
            v.push(now);
            // Only the recent count matters: a flood from one address stays small.
            if v.len() > 4 * MAX_FAILURES {
                v.remove(0);
            }
        }
    }
}
