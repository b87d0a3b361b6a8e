//! Craftgate: installment search by price (and BIN), BIN lookup; every request signed with
//! `x-signature`, answers in the `{"data": ...}` / `{"errors": ...}` envelope.

use super::{
    CardOffer, FamilyRates, OfferInputs, OfferQuery, Provider, ProviderError, ProviderId,
    RulesAnswer, SignedPart, WebhookError, WebhookEvent, deserialize_decimal, each_readable,
    http_client, quoted_plan,
};
use crate::{
    config::CraftgateConfig,
    signature::{constant_time_eq, craftgate_request_signature, craftgate_webhook_signature},
    store::Status,
};
use async_trait::async_trait;
use installment_core::{
    BinRange, CardAssociation, CardType, Currency, Decimal, Money, ProviderRules, Rate, Rounding,
    TermBand, TermMarkup,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::{Rng, distr::Alphanumeric};
use serde::{Deserialize, de::DeserializeOwned};
use std::{collections::BTreeMap, time::Duration};

/// Badges do Craftgate's own arithmetic, `price × (1 + rate)` to four places half up, then
/// to the minor unit half up, with rates bounded from above (see [`rate_at_reference`]):
/// never below what Craftgate asks.
const RULES_ROUNDING: Rounding = Rounding::HalfUp;
/// Categories whose baskets may not be split on a personal card (seed 004, `commercial`).
const PERSONAL_CARD_SINGLE_PAYMENT: &[&str] = &["food", "groceries"];
/// The largest price the badge computes for, and the price rates are read off: at the
/// largest price the rounding of a four-place total is smallest in the rate (under 10^-10),
/// and a total equal to the price there means no markup at any smaller price.
const MAX_PRICE: &str = "1000000";
/// The places Craftgate rounds its prices to (providers.md); a price shown with fewer has
/// lost trailing zeros, not precision.
const PRICE_PLACES: u32 = 4;

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

/// The search's answer; each card family, and each of its prices, is read on its own so
/// that one Craftgate adds or garbles drops only itself ([`each_readable`]).
#[derive(Deserialize)]
struct Items {
    items: Vec<serde_json::Value>,
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
    installment_prices: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstallmentPrice {
    installment_number: u32,
    #[serde(deserialize_with = "deserialize_decimal")]
    installment_price: Decimal,
    #[serde(deserialize_with = "deserialize_decimal")]
    total_price: Decimal,
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

/// The rate implied by `totalPrice` at the reference price (the largest, [`MAX_PRICE`]),
/// bounded from above.
///
/// Craftgate rounds the total half up to its last place, so the exact total is below
/// `total + ½ unit` of that place; the rate read from that bound is never below Craftgate's
/// own, so Craftgate's arithmetic with it is never below Craftgate's at any price up to the
/// reference. A total equal to the reference price is a rate of exactly zero: any markup
/// would have shown at that price, so none shows at a smaller one either.
fn rate_at_reference(total: Decimal, reference: Decimal) -> Result<Rate, ProviderError> {
    if total <= reference {
        return Ok(Rate::ZERO);
    }
    let half_unit = Decimal::new(5, total.scale().max(PRICE_PLACES) + 1);
    let rate = total
        .checked_add(half_unit)
        .and_then(|bound| bound.checked_div(reference))
        .and_then(|factor| factor.checked_sub(Decimal::ONE))
        .ok_or_else(|| ProviderError::Malformed(format!("totalPrice {total}")))?;
    Ok(Rate::new(Rounding::Up.round(rate, Rate::MAX_PLACES))?)
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
                // A wrong key or signature is the merchant's configuration, never an answer
                // about the card: an error of its own, logged and counted.
                Ok(envelope) if matches!(status.as_u16(), 401 | 403) => {
                    ProviderError::Unauthorized(format!(
                        "{} {}",
                        envelope.errors.error_code.unwrap_or_default(),
                        envelope.errors.error_description.unwrap_or_default()
                    ))
                }
                Ok(envelope) if status.as_u16() == 404 => ProviderError::NotFound(format!(
                    "{} {}",
                    envelope.errors.error_code.unwrap_or_default(),
                    envelope.errors.error_description.unwrap_or_default()
                )),
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
    ) -> Result<Vec<serde_json::Value>, ProviderError> {
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

/// The four fields Craftgate's webhook signature covers, apart from the rest of the body:
/// only they are stored as verified.
const SIGNED_FIELDS: [&str; 4] = ["eventType", "eventTimestamp", "status", "payloadId"];

/// Splits a verified webhook body into its signed fields and the rest.
fn signed_part(body: &[u8]) -> SignedPart {
    let mut rest: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).unwrap_or_default();
    let signed: serde_json::Map<String, serde_json::Value> = SIGNED_FIELDS
        .iter()
        .filter_map(|key| rest.remove_entry(*key))
        .collect();
    SignedPart {
        verified: serde_json::to_vec(&signed).unwrap_or_default(),
        unverified: serde_json::to_vec(&rest).unwrap_or_default(),
    }
}

/// Scheme and card type from wire names. A name this proxy does not know yet (a scheme
/// Craftgate adds) leaves the field unknown, logged, rather than losing the family's plans.
fn card_names(
    association: Option<&str>,
    card_type: Option<&str>,
) -> (Option<CardAssociation>, Option<CardType>) {
    fn known<T>(name: &str, parsed: Result<T, installment_core::Error>) -> Option<T> {
        parsed
            .inspect_err(|_| tracing::warn!(provider = "craftgate", "unknown {name}: left unknown"))
            .ok()
    }
    (
        association.and_then(|a| known(a, CardAssociation::parse(a))),
        card_type.and_then(|t| known(t, CardType::parse(t))),
    )
}

#[async_trait]
impl Provider for Craftgate {
    fn id(&self) -> ProviderId {
        ProviderId::Craftgate
    }

    /// The installment search takes the price and the BIN; the category decides the food rule.
    fn offer_inputs(&self) -> OfferInputs {
        OfferInputs {
            category: true,
            bin: true,
            product: false,
            session: false,
        }
    }

    /// Reads each family's rate per term off a search at a price of 100: the badge then
    /// computes `total = price × (1 + rate)` for any price, as Craftgate does.
    async fn rules(&self, currency: Currency) -> Result<RulesAnswer, ProviderError> {
        let reference = Money::parse(MAX_PRICE, currency)?;
        let items = self.search(&reference.to_string(), currency, None).await?;
        let mut cheapest: BTreeMap<u32, Rate> = BTreeMap::new();
        let families = each_readable(
            ProviderId::Craftgate,
            "items",
            items,
            |item: Installment| {
                let (association, _) =
                    card_names(item.card_association.as_deref(), item.card_type.as_deref());
                let prices = each_readable(
                    ProviderId::Craftgate,
                    "installmentPrices",
                    item.installment_prices,
                    |price: InstallmentPrice| {
                        Ok((price.installment_number > 1).then_some(TermMarkup {
                            months: price.installment_number,
                            rate: rate_at_reference(price.total_price, reference.to_decimal())?,
                        }))
                    },
                );
                for markup in &prices {
                    let best = cheapest.entry(markup.months).or_insert(markup.rate);
                    *best = (*best).min(markup.rate);
                }
                Ok((!prices.is_empty()).then(|| FamilyRates {
                    family: item.card_brand.unwrap_or_else(|| "—".to_owned()),
                    association,
                    bank: item.bank_name,
                    markups: prices,
                }))
            },
        );
        if cheapest.is_empty() {
            return Ok(RulesAnswer::default());
        }
        let unit = Money::from_minor(1, currency);
        let rules = ProviderRules {
            provider: ProviderId::Craftgate.as_str().to_owned(),
            display_name: ProviderId::Craftgate.display_name().to_owned(),
            currency,
            min_amount: unit,
            max_amount: reference,
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
            rounding: RULES_ROUNDING,
            quote_places: Some(PRICE_PLACES),
        };
        rules.validate()?;
        Ok(RulesAnswer {
            rules: vec![rules],
            families,
        })
    }

    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError> {
        let currency = query.amount.currency();
        let single_payment_only = query.category.as_deref().is_some_and(|c| {
            PERSONAL_CARD_SINGLE_PAYMENT
                .iter()
                .any(|food| food.eq_ignore_ascii_case(c))
        });
        let items = self
            .search(&query.amount.to_string(), currency, query.bin.as_deref())
            .await?;
        let offers = each_readable(
            ProviderId::Craftgate,
            "items",
            items,
            |item: Installment| {
                if single_payment_only && !item.commercial {
                    return Ok(None);
                }
                let (association, card_type) =
                    card_names(item.card_association.as_deref(), item.card_type.as_deref());
                let plans = each_readable(
                    ProviderId::Craftgate,
                    "installmentPrices",
                    item.installment_prices,
                    |price: InstallmentPrice| {
                        quoted_plan(
                            query.amount,
                            price.installment_number,
                            price.installment_price,
                            price.total_price,
                        )
                    },
                );
                Ok((!plans.is_empty()).then_some(CardOffer {
                    association,
                    family: item.card_brand,
                    bank: item.bank_name,
                    card_type,
                    plans,
                }))
            },
        );
        Ok(offers)
    }

    fn looks_up_bins(&self) -> bool {
        true
    }

    async fn bin(&self, bin: &str) -> Result<Option<BinRange>, ProviderError> {
        let answer: BinAnswer = match self.get(&format!("/installment/v1/bins/{bin}"), &[]).await {
            Ok(answer) => answer,
            // Only "not found" means an unknown BIN; every other error is one.
            Err(ProviderError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let (association, card_type) = card_names(
            answer.card_association.as_deref(),
            answer.card_type.as_deref(),
        );
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
            signed_part: Some(signed_part(body)),
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
    fn only_the_signed_fields_of_a_webhook_are_verified() {
        let body = br#"{"eventType":"PAYMENT","eventTimestamp":1700000000,"status":"SUCCESS",
            "payloadId":42,"paidPrice":"1.00","conversationId":"order-7"}"#;
        let key = "hook";
        let signature = craftgate_webhook_signature(key, "PAYMENT", "1700000000", "SUCCESS", "42");
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(WEBHOOK_SIGNATURE_HEADER, signature.parse().unwrap());
        let adapter = Craftgate::new(
            CraftgateConfig {
                base_url: "http://127.0.0.1:9".into(),
                api_key: crate::Secret::new("k"),
                secret_key: crate::Secret::new("s"),
                webhook_key: crate::Secret::new(key),
            },
            Duration::from_secs(1),
        );
        let part = adapter
            .verify_webhook(&headers, body)
            .unwrap()
            .signed_part
            .unwrap();
        let as_json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
        assert_eq!(
            as_json(&part.verified),
            serde_json::json!({"eventType": "PAYMENT", "eventTimestamp": 1700000000,
                "status": "SUCCESS", "payloadId": 42})
        );
        assert_eq!(
            as_json(&part.unverified),
            serde_json::json!({"paidPrice": "1.00", "conversationId": "order-7"})
        );
    }

    #[test]
    fn rates_are_bounded_from_above_by_half_a_unit_of_the_last_place() {
        let cases = [
            // 10^6 × 1.02016649 = 1 020 166.49: half a unit of the fourth place above it.
            ("1020166.49", "0.02016649005"),
            ("1000000", "0"),
            ("1000000.0000", "0"),
            ("999999.5", "0"),
            ("1125000", "0.12500000005"),
            // Six places shown: half a unit of the sixth.
            ("1020166.490001", "0.0201664900015"),
        ];
        let reference = installment_core::parse_decimal(MAX_PRICE).unwrap();
        for (total, rate) in cases {
            let total = installment_core::parse_decimal(total).unwrap();
            assert_eq!(
                rate_at_reference(total, reference).unwrap(),
                Rate::parse(rate).unwrap(),
                "{total}"
            );
        }
    }
}
