//! Configuration: one TOML file, secrets optionally from the environment, validated whole
//! before the server starts so it never runs half-configured.
//!
//! Every secret key (`token`, `secret_key`, ...) of a provider section may be left out of the
//! file and given as `INSTALLMENT_PROXY_<PROVIDER>_<KEY>` instead, for example
//! `INSTALLMENT_PROXY_CRAFTGATE_SECRET_KEY`. The environment wins over the file.

use crate::providers::ProviderId;
use installment_core::{
    ProviderRules,
    wire::{DisclosureWire, ProviderRulesWire},
};
use serde::Deserialize;
use std::{collections::BTreeMap, fmt, net::SocketAddr, path::PathBuf, time::Duration};

/// A credential: never printed, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    ///
    /// ```
    /// use installment_proxy::Secret;
    /// let token = Secret::new("s3cr3t");
    /// assert_eq!((token.expose(), format!("{token:?}").as_str()), ("s3cr3t", "Secret(***)"));
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for signing or a header; never for a log line (example:
    /// [`Secret::new`]).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A configuration that cannot be used, with the key at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Karta Pokupok: partner headers on every call, HMAC-signed webhooks.
#[derive(Debug, Clone)]
pub struct KartaPokupokConfig {
    /// e.g. `https://api.kartapokupok.by/v1`.
    pub base_url: String,
    /// `X-Partner-Id`.
    pub partner_id: String,
    /// `X-Partner-Token`.
    pub token: Secret,
    /// Key of the webhook `X-Signature`.
    pub webhook_secret: Secret,
}

/// KartaPay: bearer token, JSON.
#[derive(Debug, Clone)]
pub struct KartaPayConfig {
    /// The host of KartaPay's API; the document's paths (`/v1/payments`) follow it.
    pub base_url: String,
    /// Bearer token.
    pub token: Secret,
    /// The gateway a payment is submitted through (`source`: one of
    /// [`crate::providers::KARTAPAY_SOURCES`]; `HOL` by default).
    pub source: String,
    /// `context.locale` of new payments, `ll-CC` (`ru-BY` by default).
    pub locale: String,
    /// Which webhooks are trusted: none unless the merchant says so.
    pub webhooks: WebhookScheme,
}

/// How KartaPay's webhooks are verified. KartaPay's document defines no webhook, so by
/// default none is trusted and the status comes from reading the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookScheme {
    /// `webhooks = "none"`, the default: every webhook call is refused.
    None,
    /// `webhooks = "proxy-hmac-v1"` with `webhook_secret`: this proxy's own scheme,
    /// *unverified* (KartaPay has not published it): `X-KartaPay-Signature: t=…,v1=…`.
    ProxyHmacV1(Secret),
}

/// FreedomPay: `pg_sig`-signed forms, XML answers.
#[derive(Debug, Clone)]
pub struct FreedomPayConfig {
    /// e.g. `https://api.freedompay.kz`.
    pub base_url: String,
    /// `pg_merchant_id`.
    pub merchant_id: String,
    /// Key of `pg_sig`.
    pub secret_key: Secret,
    /// `pg_request_method`: how FreedomPay calls the result URL, `GET`, `POST` (the
    /// default) or `XML`. The proxy takes all three either way.
    pub request_method: String,
}

/// Akinon commerce: the shopper's own session is passed through, nothing is stored.
#[derive(Debug, Clone)]
pub struct AkinonConfig {
    /// The storefront's commerce API root.
    pub base_url: String,
}

/// Craftgate: `x-api-key` and `x-signature` on every call.
#[derive(Debug, Clone)]
pub struct CraftgateConfig {
    /// e.g. `https://api.craftgate.io`.
    pub base_url: String,
    /// `x-api-key`.
    pub api_key: Secret,
    /// Part of every `x-signature`.
    pub secret_key: Secret,
    /// Key of webhook signatures.
    pub webhook_key: Secret,
}

