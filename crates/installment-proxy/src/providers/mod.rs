//! One adapter per provider behind one trait; each turns its provider's protocol into plans.

mod akinon;
mod craftgate;
mod freedompay;
mod karta_pokupok;
mod kartapay;

pub use akinon::Akinon;
pub use craftgate::{Craftgate, WEBHOOK_SIGNATURE_HEADER};
pub use freedompay::{
    FreedomPay, StatusAnswer, freedompay_status, freedompay_status_word, parse_xml, signed_xml,
};
pub use karta_pokupok::{KartaPokupok, karta_pokupok_status};
pub use kartapay::{
    Amount, Claim, KARTAPAY_SOURCES, KartaPay, Payer, Payment, PaymentList, Purchase, PurchaseItem,
    kartapay_status, payment_id_from_next,
};

use crate::{intent::PricedOrder, store::Status};
use async_trait::async_trait;
use installment_core::{
    BinRange, CardAssociation, CardType, Currency, Decimal, Money, Plan, ProviderRules, TermMarkup,
};
use std::{fmt, time::Duration};

/// The five providers, by their stable API names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderId {
    /// Karta Pokupok (Belarus): interest-free installment card.
    KartaPokupok,
    /// KartaPay: bearer-authenticated payments with a plan.
    KartaPay,
    /// FreedomPay (Kazakhstan): bank installments and loans.
    FreedomPay,
    /// Akinon commerce (Turkey): cards and installments of a product or basket.
    Akinon,
    /// Craftgate (Turkey): installment search by price and BIN.
    Craftgate,
}

impl ProviderId {
    /// Every provider, in the order responses list them.
    pub const ALL: [Self; 5] = [
        Self::KartaPokupok,
        Self::KartaPay,
        Self::FreedomPay,
        Self::Akinon,
        Self::Craftgate,
    ];

    /// The API name: `karta_pokupok`, `kartapay`, `freedompay`, `akinon`, `craftgate`.
    ///
    /// ```
    /// use installment_proxy::ProviderId;
    /// assert_eq!(ProviderId::KartaPokupok.as_str(), "karta_pokupok");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::KartaPokupok => "karta_pokupok",
            Self::KartaPay => "kartapay",
            Self::FreedomPay => "freedompay",
            Self::Akinon => "akinon",
            Self::Craftgate => "craftgate",
        }
    }

    /// The name shown to shoppers.
    ///
    /// ```
    /// use installment_proxy::ProviderId;
    /// assert_eq!(ProviderId::FreedomPay.display_name(), "FreedomPay");
    /// ```
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::KartaPokupok => "Karta Pokupok",
            Self::KartaPay => "KartaPay",
            Self::FreedomPay => "FreedomPay",
            Self::Akinon => "Akinon",
            Self::Craftgate => "Craftgate",
        }
    }

    /// The country calling code of a national provider's shoppers: Karta Pokupok's card is
    /// Belarusian (`+375`), FreedomPay's installments Kazakh (`+7`).
    ///
    /// ```
    /// use installment_proxy::ProviderId;
    /// assert_eq!(ProviderId::KartaPokupok.phone_prefix(), Some("+375"));
    /// assert_eq!(ProviderId::KartaPay.phone_prefix(), None);
    /// ```
    pub const fn phone_prefix(self) -> Option<&'static str> {
        match self {
            Self::KartaPokupok => Some("+375"),
            Self::FreedomPay => Some("+7"),
            _ => None,
        }
    }

    /// Whether applications need the shopper's e-mail and names: KartaPay's `Payer` requires
    /// `firstName`, `lastName` and `email`.
    ///
    /// ```
    /// use installment_proxy::ProviderId;
    /// assert!(ProviderId::KartaPay.asks_for_payer());
    /// assert!(!ProviderId::FreedomPay.asks_for_payer());
    /// ```
    pub const fn asks_for_payer(self) -> bool {
        matches!(self, Self::KartaPay)
    }

    /// Parses an API name.
    ///
    /// ```
    /// use installment_proxy::ProviderId;
    /// assert_eq!(ProviderId::parse("craftgate"), Some(ProviderId::Craftgate));
    /// assert_eq!(ProviderId::parse("paypal"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|id| id.as_str() == name)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a provider gave no answer. Its details go to the server log, not to the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// No answer within the configured time.
    Timeout,
    /// Connection refused, reset, DNS failure.
    Unreachable(String),
    /// An HTTP error status, with the provider's own error text.
    Status(u16, String),
    /// An answer that does not parse as the protocol says.
    Malformed(String),
    /// An answer whose signature does not verify.
    BadSignature,
    /// The provider refused the request in its own terms (`pg_status=error`, error envelope).
    Refused(String),
    /// The provider refused the merchant's credentials or signature: a configuration error.
    Unauthorized(String),
    /// The provider has no such thing (Craftgate's 404 for an unknown BIN).
    NotFound(String),
}

