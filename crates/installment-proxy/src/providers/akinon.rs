//! Akinon commerce: cards with installments for a product (public), the basket and the
//! pre-order (the shopper's own session, passed through for the one call, never stored).

use super::{
    CardOffer, OfferInputs, OfferQuery, Provider, ProviderError, ProviderId, RulesAnswer,
    deserialize_decimal, each_readable, http_client, json_answer, quoted_plan,
};
use crate::config::AkinonConfig;
use async_trait::async_trait;
use installment_core::{Currency, Decimal, Money};
use serde::Deserialize;
use std::time::Duration;

/// The Akinon adapter.
pub struct Akinon {
    config: AkinonConfig,
    client: reqwest::Client,
}

// The card/bank envelope around installment options is unverified (providers.md): all of
// its parsing lives in these types and `card_offer`.

/// A paginated list of cards; each card, and each of its options, is read on its own so
/// that one malformed drops only itself ([`each_readable`]).
#[derive(Deserialize)]
struct CardPage {
    results: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Card {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    bank: Option<Named>,
    #[serde(default)]
    card_type: Option<Named>,
    installments: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct InstallmentOption {
    installment_count: u32,
    #[serde(deserialize_with = "deserialize_decimal")]
    price_with_accrued_interest: Decimal,
    #[serde(deserialize_with = "deserialize_decimal")]
    monthly_price_with_accrued_interest: Decimal,
}

fn card_offer(card: Card, price: Money) -> Result<Option<CardOffer>, ProviderError> {
    let plans = each_readable(
        ProviderId::Akinon,
        "installments",
        card.installments,
        |option: InstallmentOption| {
            quoted_plan(
                price,
                option.installment_count,
                option.monthly_price_with_accrued_interest,
                option.price_with_accrued_interest,
            )
        },
    );
    if plans.is_empty() {
        return Ok(None);
    }
    Ok(Some(CardOffer {
        association: None,
        family: card.card_type.map(|t| t.name).or(card.name),
        bank: card.bank.map(|b| b.name),
        card_type: None,
        plans,
    }))
}

impl Akinon {
    /// An adapter for `config`.
    pub fn new(config: AkinonConfig, timeout: Duration) -> Self {
        Self {
            config,
            client: http_client(timeout),
        }
    }
}

#[async_trait]
impl Provider for Akinon {
    fn id(&self) -> ProviderId {
        ProviderId::Akinon
    }

    /// Akinon prices a product, or the shopper's own basket (never cached).
    fn offer_inputs(&self) -> OfferInputs {
        OfferInputs {
            category: false,
            bin: false,
            product: true,
            session: true,
        }
    }

    /// Akinon prices per product and basket: there are no rules to compute badges from.
    async fn rules(&self, _currency: Currency) -> Result<RulesAnswer, ProviderError> {
        Ok(RulesAnswer::default())
    }

    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError> {
        let request = match (&query.product, &query.session) {
            (Some(product), _) => self.client.get(format!(
                "{}/payments/cards/product/{product}/",
                self.config.base_url
            )),
            (None, Some(session)) => {
                let scope = if session.pre_order {
                    "pre-order"
                } else {
                    "basket"
                };
                self.client
                    .get(format!("{}/payments/cards/{scope}/", self.config.base_url))
                    .header("Cookie", &session.cookie)
                    .header("X-CSRFToken", &session.csrf_token)
            }
            // Without a product or a basket there is nothing to price.
            (None, None) => return Ok(Vec::new()),
        };
        let response = request.header("Accept-Language", "tr").send().await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        let page: CardPage = json_answer(response, "cards").await?;
        Ok(each_readable(
            ProviderId::Akinon,
            "results",
            page.results,
            |card: Card| card_offer(card, query.amount),
        ))
    }
}
