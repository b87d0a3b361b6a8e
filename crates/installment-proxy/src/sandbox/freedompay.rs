//! FreedomPay simulator: `installment/init` and `get_status3.php`, signed forms in, signed
//! XML out; a wrong `pg_sig` gets FreedomPay's error answer.

use super::credentials;
use crate::signature::{Field, constant_time_eq, freedompay_signature};
use axum::{
    Router,
    body::Bytes,
    extract::Path,
    http::header,
    response::{IntoResponse, Response},
    routing::post,
};
use std::sync::{
    Mutex,
    atomic::{AtomicU64, Ordering},
};

pub(super) fn router() -> Router {
    Router::new()
        .route("/v1/merchant/{merchant}/installment/init", post(init))
        .route("/get_status3.php", post(status))
}

static NEXT_PAYMENT: AtomicU64 = AtomicU64::new(831_338_100);
/// Payments created in this process: (payment id, order id, amount).
static PAYMENTS: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());

fn text(key: &str, value: impl Into<String>) -> (String, Field) {
    (key.to_owned(), Field::Text(value.into()))
}

/// Signs `fields` for `script` and writes `<response>` with `pg_sig` last.
fn xml(script: &str, mut fields: Vec<(String, Field)>) -> Response {
    let signature = freedompay_signature(script, &fields, credentials::FREEDOMPAY_SECRET);
    fields.push(text("pg_sig", signature));
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>");
    write_fields(&mut body, &fields);
    body.push_str("</response>");
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn write_fields(out: &mut String, fields: &[(String, Field)]) {
    for (key, value) in fields {
        out.push_str(&format!("<{key}>"));
        match value {
            Field::Text(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
            Field::Nested(children) => write_fields(out, children),
        }
        out.push_str(&format!("</{key}>"));
    }
}

/// Parses the form and checks `pg_merchant_id` and `pg_sig`; the error answer otherwise.
fn verify(script: &str, body: &[u8]) -> Result<Vec<(String, String)>, Box<Response>> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let salt = field("pg_salt").unwrap_or_default().to_owned();
    let refuse = |code: &str, description: &str| {
        Box::new(xml(
            script,
            vec![
                text("pg_status", "error"),
                text("pg_error_code", code),
                text("pg_error_description", description),
                text("pg_salt", salt.clone()),
            ],
        ))
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

/// A form field's value; empty when absent.
fn value_of(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn init(Path(merchant): Path<String>, body: Bytes) -> Response {
    let form = match verify("init", &body) {
        Ok(form) => form,
        Err(response) => return *response,
    };
    let field = |key: &str| value_of(&form, key);
    let payment_id = NEXT_PAYMENT.fetch_add(1, Ordering::Relaxed).to_string();
    PAYMENTS
        .lock()
        .expect("the payments list is never poisoned")
        .push((payment_id.clone(), field("pg_order_id"), field("pg_amount")));
    xml(
        "init",
        vec![
            text("pg_payment_id", payment_id.clone()),
            text("pg_merchant_id", merchant),
            text("pg_order_id", field("pg_order_id")),
            text("pg_amount", field("pg_amount")),
            text(
                "pg_redirect_url",
                format!("https://customer.freedompay.kz/pay.html?customer={payment_id}"),
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
    let known = PAYMENTS
        .lock()
        .expect("the payments list is never poisoned")
        .iter()
        .find(|(id, ..)| *id == wanted)
        .cloned();
    // A settled, partly refunded demo payment, so clients meet nested arrays.
    let (payment_id, order_id, amount, payment_status, refunds) = match known {
        Some((id, order, amount)) => (id, order, amount, "pending", Vec::new()),
        None if wanted == "831338051" => (
            "831338051".into(),
            "00004".into(),
            "250000".into(),
            "success",
            vec![(
                "pg_refund_payment".to_owned(),
                Field::Nested(vec![
                    text("pg_payment_id", "831338099"),
                    text("pg_payment_status", "success"),
                    text("pg_amount", "50000"),
                    text("pg_payment_date", "2026-11-02 10:00:00"),
                    text("pg_reference", "612345678901"),
                ]),
            )],
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
        text("pg_can_reject", "0"),
        text("pg_payment_method", "installment"),
        text("pg_order_id", order_id),
        text("pg_currency", "KZT"),
        text("pg_payment_status", payment_status),
        text("pg_amount", amount),
        text("pg_salt", field("pg_salt")),
    ];
    if !refunds.is_empty() {
        fields.push(("pg_refund_payments".to_owned(), Field::Nested(refunds)));
    }
    xml(script, fields)
}
