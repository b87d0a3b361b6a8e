//! The store in SQLite (WAL, `synchronous = FULL`): the embedded default for one instance.
//!
//! Calls are short and run on tokio's blocking pool over one connection: SQLite serializes
//! writers anyway, and one connection keeps each change a single transaction. Writes begin
//! `IMMEDIATE`, so a second process on the same file waits for the lock rather than failing
//! to upgrade a read.

use super::{Application, Backend, Callback, Delivery, Notices, Status, StoreError, Webhook, now};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::{
    path::Path,
    sync::{Arc, Mutex},
};

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self(error.to_string())
    }
}

mod embedded {
    // Versioned migrations, applied at start by refinery (migrations/sqlite/V<n>__*.sql); each
    // runs once per database, recorded in refinery_schema_history.
    refinery::embed_migrations!("migrations/sqlite");
}

/// Applies the versioned migrations a database lacks. A file written before they existed
/// (tables, but no history of migrations) is first brought to version 1's shape without
/// losing rows, then recorded as at version 1.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let has_tables = connection
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'applications'")?
        .exists([])?;
    let has_history = connection
        .prepare(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
        )?
        .exists([])?;
    if has_tables && !has_history {
        // Version 1 is written with IF NOT EXISTS: on such a file it adds the tables it
        // lacks and leaves the others, whose missing columns `baseline` then adds.
        connection.execute_batch(include_str!("../../migrations/sqlite/V1__schema.sql"))?;
        baseline(connection)?;
        embedded::migrations::runner()
            .set_target(refinery::Target::FakeVersion(1))
            .run(connection)
            .map_err(|e| StoreError(format!("recording version 1: {e}")))?;
    }
    embedded::migrations::runner()
        .run(connection)
        .map(|_| ())
        .map_err(|e| StoreError(format!("migrating the database: {e}")))
}

/// Brings a database written before versioned migrations to version 1's shape: the columns
/// added since the first schema, each with its definition.
fn baseline(connection: &Connection) -> Result<(), rusqlite::Error> {
    let added = [
        ("webhook_events", "unverified", "BLOB"),
        ("applications", "items", "TEXT NOT NULL DEFAULT '[]'"),
        // When the callback was queued, for the queue's oldest age (0: queued before it).
        ("callbacks", "queued_at", "INTEGER NOT NULL DEFAULT 0"),
    ];
    for (table, column, definition) in added {
        let present = connection
            .prepare(&format!(
                "SELECT 1 FROM pragma_table_info('{table}') WHERE name = '{column}'"
            ))?
            .exists([])?;
        if !present {
            connection.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {definition}"
            ))?;
        }
    }
    Ok(())
}

/// One SQLite connection, used from tokio's blocking pool.
pub(super) struct Sqlite {
    connection: Arc<Mutex<Connection>>,
}

impl Sqlite {
    pub(super) fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(directory)
                .map_err(|e| StoreError(format!("cannot create {}: {e}", directory.display())))?;
        }
        let mut connection = Connection::open(path)?;
        // WAL lets status reads run beside a write; FULL syncs every commit, so an
        // acknowledged webhook survives even the machine losing power.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut connection)?;
        // A file serves one instance, so claims left by a previous run (killed mid-delivery)
        // are void: its queue is tried again at once rather than when the leases end.
        connection.execute(
            "UPDATE callbacks SET next_attempt_at = MIN(next_attempt_at, ?1)
             WHERE delivered_at IS NULL",
            params![now()],
        )?;
        Ok(Self::over(connection))
    }

    pub(super) fn in_memory() -> Result<Self, StoreError> {
        let mut connection = Connection::open_in_memory()?;
        migrate(&mut connection)?;
        Ok(Self::over(connection))
    }

    fn over(connection: Connection) -> Self {
        Self {
            connection: Arc::new(Mutex::new(connection)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .map_err(|_| StoreError("a previous call panicked".into()))?;
            work(&mut connection).map_err(StoreError::from)
        })
        .await
        .map_err(|e| StoreError(e.to_string()))?
    }

    /// Runs `work` in one write transaction, committed when it returns `Ok`.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run(move |c| {
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let answer = work(&transaction)?;
            transaction.commit()?;
            Ok(answer)
        })
        .await
    }
}

