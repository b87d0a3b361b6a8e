//! Applications, webhook events, used intents and the callback queue, behind one interface
//! with two implementations:
//!
//! - [`sqlite`], the embedded default for one instance: a file beside the proxy;
//! - [`postgres`], for many instances behind a load balancer: one database they share.
//!
//! Both keep the same promises, and one test suite (`tests/store.rs`) holds them to it:
//! a webhook is acknowledged only after its event, the state change it causes and the
//! callback it queues are committed in one transaction; events and intents are made
//! idempotent by unique keys; a status moves in one statement that two deliveries cannot
//! both win; callbacks and pending applications are *claimed* for a lease, so two workers
//! never take the same one at the same time, and a worker that dies gives its claims back
//! when the lease runs out.
//!
//! Migrations are versioned (`migrations/<engine>/V<n>__*.sql`) and applied at start by
//! refinery.

mod postgres;
mod sqlite;

use crate::{Secret, intent::IntentItem};
use serde::Serialize;
use std::{
    path::PathBuf,
    sync::{
        Arc,
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

    /// The wire names of the statuses an application may be in to move to `self`.
    fn reached_from(self) -> Vec<&'static str> {
        TRANSITIONS
            .iter()
            .filter(|(_, to)| to.contains(&self))
            .map(|(from, _)| from.as_str())
            .collect()
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

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            elapsed.as_secs().try_into().unwrap_or(i64::MAX)
        })
}

/// Where the store lives (`database`): a SQLite file, or a PostgreSQL URL shared by many
/// instances. The URL may carry a password, so it is kept as a [`Secret`].
#[derive(Debug, Clone)]
pub enum Database {
    /// A SQLite file, created with its directory if missing.
    Sqlite(PathBuf),
    /// `postgres://user:password@host:port/database`.
    Postgres(Secret),
}

impl Database {
    /// A `postgres://` or `postgresql://` URL selects PostgreSQL; anything else is a file.
    ///
    /// ```
    /// use installment_proxy::store::Database;
    /// assert!(matches!(Database::parse("postgres://proxy@db/shop"), Database::Postgres(_)));
    /// assert!(matches!(Database::parse("data/proxy.sqlite"), Database::Sqlite(_)));
    /// ```
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Self::Postgres(Secret::new(text))
        } else {
            Self::Sqlite(PathBuf::from(text))
        }
    }

    /// What a log line may say about it: the file, or the engine without the URL.
    ///
    /// ```
    /// use installment_proxy::store::Database;
    /// assert_eq!(Database::parse("postgres://proxy:pw@db/shop").describe(), "PostgreSQL");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(_) => "PostgreSQL".into(),
        }
    }
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

/// A verified webhook event, as a backend stores it.
struct Webhook {
    provider: String,
    event_key: String,
    provider_ref: String,
    status: Option<Status>,
    provider_status: String,
    evidence: Evidence,
}

/// Whether status changes queue callbacks, and whether they are the sandbox's.
#[derive(Clone, Copy)]
struct Notices {
    queued: bool,
    sandbox: bool,
}

impl Notices {
    /// The callback of `application` having just reached its status: its event id and body.
    fn callback(self, application: &Application) -> (String, String) {
        let event_id = format!("{}:{}", application.id, application.status.as_str());
        let body = serde_json::json!({
            "event_id": event_id,
            "type": "application.status_changed",
            "sandbox": self.sandbox,
            "application": application,
        })
        .to_string();
        (event_id, body)
    }
}

