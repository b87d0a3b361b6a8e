//! The Leptos components' HTTP client to the proxy: the browser's own `fetch`, so the wasm
//! carries no HTTP library. The npm package does the same in JS.

use crate::view::{PickerView, Storefront, WidgetError};
use installment_core::{Locale, Money};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// Why a document could not be read: the network, the status, or the body.
fn failed(what: &str, error: JsValue) -> WidgetError {
    let detail = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".to_owned());
    WidgetError::MalformedDocument(format!("{what}: {detail}"))
}

async fn text(url: &str) -> Result<String, WidgetError> {
    let window = web_sys::window().ok_or_else(|| failed(url, "no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| failed(url, e))?
        .unchecked_into();
    if !response.ok() {
        return Err(failed(url, format!("HTTP {}", response.status()).into()));
    }
    let body = response.text().map_err(|e| failed(url, e))?;
    JsFuture::from(body)
        .await
        .map_err(|e| failed(url, e))?
        .as_string()
        .ok_or_else(|| failed(url, "body is not text".into()))
}

async fn document<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, WidgetError> {
    serde_json::from_str(&text(url).await?)
        .map_err(|e| WidgetError::MalformedDocument(format!("{url}: {e}")))
}

/// `GET {endpoint}/rules?currency=…`: one request per page, shared by every badge.
///
/// ```ignore
/// let rules = LocalResource::new(|| fetch::rules("/api/v1", "BYN"));
/// ```
pub async fn rules(endpoint: &str, currency: &str) -> Result<Storefront, WidgetError> {
    Storefront::from_document(document(&format!("{endpoint}/rules?currency={currency}")).await?)
}

/// `GET {endpoint}/offers?amount=…&currency=…`, formatted for `locale`.
pub async fn offers(
    endpoint: &str,
    amount: Money,
    locale: Locale,
) -> Result<PickerView, WidgetError> {
    let url = format!(
        "{endpoint}/offers?amount={amount}&currency={}",
        amount.currency().code()
    );
    PickerView::from_document(&document(&url).await?, locale)
}

/// The family and scheme `GET {endpoint}/bins/{bin}` knows, for a BIN the page's table
/// does not. Only the first 8 digits are ever sent.
pub async fn bin(endpoint: &str, digits: &str) -> Result<crate::view::CardView, WidgetError> {
    let digits = &digits[..digits.len().min(8)];
    let card: installment_core::wire::CardWire =
        document(&format!("{endpoint}/bins/{digits}")).await?;
    Ok(crate::view::CardView {
        association: card.association.map(|a| a.as_str()),
        family: card.range.as_ref().map(|r| r.family.clone()),
        bank: card.range.map(|r| r.bank),
    })
}
