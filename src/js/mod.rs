//! The npm package's calculator exports. Each is a few lines that call the core; objects
//! cross the boundary through serde-wasm-bindgen ([`to_js`], [`crate::fetch::read`]), and
//! every error becomes a JS `Error` with a stable `code` in [`throw`], so no input can reach
//! a wasm trap.

use crate::labels::labels as labels_of;
use crate::view::{CardView, PickerView, Storefront, WidgetError, card_prefix};
use installment_core::{
    CardAssociation, Currency, Error, Locale, Money, Plan, Quote, detect_card, format_money,
    parse_price_text,
};
use js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A value as JS reads it: plain objects, `null` for `None`, arrays for lists.
fn to_js(value: &impl Serialize) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A decimal amount: a string such as "299.90"; numbers are read through their shortest text. */
export type Amount = string | number;

/** One plan: every amount is a decimal string in the quote's currency. */
export interface PlanQuote {
  months: number;
  /** The largest payment: what "per month" means. */
  monthly: string;
  payments: string[];
  total: string;
  overpayment: string;
}

export interface Quote {
  currency: string;
  /** The plan with the smallest monthly payment; null when there are no terms. */
  from: PlanQuote | null;
  plans: PlanQuote[];
}

export interface CardInfo {
  /** As Craftgate spells it: "VISA", "MASTER_CARD", "AMEX", "TROY", "MIR", ... */
  association: string;
  lengths: number[];
  cvcLength: number;
}

/** The badge sentence in three parts; `amount` is the formatted monthly payment. */
export interface BadgeView {
  before: string;
  amount: string;
  after: string;
}

/** A plan as shown: formatted amounts, and the decimal strings for forms and events. */
export interface PlanView {
  months: number;
  term: string;
  monthly: string;
  total: string;
  overpayment: string;
  interest_free: boolean;
  payments: string[];
  monthly_amount: string;
  total_amount: string;
}

export interface ProviderView {
  provider: string;
  name: string;
  plans: PlanView[];
}

export interface CardView {
  association: string | null;
  family: string | null;
  bank: string | null;
}

export interface OfferView {
  provider: string;
  provider_name: string;
  family: string | null;
  association: string | null;
  bank: string | null;
  card: string;
  plans: PlanView[];
}

/** A phrase with a count per CLDR plural category; `{0}` is the count. */
export interface Plural {
  zero: string;
  one: string;
  two: string;
  few: string;
  many: string;
  other: string;
}

/** The widget's words; override any of them with an element's `labels` attribute (JSON). */
export interface Labels {
  months: Plural;
  per_month: string;
  total: string;
  overpayment: string;
  no_overpayment: string;
  plans: string;
  schedule: string;
  payment: string;
  card_digits: string;
  card_hint: string;
  no_plans_for_card: string;
  unavailable: string;
  any_card: string;
  phone: string;
  email: string;
  first_name: string;
  last_name: string;
  pay: string;
  checkout_failed: string;
  choice_cleared: string;
  term: string;
  /** `{0}` plans, from `{1}` a month: what the picker announces. */
  plans_available: Plural;
  learn_more: string;
  close: string;
  lender: string;
  terms: string;
  subject_to_approval: string;
  /** Below every provider's minimum; `{0}` is the amount installments start from. */
  available_from: string;
  /** The badge sentence with `{amount}` and `{provider}`; empty for the language's own. */
  badge: string;
}

export interface PickerView {
  offers: OfferView[];
  labels: Labels;
}

/** Errors thrown by this package carry a stable code: "invalid_amount", "unknown_currency", ... */
export interface InstallmentError extends Error {
  code: string;
}
"#;

/// Turns a core error into a thrown JS `Error` whose `code` property is stable.
fn throw(error: impl Into<Thrown>) -> JsValue {
    let Thrown { code, message } = error.into();
    let js_error = js_sys::Error::new(&message);
    let _ = Reflect::set(&js_error, &"code".into(), &code.into());
    js_error.into()
}

struct Thrown {
    code: &'static str,
    message: String,
}