/// One engine's implementation of the store; [`Store`] adds what both share.
#[async_trait::async_trait]
trait Backend: Send + Sync {
    async fn claim_intent(&self, order_id: String) -> Result<bool, StoreError>;
    async fn release_intent(&self, order_id: String) -> Result<(), StoreError>;
    async fn insert(&self, application: Application) -> Result<(), StoreError>;
    async fn application(&self, id: String) -> Result<Option<Application>, StoreError>;
    async fn by_provider_ref(
        &self,
        provider: String,
        provider_ref: String,
    ) -> Result<Option<Application>, StoreError>;
    async fn list(
        &self,
        status: Option<Status>,
        span: (i64, i64),
        limit: u32,
    ) -> Result<Vec<Application>, StoreError>;
    async fn claim_pending(
        &self,
        after: i64,
        lease: i64,
        limit: u32,
    ) -> Result<Vec<Application>, StoreError>;
    async fn advance(
        &self,
        id: String,
        status: Status,
        provider_status: String,
        notices: Notices,
    ) -> Result<bool, StoreError>;
    async fn deliver(
        &self,
        webhook: Webhook,
        notices: Notices,
    ) -> Result<(Delivery, Option<String>), StoreError>;
    async fn claim_callbacks(&self, limit: u32, lease: i64) -> Result<Vec<Callback>, StoreError>;
    async fn callback_attempted(
        &self,
        event_id: String,
        outcome: Result<(), (String, i64)>,
    ) -> Result<(), StoreError>;
    async fn next_callback_at(&self) -> Result<Option<i64>, StoreError>;
    async fn callback_backlog(&self) -> Result<(i64, Option<i64>), StoreError>;
    async fn event(
        &self,
        provider: String,
        event_key: String,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, StoreError>;
    async fn event_count(&self, provider: String) -> Result<i64, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
}

/// The database of applications, webhook events, used intents and queued callbacks.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    shared: bool,
    callbacks: Arc<AtomicBool>,
    sandbox: Arc<AtomicBool>,
    queued: Arc<Notify>,
}

impl Store {
    /// Opens the store `database` names and applies the migrations it lacks.
    pub async fn open(database: &Database) -> Result<Self, StoreError> {
        match database {
            Database::Sqlite(path) => Self::sqlite(path),
            Database::Postgres(url) => Ok(Self::over(
                Arc::new(postgres::Postgres::connect(url.expose()).await?),
                true,
            )),
        }
    }

    /// Opens (creating it and its directory if needed) the SQLite file at `path`.
    pub fn sqlite(path: &std::path::Path) -> Result<Self, StoreError> {
        Ok(Self::over(Arc::new(sqlite::Sqlite::open(path)?), false))
    }

