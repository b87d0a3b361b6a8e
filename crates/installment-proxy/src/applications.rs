//! `POST /api/v1/applications`, `GET /api/v1/applications/{id}` and
//! `POST /api/v1/webhooks/{provider}`: the purchase after the badge.
//!
//! The amount never comes from the browser: an order is either a list of SKUs the proxy
//! prices from its catalog, or an intent the merchant's backend signed ([`crate::intent`]).
//! Webhooks are verified as each provider signs them and stored with the state change they
//! cause before they are acknowledged ([`crate::store`]).

use crate::{
    AppError, AppState,
    intent::{IntentError, IntentItem, OrderIntent, PricedItem, PricedOrder},
    providers::{ApplicationRequest, Provider, ProviderId, ReportedAmount, WebhookError},
    store::{self, Application, Evidence, Status},
};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use installment_core::{Currency, Money};
use serde::Deserialize;
use sha2::Digest;
use std::{collections::BTreeMap, sync::Arc};

/// A stored pending status older than this is asked of the provider again.
const STALE_AFTER_SECS: i64 = 5;
/// The same, for a provider whose webhooks are not trusted: reading the payment is the only
/// way to learn of its outcome, so the shopper's return page asks it at once.
const STALE_UNNOTIFIED_AFTER_SECS: i64 = 0;

/// What the proxy sells, by SKU: the prices catalog orders are charged at.
#[derive(Debug, Clone, Default)]
pub struct Catalog(BTreeMap<String, CatalogEntry>);

/// A product of the catalog.
#[derive(Debug, Clone)]
struct CatalogEntry {
    name: String,
    price: Money,
    category: Option<String>,
}

impl Catalog {
    /// The demo storefront's products: `www/checkout.html` in BYN, `www/kz.html` in KZT.
    pub fn sandbox() -> Self {
        let items = [
            (
                "neman-14",
                "Ноутбук Neman 14, 16 ГБ",
                234_900,
                "BYN",
                "electronics",
            ),
            (
                "laptop-bag",
                "Сумка для ноутбука",
                8_950,
                "BYN",
                "accessories",
            ),
            ("sofa-oslo", "Диван Oslo", 129_990, "BYN", "furniture"),
            ("kettle", "Чайник электрический", 8_990, "BYN", "appliances"),
            ("coffee", "Кофе в зёрнах, 1 кг", 6_990, "BYN", "food"),
            (
                "alatau",
                "Тоңазытқыш «Алатау»",
                38_999_000,
                "KZT",
                "appliances",
            ),
            (
                "dala-29",
                "Велосипед «Дала» 29″",
                15_450_000,
                "KZT",
                "sport",
            ),
            ("shai", "Шай жиынтығы", 890_000, "KZT", "kitchen"),
        ];
        Self(
            items
                .into_iter()
                .map(|(sku, name, minor, code, category)| {
                    let currency = Currency::from_code(code).expect("an ISO code");
                    let entry = CatalogEntry {
                        name: name.to_owned(),
                        price: Money::from_minor(minor, currency),
                        category: Some(category.to_owned()),
                    };
                    (sku.to_owned(), entry)
                })
                .collect(),
        )
    }

