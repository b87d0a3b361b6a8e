//! Karta Pokupok: `GET /terms?amount=&category=` with the partner headers; the answer's
//! `available_terms` are interest-free splits of the amount; an empty list hides the option.

use super::{
    CardOffer, OfferQuery, Provider, ProviderError, ProviderId, RulesAnswer, http_client, rules_in,
    status_error,
};
use crate::config::KartaPokupokConfig;
use async_trait::async_trait;
use installment_core::{CardAssociation, CardType, Currency, Plan, ProviderRules};
use serde::Deserialize;
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
        let response = self
            .client
            .get(format!("{}/terms", self.config.base_url))
            .header("X-Partner-Id", &self.config.partner_id)
            .header("X-Partner-Token", self.config.token.expose())
            .query(&query)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(status_error(response).await);
        }
        let bytes = response.bytes().await?;
        let answer: TermsAnswer = serde_json::from_slice(&bytes)
            .map_err(|e| ProviderError::Malformed(format!("/terms: {e}")))?;
        Ok(answer.available_terms)
    }
}

#[async_trait]
impl Provider for KartaPokupok {
    fn id(&self) -> ProviderId {
        ProviderId::KartaPokupok
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
}
