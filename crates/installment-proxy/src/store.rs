//! Applications and webhook events in SQLite (WAL, `synchronous = FULL`): a webhook is
//! acknowledged only after its event and the state change it causes are committed, so a
//! crash right after the acknowledgement loses nothing.
//!
//! Each status change also queues a callback to the merchant's backend in the same
//! transaction (when callbacks are configured), so the change and its notice are never
//! separated by a crash; [`crate::outbox`] delivers the queue.
//!
//! Calls are short and run on tokio's blocking pool over one connection: SQLite serializes
//! writers anyway, and one connection keeps each change a single transaction.

use crate::intent::IntentItem;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::{
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};
use tokio::sync::Notify;

/// Where an application stands, normalized over every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Created; the shopper has not finished the provider's form.
    Pending,
    /// The provider approved it: ship the order.
    Approved,
    /// The provider declined it.
    Rejected,
    /// The shopper or the provider cancelled it.
    Cancelled,
    /// The shopper did not finish in time.
    Expired,
    /// The provider could not process it.
    Failed,
    /// Approved, then the money was returned to the shopper.
    Refunded,
}

use Status::{Approved, Cancelled, Expired, Failed, Pending, Refunded, Rejected};

/// Every change of status the proxy accepts, from webhooks and refreshes alike: one table.
/// An approved payment can still be cancelled (revoked) or refunded; nothing else leaves an
/// outcome, and nothing returns to `pending`.
pub const TRANSITIONS: &[(Status, &[Status])] = &[
    (Pending, &[Approved, Rejected, Cancelled, Expired, Failed]),
    (Approved, &[Cancelled, Refunded]),
    (Rejected, &[]),
    (Cancelled, &[]),
    (Expired, &[]),
    (Failed, &[]),
    (Refunded, &[]),
];

impl Status {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        TRANSITIONS
            .iter()
            .map(|(status, _)| *status)
            .find(|status| status.as_str() == name)
    }

    /// Whether [`TRANSITIONS`] allows moving from `self` to `next`.
    ///
    /// ```
    /// use installment_proxy::store::Status;
    /// assert!(Status::Approved.can_become(Status::Refunded));
    /// assert!(!Status::Cancelled.can_become(Status::Approved));
    /// assert!(!Status::Approved.can_become(Status::Pending));
    /// ```
    pub fn can_become(self, next: Status) -> bool {
        TRANSITIONS
            .iter()
            .any(|(from, to)| *from == self && to.contains(&next))
    }

    /// The statuses an application may be in to move to `self`.
    fn reached_from(self) -> impl Iterator<Item = Status> {
        TRANSITIONS
            .iter()
            .filter(move |(_, to)| to.contains(&self))
            .map(|(from, _)| *from)
    }
}

/// An application as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// The proxy's id, given to the browser.
    pub id: String,
    /// Provider wire name.
    pub provider: String,
    /// The provider's own id of the application.
    pub provider_ref: String,
    /// The merchant's order id.
    pub order_id: String,
    /// Decimal string.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Number of payments.
    pub months: u32,
    /// Normalized status.
    pub status: Status,
    /// The provider's own status word, as last seen.
    pub provider_status: String,
    /// Where the shopper confirms the application.
    pub redirect_url: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last status change or refresh.
    pub updated_at: i64,
    /// What was bought: each item's SKU, name, quantity and price, so the merchant knows
    /// what was paid for.
    pub items: Vec<IntentItem>,
}

/// A store error: the message is for logs, never for the browser.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self(error.to_string())
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            elapsed.as_secs().try_into().unwrap_or(i64::MAX)
        })
}

/// The database of applications, webhook events, used intents and queued callbacks.
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
    callbacks: Arc<AtomicBool>,
    sandbox: Arc<AtomicBool>,
    queued: Arc<Notify>,
}

