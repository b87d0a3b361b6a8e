//! FreedomPay: form-encoded requests and XML answers, both signed with `pg_sig`. Its API has
//! no offers endpoint (the shopper picks a bank's plan on FreedomPay's page), so offers are
//! the merchant's contract conditions; the adapter speaks `installment/init` and
//! `get_status3.php`. The result notification is a signed form posted to `pg_result_url`,
//! answered with signed XML: `ok`, or `rejected` (only when the notification says
//! `pg_can_reject=1`), or `error` so that FreedomPay delivers it again.

use super::{
    ApplicationRequest, CardOffer, CreatedApplication, OfferQuery, Provider, ProviderError,
    ProviderId, ProviderStatus, ReportedAmount, RulesAnswer, WebhookError, WebhookEvent,
    http_client, plans_from_rules, rules_in, status_error,
};
use crate::{
    config::FreedomPayConfig,
    signature::{Field, constant_time_eq, freedompay_signature, script_name},
    store::Status,
};
use async_trait::async_trait;
use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use installment_core::{Currency, Money, ProviderRules};
use quick_xml::events::Event;
use rand::{Rng, distr::Alphanumeric};
use std::time::Duration;

/// The FreedomPay adapter.
pub struct FreedomPay {
    config: FreedomPayConfig,
    rules: Vec<ProviderRules>,
    client: reqwest::Client,
}

/// What `get_status3.php` says of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusAnswer {
    /// `pg_payment_status`: `success`, `pending`, `failed`, `revoked` ...
    pub payment_status: String,
    /// `pg_payment_id`.
    pub payment_id: String,
    /// Every field, nested arrays kept, as signed.
    pub fields: Vec<(String, Field)>,
}

/// The answer to `installment/init`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitAnswer {
    /// `pg_payment_id`.
    pub payment_id: String,
    /// `pg_redirect_url`: FreedomPay's page for the shopper.
    pub redirect_url: String,
}

/// An element being read: its name, children so far and text so far.
type OpenElement = (String, Vec<(String, Field)>, String);

