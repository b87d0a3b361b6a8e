//! The normalized API under `/api/v1/`, the health check, the demo and the widget.

use crate::{
    AppError, Config,
    cache::SwrCache,
    providers::{
        Akinon, CardOffer, Craftgate, FreedomPay, KartaPay, KartaPokupok, OfferQuery, Provider,
        ProviderError, ProviderId, RulesAnswer, ShopperSession,
    },
    sandbox::Calls,
};
use axum::{
    Json, Router,
    extract::{ConnectInfo, Path, RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use installment_core::{
    BinRange, BinTable, Currency, Money, Plan, detect_card,
    wire::{
        BinRangeWire, CardFamilyWire, CardOfferWire, CardWire, FromPlanWire, OffersDocument,
        PlanWire, ProviderOffersWire, ProviderRulesWire, RulesDocument, TermMarkupWire,
        UnavailableWire,
    },
};
use sha2::{Digest, Sha256};
use std::{
    collections::BTreeMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// The Content-Security-Policy of the demo pages: the widget needs no inline code or styles.
const DEMO_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

/// Everything the handlers share.
pub struct AppState {
    pub(crate) providers: Vec<Arc<dyn Provider>>,
    bins: BinTable,
    offers: SwrCache<(ProviderId, String), Vec<CardOffer>>,
    rules: SwrCache<(ProviderId, &'static str), RulesAnswer>,
    remote_bins: SwrCache<(ProviderId, String), Option<BinRange>>,
    pub(crate) timeout: Duration,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    pub(crate) cors_origins: Vec<String>,
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// Applications (and so SMS codes) one phone, and one client address, may start an hour.
    pub(crate) per_phone: DefaultKeyedRateLimiter<[u8; 32]>,
    pub(crate) per_client: DefaultKeyedRateLimiter<IpAddr>,
    body_timeout: Duration,
    static_dir: Option<std::path::PathBuf>,
    widget_dir: Option<std::path::PathBuf>,
    sandbox_calls: Option<Arc<Calls>>,
    pub(crate) store: crate::store::Store,
    pub(crate) intent_key: Option<crate::Secret>,
    pub(crate) backend_key: Option<crate::Secret>,
    pub(crate) public_url: String,
    pub(crate) catalog: crate::applications::Catalog,
    disclosures: Vec<installment_core::wire::DisclosureWire>,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    /// Cancelled on shutdown: the background loops take on no new work.
    pub(crate) stopping: tokio_util::sync::CancellationToken,
    /// The outbox worker, awaited on shutdown so the attempts it began can finish.
    outbox: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl AppState {
    /// Builds the adapters from `config` (starting the simulators in sandbox mode) and loads
    /// the BIN table. Fails, naming the problem, rather than start half-configured.
    pub async fn new(config: &Config) -> Result<Self, String> {
        let mut config = config.clone();
        let mut calls = None;
        if config.sandbox {
            let sandbox = crate::sandbox::Sandbox::start()
                .await
                .map_err(|e| format!("sandbox: cannot start the simulators: {e}"))?;
            config.providers = sandbox.providers;
            calls = Some(sandbox.calls);
        }
        let bins = crate::bins::load(config.bin_table.as_deref())?;
        let mut state = Self::with_providers(&config, providers_from(&config), bins);
        state.store = crate::store::Store::open(&config.database)
            .await
            .map_err(|e| format!("database {}: {e}", config.database.describe()))?;
        if config.sandbox {
            state.catalog = crate::applications::Catalog::sandbox();
            state.store.mark_sandbox();
        }
        if let Some((url, key)) = &config.callback {
            state.store.queue_callbacks();
            let worker = crate::outbox::spawn(
                state.store.clone(),
                (url.clone(), key.clone()),
                config.callback_timeout,
                state.stopping.clone(),
            );
            state.outbox = std::sync::Mutex::new(Some(worker));
        }
        state.sandbox_calls = calls;
        Ok(state)
    }

    /// State over given adapters (tests use this to add failing providers).
    pub fn with_providers(
        config: &Config,
        providers: Vec<Arc<dyn Provider>>,
        bins: BinTable,
    ) -> Self {
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let per_second = NonZeroU32::new(config.rate_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.rate_burst).unwrap_or(NonZeroU32::MIN);
        Self {
            providers,
            bins,
            offers: SwrCache::new(config.cache_ttl, config.cache_stale, 50_000)
                .counted("offers", metrics.clone()),
            rules: SwrCache::new(config.cache_ttl, config.cache_stale, 1_000)
                .counted("rules", metrics.clone()),
            remote_bins: SwrCache::new(config.cache_ttl * 60, config.cache_stale, 50_000)
                .counted("bins", metrics.clone()),
            timeout: config.provider_timeout,
            limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            cors_origins: config.cors_origins.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            per_phone: RateLimiter::keyed(Quota::per_hour(config.applications_per_phone)),
            per_client: RateLimiter::keyed(Quota::per_hour(config.applications_per_client)),
            body_timeout: config.body_timeout,
            static_dir: config.static_dir.clone(),
            widget_dir: config.widget_dir.clone(),
            sandbox_calls: None,
            // Tests and tools get a database in memory; `new` opens the configured file.
            store: crate::store::Store::in_memory().expect("an in-memory database opens"),
            intent_key: config.intent_key.clone(),
            backend_key: config.backend_key.clone(),
            public_url: config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.listen)),
            catalog: crate::applications::Catalog::default(),
            disclosures: config.disclosures.clone(),
            metrics,
            stopping: tokio_util::sync::CancellationToken::new(),
            outbox: std::sync::Mutex::new(None),
        }
    }

    /// Winds the background work down for a shutdown: the reconciler and the outbox take
    /// on nothing new, and the callback attempts already begun finish (each is bounded by
    /// `callback_timeout_ms`). Returns when they have, or after `deadline`; an attempt cut
    /// off then keeps its claim, and is made again by another instance once the lease ends,
    /// or by the next start.
    pub async fn wind_down(&self, deadline: Duration) {
        self.stopping.cancel();
        let worker = self
            .outbox
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(worker) = worker
            && tokio::time::timeout(deadline, worker).await.is_err()
        {
            tracing::warn!(?deadline, "callbacks still in flight at the deadline");
        }
    }

    /// Requests each simulator has received, in sandbox mode.
    pub fn sandbox_calls(&self) -> Option<&Arc<Calls>> {
        self.sandbox_calls.as_ref()
    }
}

/// One adapter per configured provider.
pub fn providers_from(config: &Config) -> Vec<Arc<dyn Provider>> {
    let timeout = config.provider_timeout;
    let rules = |id| config.rules.get(&id).cloned().unwrap_or_default();
    let p = &config.providers;
    let mut providers: Vec<Arc<dyn Provider>> = Vec::new();
    if let Some(c) = &p.karta_pokupok {
        let rules = rules(ProviderId::KartaPokupok);
        providers.push(Arc::new(KartaPokupok::new(c.clone(), rules, timeout)));
    }
    if let Some(c) = &p.kartapay {
        providers.push(Arc::new(KartaPay::new(
            c.clone(),
            rules(ProviderId::KartaPay),
            timeout,
        )));
    }
    if let Some(c) = &p.freedompay {
        let rules = rules(ProviderId::FreedomPay);
        providers.push(Arc::new(FreedomPay::new(c.clone(), rules, timeout)));
    }
    if let Some(c) = &p.akinon {
        providers.push(Arc::new(Akinon::new(c.clone(), timeout)));
    }
    if let Some(c) = &p.craftgate {
        providers.push(Arc::new(Craftgate::new(c.clone(), timeout)));
    }
    providers
}

/// Counts each request by its route's pattern, method and status.
async fn count_request(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state
        .metrics
        .requests
        .get_or_create(&crate::metrics::RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `GET /metrics`: every figure in the Prometheus text format, the callback queue read now.
async fn metrics(State(state): State<Arc<AppState>>) -> Result<Response, AppError> {
    let (depth, oldest) = state
        .store
        .callback_backlog()
        .await
        .map_err(|e| crate::applications::store_failed(&e))?;
    state.metrics.callback_queue.set(depth);
    state.metrics.callback_oldest_seconds.set(oldest);
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response())
}

/// `GET /readyz`: 200 while the database answers, 503 `database_unavailable` otherwise, so
/// a load balancer sends no shopper to an instance that cannot keep applications.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            AppError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "database_unavailable",
                message: "the database does not answer".into(),
            }
            .into_response()
        }
    }
}

