//! The accept loop, with the limits `axum::serve` does not set: a connection must send its
//! request head within `header_read_timeout` (also while idle between keep-alive requests),
//! and at most `max_connections` are open at once. A client that opens connections and sends
//! half a request line is cut off, and cannot starve `/healthz` or the shoppers.

use axum::{Router, extract::ConnectInfo};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::{future::Future, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::Semaphore};

/// The server's own limits, from `[server]` in the configuration.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Time for a request head to arrive, and for the next on an idle keep-alive connection.
    pub header_read_timeout: Duration,
    /// Connections open at once; the next waits in the listen queue until one closes.
    pub max_connections: usize,
    /// On SIGTERM, how long the requests in flight may take to finish.
    pub drain: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes; each request carries its peer
/// address as `ConnectInfo`, as `axum::serve` gives it. Then it stops accepting, lets the
/// requests in flight finish (idle keep-alive connections close at once) and returns when
/// they have, or after `limits.drain` at the latest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let accept = async {
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let router = router.clone();
            let service = tower::service_fn(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                tower::ServiceExt::oneshot(router.clone(), request)
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(%error, %peer, "connection ended");
                }
                drop(slot);
            });
        }
    };
    tokio::select! {
        () = accept => {}
        () = shutdown => {}
    }
    // Closed now, so new connections are refused while the old ones finish.
    drop(listener);
    tracing::info!("shutting down: no new connections, finishing the requests in flight");
    if tokio::time::timeout(limits.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(deadline = ?limits.drain, "requests still in flight at the deadline");
    }
}

/// Completes on SIGTERM (what orchestrators send) or Ctrl-C.
pub async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
