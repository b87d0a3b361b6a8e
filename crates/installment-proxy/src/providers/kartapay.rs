//! KartaPay, as its published OpenAPI document defines it (`contracts/kartapay-api-spec.json`,
//! KartaPay REST API 1.0.0): bearer-authenticated JSON under `/v1/payments`. Its API has no
//! offers endpoint, so offers are the merchant's contract conditions. An application is a
//! payment created (`POST /v1/payments`, a `Claim`) and then submitted through a gateway
//! (`POST /v1/payments/{id}/submit` with its `source`); the submit answer's `next` link is
//! the shopper's form. Status is `GET /v1/payments/{id}`; `POST /v1/payments/{id}/cancel`
//! cancels.
//!
//! Where the document is silent, this module chooses, and says so (all *unverified*):
//! - **The payment id**: the document's payment has none; it is read from the create
//!   answer's `next` link ([`payment_id_from_next`]).
//! - **The term**: the document has no term field; the gateway's form offers its own, and the
//!   term the shopper chose here is named in `clientNote`.
//! - **Webhooks**: the document defines none, so none is trusted by default and the status
//!   comes by reading the payment. A merchant may turn on this proxy's own scheme
//!   ([`WebhookScheme::ProxyHmacV1`]): `{id, paymentId, data: payment}` signed in
//!   `X-KartaPay-Signature` by [`timestamped_signature`], refused after five minutes.

use super::{
    ApplicationRequest, CardOffer, CreatedApplication, OfferQuery, Provider, ProviderError,
    ProviderId, ProviderStatus, ReportedAmount, RulesAnswer, WebhookError, WebhookEvent,
    http_client, json_answer, plans_from_rules, rules_in,
};
use crate::config::{KartaPayConfig, WebhookScheme};
use crate::signature::{constant_time_eq, timestamped_signature};
use crate::store::{self, Status};
use async_trait::async_trait;
use installment_core::{Currency, Money, ProviderRules};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::time::Duration;

/// The KartaPay adapter.
pub struct KartaPay {
    config: KartaPayConfig,
    rules: Vec<ProviderRules>,
    client: reqwest::Client,
}

/// The document's `Amount`: a decimal string and its ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// `"299.90"`; an integer for currencies without minor units.
    pub value: String,
    /// `"BYN"`.
    pub currency: String,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Self {
            value: money.to_string(),
            currency: money.currency().code().to_owned(),
        }
    }
}

/// The document's `PurchaseItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseItem {
    /// The item's name.
    pub name: String,
    /// How many, as a string (the document's type).
    pub quantity: String,
    /// The line's total.
    pub amount: Amount,
}

/// The document's `Purchase`: the total is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// What the payment is for.
    pub total: Amount,
    /// Its lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<PurchaseItem>,
}

/// The document's `Payer`: it requires `firstName`, `lastName` and `email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payer {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// E.164 (`+375291234567`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The document's `Context`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// `ll-CC` (`ru-BY`).
    pub locale: String,
}

/// The create body: the document's `Claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    /// Locale of the shopper's pages.
    pub context: Context,
    /// Who pays.
    pub payer: Payer,
    /// What for.
    pub purchase: Purchase,
    /// The merchant's order id.
    pub client_id: String,
    /// A note: the order and the term chosen.
    pub client_note: String,
    /// Where the shopper lands after cancelling.
    pub cancel_url: String,
    /// Where the shopper lands once captured.
    pub success_url: String,
}

/// A payment as the document's `Payment` defines it (the fields this adapter reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// `init`, `pending`, `submitted`, `approved`, `captured`, `canceled`, `failed`,
    /// `completed`.
    pub status: String,
    /// Whether the funds were captured.
    #[serde(default)]
    pub captured: Option<bool>,
    /// The purchase, which the document requires.
    pub purchase: Purchase,
    /// The merchant's reference.
    #[serde(default)]
    pub client_id: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
}

impl Payment {
    /// The amount the payment is for: its `purchase.total`.
    ///
    /// ```
    /// use installment_proxy::providers::Payment;
    /// let payment: Payment = serde_json::from_str(
    ///     r#"{"status": "captured", "purchase": {"total": {"value": "299.90", "currency": "BYN"}}}"#)?;
    /// assert_eq!(payment.reported_amount().amount, "299.90");
    /// assert_eq!(payment.reported_amount().currency.as_deref(), Some("BYN"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn reported_amount(&self) -> ReportedAmount {
        ReportedAmount {
            amount: self.purchase.total.value.clone(),
            currency: Some(self.purchase.total.currency.clone()),
        }
    }
}

/// The gateways a payment can be submitted through: the document's `source` enum.
pub const KARTAPAY_SOURCES: [&str; 6] = ["HOL", "HRM", "MVK", "MVM", "PYP", "STR"];