/// Every configured provider; absent ones are simply not offered.
#[derive(Debug, Clone, Default)]
pub struct ProvidersConfig {
    /// `[providers.karta_pokupok]`
    pub karta_pokupok: Option<KartaPokupokConfig>,
    /// `[providers.kartapay]`
    pub kartapay: Option<KartaPayConfig>,
    /// `[providers.freedompay]`
    pub freedompay: Option<FreedomPayConfig>,
    /// `[providers.akinon]`
    pub akinon: Option<AkinonConfig>,
    /// `[providers.craftgate]`
    pub craftgate: Option<CraftgateConfig>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Run the five simulators on loopback and point every provider at them.
    pub sandbox: bool,
    /// Provider credentials (filled in by the sandbox when `sandbox`).
    pub providers: ProvidersConfig,
    /// Conditions per provider, for `/api/v1/rules` and locally computed offers.
    pub rules: BTreeMap<ProviderId, Vec<ProviderRules>>,
    /// The legal lines shoppers see beside each provider's plans (`[disclosures.<provider>]`).
    pub disclosures: Vec<DisclosureWire>,
    /// How the log is written: lines for people, or one JSON object per line.
    pub log_format: LogFormat,
    /// BIN table CSV; `None` for the sample table.
    pub bin_table: Option<PathBuf>,
    /// The demo storefront served at `/`; `None` to serve nothing there.
    pub static_dir: Option<PathBuf>,
    /// The built widget package served at `/widget/`.
    pub widget_dir: Option<PathBuf>,
    /// Origins allowed to call the API from a browser; empty for same-origin only.
    pub cors_origins: Vec<String>,
    /// Reverse proxies (addresses or CIDRs) whose `Forwarded` / `X-Forwarded-For` tell the
    /// client's address; from anyone else those headers are ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Limit of each provider call.
    pub provider_timeout: Duration,
    /// How long a provider answer is fresh.
    pub cache_ttl: Duration,
    /// How long after that a stale answer is still served while it is refreshed.
    pub cache_stale: Duration,
    /// Applications one phone may start an hour (`applications.per_phone_per_hour`).
    pub applications_per_phone: std::num::NonZeroU32,
    /// Applications one client address may start an hour (`applications.per_client_per_hour`).
    pub applications_per_client: std::num::NonZeroU32,
    /// Connection limits of the accept loop (`[server]`).
    pub server: crate::serve::ServerLimits,
    /// Time for a request's whole body to arrive (`server.body_timeout_ms`).
    pub body_timeout: Duration,
    /// When pending applications are asked about again (`[reconcile]`).
    pub reconcile: crate::reconcile::ReconcileSettings,
    /// Sustained API requests per second per client address.
    pub rate_per_second: u32,
    /// Burst allowance per client address.
    pub rate_burst: u32,
    /// Where applications, webhook events and the callback queue live (`database`, or the
    /// environment's `INSTALLMENT_PROXY_DATABASE_URL`): a SQLite file for one instance
    /// (`data/installment-proxy.sqlite`), or a `postgres://` URL that many instances share.
    pub database: crate::store::Database,
    /// Key of the merchant backend's order intents (`intent_key`, or the environment's
    /// `INSTALLMENT_PROXY_INTENT_KEY`); without it only catalog orders are taken.
    pub intent_key: Option<Secret>,
    /// Bearer key of the merchant backend's own routes (list, cancel): `backend_key`, or the
    /// environment's `INSTALLMENT_PROXY_BACKEND_KEY`; without it those routes answer 401.
    pub backend_key: Option<Secret>,
    /// How providers reach this proxy (webhook URLs) and where shoppers return: the
    /// `public_url` key; by default the address it listens on.
    pub public_url: Option<String>,
    /// Where the merchant's backend hears of each status change (`callback_url`, or the
    /// environment's `INSTALLMENT_PROXY_CALLBACK_URL`), with the key its signature is made
    /// with (`callback_key`, `INSTALLMENT_PROXY_CALLBACK_KEY`).
    pub callback: Option<(String, Secret)>,
    /// How long the merchant's backend has to answer one callback (`callback_timeout_ms`);
    /// a worker's claim on a callback lasts twice as long.
    pub callback_timeout: Duration,
}

impl Config {
    /// Sandbox mode with defaults: what `installment-proxy` does with no `--config`.
    ///
    /// ```
    /// let config = installment_proxy::Config::sandbox();
    /// assert!(config.sandbox);
    /// assert_eq!(config.provider_timeout, std::time::Duration::from_secs(2));
    /// ```
    pub fn sandbox() -> Self {
        Self::from_toml_with_env("sandbox = true", |_| None).expect("the defaults are valid")
    }

