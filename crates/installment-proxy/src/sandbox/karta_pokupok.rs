//! Karta Pokupok simulator: `GET /v1/terms`, `POST /v1/applications` and
//! `GET /v1/applications/{id}` behind the partner headers, and the shopper's form at
//! `/form/{id}`: any 4-digit SMS code approves, `0000` rejects. The outcome is posted to the
//! application's `callback_url` with `X-Signature` before the shopper is sent back.

use super::{
    checkout::{Answer, Code, Confirmation, answer, notify_json, page},
    conditions::default_rules,
    credentials, json_error,
};
use crate::{
    providers::ProviderId,
    signature::{constant_time_eq, hmac_sha256_hex},
};
use axum::{
    Form, Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use installment_core::{Currency, Money};
use serde::Deserialize;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Applications the simulator has been asked for.
#[derive(Default)]
struct Applications(Mutex<HashMap<String, Application>>);

#[derive(Clone)]
struct Application {
    order_id: String,
    amount: String,
    term: u32,
    status: &'static str,
    callback_url: String,
    success_url: String,
    fail_url: String,
}

pub(super) fn router() -> Router {
    Router::new()
        .route("/v1/terms", get(terms))
        .route("/v1/applications", post(create))
        .route("/v1/applications/{id}", get(read))
        .route("/form/{id}", get(form).post(confirm))
        .with_state(Arc::new(Applications::default()))
}

#[derive(Deserialize)]
struct TermsQuery {
    amount: Option<String>,
    category: Option<String>,
}

/// Checks `X-Partner-Id` and `X-Partner-Token` as the partner cabinet does.
pub(super) fn authorized(headers: &HeaderMap) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    constant_time_eq(credentials::KP_PARTNER_ID, header("X-Partner-Id"))
        & constant_time_eq(credentials::KP_TOKEN, header("X-Partner-Token"))
}

async fn terms(headers: HeaderMap, Query(query): Query<TermsQuery>) -> Response {
    if !authorized(&headers) {
        return json_error(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "unauthorized", "message": "Invalid partner credentials"}),
        );
    }
    let byn = Currency::from_code("BYN").expect("BYN");
    let Some(Ok(amount)) = query.amount.as_deref().map(|a| Money::parse(a, byn)) else {
        return json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({"error": "validation_error", "message": "amount must be a decimal in BYN"}),
        );
    };
    let rules = &default_rules()[&ProviderId::KartaPokupok];
    let terms: Vec<u32> = rules
        .iter()
        .flat_map(|r| r.eligible_terms(amount, query.category.as_deref()))
        .collect();
    Json(serde_json::json!({ "available_terms": terms })).into_response()
}

#[derive(Deserialize)]
struct NewApplication {
    order: NewOrder,
    customer: Customer,
    items: Vec<Item>,
    callback_url: String,
    success_url: String,
    fail_url: String,
}

#[derive(Deserialize)]
struct NewOrder {
    id: serde_json::Value,
    amount: String,
    term: u32,
}

#[derive(Deserialize)]
struct Customer {
    phone: String,
}

#[derive(Deserialize)]
struct Item {
    quantity: u32,
    price: String,
    total: String,
}

fn validation(message: &str) -> Response {
    json_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        serde_json::json!({"error": "validation_error", "message": message}),
    )
}

/// Two decimals exactly, as the partner API wants prices.
fn two_decimals(text: &str) -> Option<Money> {
    let byn = Currency::from_code("BYN").expect("BYN");
    Money::parse(text, byn)
        .ok()
        .filter(|m| m.to_string() == text)
}

