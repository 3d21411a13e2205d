//! Staff accounts: one file per person under `users/<name>.json` (the name, the role, the unit
//! a unit clerk is bound to, the password as an argon2id PHC string, never the password).
//! Plain files, read at each sign-in, so that `kyso user add` works while the service runs.
//! Part of backups.

use super::error::{io, StoreError};
use super::layout::{unique, write_durably};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a person may do on the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The Office's administrator: everything.
    Admin,
    /// A reader (the Office's staff, Home Affairs): every figure and file, no change.
    Reader,
    /// A unit's clerk (văn thư): their own unit's months, files, notes and what is missing, and
    /// uploads for that unit; nothing else.
    UnitClerk,
}

impl Role {
    /// The API scopes the role's pages act with.
    pub fn scopes(self) -> Vec<String> {
        let s: &[&str] = match self {
            Role::Admin => &["submit", "read", "admin"],
            Role::Reader => &["read"],
            Role::UnitClerk => &["submit"],
        };
        s.iter().map(|x| x.to_string()).collect()
    }

    /// The role's name on the pages.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị viên",
            Role::Reader => "Người xem",
            Role::UnitClerk => "Văn thư đơn vị",
        }
    }
}

/// One staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The sign-in name: lower-case letters, digits, `.`, `-`, `_`.
    pub name: String,
    /// The person's name as the pages show it.
    pub display_name: String,
    pub role: Role,
    /// The unit a unit clerk is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// argon2id, as a PHC string.
    pub password: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    #[serde(with = "kyso_verify::report::wire_time::required")]
    pub created_at: time::OffsetDateTime,
}

/// Whether `name` is a sign-in name kyso accepts (also a safe file name).
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
        && !name.starts_with('.')
}

fn dir_of(data: &Path) -> PathBuf {
    data.join("users")
}

/// Write (or replace) an account durably.
pub fn save(data: &Path, user: &User) -> Result<(), StoreError> {
    let dir = dir_of(data);
    let path = dir.join(format!("{}.json", user.name));
    if !valid_name(&user.name) {
        return Err(StoreError::Corrupt {
            path,
            what: "not a sign-in name".into(),
        });
    }
    let json = serde_json::to_vec_pretty(user).map_err(|e| StoreError::Corrupt {
        path: path.clone(),
        what: e.to_string(),
    })?;
    let tmp = dir.join(format!(".{}.{}.tmp", user.name, unique()));
    write_durably(&tmp, &path, &json)
}

/// The account named `name`, if any.
pub fn load(data: &Path, name: &str) -> Result<Option<User>, StoreError> {
    if !valid_name(name) {
        return Ok(None);
    }
    let path = dir_of(data).join(format!("{name}.json"));
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path,
                what: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

/// Every account, by name.
pub fn all(data: &Path) -> Result<Vec<User>, StoreError> {
    let dir = dir_of(data);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir)(e)),
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        if let Some(name) = file.strip_suffix(".json") {
            if let Some(u) = load(data, name)? {
                out.push(u);
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Whether the registry on disk has the unit `id` (read without opening the store, so that
/// `kyso user add` works while the service runs).
pub fn unit_on_disk(data: &Path, id: &str) -> bool {
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'));
    plain
        && data
            .join("registry")
            .join("units")
            .join(format!("{id}.json"))
            .is_file()
}
