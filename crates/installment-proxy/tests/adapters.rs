//! Every adapter against its simulator over real loopback HTTP: credentials, signatures,
//! parsing, and the provider's own refusals.
#![cfg(not(target_arch = "wasm32"))]

use installment_core::{Currency, Money};
use installment_proxy::{
    OfferQuery, Provider, ProviderError, Secret,
    providers::{Akinon, Craftgate, FreedomPay, KartaPay, KartaPokupok, ShopperSession},
    sandbox::{Sandbox, conditions::default_rules},
    signature::Field,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

fn query(amount: &str, currency: &str) -> OfferQuery {
    let currency = Currency::from_code(currency).unwrap();
    OfferQuery {
        amount: Money::parse(amount, currency).unwrap(),
        category: None,
        bin: None,
        product: None,
        session: None,
    }
}

fn months(offers: &[installment_proxy::CardOffer]) -> Vec<Vec<u32>> {
    offers
        .iter()
        .map(|o| o.plans.iter().map(|p| p.months()).collect())
        .collect()
}

#[tokio::test]
async fn karta_pokupok_terms_follow_amount_and_category() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = sandbox.providers.karta_pokupok.clone().unwrap();
    let adapter = KartaPokupok::new(config.clone(), Vec::new(), TIMEOUT);
    let cases = [
        ("299.90", None, vec![3, 6, 12, 18, 24]),
        ("120", None, vec![3, 6]),
        ("49.99", None, vec![]),
        ("5000.01", None, vec![]),
        ("299.90", Some("food"), vec![]),
        ("299.90", Some("electronics"), vec![3, 6, 12, 18, 24]),
    ];
    for (amount, category, expected) in cases {
        assert_eq!(
            adapter.terms(amount, category).await.unwrap(),
            expected,
            "{amount} {category:?}"
        );
    }
    let offers = adapter.offers(&query("299.90", "BYN")).await.unwrap();
    assert_eq!(
        offers[0]
            .plans
            .last()
            .unwrap()
            .largest_payment()
            .to_string(),
        "12.50"
    );
    assert!(
        adapter
            .offers(&query("299.90", "KZT"))
            .await
            .unwrap()
            .is_empty()
    );

    let mut wrong = config;
    wrong.token = Secret::new("not-the-token");
    let refused = KartaPokupok::new(wrong, Vec::new(), TIMEOUT)
        .terms("100", None)
        .await;
    assert!(
        matches!(refused, Err(ProviderError::Status(401, _))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn kartapay_lists_and_reads_payments_with_a_bearer_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = sandbox.providers.kartapay.clone().unwrap();
    let adapter = KartaPay::new(config.clone(), Vec::new(), TIMEOUT);
    let page = adapter
        .list_payments(&["createdAt"], &["createdAt"], 2, 0)
        .await
        .unwrap();
    assert_eq!((page.total, page.limit, page.data.len()), (3, 2, 2));
    assert_eq!(
        page.data[0].client_id.as_deref(),
        Some("order-kp-1003"),
        "newest first"
    );
    assert!(page.next.is_some() && page.prev.is_none());
    let payment = adapter.read_payment("kp-1001").await.unwrap();
    assert_eq!(
        (payment.status.as_str(), payment.captured),
        ("captured", Some(true))
    );
    assert_eq!(
        payment.reported_amount(),
        installment_proxy::providers::ReportedAmount {
            amount: "299.90".into(),
            currency: Some("BYN".into())
        },
        "the document's purchase.total"
    );
    assert!(matches!(
        adapter.read_payment("kp-9999").await,
        Err(ProviderError::Status(404, _))
    ));

    let mut wrong = config;
    wrong.token = Secret::new("expired");
    let refused = KartaPay::new(wrong, Vec::new(), TIMEOUT)
        .read_payment("kp-1001")
        .await;
    assert!(matches!(refused, Err(ProviderError::Status(401, _))));
}

#[tokio::test]
async fn freedompay_signs_requests_and_checks_signed_answers() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = sandbox.providers.freedompay.clone().unwrap();
    let adapter = FreedomPay::new(config.clone(), Vec::new(), TIMEOUT);
    let kzt = Currency::from_code("KZT").unwrap();
    let init = adapter
        .init("00102", Money::parse("10000", kzt).unwrap(), "Order 00102")
        .await
        .unwrap();
    // The sandbox serves FreedomPay's page itself, at the same path.
    assert!(
        init.redirect_url
            .ends_with(&format!("/pay.html?customer={}", init.payment_id)),
        "{}",
        init.redirect_url
    );
    assert_eq!(
        adapter
            .status(&init.payment_id)
            .await
            .unwrap()
            .payment_status,
        "pending"
    );
    // A payment with a refund: the answer's signature covers the flattened nested array.
    let settled = adapter.status("831338051").await.unwrap();
    assert_eq!(settled.payment_status, "partly_refunded");
    assert!(
        settled
            .fields
            .iter()
            .any(|(k, v)| k == "pg_refund_payments" && matches!(v, Field::Nested(_)))
    );
    assert!(
        matches!(adapter.status("1").await, Err(ProviderError::Refused(reason)) if reason.starts_with("340"))
    );

    // A wrong key: FreedomPay answers its error 9998 unsigned (the request's signature is
    // what is in doubt), and the adapter reads it as the refusal it is.
    let mut wrong = config.clone();
    wrong.secret_key = Secret::new("wrong");
    let refused = FreedomPay::new(wrong, Vec::new(), TIMEOUT)
        .status("831338051")
        .await;
    assert!(
        matches!(&refused, Err(ProviderError::Refused(reason)) if reason.starts_with("9998")),
        "{refused:?}"
    );
    let form = [
        ("pg_merchant_id", "545084"),
        ("pg_payment_id", "831338051"),
        ("pg_salt", "x"),
        ("pg_sig", "0"),
    ];
    let raw = reqwest::Client::new()
        .post(format!("{}/get_status3.php", config.base_url))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains("<pg_status>error</pg_status>")
            && raw.contains("<pg_error_code>9998</pg_error_code>")
            && !raw.contains("<pg_sig>"),
        "{raw}"
    );
}

