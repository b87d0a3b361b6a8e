//! KartaPay simulator: bearer-authenticated payments, list and read.

use super::{credentials, json_error};
use crate::signature::constant_time_eq;
use axum::{
    Json, Router,
    extract::{Path, RawQuery},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};

pub(super) fn router() -> Router {
    Router::new()
        .route("/api/v1/payments", get(list))
        .route("/api/v1/payments/{id}", get(read))
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
            "id": id, "status": status, "captured": status == "captured",
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

async fn list(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let mut all = payments();
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
    let data: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
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

async fn read(headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    match payments().into_iter().find(|p| p["id"] == id.as_str()) {
        Some(payment) => Json(payment).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            json!({"status": 404, "message": "Payment not found"}),
        ),
    }
}