/// Parses `<response>...</response>` into fields in document order; an element with child
/// elements becomes [`Field::Nested`].
///
/// ```
/// use installment_proxy::{parse_xml, signature::Field};
/// let fields = parse_xml(b"<?xml version=\"1.0\"?><response><pg_status>ok</pg_status></response>")?;
/// assert_eq!(fields, [("pg_status".to_owned(), Field::Text("ok".into()))]);
/// # Ok::<(), installment_proxy::ProviderError>(())
/// ```
pub fn parse_xml(xml: &[u8]) -> Result<Vec<(String, Field)>, ProviderError> {
    let malformed = |detail: String| ProviderError::Malformed(format!("XML: {detail}"));
    let mut reader = quick_xml::Reader::from_reader(xml);
    // A stack of open elements: (name, children so far, text so far).
    let mut stack: Vec<OpenElement> = Vec::new();
    let mut root: Option<Vec<(String, Field)>> = None;
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(start)) => {
                let name = String::from_utf8(start.name().as_ref().to_vec())
                    .map_err(|e| malformed(e.to_string()))?;
                stack.push((name, Vec::new(), String::new()));
            }
            Ok(Event::Empty(empty)) => {
                let name = String::from_utf8(empty.name().as_ref().to_vec())
                    .map_err(|e| malformed(e.to_string()))?;
                match stack.last_mut() {
                    Some(parent) => parent.1.push((name, Field::Text(String::new()))),
                    None => return Err(malformed("empty root".into())),
                }
            }
            Ok(Event::Text(text)) => {
                let decoded = text.decode().map_err(|e| malformed(e.to_string()))?;
                let unescaped =
                    quick_xml::escape::unescape(&decoded).map_err(|e| malformed(e.to_string()))?;
                if let Some(open) = stack.last_mut() {
                    open.2.push_str(&unescaped);
                }
            }
            Ok(Event::CData(data)) => {
                if let Some(open) = stack.last_mut() {
                    open.2.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                let name = reference.decode().map_err(|e| malformed(e.to_string()))?;
                let entity = format!("&{name};");
                let resolved =
                    quick_xml::escape::unescape(&entity).map_err(|e| malformed(e.to_string()))?;
                if let Some(open) = stack.last_mut() {
                    open.2.push_str(&resolved);
                }
            }
            Ok(Event::End(_)) => {
                let (name, children, text) =
                    stack.pop().ok_or_else(|| malformed("unbalanced".into()))?;
                // Whitespace between child elements is layout, not content.
                let field = if children.is_empty() {
                    Field::Text(text)
                } else {
                    Field::Nested(children)
                };
                match stack.last_mut() {
                    Some(parent) => parent.1.push((name, field)),
                    // FreedomPay's answers are `<response>`; a notification by the `XML` request
                    // method is `<request>`.
                    None if name == "response" || name == "request" => {
                        root = Some(match field {
                            Field::Nested(children) => children,
                            Field::Text(_) => Vec::new(),
                        })
                    }
                    None => {
                        return Err(malformed(format!(
                            "root is <{name}>, not <response> or <request>"
                        )));
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(malformed(e.to_string())),
        }
        buffer.clear();
    }
    if !stack.is_empty() {
        return Err(malformed("unclosed element".into()));
    }
    root.ok_or_else(|| malformed("no <response> or <request> element".into()))
}

/// `<response>` with `fields` and their `pg_sig` for `script`, as FreedomPay writes its
/// answers and as a merchant answers a result notification.
///
/// ```
/// use installment_proxy::{parse_xml, providers::signed_xml, signature::Field};
/// let xml = signed_xml("result", vec![("pg_status".into(), Field::Text("ok".into()))], "secret");
/// assert_eq!(parse_xml(xml.as_bytes())?.len(), 2);
/// # Ok::<(), installment_proxy::ProviderError>(())
/// ```
pub fn signed_xml(script: &str, mut fields: Vec<(String, Field)>, secret_key: &str) -> String {
    let signature = freedompay_signature(script, &fields, secret_key);
    fields.push(("pg_sig".to_owned(), Field::Text(signature)));
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>");
    write_fields(&mut body, &fields);
    body.push_str("</response>");
    body
}

fn write_fields(out: &mut String, fields: &[(String, Field)]) {
    for (key, value) in fields {
        out.push('<');
        out.push_str(key);
        out.push('>');
        match value {
            Field::Text(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
            Field::Nested(children) => write_fields(out, children),
        }
        out.push_str("</");
        out.push_str(key);
        out.push('>');
    }
}

/// FreedomPay's `pg_payment_status`, normalized: `success` (or `ok`) is paid; `failed` and
/// `error` failed; `revoked` cancelled; `refunded` refunded; `incomplete` (the payment's
/// lifetime ran out) expired; anything else, such as `pending`, is still pending.
///
/// ```
/// use installment_proxy::{providers::freedompay_status, store::Status};
/// assert_eq!(freedompay_status("success"), Status::Approved);
/// assert_eq!(freedompay_status("pending"), Status::Pending);
/// ```
pub fn freedompay_status(word: &str) -> Status {
    match word {
        "success" | "ok" => Status::Approved,
        "failed" | "error" => Status::Failed,
        "revoked" => Status::Cancelled,
        "refunded" | "partly_refunded" => Status::Refunded,
        "incomplete" => Status::Expired,
        _ => Status::Pending,
    }
}

/// The status word of a `get_status3.php` answer. A refunded payment keeps
/// `pg_payment_status = success` (the documentation's example,
/// `contracts/freedompay-get-status3-example.xml`); its refunds are negative amounts in
/// `pg_refund_amount`. So a success with refunds reads `refunded` when they return the whole
/// `pg_amount`, `partly_refunded` when they return less; both normalize to refunded.
///
/// ```
/// use installment_proxy::{parse_xml, providers::freedompay_status_word};
/// let answer = |refund: &str| parse_xml(format!("<response><pg_payment_status>success</pg_payment_status>\
///     <pg_amount>10</pg_amount>{refund}</response>").as_bytes());
/// assert_eq!(freedompay_status_word(&answer("")?), "success");
/// assert_eq!(freedompay_status_word(&answer("<pg_refund_amount>-10</pg_refund_amount>")?), "refunded");
/// assert_eq!(freedompay_status_word(&answer("<pg_refund_amount>-4</pg_refund_amount>")?), "partly_refunded");
/// # Ok::<(), installment_proxy::ProviderError>(())
/// ```
pub fn freedompay_status_word(fields: &[(String, Field)]) -> String {
    let word = text(fields, "pg_payment_status").unwrap_or_default();
    // Refunds are negative: their size is what counts.
    let decimal = |key| {
        text(fields, key)
            .map(|v| v.trim().trim_start_matches('-'))
            .and_then(|v| installment_core::parse_decimal(v).ok())
    };
    match (word, decimal("pg_refund_amount"), decimal("pg_amount")) {
        ("success", Some(refunded), Some(paid)) if !refunded.is_zero() => {
            if refunded >= paid {
                "refunded".to_owned()
            } else {
                "partly_refunded".to_owned()
            }
        }
        _ => word.to_owned(),
    }
}

/// The text of a top-level field.
fn text<'a>(fields: &'a [(String, Field)], key: &str) -> Option<&'a str> {
    fields.iter().find_map(|(k, v)| match v {
        Field::Text(text) if k == key => Some(text.as_str()),
        _ => None,
    })
}