    fn price(&self, lines: &[CatalogLine]) -> Result<PricedOrder, AppError> {
        if lines.is_empty() {
            return Err(AppError::bad_request(
                "invalid_order",
                "items: at least one item",
            ));
        }
        let mut items = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let Some(entry) = self.0.get(&line.sku) else {
                return Err(AppError::bad_request(
                    "unknown_sku",
                    format!("items[{index}].sku: {:?} is not in the catalog", line.sku),
                ));
            };
            if line.quantity == 0 || line.quantity > 1000 {
                return Err(AppError::bad_request(
                    "invalid_order",
                    format!("items[{index}].quantity must be 1 to 1000"),
                ));
            }
            items.push(PricedItem {
                sku: line.sku.clone(),
                name: entry.name.clone(),
                quantity: line.quantity,
                price: entry.price,
                category: entry.category.clone(),
            });
        }
        let currency = items[0].price.currency();
        if items.iter().any(|item| item.price.currency() != currency) {
            return Err(AppError::bad_request(
                "invalid_order",
                "items: every item must be priced in one currency",
            ));
        }
        let amount = crate::intent::order_total(&items, currency)
            .map_err(|e| AppError::bad_request("amount_out_of_range", e))?;
        Ok(PricedOrder {
            order_id: format!("web-{:012x}", rand::random::<u64>() >> 16),
            amount,
            items,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogLine {
    sku: String,
    quantity: u32,
}

/// The body of `POST /api/v1/applications`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewApplication {
    provider: String,
    months: u32,
    /// A catalog order: SKUs and quantities the proxy prices itself.
    #[serde(default)]
    items: Option<Vec<CatalogLine>>,
    /// Or an order the merchant's backend signed.
    #[serde(default)]
    intent: Option<OrderIntent>,
    customer: Customer,
    /// Paths on the shop (`/return.html?...`): absolute URLs are refused, so an application
    /// cannot send a shopper elsewhere.
    success_path: String,
    fail_path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Customer {
    phone: String,
    #[serde(default)]
    email: String,
    /// Given and family name: asked only where the provider requires them
    /// ([`ProviderId::asks_for_payer`]).
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
}

/// The shopper's e-mail and names, trimmed, where `provider` requires them; each missing
/// one is named. Elsewhere they pass as given (an e-mail is optional).
fn customer_identity(provider: ProviderId, customer: &mut Customer) -> Result<(), AppError> {
    for field in [
        &mut customer.email,
        &mut customer.first_name,
        &mut customer.last_name,
    ] {
        *field = field.trim().to_owned();
    }
    if !provider.asks_for_payer() {
        return Ok(());
    }
    let email = &customer.email;
    let email_ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    let missing: Vec<&str> = [
        ("customer.email", email_ok),
        ("customer.first_name", !customer.first_name.is_empty()),
        ("customer.last_name", !customer.last_name.is_empty()),
    ]
    .into_iter()
    .filter_map(|(name, ok)| (!ok).then_some(name))
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "invalid_customer",
            format!("{}: {provider} requires them", missing.join(", ")),
        ))
    }
}

/// The configured adapter of the provider whose wire name is `name`.
fn configured(state: &AppState, name: &str) -> Option<Arc<dyn Provider>> {
    state
        .providers
        .iter()
        .find(|p| p.id().as_str() == name)
        .cloned()
}

fn provider_named(state: &AppState, name: &str) -> Result<Arc<dyn Provider>, AppError> {
    let id = ProviderId::parse(name).ok_or_else(|| {
        AppError::bad_request("unknown_provider", format!("provider: unknown {name:?}"))
    })?;
    let provider = configured(state, id.as_str()).ok_or_else(|| {
        AppError::bad_request(
            "provider_not_configured",
            format!("provider: {id} is not configured"),
        )
    })?;
    if !provider.takes_applications() {
        return Err(AppError::bad_request(
            "applications_not_supported",
            format!("provider: {id} supplies offers only; the payment is made in its own checkout"),
        ));
    }
    Ok(provider)
}

fn shop_path(field: &str, path: &str) -> Result<(), AppError> {
    if path.starts_with('/') && !path.starts_with("//") && !path.contains(['\\', '\r', '\n']) {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "invalid_return_path",
            format!("{field}: must be a path on the shop such as \"/return.html\""),
        ))
    }
}

fn unavailable(provider: ProviderId, error: &dyn std::fmt::Display) -> AppError {
    tracing::warn!(%provider, %error, "provider call failed");
    AppError {
        status: StatusCode::BAD_GATEWAY,
        code: "provider_unavailable",
        message: format!("{provider} did not answer as expected; try again"),
    }
}