impl From<Error> for Thrown {
    fn from(error: Error) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<WidgetError> for Thrown {
    fn from(error: WidgetError) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<String> for Thrown {
    fn from(message: String) -> Self {
        Self {
            code: "invalid_argument",
            message,
        }
    }
}

/// A JS amount as text: strings as given, numbers through their shortest decimal form.
fn amount_text(value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.as_f64().is_some() {
        let number: &js_sys::Number = value.unchecked_ref();
        return number
            .to_string_with_radix(10)
            .map(String::from)
            .map_err(|_| throw("amount is not a finite number".to_owned()));
    }
    Err(throw(format!(
        "amount must be a string such as \"299.90\" or a number, got {}",
        type_name(value)
    )))
}

fn type_name(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_default()
}

/// A whole number of months from a JS value, or a clear error. The number is read through
/// JS's own `toString`, which keeps float formatting out of the wasm.
fn months(value: &JsValue, what: &str) -> Result<u32, JsValue> {
    let text = js_sys::Number::is_safe_integer(value)
        .then(|| {
            value
                .unchecked_ref::<js_sys::Number>()
                .to_string_with_radix(10)
                .ok()
        })
        .flatten()
        .map(String::from);
    text.and_then(|text| text.parse::<u32>().ok())
        .ok_or_else(|| {
            throw(format!(
                "{what} must be a whole number of months, got {}",
                describe(value)
            ))
        })
}

/// A short description of a JS value for an error message.
fn describe(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| type_name(value))
}

/// A JS array of whole months.
fn month_list(terms: &JsValue) -> Result<Vec<u32>, JsValue> {
    if !Array::is_array(terms) {
        return Err(throw(
            "terms must be an array of months such as [3, 6, 12]".to_owned(),
        ));
    }
    Array::from(terms)
        .iter()
        .map(|t| months(&t, "each term"))
        .collect()
}

fn money(amount: &JsValue, currency: &str) -> Result<Money, JsValue> {
    let currency = Currency::from_code(currency).map_err(throw)?;
    Money::parse(&amount_text(amount)?, currency).map_err(throw)
}

/// A plan as `PlanQuote` declares it: every amount a decimal string.
#[derive(Serialize)]
struct PlanQuote {
    months: u32,
    monthly: String,
    payments: Vec<String>,
    total: String,
    overpayment: String,
}

impl From<&Plan> for PlanQuote {
    fn from(plan: &Plan) -> Self {
        Self {
            months: plan.months(),
            monthly: plan.monthly().to_string(),
            payments: plan.payments().iter().map(Money::to_string).collect(),
            total: plan.total().to_string(),
            overpayment: plan.overpayment().to_string(),
        }
    }
}

/// Splits `amount` into `count` installments that add up exactly, larger first.
#[wasm_bindgen(unchecked_return_type = "string[]")]
pub fn split(
    #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
    currency: &str,
    #[wasm_bindgen(unchecked_param_type = "number")] count: JsValue,
) -> Result<JsValue, JsValue> {
    let parts = money(&amount, currency)?
        .split(months(&count, "count")?)
        .map_err(throw)?;
    Ok(to_js(
        &parts.iter().map(Money::to_string).collect::<Vec<_>>(),
    ))
}

/// Interest-free plans of `amount` over each of `terms`, and the smallest monthly payment.
#[wasm_bindgen(unchecked_return_type = "Quote")]
pub fn quote(
    #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
    currency: &str,
    #[wasm_bindgen(unchecked_param_type = "number[]")] terms: JsValue,
) -> Result<JsValue, JsValue> {
    let price = money(&amount, currency)?;
    let quote = Quote::interest_free(price, &month_list(&terms)?).map_err(throw)?;
    #[derive(Serialize)]
    struct QuoteView {
        currency: &'static str,
        from: Option<PlanQuote>,
        plans: Vec<PlanQuote>,
    }
    Ok(to_js(&QuoteView {
        currency: price.currency().code(),
        from: quote.from().map(PlanQuote::from),
        plans: quote.plans.iter().map(PlanQuote::from).collect(),
    }))
}

/// The card association from the first digits, or `null` when they do not decide it.
#[wasm_bindgen(js_name = detectCard, unchecked_return_type = "CardInfo | null")]
pub fn detect_card_js(digits: &str) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct CardInfo {
        association: &'static str,
        lengths: &'static [u8],
        cvc_length: u8,
    }
    let card = detect_card(digits).map_err(throw)?.map(|info| CardInfo {
        association: info.association.as_str(),
        lengths: info.lengths,
        cvc_length: info.cvc_length,
    });
    Ok(to_js(&card))
}

/// `amount` in `currency` as CLDR formats it for `locale` (the same text as Node's full ICU).
#[wasm_bindgen(js_name = formatMoney)]
pub fn format_money_js(
    #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
    currency: &str,
    locale: &str,
) -> Result<String, JsValue> {
    let locale = Locale::from_tag(locale).map_err(throw)?;
    Ok(format_money(money(&amount, currency)?, locale))
}

/// `amount` as a plain decimal string in `currency` (`"1299.9"` gives `"1299.90"`), or the
/// error that names what is wrong with it: the check every badge and picker makes first.
#[wasm_bindgen(js_name = checkAmount)]
pub fn check_amount(
    #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
    currency: &str,
) -> Result<String, JsValue> {
    Ok(money(&amount, currency)?.to_string())
}

