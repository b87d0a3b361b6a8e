//! The purchase after the badge, over real sockets: the proxy, the simulators of Karta
//! Pokupok, KartaPay and FreedomPay with their SMS forms, a SQLite file. Forged, replayed,
//! duplicate and concurrent webhooks; tampered, expired and reused intents.
#![cfg(not(target_arch = "wasm32"))]

use installment_proxy::{
    AppState, Config, app,
    intent::{IntentItem, OrderIntent},
    parse_xml,
    sandbox::credentials,
    signature::{
        Field, craftgate_webhook_signature, freedompay_signature, hmac_sha256_hex,
        timestamped_signature,
    },
};
use serde_json::{Value, json};
use std::{net::SocketAddr, sync::Arc};

const INTENT_KEY: &str = "test-intent-key";

/// A sandbox proxy on a free port with its own database file.
async fn proxy() -> (String, reqwest::Client) {
    proxy_with("").await
}

/// The same, with more configuration (`extra` is TOML of top-level keys, then tables); with
/// a `[providers.*]` table it runs against those providers instead of the sandbox.
async fn proxy_with(extra: &str) -> (String, reqwest::Client) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let database = std::env::temp_dir().join(format!(
        "installment-applications-{}-{}.sqlite",
        std::process::id(),
        rand::random::<u64>()
    ));
    let sandbox = if extra.contains("[providers.") {
        ""
    } else {
        "sandbox = true\n"
    };
    let public_url = if extra.contains("public_url") {
        String::new()
    } else {
        format!("public_url = \"http://{address}\"\n")
    };
    // Tests start many applications from one phone; the limit has its own test.
    let applications = if extra.contains("[applications]") {
        ""
    } else {
        "[applications]\nper_phone_per_hour = 10000\nper_client_per_hour = 10000\n"
    };
    let toml = format!(
        "{sandbox}database = {database:?}\nintent_key = \"{INTENT_KEY}\"\n{public_url}{extra}\n[rate_limit]\nper_second = 10000\nburst = 10000\n{applications}"
    );
    let config = Config::from_toml_with_env(&toml, |_| None).unwrap();
    let state = Arc::new(AppState::new(&config).await.unwrap());
    installment_proxy::reconcile::spawn(state.clone(), config.reconcile);
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    (format!("http://{address}"), client)
}

fn catalog_order(provider: &str) -> Value {
    // FreedomPay's shoppers are Kazakh; the others' Belarusian.
    let phone = if provider == "freedompay" {
        "+77011234567"
    } else {
        "+375291234567"
    };
    json!({
        "provider": provider, "months": 12,
        "items": [{"sku": "neman-14", "quantity": 1}, {"sku": "laptop-bag", "quantity": 1}],
        "customer": {"phone": phone, "email": "shopper@example.by",
                     "first_name": "Alesia", "last_name": "Kupala"},
        "success_path": "/return.html?order=1", "fail_path": "/return.html?order=1",
    })
}

