//! Craftgate simulator: installment search and BIN lookup behind `x-api-key` and
//! `x-signature`, checked over the URL exactly as the client called it.

use super::conditions::{TURKISH_FAMILIES, TurkishFamily, four_place_quote};
use super::{credentials, json_error};
use crate::signature::{constant_time_eq, craftgate_request_signature};
use axum::{
    Json, Router,
    extract::{OriginalUri, Path, RawQuery},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use installment_core::{Currency, Money};
use serde_json::{Value, json};

pub(super) fn router() -> Router {
    Router::new()
        .route("/installment/v1/installments", get(search))
        .route("/installment/v1/bins/{bin}", get(bin))
}

/// Craftgate's error envelope. The codes are the simulator's own (unverified).
fn error(status: StatusCode, code: &str, description: &str, group: &str) -> Response {
    json_error(
        status,
        json!({"errors": {"errorCode": code, "errorDescription": description, "errorGroup": group}}),
    )
}

fn authenticate(headers: &HeaderMap, uri: &axum::http::Uri) -> Result<(), Box<Response>> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if !constant_time_eq(credentials::CRAFTGATE_API_KEY, header("x-api-key")) {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "10",
            "API key is invalid",
            "UNAUTHORIZED",
        )));
    }
    // `v1` as Craftgate documents it; `1` as its official node and go clients send it.
    if !matches!(header("x-auth-version"), "v1" | "1") || header("x-rnd-key").is_empty() {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "11",
            "Authentication headers are missing",
            "UNAUTHORIZED",
        )));
    }
    let url = format!("http://{}{}", header("host"), uri);
    let expected = craftgate_request_signature(
        &url,
        credentials::CRAFTGATE_API_KEY,
        credentials::CRAFTGATE_SECRET,
        header("x-rnd-key"),
        None,
    );
    if !constant_time_eq(&expected, header("x-signature")) {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "12",
            "Signature is invalid",
            "UNAUTHORIZED",
        )));
    }
    Ok(())
}

/// The family whose sample BIN shares the first six digits.
fn family_of(bin: &str) -> Option<&'static TurkishFamily> {
    let six = bin.get(..6)?;
    TURKISH_FAMILIES.iter().find(|f| f.bin.starts_with(six))
}

fn item(family: &TurkishFamily, price: Money, bin: Option<&str>) -> Value {
    let prices: Vec<Value> = family
        .rates
        .iter()
        .map(|(count, rate)| {
            let (installment, total) = four_place_quote(price, *count, rate);
            json!({
                "installmentNumber": count,
                "installmentPrice": installment.parse::<serde_json::Number>().expect("decimal"),
                "totalPrice": total.parse::<serde_json::Number>().expect("decimal"),
                "bankCommissionRate": 1.5, "merchantCommissionRate": rate.parse::<serde_json::Number>().expect("decimal"),
                "installmentLabel": if *count == 1 { "Tek Çekim".to_owned() } else { format!("{count} Taksit") },
                "loyaltySupported": true, "force3ds": false, "cvcRequired": true, "posAlias": "sandbox-pos",
            })
        })
        .collect();
    json!({
        "binNumber": bin, "price": price.to_string().parse::<serde_json::Number>().expect("decimal"),
        "cardType": family.card_type.as_str(), "cardAssociation": family.association.as_str(),
        "cardBrand": family.family, "bankName": family.bank, "bankCode": family.bank_code,
        "force3ds": false, "cvcRequired": true, "commercial": family.commercial, "posAlias": "sandbox-pos",
        "installmentPrices": prices,
    })
}

async fn search(
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(response) = authenticate(&headers, &uri) {
        return *response;
    }
    let (mut price, mut currency, mut bin) = (None, None, None);
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "price" => price = Some(value.into_owned()),
            "currency" => currency = Some(value.into_owned()),
            "binNumber" => bin = Some(value.into_owned()),
            _ => {}
        }
    }
    let Ok(currency) = Currency::from_code(currency.as_deref().unwrap_or("TRY")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "20",
            "currency is invalid",
            "BAD_REQUEST",
        );
    };
    let Some(Ok(price)) = price.as_deref().map(|p| Money::parse(p, currency)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "21",
            "price is invalid",
            "BAD_REQUEST",
        );
    };
    // The sandbox merchant has Turkish POSes only.
    if currency.code() != "TRY" {
        return Json(json!({"data": {"items": []}})).into_response();
    }
    let items: Vec<Value> = match bin.as_deref() {
        Some(bin) => family_of(bin)
            .map(|f| item(f, price, Some(bin)))
            .into_iter()
            .collect(),
        None => TURKISH_FAMILIES
            .iter()
            .map(|f| item(f, price, None))
            .collect(),
    };
    Json(json!({"data": {"items": items}})).into_response()
}

async fn bin(
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(bin): Path<String>,
) -> Response {
    if let Err(response) = authenticate(&headers, &uri) {
        return *response;
    }
    match family_of(&bin) {
        Some(family) => Json(json!({"data": {
            "binNumber": bin, "cardType": family.card_type.as_str(),
            "cardAssociation": family.association.as_str(), "cardBrand": family.family,
            "bankName": family.bank, "bankCode": family.bank_code, "commercial": family.commercial,
        }}))
        .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "30",
            "Bin number not found",
            "NOT_FOUND",
        ),
    }
}