pub(crate) fn store_failed(error: &store::StoreError) -> AppError {
    tracing::error!(%error, "store call failed");
    AppError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: "store_unavailable",
        message: "the proxy cannot store the application right now; try again".into(),
    }
}

/// Refuses a body that is not declared JSON: a cross-site HTML form can post only form
/// encodings without a CORS preflight, so it cannot create applications.
fn json_body(headers: &HeaderMap) -> Result<(), AppError> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json"));
    if declared {
        Ok(())
    } else {
        Err(AppError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            message: "Content-Type: application/json is required".into(),
        })
    }
}

/// With `cors_origins` configured, only pages of those origins may create applications.
fn allowed_origin(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if state.cors_origins.is_empty() {
        return Ok(());
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|origin| state.cors_origins.iter().any(|o| o == origin)) {
        Ok(())
    } else {
        Err(AppError {
            status: StatusCode::FORBIDDEN,
            code: "origin_not_allowed",
            message: "Origin: applications are created from the shop's own pages only".into(),
        })
    }
}

/// The shopper's phone in E.164 (`+375291234567`; spaces, dashes and parentheses as typed
/// are dropped), of the provider's country where the provider is national.
fn customer_phone(provider: ProviderId, typed: &str) -> Result<String, AppError> {
    let phone: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = phone.strip_prefix('+').unwrap_or_default();
    let e164 = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if !e164 {
        return Err(AppError::bad_request(
            "invalid_customer",
            "customer.phone: an international number such as +375291234567",
        ));
    }
    if let Some(prefix) = provider.phone_prefix()
        && !phone.starts_with(prefix)
    {
        return Err(AppError::bad_request(
            "invalid_customer",
            format!("customer.phone: {provider} takes {prefix} numbers only"),
        ));
    }
    Ok(phone)
}

