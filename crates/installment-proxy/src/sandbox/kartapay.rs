//! KartaPay simulator, held to KartaPay's published OpenAPI document
//! (`contracts/kartapay-api-spec.json`, loaded from that file): every request body and every
//! answer passes [`Contract::enforce`]. The five operations the document defines (create,
//! list, read, cancel, submit with a `source`) and the shopper's form at `/pay/{id}`, which
//! approves and captures, or fails, the payment. The document defines no webhook, so the
//! simulator sends none: the adapter learns of the outcome by reading the payment.

use super::{
    checkout::{Answer, Code, Confirmation, answer, page},
    contract::Contract,
    credentials, json_error,
};
use crate::{providers::KARTAPAY_SOURCES, signature::constant_time_eq, store};
use axum::{
    Form, Json, Router,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use installment_core::{Currency, Money};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

/// KartaPay's OpenAPI document, as published.
pub const DOCUMENT: &str = include_str!("../../contracts/kartapay-api-spec.json");

/// Every payment by id, as the document shapes it: the fixtures, then those created.
struct Payments(Mutex<BTreeMap<String, Value>>);

impl Payments {
    fn get(&self, id: &str) -> Option<Value> {
        self.0.lock().expect("not poisoned").get(id).cloned()
    }

    /// Changes payment `id` with `change` when it is in one of `from`; the payment after it.
    fn change(
        &self,
        id: &str,
        from: &[&str],
        change: impl FnOnce(&mut Value),
    ) -> Result<Value, Refusal> {
        let mut all = self.0.lock().expect("not poisoned");
        let payment = all.get_mut(id).ok_or_else(not_found)?;
        if !from.contains(&payment["status"].as_str().unwrap_or_default()) {
            let status = payment["status"].as_str().unwrap_or_default().to_owned();
            return Err(bad_request(&format!(
                "a payment in status {status} cannot change so"
            )));
        }
        change(payment);
        Ok(payment.clone())
    }
}

pub(super) fn router() -> Router {
    let contract =
        Arc::new(Contract::from_document(DOCUMENT).expect("KartaPay's document compiles"));
    Router::new()
        .route("/v1/payments", get(list).post(create))
        .route("/v1/payments/{id}", get(read))
        .route("/v1/payments/{id}/submit", post(submit))
        .route("/v1/payments/{id}/cancel", post(cancel))
        .route("/pay/{id}", get(form).post(confirm))
        .with_state(Arc::new(Payments(Mutex::new(fixtures()))))
        .layer(axum::middleware::from_fn_with_state(
            contract,
            Contract::enforce,
        ))
}

/// Three payments in different states, oldest first.
fn fixtures() -> BTreeMap<String, Value> {
    let payment = |status: &str, value: &str, created: &str, times: Value| {
        let mut payment = json!({
            "status": status, "captured": status == "captured",
            "purchase": {"total": {"value": value, "currency": "BYN"}},
            "clientId": "", "clientNote": "sandbox", "createdAt": created,
        });
        payment
            .as_object_mut()
            .expect("object")
            .extend(times.as_object().expect("object").clone());
        payment
    };
    let mut all = BTreeMap::new();
    for (id, payment) in [
        (
            "kp-1001",
            payment(
                "captured",
                "299.90",
                "2026-11-01T10:00:00Z",
                json!({"submittedAt": "2026-11-01T10:01:00Z", "approvedAt": "2026-11-01T10:03:00Z", "capturedAt": "2026-11-01T10:04:00Z"}),
            ),
        ),
        (
            "kp-1002",
            payment(
                "canceled",
                "1299.00",
                "2026-11-02T12:00:00Z",
                json!({"canceledAt": "2026-11-02T12:30:00Z"}),
            ),
        ),
        (
            "kp-1003",
            payment("init", "89.00", "2026-11-03T09:00:00Z", json!({})),
        ),
    ] {
        let mut payment = payment;
        payment["clientId"] = format!("order-{id}").into();
        all.insert(id.to_owned(), payment);
    }
    all
}

/// An error answer in the NestJS style of KartaPay's API (its operation ids are a NestJS
/// controller's): `{statusCode, message}`.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let Self(status, message) = self;
        json_error(
            status,
            json!({"statusCode": status.as_u16(), "message": message}),
        )
    }
}

