//! The reconciler: a webhook can be lost, and a shopper may never come back to the return
//! page, so every application still pending after `after` is asked about again, at intervals
//! that grow with its age, a few at a time, until its provider settles it. One still pending
//! after `expire_after` is expired, and the merchant hears of it like of any other change.

use crate::{AppState, applications::refresh, store::Status};
use futures::StreamExt;
use std::{sync::Arc, time::Duration};

/// When and how often pending applications are asked about (`[reconcile]`).
#[derive(Debug, Clone, Copy)]
pub struct ReconcileSettings {
    /// Age before an application is first asked about, and the shortest interval after.
    pub after: Duration,
    /// How often the reconciler looks for applications due.
    pub every: Duration,
    /// Age at which a still-pending application is given up as expired.
    pub expire_after: Duration,
}

/// Provider calls in flight at once.
const CONCURRENCY: usize = 4;
/// Applications looked at per round.
const BATCH: u32 = 100;

/// Runs the reconciler until the state winds down ([`AppState::wind_down`]). A round cut
/// off by the exit loses nothing: its claims run out, and another round asks again.
pub fn spawn(state: Arc<AppState>, settings: ReconcileSettings) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(settings.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = state.stopping.cancelled() => return,
            }
            if let Err(error) = round(&state, settings).await {
                tracing::warn!(%error, "reconciler round failed");
            }
        }
    });
}

/// One round: every application due, a few at a time.
async fn round(
    state: &AppState,
    settings: ReconcileSettings,
) -> Result<(), crate::store::StoreError> {
    let after = i64::try_from(settings.after.as_secs()).unwrap_or(i64::MAX);
    let expire_after = i64::try_from(settings.expire_after.as_secs()).unwrap_or(i64::MAX);
    // Claimed for as long as two provider calls may take (the status, then the expiry), so
    // another instance's round leaves these alone meanwhile.
    let lease = i64::try_from(state.timeout.as_secs().saturating_mul(2) + 1).unwrap_or(i64::MAX);
    let due = state.store.claim_pending((after, lease), BATCH).await?;
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENCY, |application| async move {
            let asked = refresh(state, &application).await;
            let too_old = crate::store::now() - application.created_at >= expire_after;
            let still_pending = matches!(
                state.store.application(&application.id).await,
                Ok(Some(now)) if now.status == Status::Pending
            );
            let expire = too_old && still_pending;
            let changed = matches!(asked, Ok(true));
            let outcome = match (asked, expire) {
                (Err(error), _) => Err(error),
                (Ok(_), true) => state
                    .store
                    .advance(&application.id, Status::Expired, "")
                    .await
                    .map(|_| ()),
                (Ok(_), false) => Ok(()),
            };
            let counted = match (&outcome, expire, changed) {
                (Err(error), _, _) => {
                    tracing::warn!(application = %application.id, %error, "reconciling failed");
                    "failed"
                }
                (Ok(()), true, _) => "expired",
                (Ok(()), false, true) => "changed",
                (Ok(()), false, false) => "unchanged",
            };
            let labels = crate::metrics::ReconcileLabels {
                outcome: counted.to_owned(),
            };
            state.metrics.reconciled.get_or_create(&labels).inc();
        })
        .await;
    Ok(())
}