const COLUMNS: &str = "id, provider, provider_ref, order_id, amount, currency, months,
    status, provider_status, redirect_url, created_at, updated_at, items";

fn application_row(row: &rusqlite::Row<'_>) -> Result<Application, rusqlite::Error> {
    let conversion = |column, error: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, error)
    };
    let status: String = row.get(7)?;
    Ok(Application {
        id: row.get(0)?,
        provider: row.get(1)?,
        provider_ref: row.get(2)?,
        order_id: row.get(3)?,
        amount: row.get(4)?,
        currency: row.get(5)?,
        months: row.get(6)?,
        status: Status::parse(&status)
            .ok_or_else(|| conversion(7, format!("unknown status {status:?}").into()))?,
        provider_status: row.get(8)?,
        redirect_url: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        items: serde_json::from_str(&row.get::<_, String>(12)?)
            .map_err(|e| conversion(12, e.into()))?,
    })
}

#[async_trait::async_trait]
impl Backend for Sqlite {
    async fn claim_intent(&self, order_id: String) -> Result<bool, StoreError> {
        self.run(move |c| {
            let added = c.execute(
                "INSERT INTO used_intents (order_id, used_at) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                params![order_id, now()],
            )?;
            Ok(added == 1)
        })
        .await
    }

    async fn release_intent(&self, order_id: String) -> Result<(), StoreError> {
        self.run(move |c| {
            c.execute(
                "DELETE FROM used_intents WHERE order_id = ?1",
                params![order_id],
            )?;
            Ok(())
        })
        .await
    }

    async fn insert(&self, a: Application) -> Result<(), StoreError> {
        let items = serde_json::to_string(&a.items).map_err(|e| StoreError(e.to_string()))?;
        self.run(move |c| {
            c.execute(
                &format!(
                    "INSERT INTO applications ({COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                ),
                params![
                    a.id,
                    a.provider,
                    a.provider_ref,
                    a.order_id,
                    a.amount,
                    a.currency,
                    a.months,
                    a.status.as_str(),
                    a.provider_status,
                    a.redirect_url,
                    a.created_at,
                    a.updated_at,
                    items
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn application(&self, id: String) -> Result<Option<Application>, StoreError> {
        self.run(move |c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM applications WHERE id = ?1"),
                params![id],
                application_row,
            )
            .optional()
        })
        .await
    }

    async fn by_provider_ref(
        &self,
        provider: String,
        provider_ref: String,
    ) -> Result<Option<Application>, StoreError> {
        self.run(move |c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM applications WHERE provider = ?1 AND provider_ref = ?2"
                ),
                params![provider, provider_ref],
                application_row,
            )
            .optional()
        })
        .await
    }

    async fn list(
        &self,
        status: Option<Status>,
        (since, until): (i64, i64),
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        let status = status.map(Status::as_str);
        self.run(move |c| {
            let mut statement = c.prepare(&format!(
                "SELECT {COLUMNS} FROM applications
                 WHERE (?1 IS NULL OR status = ?1) AND created_at BETWEEN ?2 AND ?3
                 ORDER BY created_at, id LIMIT ?4"
            ))?;
            let rows =
                statement.query_map(params![status, since, until, limit], application_row)?;
            rows.collect()
        })
        .await
    }

    async fn claim_pending(
        &self,
        after: i64,
        lease: i64,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        self.write(move |t| {
            let mut statement = t.prepare(&format!(
                "UPDATE applications SET asked_at = ?1 + ?4 WHERE id IN (
                    SELECT id FROM applications WHERE status = 'pending' AND created_at <= ?1 - ?2
                      AND MAX(updated_at, asked_at) <= ?1 - MAX(?2, (?1 - created_at) / 4)
                    ORDER BY created_at LIMIT ?3)
                 RETURNING {COLUMNS}"
            ))?;
            let rows = statement.query_map(params![now(), after, limit, lease], application_row)?;
            let mut claimed: Vec<Application> = rows.collect::<Result<_, _>>()?;
            claimed.sort_by_key(|a| a.created_at);
            Ok(claimed)
        })
        .await
    }

