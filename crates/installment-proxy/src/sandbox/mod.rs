//! Sandbox simulators: one real HTTP server per provider on loopback, speaking its wire
//! protocol, checking credentials and signatures as the provider does, answering with
//! realistic Belarusian, Kazakh and Turkish data. The adapters talk to them over HTTP, so the
//! sandbox runs the same code paths as production.

mod akinon;
mod checkout;
pub mod conditions;
pub mod contract;
mod craftgate;
mod freedompay;
mod karta_pokupok;
mod kartapay;

use crate::{
    config::{
        AkinonConfig, CraftgateConfig, FreedomPayConfig, KartaPayConfig, KartaPokupokConfig,
        ProvidersConfig, Secret, WebhookScheme,
    },
    providers::ProviderId,
};
use axum::{extract::Request, middleware::Next};
use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

/// Sandbox credentials; they open nothing but the simulators.
pub mod credentials {
    /// Karta Pokupok `X-Partner-Id`.
    pub const KP_PARTNER_ID: &str = "sandbox-partner";
    /// Karta Pokupok `X-Partner-Token`.
    pub const KP_TOKEN: &str = "sandbox-kp-token";
    /// Karta Pokupok webhook key.
    pub const KP_WEBHOOK_SECRET: &str = "sandbox-kp-webhook";
    /// KartaPay bearer token.
    pub const KARTAPAY_TOKEN: &str = "sandbox-kartapay-token";
    /// KartaPay webhook key, for a proxy that turns on its own (unverified) scheme.
    pub const KARTAPAY_WEBHOOK_SECRET: &str = "sandbox-kartapay-webhook";
    /// FreedomPay `pg_merchant_id`.
    pub const FREEDOMPAY_MERCHANT_ID: &str = "545084";
    /// FreedomPay `pg_sig` key.
    pub const FREEDOMPAY_SECRET: &str = "sandbox-freedompay-secret";
    /// Craftgate `x-api-key`.
    pub const CRAFTGATE_API_KEY: &str = "sandbox-craftgate-api-key";
    /// Craftgate secret key.
    pub const CRAFTGATE_SECRET: &str = "sandbox-craftgate-secret";
    /// Craftgate webhook key.
    pub const CRAFTGATE_WEBHOOK_KEY: &str = "sandbox-craftgate-webhook";
}

/// KartaPay's published OpenAPI document, which its simulator enforces.
pub const KARTAPAY_DOCUMENT: &str = kartapay::DOCUMENT;

/// Requests each simulator has answered: how the load report counts upstream calls.
#[derive(Debug, Default)]
pub struct Calls(BTreeMap<ProviderId, AtomicU64>);

impl Calls {
    fn new() -> Self {
        Self(
            ProviderId::ALL
                .into_iter()
                .map(|id| (id, AtomicU64::new(0)))
                .collect(),
        )
    }

    /// Calls `provider`'s simulator has received.
    pub fn get(&self, provider: ProviderId) -> u64 {
        self.0[&provider].load(Ordering::Relaxed)
    }

    /// Every provider's count.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.0
            .iter()
            .map(|(id, count)| (id.as_str(), count.load(Ordering::Relaxed)))
            .collect()
    }
}

/// The running simulators and the configuration that points the adapters at them.
pub struct Sandbox {
    /// Credentials and base URLs of every simulator.
    pub providers: ProvidersConfig,
    /// Requests received per simulator.
    pub calls: Arc<Calls>,
    /// Each simulator's address.
    pub addresses: BTreeMap<ProviderId, SocketAddr>,
}

impl Sandbox {
    /// Starts the five simulators on loopback ports chosen by the system.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{ProviderId, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// assert!(sandbox.providers.craftgate.unwrap().base_url.starts_with("http://127.0.0.1:"));
    /// assert_eq!(sandbox.calls.get(ProviderId::Craftgate), 0);
    /// # Ok::<(), std::io::Error>(()) }).unwrap();
    /// ```
    pub async fn start() -> std::io::Result<Self> {
        use credentials::*;
        let calls = Arc::new(Calls::new());
        let mut addresses = BTreeMap::new();
        for id in ProviderId::ALL {
            let router = match id {
                ProviderId::KartaPokupok => karta_pokupok::router(),
                ProviderId::KartaPay => kartapay::router(),
                ProviderId::FreedomPay => freedompay::router(),
                ProviderId::Akinon => akinon::router(),
                ProviderId::Craftgate => craftgate::router(),
            };
            let counter = calls.clone();
            let router = router.layer(axum::middleware::from_fn(
                move |request: Request, next: Next| {
                    let counter = counter.clone();
                    async move {
                        counter.0[&id].fetch_add(1, Ordering::Relaxed);
                        next.run(request).await
                    }
                },
            ));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            addresses.insert(id, listener.local_addr()?);
            tokio::spawn(async move {
                // A simulator that stops takes only the sandbox down, never the proxy.
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, provider = %id, "sandbox simulator stopped");
                }
            });
        }
        let url = |id: ProviderId| format!("http://{}", addresses[&id]);
        let providers = ProvidersConfig {
            karta_pokupok: Some(KartaPokupokConfig {
                base_url: format!("{}/v1", url(ProviderId::KartaPokupok)),
                partner_id: KP_PARTNER_ID.to_owned(),
                token: Secret::new(KP_TOKEN),
                webhook_secret: Secret::new(KP_WEBHOOK_SECRET),
            }),
            kartapay: Some(KartaPayConfig {
                base_url: url(ProviderId::KartaPay),
                token: Secret::new(KARTAPAY_TOKEN),
                source: "HOL".to_owned(),
                locale: "ru-BY".to_owned(),
                // As in production: KartaPay publishes no webhook, so none is trusted.
                webhooks: WebhookScheme::None,
            }),
            freedompay: Some(FreedomPayConfig {
                base_url: url(ProviderId::FreedomPay),
                merchant_id: FREEDOMPAY_MERCHANT_ID.to_owned(),
                secret_key: Secret::new(FREEDOMPAY_SECRET),
                request_method: "POST".to_owned(),
            }),
            akinon: Some(AkinonConfig {
                base_url: url(ProviderId::Akinon),
            }),
            craftgate: Some(CraftgateConfig {
                base_url: url(ProviderId::Craftgate),
                api_key: Secret::new(CRAFTGATE_API_KEY),
                secret_key: Secret::new(CRAFTGATE_SECRET),
                webhook_key: Secret::new(CRAFTGATE_WEBHOOK_KEY),
            }),
        };
        Ok(Self {
            providers,
            calls,
            addresses,
        })
    }
}

/// Counts and logs nothing secret: the simulators see credentials, the log does not.
pub(crate) fn json_error(
    status: axum::http::StatusCode,
    body: serde_json::Value,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (status, axum::Json(body)).into_response()
}
