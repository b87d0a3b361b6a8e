//! Craftgate: installment search by price (and BIN), BIN lookup; every request signed with
//! `x-signature`, answers in the `{"data": ...}` / `{"errors": ...}` envelope.

use super::{
    CardOffer, FamilyRates, OfferQuery, Provider, ProviderError, ProviderId, RulesAnswer,
    WebhookError, WebhookEvent, http_client,
};
use crate::{
    config::CraftgateConfig,
    signature::{constant_time_eq, craftgate_request_signature, craftgate_webhook_signature},
    store::Status,
};
use async_trait::async_trait;
use installment_core::{
    BinRange, CardAssociation, CardType, Currency, Money, Plan, ProviderRules, Rate, Rounding,
    TermBand, TermMarkup,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::{Rng, distr::Alphanumeric};
use serde::{Deserialize, de::DeserializeOwned};
use std::{collections::BTreeMap, time::Duration};

/// Craftgate's prices carry four places; they are rounded to the currency half up. The
/// installment only cross-checks the total: the payments shown are the total split with the
/// larger ones first, so the shopper never sees less than they pay.
const INSTALLMENT_ROUNDING: Rounding = Rounding::HalfUp;
/// See [`INSTALLMENT_ROUNDING`].
const TOTAL_ROUNDING: Rounding = Rounding::HalfUp;
/// Categories whose baskets may not be split on a personal card (seed 004, `commercial`).
const PERSONAL_CARD_SINGLE_PAYMENT: &[&str] = &["food", "groceries"];
/// The price at which rates are read off: `totalPrice − 100` is the rate in percent, exactly.
const REFERENCE_PRICE: &str = "100.00";

/// Unreserved characters stay as they are; everything else, space included, is `%XX`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The header of Craftgate's webhook signature (*unverified*: from Craftgate's documentation
/// as remembered, not from a seed; kept in this one place).
pub const WEBHOOK_SIGNATURE_HEADER: &str = "X-CG-SIGNATURE-V1";

/// A Craftgate webhook call's body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookBody {
    event_type: String,
    event_timestamp: serde_json::Number,
    status: String,
    /// A number or a string.
    payload_id: serde_json::Value,
}

/// The Craftgate adapter.
pub struct Craftgate {
    config: CraftgateConfig,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    errors: ErrorBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    error_code: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct Items {
    items: Vec<Installment>,
}

/// One card family's prices.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Installment {
    card_type: Option<String>,
    card_association: Option<String>,
    card_brand: Option<String>,
    bank_name: Option<String>,
    #[serde(default)]
    commercial: bool,
    installment_prices: Vec<InstallmentPrice>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstallmentPrice {
    installment_number: u32,
    installment_price: serde_json::Number,
    total_price: serde_json::Number,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BinAnswer {
    bin_number: String,
    card_type: Option<String>,
    card_association: Option<String>,
    card_brand: Option<String>,
    bank_name: Option<String>,
    bank_code: Option<u32>,
    #[serde(default)]
    commercial: bool,
}

/// A fresh `x-rnd-key`.
fn random_key() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

/// A decimal from the wire (kept as its exact text: serde_json's `arbitrary_precision`),
/// rounded to the currency by a named strategy.
fn money(
    number: &serde_json::Number,
    currency: Currency,
    rounding: Rounding,
) -> Result<Money, ProviderError> {
    Ok(Money::parse_rounded(
        &number.to_string(),
        currency,
        rounding,
    )?)
}

/// `totalPrice` at the reference price of 100 as a rate: `102.0167` is `0.020167`.
fn rate_at_reference(total: &serde_json::Number) -> Result<Rate, ProviderError> {
    let text = total.to_string();
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let hundredths: u64 = integer
        .parse()
        .map_err(|_| ProviderError::Malformed(format!("totalPrice {text}")))?;
    let excess = hundredths.saturating_sub(100);
    if hundredths < 100 {
        return Ok(Rate::ZERO);
    }
    // (excess + 0.fraction) / 100, written out as a decimal.
    let digits = format!("{excess}{fraction}");
    let places = fraction.len() + 2;
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (whole, decimals) = padded.split_at(padded.len() - places);
    Ok(Rate::parse(&format!("{whole}.{decimals}"))?)
}

impl Craftgate {
    /// An adapter for `config`.
    pub fn new(config: CraftgateConfig, timeout: Duration) -> Self {
        Self {
            config,
            client: http_client(timeout),
        }
    }

    /// Signs and sends a GET; unwraps `{"data": T}`, turns `{"errors": ...}` into an error.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ProviderError> {
        let mut url = format!("{}{path}", self.config.base_url);
        for (index, (key, value)) in query.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.extend(utf8_percent_encode(value, QUERY_VALUE));
        }
        let random = random_key();
        let signature = craftgate_request_signature(
            &url,
            self.config.api_key.expose(),
            self.config.secret_key.expose(),
            &random,
            None,
        );
        let response = self
            .client
            .get(&url)
            .header("x-api-key", self.config.api_key.expose())
            .header("x-rnd-key", &random)
            .header("x-auth-version", "v1")
            .header(
                "x-client-version",
                concat!("installment-proxy:", env!("CARGO_PKG_VERSION")),
            )
            .header("x-signature", signature)
            .header("Content-Type", "application/json")
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            return Err(match serde_json::from_slice::<ErrorEnvelope>(&body) {
                Ok(envelope) => ProviderError::Refused(format!(
                    "{} {}",
                    envelope.errors.error_code.unwrap_or_default(),
                    envelope.errors.error_description.unwrap_or_default()
                )),
                Err(_) => ProviderError::Status(
                    status.as_u16(),
                    String::from_utf8_lossy(&body).chars().take(300).collect(),
                ),
            });
        }
        serde_json::from_slice::<Envelope<T>>(&body)
            .map(|envelope| envelope.data)
            .map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))
    }

    /// `GET /installment/v1/installments`, one item per card family.
    async fn search(
        &self,
        price: &str,
        currency: Currency,
        bin: Option<&str>,
    ) -> Result<Vec<Installment>, ProviderError> {
        let mut query = vec![
            ("price", price),
            ("currency", currency.code()),
            ("distinctCardBrandsWithLowestCommissions", "true"),
        ];
        if let Some(bin) = bin {
            query.insert(0, ("binNumber", bin));
        }
        let items: Items = self.get("/installment/v1/installments", &query).await?;
        Ok(items.items)
    }
}