/// A fresh `pg_salt`.
fn salt() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

impl FreedomPay {
    /// An adapter for `config`, with the merchant's conditions.
    pub fn new(config: FreedomPayConfig, rules: Vec<ProviderRules>, timeout: Duration) -> Self {
        Self {
            config,
            rules,
            client: http_client(timeout),
        }
    }

    /// `POST /v1/merchant/{id}/installment/init`, then `get_status3.php` on the payment.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_core::{Currency, Money};
    /// use installment_proxy::{providers::FreedomPay, sandbox::Sandbox};
    /// let sandbox = Sandbox::start().await?;
    /// let adapter = FreedomPay::new(sandbox.providers.freedompay.unwrap(), Vec::new(), std::time::Duration::from_secs(2));
    /// let amount = Money::parse("25000", Currency::from_code("KZT")?)?;
    /// let payment = adapter.init("order-7", amount, "Order 7").await?;
    /// assert_eq!(adapter.status(&payment.payment_id).await?.payment_status, "pending");
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn init(
        &self,
        order_id: &str,
        amount: Money,
        description: &str,
    ) -> Result<InitAnswer, ProviderError> {
        let fields = vec![
            ("pg_order_id", order_id.to_owned()),
            ("pg_amount", amount.to_string()),
            ("pg_description", description.to_owned()),
        ];
        self.init_fields(fields).await
    }

    /// `installment/init` with the seed's fields and any others FreedomPay takes
    /// (`pg_result_url`, `pg_success_url`...), all signed.
    async fn init_fields(
        &self,
        mut fields: Vec<(&str, String)>,
    ) -> Result<InitAnswer, ProviderError> {
        let url = format!(
            "{}/v1/merchant/{}/installment/init",
            self.config.base_url, self.config.merchant_id
        );
        fields.push(("pg_merchant_id", self.config.merchant_id.clone()));
        fields.push(("pg_salt", salt()));
        let answer = self.call(&url, fields).await?;
        let field = |key| {
            text(&answer, key)
                .map(str::to_owned)
                .ok_or_else(|| ProviderError::Malformed(format!("init: no {key}")))
        };
        Ok(InitAnswer {
            payment_id: field("pg_payment_id")?,
            redirect_url: field("pg_redirect_url")?,
        })
    }

    /// `POST /get_status3.php` by FreedomPay's payment id (example: [`FreedomPay::init`]).
    pub async fn status(&self, payment_id: &str) -> Result<StatusAnswer, ProviderError> {
        let url = format!("{}/get_status3.php", self.config.base_url);
        let fields = vec![
            ("pg_merchant_id", self.config.merchant_id.clone()),
            ("pg_payment_id", payment_id.to_owned()),
            ("pg_salt", salt()),
        ];
        let answer = self.call(&url, fields).await?;
        Ok(StatusAnswer {
            payment_status: freedompay_status_word(&answer),
            payment_id: text(&answer, "pg_payment_id")
                .unwrap_or(payment_id)
                .to_owned(),
            fields: answer,
        })
    }

    /// `POST /revoke.php` (seed 002): cancels a paid payment; FreedomPay allows it only where
    /// the payment's status says `pg_can_reject = 1`.
    pub async fn revoke(&self, payment_id: &str) -> Result<(), ProviderError> {
        let url = format!("{}/revoke.php", self.config.base_url);
        let fields = vec![
            ("pg_merchant_id", self.config.merchant_id.clone()),
            ("pg_payment_id", payment_id.to_owned()),
            ("pg_salt", salt()),
        ];
        self.call(&url, fields).await.map(|_| ())
    }

