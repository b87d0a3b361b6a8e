//! The store in PostgreSQL, shared by every instance behind a load balancer: a pool of
//! tokio-postgres connections (deadpool). Each change is one transaction at READ COMMITTED;
//! what must not race is a single statement (a conditional `UPDATE`, an `INSERT … ON
//! CONFLICT DO NOTHING`), and claims take rows with `FOR UPDATE SKIP LOCKED`, so two
//! instances never claim the same callback or application.

use super::{Application, Backend, Callback, Delivery, Notices, Status, StoreError, Webhook, now};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::time::Duration;
use tokio_postgres::{NoTls, Row};

mod embedded {
    // Versioned migrations (migrations/postgres/V<n>__*.sql), the same versions as SQLite's.
    refinery::embed_migrations!("migrations/postgres");
}

/// Instances starting together take turns at migrating: refinery does not lock by itself.
const MIGRATION_LOCK: i64 = 0x0069_6e73_7461_6c6c; // "install" in ASCII

/// How long a request waits for a connection, or for a new one, before it fails (and
/// `/readyz` says so).
const POOL_WAIT: Duration = Duration::from_secs(5);

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        // The server's own message says what was wrong; the client's alone says "db error".
        match error.as_db_error() {
            Some(db) => Self(format!("{} ({})", db.message(), db.code().code())),
            None => Self(error.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Self(format!("no database connection: {error}"))
    }
}

/// A pool of connections to one PostgreSQL database.
pub(super) struct Postgres {
    pool: Pool,
}

impl Postgres {
    /// Connects to `url` and applies the migrations the database lacks.
    pub(super) async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError("database is not a valid postgres:// URL".into()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(POOL_WAIT);
        }
        config.application_name("installment-proxy");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .recycle_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| StoreError(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.pool.get().await?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        let client: &mut tokio_postgres::Client = &mut client;
        let migrated = embedded::migrations::runner()
            .run_async(client)
            .await
            .map(|_| ())
            .map_err(|e| StoreError(format!("migrating the database: {e}")));
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await?;
        migrated
    }
}

const COLUMNS: &str = "id, provider, provider_ref, order_id, amount, currency, months,
    status, provider_status, redirect_url, created_at, updated_at, items";

fn application_row(row: &Row) -> Result<Application, StoreError> {
    let status: String = row.try_get(7)?;
    let months: i32 = row.try_get(6)?;
    Ok(Application {
        id: row.try_get(0)?,
        provider: row.try_get(1)?,
        provider_ref: row.try_get(2)?,
        order_id: row.try_get(3)?,
        amount: row.try_get(4)?,
        currency: row.try_get(5)?,
        months: u32::try_from(months).map_err(|_| StoreError(format!("months {months}")))?,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError(format!("unknown status {status:?}")))?,
        provider_status: row.try_get(8)?,
        redirect_url: row.try_get(9)?,
        created_at: row.try_get(10)?,
        updated_at: row.try_get(11)?,
        items: serde_json::from_str(row.try_get(12)?)
            .map_err(|e| StoreError(format!("items: {e}")))?,
    })
}

fn applications(rows: &[Row]) -> Result<Vec<Application>, StoreError> {
    rows.iter().map(application_row).collect()
}

fn limit(limit: u32) -> i64 {
    i64::from(limit)
}

#[async_trait::async_trait]
impl Backend for Postgres {
    async fn claim_intent(&self, order_id: String) -> Result<bool, StoreError> {
        let added = self
            .pool
            .get()
            .await?
            .execute(
                "INSERT INTO used_intents (order_id, used_at) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
                &[&order_id, &now()],
            )
            .await?;
        Ok(added == 1)
    }

    async fn release_intent(&self, order_id: String) -> Result<(), StoreError> {
        self.pool
            .get()
            .await?
            .execute("DELETE FROM used_intents WHERE order_id = $1", &[&order_id])
            .await?;
        Ok(())
    }