/// Scheme and card type from wire names; an unknown name is a malformed answer.
fn card_names(
    association: Option<&str>,
    card_type: Option<&str>,
) -> Result<(Option<CardAssociation>, Option<CardType>), ProviderError> {
    Ok((
        association.map(CardAssociation::parse).transpose()?,
        card_type.map(CardType::parse).transpose()?,
    ))
}

#[async_trait]
impl Provider for Craftgate {
    fn id(&self) -> ProviderId {
        ProviderId::Craftgate
    }

    /// Reads each family's rate per term off a search at a price of 100: the badge then
    /// computes `total = price × (1 + rate)` for any price, as Craftgate does.
    async fn rules(&self, currency: Currency) -> Result<RulesAnswer, ProviderError> {
        let items = self.search(REFERENCE_PRICE, currency, None).await?;
        let mut families = Vec::new();
        let mut cheapest: BTreeMap<u32, Rate> = BTreeMap::new();
        for item in items {
            let (association, _) =
                card_names(item.card_association.as_deref(), item.card_type.as_deref())?;
            let mut markups = Vec::new();
            for price in item
                .installment_prices
                .iter()
                .filter(|p| p.installment_number > 1)
            {
                let rate = rate_at_reference(&price.total_price)?;
                markups.push(TermMarkup {
                    months: price.installment_number,
                    rate,
                });
                let best = cheapest.entry(price.installment_number).or_insert(rate);
                let ((a, b), (c, d)) = (rate.as_fraction(), best.as_fraction());
                if u128::from(a) * u128::from(d) < u128::from(c) * u128::from(b) {
                    *best = rate;
                }
            }
            if !markups.is_empty() {
                families.push(FamilyRates {
                    family: item.card_brand.unwrap_or_else(|| "—".to_owned()),
                    association,
                    bank: item.bank_name,
                    markups,
                });
            }
        }
        if cheapest.is_empty() {
            return Ok(RulesAnswer::default());
        }
        let unit = Money::from_minor(1, currency);
        let rules = ProviderRules {
            provider: ProviderId::Craftgate.as_str().to_owned(),
            display_name: ProviderId::Craftgate.display_name().to_owned(),
            currency,
            min_amount: unit,
            max_amount: Money::parse("1000000", currency)?,
            bands: vec![TermBand {
                min: unit,
                max: None,
                terms: cheapest.keys().copied().collect(),
            }],
            categories: PERSONAL_CARD_SINGLE_PAYMENT
                .iter()
                .map(|c| installment_core::CategoryTerms {
                    category: (*c).to_owned(),
                    terms: Vec::new(),
                })
                .collect(),
            markups: cheapest
                .into_iter()
                .map(|(months, rate)| TermMarkup { months, rate })
                .collect(),
            rounding: TOTAL_ROUNDING,
        };
        rules.validate()?;
        Ok(RulesAnswer {
            rules: vec![rules],
            families,
        })
    }

    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError> {
        let currency = query.amount.currency();
        let single_payment_only = query
            .category
            .as_deref()
            .is_some_and(|c| PERSONAL_CARD_SINGLE_PAYMENT.contains(&c));
        let items = self
            .search(&query.amount.to_string(), currency, query.bin.as_deref())
            .await?;
        let mut offers = Vec::new();
        for item in items {
            if single_payment_only && !item.commercial {
                continue;
            }
            let (association, card_type) =
                card_names(item.card_association.as_deref(), item.card_type.as_deref())?;
            let plans = item
                .installment_prices
                .iter()
                .filter(|p| p.installment_number > 1)
                .map(|p| {
                    Ok(Plan::quoted(
                        query.amount,
                        p.installment_number,
                        money(&p.installment_price, currency, INSTALLMENT_ROUNDING)?,
                        money(&p.total_price, currency, TOTAL_ROUNDING)?,
                    )?)
                })
                .collect::<Result<Vec<_>, ProviderError>>()?;
            if !plans.is_empty() {
                offers.push(CardOffer {
                    association,
                    family: item.card_brand,
                    bank: item.bank_name,
                    card_type,
                    plans,
                });
            }
        }
        Ok(offers)
    }