/// `POST /api/v1/applications`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    parts: axum::http::request::Parts,
    body: Bytes,
) -> Result<Response, AppError> {
    let headers = &parts.headers;
    json_body(headers)?;
    allowed_origin(&state, headers)?;
    let mut request: NewApplication = serde_json::from_slice(&body)
        .map_err(|e| AppError::bad_request("invalid_application", format!("body: {e}")))?;
    let provider = provider_named(&state, &request.provider)?;
    shop_path("success_path", &request.success_path)?;
    shop_path("fail_path", &request.fail_path)?;
    let order = match (&request.items, &request.intent) {
        (Some(lines), None) => state.catalog.price(lines)?,
        (None, Some(intent)) => {
            let key = state.intent_key.as_ref().ok_or_else(|| {
                AppError::bad_request(
                    "intents_not_configured",
                    "intent: no intent_key is configured",
                )
            })?;
            let now = u64::try_from(store::now()).unwrap_or(0);
            intent
                .verify(key.expose().as_bytes(), now)
                .map_err(|error| {
                    let code = match error {
                        IntentError::Invalid(_) => "invalid_intent",
                        IntentError::BadSignature => "intent_signature_mismatch",
                        IntentError::Expired => "intent_expired",
                    };
                    AppError::bad_request(code, error.to_string())
                })?
        }
        _ => {
            return Err(AppError::bad_request(
                "invalid_order",
                "give either items (priced by the proxy's catalog) or a signed intent",
            ));
        }
    };
    offered(provider.as_ref(), &order, request.months).await?;
    let phone = customer_phone(provider.id(), &request.customer.phone)?;
    customer_identity(provider.id(), &mut request.customer)?;
    // Each application sends the shopper an SMS: a phone, and a client, start few an hour.
    // Phones are kept in the limiter only as their SHA-256.
    let client = crate::api::client_address(&parts, &state.trusted_proxies);
    crate::api::forget_idle_keys(&state.per_phone, crate::api::MAX_LIMITER_KEYS);
    crate::api::forget_idle_keys(&state.per_client, crate::api::MAX_LIMITER_KEYS);
    let phone_key: [u8; 32] = sha2::Sha256::digest(phone.as_bytes()).into();
    if state.per_phone.check_key(&phone_key).is_err()
        || state.per_client.check_key(&client).is_err()
    {
        return Err(AppError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_applications",
            message: "too many applications from this phone or address; try again later".into(),
        });
    }
    if request.intent.is_some()
        && !state
            .store
            .claim_intent(&order.order_id)
            .await
            .map_err(|e| store_failed(&e))?
    {
        return Err(AppError {
            status: StatusCode::CONFLICT,
            code: "intent_reused",
            message: format!("intent: order {:?} was already used", order.order_id),
        });
    }
    let id = format!("app_{:032x}", rand::random::<u128>());
    let base = &state.public_url;
    let application = ApplicationRequest {
        id: id.clone(),
        months: request.months,
        phone,
        email: request.customer.email,
        first_name: request.customer.first_name,
        last_name: request.customer.last_name,
        callback_url: format!("{base}/api/v1/webhooks/{}", provider.id()),
        success_url: format!("{base}{}", with_application(&request.success_path, &id)),
        fail_url: format!("{base}{}", with_application(&request.fail_path, &id)),
        order,
    };
    let created = state
        .metrics
        .timed(
            (provider.id(), "create_application"),
            provider.create_application(&application),
        )
        .await;
    let created = match created {
        Ok(created) => created,
        Err(error) => {
            // The provider did not take it: the shopper's order stays usable.
            if request.intent.is_some() {
                state
                    .store
                    .release_intent(&application.order.order_id)
                    .await
                    .map_err(|e| store_failed(&e))?;
            }
            return Err(match error {
                // The provider's own words stay in the log: they may name its internals.
                crate::ProviderError::Status(422, detail) => {
                    tracing::warn!(provider = %provider.id(), %detail, "application refused");
                    AppError::bad_request(
                        "application_refused",
                        format!("{} did not accept the application", provider.id()),
                    )
                }
                other => unavailable(provider.id(), &other),
            });
        }
    };
    let now = store::now();
    let stored = Application {
        id,
        provider: provider.id().as_str().to_owned(),
        status: created
            .provider_status
            .as_deref()
            .map_or(Status::Pending, |word| provider.normalize_status(word)),
        provider_ref: created.provider_ref,
        order_id: application.order.order_id,
        amount: application.order.amount.to_string(),
        currency: application.order.amount.currency().code().to_owned(),
        months: application.months,
        provider_status: created.provider_status.unwrap_or_default(),
        redirect_url: created.redirect_url,
        created_at: now,
        updated_at: now,
        items: application
            .order
            .items
            .iter()
            .map(|item| IntentItem {
                sku: item.sku.clone(),
                name: item.name.clone(),
                quantity: item.quantity,
                price: item.price.to_string(),
                category: item.category.clone(),
            })
            .collect(),
    };
    state
        .store
        .insert(stored.clone())
        .await
        .map_err(|e| store_failed(&e))?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

/// Refuses, before the provider is asked, an order in a currency the provider's rules do not
/// take, or for a term they do not offer for its amount and every category of its items.
async fn offered(
    provider: &dyn Provider,
    order: &crate::intent::PricedOrder,
    months: u32,
) -> Result<(), AppError> {
    let amount = order.amount;
    let currency = amount.currency().code();
    let rules = provider
        .rules(amount.currency())
        .await
        .map_err(|error| unavailable(provider.id(), &error))?
        .rules;
    if rules.is_empty() {
        return Err(AppError::bad_request(
            "currency_not_accepted",
            format!("provider: {} takes no orders in {currency}", provider.id()),
        ));
    }
    // A term must be offered for the whole order: for each of its items' categories.
    let mut categories: Vec<Option<&str>> = order
        .items
        .iter()
        .map(|item| item.category.as_deref())
        .collect();
    categories.sort_unstable();
    categories.dedup();
    let offered_for = |category| {
        let mut terms: Vec<u32> = rules
            .iter()
            .flat_map(|rules| rules.eligible_terms(amount, category))
            .collect();
        terms.sort_unstable();
        terms.dedup();
        terms
    };
    let mut terms = offered_for(None);
    for category in categories {
        let allowed = offered_for(category);
        terms.retain(|months| allowed.contains(months));
    }
    if !terms.contains(&months) {
        return Err(AppError::bad_request(
            "term_not_offered",
            format!(
                "months: {} offers {terms:?} months for {amount} {currency}",
                provider.id()
            ),
        ));
    }
    Ok(())
}