impl ProviderError {
    /// Stable reason for API responses: `timeout`, `unreachable`, `http_error`,
    /// `malformed_response`, `bad_signature`, `refused`, `unauthorized`, `not_found`.
    ///
    /// ```
    /// use installment_proxy::ProviderError;
    /// assert_eq!(ProviderError::Timeout.reason(), "timeout");
    /// ```
    pub const fn reason(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Unreachable(_) => "unreachable",
            Self::Status(..) => "http_error",
            Self::Malformed(_) => "malformed_response",
            Self::BadSignature => "bad_signature",
            Self::Refused(_) => "refused",
            Self::Unauthorized(_) => "unauthorized",
            Self::NotFound(_) => "not_found",
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("no answer in time"),
            Self::Unreachable(detail) => write!(f, "unreachable: {detail}"),
            Self::Status(code, detail) => write!(f, "HTTP {code}: {detail}"),
            Self::Malformed(detail) => write!(f, "malformed answer: {detail}"),
            Self::BadSignature => f.write_str("the answer's signature does not verify"),
            Self::Refused(detail) => write!(f, "refused: {detail}"),
            Self::Unauthorized(detail) => write!(f, "credentials refused: {detail}"),
            Self::NotFound(detail) => write!(f, "not found: {detail}"),
        }
    }
}

impl std::error::Error for ProviderError {}

impl From<reqwest::Error> for ProviderError {
    fn from(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_decode() {
            Self::Malformed(error.to_string())
        } else {
            // Strip the URL: it may carry a query a log need not keep.
            Self::Unreachable(error.without_url().to_string())
        }
    }
}

impl From<installment_core::Error> for ProviderError {
    fn from(error: installment_core::Error) -> Self {
        Self::Malformed(error.to_string())
    }
}

/// The shopper's Akinon session, passed through for one call and never stored or cached.
#[derive(Clone)]
pub struct ShopperSession {
    /// The `Cookie` header value (`osessionid=...; csrftoken=...`).
    pub cookie: String,
    /// The `X-CSRFToken` header value.
    pub csrf_token: String,
    /// `basket` or `pre_order`.
    pub pre_order: bool,
}

impl fmt::Debug for ShopperSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShopperSession(***)")
    }
}

/// What `/api/v1/offers` asks every provider.
#[derive(Debug, Clone)]
pub struct OfferQuery {
    /// The price to finance.
    pub amount: Money,
    /// The product's category code, when the shop sent one.
    pub category: Option<String>,
    /// The first 6 to 8 digits of the shopper's card.
    pub bin: Option<String>,
    /// The shop's product id (Akinon prices per product).
    pub product: Option<String>,
    /// The shopper's Akinon session, for basket and pre-order offers.
    pub session: Option<ShopperSession>,
}

