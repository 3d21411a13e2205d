//! The Office's records in PostgreSQL: the registry (units, leaders, settings) with its audit,
//! closed periods and their filed files, reminders sent, staff accounts. Each write that
//! belongs together is one transaction; a registry change is announced on [`CHANNEL`] so the
//! other instances read the registry again.

use super::{Database, CHANNEL};
use crate::store::StoreError;
use serde_json::Value;

/// The tables of keyed records (id → JSON). Table names are constants, never user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unit,
    Leader,
    Account,
    Period,
}

impl Kind {
    fn select_all(self) -> &'static str {
        match self {
            Kind::Unit => "SELECT id, record FROM registry_units ORDER BY id",
            Kind::Leader => "SELECT id, record FROM registry_leaders ORDER BY id",
            Kind::Account => "SELECT name, account FROM accounts ORDER BY name",
            Kind::Period => "SELECT period, closed FROM periods ORDER BY period",
        }
    }

    fn select_one(self) -> &'static str {
        match self {
            Kind::Unit => "SELECT record FROM registry_units WHERE id = $1",
            Kind::Leader => "SELECT record FROM registry_leaders WHERE id = $1",
            Kind::Account => "SELECT account FROM accounts WHERE name = $1",
            Kind::Period => "SELECT closed FROM periods WHERE period = $1",
        }
    }

    fn upsert(self) -> &'static str {
        match self {
            Kind::Unit => {
                "INSERT INTO registry_units (id, record) VALUES ($1, $2)
                           ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record"
            }
            Kind::Leader => {
                "INSERT INTO registry_leaders (id, record) VALUES ($1, $2)
                             ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record"
            }
            Kind::Account => {
                "INSERT INTO accounts (name, account) VALUES ($1, $2)
                              ON CONFLICT (name) DO UPDATE SET account = EXCLUDED.account"
            }
            // A closed period is never written twice: the second closing finds it closed.
            Kind::Period => {
                "INSERT INTO periods (period, closed) VALUES ($1, $2)
                             ON CONFLICT (period) DO NOTHING"
            }
        }
    }
}

/// An append-only log (registry audit, reminders sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Log {
    Audit,
    Reminders,
}

impl Log {
    fn insert(self) -> &'static str {
        match self {
            Log::Audit => "INSERT INTO registry_audit (change) VALUES ($1)",
            Log::Reminders => "INSERT INTO reminders_sent (sent) VALUES ($1)",
        }
    }

    fn select(self) -> &'static str {
        match self {
            Log::Audit => "SELECT change FROM registry_audit ORDER BY seq",
            Log::Reminders => "SELECT sent FROM reminders_sent ORDER BY seq",
        }
    }
}

/// One registry write: records to put, log lines to append, and whether to announce it.
#[derive(Debug, Default)]
pub struct Write {
    pub records: Vec<(Kind, String, Value)>,
    pub settings: Option<Value>,
    pub log: Vec<(Log, Value)>,
    /// Files filed with a closed period (name, bytes), written with its record.
    pub files: Vec<(String, Vec<u8>)>,
    /// For a registry or settings write: the registry version the writer's registry was read
    /// at. The write is refused ([`Written::RegistryMoved`]) when another write came between.
    pub registry_base: Option<i64>,
}

/// What [`Database::write`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Written; for a registry write, the registry's new version.
    Done(Option<i64>),
    /// Nothing: the period was closed already (by someone else).
    PeriodClosed,
    /// Nothing: the registry changed since the writer read it.
    RegistryMoved,
}

impl Write {
    fn touches_registry(&self) -> bool {
        self.settings.is_some()
            || self
                .records
                .iter()
                .any(|(k, _, _)| matches!(k, Kind::Unit | Kind::Leader))
    }
}

impl Database {
    /// Every record of `kind`, in id order.
    pub fn all(&self, kind: Kind) -> Result<Vec<(String, Value)>, StoreError> {
        self.run(move |c| {
            Box::pin(async move {
                let rows = c.query(kind.select_all(), &[]).await?;
                Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
            })
        })
    }

    pub fn one(&self, kind: Kind, id: &str) -> Result<Option<Value>, StoreError> {
        let id = id.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let row = c.query_opt(kind.select_one(), &[&id]).await?;
                Ok(row.map(|r| r.get(0)))
            })
        })
    }

    /// Put `w` in one transaction, or nothing (see [`Written`]). Registry writes take turns on
    /// the `registry_version` row and count it up.
    pub fn write(&self, w: Write) -> Result<Written, StoreError> {
        let payload = format!("r {}", self.origin);
        self.run(move |c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                let mut version = None;
                if w.touches_registry() {
                    let row = tx
                        .query_one("SELECT version FROM registry_version FOR UPDATE", &[])
                        .await?;
                    let now: i64 = row.get(0);
                    if w.registry_base.is_some_and(|base| base != now) {
                        tx.rollback().await?;
                        return Ok(Written::RegistryMoved);
                    }
                    tx.execute("UPDATE registry_version SET version = $1", &[&(now + 1)])
                        .await?;
                    version = Some(now + 1);
                }
                for (kind, id, value) in &w.records {
                    let n = tx.execute(kind.upsert(), &[id, value]).await?;
                    if n == 0 && *kind == Kind::Period {
                        tx.rollback().await?;
                        return Ok(Written::PeriodClosed);
                    }
                }
                for (name, bytes) in &w.files {
                    let digest = kyso_verify::pki::crypto::sha256(bytes).to_vec();
                    tx.execute(
                        "INSERT INTO period_files (name, sha256, bytes) VALUES ($1, $2, $3)
                         ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes",
                        &[name, &digest, bytes],
                    )
                    .await?;
                }
                if let Some(s) = &w.settings {
                    tx.execute(
                        "INSERT INTO registry_settings (settings) VALUES ($1)
                         ON CONFLICT (only_row) DO UPDATE SET settings = EXCLUDED.settings",
                        &[s],
                    )
                    .await?;
                }
                for (log, value) in &w.log {
                    tx.execute(log.insert(), &[value]).await?;
                }
                if version.is_some() {
                    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                        .await?;
                }
                tx.commit().await?;
                Ok(Written::Done(version))
            })
        })
    }

    /// The registry's version now.
    pub fn registry_version(&self) -> Result<i64, StoreError> {
        self.run(|c| {
            Box::pin(async move {
                let r = c
                    .query_one("SELECT version FROM registry_version", &[])
                    .await?;
                Ok(r.get(0))
            })
        })
    }

    pub fn log(&self, log: Log) -> Result<Vec<Value>, StoreError> {
        self.run(move |c| {
            Box::pin(async move {
                let rows = c.query(log.select(), &[]).await?;
                Ok(rows.into_iter().map(|r| r.get(0)).collect())
            })
        })
    }

    pub fn settings(&self) -> Result<Option<Value>, StoreError> {
        self.run(|c| {
            Box::pin(async move {
                let row = c
                    .query_opt("SELECT settings FROM registry_settings", &[])
                    .await?;
                Ok(row.map(|r| r.get(0)))
            })
        })
    }

    pub fn filed(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let name = name.to_string();
        self.run(move |c| {
            Box::pin(async move {
                let row = c
                    .query_opt("SELECT bytes FROM period_files WHERE name = $1", &[&name])
                    .await?;
                Ok(row.map(|r| r.get(0)))
            })
        })
    }
}