/// Reads a price as a shop shows it (`"1 299,90 Br"`) into a decimal string (`"1299.90"`).
#[wasm_bindgen(js_name = parsePrice)]
pub fn parse_price_js(
    text: &str,
    currency: &str,
    locale: Option<String>,
) -> Result<String, JsValue> {
    let currency = Currency::from_code(currency).map_err(throw)?;
    let locale = locale
        .as_deref()
        .map(Locale::from_tag)
        .transpose()
        .map_err(throw)?;
    Ok(parse_price_text(text, currency, locale)
        .map_err(throw)?
        .to_string())
}

/// A page's conditions from `GET /api/v1/rules`, read once and shared by every badge.
#[wasm_bindgen]
pub struct Rules(Storefront);

#[wasm_bindgen]
impl Rules {
    /// Reads the parsed body of `GET /api/v1/rules`; a malformed one throws
    /// `malformed_document`.
    pub fn read(
        #[wasm_bindgen(unchecked_param_type = "object")] document: JsValue,
    ) -> Result<Rules, JsValue> {
        crate::fetch::read(document)
            .and_then(Storefront::from_document)
            .map(Rules)
            .map_err(throw)
    }

    /// The currency every amount of these rules is in.
    #[wasm_bindgen(getter)]
    pub fn currency(&self) -> String {
        self.0.currency().code().to_owned()
    }

    /// The badge for `amount`, or `null` when no plan is eligible.
    #[wasm_bindgen(unchecked_return_type = "BadgeView | null")]
    pub fn badge(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
        locale: &str,
        category: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let (price, locale) = self.priced(&amount, locale)?;
        let badge = self
            .0
            .badge(price, category.as_deref(), locale, labels_of(locale));
        Ok(to_js(&badge.map_err(throw)?))
    }

    /// Every provider's plans for `amount`: the badge's details view.
    #[wasm_bindgen(unchecked_return_type = "ProviderView[]")]
    pub fn details(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
        locale: &str,
        category: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let (price, locale) = self.priced(&amount, locale)?;
        let details = self
            .0
            .details(price, category.as_deref(), locale, labels_of(locale));
        Ok(to_js(&details.map_err(throw)?))
    }

    /// The card as far as the digits tell: the scheme, from the first digit on. Never
    /// reads past the 8th digit. The family and bank are the proxy's to tell
    /// (`GET /api/v1/bins/{bin}`): the rules carry no BIN table, so they cost a page the same
    /// whatever the merchant's table holds.
    #[wasm_bindgen(unchecked_return_type = "CardView")]
    pub fn card(&self, digits: &str) -> JsValue {
        to_js(&CardView::from_digits(&card_prefix(digits)))
    }
}

impl Rules {
    /// The amount in the rules' currency and the locale, each checked, or the error naming it.
    fn priced(&self, amount: &JsValue, locale: &str) -> Result<(Money, Locale), JsValue> {
        let price = Money::parse(&amount_text(amount)?, self.0.currency()).map_err(throw)?;
        Ok((price, Locale::from_tag(locale).map_err(throw)?))
    }
}

/// The picker's offers from `GET /api/v1/offers`, formatted for one locale.
#[wasm_bindgen]
pub struct Offers(PickerView);

#[wasm_bindgen]
impl Offers {
    /// Reads the parsed body of `GET /api/v1/offers` and formats it for `locale`.
    pub fn read(
        #[wasm_bindgen(unchecked_param_type = "object")] document: JsValue,
        locale: &str,
    ) -> Result<Offers, JsValue> {
        let locale = Locale::from_tag(locale).map_err(throw)?;
        crate::fetch::read(document)
            .and_then(|document| PickerView::from_document(&document, locale, labels_of(locale)))
            .map(Offers)
            .map_err(throw)
    }

    /// Every offer with its plans, and the picker's labels.
    #[wasm_bindgen(unchecked_return_type = "PickerView")]
    pub fn view(&self) -> JsValue {
        to_js(&self.0)
    }

    /// Indexes of the offers open to a card of `family` and `association` (as a BIN table
    /// or `/api/v1/bins` names them; absent when unknown).
    #[wasm_bindgen(js_name = openTo, unchecked_return_type = "number[]")]
    pub fn open_to(
        &self,
        family: Option<String>,
        association: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let association = association
            .as_deref()
            .map(CardAssociation::parse)
            .transpose()
            .map_err(throw)?;
        Ok(to_js(&self.0.open_to_card(family.as_deref(), association)))
    }
}

/// The widget's labels in `locale`'s language.
#[wasm_bindgen(unchecked_return_type = "Labels")]
pub fn labels(locale: &str) -> Result<JsValue, JsValue> {
    let locale = Locale::from_tag(locale).map_err(throw)?;
    Ok(to_js(crate::labels::labels(locale)))
}