fn not_found() -> Refusal {
    Refusal(StatusCode::NOT_FOUND, "Payment not found".into())
}

fn bad_request(message: &str) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, message.into())
}

/// The document's one security scheme for these operations: `HttpBearer`.
fn authorized(headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(credentials::KARTAPAY_TOKEN, given) {
        Ok(())
    } else {
        Err(Refusal(StatusCode::UNAUTHORIZED, "Unauthorized".into()))
    }
}

/// This simulator's own origin, for the absolute links of `next`.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn timestamp() -> String {
    store::now().to_string()
}

/// "Read payments": `sort`, `desc` (arrays as repeated keys), `limit`, `offset`.
async fn list(
    State(payments): State<Arc<Payments>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(refusal) = authorized(&headers) {
        return refusal.into_response();
    }
    let (mut limit, mut offset, mut descending) = (20_usize, 0_usize, false);
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| bad_request(&format!("{key} must be a whole number")))
        };
        match &*key {
            "limit" => match number() {
                Ok(n) => limit = n,
                Err(refusal) => return refusal.into_response(),
            },
            "offset" => match number() {
                Ok(n) => offset = n,
                Err(refusal) => return refusal.into_response(),
            },
            "desc" if value == "createdAt" => descending = true,
            _ => {}
        }
    }
    let mut all: Vec<Value> = payments
        .0
        .lock()
        .expect("not poisoned")
        .values()
        .cloned()
        .collect();
    all.sort_by(|a, b| a["createdAt"].as_str().cmp(&b["createdAt"].as_str()));
    if descending {
        all.reverse();
    }
    let total = all.len();
    let data: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
    let page = |offset: usize| {
        format!(
            "{}/v1/payments?limit={limit}&offset={offset}",
            origin(&headers)
        )
    };
    let mut answer = json!({"data": data, "total": total, "offset": offset, "limit": limit});
    if offset + data_len(&answer) < total {
        answer["next"] = page(offset + limit).into();
    }
    if offset > 0 {
        answer["prev"] = page(offset.saturating_sub(limit)).into();
    }
    Json(answer).into_response()
}

fn data_len(answer: &Value) -> usize {
    answer["data"].as_array().map_or(0, Vec::len)
}

/// "Read a payment".
async fn read(
    State(payments): State<Arc<Payments>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = authorized(&headers) {
        return refusal.into_response();
    }
    payments.get(&id).map_or_else(
        || not_found().into_response(),
        |payment| Json(payment).into_response(),
    )
}

/// "Create a payment": the body has passed the document's `Claim`; KartaPay's own rule on
/// top is that the total is an amount of its currency.
async fn create(
    State(payments): State<Arc<Payments>>,
    headers: HeaderMap,
    Json(claim): Json<Value>,
) -> Response {
    if let Err(refusal) = authorized(&headers) {
        return refusal.into_response();
    }
    let total = &claim["purchase"]["total"];
    let amount = Currency::from_code(total["currency"].as_str().unwrap_or_default())
        .ok()
        .and_then(|currency| {
            Money::parse(total["value"].as_str().unwrap_or_default(), currency).ok()
        })
        .filter(|amount| amount.minor() > 0);
    if amount.is_none() {
        return bad_request("purchase.total must be a positive amount of an ISO 4217 currency")
            .into_response();
    }
    let id = format!("pay-{:016x}", rand::random::<u64>());
    let mut payment = claim;
    let fields = payment.as_object_mut().expect("a Claim is an object");
    fields.insert("status".into(), "init".into());
    fields.insert("captured".into(), false.into());
    fields.insert("createdAt".into(), timestamp().into());
    let gateways: Vec<Value> = KARTAPAY_SOURCES
        .iter()
        .map(|code| json!({"code": code, "name": code}))
        .collect();
    fields.insert("plan".into(), json!({"options": gateways}));
    payments
        .0
        .lock()
        .expect("not poisoned")
        .insert(id.clone(), payment.clone());
    let next = format!("{}/v1/payments/{id}/submit", origin(&headers));
    (
        StatusCode::CREATED,
        Json(json!({"next": next, "data": payment})),
    )
        .into_response()
}

