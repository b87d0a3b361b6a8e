//! The widget's client of the proxy: gloo-net over the browser's `fetch`. The browser parses
//! the JSON, and serde-wasm-bindgen reads it into the core's serde types, so no JSON parser
//! ships in the wasm. Every request gives up after [`TIMEOUT_MS`], headers and body alike,
//! through an `AbortSignal.timeout` that aborts it.

use crate::view::{BinAnswers, CardView, Storefront, TIMEOUT_MS, WidgetError};
use gloo_net::http::{Request, RequestBuilder};
use installment_core::wire::{CardWire, OffersDocument, RulesDocument};
use installment_core::{Currency, Money};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `GET {endpoint}/rules?currency=…`: the page's conditions and how many seconds they stay
/// fresh (their `Cache-Control: max-age`), one request however many components ask (see
/// [`crate::Installments`]). The request leaves at once, before the returned future is first
/// polled: the badges of a page mount while it travels. Asked `again`, the browser's cache
/// must revalidate what it holds (an ETag makes that a 304).
pub fn rules(
    endpoint: &str,
    currency: Currency,
    again: bool,
) -> impl Future<Output = Result<(Storefront, Option<u64>), WidgetError>> + use<> {
    // gloo-net writes the query: to a URL that already had one it would add a trailing `&`,
    // and the same rules would be cached under two URLs.
    let mut request =
        Request::get(&format!("{endpoint}/rules")).query([("currency", currency.code())]);
    if again {
        request = request.cache(web_sys::RequestCache::NoCache);
    }
    let answer = send(endpoint, request, None);
    async move {
        let (body, cache_control) = answer.await?;
        let document: RulesDocument = read(body)?;
        Ok((
            Storefront::from_document(document)?,
            cache_control.as_deref().and_then(crate::context::max_age),
        ))
    }
}

/// `GET {endpoint}/offers?amount=…&currency=…[&category=…]`: every provider's plans for the
/// price, formatted by the picker in its language.
pub async fn offers(
    endpoint: &str,
    amount: Money,
    category: Option<&str>,
) -> Result<OffersDocument, WidgetError> {
    let amount_text = amount.to_string();
    let mut request = Request::get(&format!("{endpoint}/offers")).query([
        ("amount", amount_text.as_str()),
        ("currency", amount.currency().code()),
    ]);
    if let Some(category) = category {
        request = request.query([("category", category)]);
    }
    read(send(endpoint, request, None).await?.0)
}

thread_local! {
    /// The page's answers from `/bins`, by endpoint: each card is asked about once a page.
    static BINS: RefCell<Vec<(String, BinAnswers)>> = const { RefCell::new(Vec::new()) };
}

/// The card for 6 to 8 digits, when this page has already been told (no request).
pub fn known_bin(endpoint: &str, digits: &str) -> Option<CardView> {
    BINS.with_borrow(|pages| {
        pages
            .iter()
            .find(|(asked, _)| asked == endpoint)
            .and_then(|(_, answers)| answers.get(digits))
    })
}

/// `GET {endpoint}/bins/{bin}`: the card's scheme, family and bank, as the proxy knows
/// them, kept for the page ([`known_bin`]). Only the first 8 digits are ever sent.
pub async fn bin(endpoint: &str, digits: &str) -> Result<CardView, WidgetError> {
    let digits = crate::view::card_prefix(digits);
    let card: CardWire = read(get(endpoint, &format!("{endpoint}/bins/{digits}")).await?.0)?;
    Ok(BINS.with_borrow_mut(|pages| {
        let at = match pages.iter().position(|(asked, _)| asked == endpoint) {
            Some(at) => at,
            None => {
                pages.push((endpoint.to_owned(), BinAnswers::default()));
                pages.len() - 1
            }
        };
        pages[at].1.record(&digits, &card)
    }))
}

/// `POST {endpoint}/applications` with a JSON body; the answer's `redirect_url`.
pub async fn apply(endpoint: &str, body: &JsValue) -> Result<String, WidgetError> {
    #[derive(serde::Deserialize)]
    struct Created {
        redirect_url: String,
    }
    let text = js_sys::JSON::stringify(body)
        .map(String::from)
        .map_err(|_| WidgetError::InvalidSetting("the application is not JSON".to_owned()))?;
    let request = Request::post(&format!("{endpoint}/applications"))
        .header("content-type", "application/json");
    let created: Created = read(send(endpoint, request, Some(text)).await?.0)?;
    Ok(created.redirect_url)
}