/// The whole service: API, health check, demo storefront at `/`, widget at `/widget/`.
pub fn app(state: Arc<AppState>) -> Router {
    let mut api = Router::new()
        .route("/rules", get(rules))
        .route("/offers", get(offers))
        .route("/bins/{bin}", get(bin))
        .route("/openapi.json", get(openapi))
        .route(
            "/applications",
            post(crate::applications::create).get(crate::applications::list),
        )
        .route("/applications/{id}", get(crate::applications::status))
        .route(
            "/applications/{id}/cancel",
            post(crate::applications::cancel),
        );
    if state.sandbox_calls.is_some() {
        api = api.route("/sandbox/calls", get(sandbox_calls));
    }
    let api = api
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        // Added after the shoppers' limit: providers' webhooks are authenticated by their
        // signatures, and a busy shop's shoppers must not crowd out a provider's notice.
        .route(
            "/webhooks/{provider}",
            post(crate::applications::webhook).get(crate::applications::webhook_by_get),
        )
        .fallback(|| async { AppError::not_found("not_found", "no such API route") })
        // A body that trickles in is cut off rather than holding a connection and a task.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.body_timeout,
        ))
        .layer(cors(&state.cors_origins));
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .nest("/api/v1", api)
        // Counted by the route's pattern, so ids never become labels.
        .route_layer(middleware::from_fn_with_state(state.clone(), count_request))
        .with_state(state.clone());
    if let Some(dir) = &state.widget_dir {
        let files: Arc<std::path::Path> = Arc::from(dir.as_path());
        let widget = tower::ServiceBuilder::new()
            .layer(middleware::from_fn(move |request, next| {
                crate::widget::cache_by_name(files.clone(), request, next)
            }))
            // `scripts/build-package` writes each file's brotli and gzip beside it, at the
            // best ratio once, rather than the quick one a request could afford.
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip());
        router = router.nest_service("/widget", widget);
    }
    if let Some(dir) = &state.static_dir {
        router = router.fallback_service(ServeDir::new(dir));
    }
    router
        // Brotli or gzip for whoever accepts it, with `Vary: Accept-Encoding`; what is
        // already encoded (the widget's precompressed files) passes as it is.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEMO_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Paths and statuses only: queries may hold BINs, headers may hold sessions.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([header::IF_NONE_MATCH, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(3600))
}

