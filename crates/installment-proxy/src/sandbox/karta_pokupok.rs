//! Karta Pokupok simulator: `GET /v1/terms` behind the partner headers.

use super::{conditions::default_rules, credentials, json_error};
use crate::{providers::ProviderId, signature::constant_time_eq};
use axum::{
    Json, Router,
    extract::Query,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use installment_core::{Currency, Money};
use serde::Deserialize;

pub(super) fn router() -> Router {
    Router::new().route("/v1/terms", get(terms))
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