async fn create(
    State(applications): State<Arc<Applications>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&headers) {
        return json_error(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "unauthorized", "message": "Invalid partner credentials"}),
        );
    }
    let Ok(request) = serde_json::from_slice::<NewApplication>(&body) else {
        return validation("body must be an application: order, customer, items, urls");
    };
    let Some(amount) = two_decimals(&request.order.amount) else {
        return validation("order.amount must have two decimals");
    };
    let mut sum = 0;
    for item in &request.items {
        match (two_decimals(&item.price), two_decimals(&item.total)) {
            (Some(price), Some(total))
                if price.minor() * i64::from(item.quantity) == total.minor() =>
            {
                sum += total.minor();
            }
            _ => return validation("items: price and total must have two decimals and agree"),
        }
    }
    if sum != amount.minor() || request.customer.phone.trim().is_empty() {
        return validation("order.amount must be the sum of the items; customer.phone is required");
    }
    let rules = &default_rules()[&ProviderId::KartaPokupok];
    if !rules
        .iter()
        .any(|r| r.eligible_terms(amount, None).contains(&request.order.term))
    {
        return validation("order.term is not offered for this amount");
    }
    let id = format!("kp-{:016x}", rand::random::<u64>());
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let redirect_url = format!("http://{host}/form/{id}");
    let order_id = match request.order.id {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    };
    applications.0.lock().expect("not poisoned").insert(
        id.clone(),
        Application {
            order_id,
            amount: request.order.amount,
            term: request.order.term,
            status: "NEW",
            callback_url: request.callback_url,
            success_url: request.success_url,
            fail_url: request.fail_url,
        },
    );
    (
        StatusCode::CREATED,
        // Seed 000: "Returns application_id and redirect_url", and nothing else.
        Json(serde_json::json!({"application_id": id, "redirect_url": redirect_url})),
    )
        .into_response()
}

async fn read(
    State(applications): State<Arc<Applications>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers) {
        return json_error(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "unauthorized", "message": "Invalid partner credentials"}),
        );
    }
    let found = applications
        .0
        .lock()
        .expect("not poisoned")
        .get(&id)
        .cloned();
    match found {
        // Seed 000 reads `->json('status')` and promises nothing more.
        Some(a) => Json(serde_json::json!({ "status": a.status })).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": "not_found", "message": "No such application"}),
        ),
    }
}

fn confirmation<'a>(application: &'a Application, action: &'a str) -> Confirmation<'a> {
    Confirmation {
        provider: "Karta Pokupok",
        amount: &application.amount,
        currency: "BYN",
        months: Some(application.term),
        order_id: &application.order_id,
        action,
    }
}

fn find(applications: &Applications, id: &str) -> Option<Application> {
    applications
        .0
        .lock()
        .expect("not poisoned")
        .get(id)
        .cloned()
}

async fn form(State(applications): State<Arc<Applications>>, Path(id): Path<String>) -> Response {
    match find(&applications, &id) {
        Some(application) => page(&confirmation(&application, &format!("/form/{id}")), None),
        None => (StatusCode::NOT_FOUND, "No such application").into_response(),
    }
}

async fn confirm(
    State(applications): State<Arc<Applications>>,
    Path(id): Path<String>,
    Form(Code { code }): Form<Code>,
) -> Response {
    let Some(application) = find(&applications, &id) else {
        return (StatusCode::NOT_FOUND, "No such application").into_response();
    };
    if application.status != "NEW" {
        return (StatusCode::CONFLICT, "This application is already decided").into_response();
    }
    let Some(answer) = answer(&code) else {
        let action = format!("/form/{id}");
        return page(
            &confirmation(&application, &action),
            Some("Введите 4 цифры"),
        );
    };
    let status = match answer {
        Answer::Approve => "APPROVED",
        Answer::Reject => "REJECTED",
    };
    if let Some(stored) = applications.0.lock().expect("not poisoned").get_mut(&id) {
        stored.status = status;
    }
    let body = serde_json::json!({
        "application_id": id, "order_id": application.order_id, "status": status,
    })
    .to_string();
    let signature = hmac_sha256_hex(credentials::KP_WEBHOOK_SECRET.as_bytes(), body.as_bytes());
    notify_json(&application.callback_url, "X-Signature", &signature, &body).await;
    let back = match answer {
        Answer::Approve => &application.success_url,
        Answer::Reject => &application.fail_url,
    };
    Redirect::to(back).into_response()
}