    fn looks_up_bins(&self) -> bool {
        true
    }

    async fn bin(&self, bin: &str) -> Result<Option<BinRange>, ProviderError> {
        let answer: BinAnswer = match self.get(&format!("/installment/v1/bins/{bin}"), &[]).await {
            Ok(answer) => answer,
            Err(ProviderError::Refused(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let (association, card_type) = card_names(
            answer.card_association.as_deref(),
            answer.card_type.as_deref(),
        )?;
        let (first, last) = BinRange::span(&answer.bin_number)?;
        Ok(association.map(|association| BinRange {
            first,
            last,
            bank: answer.bank_name.unwrap_or_default(),
            bank_code: answer.bank_code,
            family: answer.card_brand.unwrap_or_default(),
            association,
            card_type: card_type.unwrap_or(CardType::Credit),
            commercial: answer.commercial,
            country: "TR".to_owned(),
        }))
    }

    /// Craftgate's webhook: `{eventType, eventTimestamp, status, payloadId}`, signed in
    /// [`WEBHOOK_SIGNATURE_HEADER`] by [`craftgate_webhook_signature`]. Craftgate takes no
    /// applications here, so the event is stored for the record and changes no status.
    fn verify_webhook(
        &self,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let received = headers
            .get(WEBHOOK_SIGNATURE_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or(WebhookError::Forged)?;
        // The signature covers fields of the body, so the body is read first; nothing of it
        // is used before the signature holds.
        let event: WebhookBody = serde_json::from_slice(body).map_err(|_| WebhookError::Forged)?;
        let timestamp = event.event_timestamp.to_string();
        let payload_id = match event.payload_id {
            serde_json::Value::String(text) => text,
            serde_json::Value::Number(number) => number.to_string(),
            _ => return Err(WebhookError::Forged),
        };
        let expected = craftgate_webhook_signature(
            self.config.webhook_key.expose(),
            &event.event_type,
            &timestamp,
            &event.status,
            &payload_id,
        );
        if !constant_time_eq(&expected, received) {
            return Err(WebhookError::Forged);
        }
        Ok(WebhookEvent {
            event_key: format!("{}:{payload_id}:{}", event.event_type, event.status),
            provider_ref: payload_id,
            provider_status: event.status,
            status: Status::Pending,
            amount: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_exactly_off_the_reference_price() {
        let cases = [
            ("102.0167", "0.020167"),
            ("100", "0"),
            ("100.0000", "0"),
            ("112.5", "0.125"),
            ("99.5", "0"),
            ("250.25", "1.5025"),
        ];
        for (total, rate) in cases {
            let number: serde_json::Number = serde_json::from_str(total).unwrap();
            assert_eq!(
                rate_at_reference(&number).unwrap(),
                Rate::parse(rate).unwrap(),
                "{total}"
            );
        }
    }
}