/// The return path with the application's id added, so the return page can poll it.
fn with_application(path: &str, id: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}application={id}")
}

/// `GET /api/v1/applications/{id}`: the stored status, refreshed from the provider when it
/// is pending and stale.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<Application>, AppError> {
    let mut application = stored(&state, &id).await?;
    let stale_after = match configured(&state, &application.provider) {
        Some(provider) if !provider.notifies() => STALE_UNNOTIFIED_AFTER_SECS,
        _ => STALE_AFTER_SECS,
    };
    if application.status == Status::Pending
        && store::now() - application.updated_at >= stale_after
        && refresh(&state, &application)
            .await
            .map_err(|e| store_failed(&e))?
    {
        application = stored(&state, &id).await?;
    }
    Ok(Json(application))
}

/// Only the merchant's backend: `Authorization: Bearer <backend_key>`, compared in constant
/// time, and no `Origin` (a browser always sends one on these requests; the backend never
/// needs to), so a key that leaked into a page still opens nothing from a shopper's browser.
fn backend_only(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if headers.contains_key(header::ORIGIN) {
        return Err(AppError {
            status: StatusCode::FORBIDDEN,
            code: "backend_only",
            message: "this route is for the merchant's backend, not for browsers".into(),
        });
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let valid = match (&state.backend_key, given) {
        (Some(key), Some(given)) => crate::signature::constant_time_eq(key.expose(), given),
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(AppError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "Authorization: Bearer <backend_key> is required (see backend_key)".into(),
        })
    }
}

/// The query of `GET /api/v1/applications`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    since: Option<i64>,
    #[serde(default)]
    until: Option<i64>,
    #[serde(default)]
    limit: Option<u32>,
}

/// `GET /api/v1/applications?status=&since=&until=&limit=`: the merchant's backend lists
/// applications for reconciliation, oldest first.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    backend_only(&state, &headers)?;
    let axum::extract::Query(query) =
        query.map_err(|e| AppError::bad_request("invalid_query", e.body_text()))?;
    let status = query
        .status
        .as_deref()
        .map(|name| {
            Status::parse(name).ok_or_else(|| {
                AppError::bad_request("invalid_query", format!("status: unknown {name:?}"))
            })
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::bad_request("invalid_query", "limit: 1 to 1000"));
    }
    let span = (query.since.unwrap_or(0), query.until.unwrap_or(i64::MAX));
    let applications = state
        .store
        .list(status, span, limit)
        .await
        .map_err(|e| store_failed(&e))?;
    Ok(Json(serde_json::json!({ "applications": applications })))
}

