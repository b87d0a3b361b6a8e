//! KartaPay simulator: bearer-authenticated payments: list, read, create, cancel and submit
//! (with a `source`), and the shopper's form at `/pay/{id}`, after which the signed webhook
//! this proxy designed for KartaPay ([`timestamped_signature`]) goes to the payment's
//! `context.callbackUrl`. Payment objects carry exactly the seed's fields: no `id`, which
//! lives only in paths and `next` links.

use super::{
    checkout::{Answer, Code, Confirmation, answer, notify_json, page},
    credentials, json_error,
};
use crate::{
    providers::KARTAPAY_SOURCES,
    signature::{constant_time_eq, timestamped_signature},
    store,
};
use axum::{
    Form, Json, Router,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use installment_core::{Currency, Money};
use serde::Deserialize;
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Every payment by id: the fixtures, then those created through the API.
struct Created(Mutex<HashMap<String, Value>>);

impl Created {
    fn with_fixtures() -> Self {
        let fixtures = payments()
            .into_iter()
            .map(|p| (p["_id"].as_str().unwrap_or_default().to_owned(), p));
        Self(Mutex::new(fixtures.collect()))
    }
}

pub(super) fn router() -> Router {
    Router::new()
        .route("/api/v1/payments", get(list).post(create))
        .route("/api/v1/payments/{id}", get(read))
        .route("/api/v1/payments/{id}/submit", post(submit))
        .route("/api/v1/payments/{id}/cancel", post(cancel))
        .route("/pay/{id}", get(form).post(confirm))
        .with_state(Arc::new(Created::with_fixtures()))
}

fn authorized(headers: &HeaderMap) -> bool {
    let given = headers
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    constant_time_eq(credentials::KARTAPAY_TOKEN, given)
}

fn unauthorized() -> Response {
    json_error(
        StatusCode::UNAUTHORIZED,
        json!({"status": 401, "message": "Missing or invalid bearer token"}),
    )
}

/// Three payments in different states, newest last.
fn payments() -> Vec<Value> {
    let payment = |id: &str, status: &str, amount: &str, created: &str, extra: Value| {
        let mut value = json!({
            "_id": id, "status": status, "captured": status == "captured",
            "clientId": format!("order-{id}"), "clientNote": "sandbox",
            "purchase": {"amount": amount, "currency": "BYN"},
            "plan": {"months": 6}, "createdAt": created,
        });
        value
            .as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        value
    };
    vec![
        payment(
            "kp-1001",
            "captured",
            "299.90",
            "2026-11-01T10:00:00Z",
            json!({"submittedAt": "2026-11-01T10:01:00Z", "approvedAt": "2026-11-01T10:03:00Z", "capturedAt": "2026-11-01T10:04:00Z"}),
        ),
        payment(
            "kp-1002",
            "canceled",
            "1299.00",
            "2026-11-02T12:00:00Z",
            json!({"canceledAt": "2026-11-02T12:30:00Z"}),
        ),
        payment(
            "kp-1003",
            "init",
            "89.00",
            "2026-11-03T09:00:00Z",
            json!({}),
        ),
    ]
}

async fn list(
    State(payments_now): State<Arc<Created>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    // The fixtures' history, each as it stands now.
    let mut all: Vec<Value> = payments()
        .into_iter()
        .map(|p| created(&payments_now, p["_id"].as_str().unwrap_or_default()).unwrap_or(p))
        .collect();
    let (mut limit, mut offset, mut descending) = (20_usize, 0_usize, false);
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "limit" => limit = value.parse().unwrap_or(limit),
            "offset" => offset = value.parse().unwrap_or(offset),
            "desc" if value == "createdAt" => descending = true,
            _ => {}
        }
    }
    if descending {
        all.reverse();
    }
    let total = all.len();
    let data: Vec<Value> = all
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(public)
        .collect();
    let next = (offset + data.len() < total)
        .then(|| format!("/api/v1/payments?limit={limit}&offset={}", offset + limit));
    let prev = (offset > 0).then(|| {
        format!(
            "/api/v1/payments?limit={limit}&offset={}",
            offset.saturating_sub(limit)
        )
    });
    Json(json!({"data": data, "total": total, "offset": offset, "limit": limit, "prev": prev, "next": next}))
        .into_response()
}

fn not_found() -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        json!({"status": 404, "message": "Payment not found"}),
    )
}

fn invalid(message: &str) -> Response {
    json_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"status": 422, "message": message}),
    )
}

fn created(payments: &Created, id: &str) -> Option<Value> {
    payments.0.lock().expect("not poisoned").get(id).cloned()
}

