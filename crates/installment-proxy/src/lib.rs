//! # installment-proxy
//!
//! The thin server a merchant runs beside the shop. It holds the provider credentials,
//! speaks each provider's protocol byte for byte (Karta Pokupok, KartaPay, FreedomPay, Akinon,
//! Craftgate), and offers the widget one normalized API under `/api/v1/`: rules for badges
//! computed in the browser, exact offers for one amount, BIN lookup. Answers are cached per
//! provider and request, served stale while refreshed, and concurrent misses coalesce.
//!
//! With no configuration it runs in sandbox mode: [`sandbox`] starts a simulator of every
//! provider on loopback and the adapters talk to them over real HTTP.
//!
//! ```no_run
//! # async fn run() -> Result<(), String> {
//! use installment_proxy::{AppState, Config, app};
//! let state = AppState::new(&Config::sandbox()).await?;
//! let router = app(std::sync::Arc::new(state));
//! # let _ = router; Ok(()) }
//! ```
#![cfg(not(target_arch = "wasm32"))]

mod api;
mod applications;
pub mod bins;
mod cache;
mod config;
mod error;
pub mod intent;
pub mod metrics;
pub mod outbox;
pub mod providers;
pub mod reconcile;
pub mod sandbox;
pub mod serve;
pub mod signature;
pub mod store;
mod widget;

pub use api::{AppState, app, providers_from};
pub use cache::SwrCache;
pub use config::{
    AkinonConfig, Config, ConfigError, CraftgateConfig, FreedomPayConfig, KartaPayConfig,
    KartaPokupokConfig, LogFormat, ProvidersConfig, Secret, WebhookScheme,
};
pub use error::AppError;
pub use providers::{
    CardOffer, OfferQuery, Provider, ProviderError, ProviderId, RulesAnswer, parse_xml,
};