/// `POST /api/v1/applications/{id}/cancel`: the merchant's backend cancels an application
/// at its provider (KartaPay's "Cancel a payment"); the status moves by the transitions'
/// table and the merchant is called back as for any change.
pub(crate) async fn cancel(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Application>, AppError> {
    backend_only(&state, &headers)?;
    let application = stored(&state, &id).await?;
    let provider = configured(&state, &application.provider).ok_or_else(|| {
        AppError::bad_request(
            "provider_not_configured",
            format!("{} is not configured", application.provider),
        )
    })?;
    if !provider.cancels() {
        return Err(AppError::bad_request(
            "cancel_not_supported",
            format!("{} offers no cancel through its API", provider.id()),
        ));
    }
    if !application.status.can_become(Status::Cancelled) {
        return Err(AppError {
            status: StatusCode::CONFLICT,
            code: "cannot_cancel",
            message: format!(
                "an application {} cannot be cancelled",
                application.status.as_str()
            ),
        });
    }
    let word = provider
        .cancel_application(&application.provider_ref)
        .await
        .map_err(|error| {
            tracing::warn!(provider = %provider.id(), %error, "cancel refused");
            match error {
                crate::ProviderError::Refused(_) => AppError {
                    status: StatusCode::CONFLICT,
                    code: "cannot_cancel",
                    message: format!("{} refused to cancel the application", provider.id()),
                },
                _ => AppError {
                    status: StatusCode::BAD_GATEWAY,
                    code: "cancel_failed",
                    message: format!("{} did not cancel the application", provider.id()),
                },
            }
        })?;
    let status = provider.normalize_status(&word);
    state
        .store
        .advance(&id, status, &word)
        .await
        .map_err(|e| store_failed(&e))?;
    let application = stored(&state, &id).await?;
    Ok(Json(application))
}

/// The stored application `id`, or 404 `unknown_application`.
async fn stored(state: &AppState, id: &str) -> Result<Application, AppError> {
    state
        .store
        .application(id)
        .await
        .map_err(|e| store_failed(&e))?
        .ok_or_else(|| AppError::not_found("unknown_application", format!("no application {id:?}")))
}

/// Asks the provider where `application` stands and applies its answer, when the answer is
/// about the application's own money; `true` when something was stored. Shared by the status
/// route and the reconciler. A provider that does not answer changes nothing: the next ask
/// tries again.
pub(crate) async fn refresh(
    state: &AppState,
    application: &Application,
) -> Result<bool, store::StoreError> {
    let Some(provider) = configured(state, &application.provider) else {
        return Ok(false);
    };
    let asked = state.metrics.timed(
        (provider.id(), "application_status"),
        provider.application_status(&application.provider_ref),
    );
    match asked.await {
        Ok(answer) if !reports_its_amount(application, answer.amount.as_ref()) => {
            // The provider speaks of other money: its word changes nothing here.
            tracing::warn!(
                provider = %provider.id(),
                application = %application.id,
                reported = ?answer.amount,
                "status refresh refused: the amount or currency differs from the application's"
            );
            Ok(false)
        }
        Ok(answer) => {
            let status = provider.normalize_status(&answer.word);
            state
                .store
                .advance(&application.id, status, &answer.word)
                .await?;
            Ok(true)
        }
        Err(error) => {
            tracing::warn!(provider = %provider.id(), %error, "status refresh failed");
            Ok(false)
        }
    }
}

/// `GET /api/v1/webhooks/{provider}`, for providers that notify by `GET`
/// ([`Provider::notifies_by_get`]): the query is the signed form, verified and stored as a
/// posted one would be. Others answer 405.
pub(crate) async fn webhook_by_get(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let by_get = ProviderId::parse(&name)
        .and_then(|id| configured(&state, id.as_str()))
        .is_some_and(|provider| provider.notifies_by_get());
    if !by_get {
        return Err(AppError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: format!("{name} notifies by POST only"),
        });
    }
    let body = Bytes::from(query.unwrap_or_default());
    webhook(State(state), Path(name), headers, body).await
}