    async fn advance(
        &self,
        id: String,
        status: Status,
        provider_status: String,
        notices: Notices,
    ) -> Result<bool, StoreError> {
        self.write(move |t| advance(t, &id, status, &provider_status, notices))
            .await
    }

    async fn deliver(
        &self,
        webhook: Webhook,
        notices: Notices,
    ) -> Result<(Delivery, Option<String>), StoreError> {
        self.write(move |t| {
            let w = webhook;
            let id: Option<String> = t
                .query_row(
                    "SELECT id FROM applications WHERE provider = ?1 AND provider_ref = ?2",
                    params![w.provider, w.provider_ref],
                    |row| row.get(0),
                )
                .optional()?;
            let new = t.execute(
                "INSERT INTO webhook_events
                    (provider, event_key, application_id, body, received_at, unverified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                params![
                    w.provider,
                    w.event_key,
                    id,
                    w.evidence.verified,
                    now(),
                    w.evidence.unverified
                ],
            )? == 1;
            let delivery = match (&id, new, w.status) {
                (_, false, _) => Delivery::Duplicate,
                (Some(id), true, Some(status))
                    if advance(t, id, status, &w.provider_status, notices)? =>
                {
                    Delivery::Changed
                }
                _ => Delivery::Unchanged,
            };
            Ok((delivery, id))
        })
        .await
    }

    async fn claim_callbacks(&self, limit: u32, lease: i64) -> Result<Vec<Callback>, StoreError> {
        self.write(move |t| {
            let mut statement = t.prepare(
                "UPDATE callbacks SET next_attempt_at = ?1 + ?3 WHERE event_id IN (
                    SELECT event_id FROM callbacks
                    WHERE delivered_at IS NULL AND next_attempt_at <= ?1
                    ORDER BY next_attempt_at, queued_at, rowid LIMIT ?2)
                 RETURNING event_id, body, attempts, queued_at",
            )?;
            let rows = statement.query_map(params![now(), limit, lease], |row| {
                Ok((
                    row.get::<_, i64>(3)?,
                    Callback {
                        event_id: row.get(0)?,
                        body: row.get(1)?,
                        attempts: row.get(2)?,
                    },
                ))
            })?;
            let mut claimed: Vec<(i64, Callback)> = rows.collect::<Result<_, _>>()?;
            claimed.sort_by_key(|(queued_at, _)| *queued_at);
            Ok(claimed.into_iter().map(|(_, callback)| callback).collect())
        })
        .await
    }

    async fn callback_attempted(
        &self,
        event_id: String,
        outcome: Result<(), (String, i64)>,
    ) -> Result<(), StoreError> {
        self.run(move |c| {
            match outcome {
                Ok(()) => c.execute(
                    "UPDATE callbacks SET delivered_at = ?2, attempts = attempts + 1
                     WHERE event_id = ?1",
                    params![event_id, now()],
                )?,
                Err((error, retry_in)) => c.execute(
                    "UPDATE callbacks SET attempts = attempts + 1, last_error = ?2,
                        next_attempt_at = ?3 WHERE event_id = ?1",
                    params![event_id, error, now() + retry_in],
                )?,
            };
            Ok(())
        })
        .await
    }

    async fn next_callback_at(&self) -> Result<Option<i64>, StoreError> {
        self.run(|c| {
            c.query_row(
                "SELECT MIN(next_attempt_at) FROM callbacks WHERE delivered_at IS NULL",
                [],
                |row| row.get(0),
            )
        })
        .await
    }