    /// Signs and posts a form; checks the XML answer's signature and `pg_status`.
    async fn call(
        &self,
        url: &str,
        fields: Vec<(&str, String)>,
    ) -> Result<Vec<(String, Field)>, ProviderError> {
        let script = script_name(url);
        let signed: Vec<(String, Field)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Field::Text(v.clone())))
            .collect();
        let signature = freedompay_signature(script, &signed, self.config.secret_key.expose());
        let mut form = fields;
        form.push(("pg_sig", signature));
        let response = self.client.post(url).form(&form).send().await?;
        if !response.status().is_success() {
            return Err(status_error(response).await);
        }
        let body = response.bytes().await?;
        let answer = parse_xml(&body)?;
        let refusal = |answer: &[(String, Field)]| {
            ProviderError::Refused(format!(
                "{} {}",
                text(answer, "pg_error_code").unwrap_or("?"),
                text(answer, "pg_error_description").unwrap_or("no description")
            ))
        };
        // FreedomPay answers errors of the request itself (101, 9998: a wrong merchant or
        // signature) unsigned: a refusal, not a forged answer. It carries nothing to act on.
        let Some(received) = text(&answer, "pg_sig") else {
            return Err(match text(&answer, "pg_status") {
                Some("error") => refusal(&answer),
                _ => ProviderError::BadSignature,
            });
        };
        let expected = freedompay_signature(script, &answer, self.config.secret_key.expose());
        if !constant_time_eq(&expected, received) {
            return Err(ProviderError::BadSignature);
        }
        match text(&answer, "pg_status") {
            Some("ok") => Ok(answer),
            _ => Err(refusal(&answer)),
        }
    }
}

#[async_trait]
impl Provider for FreedomPay {
    fn id(&self) -> ProviderId {
        ProviderId::FreedomPay
    }

    async fn rules(&self, currency: Currency) -> Result<RulesAnswer, ProviderError> {
        Ok(rules_in(&self.rules, currency))
    }

    async fn offers(&self, query: &OfferQuery) -> Result<Vec<CardOffer>, ProviderError> {
        plans_from_rules(&self.rules, query)
    }

    fn offers_are_remote(&self) -> bool {
        false
    }

    fn takes_applications(&self) -> bool {
        true
    }

    async fn create_application(
        &self,
        request: &ApplicationRequest,
    ) -> Result<CreatedApplication, ProviderError> {
        let order = &request.order;
        let answer = self
            .init_fields(vec![
                ("pg_order_id", order.order_id.clone()),
                ("pg_amount", order.amount.to_string()),
                ("pg_currency", order.amount.currency().code().to_owned()),
                ("pg_description", format!("Order #{}", order.order_id)),
                ("pg_result_url", request.callback_url.clone()),
                ("pg_request_method", self.config.request_method.clone()),
                ("pg_success_url", request.success_url.clone()),
                ("pg_failure_url", request.fail_url.clone()),
                // Digits with the country code (`77011234567`), as the documentation writes it.
                (
                    "pg_user_phone",
                    request.phone.trim_start_matches('+').to_owned(),
                ),
                ("pg_user_contact_email", request.email.clone()),
            ])
            .await?;
        Ok(CreatedApplication {
            provider_ref: answer.payment_id,
            redirect_url: answer.redirect_url,
            provider_status: None,
        })
    }

    async fn application_status(
        &self,
        provider_ref: &str,
    ) -> Result<ProviderStatus, ProviderError> {
        let answer = self.status(provider_ref).await?;
        Ok(ProviderStatus {
            amount: Some(ReportedAmount {
                amount: text(&answer.fields, "pg_amount")
                    .unwrap_or_default()
                    .to_owned(),
                currency: text(&answer.fields, "pg_currency").map(str::to_owned),
            }),
            word: answer.payment_status,
        })
    }

    /// `revoke.php`, once `get_status3.php` says the payment may be rejected.
    async fn cancel_application(&self, provider_ref: &str) -> Result<String, ProviderError> {
        let status = self.status(provider_ref).await?;
        if text(&status.fields, "pg_can_reject") != Some("1") {
            return Err(ProviderError::Refused(
                "pg_can_reject is not 1: FreedomPay does not allow revoking this payment".into(),
            ));
        }
        self.revoke(provider_ref).await?;
        Ok("revoked".to_owned())
    }

    fn cancels(&self) -> bool {
        true
    }