/// Which parts of an offers query a provider's answer depends on: only they enter its
/// cache key, so queries that differ in what it ignores share one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferInputs {
    /// The product category.
    pub category: bool,
    /// The card's BIN.
    pub bin: bool,
    /// The product id.
    pub product: bool,
    /// The shopper's own session: an answer for it is never cached.
    pub session: bool,
}

impl OfferInputs {
    /// Every part: the safe default for a provider that says nothing.
    pub const ALL: Self = Self {
        category: true,
        bin: true,
        product: true,
        session: true,
    };
}

impl OfferQuery {
    /// A key that identifies the answer of a provider depending on `inputs`; `None` when it
    /// must not be cached (the provider reads the shopper's session, and one is given).
    ///
    /// ```
    /// use installment_core::{Currency, Money};
    /// use installment_proxy::{OfferQuery, providers::OfferInputs};
    /// let amount = Money::parse("100", Currency::from_code("TRY")?)?;
    /// let query = |bin: Option<&str>| OfferQuery { amount, category: None, bin: bin.map(Into::into), product: None, session: None };
    /// let ignores_bins = OfferInputs { bin: false, ..OfferInputs::ALL };
    /// assert_eq!(query(Some("41111111")).cache_key(ignores_bins), query(None).cache_key(ignores_bins));
    /// assert_ne!(query(Some("41111111")).cache_key(OfferInputs::ALL), query(None).cache_key(OfferInputs::ALL));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn cache_key(&self, inputs: OfferInputs) -> Option<String> {
        if inputs.session && self.session.is_some() {
            return None;
        }
        fn part(used: bool, value: &Option<String>) -> &str {
            if used {
                value.as_deref().unwrap_or("")
            } else {
                "*"
            }
        }
        Some(format!(
            "{}|{}|{}|{}|{}",
            self.amount.currency().code(),
            self.amount,
            part(inputs.category, &self.category),
            part(inputs.bin, &self.bin),
            part(inputs.product, &self.product)
        ))
    }
}

/// A provider's decimal, exactly, whether its JSON holds a number (`40.808`, read by its
/// exact text: serde_json keeps it with `arbitrary_precision`) or a string (`"40.8080"`).
///
/// ```
/// # use installment_proxy::providers::provider_decimal;
/// let value: serde_json::Value = serde_json::from_str("40.8080")?;
/// assert_eq!(provider_decimal(&value)?.to_string(), "40.8080");
/// assert_eq!(provider_decimal(&serde_json::json!("1.00"))?.to_string(), "1.00");
/// assert!(provider_decimal(&serde_json::json!(-1)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn provider_decimal(value: &serde_json::Value) -> Result<Decimal, ProviderError> {
    let text = match value {
        serde_json::Value::Number(number) => number.to_string(),
        serde_json::Value::String(text) => text.clone(),
        other => {
            return Err(ProviderError::Malformed(format!(
                "expected a decimal, found {other}"
            )));
        }
    };
    Ok(installment_core::parse_decimal(&text)?)
}

/// [`provider_decimal`] as a serde field reader (`#[serde(deserialize_with = ...)]`).
pub(crate) fn deserialize_decimal<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Decimal, D::Error> {
    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    provider_decimal(&value).map_err(serde::de::Error::custom)
}

/// How a provider's own decimals are shown: as the provider gave them, rounded only to the
/// currency's minor unit, half up (design: "rules of money").
pub(crate) const QUOTE_ROUNDING: installment_core::Rounding = installment_core::Rounding::HalfUp;

/// A provider-quoted plan of `months` for `price` from the provider's installment and total;
/// `None` for the single payment, which is no installment plan.
pub(crate) fn quoted_plan(
    price: Money,
    months: u32,
    installment: Decimal,
    total: Decimal,
) -> Result<Option<Plan>, ProviderError> {
    if months <= 1 {
        return Ok(None);
    }
    let shown = |value| Money::from_decimal_rounded(value, price.currency(), QUOTE_ROUNDING);
    Ok(Some(Plan::quoted(
        price,
        months,
        shown(installment)?,
        shown(total)?,
    )?))
}

