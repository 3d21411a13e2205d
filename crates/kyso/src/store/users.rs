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

/// Where the accounts are: files under the data directory, or the PostgreSQL store's
/// `accounts` table (so every instance, and `kyso user` beside them, sees the same people).
#[derive(Debug, Clone)]
pub enum Accounts {
    Dir(PathBuf),
    Database(std::sync::Arc<super::postgres::Database>),
}

impl Accounts {
    pub fn save(&self, user: &User) -> Result<(), StoreError> {
        match self {
            Accounts::Dir(d) => save(d, user),
            Accounts::Database(db) => {
                if !valid_name(&user.name) {
                    return Err(super::postgres::db_error("not a sign-in name"));
                }
                let w = super::postgres::Write {
                    records: vec![(
                        super::postgres::Kind::Account,
                        user.name.clone(),
                        super::postgres::to_value(user)?,
                    )],
                    ..Default::default()
                };
                db.write(w).map(drop)
            }
        }
    }

    pub fn load(&self, name: &str) -> Result<Option<User>, StoreError> {
        match self {
            Accounts::Dir(d) => load(d, name),
            Accounts::Database(_) if !valid_name(name) => Ok(None),
            Accounts::Database(db) => db
                .one(super::postgres::Kind::Account, name)?
                .map(|v| serde_json::from_value(v).map_err(super::postgres::db_error))
                .transpose(),
        }
    }

    /// Whether unit `id` is in the registry (a unit clerk's account names one).
    pub fn unit_known(&self, id: &str) -> bool {
        match self {
            Accounts::Dir(d) => unit_on_disk(d, id),
            Accounts::Database(db) => db
                .one(super::postgres::Kind::Unit, id)
                .is_ok_and(|u| u.is_some()),
        }
    }

    /// Every account, by name.
    pub fn all(&self) -> Result<Vec<User>, StoreError> {
        match self {
            Accounts::Dir(d) => all(d),
            Accounts::Database(db) => db
                .all(super::postgres::Kind::Account)?
                .into_iter()
                .map(|(_, v)| serde_json::from_value(v).map_err(super::postgres::db_error))
                .collect(),
        }
    }
}

impl super::Store {
    /// Where this store keeps the staff accounts.
    pub fn accounts(&self) -> Accounts {
        match &self.inner.db {
            Some(db) => Accounts::Database(db.clone()),
            None => Accounts::Dir(self.dir().to_path_buf()),
        }
    }
}

fn dir_of(data: &Path) -> PathBuf {
    data.join("users")
}

/// Write (or replace) an account durably.
fn save(data: &Path, user: &User) -> Result<(), StoreError> {
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
fn load(data: &Path, name: &str) -> Result<Option<User>, StoreError> {
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
fn all(data: &Path) -> Result<Vec<User>, StoreError> {
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