/// A callback to the merchant's backend waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// `<application id>:<status>`: each status is reached once, so this names the change.
    pub event_id: String,
    /// The JSON body, fixed when the change happened.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: u32,
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
        connection.execute_batch(include_str!("../migrations/sqlite/V1__schema.sql"))?;
        baseline(connection)?;
    }
    embedded::migrations::runner()
        .run(connection)
        .map(|_| ())
        .map_err(|e| StoreError(format!("migrating the database: {e}")))
}

/// Brings a database written before versioned migrations to version 1's shape: the columns
/// added since the first schema, each with its definition.
fn baseline(connection: &Connection) -> Result<(), rusqlite::Error> {
    // Columns added since the first schema, each with its definition.
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

/// A webhook's body as stored: what its signature covers, and what it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The signed body (or the signed fields of it).
    pub verified: Vec<u8>,
    /// Fields outside the signature, kept apart; `None` when the whole body is signed.
    pub unverified: Option<Vec<u8>>,
}

/// What a webhook delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// First delivery; the application's status changed.
    Changed,
    /// First delivery; the status was already final (or the same), so nothing changed.
    Unchanged,
    /// The same event was delivered before: nothing happened this time.
    Duplicate,
}

impl Store {
    /// Opens (creating it and its directory if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(directory)
                .map_err(|e| StoreError(format!("cannot create {}: {e}", directory.display())))?;
        }
        let connection = Connection::open(path)?;
        // WAL lets status reads run beside a write; FULL syncs every commit, so an
        // acknowledged webhook survives even the machine losing power.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut connection = connection;
        migrate(&mut connection)?;
        Ok(Self::over(connection))
    }

    /// A database in memory: for tests and tools, nothing survives.
    pub fn in_memory() -> Result<Self, StoreError> {
        let mut connection = Connection::open_in_memory()?;
        migrate(&mut connection)?;
        Ok(Self::over(connection))
    }

    fn over(connection: Connection) -> Self {
        Self {
            connection: Arc::new(Mutex::new(connection)),
            callbacks: Arc::new(AtomicBool::new(false)),
            sandbox: Arc::new(AtomicBool::new(false)),
            queued: Arc::new(Notify::new()),
        }
    }

    /// From now on every status change queues a callback to the merchant's backend.
    pub fn queue_callbacks(&self) {
        self.callbacks.store(true, Ordering::SeqCst);
    }

    /// Marks every callback from now on `"sandbox": true`: its money was never real.
    pub fn mark_sandbox(&self) {
        self.sandbox.store(true, Ordering::SeqCst);
    }

    fn notices(&self) -> Notices {
        Notices {
            queued: self.callbacks.load(Ordering::SeqCst),
            sandbox: self.sandbox.load(Ordering::SeqCst),
        }
    }

    /// Wakes when a callback was queued.
    pub fn callback_queued(&self) -> Arc<Notify> {
        self.queued.clone()
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

    /// Claims the intent of `order_id` for one attempt; `false` when it is claimed already (by
    /// an application, or by an attempt still asking its provider).
    pub async fn claim_intent(&self, order_id: &str) -> Result<bool, StoreError> {
        let order_id = order_id.to_owned();
        self.run(move |c| {
            let added = c.execute(
                "INSERT OR IGNORE INTO used_intents (order_id, used_at) VALUES (?1, ?2)",
                params![order_id, now()],
            )?;
            Ok(added == 1)
        })
        .await
    }

    /// Gives back the claim of an attempt the provider did not accept (a refusal, a timeout,
    /// a 5xx), so the shopper's order can be tried again.
    pub async fn release_intent(&self, order_id: &str) -> Result<(), StoreError> {
        let order_id = order_id.to_owned();
        self.run(move |c| {
            c.execute(
                "DELETE FROM used_intents WHERE order_id = ?1",
                params![order_id],
            )?;
            Ok(())
        })
        .await
    }

    /// Stores a new application.
    pub async fn insert(&self, application: Application) -> Result<(), StoreError> {
        self.run(move |c| {
            let a = &application;
            c.execute(
                "INSERT INTO applications (id, provider, provider_ref, order_id, amount, currency,
                    months, status, provider_status, redirect_url, created_at, updated_at, items)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                    serde_json::to_string(&a.items).unwrap_or_else(|_| "[]".into())
                ],
            )?;
            Ok(())
        })
        .await
    }

    /// The application with the proxy's `id`.
    pub async fn application(&self, id: &str) -> Result<Option<Application>, StoreError> {
        let id = id.to_owned();
        self.run(move |c| {
            c.query_row(
                &format!("{SELECT} WHERE id = ?1"),
                params![id],
                application_row,
            )
            .optional()
        })
        .await
    }

    /// The application the provider knows as `provider_ref`.
    pub async fn by_provider_ref(
        &self,
        provider: &str,
        provider_ref: &str,
    ) -> Result<Option<Application>, StoreError> {
        let (provider, provider_ref) = (provider.to_owned(), provider_ref.to_owned());
        self.run(move |c| {
            c.query_row(
                &format!("{SELECT} WHERE provider = ?1 AND provider_ref = ?2"),
                params![provider, provider_ref],
                application_row,
            )
            .optional()
        })
        .await
    }

    /// Applications created in `[since, until]` (Unix seconds), in `status` if given, oldest
    /// first, at most `limit`: for the merchant's reconciliation.
    pub async fn list(
        &self,
        status: Option<Status>,
        (since, until): (i64, i64),
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        let status = status.map(Status::as_str);
        self.run(move |c| {
            let mut statement = c.prepare(&format!(
                "{SELECT} WHERE (?1 IS NULL OR status = ?1) AND created_at BETWEEN ?2 AND ?3
                 ORDER BY created_at, id LIMIT ?4"
            ))?;
            let rows =
                statement.query_map(params![status, since, until, limit], application_row)?;
            rows.collect()
        })
        .await
    }

    /// Pending applications due to be asked about again, oldest first: created at least
    /// `after` seconds ago, and last asked at least `after` seconds ago or a quarter of their
    /// age, whichever is longer, so the asks back off as an application grows old.
    pub async fn pending_due(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        self.run(move |c| {
            let mut statement = c.prepare(&format!(
                "{SELECT} WHERE status = 'pending' AND created_at <= ?1 - ?2
                   AND updated_at <= ?1 - MAX(?2, (?1 - created_at) / 4)
                 ORDER BY created_at LIMIT ?3"
            ))?;
            let rows = statement.query_map(params![now(), after, limit], application_row)?;
            rows.collect()
        })
        .await
    }

    /// Records what the provider says now (from a status refresh). The status moves only as
    /// [`TRANSITIONS`] allows; the refresh time is kept either way.
    pub async fn advance(
        &self,
        id: &str,
        status: Status,
        provider_status: &str,
    ) -> Result<bool, StoreError> {
        let (id, provider_status) = (id.to_owned(), provider_status.to_owned());
        let callbacks = self.notices();
        let changed = self
            .run(move |c| {
                let transaction = c.transaction()?;
                let changed = advance(&transaction, &id, status, &provider_status, callbacks)?;
                transaction.commit()?;
                Ok(changed)
            })
            .await?;
        if changed && callbacks.queued {
            self.queued.notify_one();
        }
        Ok(changed)
    }

    /// Stores a verified webhook event and applies its status, in one transaction: the same
    /// event (`event_key`) delivered again, even concurrently, changes nothing the second time.
    /// Without a `status` the event is stored as evidence only and the application is left as
    /// it is.
    pub async fn deliver(
        &self,
        provider: &str,
        event_key: &str,
        provider_ref: &str,
        status: Option<Status>,
        provider_status: &str,
        evidence: Evidence,
    ) -> Result<(Delivery, Option<String>), StoreError> {
        let Evidence {
            verified: body,
            unverified,
        } = evidence;
        let (provider, event_key) = (provider.to_owned(), event_key.to_owned());
        let (provider_ref, provider_status) = (provider_ref.to_owned(), provider_status.to_owned());
        let callbacks = self.notices();
        let answer = self
            .run(move |c| {
                let transaction = c.transaction()?;
                let id: Option<String> = transaction
                    .query_row(
                        "SELECT id FROM applications WHERE provider = ?1 AND provider_ref = ?2",
                        params![provider, provider_ref],
                        |row| row.get(0),
                    )
                    .optional()?;
                let new = transaction.execute(
                    "INSERT OR IGNORE INTO webhook_events
                    (provider, event_key, application_id, body, received_at, unverified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![provider, event_key, id, body, now(), unverified],
                )? == 1;
                let delivery = match (&id, new, status) {
                    (_, false, _) => Delivery::Duplicate,
                    (Some(id), true, Some(status))
                        if advance(&transaction, id, status, &provider_status, callbacks)? =>
                    {
                        Delivery::Changed
                    }
                    _ => Delivery::Unchanged,
                };
                transaction.commit()?;
                Ok((delivery, id))
            })
            .await?;
        if answer.0 == Delivery::Changed && callbacks.queued {
            self.queued.notify_one();
        }
        Ok(answer)
    }

    /// Callbacks due now, oldest first.
    pub async fn due_callbacks(&self, limit: u32) -> Result<Vec<Callback>, StoreError> {
        self.run(move |c| {
            let mut statement = c.prepare(
                "SELECT event_id, body, attempts FROM callbacks
                 WHERE delivered_at IS NULL AND next_attempt_at <= ?1
                 ORDER BY next_attempt_at, rowid LIMIT ?2",
            )?;
            let rows = statement.query_map(params![now(), limit], |row| {
                Ok(Callback {
                    event_id: row.get(0)?,
                    body: row.get(1)?,
                    attempts: row.get(2)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    /// The callbacks not yet delivered, and how many seconds the oldest has waited.
    pub async fn callback_backlog(&self) -> Result<(i64, i64), StoreError> {
        self.run(|c| {
            c.query_row(
                "SELECT COUNT(*), MIN(queued_at) FROM callbacks WHERE delivered_at IS NULL",
                [],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<i64>>(1)?)),
            )
            .map(|(depth, oldest)| (depth, oldest.map_or(0, |at| (now() - at).max(0))))
        })
        .await
    }

    /// Whether the database answers: what `/readyz` asks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }

    /// The seconds until the next undelivered callback is due (0 if one is due now).
    pub async fn next_callback_in(&self) -> Result<Option<i64>, StoreError> {
        self.run(|c| {
            c.query_row(
                "SELECT MIN(next_attempt_at) FROM callbacks WHERE delivered_at IS NULL",
                [],
                |row| row.get::<_, Option<i64>>(0),
            )
            .map(|next| next.map(|at| (at - now()).max(0)))
        })
        .await
    }

    /// Records the outcome of one attempt: delivered, or failed with `error` and tried again
    /// `retry_in` seconds from now.
    pub async fn callback_attempted(
        &self,
        event_id: &str,
        outcome: Result<(), (String, i64)>,
    ) -> Result<(), StoreError> {
        let event_id = event_id.to_owned();
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

    /// A stored event: what was verified, and what was kept apart unverified.
    pub async fn event(
        &self,
        provider: &str,
        event_key: &str,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, StoreError> {
        let (provider, event_key) = (provider.to_owned(), event_key.to_owned());
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

    /// How many events of `provider` are stored (for tests and the load report).
    pub async fn event_count(&self, provider: &str) -> Result<i64, StoreError> {
        let provider = provider.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT COUNT(*) FROM webhook_events WHERE provider = ?1",
                params![provider],
                |row| row.get(0),
            )
        })
        .await
    }
}

const SELECT: &str = "SELECT id, provider, provider_ref, order_id, amount, currency, months,
    status, provider_status, redirect_url, created_at, updated_at, items FROM applications";

fn application_row(row: &rusqlite::Row<'_>) -> Result<Application, rusqlite::Error> {
    let status: String = row.get(7)?;
    Ok(Application {
        id: row.get(0)?,
        provider: row.get(1)?,
        provider_ref: row.get(2)?,
        order_id: row.get(3)?,
        amount: row.get(4)?,
        currency: row.get(5)?,
        months: row.get(6)?,
        status: Status::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                7,
                rusqlite::types::Type::Text,
                format!("unknown status {status:?}").into(),
            )
        })?,
        provider_status: row.get(8)?,
        redirect_url: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        items: serde_json::from_str(&row.get::<_, String>(12)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, e.into())
        })?,
    })
}