/// `POST /api/v1/webhooks/{provider}`: verified, stored, then acknowledged.
pub(crate) async fn webhook(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let id = ProviderId::parse(&name)
        .ok_or_else(|| AppError::not_found("unknown_provider", format!("no provider {name:?}")))?;
    let provider = configured(&state, id.as_str()).ok_or_else(|| {
        AppError::not_found("provider_not_configured", format!("{id} is not configured"))
    })?;
    let verdict = |verdict: &str| {
        let labels = crate::metrics::WebhookLabels {
            provider: id.as_str().to_owned(),
            verdict: verdict.to_owned(),
        };
        state.metrics.webhooks.get_or_create(&labels).inc();
    };
    let event = provider
        .verify_webhook(&headers, &body)
        .inspect_err(|error| {
            verdict(match error {
                WebhookError::Forged => "forged",
                WebhookError::Malformed(_) => "malformed",
                WebhookError::Unsupported => "unsupported",
            })
        })
        .map_err(|error| match error {
            WebhookError::Forged => AppError {
                status: StatusCode::FORBIDDEN,
                code: "forged_webhook",
                message: "the signature is missing or wrong".into(),
            },
            WebhookError::Malformed(detail) => {
                AppError::bad_request("malformed_webhook", format!("{id}: {detail}"))
            }
            WebhookError::Unsupported => AppError::not_found(
                "webhooks_not_supported",
                format!("{id} sends no webhooks here"),
            ),
        })?;
    let known = state
        .store
        .by_provider_ref(id.as_str(), &event.provider_ref)
        .await
        .map_err(|e| store_failed(&e))?;
    let refusal = match &known {
        None => Some("unknown application"),
        Some(application) if !reports_its_amount(application, event.amount.as_ref()) => {
            Some("the amount or currency differs from the application's")
        }
        Some(_) => None,
    };
    // A refused event is kept as evidence, and changes nothing of the application: neither
    // its status nor the provider's word stored with it.
    let status = refusal.is_none().then_some(event.status);
    // Only what the signature covers is stored as the event; the rest, kept apart, is never
    // taken for the provider's word.
    let evidence = match event.signed_part {
        Some(part) => Evidence {
            verified: part.verified,
            unverified: Some(part.unverified),
        },
        None => Evidence {
            verified: body.to_vec(),
            unverified: None,
        },
    };
    let (delivery, application) = state
        .store
        .deliver(
            id.as_str(),
            &event.event_key,
            &event.provider_ref,
            status,
            &event.provider_status,
            evidence,
        )
        .await
        .map_err(|e| store_failed(&e))?;
    verdict(match (refusal, delivery) {
        (Some(_), _) => "refused",
        (None, crate::store::Delivery::Changed) => "changed",
        (None, crate::store::Delivery::Unchanged) => "unchanged",
        (None, crate::store::Delivery::Duplicate) => "duplicate",
    });
    tracing::info!(
        provider = %id,
        ?delivery,
        application = application.as_deref().unwrap_or("unknown"),
        refusal = refusal.unwrap_or("none"),
        "webhook stored"
    );
    Ok(provider.webhook_reply(&body, refusal))
}

/// Whether what the provider reports is the application's own amount in its own currency
/// (`25000` and `25000.00` alike); true when the provider's protocol carries no amount (Karta
/// Pokupok's: its application is the one created for this amount).
fn reports_its_amount(application: &Application, reported: Option<&ReportedAmount>) -> bool {
    let Some(reported) = reported else {
        return true;
    };
    Currency::from_code(&application.currency)
        .and_then(|currency| Money::parse(&application.amount, currency))
        .is_ok_and(|amount| reported.is(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_order_past_the_limit_is_refused_not_wrapped() {
        let byn = Currency::from_code("BYN").unwrap();
        let gold = Money::parse("600000000000.00", byn).unwrap();
        let entry = CatalogEntry {
            name: "Gold".to_owned(),
            price: gold,
            category: None,
        };
        let catalog = Catalog(BTreeMap::from([("gold".to_owned(), entry)]));
        let line = |quantity| CatalogLine {
            sku: "gold".into(),
            quantity,
        };
        let priced = catalog.price(&[line(1)]).unwrap();
        assert_eq!(priced.amount, gold);
        for lines in [vec![line(2)], vec![line(1), line(1)]] {
            let refused = catalog.price(&lines).unwrap_err();
            assert_eq!(refused.code, "amount_out_of_range");
            assert!(
                refused.message.contains("larger than 1000000000000"),
                "{}",
                refused.message
            );
        }
    }
}