/// The address a request comes from: the peer's, or, when the peer is a trusted reverse
/// proxy, the nearest address in its `Forwarded` (else `X-Forwarded-For`) chain that is not
/// itself a trusted proxy. Headers from any other peer are ignored: anyone can write them.
pub(crate) fn client_address(
    request: &axum::http::request::Parts,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let peer = request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    forwarded_chain(&request.headers)
        .into_iter()
        .rev()
        .find(|address| !is_trusted(address))
        .unwrap_or(peer)
}

/// The addresses a request was forwarded for, nearest last: RFC 7239 `Forwarded: for=…`
/// when present, else `X-Forwarded-For`. Entries that are not addresses (`unknown`,
/// obfuscated names) are left out.
fn forwarded_chain(headers: &axum::http::HeaderMap) -> Vec<IpAddr> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let forwarded: Vec<IpAddr> = values(header::FORWARDED)
        .iter()
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for")
                    .then(|| node_address(value))?
            })
        })
        .collect();
    if headers.contains_key(header::FORWARDED) {
        return forwarded;
    }
    values(axum::http::HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|value| node_address(value))
        .collect()
}

/// `192.0.2.60`, `"192.0.2.60:4711"`, `"[2001:db8::1]:8080"` or `2001:db8::1` as an address.
fn node_address(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse() {
        return Some(address);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.parse::<SocketAddr>().ok().map(|socket| socket.ip())
}

/// Keys a limiter holds before it forgets the idle ones.
pub(crate) const MAX_LIMITER_KEYS: usize = 100_000;

/// Keeps a keyed limiter's memory bounded: past `max` keys, those whose allowance is fully
/// replenished are forgotten (they are indistinguishable from new ones), so what stays is
/// the clients seen within one replenishing window.
pub(crate) fn forget_idle_keys<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    max: usize,
) {
    if limiter.len() > max {
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }
}

