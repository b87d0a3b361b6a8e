//! The npm package's exports. Each is a few lines that call the core; every error becomes a
//! JS `Error` (with a stable `code`) in [`throw`], so no input can reach a wasm trap.

use installment_core::{
    Currency, Error, Locale, Money, Plan, Quote, badge_text, detect_card, format_money,
    parse_price_text,
};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

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

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

fn strings<T: ToString>(items: &[T]) -> JsValue {
    items
        .iter()
        .map(|item| JsValue::from(item.to_string()))
        .collect::<Array>()
        .into()
}

fn plan_object(plan: &Plan) -> JsValue {
    object(&[
        ("months", plan.months().into()),
        ("monthly", plan.largest_payment().to_string().into()),
        ("payments", strings(plan.payments())),
        ("total", plan.total().to_string().into()),
        ("overpayment", plan.overpayment().to_string().into()),
    ])
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
    Ok(strings(&parts))
}

/// Interest-free plans of `amount` over each of `terms`, and the smallest monthly payment.
#[wasm_bindgen(unchecked_return_type = "Quote")]
pub fn quote(
    #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
    currency: &str,
    #[wasm_bindgen(unchecked_param_type = "number[]")] terms: JsValue,
) -> Result<JsValue, JsValue> {
    let price = money(&amount, currency)?;
    if !Array::is_array(&terms) {
        return Err(throw(
            "terms must be an array of months such as [3, 6, 12]".to_owned(),
        ));
    }
    let terms = Array::from(&terms)
        .iter()
        .map(|t| months(&t, "each term"))
        .collect::<Result<Vec<_>, _>>()?;
    let quote = Quote::interest_free(price, &terms).map_err(throw)?;
    let plans: Array = quote.plans.iter().map(plan_object).collect();
    Ok(object(&[
        ("currency", price.currency().code().into()),
        ("from", quote.from().map_or(JsValue::NULL, plan_object)),
        ("plans", plans.into()),
    ]))
}

/// The card association from the first digits, or `null` when they do not decide it.
#[wasm_bindgen(js_name = detectCard, unchecked_return_type = "CardInfo | null")]
pub fn detect_card_js(digits: &str) -> Result<JsValue, JsValue> {
    Ok(detect_card(digits)
        .map_err(throw)?
        .map_or(JsValue::NULL, |info| {
            object(&[
                ("association", info.association.as_str().into()),
                (
                    "lengths",
                    info.lengths
                        .iter()
                        .map(|&n| JsValue::from(n))
                        .collect::<Array>()
                        .into(),
                ),
                ("cvcLength", info.cvc_length.into()),
            ])
        }))
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

/// The badge sentence for the smallest monthly payment over `terms`, or `null` when there is
/// no plan: the same text a mounted badge shows.
#[wasm_bindgen(js_name = badgeText)]
pub fn badge_text_js(
    #[wasm_bindgen(unchecked_param_type = "Amount")] amount: JsValue,
    currency: &str,
    #[wasm_bindgen(unchecked_param_type = "number[]")] terms: JsValue,
    locale: &str,
    provider: Option<String>,
) -> Result<Option<String>, JsValue> {
    let price = money(&amount, currency)?;
    let locale = Locale::from_tag(locale).map_err(throw)?;
    let quote = Quote::interest_free(price, &month_list(&terms)?).map_err(throw)?;
    Ok(quote
        .from()
        .map(|plan| badge_text(plan.largest_payment(), locale, provider.as_deref()).to_string()))
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

/// Mounts a badge into every `[data-installment-badge]` under `root` (default: the document)
/// that has none yet; returns how many were mounted.
#[wasm_bindgen(js_name = mountBadges)]
pub fn mount_badges_js(root: Option<web_sys::Element>) -> u32 {
    crate::embed::mount_badges(root.as_ref())
}