    async fn insert(&self, a: Application) -> Result<(), StoreError> {
        let items = serde_json::to_string(&a.items).map_err(|e| StoreError(e.to_string()))?;
        let months = i32::try_from(a.months).map_err(|_| StoreError("months".into()))?;
        self.pool
            .get()
            .await?
            .execute(
                &format!(
                    "INSERT INTO applications ({COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                ),
                &[
                    &a.id,
                    &a.provider,
                    &a.provider_ref,
                    &a.order_id,
                    &a.amount,
                    &a.currency,
                    &months,
                    &a.status.as_str(),
                    &a.provider_status,
                    &a.redirect_url,
                    &a.created_at,
                    &a.updated_at,
                    &items,
                ],
            )
            .await?;
        Ok(())
    }

    async fn application(&self, id: String) -> Result<Option<Application>, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM applications WHERE id = $1"),
                &[&id],
            )
            .await?;
        row.as_ref().map(application_row).transpose()
    }

    async fn by_provider_ref(
        &self,
        provider: String,
        provider_ref: String,
    ) -> Result<Option<Application>, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM applications WHERE provider = $1 AND provider_ref = $2"
                ),
                &[&provider, &provider_ref],
            )
            .await?;
        row.as_ref().map(application_row).transpose()
    }

    async fn list(
        &self,
        status: Option<Status>,
        (since, until): (i64, i64),
        count: u32,
    ) -> Result<Vec<Application>, StoreError> {
        let status = status.map(Status::as_str);
        let rows = self
            .pool
            .get()
            .await?
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM applications
                     WHERE ($1::TEXT IS NULL OR status = $1) AND created_at BETWEEN $2 AND $3
                     ORDER BY created_at, id LIMIT $4"
                ),
                &[&status, &since, &until, &limit(count)],
            )
            .await?;
        applications(&rows)
    }

    async fn claim_pending(
        &self,
        after: i64,
        lease: i64,
        count: u32,
    ) -> Result<Vec<Application>, StoreError> {
        let rows = self
            .pool
            .get()
            .await?
            .query(
                &format!(
                    "UPDATE applications SET asked_at = $1::BIGINT + $4::BIGINT WHERE id IN (
                        SELECT id FROM applications
                        WHERE status = 'pending' AND created_at <= $1::BIGINT - $2::BIGINT
                          AND GREATEST(updated_at, asked_at)
                              <= $1::BIGINT - GREATEST($2::BIGINT, ($1::BIGINT - created_at) / 4)
                        ORDER BY created_at LIMIT $3
                        FOR UPDATE SKIP LOCKED)
                     RETURNING {COLUMNS}"
                ),
                &[&now(), &after, &limit(count), &lease],
            )
            .await?;
        let mut claimed = applications(&rows)?;
        claimed.sort_by_key(|a| a.created_at);
        Ok(claimed)
    }

    async fn advance(
        &self,
        id: String,
        status: Status,
        provider_status: String,
        notices: Notices,
    ) -> Result<bool, StoreError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        let changed = advance(&transaction, &id, status, &provider_status, notices).await?;
        transaction.commit().await?;
        Ok(changed)
    }

    async fn deliver(
        &self,
        w: Webhook,
        notices: Notices,
    ) -> Result<(Delivery, Option<String>), StoreError> {
        let mut client = self.pool.get().await?;
        let t = client.transaction().await?;
        let id: Option<String> = t
            .query_opt(
                "SELECT id FROM applications WHERE provider = $1 AND provider_ref = $2",
                &[&w.provider, &w.provider_ref],
            )
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
        // A concurrent delivery of the same event waits here for the first to commit, then
        // inserts nothing.
        let new = t
            .execute(
                "INSERT INTO webhook_events
                    (provider, event_key, application_id, body, received_at, unverified)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[
                    &w.provider,
                    &w.event_key,
                    &id,
                    &w.evidence.verified,
                    &now(),
                    &w.evidence.unverified,
                ],
            )
            .await?
            == 1;
        let delivery = match (&id, new, w.status) {
            (_, false, _) => Delivery::Duplicate,
            (Some(id), true, Some(status)) => {
                if advance(&t, id, status, &w.provider_status, notices).await? {
                    Delivery::Changed
                } else {
                    Delivery::Unchanged
                }
            }
            _ => Delivery::Unchanged,
        };
        t.commit().await?;
        Ok((delivery, id))
    }

    async fn claim_callbacks(&self, count: u32, lease: i64) -> Result<Vec<Callback>, StoreError> {
        let rows = self
            .pool
            .get()
            .await?
            .query(
                "UPDATE callbacks SET next_attempt_at = $1::BIGINT + $3::BIGINT WHERE event_id IN (
                    SELECT event_id FROM callbacks
                    WHERE delivered_at IS NULL AND next_attempt_at <= $1
                    ORDER BY next_attempt_at, queued_at, event_id LIMIT $2
                    FOR UPDATE SKIP LOCKED)
                 RETURNING event_id, body, attempts, queued_at",
                &[&now(), &limit(count), &lease],
            )
            .await?;
        let mut claimed = rows
            .iter()
            .map(|row| {
                let attempts: i32 = row.try_get(2)?;
                Ok((
                    row.try_get::<_, i64>(3)?,
                    Callback {
                        event_id: row.try_get(0)?,
                        body: row.try_get(1)?,
                        attempts: attempts.try_into().unwrap_or(0),
                    },
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        claimed.sort_by_key(|(queued_at, _)| *queued_at);
        Ok(claimed.into_iter().map(|(_, callback)| callback).collect())
    }

    async fn callback_attempted(
        &self,
        event_id: String,
        outcome: Result<(), (String, i64)>,
    ) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        match outcome {
            Ok(()) => {
                client
                    .execute(
                        "UPDATE callbacks SET delivered_at = $2, attempts = attempts + 1
                         WHERE event_id = $1",
                        &[&event_id, &now()],
                    )
                    .await?
            }
            Err((error, retry_in)) => {
                client
                    .execute(
                        "UPDATE callbacks SET attempts = attempts + 1, last_error = $2,
                            next_attempt_at = $3 WHERE event_id = $1",
                        &[&event_id, &error, &(now() + retry_in)],
                    )
                    .await?
            }
        };
        Ok(())
    }

    async fn next_callback_at(&self) -> Result<Option<i64>, StoreError> {
        let row = self
            .pool
            .get()
            .await?
            .query_one(
                "SELECT MIN(next_attempt_at) FROM callbacks WHERE delivered_at IS NULL",
                &[],
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn callback_backlog(&self) -> Result<(i64, Option<i64>), StoreError> {
        let row = self
            .pool
            .get()
            .await?
            .query_one(
                "SELECT COUNT(*), MIN(queued_at) FROM callbacks WHERE delivered_at IS NULL",
                &[],
            )
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    async fn event(
        &self,
        provider: String,
        event_key: String,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, StoreError> {
        let row = self
            .pool
            .get()
            .await?
            .query_opt(
                "SELECT body, unverified FROM webhook_events WHERE provider = $1 AND event_key = $2",
                &[&provider, &event_key],
            )
            .await?;
        row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .transpose()
    }

    async fn event_count(&self, provider: String) -> Result<i64, StoreError> {
        let row = self
            .pool
            .get()
            .await?
            .query_one(
                "SELECT COUNT(*) FROM webhook_events WHERE provider = $1",
                &[&provider],
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.pool.get().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }
}

/// Moves an application to `status` if [`super::TRANSITIONS`] allows it from where it
/// stands, in one statement (a concurrent one waits for it, then finds the status moved),
/// and queues its callback in the same transaction; refreshes the provider's word and the
/// time when it cannot move. `true` when the status changed.
async fn advance(
    t: &tokio_postgres::Transaction<'_>,
    id: &str,
    status: Status,
    provider_status: &str,
    notices: Notices,
) -> Result<bool, StoreError> {
    let from = status.reached_from();
    let moved = t
        .query_opt(
            &format!(
                "UPDATE applications SET status = $2, provider_status = $3, updated_at = $4
                 WHERE id = $1 AND status = ANY($5) RETURNING {COLUMNS}"
            ),
            &[&id, &status.as_str(), &provider_status, &now(), &from],
        )
        .await?;
    match moved {
        Some(row) => {
            if notices.queued {
                let (event_id, body) = notices.callback(&application_row(&row)?);
                t.execute(
                    "INSERT INTO callbacks (event_id, body, next_attempt_at, queued_at)
                     VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING",
                    &[&event_id, &body, &now()],
                )
                .await?;
            }
            Ok(true)
        }
        None => {
            t.execute(
                "UPDATE applications SET updated_at = $2,
                    provider_status = CASE WHEN status = 'pending' THEN $3 ELSE provider_status END
                 WHERE id = $1",
                &[&id, &now(), &provider_status],
            )
            .await?;
            Ok(false)
        }
    }
}