/// How old a signed webhook may be before it counts as a replay.
const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// KartaPay's payment status, normalized: `approved`, `captured` and `completed` are paid;
/// `canceled` is cancelled; `failed` failed; `init`, `pending` and `submitted` are still
/// pending.
///
/// ```
/// use installment_proxy::{providers::kartapay_status, store::Status};
/// assert_eq!(kartapay_status("captured"), Status::Approved);
/// assert_eq!(kartapay_status("submitted"), Status::Pending);
/// ```
pub fn kartapay_status(word: &str) -> Status {
    match word {
        "approved" | "captured" | "completed" => Status::Approved,
        "canceled" => Status::Cancelled,
        "failed" => Status::Failed,
        _ => Status::Pending,
    }
}

/// The `{next, data}` answer of create, submit and cancel.
#[derive(Deserialize)]
struct Step {
    #[serde(default)]
    next: Option<String>,
    data: Payment,
}

/// This proxy's webhook body, when the merchant turned the scheme on.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookBody {
    id: String,
    payment_id: String,
    data: Payment,
}

/// The id of the payment a `next` link is about: the path segment after `payments`
/// (`https://…/v1/payments/pay-1f/submit` → `pay-1f`). *Unverified*: the document shows `next`
/// as a string only; this is the one place that reads it.
///
/// ```
/// use installment_proxy::providers::payment_id_from_next;
/// assert_eq!(payment_id_from_next("/v1/payments/pay-1f/submit"), Some("pay-1f"));
/// assert_eq!(payment_id_from_next("https://k.example/v1/payments/p2?x=1"), Some("p2"));
/// assert_eq!(payment_id_from_next("https://k.example/pay/p3"), None);
/// ```
pub fn payment_id_from_next(next: &str) -> Option<&str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.split('/');
    segments.find(|segment| *segment == "payments")?;
    segments.next().filter(|id| !id.is_empty())
}

/// The list answer: `{data, total, offset, limit, prev, next}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentList {
    /// This page.
    pub data: Vec<Payment>,
    /// Payments in all.
    pub total: u64,
    /// Offset of this page.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
    /// Link to the previous page.
    #[serde(default)]
    pub prev: Option<String>,
    /// Link to the next page.
    #[serde(default)]
    pub next: Option<String>,
}

impl KartaPay {
    /// An adapter for `config`, with the merchant's conditions.
    pub fn new(config: KartaPayConfig, rules: Vec<ProviderRules>, timeout: Duration) -> Self {
        Self {
            config,
            rules,
            client: http_client(timeout),
        }
    }

    /// The create body for `request`: the document's `Claim`, and nothing it leaves
    /// undefined (`tests/contracts.rs` validates it against the document).
    pub fn claim(&self, request: &ApplicationRequest) -> Result<Claim, ProviderError> {
        let order = &request.order;
        let items = order
            .items
            .iter()
            .map(|item| {
                Ok(PurchaseItem {
                    name: item.name.clone(),
                    quantity: item.quantity.to_string(),
                    amount: item.total()?.into(),
                })
            })
            .collect::<Result<_, ProviderError>>()?;
        Ok(Claim {
            context: Context {
                locale: self.config.locale.clone(),
            },
            payer: Payer {
                first_name: request.first_name.clone(),
                last_name: request.last_name.clone(),
                email: request.email.clone(),
                phone: Some(request.phone.clone()).filter(|phone| !phone.is_empty()),
            },
            purchase: Purchase {
                total: order.amount.into(),
                items,
            },
            client_id: order.order_id.clone(),
            client_note: format!(
                "Order #{}, {} monthly payments",
                order.order_id, request.months
            ),
            cancel_url: request.fail_url.clone(),
            success_url: request.success_url.clone(),
        })
    }

    /// The configured `context.locale`, `ru-BY` unless set.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{providers::KartaPay, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// let adapter = KartaPay::new(sandbox.providers.kartapay.unwrap(), Vec::new(), std::time::Duration::from_secs(2));
    /// assert_eq!(adapter.locale(), "ru-BY");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub fn locale(&self) -> &str {
        &self.config.locale
    }

    /// "Read payments": `GET /v1/payments?sort=&desc=&limit=&offset=` (arrays as repeated
    /// keys).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{providers::KartaPay, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// let adapter = KartaPay::new(sandbox.providers.kartapay.unwrap(), Vec::new(), std::time::Duration::from_secs(2));
    /// let page = adapter.list_payments(&[], &["createdAt"], 10, 0).await?;
    /// assert_eq!(page.total, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn list_payments(
        &self,
        sort: &[&str],
        desc: &[&str],
        limit: u32,
        offset: u32,
    ) -> Result<PaymentList, ProviderError> {
        let mut query: Vec<(&str, String)> = Vec::new();
        query.extend(sort.iter().map(|s| ("sort", (*s).to_owned())));
        query.extend(desc.iter().map(|s| ("desc", (*s).to_owned())));
        query.push(("limit", limit.to_string()));
        query.push(("offset", offset.to_string()));
        self.get("/v1/payments", &query).await
    }

    /// "Read a payment": `GET /v1/payments/{id}`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{providers::KartaPay, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// let adapter = KartaPay::new(sandbox.providers.kartapay.unwrap(), Vec::new(), std::time::Duration::from_secs(2));
    /// assert_eq!(adapter.read_payment("kp-1002").await?.status, "canceled");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn read_payment(&self, id: &str) -> Result<Payment, ProviderError> {
        self.get(&format!("/v1/payments/{}", safe_id(id)?), &[])
            .await
    }

    /// "Cancel a payment": `POST /v1/payments/{id}/cancel`, which takes no body; the canceled
    /// payment.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{providers::KartaPay, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// let adapter = KartaPay::new(sandbox.providers.kartapay.unwrap(), Vec::new(), std::time::Duration::from_secs(2));
    /// assert_eq!(adapter.cancel_payment("kp-1003").await?.status, "canceled");
    /// assert_eq!(adapter.read_payment("kp-1003").await?.status, "canceled");
    /// assert!(adapter.cancel_payment("kp-1001").await.is_err(), "captured");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn cancel_payment(&self, id: &str) -> Result<Payment, ProviderError> {
        let path = format!("/v1/payments/{}/cancel", safe_id(id)?);
        let url = format!("{}{path}", self.config.base_url);
        let canceled: Step = self.send(self.client.post(url), &path).await?;
        Ok(canceled.data)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ProviderError> {
        let url = format!("{}{path}", self.config.base_url);
        self.send(self.client.post(url).json(body), path).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ProviderError> {
        let url = format!("{}{path}", self.config.base_url);
        self.send(self.client.get(url).query(query), path).await
    }

    /// Sends with the bearer token and reads a JSON answer.
    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<T, ProviderError> {
        let response = request
            .bearer_auth(self.config.token.expose())
            .header("Accept-Language", "en")
            .send()
            .await?;
        json_answer(response, path).await
    }
}