async fn rate_limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let client = client_address(&parts, &state.trusted_proxies);
    let request = Request::from_parts(parts, body);
    forget_idle_keys(&state.limiter, MAX_LIMITER_KEYS);
    if state.limiter.check_key(&client).is_err() {
        return AppError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate_limited",
            message: "too many requests from this address; retry in a second".into(),
        }
        .into_response();
    }
    next.run(request).await
}

async fn healthz(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "mode": if state.sandbox_calls.is_some() { "sandbox" } else { "live" },
        "providers": state.providers.iter().map(|p| p.id().as_str()).collect::<Vec<_>>(),
    }))
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn sandbox_calls(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let calls = state.sandbox_calls.as_ref().map(|c| c.snapshot());
    Json(serde_json::json!(calls))
}

/// Query parameters by name; unknown or repeated ones are refused by name.
fn parameters(raw: Option<String>, allowed: &[&str]) -> Result<BTreeMap<String, String>, AppError> {
    let mut found = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if !allowed.contains(&&*key) {
            return Err(AppError::bad_request(
                "unknown_parameter",
                format!(
                    "unknown query parameter {key:?}; expected {}",
                    allowed.join(", ")
                ),
            ));
        }
        if found.insert(key.to_string(), value.into_owned()).is_some() {
            return Err(AppError::bad_request(
                "duplicate_parameter",
                format!("query parameter {key:?} given twice"),
            ));
        }
    }
    Ok(found)
}

fn currency_parameter(parameters: &BTreeMap<String, String>) -> Result<Currency, AppError> {
    let code = parameters.get("currency").ok_or_else(|| {
        AppError::bad_request(
            "missing_parameter",
            "currency is required, e.g. currency=BYN",
        )
    })?;
    Currency::from_code(code).map_err(|e| AppError::field("currency", &e))
}

/// A BIN of 6 to 8 digits; more digits are part of a card number and are refused.
fn bin_parameter(bin: &str) -> Result<String, AppError> {
    let digits = bin.bytes().filter(u8::is_ascii_digit).count();
    if digits > 8 {
        return Err(AppError::bad_request(
            "card_number_refused",
            "bin: more than 8 digits is part of a card number, which must never be sent; \
             send only the first 6 to 8 digits",
        ));
    }
    BinRange::span(bin).map_err(|e| AppError::field("bin", &e))?;
    Ok(bin.to_owned())
}

fn providers_parameter(
    parameters: &BTreeMap<String, String>,
) -> Result<Option<Vec<ProviderId>>, AppError> {
    parameters
        .get("provider")
        .map(|list| {
            list.split(',')
                .map(|name| {
                    ProviderId::parse(name.trim()).ok_or_else(|| {
                        AppError::bad_request(
                            "unknown_provider",
                            format!(
                                "provider {name:?} is unknown; expected one of {}",
                                ProviderId::ALL.map(ProviderId::as_str).join(", ")
                            ),
                        )
                    })
                })
                .collect()
        })
        .transpose()
}