/// Reads each element of a provider's list on its own, so that one the adapter cannot use
/// drops only itself: its reason goes to the log, the others are kept. `read` answers
/// `Ok(None)` for an element that is fine but offers nothing.
pub(crate) fn each_readable<T: serde::de::DeserializeOwned, U>(
    provider: ProviderId,
    what: &str,
    items: Vec<serde_json::Value>,
    mut read: impl FnMut(T) -> Result<Option<U>, ProviderError>,
) -> Vec<U> {
    let mut kept = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let outcome = serde_json::from_value::<T>(item)
            .map_err(|e| ProviderError::Malformed(e.to_string()))
            .and_then(&mut read);
        match outcome {
            Ok(element) => kept.extend(element),
            Err(error) => tracing::warn!(%provider, "{what}[{index}] dropped: {error}"),
        }
    }
    kept
}

/// One card (or, for card-agnostic providers, the provider itself) and its plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOffer {
    /// Scheme, when known.
    pub association: Option<CardAssociation>,
    /// Card programme (Bonus, World, Karta Pokupok ...); `None` for any card.
    pub family: Option<String>,
    /// Issuing bank, when known.
    pub bank: Option<String>,
    /// Credit, debit or prepaid, when known.
    pub card_type: Option<CardType>,
    /// Plans, shortest term first; never empty.
    pub plans: Vec<Plan>,
}

/// Rates of one card family, for badges computed in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyRates {
    /// Card programme.
    pub family: String,
    /// Scheme.
    pub association: Option<CardAssociation>,
    /// Issuing bank.
    pub bank: Option<String>,
    /// Markup per term (zero for interest-free).
    pub markups: Vec<TermMarkup>,
}

/// A provider's conditions in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RulesAnswer {
    /// Amount bounds, terms and markups; empty when the provider has none in the currency.
    pub rules: Vec<ProviderRules>,
    /// Rates per card family, where the provider prices by card.
    pub families: Vec<FamilyRates>,
}

/// What every adapter does. Errors are the provider's, never a panic.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Which provider this is.
    fn id(&self) -> ProviderId;

    /// Conditions in `currency`, for badges computed locally on a listing page.
    async fn rules(&self, currency: Currency) -> Result<RulesAnswer, ProviderError>;

    /// Exact offers for one amount; an empty list when nothing is eligible.
    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError>;

    /// What the provider knows of a BIN, for BINs the local table lacks.
    async fn bin(&self, _bin: &str) -> Result<Option<BinRange>, ProviderError> {
        Ok(None)
    }

    /// Whether [`Provider::bin`] asks the provider (only then is it worth a call).
    fn looks_up_bins(&self) -> bool {
        false
    }

    /// Which parts of an offers query the answer depends on (see [`OfferInputs`]).
    fn offer_inputs(&self) -> OfferInputs {
        OfferInputs::ALL
    }

    /// Whether offers depend on a live call (and so are worth caching).
    fn offers_are_remote(&self) -> bool {
        true
    }

    /// Whether the provider takes installment applications through its API. Craftgate and
    /// Akinon supply offers only: the payment is made in their own checkout.
    fn takes_applications(&self) -> bool {
        false
    }

    /// Asks the provider for an application for a priced order; the shopper then confirms
    /// it on the provider's form at `redirect_url`.
    async fn create_application(
        &self,
        _request: &ApplicationRequest,
    ) -> Result<CreatedApplication, ProviderError> {
        Err(ProviderError::Refused(format!(
            "{} takes no applications",
            self.id()
        )))
    }

    /// Cancels an application at the provider; the provider's status word after it. Only
    /// where the provider's API has a cancel (KartaPay's "Cancel a payment").
    async fn cancel_application(&self, _provider_ref: &str) -> Result<String, ProviderError> {
        Err(ProviderError::Refused(format!(
            "{} offers no cancel through its API",
            self.id()
        )))
    }

    /// Whether [`Provider::cancel_application`] is supported.
    fn cancels(&self) -> bool {
        false
    }

    /// The provider's own status word for an application, asked live.
    async fn application_status(
        &self,
        _provider_ref: &str,
    ) -> Result<ProviderStatus, ProviderError> {
        Err(ProviderError::Refused(format!(
            "{} takes no applications",
            self.id()
        )))
    }

    /// The provider's status word, normalized.
    fn normalize_status(&self, _provider_status: &str) -> Status {
        Status::Pending
    }

    /// Whether the proxy trusts webhooks from this provider, so that a pending application
    /// may wait for one; a provider that does not is read at once when asked about.
    fn notifies(&self) -> bool {
        true
    }

    /// Whether the provider may notify by `GET` (the fields in the query), as FreedomPay's
    /// `pg_request_method = GET` does; the query is then verified as the body would be.
    fn notifies_by_get(&self) -> bool {
        false
    }

    /// A webhook call verified exactly as the provider signs it.
    fn verify_webhook(
        &self,
        _headers: &axum::http::HeaderMap,
        _body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        Err(WebhookError::Unsupported)
    }

    /// The answer to a verified, stored webhook `body`: `refusal` says why the proxy does
    /// not accept what it reports (an unknown application, another amount). Most providers
    /// take a plain `OK`: the event is stored either way.
    fn webhook_reply(&self, _body: &[u8], _refusal: Option<&str>) -> axum::response::Response {
        axum::response::IntoResponse::into_response("OK")
    }
}