#[async_trait]
impl Provider for KartaPay {
    fn id(&self) -> ProviderId {
        ProviderId::KartaPay
    }

    async fn rules(&self, currency: Currency) -> Result<RulesAnswer, ProviderError> {
        Ok(rules_in(&self.rules, currency))
    }

    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError> {
        plans_from_rules(&self.rules, query)
    }

    fn offers_are_remote(&self) -> bool {
        false
    }

    fn takes_applications(&self) -> bool {
        true
    }

    async fn create_application(
        &self,
        request: &ApplicationRequest,
    ) -> Result<CreatedApplication, ProviderError> {
        let created: Step = self.post("/v1/payments", &self.claim(request)?).await?;
        let id = created
            .next
            .as_deref()
            .and_then(payment_id_from_next)
            .ok_or_else(|| {
                ProviderError::Malformed("POST /v1/payments: no payment in the next link".into())
            })?
            .to_owned();
        let path = format!("/v1/payments/{}/submit", safe_id(&id)?);
        let submitted: Step = self
            .post(&path, &serde_json::json!({ "source": self.config.source }))
            .await?;
        let redirect_url = submitted
            .next
            .filter(|next| next.starts_with("http"))
            .ok_or_else(|| ProviderError::Malformed(format!("POST {path}: no next link")))?;
        Ok(CreatedApplication {
            provider_ref: id,
            redirect_url,
            provider_status: Some(submitted.data.status),
        })
    }

    async fn application_status(
        &self,
        provider_ref: &str,
    ) -> Result<ProviderStatus, ProviderError> {
        let payment = self.read_payment(provider_ref).await?;
        Ok(ProviderStatus {
            amount: Some(payment.reported_amount()),
            word: payment.status,
        })
    }

    async fn cancel_application(&self, provider_ref: &str) -> Result<String, ProviderError> {
        Ok(self.cancel_payment(provider_ref).await?.status)
    }

    fn cancels(&self) -> bool {
        true
    }

    fn normalize_status(&self, provider_status: &str) -> Status {
        kartapay_status(provider_status)
    }

    fn notifies(&self) -> bool {
        self.config.webhooks != WebhookScheme::None
    }

    /// Refused as unsupported unless the merchant turned on [`WebhookScheme::ProxyHmacV1`].
    fn verify_webhook(
        &self,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let WebhookScheme::ProxyHmacV1(secret) = &self.config.webhooks else {
            return Err(WebhookError::Unsupported);
        };
        let header = headers
            .get("X-KartaPay-Signature")
            .and_then(|value| value.to_str().ok())
            .ok_or(WebhookError::Forged)?;
        let timestamp: i64 = header
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(','))
            .and_then(|(t, _)| t.parse().ok())
            .ok_or(WebhookError::Forged)?;
        let expected = timestamped_signature(secret.expose().as_bytes(), timestamp, body);
        // The time is checked only once the MAC holds, so a forger learns nothing from it.
        if !constant_time_eq(&expected, header)
            || (store::now() - timestamp).abs() > WEBHOOK_TOLERANCE_SECS
        {
            return Err(WebhookError::Forged);
        }
        let event: WebhookBody =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        Ok(WebhookEvent {
            event_key: event.id,
            status: kartapay_status(&event.data.status),
            provider_ref: event.payment_id,
            amount: Some(event.data.reported_amount()),
            provider_status: event.data.status,
            signed_part: None,
        })
    }
}

/// A payment id fit for a URL path.
fn safe_id(id: &str) -> Result<&str, ProviderError> {
    if !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id)
    } else {
        Err(ProviderError::Refused(format!("bad payment id {id:?}")))
    }
}
