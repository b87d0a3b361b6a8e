//! `GET /metrics` in the Prometheus text format (prometheus-client): requests by route and
//! status, provider calls by outcome with their latency, the caches, webhook verdicts, the
//! reconciler, and the callback queue. Each [`crate::AppState`] has its own registry, so tests
//! read the figures of the app they drive.

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use std::time::Duration;

/// A route and the status it answered.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route's pattern (`/api/v1/applications/{id}`), never a path with ids in it.
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// The status code.
    pub status: u16,
}

/// One kind of call to one provider.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// The provider.
    pub provider: String,
    /// `rules`, `offers`, `bin`, `apply`, `status`.
    pub operation: String,
}

/// How a provider call ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// The provider.
    pub provider: String,
    /// `rules`, `offers`, `bin` ...
    pub operation: String,
    /// `ok`, or the reason (`timeout`, `http_error`, `malformed_response` ...).
    pub outcome: String,
}

/// One cache and how it answered.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    /// `offers`, `rules`, `bins`.
    pub cache: String,
    /// `hit`, `stale` (served while one refresh runs), `miss`, `coalesced` (a miss that
    /// waited for another caller's upstream call instead of making its own).
    pub result: String,
}

/// A webhook's verdict.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    /// The provider that sent it.
    pub provider: String,
    /// `changed`, `unchanged`, `duplicate`, or the refusal's code (`bad_signature` ...).
    pub verdict: String,
}

/// What one reconciler pass did with one application.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReconcileLabels {
    /// `changed`, `unchanged`, `expired`, `failed`.
    pub outcome: String,
}

/// Every figure the proxy keeps.
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status.
    pub requests: Family<RequestLabels, Counter>,
    /// Provider call latency, seconds.
    pub provider_seconds: Family<CallLabels, Histogram>,
    /// Provider calls by outcome.
    pub provider_calls: Family<OutcomeLabels, Counter>,
    /// Cache answers by cache and result.
    pub cache: Family<CacheLabels, Counter>,
    /// Webhooks by provider and verdict.
    pub webhooks: Family<WebhookLabels, Counter>,
    /// Applications the reconciler looked at, by outcome.
    pub reconciled: Family<ReconcileLabels, Counter>,
    /// Callbacks not yet delivered (set when scraped).
    pub callback_queue: Gauge,
    /// Seconds the oldest undelivered callback has waited (set when scraped).
    pub callback_oldest_seconds: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("installment_proxy");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests by route, method and status",
            requests.clone(),
        );
        let provider_seconds = Family::<CallLabels, Histogram>::new_with_constructor(|| {
            // 5 ms to 10 s: the providers' own time, bounded by provider_timeout_ms.
            Histogram::new([
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        registry.register(
            "provider_call_seconds",
            "Provider call latency",
            provider_seconds.clone(),
        );
        let provider_calls = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "provider_calls",
            "Provider calls by outcome",
            provider_calls.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_lookups",
            "Cache answers: hit, stale, miss, coalesced",
            cache.clone(),
        );
        let webhooks = Family::<WebhookLabels, Counter>::default();
        registry.register(
            "webhooks",
            "Webhooks by provider and verdict",
            webhooks.clone(),
        );
        let reconciled = Family::<ReconcileLabels, Counter>::default();
        registry.register(
            "reconciled",
            "Pending applications the reconciler asked about",
            reconciled.clone(),
        );
        let callback_queue = Gauge::default();
        registry.register(
            "callback_queue_depth",
            "Callbacks not yet delivered",
            callback_queue.clone(),
        );
        let callback_oldest_seconds = Gauge::default();
        registry.register(
            "callback_oldest_age_seconds",
            "Seconds the oldest undelivered callback has waited",
            callback_oldest_seconds.clone(),
        );
        Self {
            registry,
            requests,
            provider_seconds,
            provider_calls,
            cache,
            webhooks,
            reconciled,
            callback_queue,
            callback_oldest_seconds,
        }
    }
}

impl Metrics {
    /// Runs one provider call and records how long it took and how it ended.
    pub(crate) async fn timed<T>(
        &self,
        (provider, operation): (crate::ProviderId, &'static str),
        call: impl Future<Output = Result<T, crate::ProviderError>>,
    ) -> Result<T, crate::ProviderError> {
        let started = std::time::Instant::now();
        let answer = call.await;
        let outcome = answer
            .as_ref()
            .map_or_else(crate::ProviderError::reason, |_| "ok");
        self.provider_call(provider.as_str(), operation, started.elapsed(), outcome);
        answer
    }

    /// Records one provider call: its latency and how it ended.
    pub fn provider_call(&self, provider: &str, operation: &str, took: Duration, outcome: &str) {
        let call = CallLabels {
            provider: provider.to_owned(),
            operation: operation.to_owned(),
        };
        self.provider_seconds
            .get_or_create(&call)
            .observe(took.as_secs_f64());
        self.provider_calls
            .get_or_create(&OutcomeLabels {
                provider: call.provider,
                operation: call.operation,
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Counts one cache answer.
    pub fn cache(&self, cache: &str, result: &str) {
        self.cache
            .get_or_create(&CacheLabels {
                cache: cache.to_owned(),
                result: result.to_owned(),
            })
            .inc();
    }

    /// The text exposition, `# EOF` included.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}
