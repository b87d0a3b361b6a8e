//! KartaPay: bearer-token JSON API of payments. Its API has no offers endpoint, so offers are
//! the merchant's contract conditions; the adapter speaks the payments protocol (list, read)
//! that statuses and applications are built on.

use super::{
    CardOffer, OfferQuery, Provider, ProviderError, ProviderId, RulesAnswer, http_client,
    plans_from_rules, rules_in, status_error,
};
use crate::config::KartaPayConfig;
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
    /// The payment's id.
    #[serde(default)]
    pub id: Option<String>,
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
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ProviderError::Refused(format!("bad payment id {id:?}")));
        }
        self.get(&format!("/payments/{id}"), &[]).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ProviderError> {
        let response = self
            .client
            .get(format!("{}{path}", self.config.base_url))
            .bearer_auth(self.config.token.expose())
            .header("Accept-Language", "en")
            .query(query)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(status_error(response).await);
        }
        let bytes = response.bytes().await?;
        serde_json::from_slice(&bytes).map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))
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
}