impl AppState {
    fn selected(&self, wanted: Option<&[ProviderId]>) -> Vec<Arc<dyn Provider>> {
        self.providers
            .iter()
            .filter(|p| wanted.is_none_or(|w| w.contains(&p.id())))
            .cloned()
            .collect()
    }

    /// A provider call bounded by the configured timeout, its latency and outcome counted.
    async fn bounded<T>(
        metrics: Arc<crate::metrics::Metrics>,
        (provider, operation): (ProviderId, &'static str),
        timeout: Duration,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        let call = async move {
            tokio::time::timeout(timeout, call)
                .await
                .unwrap_or(Err(ProviderError::Timeout))
        };
        metrics.timed((provider, operation), call).await
    }

    async fn provider_rules(
        &self,
        provider: Arc<dyn Provider>,
        currency: Currency,
    ) -> Result<RulesAnswer, ProviderError> {
        let (timeout, metrics, call) =
            (self.timeout, self.metrics.clone(), (provider.id(), "rules"));
        if !provider.offers_are_remote() {
            return Self::bounded(metrics, call, timeout, provider.rules(currency)).await;
        }
        self.rules
            .get_or_fetch((provider.id(), currency.code()), move || async move {
                Self::bounded(metrics, call, timeout, provider.rules(currency)).await
            })
            .await
    }

    async fn provider_offers(
        &self,
        provider: Arc<dyn Provider>,
        query: Arc<OfferQuery>,
    ) -> Result<Vec<CardOffer>, ProviderError> {
        let (timeout, metrics, call) = (
            self.timeout,
            self.metrics.clone(),
            (provider.id(), "offers"),
        );
        match query.cache_key(provider.offer_inputs()) {
            Some(key) if provider.offers_are_remote() => {
                self.offers
                    .get_or_fetch((provider.id(), key), move || async move {
                        Self::bounded(metrics, call, timeout, provider.offers(&query)).await
                    })
                    .await
            }
            _ => Self::bounded(metrics, call, timeout, provider.offers(&query)).await,
        }
    }

    /// The card behind a BIN: the local table first, then any provider that knows BINs.
    async fn card_of(&self, bin: &str) -> (Option<BinRange>, &'static str) {
        if let Ok(Some(range)) = self.bins.lookup(bin) {
            return (Some(range), "table");
        }
        for provider in self.providers.iter().filter(|p| p.looks_up_bins()) {
            let (provider, timeout) = (provider.clone(), self.timeout);
            let (metrics, call) = (self.metrics.clone(), (provider.id(), "bin"));
            let owned = bin.to_owned();
            let found = self
                .remote_bins
                .get_or_fetch((provider.id(), bin.to_owned()), move || async move {
                    Self::bounded(metrics, call, timeout, provider.bin(&owned)).await
                })
                .await;
            match found {
                Ok(Some(range)) => return (Some(range), "provider"),
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "BIN lookup failed"),
            }
        }
        (None, "none")
    }
}

/// A provider that did not answer, and why (details stay in the log).
fn unavailable(id: ProviderId, error: &ProviderError) -> UnavailableWire {
    tracing::warn!(provider = %id, %error, "provider unavailable");
    UnavailableWire {
        provider: id.as_str().to_owned(),
        reason: error.reason().to_owned(),
        message: format!(
            "{} did not answer usably ({})",
            id.display_name(),
            error.reason()
        ),
    }
}