async fn read(
    State(payments): State<Arc<Created>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    match created(&payments, &id) {
        Some(payment) => Json(public(payment)).into_response(),
        None => not_found(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewPayment {
    context: NewContext,
    purchase: NewPurchase,
    client_id: String,
    plan: NewPlan,
    cancel_url: String,
    success_url: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewContext {
    callback_url: String,
}

#[derive(Deserialize)]
struct NewPurchase {
    amount: String,
    currency: String,
}

#[derive(Deserialize)]
struct NewPlan {
    months: u32,
}

async fn create(
    State(payments): State<Arc<Created>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let Ok(request) = serde_json::from_slice::<NewPayment>(&body) else {
        return invalid(
            "body must be a payment: context.callbackUrl, purchase, clientId, plan, urls",
        );
    };
    let amount = Currency::from_code(&request.purchase.currency)
        .ok()
        .and_then(|currency| Money::parse(&request.purchase.amount, currency).ok())
        .filter(|amount| amount.minor() > 0);
    if amount.is_none() || !(2..=36).contains(&request.plan.months) {
        return invalid("purchase.amount must be a positive decimal; plan.months 2 to 36");
    }
    let id = format!("pay-{:016x}", rand::random::<u64>());
    let payment = json!({
        "_id": id, "status": "init", "captured": false,
        "clientId": request.client_id,
        "purchase": {"amount": request.purchase.amount, "currency": request.purchase.currency},
        "plan": {"months": request.plan.months},
        "cancelUrl": request.cancel_url, "successUrl": request.success_url,
        "createdAt": timestamp(),
        "_callback": request.context.callback_url,
    });
    payments
        .0
        .lock()
        .expect("not poisoned")
        .insert(id.clone(), payment.clone());
    let next = format!("/api/v1/payments/{id}/submit");
    (
        StatusCode::CREATED,
        Json(json!({"next": next, "data": public(payment)})),
    )
        .into_response()
}

/// A payment as the API shows it: the simulator's own bookkeeping (`_id`, `_callback`)
/// removed.
fn public(mut payment: Value) -> Value {
    if let Some(fields) = payment.as_object_mut() {
        fields.retain(|key, _| !key.starts_with('_'));
    }
    payment
}

fn timestamp() -> String {
    store::now().to_string()
}

#[derive(Deserialize)]
struct Submission {
    source: String,
}

async fn submit(
    State(payments): State<Arc<Created>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let source = serde_json::from_slice::<Submission>(&body).map(|s| s.source);
    if !source
        .as_deref()
        .is_ok_and(|s| KARTAPAY_SOURCES.contains(&s))
    {
        return invalid("source must be one of HOL, HRM, MVK, MVM, PYP, STR");
    }
    let mut all = payments.0.lock().expect("not poisoned");
    let Some(payment) = all.get_mut(&id) else {
        return not_found();
    };
    if payment["status"] != "init" {
        return invalid("only a payment in status init can be submitted");
    }
    payment["status"] = "submitted".into();
    payment["submittedAt"] = timestamp().into();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let next = format!("http://{host}/pay/{id}");
    Json(json!({"next": next, "data": public(payment.clone())})).into_response()
}

/// "Cancel a payment" (seed 001): a payment not yet captured is canceled, and the merchant
/// hears of it through the webhook like of any other change.
async fn cancel(
    State(payments): State<Arc<Created>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let canceled = {
        let mut all = payments.0.lock().expect("not poisoned");
        let Some(payment) = all.get_mut(&id) else {
            return not_found();
        };
        if !["init", "submitted", "approved"].contains(&payment["status"].as_str().unwrap_or("")) {
            return invalid("only a payment not yet captured, failed or canceled can be canceled");
        }
        payment["status"] = "canceled".into();
        payment["canceledAt"] = timestamp().into();
        payment.clone()
    };
    notify(&id, &canceled).await;
    let next = canceled["cancelUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Json(json!({"next": next, "data": public(canceled)})).into_response()
}

/// Posts the webhook of a changed payment to its `context.callbackUrl`.
async fn notify(id: &str, payment: &Value) {
    let callback = payment["_callback"].as_str().unwrap_or_default().to_owned();
    if callback.is_empty() {
        return;
    }
    let body = json!({
        "id": format!("evt-{:016x}", rand::random::<u64>()),
        "type": "payment.updated",
        "paymentId": id,
        "createdAt": timestamp(),
        "data": public(payment.clone()),
    })
    .to_string();
    let signature = timestamped_signature(
        credentials::KARTAPAY_WEBHOOK_SECRET.as_bytes(),
        store::now(),
        body.as_bytes(),
    );
    notify_json(&callback, "X-KartaPay-Signature", &signature, &body).await;
}

fn confirmation<'a>(payment: &'a Value, action: &'a str) -> Confirmation<'a> {
    Confirmation {
        provider: "KartaPay",
        amount: payment["purchase"]["amount"].as_str().unwrap_or_default(),
        currency: payment["purchase"]["currency"].as_str().unwrap_or_default(),
        months: payment["plan"]["months"]
            .as_u64()
            .and_then(|m| m.try_into().ok()),
        order_id: payment["clientId"].as_str().unwrap_or_default(),
        action,
    }
}

async fn form(State(payments): State<Arc<Created>>, Path(id): Path<String>) -> Response {
    match created(&payments, &id) {
        Some(payment) => page(&confirmation(&payment, &format!("/pay/{id}")), None),
        None => (StatusCode::NOT_FOUND, "No such payment").into_response(),
    }
}

async fn confirm(
    State(payments): State<Arc<Created>>,
    Path(id): Path<String>,
    Form(Code { code }): Form<Code>,
) -> Response {
    let Some(payment) = created(&payments, &id) else {
        return (StatusCode::NOT_FOUND, "No such payment").into_response();
    };
    if payment["status"] != "submitted" {
        return (
            StatusCode::CONFLICT,
            "This payment is not waiting for the shopper",
        )
            .into_response();
    }
    let Some(answer) = answer(&code) else {
        return page(
            &confirmation(&payment, &format!("/pay/{id}")),
            Some("Введите 4 цифры"),
        );
    };
    let (status, at) = match answer {
        Answer::Approve => ("approved", "approvedAt"),
        Answer::Reject => ("failed", "failedAt"),
    };
    let decided = {
        let mut all = payments.0.lock().expect("not poisoned");
        let Some(stored) = all.get_mut(&id) else {
            return (StatusCode::NOT_FOUND, "No such payment").into_response();
        };
        stored["status"] = status.into();
        stored[at] = timestamp().into();
        stored.clone()
    };
    notify(&id, &decided).await;
    let back = match answer {
        Answer::Approve => decided["successUrl"].as_str(),
        Answer::Reject => decided["cancelUrl"].as_str(),
    };
    Redirect::to(back.unwrap_or("/")).into_response()
}