/// Whether status changes queue callbacks, and whether they are the sandbox's.
#[derive(Clone, Copy)]
struct Notices {
    queued: bool,
    sandbox: bool,
}

/// Moves an application to `status` if [`TRANSITIONS`] allows it from where it stands, in
/// one statement (so two deliveries cannot both move it); refreshes the provider's word and
/// the time when it cannot move. `true` when the status changed.
fn advance(
    transaction: &rusqlite::Transaction<'_>,
    id: &str,
    status: Status,
    provider_status: &str,
    callbacks: Notices,
) -> Result<bool, rusqlite::Error> {
    // The table's names are static words, so they are written into the statement.
    let from: Vec<String> = status
        .reached_from()
        .map(|from| format!("'{}'", from.as_str()))
        .collect();
    let changed = !from.is_empty()
        && transaction.execute(
            &format!(
                "UPDATE applications SET status = ?2, provider_status = ?3, updated_at = ?4
                 WHERE id = ?1 AND status IN ({})",
                from.join(", ")
            ),
            params![id, status.as_str(), provider_status, now()],
        )? == 1;
    if changed && callbacks.queued {
        let application = transaction.query_row(
            &format!("{SELECT} WHERE id = ?1"),
            params![id],
            application_row,
        )?;
        let event_id = format!("{id}:{}", status.as_str());
        let body = serde_json::json!({
            "event_id": event_id,
            "type": "application.status_changed",
            "sandbox": callbacks.sandbox,
            "application": application,
        })
        .to_string();
        transaction.execute(
            "INSERT OR IGNORE INTO callbacks (event_id, body, next_attempt_at, queued_at)
             VALUES (?1, ?2, ?3, ?3)",
            params![event_id, body, now()],
        )?;
    }
    if !changed {
        transaction.execute(
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
    use super::*;

    fn application(id: &str) -> Application {
        Application {
            id: id.into(),
            provider: "karta_pokupok".into(),
            provider_ref: format!("kp-{id}"),
            order_id: "1001".into(),
            amount: "2438.50".into(),
            currency: "BYN".into(),
            months: 12,
            status: Status::Pending,
            provider_status: "NEW".into(),
            redirect_url: "http://provider/form".into(),
            created_at: now(),
            updated_at: now(),
            items: Vec::new(),
        }
    }

    fn temporary() -> (Store, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "installment-store-{}-{}.sqlite",
            std::process::id(),
            rand::random::<u64>()
        ));
        (Store::open(&path).unwrap(), path)
    }

    /// Each row: the status offered, whether it changes the application, and where it
    /// stands after; in order, as one application's life.
    #[tokio::test]
    async fn status_moves_only_as_the_table_allows() {
        let (store, _) = temporary();
        store.insert(application("a")).await.unwrap();
        let cases = [
            (Status::Pending, false, Status::Pending),
            (Status::Approved, true, Status::Approved),
            (Status::Pending, false, Status::Approved),
            (Status::Rejected, false, Status::Approved),
            (Status::Approved, false, Status::Approved),
            (Status::Cancelled, true, Status::Cancelled),
            (Status::Approved, false, Status::Cancelled),
            (Status::Refunded, false, Status::Cancelled),
            (Status::Pending, false, Status::Cancelled),
        ];
        for (offered, changed, after) in cases {
            assert_eq!(
                store.advance("a", offered, "X").await.unwrap(),
                changed,
                "offering {offered:?}"
            );
            let stored = store.application("a").await.unwrap().unwrap();
            assert_eq!(stored.status, after, "after offering {offered:?}");
        }
        store.insert(application("r")).await.unwrap();
        for status in [Status::Approved, Status::Refunded] {
            assert!(store.advance("r", status, "X").await.unwrap());
        }
        assert!(!store.advance("r", Status::Cancelled, "X").await.unwrap());
    }

    #[test]
    fn the_table_covers_every_status_once() {
        let names: Vec<&str> = TRANSITIONS.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "pending",
                "approved",
                "rejected",
                "cancelled",
                "expired",
                "failed",
                "refunded"
            ]
        );
        assert!(TRANSITIONS.iter().all(|(from, to)| !to.contains(from)));
        assert!(
            TRANSITIONS
                .iter()
                .all(|(_, to)| !to.contains(&Status::Pending))
        );
    }

    #[tokio::test]
    async fn twenty_concurrent_deliveries_change_the_state_once() {
        let (store, path) = temporary();
        store.insert(application("b")).await.unwrap();
        let deliveries = (0..20).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .deliver(
                        "karta_pokupok",
                        "event-1",
                        "kp-b",
                        Some(Status::Approved),
                        "APPROVED",
                        Evidence {
                            verified: b"{}".to_vec(),
                            unverified: None,
                        },
                    )
                    .await
                    .unwrap()
                    .0
            })
        });
        let results = futures::future::join_all(deliveries).await;
        let changed = results
            .iter()
            .filter(|r| *r.as_ref().unwrap() == Delivery::Changed)
            .count();
        let duplicates = results
            .iter()
            .filter(|r| *r.as_ref().unwrap() == Delivery::Duplicate)
            .count();
        assert_eq!((changed, duplicates), (1, 19));
        assert_eq!(store.event_count("karta_pokupok").await.unwrap(), 1);
        // A second connection (another process) sees the committed state in the file.
        let reopened = Store::open(&path).unwrap();
        let stored = reopened.application("b").await.unwrap().unwrap();
        assert_eq!(
            (stored.status, stored.provider_status.as_str()),
            (Status::Approved, "APPROVED")
        );
    }

    #[tokio::test]
    async fn unverified_fields_are_kept_apart_from_the_event() {
        let (store, _) = temporary();
        store
            .deliver(
                "craftgate",
                "PAYMENT:42:SUCCESS",
                "42",
                Some(Status::Approved),
                "SUCCESS",
                Evidence {
                    verified: br#"{"payloadId":42}"#.to_vec(),
                    unverified: Some(br#"{"paidPrice":"1.00"}"#.to_vec()),
                },
            )
            .await
            .unwrap();
        let (verified, unverified) = store
            .event("craftgate", "PAYMENT:42:SUCCESS")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(verified, br#"{"payloadId":42}"#);
        assert_eq!(unverified.as_deref(), Some(&br#"{"paidPrice":"1.00"}"#[..]));
    }

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
        let store = Store::open(&path).unwrap();
        assert_eq!(store.event_count("karta_pokupok").await.unwrap(), 1);
        let (body, unverified) = store.event("karta_pokupok", "e1").await.unwrap().unwrap();
        assert_eq!((body.as_slice(), unverified), (&b"{}"[..], None));
        let old = store.application("app_old").await.unwrap().unwrap();
        assert_eq!((old.status, old.items), (Status::Approved, Vec::new()));
        // Recorded at version 1, so the next start applies only what came after it.
        let versions: Vec<i64> = store
            .run(|c| {
                c.prepare("SELECT version FROM refinery_schema_history")?
                    .query_map([], |row| row.get(0))?
                    .collect()
            })
            .await
            .unwrap();
        assert_eq!(versions, [1]);
        drop(store);
        let again = Store::open(&path).unwrap();
        assert_eq!(again.event_count("karta_pokupok").await.unwrap(), 1);
        assert_eq!(again.callback_backlog().await.unwrap(), (0, 0));
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn an_intent_is_used_once() {
        let (store, _) = temporary();
        assert!(store.claim_intent("1001").await.unwrap());
        assert!(!store.claim_intent("1001").await.unwrap());
        assert!(store.claim_intent("1002").await.unwrap());
        store.release_intent("1001").await.unwrap();
        assert!(
            store.claim_intent("1001").await.unwrap(),
            "usable again once released"
        );
    }
}