async fn rules(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let parameters = parameters(raw, &["currency", "provider"])?;
    let currency = currency_parameter(&parameters)?;
    let wanted = providers_parameter(&parameters)?;
    let selected = state.selected(wanted.as_deref());
    let answers = futures::future::join_all(
        selected
            .iter()
            .map(|p| state.provider_rules(p.clone(), currency)),
    )
    .await;
    let mut response = RulesDocument {
        currency,
        providers: Vec::new(),
        offers_only: Vec::new(),
        unavailable: Vec::new(),
        // The legal lines of the providers asked for.
        disclosures: state
            .disclosures
            .iter()
            .filter(|d| selected.iter().any(|p| p.id().as_str() == d.provider))
            .cloned()
            .collect(),
    };
    for (provider, answer) in selected.iter().zip(answers) {
        match answer {
            Ok(answer) if answer.rules.is_empty() && provider.id() == ProviderId::Akinon => {
                response.offers_only.push(provider.id().as_str().to_owned());
            }
            Ok(answer) => {
                for rules in &answer.rules {
                    response.providers.push(ProviderRulesWire {
                        card_families: answer
                            .families
                            .iter()
                            .map(|f| CardFamilyWire {
                                family: f.family.clone(),
                                association: f.association,
                                bank: f.bank.clone(),
                                markups: f.markups.iter().map(TermMarkupWire::from).collect(),
                            })
                            .collect(),
                        ..ProviderRulesWire::from(rules)
                    });
                }
            }
            Err(error) => response
                .unavailable
                .push(unavailable(provider.id(), &error)),
        }
    }
    let body = serde_json::to_vec(&response).map_err(|e| AppError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "internal",
        message: e.to_string(),
    })?;
    // Weak: the same document is sent as identity, gzip or brotli (the compression layer
    // encodes it after this), and a strong tag would claim those bytes are one.
    let etag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
    // A partial answer is not cached by browsers: the missing provider may be back soon.
    let cache_control = if response.unavailable.is_empty() {
        "public, max-age=60, stale-while-revalidate=600"
    } else {
        "no-store"
    };
    let mut answer = if none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let headers = answer.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    Ok(answer)
}

/// Whether the request's `If-None-Match` names `etag`, so a 304 answers it.
pub(crate) fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| weakly_equal(tag.trim(), etag)))
}

/// `If-None-Match` compares weakly (RFC 9110 §13.1.2): `W/"x"` and `"x"` match, `*` matches
/// anything.
fn weakly_equal(given: &str, ours: &str) -> bool {
    given == "*" || given.trim_start_matches("W/") == ours.trim_start_matches("W/")
}

/// The range's scheme, or the one the prefix alone tells when no table knows the BIN.
fn card_wire(bin: String, range: Option<&BinRange>) -> CardWire {
    CardWire {
        association: range
            .map(|r| r.association)
            .or_else(|| detect_card(&bin).ok().flatten().map(|c| c.association)),
        range: range.map(BinRangeWire::from),
        bin,
    }
}

/// Whether an offer fits the shopper's card: card-agnostic offers always do.
fn fits(offer: &CardOffer, card: &BinRange) -> bool {
    card.accepts(offer.family.as_deref(), offer.association)
}

fn shopper_session(headers: &HeaderMap) -> Option<ShopperSession> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    Some(ShopperSession {
        cookie: header("X-Akinon-Session")?.to_owned(),
        csrf_token: header("X-Akinon-Csrf-Token")?.to_owned(),
        pre_order: header("X-Akinon-Scope") == Some("pre_order"),
    })
}