async fn post(client: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let response = client.post(url).json(body).send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn status(client: &reqwest::Client, base: &str, id: &str) -> Value {
    let url = format!("{base}/api/v1/applications/{id}");
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// The shopper types `code` into the simulator's form; returns where they are sent back.
async fn confirm(client: &reqwest::Client, redirect_url: &str, code: &str) -> String {
    let response = client
        .post(redirect_url)
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "the form redirects back");
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_catalog_order_is_approved_through_the_sms_form_and_its_signed_webhook() {
    let (base, client) = proxy().await;
    let (code, created) = post(
        &client,
        format!("{base}/api/v1/applications"),
        &catalog_order("karta_pokupok"),
    )
    .await;
    assert_eq!(code, 201, "{created}");
    // The proxy priced the order itself: 2349.00 + 89.50.
    assert_eq!(
        (created["amount"].as_str(), created["status"].as_str()),
        (Some("2438.50"), Some("pending"))
    );
    let id = created["id"].as_str().unwrap();
    let form = client
        .get(created["redirect_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(form.text().await.unwrap().contains("2438.50 BYN"));

    let back = confirm(&client, created["redirect_url"].as_str().unwrap(), "1234").await;
    assert_eq!(back, format!("{base}/return.html?order=1&application={id}"));
    // The webhook arrived before the redirect.
    let now = status(&client, &base, id).await;
    assert_eq!(
        (now["status"].as_str(), now["provider_status"].as_str()),
        (Some("approved"), Some("APPROVED"))
    );
}

#[tokio::test]
async fn every_provider_that_takes_applications_settles_through_its_form_and_webhook() {
    let (base, client) = proxy().await;
    for (provider, items, code, expected, provider_status) in [
        ("karta_pokupok", "neman-14", "4321", "approved", "APPROVED"),
        ("karta_pokupok", "neman-14", "0000", "rejected", "REJECTED"),
        ("kartapay", "neman-14", "4321", "approved", "captured"),
        ("kartapay", "neman-14", "0000", "failed", "failed"),
        ("freedompay", "alatau", "4321", "approved", "success"),
        ("freedompay", "alatau", "0000", "failed", "failed"),
    ] {
        let mut order = catalog_order(provider);
        order["items"] = json!([{"sku": items, "quantity": 1}]);
        let (code_created, created) =
            post(&client, format!("{base}/api/v1/applications"), &order).await;
        assert_eq!(code_created, 201, "{provider}: {created}");
        let redirect = created["redirect_url"].as_str().unwrap();
        let form = client
            .get(redirect)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains(created["amount"].as_str().unwrap()),
            "{provider}: {form}"
        );
        let back = confirm(&client, redirect, code).await;
        let id = created["id"].as_str().unwrap();
        assert!(
            back.ends_with(&format!("application={id}")),
            "{provider}: {back}"
        );
        // The signed webhook was stored before the shopper came back; KartaPay, whose
        // webhooks are not trusted, is read when the return page asks.
        let now = status(&client, &base, id).await;
        assert_eq!(
            (now["status"].as_str(), now["provider_status"].as_str()),
            (Some(expected), Some(provider_status)),
            "{provider} with code {code}"
        );
    }
}

/// A KartaPay webhook in the proxy's own scheme: `payment` at `status` for `value` `currency`.
fn kartapay_event(
    event_id: &str,
    payment: &str,
    status: &str,
    value: Value,
    currency: &str,
) -> String {
    json!({"id": event_id, "type": "payment.updated", "paymentId": payment, "createdAt": "0",
           "data": {"status": status, "purchase": {"total": {"value": value, "currency": currency}}}})
    .to_string()
}

#[tokio::test]
async fn kartapay_webhooks_are_trusted_only_when_turned_on() {
    // The sandbox, like a production proxy by default, trusts no KartaPay webhook: KartaPay
    // publishes none. A delivery signed with the right key is refused all the same.
    let (base, client) = proxy().await;
    let (_, created) = post(
        &client,
        format!("{base}/api/v1/applications"),
        &catalog_order("kartapay"),
    )
    .await;
    let body = kartapay_event(
        "evt-1",
        created["provider_ref"].as_str().unwrap(),
        "approved",
        json!("2438.50"),
        "BYN",
    );
    let signature = timestamped_signature(
        credentials::KARTAPAY_WEBHOOK_SECRET.as_bytes(),
        installment_proxy::store::now(),
        body.as_bytes(),
    );
    let answer = client
        .post(format!("{base}/api/v1/webhooks/kartapay"))
        .header("X-KartaPay-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["code"], "webhooks_not_supported");
    let id = created["id"].as_str().unwrap();
    assert_eq!(status(&client, &base, id).await["status"], "pending");
}

#[tokio::test]
async fn kartapay_webhooks_turned_on_are_refused_when_forged_or_replayed_late() {
    let sandbox = installment_proxy::sandbox::Sandbox::start().await.unwrap();
    let kartapay = sandbox.providers.kartapay.clone().unwrap();
    let (base, client) = proxy_with(&format!(
        "[providers.kartapay]\nbase_url = \"{}\"\ntoken = \"{}\"\nwebhooks = \"proxy-hmac-v1\"\nwebhook_secret = \"{}\"",
        kartapay.base_url,
        credentials::KARTAPAY_TOKEN,
        credentials::KARTAPAY_WEBHOOK_SECRET
    ))
    .await;
    let (code, created) = post(
        &client,
        format!("{base}/api/v1/applications"),
        &intent_order("kartapay", "W-1"),
    )
    .await;
    assert_eq!(code, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let reference = created["provider_ref"].as_str().unwrap();
    let event_in = |event_id: &str, status: &str, value: Value, currency: &str| {
        kartapay_event(event_id, reference, status, value, currency)
    };
    let event = |event_id: &str, status: &str, amount: &str| {
        event_in(event_id, status, json!(amount), "BYN")
    };
    let secret = credentials::KARTAPAY_WEBHOOK_SECRET.as_bytes();
    let now = installment_proxy::store::now();
    let send = |body: String, signature: String| {
        let request = client
            .post(format!("{base}/api/v1/webhooks/kartapay"))
            .header("X-KartaPay-Signature", signature)
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let approved = event("evt-1", "approved", "2438.50");
    // Another key; a valid signature six minutes old (a replay); the time changed afterwards.
    assert_eq!(
        send(
            approved.clone(),
            timestamped_signature(b"guess", now, approved.as_bytes())
        )
        .await,
        403
    );
    assert_eq!(
        send(
            approved.clone(),
            timestamped_signature(secret, now - 360, approved.as_bytes())
        )
        .await,
        403
    );
    let forged_time = timestamped_signature(secret, now - 360, approved.as_bytes())
        .replace(&format!("t={}", now - 360), &format!("t={now}"));
    assert_eq!(send(approved.clone(), forged_time).await, 403);
    assert_eq!(status(&client, &base, &id).await["status"], "pending");

    // Signed, but for another amount, or the right amount in another currency: stored,
    // acknowledged, and the status stays.
    for wrong in [
        event("evt-2", "approved", "1.00"),
        event_in("evt-3", "approved", json!("2438.50"), "KZT"),
    ] {
        let signature = timestamped_signature(secret, now, wrong.as_bytes());
        assert_eq!(send(wrong.clone(), signature).await, 200);
        assert_eq!(
            status(&client, &base, &id).await["status"],
            "pending",
            "{wrong}"
        );
    }
    // The document's amount is a string: a number, or none, is not a payment it describes.
    for malformed in [
        event_in("evt-4", "approved", json!(2438.5), "BYN"),
        event_in("evt-5", "approved", Value::Null, "BYN"),
    ] {
        let signature = timestamped_signature(secret, now, malformed.as_bytes());
        assert_eq!(send(malformed.clone(), signature).await, 400, "{malformed}");
    }

    // The real one, twice: one change. One decimal fewer is the same amount.
    let approved = event("evt-6", "approved", "2438.5");
    for _ in 0..2 {
        let signature = timestamped_signature(secret, now, approved.as_bytes());
        assert_eq!(send(approved.clone(), signature).await, 200);
    }
    assert_eq!(status(&client, &base, &id).await["status"], "approved");
}

/// A FreedomPay result notification for `payment`, signed for the proxy's result URL.
fn freedompay_notification(
    payment: &str,
    amount: &str,
    result: &str,
    can_reject: &str,
    salt: &str,
) -> Vec<(String, String)> {
    freedompay_notification_in(payment, amount, "KZT", result, can_reject, salt)
}

/// The same, in `currency`.
fn freedompay_notification_in(
    payment: &str,
    amount: &str,
    currency: &str,
    result: &str,
    can_reject: &str,
    salt: &str,
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("pg_order_id", "web-1"),
        ("pg_payment_id", payment),
        ("pg_amount", amount),
        ("pg_currency", currency),
        ("pg_result", result),
        ("pg_can_reject", can_reject),
        ("pg_salt", salt),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let signed: Vec<(String, Field)> = fields
        .iter()
        .map(|(k, v)| (k.clone(), Field::Text(v.clone())))
        .collect();
    let signature = freedompay_signature("freedompay", &signed, credentials::FREEDOMPAY_SECRET);
    fields.push(("pg_sig".to_owned(), signature));
    fields
}

#[tokio::test]
async fn freedompay_notifications_are_answered_with_signed_xml() {
    let (base, client) = proxy().await;
    let mut order = catalog_order("freedompay");
    order["items"] = json!([{"sku": "alatau", "quantity": 1}]);
    let (_, created) = post(&client, format!("{base}/api/v1/applications"), &order).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let payment = created["provider_ref"].as_str().unwrap().to_owned();
    let hook = format!("{base}/api/v1/webhooks/freedompay");
    let answer = |form: Vec<(String, String)>| {
        let request = client.post(&hook).form(&form);
        async move {
            let response = request.send().await.unwrap();
            let code = response.status().as_u16();
            (code, response.bytes().await.unwrap())
        }
    };
    let field = |xml: &[u8], key: &str| {
        parse_xml(xml)
            .unwrap()
            .into_iter()
            .find_map(|(k, v)| match v {
                Field::Text(text) if k == key => Some(text),
                _ => None,
            })
    };

    // Forged: a wrong pg_sig, or none, is 403 and changes nothing.
    let mut forged = freedompay_notification(&payment, "389990.00", "1", "1", "s1");
    forged.last_mut().unwrap().1 = "0".repeat(32);
    assert_eq!(answer(forged).await.0, 403);
    let mut unsigned = freedompay_notification(&payment, "389990.00", "1", "1", "s1");
    unsigned.pop();
    assert_eq!(answer(unsigned).await.0, 403);

    // Another amount: "rejected" only when FreedomPay allows it, "error" otherwise.
    for (can_reject, expected) in [("1", "rejected"), ("0", "error")] {
        let (code, xml) = answer(freedompay_notification(
            &payment, "1.00", "1", can_reject, "s2",
        ))
        .await;
        assert_eq!(code, 200);
        assert_eq!(field(&xml, "pg_status").as_deref(), Some(expected));
    }
    // The application's amount in another currency (a BYN order approved in KZT, here a KZT
    // order in USD), or a currency that is no currency: refused alike.
    for currency in ["USD", "XYZ"] {
        let (code, xml) = answer(freedompay_notification_in(
            &payment,
            "389990.00",
            currency,
            "1",
            "1",
            "s6",
        ))
        .await;
        assert_eq!(code, 200);
        assert_eq!(
            field(&xml, "pg_status").as_deref(),
            Some("rejected"),
            "{currency}"
        );
    }
    // Refused notifications are evidence only: neither the status nor the provider's word
    // stored with the application changed.
    let now = status(&client, &base, &id).await;
    assert_eq!(
        (now["status"].as_str(), now["provider_status"].as_str()),
        (Some("pending"), Some(""))
    );

    // The real one, repeated with fresh salts: "ok" each time, signed for the result URL's
    // last segment and echoing the salt; the status changes once.
    for salt in ["s3", "s4", "s5"] {
        let (code, xml) = answer(freedompay_notification(&payment, "389990", "1", "1", salt)).await;
        assert_eq!(code, 200);
        let fields = parse_xml(&xml).unwrap();
        assert_eq!(field(&xml, "pg_status").as_deref(), Some("ok"));
        assert_eq!(field(&xml, "pg_salt").as_deref(), Some(salt));
        let expected = freedompay_signature("freedompay", &fields, credentials::FREEDOMPAY_SECRET);
        assert_eq!(field(&xml, "pg_sig"), Some(expected));
    }
    let now = status(&client, &base, &id).await;
    assert_eq!(
        (now["status"].as_str(), now["provider_status"].as_str()),
        (Some("approved"), Some("success"))
    );
}

#[tokio::test]
async fn freedompay_notifies_by_get_or_xml_and_a_refused_currency_never_blocks_the_right_one() {
    let (base, client) = proxy().await;
    let hook = format!("{base}/api/v1/webhooks/freedompay");
    let new_payment = || async {
        let mut order = catalog_order("freedompay");
        order["items"] = json!([{"sku": "alatau", "quantity": 1}]);
        let (_, created) = post(&client, format!("{base}/api/v1/applications"), &order).await;
        (
            created["id"].as_str().unwrap().to_owned(),
            created["provider_ref"].as_str().unwrap().to_owned(),
        )
    };
    let by_get = |form: Vec<(String, String)>| {
        let request = client.get(&hook).query(&form);
        async move {
            let response = request.send().await.unwrap();
            let code = response.status().as_u16();
            let xml = response.bytes().await.unwrap();
            let status = parse_xml(&xml).ok().and_then(|fields| {
                fields.into_iter().find_map(|(k, v)| match v {
                    Field::Text(text) if k == "pg_status" => Some(text),
                    _ => None,
                })
            });
            (code, status)
        }
    };

    // By GET: the same amount in another currency is refused first, then the right one, with
    // the same payment, result and amount, is no duplicate of it.
    let (id, payment) = new_payment().await;
    let wrong = freedompay_notification_in(&payment, "389990", "USD", "1", "1", "g1");
    assert_eq!(by_get(wrong).await, (200, Some("rejected".to_owned())));
    let mut forged = freedompay_notification(&payment, "389990", "1", "1", "g2");
    forged.last_mut().unwrap().1 = "0".repeat(32);
    assert_eq!(by_get(forged).await.0, 403);
    assert_eq!(status(&client, &base, &id).await["status"], "pending");
    let right = freedompay_notification(&payment, "389990", "1", "1", "g3");
    assert_eq!(by_get(right).await, (200, Some("ok".to_owned())));
    assert_eq!(status(&client, &base, &id).await["status"], "approved");

    // By XML: a form whose pg_xml holds the signed <request>.
    let (id, payment) = new_payment().await;
    let fields = freedompay_notification(&payment, "389990", "1", "1", "x1");
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><request>");
    for (key, value) in &fields {
        xml.push_str(&format!("<{key}>{value}</{key}>"));
    }
    xml.push_str("</request>");
    let answer = client
        .post(&hook)
        .form(&[("pg_xml", xml)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("<pg_status>ok</pg_status>")
    );
    assert_eq!(status(&client, &base, &id).await["status"], "approved");

    // A provider that notifies by POST only does not take a GET.
    let answer = client
        .get(format!("{base}/api/v1/webhooks/karta_pokupok"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 405);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["code"], "method_not_allowed");
}

#[tokio::test]
async fn kartapay_asks_for_the_payers_names_and_e_mail_and_others_do_not() {
    let (base, client) = proxy().await;
    let url = format!("{base}/api/v1/applications");
    let mut order = catalog_order("kartapay");
    order["customer"] = json!({"phone": "+375291234567", "email": "no-at-sign", "first_name": " "});
    let (code, answer) = post(&client, url.clone(), &order).await;
    assert_eq!(
        (code, answer["code"].as_str()),
        (400, Some("invalid_customer"))
    );
    let message = answer["message"].as_str().unwrap();
    for field in [
        "customer.email",
        "customer.first_name",
        "customer.last_name",
    ] {
        assert!(message.contains(field), "{message}");
    }
    let mut order = catalog_order("karta_pokupok");
    order["customer"] = json!({"phone": "+375291234567"});
    assert_eq!(post(&client, url, &order).await.0, 201);
}

#[tokio::test]
async fn code_0000_rejects_and_the_shopper_returns_to_the_fail_path() {
    let (base, client) = proxy().await;
    let mut order = catalog_order("karta_pokupok");
    order["fail_path"] = json!("/sorry.html");
    let (_, created) = post(&client, format!("{base}/api/v1/applications"), &order).await;
    let back = confirm(&client, created["redirect_url"].as_str().unwrap(), "0000").await;
    assert!(back.starts_with(&format!("{base}/sorry.html?application=")));
    let id = created["id"].as_str().unwrap();
    assert_eq!(status(&client, &base, id).await["status"], "rejected");
}

#[tokio::test]
async fn webhooks_forged_duplicated_concurrent_or_late_change_the_state_once_at_most() {
    let (base, client) = proxy().await;
    let (_, created) = post(
        &client,
        format!("{base}/api/v1/applications"),
        &catalog_order("karta_pokupok"),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let reference = created["provider_ref"].as_str().unwrap().to_owned();
    let hook = format!("{base}/api/v1/webhooks/karta_pokupok");
    let body = |status: &str| {
        json!({"application_id": reference, "order_id": "x", "status": status}).to_string()
    };
    let sign =
        |body: &str| hmac_sha256_hex(credentials::KP_WEBHOOK_SECRET.as_bytes(), body.as_bytes());
    let send = |body: String, signature: Option<String>| {
        let mut request = client
            .post(&hook)
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("X-Signature", signature);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };

    // Forged: unsigned, signed with another key, or a signed body changed afterwards.
    let approved = body("APPROVED");
    assert_eq!(send(approved.clone(), None).await, 403);
    assert_eq!(
        send(
            approved.clone(),
            Some(hmac_sha256_hex(b"guess", approved.as_bytes()))
        )
        .await,
        403
    );
    assert_eq!(send(body("REJECTED"), Some(sign(&approved))).await, 403);
    assert_eq!(status(&client, &base, &id).await["status"], "pending");

    // Twenty concurrent deliveries of the same event: all acknowledged, one state change.
    let deliveries = (0..20).map(|_| send(approved.clone(), Some(sign(&approved))));
    let codes = futures::future::join_all(deliveries).await;
    assert!(codes.iter().all(|&code| code == 200), "{codes:?}");
    assert_eq!(status(&client, &base, &id).await["status"], "approved");

    // Out of order: a late "NEW" or a "REJECTED" after approval never moves it back.
    for late in ["NEW", "REJECTED"] {
        let late = body(late);
        assert_eq!(send(late.clone(), Some(sign(&late))).await, 200);
    }
    assert_eq!(status(&client, &base, &id).await["status"], "approved");
}

fn intent(order_id: &str, expires_at: u64) -> OrderIntent {
    OrderIntent {
        order_id: order_id.into(),
        amount: "2438.50".into(),
        currency: "BYN".into(),
        items: vec![
            IntentItem {
                sku: "neman-14".into(),
                name: "Ноутбук Neman 14".into(),
                quantity: 1,
                price: "2349.00".into(),
                category: None,
            },
            IntentItem {
                sku: "bag".into(),
                name: "Сумка".into(),
                quantity: 1,
                price: "89.50".into(),
                category: None,
            },
        ],
        expires_at,
        signature: String::new(),
    }
    .sign(INTENT_KEY.as_bytes())
}

#[tokio::test]
async fn intents_tampered_expired_or_reused_are_refused() {
    let (base, client) = proxy().await;
    let url = format!("{base}/api/v1/applications");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let with = |intent: &OrderIntent| {
        let mut order = catalog_order("karta_pokupok");
        order.as_object_mut().unwrap().remove("items");
        order["intent"] = serde_json::to_value(intent).unwrap();
        order
    };
    let good = intent("A-1001", now + 600);
    let tampered = OrderIntent {
        amount: "1.00".into(),
        ..good.clone()
    };
    let cases = [
        (with(&tampered), 400, "intent_signature_mismatch"),
        (with(&intent("A-1002", now - 1)), 400, "intent_expired"),
        (
            with(&OrderIntent {
                signature: String::new(),
                ..good.clone()
            }),
            400,
            "intent_signature_mismatch",
        ),
    ];
    for (body, expected_status, expected_code) in cases {
        let (code, answer) = post(&client, url.clone(), &body).await;
        assert_eq!(
            (code, answer["code"].as_str()),
            (expected_status, Some(expected_code)),
            "{answer}"
        );
    }
    let (code, created) = post(&client, url.clone(), &with(&good)).await;
    assert_eq!(
        (
            code,
            created["amount"].as_str(),
            created["order_id"].as_str()
        ),
        (201, Some("2438.50"), Some("A-1001"))
    );
    let (code, again) = post(&client, url.clone(), &with(&good)).await;
    assert_eq!((code, again["code"].as_str()), (409, Some("intent_reused")));
}

#[tokio::test]
async fn bad_requests_get_a_4xx_with_a_stable_code() {
    let (base, client) = proxy().await;
    let url = format!("{base}/api/v1/applications");
    let edit = |change: fn(&mut Value)| {
        let mut order = catalog_order("karta_pokupok");
        change(&mut order);
        order
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            catalog_order("craftgate"),
            400,
            "applications_not_supported",
        ),
        (catalog_order("akinon"), 400, "applications_not_supported"),
        (catalog_order("paypal"), 400, "unknown_provider"),
        (
            edit(|o| o["items"][0]["sku"] = json!("nope")),
            400,
            "unknown_sku",
        ),
        (
            edit(|o| o["items"][0]["quantity"] = json!(0)),
            400,
            "invalid_order",
        ),
        (
            edit(|o| o["success_path"] = json!("https://evil.example/")),
            400,
            "invalid_return_path",
        ),
        (
            edit(|o| o["fail_path"] = json!("//evil.example/")),
            400,
            "invalid_return_path",
        ),
        (
            edit(|o| o["amount"] = json!("1.00")),
            400,
            "invalid_application",
        ),
        (
            edit(|o| o["customer"]["phone"] = json!(" ")),
            400,
            "invalid_customer",
        ),
        (
            edit(|o| o["customer"]["phone"] = json!("291234567")),
            400,
            "invalid_customer",
        ),
        (
            edit(|o| o["customer"]["phone"] = json!("+7 701 123 45 67")),
            400,
            "invalid_customer",
        ),
        // Refused before the provider is asked: a term its rules do not offer, a currency
        // it does not take (a BYN cart to FreedomPay, a KZT cart to KartaPay).
        (edit(|o| o["months"] = json!(7)), 400, "term_not_offered"),
        // Karta Pokupok does not finance food: a basket with coffee gets no term at all.
        (
            edit(|o| {
                o["items"] =
                    json!([{"sku": "kettle", "quantity": 1}, {"sku": "coffee", "quantity": 10}])
            }),
            400,
            "term_not_offered",
        ),
        (
            edit(|o| o["provider"] = json!("freedompay")),
            400,
            "currency_not_accepted",
        ),
        (
            edit(|o| {
                o["provider"] = json!("kartapay");
                o["items"] = json!([{"sku": "alatau", "quantity": 1}]);
            }),
            400,
            "currency_not_accepted",
        ),
    ];
    let openapi = client
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (body, expected_status, expected_code) in cases {
        let (code, answer) = post(&client, url.clone(), &body).await;
        assert_eq!(
            (code, answer["code"].as_str()),
            (expected_status, Some(expected_code)),
            "{body} → {answer}"
        );
        assert!(
            openapi.contains(&format!("`{expected_code}`")),
            "{expected_code} is documented"
        );
    }
    let missing = client
        .get(format!("{base}/api/v1/applications/app_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

/// The merchant's backend: answers 500 to its first `failures` calls, then 200, and records
/// every call's signature header and body.
async fn merchant_backend(failures: usize) -> (String, Calls) {
    let calls: Calls = Arc::default();
    let recorded = calls.clone();
    let handler = move |headers: axum::http::HeaderMap, body: String| {
        let calls = recorded.clone();
        async move {
            let signature = headers
                .get("X-Installment-Signature")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let mut calls = calls.lock().unwrap();
            calls.push((signature, body));
            if calls.len() <= failures { 500 } else { 200 }
        }
    };
    let router = axum::Router::new().route(
        "/hooks/installments",
        axum::routing::post(move |h, b| async move {
            axum::http::StatusCode::from_u16(handler(h, b).await).unwrap()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks/installments",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, calls)
}

/// Every callback the merchant's backend received: its signature header and its body.
type Calls = Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A sandbox proxy that calls back a merchant backend failing its first `failures` calls,
/// and one Karta Pokupok catalog application on it: the base URL, the client, the calls the
/// backend received, and the created application.
async fn called_back_application(failures: usize) -> (String, reqwest::Client, Calls, Value) {
    let (callback_url, calls) = merchant_backend(failures).await;
    let (base, client) = proxy_with(&format!(
        "callback_url = \"{callback_url}\"\ncallback_key = \"merchant-callback-key\""
    ))
    .await;
    let (_, created) = post(
        &client,
        format!("{base}/api/v1/applications"),
        &catalog_order("karta_pokupok"),
    )
    .await;
    (base, client, calls, created)
}

#[tokio::test]
async fn the_merchant_hears_of_each_change_signed_and_retried_until_it_answers_2xx() {
    let (_, client, calls, created) = called_back_application(2).await;
    let id = created["id"].as_str().unwrap().to_owned();
    confirm(&client, created["redirect_url"].as_str().unwrap(), "1234").await;

    // Two failures (backoff 1 s, then 2 s), then the backend recovers.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while calls.lock().unwrap().len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            calls.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Nothing more once it was acknowledged.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for (signature, body) in &calls {
        let body_json: Value = serde_json::from_str(body).unwrap();
        assert_eq!(body_json["event_id"], format!("{id}:approved"));
        assert_eq!(
            body_json["sandbox"], true,
            "the sandbox's money was never real"
        );
        assert_eq!(body_json["application"]["status"], "approved");
        assert_eq!(body_json["application"]["amount"], "2438.50");
        // What was paid for travels with it.
        assert_eq!(
            body_json["application"]["items"],
            json!([
                {"sku": "neman-14", "name": "Ноутбук Neman 14, 16 ГБ", "quantity": 1, "price": "2349.00", "category": "electronics"},
                {"sku": "laptop-bag", "name": "Сумка для ноутбука", "quantity": 1, "price": "89.50", "category": "accessories"},
            ])
        );
        let t: i64 = signature
            .strip_prefix("t=")
            .and_then(|rest| rest.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            signature,
            &timestamped_signature(b"merchant-callback-key", t, body.as_bytes())
        );
    }
}

#[tokio::test]
async fn craftgate_webhooks_are_verified_by_their_hmac() {
    let (base, client) = proxy().await;
    let body = r#"{"eventType":"API_VERIFY_AND_AUTH","eventTimestamp":1700000000,"status":"SUCCESS","payloadId":"3517"}"#;
    let good = craftgate_webhook_signature(
        credentials::CRAFTGATE_WEBHOOK_KEY,
        "API_VERIFY_AND_AUTH",
        "1700000000",
        "SUCCESS",
        "3517",
    );
    let bad = craftgate_webhook_signature(
        "guess",
        "API_VERIFY_AND_AUTH",
        "1700000000",
        "SUCCESS",
        "3517",
    );
    let send = |signature: Option<String>, body: &'static str| {
        let mut request = client
            .post(format!("{base}/api/v1/webhooks/craftgate"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header(
                installment_proxy::providers::WEBHOOK_SIGNATURE_HEADER,
                signature,
            );
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(send(None, body).await, 403);
    assert_eq!(send(Some(bad), body).await, 403);
    let changed = r#"{"eventType":"API_VERIFY_AND_AUTH","eventTimestamp":1700000000,"status":"FAILURE","payloadId":"3517"}"#;
    assert_eq!(send(Some(good.clone()), changed).await, 403);
    assert_eq!(send(Some(good.clone()), body).await, 200);
    assert_eq!(send(Some(good), body).await, 200);
}

#[tokio::test]
async fn creating_applications_is_not_an_open_relay() {
    let (base, client) = proxy_with("cors_origins = [\"https://shop.example\"]").await;
    let url = format!("{base}/api/v1/applications");
    let body = catalog_order("karta_pokupok").to_string();
    let send = |content_type: Option<&str>, origin: Option<&str>, body: String| {
        let mut request = client.post(&url).body(body);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        async move {
            let response = request.send().await.unwrap();
            let code = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            (code, answer["code"].as_str().map(str::to_owned))
        }
    };
    let shop = Some("https://shop.example");
    let refused = |code: u16, name: &str| (code, Some(name.to_owned()));
    // A cross-site form can send only these, and no Origin of the shop.
    for kind in [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
    ] {
        assert_eq!(
            send(kind, shop, body.clone()).await,
            refused(415, "unsupported_media_type")
        );
    }
    for origin in [None, Some("https://evil.example")] {
        let answer = send(Some("application/json"), origin, body.clone()).await;
        assert_eq!(answer, refused(403, "origin_not_allowed"), "{origin:?}");
    }
    // The shop's own page, with the phone as a shopper types it.
    let typed = catalog_order("karta_pokupok");
    let mut typed = typed;
    typed["customer"]["phone"] = json!("+375 (29) 123-45-67");
    let (code, _) = send(
        Some("application/json; charset=utf-8"),
        shop,
        typed.to_string(),
    )
    .await;
    assert_eq!(code, 201);
}

#[tokio::test]
async fn a_cancellation_after_approval_is_applied_and_called_back() {
    let (base, client, calls, created) = called_back_application(0).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let reference = created["provider_ref"].as_str().unwrap().to_owned();
    let send = |status: &str| {
        let body =
            json!({"application_id": reference, "order_id": "x", "status": status}).to_string();
        let signature = hmac_sha256_hex(credentials::KP_WEBHOOK_SECRET.as_bytes(), body.as_bytes());
        let request = client
            .post(format!("{base}/api/v1/webhooks/karta_pokupok"))
            .header("X-Signature", signature)
            .body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // Approved, then cancelled (the shopper returned the goods), then a late approval.
    for (word, expected) in [
        ("APPROVED", "approved"),
        ("CANCELLED", "cancelled"),
        ("APPROVED", "cancelled"),
    ] {
        assert_eq!(send(word).await, 200);
        let now = status(&client, &base, &id).await;
        assert_eq!(now["status"], expected, "after {word}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while calls.lock().unwrap().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            calls.lock().unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let events: Vec<String> = calls
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| serde_json::from_str::<Value>(body).unwrap()["event_id"].to_string())
        .collect();
    assert_eq!(
        events,
        [format!("\"{id}:approved\""), format!("\"{id}:cancelled\"")]
    );
}

/// A KartaPay that answers 503 to its first `failures` new payments, takes the others and,
/// asked about one, reports `reported` as its `purchase.total` and `approved` as its status.
async fn kartapay_reporting(reported: Arc<std::sync::Mutex<Value>>, failures: usize) -> String {
    use axum::routing::{get, post};
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let router = axum::Router::new()
        .route(
            "/v1/payments",
            post(move || {
                let attempt = attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if attempt < failures {
                        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({})));
                    }
                    let payment = json!({"status": "init", "purchase": {"total": {"value": "2438.50", "currency": "BYN"}}});
                    (
                        axum::http::StatusCode::CREATED,
                        axum::Json(json!({"next": "/v1/payments/pay-1/submit", "data": payment})),
                    )
                }
            }),
        )
        .route(
            "/v1/payments/pay-1/submit",
            post(|| async {
                let payment = json!({"status": "submitted", "purchase": {"total": {"value": "2438.50", "currency": "BYN"}}});
                axum::Json(json!({"next": "http://kartapay.invalid/pay/pay-1", "data": payment}))
            }),
        )
        .route(
            "/v1/payments/pay-1",
            get(move || {
                let total = reported.lock().unwrap().clone();
                async move { axum::Json(json!({"status": "approved", "purchase": {"total": total}})) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// An application body for `provider` with a signed intent for `order_id` (live providers
/// have no catalog: the merchant's backend signs the order).
fn intent_order(provider: &str, order_id: &str) -> Value {
    let mut order = catalog_order(provider);
    order.as_object_mut().unwrap().remove("items");
    let expires_at = u64::try_from(installment_proxy::store::now()).unwrap() + 600;
    order["intent"] = serde_json::to_value(intent(order_id, expires_at)).unwrap();
    order
}

#[tokio::test]
async fn a_failed_attempt_never_burns_the_order() {
    let reported = Arc::new(std::sync::Mutex::new(json!({})));
    let kartapay = kartapay_reporting(reported, 2).await;
    let (base, client) = proxy_with(&format!(
        "[providers.kartapay]\nbase_url = \"{kartapay}\"\ntoken = \"t\""
    ))
    .await;
    let url = format!("{base}/api/v1/applications");
    let order = intent_order("kartapay", "F-1");
    // KartaPay fails twice: the order stays usable each time.
    for _ in 0..2 {
        let (code, answer) = post(&client, url.clone(), &order).await;
        assert_eq!(
            (code, answer["code"].as_str()),
            (502, Some("provider_unavailable"))
        );
    }
    // Then two attempts at once: one application, the other 409.
    let (a, b) = tokio::join!(
        post(&client, url.clone(), &order),
        post(&client, url.clone(), &order)
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [201, 409], "{a:?} {b:?}");
    assert_eq!(
        post(&client, url, &order).await.0,
        409,
        "used once accepted"
    );
}

#[tokio::test]
async fn a_status_refresh_for_other_money_changes_nothing() {
    let reported = Arc::new(std::sync::Mutex::new(
        json!({"value": "1.00", "currency": "BYN"}),
    ));
    let kartapay = kartapay_reporting(reported.clone(), 0).await;
    let (base, client) = proxy_with(&format!(
        "[providers.kartapay]\nbase_url = \"{kartapay}\"\ntoken = \"t\""
    ))
    .await;
    let order = intent_order("kartapay", "R-1");
    let (code, created) = post(&client, format!("{base}/api/v1/applications"), &order).await;
    assert_eq!(code, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    // KartaPay's webhooks are not trusted, so asked about a pending application the proxy
    // reads the payment at once: approved, but for 1.00 BYN, then for the right amount in KZT.
    assert_eq!(status(&client, &base, &id).await["status"], "pending");
    *reported.lock().unwrap() = json!({"value": "2438.50", "currency": "KZT"});
    assert_eq!(status(&client, &base, &id).await["status"], "pending");
    // Its own amount, with one decimal fewer: approved.
    *reported.lock().unwrap() = json!({"value": "2438.5", "currency": "BYN"});
    let now = status(&client, &base, &id).await;
    assert_eq!(
        (now["status"].as_str(), now["provider_status"].as_str()),
        (Some("approved"), Some("approved"))
    );
}

#[tokio::test]
async fn a_lost_webhook_still_ends_in_the_right_status_and_callback() {
    let (callback_url, calls) = merchant_backend(0).await;
    // Providers reach the proxy at a dead address: every webhook is lost.
    let (base, client) = proxy_with(&format!(
        "public_url = \"http://127.0.0.1:9\"\ncallback_url = \"{callback_url}\"\n\
         callback_key = \"k\"\n[reconcile]\nafter_secs = 1\nevery_secs = 1\nexpire_after_secs = 2"
    ))
    .await;
    let url = format!("{base}/api/v1/applications");
    let (_, approved) = post(&client, url.clone(), &catalog_order("karta_pokupok")).await;
    let mut kazakh = catalog_order("freedompay");
    kazakh["items"] = json!([{"sku": "alatau", "quantity": 1}]);
    let (_, abandoned) = post(&client, url, &kazakh).await;
    // The shopper confirms Karta Pokupok's form and never returns; the other never confirms.
    confirm(&client, approved["redirect_url"].as_str().unwrap(), "1234").await;
    let expected = [
        format!("{}:approved", approved["id"].as_str().unwrap()),
        format!("{}:expired", abandoned["id"].as_str().unwrap()),
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let mut events: Vec<String> = calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| {
                serde_json::from_str::<Value>(body).unwrap()["event_id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        events.sort();
        let mut wanted = expected.to_vec();
        wanted.sort();
        if events == wanted {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{events:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_merchant_backend_lists_and_cancels_with_its_key_only() {
    let (base, client) = proxy_with("backend_key = \"backend-secret\"").await;
    let url = format!("{base}/api/v1/applications");
    let (_, kartapay) = post(&client, url.clone(), &catalog_order("kartapay")).await;
    let (_, karta_pokupok) = post(&client, url.clone(), &catalog_order("karta_pokupok")).await;
    let openapi = client
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let call = |method: reqwest::Method, path: String, key: Option<&str>, origin: Option<&str>| {
        let mut request = client.request(method, format!("{base}{path}"));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let get = reqwest::Method::GET;
    let post_ = reqwest::Method::POST;
    let list = "/api/v1/applications".to_owned();
    // Refused: no key, a wrong key, the right key from a browser, a bad query.
    for (key, origin, status, code) in [
        (None, None, 401, "unauthorized"),
        (Some("guess"), None, 401, "unauthorized"),
        (
            Some("backend-secret"),
            Some("https://shop.example"),
            403,
            "backend_only",
        ),
    ] {
        let (got, answer) = call(get.clone(), list.clone(), key, origin).await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)));
        assert!(
            openapi.contains(&format!("`{code}`")),
            "{code} is documented"
        );
    }
    let key = Some("backend-secret");
    let (got, answer) = call(get.clone(), format!("{list}?status=lost"), key, None).await;
    assert_eq!((got, answer["code"].as_str()), (400, Some("invalid_query")));
    // Listed, oldest first, by status.
    let (got, answer) = call(get.clone(), format!("{list}?status=pending"), key, None).await;
    assert_eq!(got, 200);
    // (Both were created within the same second: compared as a set.)
    let mut ids: Vec<&str> = answer["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = [
        kartapay["id"].as_str().unwrap(),
        karta_pokupok["id"].as_str().unwrap(),
    ];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // Cancelled where the provider can (KartaPay), refused where it cannot, once only.
    let cancel = |id: &Value| format!("/api/v1/applications/{}/cancel", id.as_str().unwrap());
    let (got, answer) = call(post_.clone(), cancel(&karta_pokupok["id"]), key, None).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (400, Some("cancel_not_supported"))
    );
    let (got, answer) = call(post_.clone(), cancel(&kartapay["id"]), key, None).await;
    assert_eq!(
        (got, answer["status"].as_str()),
        (200, Some("cancelled")),
        "{answer}"
    );
    let (got, answer) = call(post_.clone(), cancel(&kartapay["id"]), key, None).await;
    assert_eq!((got, answer["code"].as_str()), (409, Some("cannot_cancel")));
    for code in ["cancel_not_supported", "cannot_cancel", "invalid_query"] {
        assert!(
            openapi.contains(&format!("`{code}`")),
            "{code} is documented"
        );
    }
    // FreedomPay revokes a paid payment only (its status says pg_can_reject = 1).
    let mut kazakh = catalog_order("freedompay");
    kazakh["items"] = json!([{"sku": "alatau", "quantity": 1}]);
    let (_, freedompay) = post(&client, url, &kazakh).await;
    let (got, answer) = call(post_.clone(), cancel(&freedompay["id"]), key, None).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (409, Some("cannot_cancel")),
        "not paid yet"
    );
    confirm(
        &client,
        freedompay["redirect_url"].as_str().unwrap(),
        "1234",
    )
    .await;
    let id = freedompay["id"].as_str().unwrap();
    assert_eq!(status(&client, &base, id).await["status"], "approved");
    let (got, answer) = call(post_.clone(), cancel(&freedompay["id"]), key, None).await;
    assert_eq!(
        (
            got,
            answer["status"].as_str(),
            answer["provider_status"].as_str()
        ),
        (200, Some("cancelled"), Some("revoked")),
        "{answer}"
    );
}

#[tokio::test]
async fn one_phone_and_one_client_start_few_applications_an_hour() {
    let (base, client) =
        proxy_with("[applications]\nper_phone_per_hour = 2\nper_client_per_hour = 3").await;
    let url = format!("{base}/api/v1/applications");
    let with_phone = |phone: &str| {
        let mut order = catalog_order("karta_pokupok");
        order["customer"]["phone"] = json!(phone);
        order
    };
    let code = |answer: (u16, Value)| (answer.0, answer.1["code"].as_str().map(str::to_owned));
    for _ in 0..2 {
        assert_eq!(
            post(&client, url.clone(), &with_phone("+375291111111"))
                .await
                .0,
            201
        );
    }
    // The same phone, typed otherwise, is the same phone.
    assert_eq!(
        code(post(&client, url.clone(), &with_phone("+375 29 111-11-11")).await),
        (429, Some("too_many_applications".into()))
    );
    // Another phone from the same client: its third, then the client is done for the hour.
    assert_eq!(
        post(&client, url.clone(), &with_phone("+375292222222"))
            .await
            .0,
        201
    );
    assert_eq!(
        code(post(&client, url, &with_phone("+375293333333")).await),
        (429, Some("too_many_applications".into()))
    );
}