    async fn callback_backlog(&self) -> Result<(i64, Option<i64>), StoreError> {
        self.run(|c| {
            c.query_row(
                "SELECT COUNT(*), MIN(queued_at) FROM callbacks WHERE delivered_at IS NULL",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
        })
        .await
    }

    async fn event(
        &self,
        provider: String,
        event_key: String,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, StoreError> {
        self.run(move |c| {
            c.query_row(
                "SELECT body, unverified FROM webhook_events WHERE provider = ?1 AND event_key = ?2",
                params![provider, event_key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
        })
        .await
    }

    async fn event_count(&self, provider: String) -> Result<i64, StoreError> {
        self.run(move |c| {
            c.query_row(
                "SELECT COUNT(*) FROM webhook_events WHERE provider = ?1",
                params![provider],
                |row| row.get(0),
            )
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }
}

/// Moves an application to `status` if [`super::TRANSITIONS`] allows it from where it
/// stands, in one statement (so two deliveries cannot both move it), and queues its callback
/// in the same transaction; refreshes the provider's word and the time when it cannot move.
/// `true` when the status changed.
fn advance(
    t: &rusqlite::Transaction<'_>,
    id: &str,
    status: Status,
    provider_status: &str,
    notices: Notices,
) -> Result<bool, rusqlite::Error> {
    // The table's names are static words, so they are written into the statement.
    let from: Vec<String> = status
        .reached_from()
        .into_iter()
        .map(|from| format!("'{from}'"))
        .collect();
    let changed = !from.is_empty()
        && t.execute(
            &format!(
                "UPDATE applications SET status = ?2, provider_status = ?3, updated_at = ?4
                 WHERE id = ?1 AND status IN ({})",
                from.join(", ")
            ),
            params![id, status.as_str(), provider_status, now()],
        )? == 1;
    if changed && notices.queued {
        let application = t.query_row(
            &format!("SELECT {COLUMNS} FROM applications WHERE id = ?1"),
            params![id],
            application_row,
        )?;
        let (event_id, body) = notices.callback(&application);
        t.execute(
            "INSERT INTO callbacks (event_id, body, next_attempt_at, queued_at)
             VALUES (?1, ?2, ?3, ?3) ON CONFLICT DO NOTHING",
            params![event_id, body, now()],
        )?;
    }
    if !changed {
        t.execute(
            "UPDATE applications SET updated_at = ?2,
                provider_status = CASE WHEN status = 'pending' THEN ?3 ELSE provider_status END
             WHERE id = ?1",
            params![id, now(), provider_status],
        )?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::*;

    #[tokio::test]
    async fn a_database_of_the_earlier_schema_is_migrated_without_losing_rows() {
        let path = std::env::temp_dir().join(format!(
            "installment-store-old-{}-{}.sqlite",
            std::process::id(),
            rand::random::<u64>()
        ));
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE webhook_events (provider TEXT NOT NULL, event_key TEXT NOT NULL,
                    application_id TEXT, body BLOB NOT NULL, received_at INTEGER NOT NULL,
                    PRIMARY KEY (provider, event_key));
                 INSERT INTO webhook_events VALUES ('karta_pokupok', 'e1', NULL, X'7B7D', 1);
                 CREATE TABLE applications (id TEXT PRIMARY KEY, provider TEXT NOT NULL,
                    provider_ref TEXT NOT NULL, order_id TEXT NOT NULL, amount TEXT NOT NULL,
                    currency TEXT NOT NULL, months INTEGER NOT NULL, status TEXT NOT NULL,
                    provider_status TEXT NOT NULL, redirect_url TEXT NOT NULL,
                    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                    UNIQUE (provider, provider_ref));
                 INSERT INTO applications VALUES ('app_old', 'karta_pokupok', 'kp-1', '7',
                    '100.00', 'BYN', 3, 'approved', 'APPROVED', 'http://x', 1, 1);",
            )
            .unwrap();
        }
        let store = Store::sqlite(&path).unwrap();
        assert_eq!(store.event_count("karta_pokupok").await.unwrap(), 1);
        let (body, unverified) = store.event("karta_pokupok", "e1").await.unwrap().unwrap();
        assert_eq!((body.as_slice(), unverified), (&b"{}"[..], None));
        let old = store.application("app_old").await.unwrap().unwrap();
        assert_eq!((old.status, old.items), (Status::Approved, Vec::new()));
        // Recorded at version 1 by hand, then brought to the latest by the migrations.
        let versions: Vec<i64> = Connection::open(&path)
            .unwrap()
            .prepare("SELECT version FROM refinery_schema_history ORDER BY version")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(versions, [1, 2]);
        drop(store);
        let again = Store::sqlite(&path).unwrap();
        assert_eq!(again.event_count("karta_pokupok").await.unwrap(), 1);
        assert_eq!(again.callback_backlog().await.unwrap(), (0, 0));
        let _ = std::fs::remove_file(&path);
    }
}