    /// Reads a TOML file, with secrets from the process environment.
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
        let mut config = Self::from_toml_with_env(&text, |name| std::env::var(name).ok())?;
        // Relative paths in the file are relative to the file.
        let base = path.parent().unwrap_or(std::path::Path::new("."));
        for dir in [
            &mut config.bin_table,
            &mut config.static_dir,
            &mut config.widget_dir,
        ]
        .into_iter()
        .flatten()
        {
            if dir.is_relative() {
                *dir = base.join(&*dir);
            }
        }
        Ok(config)
    }

    /// Parses TOML; `env` looks up `INSTALLMENT_PROXY_*` secrets (injectable for tests).
    ///
    /// ```
    /// use installment_proxy::Config;
    /// let toml = "[providers.craftgate]\nbase_url = \"https://api.craftgate.io\"\napi_key = \"k\"";
    /// let error = Config::from_toml_with_env(toml, |_| None).unwrap_err();
    /// assert!(error.to_string().contains("providers.craftgate.secret_key"));
    /// ```
    pub fn from_toml_with_env(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
        let listen = file
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8080")
            .parse()
            .map_err(|e| ConfigError(format!("listen: {e}")))?;
        // Every number within bounds that make sense, so that no product or sum of settings
        // (a TTL added to an instant, a rate times a burst) can overflow.
        let within = |key: &str, value: u64, (min, max): (u64, u64)| {
            if (min..=max).contains(&value) {
                Ok(value)
            } else {
                Err(ConfigError(format!(
                    "{key} must be from {min} to {max}, not {value}"
                )))
            }
        };
        let providers = file.providers.unwrap_or_default();
        let any_provider = providers.karta_pokupok.is_some()
            || providers.kartapay.is_some()
            || providers.freedompay.is_some()
            || providers.akinon.is_some()
            || providers.craftgate.is_some();
        let sandbox = file.sandbox.unwrap_or(false);
        if sandbox && any_provider {
            return Err(ConfigError(
                "sandbox = true cannot be combined with [providers.*] sections".into(),
            ));
        }
        if !sandbox && !any_provider {
            // Never simulate the providers of a merchant who meant to configure real ones.
            return Err(ConfigError(
                "sandbox: the file configures no [providers.*] section; say `sandbox = true` to \
                 run the simulators"
                    .into(),
            ));
        }
        let cors_origins = file.cors_origins.unwrap_or_default();
        let server = file.server.as_ref();
        let reconcile = file.reconcile.as_ref();
        let applications = file.applications.as_ref();
        let hourly = |key: &str, value: u64| {
            within(key, value, (1, 100_000)).map(|value| {
                std::num::NonZeroU32::new(value as u32).unwrap_or(std::num::NonZeroU32::MIN)
            })
        };
        if let Some(r) = reconcile
            && r.expire_after_secs.unwrap_or(172_800) < r.after_secs.unwrap_or(300)
        {
            return Err(ConfigError(
                "reconcile.expire_after_secs must not be shorter than reconcile.after_secs".into(),
            ));
        }
        if let Some(origin) = cors_origins.iter().find(|origin| !is_origin(origin)) {
            return Err(ConfigError(format!(
                "cors_origins: {origin:?} is not one origin such as \"https://shop.example\" \
                 (\"*\" would let every site create applications)"
            )));
        }
        let section = Section { env: &env };
        let mut rules = crate::sandbox::conditions::default_rules();
        for (name, list) in file.rules.unwrap_or_default() {
            let provider = ProviderId::parse(&name)
                .ok_or_else(|| ConfigError(format!("rules.{name}: unknown provider")))?;
            let parsed = list
                .into_iter()
                .enumerate()
                .map(|(index, wire)| {
                    ProviderRules::try_from(wire)
                        .map_err(|e| ConfigError(format!("rules.{name}[{index}]: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            rules.insert(provider, parsed);
        }
        Ok(Self {
            listen,
            sandbox,
            providers: ProvidersConfig {
                karta_pokupok: providers
                    .karta_pokupok
                    .map(|t| {
                        let p = "karta_pokupok";
                        Ok(KartaPokupokConfig {
                            base_url: section.url(p, &t)?,
                            partner_id: section.required(p, &t, "partner_id")?,
                            token: section.secret(p, &t, "token")?,
                            webhook_secret: section.secret(p, &t, "webhook_secret")?,
                        })
                    })
                    .transpose()?,
                kartapay: providers
                    .kartapay
                    .map(|t| {
                        let p = "kartapay";
                        Ok(KartaPayConfig {
                            base_url: section.url(p, &t)?,
                            token: section.secret(p, &t, "token")?,
                            source: section.source(&t)?,
                            locale: section.locale(&t)?,
                            webhooks: section.kartapay_webhooks(&t)?,
                        })
                    })
                    .transpose()?,
                freedompay: providers
                    .freedompay
                    .map(|t| {
                        let p = "freedompay";
                        Ok(FreedomPayConfig {
                            base_url: section.url(p, &t)?,
                            merchant_id: section.required(p, &t, "merchant_id")?,
                            secret_key: section.secret(p, &t, "secret_key")?,
                            request_method: section.request_method(&t)?,
                        })
                    })
                    .transpose()?,
                akinon: providers
                    .akinon
                    .map(|t| {
                        Ok(AkinonConfig {
                            base_url: section.url("akinon", &t)?,
                        })
                    })
                    .transpose()?,
                craftgate: providers
                    .craftgate
                    .map(|t| {
                        let p = "craftgate";
                        Ok(CraftgateConfig {
                            base_url: section.url(p, &t)?,
                            api_key: section.secret(p, &t, "api_key")?,
                            secret_key: section.secret(p, &t, "secret_key")?,
                            webhook_key: section.secret(p, &t, "webhook_key")?,
                        })
                    })
                    .transpose()?,
            },
            rules,
            disclosures: disclosures(file.disclosures, sandbox)?,
            bin_table: file.bin_table,
            static_dir: file.static_dir,
            widget_dir: file.widget_dir,
            cors_origins,
            trusted_proxies: file
                .trusted_proxies
                .unwrap_or_default()
                .iter()
                .map(|text| {
                    text.parse::<ipnet::IpNet>()
                        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            ConfigError(format!(
                                "trusted_proxies: {text:?} is not an address or a CIDR such as \"10.0.0.0/8\""
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
            provider_timeout: Duration::from_millis(within(
                "provider_timeout_ms",
                file.provider_timeout_ms.unwrap_or(2000),
                (1, 60_000),
            )?),
            cache_ttl: Duration::from_secs(within(
                "cache.ttl_secs",
                file.cache.as_ref().and_then(|c| c.ttl_secs).unwrap_or(60),
                (1, 86_400),
            )?),
            cache_stale: Duration::from_secs(within(
                "cache.stale_secs",
                file.cache
                    .as_ref()
                    .and_then(|c| c.stale_secs)
                    .unwrap_or(600),
                (0, 604_800),
            )?),
            applications_per_phone: hourly(
                "applications.per_phone_per_hour",
                applications.and_then(|a| a.per_phone_per_hour).unwrap_or(5),
            )?,
            applications_per_client: hourly(
                "applications.per_client_per_hour",
                applications.and_then(|a| a.per_client_per_hour).unwrap_or(30),
            )?,
            server: crate::serve::ServerLimits {
                header_read_timeout: Duration::from_millis(within(
                    "server.header_read_timeout_ms",
                    server.and_then(|s| s.header_read_timeout_ms).unwrap_or(10_000),
                    (100, 120_000),
                )?),
                max_connections: within(
                    "server.max_connections",
                    server.and_then(|s| s.max_connections).unwrap_or(4_096),
                    (1, 100_000),
                )? as usize,
                drain: Duration::from_millis(within(
                    "server.shutdown_timeout_ms",
                    server.and_then(|s| s.shutdown_timeout_ms).unwrap_or(10_000),
                    (0, 600_000),
                )?),
            },
            log_format: match file.log_format.as_deref() {
                None | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(ConfigError(format!(
                        "log_format: \"text\" or \"json\", not {other:?}"
                    )));
                }
            },
            reconcile: crate::reconcile::ReconcileSettings {
                after: Duration::from_secs(within(
                    "reconcile.after_secs",
                    reconcile.and_then(|r| r.after_secs).unwrap_or(300),
                    (1, 86_400),
                )?),
                every: Duration::from_secs(within(
                    "reconcile.every_secs",
                    reconcile.and_then(|r| r.every_secs).unwrap_or(60),
                    (1, 3_600),
                )?),
                expire_after: Duration::from_secs(within(
                    "reconcile.expire_after_secs",
                    reconcile.and_then(|r| r.expire_after_secs).unwrap_or(172_800),
                    (1, 2_592_000),
                )?),
            },
            body_timeout: Duration::from_millis(within(
                "server.body_timeout_ms",
                server.and_then(|s| s.body_timeout_ms).unwrap_or(15_000),
                (100, 120_000),
            )?),
            rate_per_second: within(
                "rate_limit.per_second",
                file.rate_limit
                    .as_ref()
                    .and_then(|r| r.per_second)
                    .unwrap_or(20)
                    .into(),
                (1, 1_000_000),
            )? as u32,
            rate_burst: within(
                "rate_limit.burst",
                file.rate_limit
                    .as_ref()
                    .and_then(|r| r.burst)
                    .unwrap_or(100)
                    .into(),
                (1, 1_000_000),
            )? as u32,
            database: crate::store::Database::parse(
                &env("INSTALLMENT_PROXY_DATABASE_URL")
                    .or(file.database)
                    .unwrap_or_else(|| "data/installment-proxy.sqlite".into()),
            ),
            backend_key: env("INSTALLMENT_PROXY_BACKEND_KEY")
                .or(file.backend_key)
                .filter(|key| !key.is_empty())
                .map(Secret::new),
            intent_key: env("INSTALLMENT_PROXY_INTENT_KEY")
                .or(file.intent_key)
                .filter(|key| !key.is_empty())
                .map(Secret::new),
            public_url: file
                .public_url
                .map(|url| url.trim_end_matches('/').to_owned()),
            callback: callback(
                env("INSTALLMENT_PROXY_CALLBACK_URL").or(file.callback_url),
                env("INSTALLMENT_PROXY_CALLBACK_KEY").or(file.callback_key),
            )?,
            callback_timeout: Duration::from_millis(within(
                "callback_timeout_ms",
                file.callback_timeout_ms.unwrap_or(10_000),
                (100, 120_000),
            )?),
        })
    }
}

/// A TOML syntax error by its place and kind only: the line itself may hold a secret, so it
/// is never echoed.
fn syntax_error(text: &str, error: &toml::de::Error) -> ConfigError {
    let place = error.span().map_or_else(String::new, |span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
        format!(" at line {line}, column {column}")
    });
    ConfigError(format!("TOML syntax error{place}: {}", error.message()))
}

/// Whether `text` is one web origin: `https://shop.example` or `http://127.0.0.1:8080`,
/// without a path.
fn is_origin(text: &str) -> bool {
    text.strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
}

/// The file as written; every key optional here, required ones checked in [`Config`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    sandbox: Option<bool>,
    bin_table: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    widget_dir: Option<PathBuf>,
    cors_origins: Option<Vec<String>>,
    trusted_proxies: Option<Vec<String>>,
    provider_timeout_ms: Option<u64>,
    cache: Option<CacheFile>,
    rate_limit: Option<RateLimitFile>,
    server: Option<ServerFile>,
    applications: Option<ApplicationsFile>,
    reconcile: Option<ReconcileFile>,
    providers: Option<ProvidersFile>,
    rules: Option<BTreeMap<String, Vec<ProviderRulesFile>>>,
    disclosures: Option<BTreeMap<String, DisclosureFile>>,
    database: Option<String>,
    intent_key: Option<String>,
    backend_key: Option<String>,
    public_url: Option<String>,
    callback_url: Option<String>,
    callback_key: Option<String>,
    callback_timeout_ms: Option<u64>,
    log_format: Option<String>,
}

/// How the log is written (`log_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Lines for people (the default).
    Text,
    /// One JSON object per line, for a log pipeline.
    Json,
}

/// `[disclosures.<provider>]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureFile {
    lender: String,
    representative_example: Option<String>,
    terms_url: Option<String>,
    subject_to_approval: Option<bool>,
}

/// The merchant's legal lines per provider, checked; in sandbox mode with none configured,
/// sample lines that say they are samples, so the demo shows where they go.
fn disclosures(
    file: Option<BTreeMap<String, DisclosureFile>>,
    sandbox: bool,
) -> Result<Vec<DisclosureWire>, ConfigError> {
    let Some(file) = file else {
        return Ok(if sandbox {
            ProviderId::ALL
                .into_iter()
                .map(|id| DisclosureWire {
                    provider: id.as_str().to_owned(),
                    lender: format!("{} sandbox lender (a sample, not a real lender)", id.display_name()),
                    representative_example: Some(
                        "Sample: the plans above are computed by the sandbox; no credit is offered."
                            .to_owned(),
                    ),
                    terms_url: None,
                    subject_to_approval: true,
                })
                .collect()
        } else {
            Vec::new()
        });
    };
    file.into_iter()
        .map(|(name, lines)| {
            let provider = ProviderId::parse(&name)
                .ok_or_else(|| ConfigError(format!("disclosures.{name}: unknown provider")))?;
            if lines.lender.trim().is_empty() {
                return Err(ConfigError(format!(
                    "disclosures.{name}.lender: the lender's legal name is required"
                )));
            }
            if let Some(url) = &lines.terms_url {
                let web = reqwest::Url::parse(url)
                    .is_ok_and(|parsed| matches!(parsed.scheme(), "http" | "https"));
                if !web {
                    return Err(ConfigError(format!(
                        "disclosures.{name}.terms_url must be an http(s) URL: {url:?}"
                    )));
                }
            }
            Ok(DisclosureWire {
                provider: provider.as_str().to_owned(),
                lender: lines.lender,
                representative_example: lines.representative_example,
                terms_url: lines.terms_url,
                // Unless the merchant says otherwise, credit is subject to approval.
                subject_to_approval: lines.subject_to_approval.unwrap_or(true),
            })
        })
        .collect()
}

/// The merchant callback's URL and key: both or neither.
fn callback(
    url: Option<String>,
    key: Option<String>,
) -> Result<Option<(String, Secret)>, ConfigError> {
    let (url, key) = (url.filter(|u| !u.is_empty()), key.filter(|k| !k.is_empty()));
    match (url, key) {
        (None, None) => Ok(None),
        (Some(url), Some(key)) => match reqwest::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                Ok(Some((url, Secret::new(key))))
            }
            _ => Err(ConfigError(format!(
                "callback_url must be an http(s) URL: {url:?}"
            ))),
        },
        (Some(_), None) => Err(ConfigError(
            "callback_key is missing: callbacks to callback_url are signed with it".into(),
        )),
        (None, Some(_)) => Err(ConfigError(
            "callback_url is missing: callback_key is set but there is nowhere to call".into(),
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheFile {
    ttl_secs: Option<u64>,
    stale_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationsFile {
    per_phone_per_hour: Option<u64>,
    per_client_per_hour: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReconcileFile {
    after_secs: Option<u64>,
    every_secs: Option<u64>,
    expire_after_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerFile {
    header_read_timeout_ms: Option<u64>,
    body_timeout_ms: Option<u64>,
    max_connections: Option<u64>,
    shutdown_timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitFile {
    per_second: Option<u32>,
    burst: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProvidersFile {
    karta_pokupok: Option<SectionFile>,
    kartapay: Option<SectionFile>,
    freedompay: Option<SectionFile>,
    akinon: Option<SectionFile>,
    craftgate: Option<SectionFile>,
}

/// Keys of one provider section; which ones are allowed is checked per provider.
type SectionFile = BTreeMap<String, String>;

/// `[[rules.<provider>]]` entries: the wire shape of `/api/v1/rules`.
type ProviderRulesFile = ProviderRulesWire;

/// Reads one provider section, naming the key at fault.
struct Section<'a, E> {
    env: &'a E,
}

impl<E: Fn(&str) -> Option<String>> Section<'_, E> {
    fn known(&self, provider: &str, table: &SectionFile) -> Result<(), ConfigError> {
        let allowed: &[&str] = match provider {
            "karta_pokupok" => &["base_url", "partner_id", "token", "webhook_secret"],
            "kartapay" => &[
                "base_url",
                "token",
                "source",
                "locale",
                "webhooks",
                "webhook_secret",
            ],
            "freedompay" => &["base_url", "merchant_id", "secret_key", "request_method"],
            "akinon" => &["base_url"],
            _ => &["base_url", "api_key", "secret_key", "webhook_key"],
        };
        match table.keys().find(|key| !allowed.contains(&key.as_str())) {
            Some(key) => Err(ConfigError(format!(
                "providers.{provider}.{key}: unknown key (expected one of {})",
                allowed.join(", ")
            ))),
            None => Ok(()),
        }
    }

    fn required(
        &self,
        provider: &str,
        table: &SectionFile,
        key: &str,
    ) -> Result<String, ConfigError> {
        self.known(provider, table)?;
        let variable = format!(
            "INSTALLMENT_PROXY_{}_{}",
            provider.to_uppercase(),
            key.to_uppercase()
        );
        let value = (self.env)(&variable).or_else(|| table.get(key).cloned());
        match value {
            Some(value) if !value.trim().is_empty() => Ok(value),
            _ => Err(ConfigError(format!(
                "providers.{provider}.{key} is missing (set it in the file or in {variable})"
            ))),
        }
    }

    fn secret(
        &self,
        provider: &str,
        table: &SectionFile,
        key: &str,
    ) -> Result<Secret, ConfigError> {
        self.required(provider, table, key).map(Secret)
    }

    /// KartaPay's `source`, `HOL` when not given.
    fn source(&self, table: &SectionFile) -> Result<String, ConfigError> {
        let source = (self.env)("INSTALLMENT_PROXY_KARTAPAY_SOURCE")
            .or_else(|| table.get("source").cloned())
            .unwrap_or_else(|| "HOL".to_owned());
        if crate::providers::KARTAPAY_SOURCES.contains(&source.as_str()) {
            Ok(source)
        } else {
            Err(ConfigError(format!(
                "providers.kartapay.source must be one of {}: {source:?}",
                crate::providers::KARTAPAY_SOURCES.join(", ")
            )))
        }
    }

    /// FreedomPay's `pg_request_method`, `POST` when not given.
    fn request_method(&self, table: &SectionFile) -> Result<String, ConfigError> {
        let method = (self.env)("INSTALLMENT_PROXY_FREEDOMPAY_REQUEST_METHOD")
            .or_else(|| table.get("request_method").cloned())
            .unwrap_or_else(|| "POST".to_owned());
        if ["GET", "POST", "XML"].contains(&method.as_str()) {
            Ok(method)
        } else {
            Err(ConfigError(format!(
                "providers.freedompay.request_method must be GET, POST or XML: {method:?}"
            )))
        }
    }

    /// KartaPay's `context.locale`: `ll-CC`, as its document's pattern says; `ru-BY` when
    /// not given.
    fn locale(&self, table: &SectionFile) -> Result<String, ConfigError> {
        let locale = (self.env)("INSTALLMENT_PROXY_KARTAPAY_LOCALE")
            .or_else(|| table.get("locale").cloned())
            .unwrap_or_else(|| "ru-BY".to_owned());
        let bytes = locale.as_bytes();
        let well_formed = bytes.len() == 5
            && bytes[..2].iter().all(u8::is_ascii_lowercase)
            && bytes[2] == b'-'
            && bytes[3..].iter().all(u8::is_ascii_uppercase);
        if well_formed {
            Ok(locale)
        } else {
            Err(ConfigError(format!(
                "providers.kartapay.locale must be a language and a country, such as \"ru-BY\": {locale:?}"
            )))
        }
    }

    /// KartaPay's trusted webhooks: `none` unless `webhooks = "proxy-hmac-v1"`, which needs
    /// `webhook_secret`. A secret without the scheme is refused: it would trust nothing, and
    /// a merchant who set it meant something.
    fn kartapay_webhooks(&self, table: &SectionFile) -> Result<WebhookScheme, ConfigError> {
        let p = "kartapay";
        let scheme = (self.env)("INSTALLMENT_PROXY_KARTAPAY_WEBHOOKS")
            .or_else(|| table.get("webhooks").cloned())
            .unwrap_or_else(|| "none".to_owned());
        let secret_given = (self.env)("INSTALLMENT_PROXY_KARTAPAY_WEBHOOK_SECRET").is_some()
            || table.contains_key("webhook_secret");
        match scheme.as_str() {
            "none" if secret_given => Err(ConfigError(
                "providers.kartapay.webhook_secret is set, but KartaPay publishes no webhook scheme: \
                 set webhooks = \"proxy-hmac-v1\" to trust this proxy's own (unverified), or remove the secret"
                    .into(),
            )),
            "none" => Ok(WebhookScheme::None),
            "proxy-hmac-v1" => Ok(WebhookScheme::ProxyHmacV1(
                self.secret(p, table, "webhook_secret")?,
            )),
            other => Err(ConfigError(format!(
                "providers.kartapay.webhooks must be \"none\" or \"proxy-hmac-v1\": {other:?}"
            ))),
        }
    }

    fn url(&self, provider: &str, table: &SectionFile) -> Result<String, ConfigError> {
        let url = self.required(provider, table, "base_url")?;
        let parsed = reqwest::Url::parse(&url)
            .map_err(|e| ConfigError(format!("providers.{provider}.base_url: {e}: {url:?}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(ConfigError(format!(
                "providers.{provider}.base_url must be an http(s) URL with a host: {url:?}"
            )));
        }
        Ok(url.trim_end_matches('/').to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRAFTGATE: &str = r#"
        [providers.craftgate]
        base_url = "https://sandbox-api.craftgate.io/"
        api_key = "api-key"
        secret_key = "from-file"
        webhook_key = "webhook-secret-value"
    "#;

    #[test]
    fn disclosures_are_the_merchants_lines_checked_per_provider() {
        let toml = r#"
            sandbox = true
            [disclosures.karta_pokupok]
            lender = "OAO Bank Dabrabyt"
            representative_example = "1 200,00 Br over 12 months: 0 %, total 1 200,00 Br"
            terms_url = "https://example.by/terms"
        "#;
        let config = Config::from_toml_with_env(toml, |_| None).unwrap();
        assert_eq!(config.disclosures.len(), 1);
        let lines = &config.disclosures[0];
        assert_eq!(
            (lines.provider.as_str(), lines.lender.as_str()),
            ("karta_pokupok", "OAO Bank Dabrabyt")
        );
        assert!(
            lines.subject_to_approval,
            "unless the merchant says otherwise"
        );
        for (toml, named) in [
            (
                "sandbox = true\n[disclosures.nobody]\nlender = \"x\"",
                "disclosures.nobody",
            ),
            (
                "sandbox = true\n[disclosures.kartapay]\nlender = \" \"",
                "disclosures.kartapay.lender",
            ),
            (
                "sandbox = true\n[disclosures.kartapay]\nlender = \"x\"\nterms_url = \"javascript:alert(1)\"",
                "disclosures.kartapay.terms_url",
            ),
            (
                "sandbox = true\n[disclosures.kartapay]\nlendr = \"x\"",
                "lendr",
            ),
        ] {
            let error = Config::from_toml_with_env(toml, |_| None).unwrap_err();
            assert!(error.to_string().contains(named), "{error}");
        }
        // The sandbox shows where the lines go, with samples that say so.
        let sandbox = Config::sandbox();
        assert_eq!(sandbox.disclosures.len(), 5);
        assert!(sandbox.disclosures[0].lender.contains("sample"));
    }

    #[test]
    fn the_sandbox_is_asked_for_never_fallen_into() {
        let asked = "sandbox = true\nlisten = \"0.0.0.0:9000\"";
        let config = Config::from_toml_with_env(asked, |_| None).unwrap();
        assert!(config.sandbox);
        assert_eq!(config.listen.port(), 9000);
        for silent in ["listen = \"0.0.0.0:9000\"", "sandbox = false", ""] {
            let error = Config::from_toml_with_env(silent, |_| None).unwrap_err();
            assert!(
                error.to_string().contains("sandbox = true"),
                "{silent:?}: {error}"
            );
        }
    }

    #[test]
    fn a_syntax_error_never_echoes_its_line() {
        let toml = "[providers.kartapay]\nbase_url = \"https://k.example\"\ntoken = \"sup3r-s3cret\nwebhook_secret = \"w\"";
        let error = Config::from_toml_with_env(toml, |_| None)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("sup3r"), "{error}");
        assert!(error.contains("line 3"), "{error}");
    }

    #[test]
    fn a_provider_section_means_live_and_the_environment_wins() {
        let env = |name: &str| {
            (name == "INSTALLMENT_PROXY_CRAFTGATE_SECRET_KEY").then(|| "from-env".to_owned())
        };
        let config = Config::from_toml_with_env(CRAFTGATE, env).unwrap();
        assert!(!config.sandbox);
        let craftgate = config.providers.craftgate.unwrap();
        assert_eq!(craftgate.secret_key.expose(), "from-env");
        assert_eq!(craftgate.base_url, "https://sandbox-api.craftgate.io");
        assert_eq!(format!("{:?}", craftgate.api_key), "Secret(***)");
    }

    #[test]
    fn bad_configuration_names_the_key() {
        let cases = [
            (CRAFTGATE.replace("api_key = \"api-key\"", ""), "providers.craftgate.api_key"),
            (CRAFTGATE.replace("api_key", "apikey"), "providers.craftgate.apikey"),
            (CRAFTGATE.replace("https://sandbox-api.craftgate.io/", "ftp://x"), "base_url"),
            ("listen = \"nowhere\"".into(), "listen"),
            ("sandbox = true\nprovider_timeout_ms = 0".into(), "provider_timeout_ms"),
            ("colour = \"blue\"".into(), "colour"),
            ("sandbox = true\ncors_origins = [\"*\"]".into(), "cors_origins"),
            ("sandbox = true\ntrusted_proxies = [\"10.0.0.0/33\"]".into(), "trusted_proxies"),
            ("sandbox = true\n[server]\nmax_connections = 0".into(), "server.max_connections"),
            (
                "sandbox = true\n[reconcile]\nafter_secs = 600\nexpire_after_secs = 60".into(),
                "reconcile.expire_after_secs",
            ),
            (
                "sandbox = true\n[server]\nheader_read_timeout_ms = 99999999999".into(),
                "server.header_read_timeout_ms",
            ),
            (
                "sandbox = true\ncors_origins = [\"https://shop.example/path\"]".into(),
                "cors_origins",
            ),
            ("sandbox = true\n[cache]\nttl_secs = 100000000000".into(), "cache.ttl_secs"),
            ("sandbox = true\n[cache]\nstale_secs = 18446744073709551615".into(), "cache.stale_secs"),
            ("sandbox = true\nprovider_timeout_ms = 99999999999".into(), "provider_timeout_ms"),
            ("[providers.paypal]\nbase_url = \"https://x\"".into(), "paypal"),
            (format!("sandbox = true\n{CRAFTGATE}"), "sandbox"),
            (
                "sandbox = true\n[[rules.karta_pokupok]]\nprovider = \"karta_pokupok\"\ndisplay_name = \"KP\"\ncurrency = \"BYN\"\nmin_amount = \"500\"\nmax_amount = \"50\"\nbands = []\nrounding = \"up\"".into(),
                "rules.karta_pokupok[0]",
            ),
        ];
        for (toml, key) in cases {
            let error = Config::from_toml_with_env(&toml, |_| None).unwrap_err();
            assert!(error.to_string().contains(key), "{key}: {error}");
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let config = Config::from_toml_with_env(CRAFTGATE, |_| None).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("from-file") && !printed.contains("webhook-secret-value"));
    }
}