/// What the proxy asks a provider to open: the order it priced itself, never the browser's.
#[derive(Debug, Clone)]
pub struct ApplicationRequest {
    /// The proxy's id of the application.
    pub id: String,
    /// The order, priced by the catalog or a verified intent.
    pub order: PricedOrder,
    /// Number of payments.
    pub months: u32,
    /// The shopper's phone, for the provider's SMS code.
    pub phone: String,
    /// The shopper's e-mail; empty unless given.
    pub email: String,
    /// The shopper's given name, for providers that ask for it
    /// ([`ProviderId::asks_for_payer`]); empty otherwise.
    pub first_name: String,
    /// The shopper's family name, likewise.
    pub last_name: String,
    /// Where the provider posts its webhook.
    pub callback_url: String,
    /// Where the shopper returns after confirming.
    pub success_url: String,
    /// Where the shopper returns after a refusal.
    pub fail_url: String,
}

/// The provider's answer to a new application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedApplication {
    /// The provider's own id.
    pub provider_ref: String,
    /// The provider's form.
    pub redirect_url: String,
    /// The provider's status word, when its answer has one (Karta Pokupok's does not:
    /// a new application is pending).
    pub provider_status: Option<String>,
}

/// A verified webhook call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// Identifies the event: the same delivery twice has the same key.
    pub event_key: String,
    /// The provider's id of the application.
    pub provider_ref: String,
    /// The provider's status word.
    pub provider_status: String,
    /// The status, normalized.
    pub status: Status,
    /// The amount the provider reports, for providers whose protocol carries one: checked
    /// against the stored application before the status is applied.
    pub amount: Option<ReportedAmount>,
    /// When the signature covers only some fields of the body (Craftgate's): those fields,
    /// stored as the event, and the rest, kept apart as unverified. `None`: the whole body is
    /// signed.
    pub signed_part: Option<SignedPart>,
}

/// A body split by what its signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPart {
    /// The signed fields, as JSON.
    pub verified: Vec<u8>,
    /// Every other field, as JSON; nothing of it may be trusted.
    pub unverified: Vec<u8>,
}

/// What a provider says of an application when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderStatus {
    /// The provider's status word.
    pub word: String,
    /// The amount it reports, for providers whose answer carries one.
    pub amount: Option<ReportedAmount>,
}

