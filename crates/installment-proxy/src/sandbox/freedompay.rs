//! FreedomPay simulator: `installment/init` and `get_status3.php`, signed forms in, signed
//! XML out; a wrong `pg_sig` gets FreedomPay's error answer. The shopper's page
//! (`/pay.html?customer=<payment>`) takes the SMS code, then the signed result notification
//! goes to the payment's `pg_result_url` until it is answered with signed `ok` or `rejected`,
//! by the request method the payment's `pg_request_method` names: `GET` (the fields in the
//! query), `POST` (a form) or `XML` (a form whose `pg_xml` holds `<request>…</request>`,
//! *unverified*). Errors of the request itself (`pg_error_code` 101, 9998) are answered
//! unsigned, as FreedomPay does. A settled payment answers refunds as the documentation's
//! `get_status3` example does (`contracts/freedompay-get-status3-example.xml`).

use super::{
    checkout::{Answer, Code, Confirmation, answer, notify, page},
    credentials,
};
use crate::{
    parse_xml,
    providers::signed_xml,
    signature::{Field, constant_time_eq, freedompay_signature, script_name},
};
use axum::{
    Form, Router,
    body::Bytes,
    extract::{Path, Query},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use std::sync::{
    Mutex,
    atomic::{AtomicU64, Ordering},
};

pub(super) fn router() -> Router {
    Router::new()
        .route("/v1/merchant/{merchant}/installment/init", post(init))
        .route("/get_status3.php", post(status))
        .route("/revoke.php", post(revoke))
        .route("/pay.html", get(form).post(confirm))
}

/// Payment ids count up from a random start, so that a restarted sandbox never hands out an
/// id a proxy's database already holds.
static NEXT_PAYMENT: AtomicU64 = AtomicU64::new(0);

fn next_payment_id() -> String {
    let _ = NEXT_PAYMENT.compare_exchange(
        0,
        rand::random_range(100_000_000_000..900_000_000_000),
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    NEXT_PAYMENT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// A payment created in this process.
#[derive(Clone)]
struct Payment {
    id: String,
    order_id: String,
    amount: String,
    currency: String,
    status: &'static str,
    result_url: String,
    /// `pg_request_method`: how the result notification is sent.
    request_method: String,
    success_url: String,
    failure_url: String,
}

static PAYMENTS: Mutex<Vec<Payment>> = Mutex::new(Vec::new());

fn find(id: &str) -> Option<Payment> {
    PAYMENTS
        .lock()
        .expect("the payments list is never poisoned")
        .iter()
        .find(|p| p.id == id)
        .cloned()
}

fn text(key: &str, value: impl Into<String>) -> (String, Field) {
    (key.to_owned(), Field::Text(value.into()))
}

/// Signs `fields` for `script` and writes `<response>` with `pg_sig` last.
fn xml(script: &str, fields: Vec<(String, Field)>) -> Response {
    let body = signed_xml(script, fields, credentials::FREEDOMPAY_SECRET);
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// Parses the form and checks `pg_merchant_id` and `pg_sig`; the error answer otherwise.
fn verify(script: &str, body: &[u8]) -> Result<Vec<(String, String)>, Box<Response>> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let salt = field("pg_salt").unwrap_or_default().to_owned();
    // Unsigned: the request's own signature or merchant is in doubt.
    let refuse = |code: &str, description: &str| {
        let fields = [
            ("pg_status", "error"),
            ("pg_error_code", code),
            ("pg_error_description", description),
            ("pg_salt", salt.as_str()),
        ];
        let body = xml_document("response", fields);
        Box::new(([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response())
    };
    if field("pg_merchant_id") != Some(credentials::FREEDOMPAY_MERCHANT_ID) {
        return Err(refuse("9998", "Некорректный идентификатор магазина"));
    }
    let signed: Vec<(String, Field)> = form
        .iter()
        .map(|(k, v)| (k.clone(), Field::Text(v.clone())))
        .collect();
    let expected = freedompay_signature(script, &signed, credentials::FREEDOMPAY_SECRET);
    if !constant_time_eq(&expected, field("pg_sig").unwrap_or_default()) {
        return Err(refuse("9998", "Неверная подпись запроса"));
    }
    Ok(form)
}

/// Text fit for an XML element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A form field's value; empty when absent.
fn value_of(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn init(headers: HeaderMap, Path(merchant): Path<String>, body: Bytes) -> Response {
    let form = match verify("init", &body) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    let field = |key: &str| value_of(&form, key);
    let payment_id = next_payment_id();
    let currency = Some(field("pg_currency"))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "KZT".to_owned());
    PAYMENTS
        .lock()
        .expect("the payments list is never poisoned")
        .push(Payment {
            id: payment_id.clone(),
            order_id: field("pg_order_id"),
            amount: field("pg_amount"),
            currency,
            status: "pending",
            result_url: field("pg_result_url"),
            request_method: Some(field("pg_request_method"))
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "POST".to_owned()),
            success_url: field("pg_success_url"),
            failure_url: field("pg_failure_url"),
        });
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    xml(
        "init",
        vec![
            text("pg_payment_id", payment_id.clone()),
            text("pg_merchant_id", merchant),
            text("pg_order_id", field("pg_order_id")),
            text("pg_amount", field("pg_amount")),
            // FreedomPay's page is `customer.freedompay.kz/pay.html`; the sandbox serves its own.
            text(
                "pg_redirect_url",
                format!("http://{host}/pay.html?customer={payment_id}"),
            ),
            text("pg_status", "ok"),
            text("pg_type", "init"),
            text("pg_salt", field("pg_salt")),
        ],
    )
}

async fn status(body: Bytes) -> Response {
    let script = "get_status3.php";
    let form = match verify(script, &body) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    let field = |key: &str| value_of(&form, key);
    let wanted = field("pg_payment_id");
    // A settled, partly refunded demo payment, so clients meet nested arrays.
    // Two settled demo payments, so clients meet refunds as the documentation shows them:
    // `pg_payment_status` stays `success`, the refund is a negative amount in
    // `pg_refund_payments` and `pg_refund_amount`. 831338051 is partly refunded, 831338052
    // wholly.
    let refund = |id: &str, amount: &str| {
        (
            "pg_refund_payment".to_owned(),
            Field::Nested(vec![
                text("pg_payment_id", id),
                text("pg_payment_status", "success"),
                text("pg_amount", amount),
                text("pg_payment_date", "2026-11-02 10:00:00"),
                text("pg_reference", "612345678901"),
            ]),
        )
    };
    let (payment_id, order_id, amount, payment_status, refunds) = match find(&wanted) {
        Some(p) => (p.id, p.order_id, p.amount, p.status, Vec::new()),
        None if wanted == "831338051" => (
            "831338051".into(),
            "00004".into(),
            "250000".into(),
            "success",
            vec![refund("831338099", "-50000")],
        ),
        None if wanted == "831338052" => (
            "831338052".into(),
            "00005".into(),
            "10".into(),
            "success",
            vec![refund("831338100", "-10")],
        ),
        None => {
            return xml(
                script,
                vec![
                    text("pg_status", "error"),
                    text("pg_error_code", "340"),
                    text("pg_error_description", "Платеж не найден"),
                    text("pg_salt", field("pg_salt")),
                ],
            );
        }
    };
    let mut fields = vec![
        text("pg_status", "ok"),
        text("pg_payment_id", payment_id),
        text(
            "pg_can_reject",
            if payment_status == "success" {
                "1"
            } else {
                "0"
            },
        ),
        text("pg_payment_method", "installment"),
        text("pg_order_id", order_id),
        text("pg_currency", "KZT"),
        text("pg_payment_status", payment_status),
        text("pg_amount", amount),
        text("pg_salt", field("pg_salt")),
    ];
    if !refunds.is_empty() {
        let refunded: i64 = refunds
            .iter()
            .filter_map(|(_, refund)| match refund {
                Field::Nested(fields) => fields.iter().find_map(|(k, v)| match v {
                    Field::Text(amount) if k == "pg_amount" => amount.parse::<i64>().ok(),
                    _ => None,
                }),
                Field::Text(_) => None,
            })
            .sum();
        fields.push(("pg_refund_payments".to_owned(), Field::Nested(refunds)));
        fields.push(text("pg_refund_amount", refunded.to_string()));
    }
    xml(script, fields)
}

/// `revoke.php`: cancels a paid payment, as its status's `pg_can_reject = 1` says it may be.
async fn revoke(body: Bytes) -> Response {
    let script = "revoke.php";
    let form = match verify(script, &body) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    let salt = value_of(&form, "pg_salt");
    let wanted = value_of(&form, "pg_payment_id");
    let outcome = {
        let mut payments = PAYMENTS
            .lock()
            .expect("the payments list is never poisoned");
        match payments.iter_mut().find(|p| p.id == wanted) {
            Some(payment) if payment.status == "success" => {
                payment.status = "revoked";
                Ok(())
            }
            Some(_) => Err(("350", "Платеж нельзя отменить")),
            None => Err(("340", "Платеж не найден")),
        }
    };
    match outcome {
        Ok(()) => xml(script, vec![text("pg_status", "ok"), text("pg_salt", salt)]),
        Err((code, description)) => xml(
            script,
            vec![
                text("pg_status", "error"),
                text("pg_error_code", code),
                text("pg_error_description", description),
                text("pg_salt", salt),
            ],
        ),
    }
}

#[derive(Deserialize)]
struct Customer {
    customer: String,
}

fn confirmation<'a>(payment: &'a Payment, action: &'a str) -> Confirmation<'a> {
    Confirmation {
        provider: "FreedomPay",
        amount: &payment.amount,
        currency: &payment.currency,
        months: None,
        order_id: &payment.order_id,
        action,
    }
}

async fn form(Query(Customer { customer }): Query<Customer>) -> Response {
    match find(&customer) {
        Some(payment) => page(
            &confirmation(&payment, &format!("/pay.html?customer={customer}")),
            None,
        ),
        None => (StatusCode::NOT_FOUND, "Платеж не найден").into_response(),
    }
}

async fn confirm(
    Query(Customer { customer }): Query<Customer>,
    Form(Code { code }): Form<Code>,
) -> Response {
    let Some(payment) = find(&customer) else {
        return (StatusCode::NOT_FOUND, "Платеж не найден").into_response();
    };
    if payment.status != "pending" {
        return (StatusCode::CONFLICT, "Платеж уже завершен").into_response();
    }
    let Some(answer) = answer(&code) else {
        let action = format!("/pay.html?customer={customer}");
        return page(&confirmation(&payment, &action), Some("Введите 4 цифры"));
    };
    let (status, result) = match answer {
        Answer::Approve => ("success", "1"),
        Answer::Reject => ("failed", "0"),
    };
    if let Some(stored) = PAYMENTS
        .lock()
        .expect("the payments list is never poisoned")
        .iter_mut()
        .find(|p| p.id == payment.id)
    {
        stored.status = status;
    }
    let script = script_name(&payment.result_url).to_owned();
    let notification = || {
        let mut fields = vec![
            text("pg_order_id", payment.order_id.clone()),
            text("pg_payment_id", payment.id.clone()),
            text("pg_amount", payment.amount.clone()),
            text("pg_currency", payment.currency.clone()),
            text("pg_result", result),
            text("pg_can_reject", result),
            text("pg_payment_method", "installment"),
            text("pg_salt", format!("{:016x}", rand::random::<u64>())),
        ];
        let signature = freedompay_signature(&script, &fields, credentials::FREEDOMPAY_SECRET);
        fields.push(text("pg_sig", signature));
        fields
            .into_iter()
            .map(|(k, v)| match v {
                Field::Text(v) => (k, v),
                Field::Nested(_) => (k, String::new()),
            })
            .collect::<Vec<_>>()
    };
    // FreedomPay repeats the notification (with a fresh salt) until the merchant answers a
    // signed `ok` or `rejected`.
    notify(
        |client| match payment.request_method.as_str() {
            "GET" => client.get(&payment.result_url).query(&notification()),
            "XML" => client
                .post(&payment.result_url)
                .form(&[("pg_xml", xml_request(&notification()))]),
            _ => client.post(&payment.result_url).form(&notification()),
        },
        |status, body| status.is_success() && answered(&script, body),
    )
    .await;
    let back = match answer {
        Answer::Approve => &payment.success_url,
        Answer::Reject => &payment.failure_url,
    };
    Redirect::to(back).into_response()
}

/// The notification's fields as the `XML` request method carries them.
fn xml_request(fields: &[(String, String)]) -> String {
    xml_document(
        "request",
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// An unsigned XML document of text fields under `root`.
fn xml_document<'a>(root: &str, fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut body = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}>");
    for (key, value) in fields {
        body.push_str(&format!("<{key}>{}</{key}>", escape(value)));
    }
    body.push_str(&format!("</{root}>"));
    body
}

/// Whether the merchant's answer is signed and says `ok` or `rejected`.
fn answered(script: &str, body: &[u8]) -> bool {
    let Ok(fields) = parse_xml(body) else {
        return false;
    };
    let field = |key: &str| {
        fields.iter().find_map(|(k, v)| match v {
            Field::Text(t) if k == key => Some(t.as_str()),
            _ => None,
        })
    };
    let expected = freedompay_signature(script, &fields, credentials::FREEDOMPAY_SECRET);
    constant_time_eq(&expected, field("pg_sig").unwrap_or_default())
        && matches!(field("pg_status"), Some("ok" | "rejected"))
}