    fn normalize_status(&self, provider_status: &str) -> Status {
        freedompay_status(provider_status)
    }

    fn notifies_by_get(&self) -> bool {
        true
    }

    /// The result notification: a form signed with the result URL's last segment, which is
    /// this route's (`freedompay`).
    fn verify_webhook(
        &self,
        _headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let fields = notification(body);
        let received = text(&fields, "pg_sig").ok_or(WebhookError::Forged)?;
        let expected = freedompay_signature(
            ProviderId::FreedomPay.as_str(),
            &fields,
            self.config.secret_key.expose(),
        );
        if !constant_time_eq(&expected, received) {
            return Err(WebhookError::Forged);
        }
        let field = |key: &str| {
            text(&fields, key)
                .filter(|value| !value.is_empty())
                .ok_or_else(|| WebhookError::Malformed(format!("{key} is missing")))
        };
        let payment_id = field("pg_payment_id")?;
        let provider_status = match field("pg_result")? {
            "1" => "success",
            "0" => "failed",
            other => return Err(WebhookError::Malformed(format!("pg_result {other:?}"))),
        };
        let amount = field("pg_amount")?;
        Ok(WebhookEvent {
            // FreedomPay repeats a notification with a fresh salt: the payment, its result,
            // amount and currency identify it, so one refused for another currency never
            // makes the right one a duplicate.
            event_key: format!(
                "{payment_id}:{provider_status}:{amount}:{}",
                text(&fields, "pg_currency").unwrap_or_default()
            ),
            provider_ref: payment_id.to_owned(),
            provider_status: provider_status.to_owned(),
            status: freedompay_status(provider_status),
            amount: Some(ReportedAmount {
                amount: amount.to_owned(),
                currency: text(&fields, "pg_currency").map(str::to_owned),
            }),
            signed_part: None,
        })
    }

    fn webhook_reply(&self, body: &[u8], refusal: Option<&str>) -> Response {
        let fields = notification(body);
        let can_reject = text(&fields, "pg_can_reject") == Some("1");
        let (status, description) = match refusal {
            None => ("ok", "Принято"),
            Some(reason) if can_reject => ("rejected", reason),
            Some(reason) => ("error", reason),
        };
        let answer = vec![
            (
                "pg_salt".to_owned(),
                Field::Text(text(&fields, "pg_salt").unwrap_or_default().to_owned()),
            ),
            ("pg_status".to_owned(), Field::Text(status.to_owned())),
            (
                "pg_description".to_owned(),
                Field::Text(description.to_owned()),
            ),
        ];
        let xml = signed_xml(
            ProviderId::FreedomPay.as_str(),
            answer,
            self.config.secret_key.expose(),
        );
        ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response()
    }
}

/// A notification's fields, as signed, whichever request method brought them: a form (the
/// body of a `POST`, or the query of a `GET`), or under `XML` a form whose `pg_xml` holds
/// `<request>…</request>`.
fn notification(body: &[u8]) -> Vec<(String, Field)> {
    let form: Vec<(String, Field)> = form_urlencoded::parse(body)
        .map(|(key, value)| (key.into_owned(), Field::Text(value.into_owned())))
        .collect();
    match text(&form, "pg_xml") {
        Some(xml) if form.len() == 1 => parse_xml(xml.as_bytes()).unwrap_or_default(),
        _ => form,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_arrays_parse_in_document_order() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?>
            <response><pg_status>ok</pg_status>
            <pg_refund_payments><pg_refund_payment><pg_payment_id>7</pg_payment_id>
            <pg_amount>50</pg_amount></pg_refund_payment></pg_refund_payments>
            <pg_description>A &amp; B</pg_description><pg_card_pan/></response>"#;
        let fields = parse_xml(xml).unwrap();
        assert_eq!(text(&fields, "pg_description"), Some("A & B"));
        assert_eq!(text(&fields, "pg_card_pan"), Some(""));
        assert!(matches!(&fields[1].1, Field::Nested(children) if children.len() == 1));
    }

    #[test]
    fn malformed_xml_is_an_error() {
        for xml in [
            &b"<response><pg_status>ok</response>"[..],
            b"<html>502</html>",
            b"{\"json\": true}",
            b"",
        ] {
            assert!(
                matches!(parse_xml(xml), Err(ProviderError::Malformed(_))),
                "{:?}",
                String::from_utf8_lossy(xml)
            );
        }
    }
}
