//! Delivers the queued callbacks to the merchant's backend: each status change once, signed,
//! retried with backoff until the backend answers 2xx. The queue is a table in the same
//! database as the change ([`crate::store`]), so a restart resumes where the last run stopped.
//!
//! A callback is a `POST` of JSON:
//! `{"event_id": "<application>:<status>", "type": "application.status_changed", "application": {...}}`
//! with `X-Installment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! ([`crate::signature::timestamped_signature`]) under the configured `callback_key`. The same
//! `event_id` may arrive twice (a 2xx lost on the way back), so the backend deduplicates by it.

use crate::{Secret, signature::timestamped_signature, store};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Longest pause between two attempts of one callback.
const MAX_BACKOFF_SECS: i64 = 600;
/// Callbacks one worker claims, and attempts concurrently, per round.
const CLAIMED_AT_ONCE: u32 = 32;
/// How often a worker on a shared database looks for callbacks other instances queued (or
/// left behind when they died): their queueing is not announced in this process.
const SHARED_POLL: Duration = Duration::from_secs(1);

/// Seconds before attempt number `attempts + 1`: 1, 2, 4 … up to ten minutes.
///
/// ```
/// use installment_proxy::outbox::backoff_secs;
/// assert_eq!([1, 2, 3, 4].map(backoff_secs), [1, 2, 4, 8]);
/// assert_eq!(backoff_secs(40), 600);
/// ```
pub fn backoff_secs(attempts: u32) -> i64 {
    1_i64
        .checked_shl(attempts.saturating_sub(1))
        .filter(|&secs| secs > 0)
        .map_or(MAX_BACKOFF_SECS, |secs| secs.min(MAX_BACKOFF_SECS))
}

/// How long a worker's claim on a callback lasts, for attempts of at most `timeout`: twice
/// as long, so the attempt has ended (answered or timed out) before another worker may take
/// the callback; a worker that died mid-attempt gives it back when the lease runs out.
///
/// ```
/// use installment_proxy::outbox::lease_secs;
/// use std::time::Duration;
/// assert_eq!(lease_secs(Duration::from_secs(10)), 20);
/// assert_eq!(lease_secs(Duration::from_millis(1_200)), 3);
/// ```
pub fn lease_secs(timeout: Duration) -> i64 {
    i64::try_from(timeout.as_millis().saturating_mul(2).div_ceil(1000)).unwrap_or(i64::MAX)
}

/// Runs the delivery loop on the current tokio runtime until `stop` is cancelled: callbacks
/// are posted to `url`, signed with `key`, each attempt given `timeout`. Once stopped it
/// claims nothing more, and the task ends when the attempts already begun have.
pub fn spawn(
    store: store::Store,
    (url, key): (String, Secret),
    timeout: Duration,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let lease = lease_secs(timeout);
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client with static settings builds");
    tokio::spawn(async move {
        let queued = store.callback_queued();
        while !stop.is_cancelled() {
            match store.claim_callbacks(CLAIMED_AT_ONCE, lease).await {
                // All at once: each attempt must end within the lease it was claimed for.
                // Not cut short by a stop: the attempts begun are what shutdown waits for.
                Ok(claimed) => {
                    futures::future::join_all(
                        claimed
                            .iter()
                            .map(|callback| deliver(&store, &client, (&url, &key), callback)),
                    )
                    .await;
                }
                Err(error) => tracing::error!(%error, "cannot read the callback queue"),
            }
            // Sleep until the next one is due, or a new one is queued.
            let mut wait = match store.next_callback_in().await {
                Ok(Some(secs)) => Duration::from_secs(secs.clamp(0, MAX_BACKOFF_SECS) as u64),
                _ => Duration::from_secs(MAX_BACKOFF_SECS as u64),
            };
            if store.is_shared() {
                wait = wait.min(SHARED_POLL);
            }
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::timeout(wait, queued.notified()) => {}
                    () = stop.cancelled() => {}
                }
            }
        }
    })
}

/// One attempt at `callback`, recorded: delivered, or due again after a backoff.
async fn deliver(
    store: &store::Store,
    client: &reqwest::Client,
    (url, key): (&str, &Secret),
    callback: &store::Callback,
) {
    let outcome = attempt(client, url, key, &callback.body).await;
    if let Err(error) = &outcome {
        tracing::warn!(event = %callback.event_id, attempt = callback.attempts + 1, %error, "merchant callback failed");
    }
    let outcome = outcome.map_err(|error| (error, backoff_secs(callback.attempts + 1)));
    if let Err(error) = store.callback_attempted(&callback.event_id, outcome).await {
        tracing::error!(%error, "cannot record a callback attempt");
    }
}

/// One signed `POST`; `Err` names why it did not count as delivered.
async fn attempt(
    client: &reqwest::Client,
    url: &str,
    key: &Secret,
    body: &str,
) -> Result<(), String> {
    let signature = timestamped_signature(key.expose().as_bytes(), store::now(), body.as_bytes());
    let response = client
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Installment-Signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .map_err(|error| error.without_url().to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", response.status().as_u16()))
    }
}
