//! KartaPay: bearer-token JSON API of payments. Its API has no offers endpoint, so offers are
//! the merchant's contract conditions. An application is a payment created
//! (`POST /payments`) and then submitted through a gateway (`POST /payments/{id}/submit` with
//! its `source`); its `next` link is the shopper's form. Status is `GET /payments/{id}`;
//! `POST /payments/{id}/cancel` cancels.
//!
//! The seed's payment object has no `id`: the id of a created payment is read from the
//! create answer's `next` link, which points at the payment's next step
//! (`…/payments/{id}/submit`; see [`payment_id_from_next`]).
//!
//! The seed documents no webhook format, so this proxy designs one and says so: KartaPay (the
//! sandbox simulator here) posts `{id, type, paymentId, createdAt, data: payment}` to the
//! `callbackUrl` given in the payment's `context`, signed in `X-KartaPay-Signature` by
//! [`timestamped_signature`]; deliveries older than five minutes are refused.

use super::{
    ApplicationRequest, CardOffer, CreatedApplication, OfferQuery, Provider, ProviderError,
    ProviderId, ProviderStatus, ReportedAmount, RulesAnswer, WebhookError, WebhookEvent,
    http_client, json_answer, plans_from_rules, rules_in,
};
use crate::config::KartaPayConfig;
use crate::signature::{constant_time_eq, timestamped_signature};
use crate::store::{self, Status};
use async_trait::async_trait;
use installment_core::{Currency, ProviderRules};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::time::Duration;

/// The KartaPay adapter.
pub struct KartaPay {
    config: KartaPayConfig,
    rules: Vec<ProviderRules>,
    client: reqwest::Client,
}

/// A payment as KartaPay reads it: status and lifecycle timestamps; nested objects kept
/// as JSON, since the seed leaves their shape open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// `init`, `submitted`, `approved`, `captured`, `canceled`, `failed`, `completed`.
    pub status: String,
    /// Whether the funds were captured.
    #[serde(default)]
    pub captured: Option<bool>,
    /// The merchant's reference.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The merchant's note.
    #[serde(default)]
    pub client_note: Option<String>,
    /// The purchase.
    #[serde(default)]
    pub purchase: Option<serde_json::Value>,
    /// The payment plan.
    #[serde(default)]
    pub plan: Option<serde_json::Value>,
    /// Lifecycle timestamps.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was canceled.
    #[serde(default)]
    pub canceled_at: Option<String>,
    /// When it was submitted.
    #[serde(default)]
    pub submitted_at: Option<String>,
    /// When it was approved.
    #[serde(default)]
    pub approved_at: Option<String>,
    /// When it was captured.
    #[serde(default)]
    pub captured_at: Option<String>,
    /// When it failed.
    #[serde(default)]
    pub failed_at: Option<String>,
    /// When it completed.
    #[serde(default)]
    pub completed_at: Option<String>,
}

/// The gateways a payment can be submitted through: the seed's `source` enum.
pub const KARTAPAY_SOURCES: [&str; 6] = ["HOL", "HRM", "MVK", "MVM", "PYP", "STR"];

/// How old a signed webhook may be before it counts as a replay.
const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// KartaPay's payment status, normalized: `approved`, `captured` and `completed` are paid;
/// `canceled` is cancelled; `failed` failed; `init` and `submitted` are still pending.
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

/// The `{next, data}` envelope of create, submit and cancel.
#[derive(Deserialize)]
struct Step {
    #[serde(default)]
    next: Option<String>,
    data: Payment,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookBody {
    id: String,
    payment_id: String,
    data: Payment,
}

/// The id of the payment a `next` link is about: the path segment after `payments`
/// (`https://…/api/v1/payments/pay-1f/submit` → `pay-1f`). *Unverified*: the seed shows
/// `next` as a string only; this is the one place that reads it.
///
/// ```
/// use installment_proxy::providers::payment_id_from_next;
/// assert_eq!(payment_id_from_next("/api/v1/payments/pay-1f/submit"), Some("pay-1f"));
/// assert_eq!(payment_id_from_next("https://k.example/payments/p2?x=1"), Some("p2"));
/// assert_eq!(payment_id_from_next("https://k.example/pay/p3"), None);
/// ```
pub fn payment_id_from_next(next: &str) -> Option<&str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.split('/');
    segments.find(|segment| *segment == "payments")?;
    segments.next().filter(|id| !id.is_empty())
}

/// The list envelope: `{data, total, offset, limit, prev, next}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    /// `GET /payments?sort=&desc=&limit=&offset=` (arrays as repeated keys).
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
        self.get("/payments", &query).await
    }

    /// `GET /payments/{id}`.
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
        self.get(&format!("/payments/{}", safe_id(id)?), &[]).await
    }

    /// "Cancel a payment" (seed 001): `POST /payments/{id}/cancel`; the canceled payment.
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
        let path = format!("/payments/{}/cancel", safe_id(id)?);
        let canceled: Step = self.post(&path, &serde_json::json!({})).await?;
        Ok(canceled.data)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
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
        let order = &request.order;
        let items: Vec<_> = order
            .items
            .iter()
            .map(|item| {
                serde_json::json!({
                    "sku": item.sku, "name": item.name, "quantity": item.quantity,
                    "price": item.price.to_string(),
                })
            })
            .collect();
        let body = serde_json::json!({
            "context": { "callbackUrl": request.callback_url, "locale": "ru" },
            "payer": { "phone": request.phone, "email": request.email },
            "purchase": {
                "amount": order.amount.to_string(),
                "currency": order.amount.currency().code(),
                "items": items,
            },
            "clientId": order.order_id,
            "clientNote": format!("Order #{}", order.order_id),
            "plan": { "months": request.months },
            "cancelUrl": request.fail_url,
            "successUrl": request.success_url,
        });
        let created: Step = self.post("/payments", &body).await?;
        let id = created
            .next
            .as_deref()
            .and_then(payment_id_from_next)
            .ok_or_else(|| {
                ProviderError::Malformed("POST /payments: no payment in the next link".into())
            })?
            .to_owned();
        let path = format!("/payments/{}/submit", safe_id(&id)?);
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
            amount: Some(reported_amount(&payment)),
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

    fn verify_webhook(
        &self,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let header = headers
            .get("X-KartaPay-Signature")
            .and_then(|value| value.to_str().ok())
            .ok_or(WebhookError::Forged)?;
        let timestamp: i64 = header
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(','))
            .and_then(|(t, _)| t.parse().ok())
            .ok_or(WebhookError::Forged)?;
        let expected = timestamped_signature(
            self.config.webhook_secret.expose().as_bytes(),
            timestamp,
            body,
        );
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
            amount: Some(reported_amount(&event.data)),
            provider_status: event.data.status,
            signed_part: None,
        })
    }
}

/// The payment's `purchase.amount` (a string or a number) and `purchase.currency`; an
/// absent amount reads as empty, which matches nothing.
fn reported_amount(payment: &Payment) -> ReportedAmount {
    let purchase = payment.purchase.clone().unwrap_or_default();
    ReportedAmount::from_json(&purchase["amount"], &purchase["currency"])
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