async fn offers(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let parameters = parameters(
        raw,
        &[
            "amount", "currency", "category", "bin", "product", "provider",
        ],
    )?;
    let currency = currency_parameter(&parameters)?;
    let amount_text = parameters.get("amount").ok_or_else(|| {
        AppError::bad_request(
            "missing_parameter",
            "amount is required, e.g. amount=299.90",
        )
    })?;
    let amount = Money::parse(amount_text, currency).map_err(|e| AppError::field("amount", &e))?;
    if amount.minor() == 0 {
        return Err(AppError::bad_request(
            "amount_out_of_range",
            "amount: must be greater than zero",
        ));
    }
    let bin = parameters
        .get("bin")
        .map(|b| bin_parameter(b))
        .transpose()?;
    let category = parameters.get("category").cloned();
    if let Some(category) = &category {
        let valid = (1..=64).contains(&category.len())
            && category
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
        if !valid {
            return Err(AppError::bad_request(
                "invalid_category",
                "category: 1 to 64 letters, digits, '_', '-' or '.'",
            ));
        }
    }
    let product = parameters.get("product").cloned();
    if let Some(product) = &product
        && !((1..=20).contains(&product.len()) && product.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(AppError::bad_request(
            "invalid_product",
            "product: the shop's numeric product id",
        ));
    }
    let wanted = providers_parameter(&parameters)?;
    let card = match &bin {
        Some(bin) => Some((bin.clone(), state.card_of(bin).await.0)),
        None => None,
    };
    let query = Arc::new(OfferQuery {
        amount,
        category,
        bin: bin.clone(),
        product,
        session: shopper_session(&headers),
    });
    let selected = state.selected(wanted.as_deref());
    let answers = futures::future::join_all(
        selected
            .iter()
            .map(|p| state.provider_offers(p.clone(), query.clone())),
    )
    .await;
    let mut providers = Vec::new();
    let mut unavailable_list = Vec::new();
    for (provider, answer) in selected.iter().zip(answers) {
        let id = provider.id();
        match answer {
            Ok(cards) => {
                let cards: Vec<CardOffer> = cards
                    .into_iter()
                    .filter(|offer| match &card {
                        Some((_, Some(range))) => fits(offer, range),
                        _ => true,
                    })
                    .collect();
                if !cards.is_empty() {
                    providers.push((id, cards));
                }
            }
            Err(error) => unavailable_list.push(unavailable(id, &error)),
        }
    }
    let from = providers
        .iter()
        .flat_map(|(id, cards)| {
            cards
                .iter()
                .flat_map(move |c| c.plans.iter().map(move |p| (*id, c, p)))
        })
        .min_by_key(|(_, _, plan): &(ProviderId, &CardOffer, &Plan)| {
            (plan.monthly().minor(), plan.total().minor(), plan.months())
        })
        .map(|(id, card, plan)| FromPlanWire {
            provider: id.as_str().to_owned(),
            display_name: id.display_name().to_owned(),
            family: card.family.clone(),
            months: plan.months(),
            monthly: plan.monthly().to_string(),
            total: plan.total().to_string(),
        });
    let response = OffersDocument {
        amount: amount.to_string(),
        currency,
        card: card.map(|(bin, range)| card_wire(bin, range.as_ref())),
        providers: providers
            .into_iter()
            .map(|(id, cards)| ProviderOffersWire {
                provider: id.as_str().to_owned(),
                display_name: id.display_name().to_owned(),
                cards: cards
                    .iter()
                    .map(|c| CardOfferWire {
                        association: c.association,
                        family: c.family.clone(),
                        bank: c.bank.clone(),
                        card_type: c.card_type,
                        plans: c.plans.iter().map(PlanWire::from).collect(),
                    })
                    .collect(),
            })
            .collect(),
        from,
        unavailable: unavailable_list,
    };
    let mut answer = Json(response).into_response();
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=30"),
    );
    Ok(answer)
}

async fn bin(
    State(state): State<Arc<AppState>>,
    Path(bin): Path<String>,
) -> Result<Response, AppError> {
    let bin = bin_parameter(&bin)?;
    let (range, _source) = state.card_of(&bin).await;
    let mut answer = Json(card_wire(bin, range.as_ref())).into_response();
    // The table changes with a restart at most: the browser keeps each prefix's answer for
    // an hour, on top of the page's own memory of it.
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limiter_forgets_idle_keys_past_its_bound() {
        let quota = Quota::per_second(NonZeroU32::new(1_000).unwrap());
        let limiter: DefaultKeyedRateLimiter<u32> = RateLimiter::keyed(quota);
        for key in 0..50 {
            assert!(limiter.check_key(&key).is_ok());
        }
        forget_idle_keys(&limiter, 100);
        assert_eq!(limiter.len(), 50, "under the bound, nothing is forgotten");
        // A millisecond replenishes a request's allowance at 1 000 a second.
        std::thread::sleep(std::time::Duration::from_millis(5));
        forget_idle_keys(&limiter, 10);
        assert!(limiter.len() <= 10, "{} keys kept", limiter.len());
    }
}
