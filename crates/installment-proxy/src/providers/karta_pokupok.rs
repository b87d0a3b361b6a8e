//! Karta Pokupok: `GET /terms?amount=&category=` with the partner headers; the answer's
//! `available_terms` are interest-free splits of the amount; an empty list hides the option.
//! Applications: `POST /applications` (order, customer, items with two-decimal prices,
//! callback, success and fail URLs) and `GET /applications/{id}`; webhooks carry `X-Signature`,
//! the hex HMAC-SHA256 of the raw body with the webhook secret.

use super::{
    ApplicationRequest, CardOffer, CreatedApplication, OfferInputs, OfferQuery, Provider,
    ProviderError, ProviderId, ProviderStatus, RulesAnswer, WebhookError, WebhookEvent,
    http_client, json_answer, rules_in,
};
use crate::config::KartaPokupokConfig;
use crate::signature::{constant_time_eq, hmac_sha256_hex};
use crate::store::Status;
use async_trait::async_trait;
use installment_core::{CardAssociation, CardType, Currency, Plan, ProviderRules};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The Karta Pokupok adapter.
pub struct KartaPokupok {
    config: KartaPokupokConfig,
    rules: Vec<ProviderRules>,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct TermsAnswer {
    available_terms: Vec<u32>,
}

/// `POST /applications` answers these two fields and nothing more (seed 000).
#[derive(Deserialize)]
struct CreatedAnswer {
    application_id: String,
    redirect_url: String,
}

/// `GET /applications/{id}`: the seed reads only `status` from it.
#[derive(Deserialize)]
struct StatusAnswer {
    status: String,
}

#[derive(Deserialize)]
struct WebhookBody {
    application_id: String,
    status: String,
}

/// Karta Pokupok's status words (`APPROVED`, `REJECTED`, `CANCELLED`, `EXPIRED`; anything
/// else, such as `NEW`, is still pending), normalized.
///
/// ```
/// use installment_proxy::{providers::karta_pokupok_status, store::Status};
/// assert_eq!(karta_pokupok_status("APPROVED"), Status::Approved);
/// assert_eq!(karta_pokupok_status("NEW"), Status::Pending);
/// ```
pub fn karta_pokupok_status(word: &str) -> Status {
    match word {
        "APPROVED" => Status::Approved,
        "REJECTED" => Status::Rejected,
        "CANCELLED" => Status::Cancelled,
        "EXPIRED" => Status::Expired,
        _ => Status::Pending,
    }
}

impl KartaPokupok {
    /// An adapter for `config`, with the merchant's conditions for `/rules`.
    pub fn new(config: KartaPokupokConfig, rules: Vec<ProviderRules>, timeout: Duration) -> Self {
        Self {
            config,
            rules,
            client: http_client(timeout),
        }
    }

    /// `GET /terms`: the terms offered for an amount and category.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{providers::KartaPokupok, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// let config = sandbox.providers.karta_pokupok.unwrap();
    /// let adapter = KartaPokupok::new(config, Vec::new(), std::time::Duration::from_secs(2));
    /// assert_eq!(adapter.terms("299.90", None).await?, [3, 6, 12, 18, 24]);
    /// assert!(adapter.terms("299.90", Some("food")).await?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn terms(
        &self,
        amount: &str,
        category: Option<&str>,
    ) -> Result<Vec<u32>, ProviderError> {
        let mut query = vec![("amount", amount)];
        if let Some(category) = category {
            query.push(("category", category));
        }
        let url = format!("{}/terms", self.config.base_url);
        let response = self
            .partner(self.client.get(url))
            .query(&query)
            .send()
            .await?;
        let answer: TermsAnswer = json_answer(response, "/terms").await?;
        Ok(answer.available_terms)
    }

    fn partner(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .header("X-Partner-Id", &self.config.partner_id)
            .header("X-Partner-Token", self.config.token.expose())
    }
}

#[async_trait]
impl Provider for KartaPokupok {
    fn id(&self) -> ProviderId {
        ProviderId::KartaPokupok
    }