/// A parsed JSON body and the answer's `Cache-Control`.
type Answer = (JsValue, Option<String>);

fn get(endpoint: &str, url: &str) -> impl Future<Output = Result<Answer, WidgetError>> + use<> {
    send(endpoint, Request::get(url), None)
}

/// Sends the request now (gloo-net builds it; the browser's `fetch` starts it before this
/// returns) and gives the future of its parsed JSON body, both within the time limit.
fn send(
    endpoint: &str,
    request: RequestBuilder,
    body: Option<String>,
) -> impl Future<Output = Result<Answer, WidgetError>> + use<> {
    let endpoint = endpoint.to_owned();
    let signal = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let request = request
        .header("accept", "application/json")
        .abort_signal(Some(&signal));
    let request = match body {
        Some(body) => request.body(body),
        None => request.build(),
    };
    // The signal's timer ends a request in time; the clock is read as well, because WebKitGTK
    // at times fired that timer only after a late answer had been read (tests/browser.rs).
    let started_at = web_time::Instant::now();
    let limit = std::time::Duration::from_millis(u64::from(TIMEOUT_MS));
    let timed_out = move || signal.aborted() || started_at.elapsed() > limit;
    let started = request
        .map_err(|error| error.to_string())
        .and_then(|request| {
            let window = web_sys::window().ok_or_else(|| "no window".to_owned())?;
            Ok(window.fetch_with_request(&web_sys::Request::from(request)))
        });
    async move {
        let failed = |detail: String| {
            if timed_out() {
                WidgetError::Timeout {
                    endpoint: endpoint.clone(),
                }
            } else {
                WidgetError::Unreachable {
                    endpoint: endpoint.clone(),
                    detail,
                }
            }
        };
        let response: web_sys::Response = JsFuture::from(started.map_err(&failed)?)
            .await
            .map_err(|error| failed(describe(&error)))?
            .unchecked_into();
        let (ok, status) = (response.ok(), response.status());
        let cache_control = response.headers().get("cache-control").ok().flatten();
        // The body is read under the same signal: a stalled body times out like a silent proxy.
        let parsed = match response.json() {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(error),
        };
        if timed_out() {
            return Err(WidgetError::Timeout { endpoint });
        }
        if !ok {
            #[derive(serde::Deserialize)]
            struct Problem {
                code: String,
                message: String,
            }
            let detail = parsed
                .ok()
                .and_then(|body| serde_wasm_bindgen::from_value::<Problem>(body).ok())
                .map(|problem| (problem.code, problem.message));
            return Err(WidgetError::Status {
                endpoint,
                status,
                detail,
            });
        }
        let body = parsed.map_err(|_| WidgetError::MalformedJson { endpoint })?;
        Ok((body, cache_control))
    }
}

/// The message of a rejected `fetch`: "Failed to fetch" and the like.
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .unwrap_or_else(|| "network error".to_owned())
}

/// A parsed JSON value read into `T`; a mismatch names the first wrong field's path.
///
/// Public for the npm exports, which read documents a page fetched itself.
pub fn read<T: DeserializeOwned>(value: JsValue) -> Result<T, WidgetError> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(WidgetError::MalformedDocument(
            "the document must be a JSON object".to_owned(),
        ));
    }
    let deserializer = serde_wasm_bindgen::Deserializer::from(value);
    // serde-wasm-bindgen's errors are JS errors: "Error: missing field `last`".
    let message = |inner: serde_wasm_bindgen::Error| {
        let inner = inner.to_string();
        inner.strip_prefix("Error: ").unwrap_or(&inner).to_owned()
    };
    #[cfg(feature = "document-paths")]
    return serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = message(error.into_inner());
        WidgetError::MalformedDocument(if path == "." {
            inner
        } else {
            format!("{path}: {inner}")
        })
    });
    #[cfg(not(feature = "document-paths"))]
    serde::Deserialize::deserialize(deserializer)
        .map_err(|error| WidgetError::MalformedDocument(message(error)))
}