#[tokio::test]
async fn craftgate_searches_by_price_and_bin_with_signed_requests() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = sandbox.providers.craftgate.clone().unwrap();
    let adapter = Craftgate::new(config.clone(), TIMEOUT);
    let all = adapter.offers(&query("1200", "TRY")).await.unwrap();
    assert!(all.len() >= 5, "one offer per family with installments");
    let mut bonus = query("1200", "TRY");
    bonus.bin = Some("54066712".into());
    let narrowed = adapter.offers(&bonus).await.unwrap();
    assert_eq!(narrowed.len(), 1);
    assert_eq!(narrowed[0].family.as_deref(), Some("Bonus"));
    // 1200 × 1.0899 = 1307.88 over 6.
    let six = narrowed[0].plans.iter().find(|p| p.months() == 6).unwrap();
    assert_eq!(
        (six.total().to_string(), six.largest_payment().to_string()),
        ("1307.88".into(), "217.98".into())
    );
    // Food on a personal card: no installments (seed 004, `commercial`).
    let mut food = query("1200", "TRY");
    food.category = Some("food".into());
    let families: Vec<_> = adapter
        .offers(&food)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|o| o.family)
        .collect();
    assert_eq!(families, ["Bonus Business"]);
    let rules = adapter
        .rules(Currency::from_code("TRY").unwrap())
        .await
        .unwrap();
    assert_eq!(
        rules.rules[0]
            .markups
            .iter()
            .find(|m| m.months == 3)
            .unwrap()
            .rate
            .to_string(),
        "0"
    );
    assert_eq!(
        adapter.bin("55280012").await.unwrap().unwrap().family,
        "Axess"
    );
    assert_eq!(adapter.bin("11112222").await.unwrap(), None);

    let mut wrong = config;
    wrong.secret_key = Secret::new("wrong");
    let refused = Craftgate::new(wrong, TIMEOUT)
        .offers(&query("100", "TRY"))
        .await;
    assert!(
        matches!(&refused, Err(ProviderError::Unauthorized(r)) if r.contains("Signature")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn akinon_prices_products_and_passes_the_shopper_session_through() {
    let sandbox = Sandbox::start().await.unwrap();
    let adapter = Akinon::new(sandbox.providers.akinon.clone().unwrap(), TIMEOUT);
    let mut product = query("4899.90", "TRY");
    product.product = Some("101".into());
    let offers = adapter.offers(&product).await.unwrap();
    assert_eq!(offers[0].family.as_deref(), Some("Bonus"));
    assert_eq!(months(&offers)[0], [2, 3, 6, 9, 12]);
    product.product = Some("999".into());
    assert!(
        adapter.offers(&product).await.unwrap().is_empty(),
        "unknown product: no offers"
    );

    let mut basket = query("6198.90", "TRY");
    basket.session = Some(ShopperSession {
        cookie: "osessionid=abc; csrftoken=tok".into(),
        csrf_token: "tok".into(),
        pre_order: false,
    });
    assert!(!adapter.offers(&basket).await.unwrap().is_empty());
    basket.session.as_mut().unwrap().csrf_token = "forged".into();
    assert!(matches!(
        adapter.offers(&basket).await,
        Err(ProviderError::Status(403, _))
    ));
}

#[tokio::test]
async fn contract_conditions_give_kartapay_and_freedompay_offers() {
    let sandbox = Sandbox::start().await.unwrap();
    let rules = default_rules();
    let kartapay = KartaPay::new(
        sandbox.providers.kartapay.clone().unwrap(),
        rules[&installment_proxy::ProviderId::KartaPay].clone(),
        TIMEOUT,
    );
    let offers = kartapay.offers(&query("1000", "BYN")).await.unwrap();
    let twelve = offers[0].plans.iter().find(|p| p.months() == 12).unwrap();
    assert_eq!(twelve.total().to_string(), "1050.00");
    let freedompay = FreedomPay::new(
        sandbox.providers.freedompay.clone().unwrap(),
        rules[&installment_proxy::ProviderId::FreedomPay].clone(),
        TIMEOUT,
    );
    assert_eq!(
        months(&freedompay.offers(&query("20000", "KZT")).await.unwrap()),
        [vec![3, 6]]
    );
    assert!(
        freedompay
            .offers(&query("20000", "BYN"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Serves `answer` as Craftgate's `{"data": …}` envelope for every installment search, on
/// a real loopback port; the adapter's configuration for it.
async fn craftgate_answering(answer: serde_json::Value) -> installment_proxy::CraftgateConfig {
    let router = axum::Router::new().route(
        "/installment/v1/installments",
        axum::routing::get(move || {
            let answer = answer.clone();
            async move { axum::Json(serde_json::json!({ "data": answer })) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    installment_proxy::CraftgateConfig {
        base_url: format!("http://{address}"),
        api_key: Secret::new("key"),
        secret_key: Secret::new("secret"),
        webhook_key: Secret::new("webhook"),
    }
}

#[tokio::test]
async fn one_unreadable_craftgate_card_or_plan_drops_only_itself() {
    let price = |n: u32, installment: serde_json::Value, total: serde_json::Value| serde_json::json!({"installmentNumber": n, "installmentPrice": installment, "totalPrice": total});
    let family = |brand: &str, association: &str, prices: Vec<serde_json::Value>| {
        serde_json::json!({"cardBrand": brand, "cardAssociation": association,
            "cardType": "CREDIT_CARD", "bankName": "Bank", "installmentPrices": prices})
    };
    let answer = serde_json::json!({"items": [
        // A scheme this proxy does not know yet: the family stays, its scheme unknown.
        family("Future", "MIR_PAY", vec![price(2, 60.into(), 120.into())]),
        // A total below the price, a garbled price, and a good one: only the good one stays.
        family("Bonus", "MASTER_CARD", vec![
            price(2, serde_json::json!(55.5), serde_json::json!(111.0)),
            price(3, serde_json::json!("abc"), serde_json::json!(120)),
            price(6, serde_json::json!(21.6667), serde_json::json!(130.0002)),
        ]),
        // Not an installment family at all.
        serde_json::json!({"cardBrand": "Broken", "installmentPrices": "none"}),
        family("World", "VISA", vec![price(3, serde_json::json!(40.8040), serde_json::json!(122.4120))]),
    ]});
    let adapter = Craftgate::new(craftgate_answering(answer).await, TIMEOUT);
    let offers = adapter.offers(&query("120", "TRY")).await.unwrap();
    // Family, scheme and each plan as "months × monthly".
    let shown: Vec<String> = offers
        .iter()
        .map(|offer| {
            let plans: Vec<String> = offer
                .plans
                .iter()
                .map(|p| format!("{} × {}", p.months(), p.monthly()))
                .collect();
            let scheme = offer.association.map_or("?", |a| a.as_str());
            let family = offer.family.as_deref().unwrap_or("-");
            format!("{family} {scheme}: {}", plans.join(", "))
        })
        .collect();
    assert_eq!(
        shown,
        [
            "Future ?: 2 × 60.00",
            "Bonus MASTER_CARD: 6 × 21.67",
            "World VISA: 3 × 40.80"
        ]
    );
    let rules = adapter
        .rules(Currency::from_code("TRY").unwrap())
        .await
        .unwrap();
    let families: Vec<&str> = rules.families.iter().map(|f| f.family.as_str()).collect();
    assert_eq!(families, ["Future", "Bonus", "World"]);
}

/// Sends `request` and reads its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The keys of a JSON object, sorted.
fn keys(value: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The simulators answer exactly the fields the seeds show, so the sandbox cannot hide an
/// adapter that requires more than a provider promises.
#[tokio::test]
async fn simulators_answer_exactly_what_the_seeds_show() {
    use installment_proxy::sandbox::credentials as c;
    let sandbox = Sandbox::start().await.unwrap();
    let client = reqwest::Client::new();
    let kp = sandbox.providers.karta_pokupok.clone().unwrap();
    let partner = |request: reqwest::RequestBuilder| {
        request
            .header("X-Partner-Id", c::KP_PARTNER_ID)
            .header("X-Partner-Token", c::KP_TOKEN)
    };
    let created = json_of(
        partner(client.post(format!("{}/applications", kp.base_url))).json(&serde_json::json!({
            "order": {"id": 7, "amount": "299.90", "term": 3, "purpose": "Order #7"},
            "customer": {"phone": "+375291234567", "email": "a@b.by"},
            "items": [{"name": "Kettle", "quantity": 1, "price": "299.90", "total": "299.90"}],
            "callback_url": "http://127.0.0.1:9/hook", "success_url": "http://127.0.0.1:9/ok",
            "fail_url": "http://127.0.0.1:9/fail"})),
    )
    .await;
    // Seed 000: "Returns application_id and redirect_url".
    assert_eq!(keys(&created), ["application_id", "redirect_url"]);
    let id = created["application_id"].as_str().unwrap();
    let read = json_of(partner(
        client.get(format!("{}/applications/{id}", kp.base_url)),
    ))
    .await;
    // Seed 000 reads `->json('status')`, nothing more.
    assert_eq!(keys(&read), ["status"]);

    let kartapay = sandbox.providers.kartapay.clone().unwrap();
    let payment = json_of(
        client
            .get(format!("{}/v1/payments/kp-1001", kartapay.base_url))
            .bearer_auth(c::KARTAPAY_TOKEN),
    )
    .await;
    // The document's payment object: no `id` among its fields.
    let seed_fields = [
        "status",
        "captured",
        "context",
        "payee",
        "payer",
        "purchase",
        "clientId",
        "clientNote",
        "plan",
        "cancelUrl",
        "successUrl",
        "billing",
        "createdAt",
        "canceledAt",
        "submittedAt",
        "approvedAt",
        "capturedAt",
        "failedAt",
        "completedAt",
    ];
    assert!(
        keys(&payment).iter().all(|key| seed_fields.contains(key)),
        "{payment}"
    );
}
