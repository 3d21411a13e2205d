//! Schema migrations, shipped in the binary (`crates/kyso/migrations/`) and applied at start.
//! Instances starting together take turns on an advisory lock; each migration runs in its own
//! transaction with its row in `kyso_migrations`, so a migration is applied whole or not at all.

use super::{db_error, Database};
use crate::store::StoreError;

/// (version, SQL), in order. A shipped migration is never edited: a change is a new one.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../../../migrations/0001_store.sql"))];

/// The advisory lock key the migrations run under (any constant shared by all instances).
const MIGRATION_LOCK: i64 = 0x6b79_736f_0001;

/// The newest schema version this kyso knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

impl Database {
    /// Apply the migrations the database lacks; refuse a database from a newer kyso.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let found = self.run(|c| {
            Box::pin(async move {
                // The lock first: two instances starting on an empty database must not both
                // create the migrations' table.
                c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
                    .await?;
                let done = async {
                    c.batch_execute(
                        "CREATE TABLE IF NOT EXISTS kyso_migrations (
                             version integer PRIMARY KEY,
                             applied_at timestamptz NOT NULL DEFAULT now())",
                    )
                    .await?;
                    let row = c
                        .query_one("SELECT coalesce(max(version), 0) FROM kyso_migrations", &[])
                        .await?;
                    let mut found: i32 = row.get(0);
                    let start = found;
                    let newer = found > latest();
                    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > start && !newer) {
                        let tx = c.transaction().await?;
                        tx.batch_execute(sql).await?;
                        tx.execute("INSERT INTO kyso_migrations (version) VALUES ($1)", &[v])
                            .await?;
                        tx.commit().await?;
                        found = *v;
                    }
                    Ok(found)
                }
                .await;
                let unlocked = c
                    .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
                    .await;
                let found = done?;
                unlocked?;
                Ok(found)
            })
        })?;
        if found > latest() {
            return Err(db_error(format!(
                "the database has schema version {found}; this kyso knows version {} (a newer kyso wrote it)",
                latest()
            )));
        }
        Ok(())
    }
}
