//! Akinon simulator: cards with installments for a product, the basket and the pre-order.

use super::conditions::{AKINON_BASKET_TOTAL, AKINON_PRODUCTS, TURKISH_FAMILIES, four_place_quote};
use super::json_error;
use axum::{
    Json, Router,
    extract::Path,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};
use installment_core::{CardType, Currency, Money};
use serde_json::{Value, json};

pub(super) fn router() -> Router {
    Router::new()
        .route("/payments/cards/product/{pk}/", get(product))
        .route("/payments/cards/basket/", get(basket))
        .route("/payments/cards/pre-order/", get(basket))
}

/// Cards with their installment options for `price`, in Akinon's paginated envelope.
fn cards(price: Money) -> Value {
    let results: Vec<Value> = TURKISH_FAMILIES
        .iter()
        .filter(|f| f.card_type == CardType::Credit && !f.commercial)
        .enumerate()
        .map(|(index, family)| {
            let installments: Vec<Value> = family
                .rates
                .iter()
                .enumerate()
                .map(|(n, (count, rate))| {
                    let (monthly, total) = four_place_quote(price, *count, rate);
                    // Akinon answers with two decimals.
                    let two = |s: String| Money::parse_rounded(&s, price.currency(), installment_core::Rounding::HalfUp)
                        .expect("sandbox quotes are valid").to_string();
                    json!({
                        "pk": index * 100 + n + 1, "installment_count": count,
                        "label": if *count == 1 { "Tek çekim".to_owned() } else { format!("{count} Taksit") },
                        "price_with_accrued_interest": two(total),
                        "monthly_price_with_accrued_interest": two(monthly),
                    })
                })
                .collect();
            json!({
                "pk": index + 1, "name": family.family,
                "bank": {"pk": family.bank_code, "name": family.bank, "slug": family.bank.to_lowercase().replace(' ', "-")},
                "card_type": {"name": family.family, "slug": family.family.to_lowercase(), "logo": null},
                "installments": installments,
            })
        })
        .collect();
    json!({"count": results.len(), "next": null, "previous": null, "results": results})
}

fn try_amount(text: &str) -> Money {
    Money::parse(text, Currency::from_code("TRY").expect("TRY")).expect("sandbox prices are valid")
}

async fn product(Path(pk): Path<String>) -> Response {
    match AKINON_PRODUCTS.iter().find(|(id, ..)| *id == pk) {
        Some((_, _, price)) => Json(cards(try_amount(price))).into_response(),
        None => json_error(StatusCode::NOT_FOUND, json!({"detail": "Not found."})),
    }
}

/// Django's CSRF check: the session cookie present, the header equal to the `csrftoken` cookie.
async fn basket(headers: HeaderMap) -> Response {
    let cookies = headers
        .get("Cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let cookie = |name: &str| {
        cookies
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    let header = headers.get("X-CSRFToken").and_then(|v| v.to_str().ok());
    if cookie("osessionid").is_none() {
        return json_error(
            StatusCode::FORBIDDEN,
            json!({"detail": "Authentication credentials were not provided."}),
        );
    }
    if cookie("csrftoken").is_none() || cookie("csrftoken").as_deref() != header {
        return json_error(
            StatusCode::FORBIDDEN,
            json!({"detail": "CSRF Failed: CSRF token missing or incorrect."}),
        );
    }
    Json(cards(try_amount(AKINON_BASKET_TOTAL))).into_response()
}