    /// A database in memory: for tests and tools, nothing survives.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self::over(Arc::new(sqlite::Sqlite::in_memory()?), false))
    }

    fn over(backend: Arc<dyn Backend>, shared: bool) -> Self {
        Self {
            backend,
            shared,
            callbacks: Arc::new(AtomicBool::new(false)),
            sandbox: Arc::new(AtomicBool::new(false)),
            queued: Arc::new(Notify::new()),
        }
    }

    /// Whether other instances may share this database (PostgreSQL): their changes and
    /// queued callbacks are not announced in this process, so workers look for them.
    pub fn is_shared(&self) -> bool {
        self.shared
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

    /// Wakes when a callback was queued by this process.
    pub fn callback_queued(&self) -> Arc<Notify> {
        self.queued.clone()
    }

    /// Claims the intent of `order_id` for one attempt; `false` when it is claimed already (by
    /// an application, or by an attempt still asking its provider).
    pub async fn claim_intent(&self, order_id: &str) -> Result<bool, StoreError> {
        self.backend.claim_intent(order_id.to_owned()).await
    }

    /// Gives back the claim of an attempt the provider did not accept (a refusal, a timeout,
    /// a 5xx), so the shopper's order can be tried again.
    pub async fn release_intent(&self, order_id: &str) -> Result<(), StoreError> {
        self.backend.release_intent(order_id.to_owned()).await
    }

    /// Stores a new application.
    pub async fn insert(&self, application: Application) -> Result<(), StoreError> {
        self.backend.insert(application).await
    }

    /// The application with the proxy's `id`.
    pub async fn application(&self, id: &str) -> Result<Option<Application>, StoreError> {
        self.backend.application(id.to_owned()).await
    }

    /// The application the provider knows as `provider_ref`.
    pub async fn by_provider_ref(
        &self,
        provider: &str,
        provider_ref: &str,
    ) -> Result<Option<Application>, StoreError> {
        self.backend
            .by_provider_ref(provider.to_owned(), provider_ref.to_owned())
            .await
    }

    /// Applications created in `[since, until]` (Unix seconds), in `status` if given, oldest
    /// first, at most `limit`: for the merchant's reconciliation.
    pub async fn list(
        &self,
        status: Option<Status>,
        span: (i64, i64),
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        self.backend.list(status, span, limit).await
    }

    /// Claims, oldest first, pending applications due to be asked about again: created at
    /// least `after` seconds ago, and last asked at least `after` seconds ago or a quarter of
    /// their age, whichever is longer, so the asks back off as an application grows old.
    /// A claim holds for `lease` seconds (as long as asking may take) and counts as an ask
    /// made when it ends: no other instance, nor the next round, asks about the application
    /// meanwhile.
    pub async fn claim_pending(
        &self,
        (after, lease): (i64, i64),
        limit: u32,
    ) -> Result<Vec<Application>, StoreError> {
        self.backend.claim_pending(after, lease, limit).await
    }

    /// Records what the provider says now (from a status refresh). The status moves only as
    /// [`TRANSITIONS`] allows; the refresh time is kept either way.
    pub async fn advance(
        &self,
        id: &str,
        status: Status,
        provider_status: &str,
    ) -> Result<bool, StoreError> {
        let notices = self.notices();
        let changed = self
            .backend
            .advance(id.to_owned(), status, provider_status.to_owned(), notices)
            .await?;
        if changed && notices.queued {
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
        let webhook = Webhook {
            provider: provider.to_owned(),
            event_key: event_key.to_owned(),
            provider_ref: provider_ref.to_owned(),
            status,
            provider_status: provider_status.to_owned(),
            evidence,
        };
        let notices = self.notices();
        let answer = self.backend.deliver(webhook, notices).await?;
        if answer.0 == Delivery::Changed && notices.queued {
            self.queued.notify_one();
        }
        Ok(answer)
    }

    /// Claims up to `limit` callbacks due now, oldest first, for `lease` seconds: no other
    /// worker gets them meanwhile, and if this one dies they are due again when it ends.
    pub async fn claim_callbacks(
        &self,
        limit: u32,
        lease: i64,
    ) -> Result<Vec<Callback>, StoreError> {
        self.backend.claim_callbacks(limit, lease).await
    }

    /// Records the outcome of one attempt: delivered, or failed with `error` and tried again
    /// `retry_in` seconds from now.
    pub async fn callback_attempted(
        &self,
        event_id: &str,
        outcome: Result<(), (String, i64)>,
    ) -> Result<(), StoreError> {
        self.backend
            .callback_attempted(event_id.to_owned(), outcome)
            .await
    }

    /// The seconds until the next undelivered callback is due (0 if one is due now).
    pub async fn next_callback_in(&self) -> Result<Option<i64>, StoreError> {
        let next = self.backend.next_callback_at().await?;
        Ok(next.map(|at| (at - now()).max(0)))
    }

    /// The callbacks not yet delivered, and how many seconds the oldest has waited.
    pub async fn callback_backlog(&self) -> Result<(i64, i64), StoreError> {
        let (depth, oldest) = self.backend.callback_backlog().await?;
        Ok((depth, oldest.map_or(0, |at| (now() - at).max(0))))
    }

    /// Whether the database answers: what `/readyz` asks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.backend.ping().await
    }

    /// A stored event: what was verified, and what was kept apart unverified.
    pub async fn event(
        &self,
        provider: &str,
        event_key: &str,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, StoreError> {
        self.backend
            .event(provider.to_owned(), event_key.to_owned())
            .await
    }

    /// How many events of `provider` are stored (for tests and the load report).
    pub async fn event_count(&self, provider: &str) -> Result<i64, StoreError> {
        self.backend.event_count(provider.to_owned()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