    /// `GET /terms` takes the amount and the category, nothing of the card or the basket.
    fn offer_inputs(&self) -> OfferInputs {
        OfferInputs {
            category: true,
            bin: false,
            product: false,
            session: false,
        }
    }

    async fn rules(&self, currency: Currency) -> Result<RulesAnswer, ProviderError> {
        Ok(rules_in(&self.rules, currency))
    }

    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError> {
        // The card is issued in Belarusian roubles only.
        if query.amount.currency().code() != "BYN" {
            return Ok(Vec::new());
        }
        let mut terms = self
            .terms(&query.amount.to_string(), query.category.as_deref())
            .await?;
        terms.sort_unstable();
        terms.dedup();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let plans = terms
            .into_iter()
            .map(|months| Plan::interest_free(query.amount, months))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(vec![CardOffer {
            association: Some(CardAssociation::Belkart),
            family: Some("Karta Pokupok".to_owned()),
            bank: None,
            card_type: Some(CardType::Credit),
            plans,
        }])
    }

    fn takes_applications(&self) -> bool {
        true
    }

    async fn create_application(
        &self,
        request: &ApplicationRequest,
    ) -> Result<CreatedApplication, ProviderError> {
        let order = &request.order;
        let items = order
            .items
            .iter()
            .map(|item| {
                Ok(serde_json::json!({
                    "name": item.name,
                    "quantity": item.quantity,
                    "price": item.price.to_string(),
                    "total": item.total()?.to_string(),
                }))
            })
            .collect::<Result<Vec<_>, ProviderError>>()?;
        let body = serde_json::json!({
            "order": {
                "id": order.order_id,
                "amount": order.amount.to_string(),
                "term": request.months,
                "purpose": format!("Order #{}", order.order_id),
            },
            "customer": { "phone": request.phone, "email": request.email },
            "items": items,
            "callback_url": request.callback_url,
            "success_url": request.success_url,
            "fail_url": request.fail_url,
        });
        let url = format!("{}/applications", self.config.base_url);
        let response = self
            .partner(self.client.post(url))
            .json(&body)
            .send()
            .await?;
        let answer = json_answer::<CreatedAnswer>(response, "POST /applications").await?;
        if answer.redirect_url.is_empty() || answer.application_id.is_empty() {
            return Err(ProviderError::Malformed(
                "POST /applications: empty application_id or redirect_url".into(),
            ));
        }
        Ok(CreatedApplication {
            provider_ref: answer.application_id,
            redirect_url: answer.redirect_url,
            provider_status: None,
        })
    }

    /// The status alone: the seed's answer carries no amount, and the application is the one
    /// the proxy created for its amount.
    async fn application_status(
        &self,
        provider_ref: &str,
    ) -> Result<ProviderStatus, ProviderError> {
        let url = format!(
            "{}/applications/{}",
            self.config.base_url,
            percent_encoding::utf8_percent_encode(provider_ref, percent_encoding::NON_ALPHANUMERIC)
        );
        let response = self.partner(self.client.get(url)).send().await?;
        let answer = json_answer::<StatusAnswer>(response, "GET /applications/{id}").await?;
        Ok(ProviderStatus {
            word: answer.status,
            amount: None,
        })
    }

    fn normalize_status(&self, provider_status: &str) -> Status {
        karta_pokupok_status(provider_status)
    }

    fn verify_webhook(
        &self,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let received = headers
            .get("X-Signature")
            .and_then(|value| value.to_str().ok())
            .ok_or(WebhookError::Forged)?;
        let expected = hmac_sha256_hex(self.config.webhook_secret.expose().as_bytes(), body);
        if !constant_time_eq(&expected, received) {
            return Err(WebhookError::Forged);
        }
        let event: WebhookBody =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        Ok(WebhookEvent {
            // The seed's webhook has no event id: the same delivery is the same body.
            event_key: hex::encode(Sha256::digest(body)),
            status: karta_pokupok_status(&event.status),
            provider_ref: event.application_id,
            provider_status: event.status,
            amount: None,
            signed_part: None,
        })
    }
}
