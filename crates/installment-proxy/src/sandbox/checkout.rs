//! The shopper's side of every simulator that takes applications: a confirmation page asking
//! for the SMS code (any 4 digits approve, `0000` rejects) and the provider's notification,
//! retried briefly, before the shopper is sent back.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use std::time::Duration;

/// What the confirmation page shows.
pub(super) struct Confirmation<'a> {
    /// The provider's name, as its page heads it.
    pub provider: &'a str,
    /// Decimal amount.
    pub amount: &'a str,
    /// ISO 4217 code.
    pub currency: &'a str,
    /// Number of payments, when the provider knows it.
    pub months: Option<u32>,
    /// The merchant's order id.
    pub order_id: &'a str,
    /// Where the form posts the code.
    pub action: &'a str,
}

/// The confirmation page's form.
#[derive(serde::Deserialize)]
pub(super) struct Code {
    /// What the shopper typed.
    pub code: String,
}

/// The shopper's answer on the confirmation page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// Any 4 digits but `0000`.
    Approve,
    /// `0000`.
    Reject,
}

/// Reads the SMS code: `None` unless it is exactly 4 digits.
pub(super) fn answer(code: &str) -> Option<Answer> {
    match code.trim() {
        "0000" => Some(Answer::Reject),
        code if code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Answer::Approve)
        }
        _ => None,
    }
}

/// The confirmation page; with `problem`, shown again with 422.
pub(super) fn page(confirmation: &Confirmation<'_>, problem: Option<&str>) -> Response {
    let term = confirmation
        .months
        .map_or(String::new(), |months| format!(" на {months} мес."));
    let problem_line = problem.map_or(String::new(), |p| format!("<p class=\"problem\">{p}</p>"));
    let page = Html(format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{provider} · sandbox</title></head>\
         <body><main><h1>{provider}</h1><p>Рассрочка: {amount} {currency}{term}</p>\
         <p>Заказ {order}. Код из SMS (песочница: любые 4 цифры одобряют, 0000 отклоняет).</p>{problem_line}\
         <form method=\"post\" action=\"{action}\"><label>Код из SMS \
         <input name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"4\" required></label> \
         <button type=\"submit\">Подтвердить</button></form></main></body></html>",
        provider = escape(confirmation.provider),
        amount = escape(confirmation.amount),
        currency = escape(confirmation.currency),
        order = escape(confirmation.order_id),
        action = escape(confirmation.action),
    ));
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page).into_response()
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// Sends a notification up to three times, until `accepted` says the answer is what the
/// provider waits for. The shopper's return page refreshes the status from the provider, which
/// covers a notification that never arrived.
pub(super) async fn notify(
    request: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    accepted: impl Fn(StatusCode, &[u8]) -> bool,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .no_proxy()
        .build()
        .expect("a client with static settings builds");
    for attempt in 0..3 {
        if let Ok(response) = request(&client).send().await {
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            if accepted(status, &body) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
    }
}

/// [`notify`] with a JSON body signed in `header`, accepted on any 2xx.
pub(super) async fn notify_json(url: &str, header: &str, signature: &str, body: &str) {
    notify(
        |client| {
            client
                .post(url)
                .header("Content-Type", "application/json")
                .header(header, signature)
                .body(body.to_owned())
        },
        |status, _| status.is_success(),
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for (code, expected) in [
            ("1234", Some(Answer::Approve)),
            ("0000", Some(Answer::Reject)),
            (" 5678 ", Some(Answer::Approve)),
            ("123", None),
            ("12345", None),
            ("12a4", None),
            ("", None),
        ] {
            assert_eq!(answer(code), expected, "{code:?}");
        }
    }
}