/// "Submit a payment" through the gateway `source`; `next` is the shopper's form.
async fn submit(
    State(payments): State<Arc<Payments>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(plan): Json<Value>,
) -> Response {
    if let Err(refusal) = authorized(&headers) {
        return refusal.into_response();
    }
    let Some(source) = plan["source"].as_str() else {
        return bad_request("source is required").into_response();
    };
    let submitted = payments.change(&id, &["init"], |payment| {
        payment["status"] = "submitted".into();
        payment["plan"]["source"] = source.into();
        payment["submittedAt"] = timestamp().into();
    });
    match submitted {
        Ok(payment) => {
            Json(json!({"next": format!("{}/pay/{id}", origin(&headers)), "data": payment}))
                .into_response()
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// "Cancel a payment" not yet captured; `next` is its `cancelUrl`.
async fn cancel(
    State(payments): State<Arc<Payments>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = authorized(&headers) {
        return refusal.into_response();
    }
    let canceled = payments.change(&id, &["init", "submitted", "approved"], |payment| {
        payment["status"] = "canceled".into();
        payment["canceledAt"] = timestamp().into();
    });
    match canceled {
        Ok(payment) => {
            let mut answer = json!({"data": payment});
            if let Some(url) = payment["cancelUrl"].as_str() {
                answer["next"] = url.into();
            }
            Json(answer).into_response()
        }
        Err(refusal) => refusal.into_response(),
    }
}

fn confirmation<'a>(payment: &'a Value, action: &'a str) -> Confirmation<'a> {
    let total = &payment["purchase"]["total"];
    Confirmation {
        provider: "KartaPay",
        amount: total["value"].as_str().unwrap_or_default(),
        currency: total["currency"].as_str().unwrap_or_default(),
        // The document has no term: the gateway's own page would show it.
        months: None,
        order_id: payment["clientId"].as_str().unwrap_or_default(),
        action,
    }
}

async fn form(State(payments): State<Arc<Payments>>, Path(id): Path<String>) -> Response {
    match payments.get(&id) {
        Some(payment) => page(&confirmation(&payment, &format!("/pay/{id}")), None),
        None => (StatusCode::NOT_FOUND, "No such payment").into_response(),
    }
}

/// The shopper's code: approved and captured at once, or failed; back to the shop.
async fn confirm(
    State(payments): State<Arc<Payments>>,
    Path(id): Path<String>,
    Form(Code { code }): Form<Code>,
) -> Response {
    let Some(payment) = payments.get(&id) else {
        return (StatusCode::NOT_FOUND, "No such payment").into_response();
    };
    let Some(answer) = answer(&code) else {
        return page(
            &confirmation(&payment, &format!("/pay/{id}")),
            Some("Введите 4 цифры"),
        );
    };
    let decided = payments.change(&id, &["submitted"], |payment| {
        let now = timestamp();
        match answer {
            Answer::Approve => {
                payment["status"] = "captured".into();
                payment["captured"] = true.into();
                payment["approvedAt"] = now.clone().into();
                payment["capturedAt"] = now.into();
            }
            Answer::Reject => {
                payment["status"] = "failed".into();
                payment["failedAt"] = now.into();
            }
        }
    });
    let Ok(decided) = decided else {
        return (
            StatusCode::CONFLICT,
            "This payment is not waiting for the shopper",
        )
            .into_response();
    };
    let back = match answer {
        Answer::Approve => decided["successUrl"].as_str(),
        Answer::Reject => decided["cancelUrl"].as_str(),
    };
    Redirect::to(back.unwrap_or("/")).into_response()
}