/// An amount as a provider reports it: the exact text of its number or string (`"1.00"`,
/// `1`, `1.0` alike), and its currency code when the provider names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedAmount {
    /// The decimal's text; empty when the provider left it out.
    pub amount: String,
    /// The ISO code, when reported.
    pub currency: Option<String>,
}

impl ReportedAmount {
    /// From a JSON amount of any type and an optional currency field.
    pub fn from_json(amount: &serde_json::Value, currency: &serde_json::Value) -> Self {
        Self {
            amount: match amount {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                _ => String::new(),
            },
            currency: currency.as_str().map(str::to_owned),
        }
    }

    /// Whether this is exactly `expected`: the same value in minor units, and the same
    /// currency when one is reported. Anything unreadable (no amount, `1e2`, an unknown
    /// currency) is not.
    ///
    /// ```
    /// use installment_core::{Currency, Money};
    /// use installment_proxy::providers::ReportedAmount;
    /// let price = Money::parse("1", Currency::from_code("BYN")?)?;
    /// let reported = |amount: serde_json::Value, currency| ReportedAmount::from_json(&amount, &currency);
    /// assert!(reported(serde_json::json!("1.00"), serde_json::json!("BYN")).is(price));
    /// assert!(reported(serde_json::json!(1), serde_json::Value::Null).is(price));
    /// assert!(!reported(serde_json::json!(1.0), serde_json::json!("KZT")).is(price));
    /// assert!(!reported(serde_json::json!("1e0"), serde_json::json!("BYN")).is(price));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn is(&self, expected: Money) -> bool {
        let currency_agrees = self
            .currency
            .as_deref()
            .is_none_or(|code| code == expected.currency().code());
        let amount = installment_core::parse_decimal(&self.amount)
            .and_then(|value| Money::from_decimal(value, expected.currency()));
        currency_agrees && amount == Ok(expected)
    }
}

/// Why a webhook call is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// Unsigned, or signed with another key: 403, and nothing changes.
    Forged,
    /// Signed, but not what the provider sends.
    Malformed(String),
    /// This provider sends no webhooks to the proxy.
    Unsupported,
}

/// An HTTP client with the provider's timeout: no redirects, no proxies from the environment.
pub(crate) fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("installment-proxy/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with static settings builds")
}

/// The body of an error status, shortened for the log.
pub(crate) async fn status_error(response: reqwest::Response) -> ProviderError {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    ProviderError::Status(status, body.chars().take(300).collect())
}

/// A JSON answer read as `T`: a non-2xx status is [`ProviderError::Status`], a body that is
/// not `T` is [`ProviderError::Malformed`] naming `what` was asked.
pub(crate) async fn json_answer<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, ProviderError> {
    if !response.status().is_success() {
        return Err(status_error(response).await);
    }
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|e| ProviderError::Malformed(format!("{what}: {e}")))
}

/// Plans from local rules: for providers whose API has no offers endpoint, the merchant's
/// contract conditions are the offer.
pub(crate) fn plans_from_rules(
    rules: &[ProviderRules],
    query: &OfferQuery,
) -> Result<Vec<CardOffer>, ProviderError> {
    let mut offers = Vec::new();
    for set in rules
        .iter()
        .filter(|r| r.currency == query.amount.currency())
    {
        let plans = set
            .plans(query.amount, query.category.as_deref())
            .map_err(|e| ProviderError::Malformed(e.to_string()))?;
        if !plans.is_empty() {
            offers.push(CardOffer {
                association: None,
                family: None,
                bank: None,
                card_type: None,
                plans,
            });
        }
    }
    Ok(offers)
}

/// Rules in one currency.
pub(crate) fn rules_in(rules: &[ProviderRules], currency: Currency) -> RulesAnswer {
    RulesAnswer {
        rules: rules
            .iter()
            .filter(|r| r.currency == currency)
            .cloned()
            .collect(),
        families: Vec::new(),
    }
}
