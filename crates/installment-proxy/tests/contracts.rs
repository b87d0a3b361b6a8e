//! Conformance with each provider's own published material, not with the adapters' reading
//! of it: KartaPay's OpenAPI document (`contracts/kartapay-api-spec.json`), FreedomPay's
//! documented `get_status3` answer (`contracts/freedompay-get-status3-example.xml`) and
//! signature example (seed 002), PayBox's `PG_Signature` flattening, and the test vectors of
//! Craftgate's official clients. Each vector names the repository and file it comes from.
#![cfg(not(target_arch = "wasm32"))]

use installment_core::{Currency, Money};
use installment_proxy::{
    Provider, ProviderError, Secret,
    intent::{PricedItem, PricedOrder},
    parse_xml,
    providers::{
        ApplicationRequest, Craftgate, FreedomPay, KartaPay, Payment, ReportedAmount,
        freedompay_status, freedompay_status_word, kartapay_status,
    },
    sandbox::{KARTAPAY_DOCUMENT, Sandbox, contract::Contract, credentials},
    signature::{
        Field, craftgate_request_signature, craftgate_webhook_signature, freedompay_signature,
    },
    store::Status,
};
use serde_json::{Value, json};
use sha2::Digest;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

fn kartapay_contract() -> Contract {
    Contract::from_document(KARTAPAY_DOCUMENT).unwrap()
}

#[test]
fn the_kartapay_document_is_the_published_file_unchanged() {
    // sha256 of KartaPay's `specs/api-spec.json` (public repository
    // `kartalys/kartapay-api-spec`), as `shared/providers/` holds it.
    assert_eq!(
        hex::encode(sha2::Sha256::digest(KARTAPAY_DOCUMENT.as_bytes())),
        "fb98fdfcfdd7cffda5d1fd4275f8cf8f5fc1e18498f7cc2eca585edb876fc284"
    );
}

/// The create body this proxy sent before it followed the document.
fn yesterdays_create_body() -> Value {
    json!({
        "context": {"callbackUrl": "https://shop.example/api/v1/webhooks/kartapay", "locale": "ru"},
        "payer": {"phone": "+375291234567", "email": "shopper@example.by"},
        "purchase": {"amount": "2438.50", "currency": "BYN",
                     "items": [{"sku": "neman-14", "name": "Ноутбук", "quantity": 1, "price": "2349.00"}]},
        "clientId": "1", "clientNote": "Order #1", "plan": {"months": 12},
        "cancelUrl": "https://shop.example/return.html", "successUrl": "https://shop.example/return.html",
    })
}

#[tokio::test]
async fn the_kartapay_simulator_refuses_yesterdays_body_with_the_validators_messages() {
    let sandbox = Sandbox::start().await.unwrap();
    let base = sandbox.providers.kartapay.unwrap().base_url;
    let answer = reqwest::Client::new()
        .post(format!("{base}/v1/payments"))
        .bearer_auth(credentials::KARTAPAY_TOKEN)
        .json(&yesterdays_create_body())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let answer: Value = answer.json().await.unwrap();
    let messages: Vec<&str> = answer["message"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let messages = messages.join("\n");
    for wrong in [
        "\"total\" is a required property",
        "\"firstName\" is a required property",
        "\"lastName\" is a required property",
        "callbackUrl",
        "months",
        "\"ru\"",
        "\"amount\" is a required property",
        "/purchase/items/0/quantity",
    ] {
        assert!(messages.contains(wrong), "{wrong} in {messages}");
    }
}

fn priced_request() -> ApplicationRequest {
    let byn = Currency::from_code("BYN").unwrap();
    let money = |text| Money::parse(text, byn).unwrap();
    ApplicationRequest {
        id: "app_1".into(),
        order: PricedOrder {
            order_id: "1".into(),
            amount: money("2438.50"),
            items: vec![
                PricedItem {
                    sku: "neman-14".into(),
                    name: "Ноутбук Neman 14".into(),
                    quantity: 1,
                    price: money("2349.00"),
                    category: None,
                },
                PricedItem {
                    sku: "bag".into(),
                    name: "Сумка".into(),
                    quantity: 2,
                    price: money("44.75"),
                    category: None,
                },
            ],
        },
        months: 12,
        phone: "+375291234567".into(),
        email: "shopper@example.by".into(),
        first_name: "Alesia".into(),
        last_name: "Kupala".into(),
        callback_url: "https://shop.example/api/v1/webhooks/kartapay".into(),
        success_url: "https://shop.example/return.html?application=app_1".into(),
        fail_url: "https://shop.example/return.html?application=app_1".into(),
    }
}

#[tokio::test]
async fn the_kartapay_adapters_claim_is_one_the_document_accepts() {
    let sandbox = Sandbox::start().await.unwrap();
    let adapter = KartaPay::new(sandbox.providers.kartapay.unwrap(), Vec::new(), TIMEOUT);
    let claim = serde_json::to_value(adapter.claim(&priced_request()).unwrap()).unwrap();
    let body = claim.to_string();
    assert_eq!(
        kartapay_contract().check_request("POST", "/v1/payments", body.as_bytes()),
        Ok(())
    );
    assert_eq!(
        claim["purchase"]["total"],
        json!({"value": "2438.50", "currency": "BYN"})
    );
    assert_eq!(claim["purchase"]["items"][1]["quantity"], "2");
    assert_eq!(claim["purchase"]["items"][1]["amount"]["value"], "89.50");
    assert_eq!(claim["context"]["locale"], "ru-BY");
    // And the whole purchase through the simulator: created, submitted, the shopper's form.
    let created = adapter.create_application(&priced_request()).await.unwrap();
    assert_eq!(created.provider_status.as_deref(), Some("submitted"));
    assert!(
        created.redirect_url.contains("/pay/"),
        "{}",
        created.redirect_url
    );
}

#[test]
fn payments_shaped_as_the_document_shows_read_as_a_person_reads_them() {
    let contract = kartapay_contract();
    let total = json!({"value": "299.90", "currency": "BYN"});
    for (status, captured, expected) in [
        ("init", false, Status::Pending),
        ("pending", false, Status::Pending),
        ("submitted", false, Status::Pending),
        ("approved", false, Status::Approved),
        ("captured", true, Status::Approved),
        ("completed", true, Status::Approved),
        ("canceled", false, Status::Cancelled),
        ("failed", false, Status::Failed),
    ] {
        let payment = json!({
            "status": status, "captured": captured,
            "purchase": {"total": total, "items": [{"name": "Ноутбук", "quantity": "1", "amount": total}]},
            "payer": {"firstName": "Alesia", "lastName": "Kupala", "email": "a@example.by", "phone": "+375291234567"},
            "plan": {"options": [{"code": "HOL", "name": "Holvi"}], "source": "HOL"},
            "createdAt": "2026-11-01T10:00:00Z",
        });
        let body = payment.to_string();
        assert_eq!(
            contract.check_answer("GET", "/v1/payments/kp-1", 200, body.as_bytes()),
            Ok(()),
            "the sample is a payment as the document defines it"
        );
        let read: Payment = serde_json::from_value(payment).unwrap();
        assert_eq!(kartapay_status(&read.status), expected, "{status}");
        assert_eq!(
            read.reported_amount(),
            ReportedAmount {
                amount: "299.90".into(),
                currency: Some("BYN".into())
            }
        );
    }
}

#[test]
fn freedompays_documented_refund_reads_as_refunded_wholly_or_in_part() {
    let example = include_str!("../contracts/freedompay-get-status3-example.xml");
    let fields = parse_xml(example.as_bytes()).unwrap();
    let text = |key: &str| {
        fields.iter().find_map(|(k, v)| match v {
            Field::Text(t) if k == key => Some(t.clone()),
            _ => None,
        })
    };
    // `pg_payment_status` says success; the refund of the whole 10 KZT is beside it.
    assert_eq!(text("pg_payment_status").as_deref(), Some("success"));
    assert_eq!(
        (text("pg_amount").as_deref(), text("pg_currency").as_deref()),
        (Some("10"), Some("KZT"))
    );
    assert_eq!(freedompay_status_word(&fields), "refunded");
    assert_eq!(
        freedompay_status(&freedompay_status_word(&fields)),
        Status::Refunded
    );
    let partly = example.replace("-10<", "-4<");
    let fields = parse_xml(partly.as_bytes()).unwrap();
    assert_eq!(freedompay_status_word(&fields), "partly_refunded");
    assert_eq!(
        freedompay_status(&freedompay_status_word(&fields)),
        Status::Refunded
    );
}

#[tokio::test]
async fn the_freedompay_simulator_answers_refunds_as_the_documentation_does() {
    let sandbox = Sandbox::start().await.unwrap();
    let adapter = FreedomPay::new(sandbox.providers.freedompay.unwrap(), Vec::new(), TIMEOUT);
    for (payment, word) in [("831338052", "refunded"), ("831338051", "partly_refunded")] {
        let answer = adapter.status(payment).await.unwrap();
        assert_eq!(answer.payment_status, word, "{payment}");
        let status = adapter.application_status(payment).await.unwrap();
        assert_eq!(adapter.normalize_status(&status.word), Status::Refunded);
    }
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, Field)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Field::Text((*v).to_owned())))
        .collect()
}

#[test]
fn freedompay_signatures_follow_the_documentation_and_pg_signature() {
    // FreedomPay's documentation of `installment/init` (seed 002), "Signature example":
    // 'init;10000;test;{{paybox_merchant_id}};12345;some random string;{{secret_key}}', with
    // merchant 545084 and key `secret`: md5 of that string, computed with coreutils.
    let init = fields(&[
        ("pg_merchant_id", "545084"),
        ("pg_order_id", "12345"),
        ("pg_amount", "10000"),
        ("pg_description", "test"),
        ("pg_salt", "some random string"),
    ]);
    assert_eq!(
        freedompay_signature("init", &init, "secret"),
        "11c01c808f52326aa1de9f4af8c3b0c4"
    );
    // PayBox's `PG_Signature::makeFlatParamsArray` (its PHP merchant modules) names every key
    // `parent . key . sprintf('%03d', $i)`, the top level included, then `ksort`s. Where one
    // key continues another with a byte below '0', that order differs from sorting bare keys:
    // `x-y001` < `x002`, so the values go 2;1 (md5 of "s;2;1;k", coreutils).
    let prefixed = fields(&[("x", "1"), ("x-y", "2")]);
    assert_eq!(
        freedompay_signature("s", &prefixed, "k"),
        "188a41f0b94c01389b7471b8f773a088"
    );
}

#[test]
fn craftgate_signatures_match_the_official_clients_vectors() {
    // craftgate/craftgate-node-client, test/lib/utils.test.js: "calculateSignature() should
    // calculate signature without the body" and "... with the body".
    let url = "https://sandbox-api.craftgate.io";
    assert_eq!(
        craftgate_request_signature(url, "dummy", "dummy", "123", None),
        "sgmDw5GY819oFF8SC5OTORgqvKGL/4iTZxCeWTSJP5Y="
    );
    assert_eq!(
        craftgate_request_signature(url, "dummy", "dummy", "123", Some(br#"{"foo": 42}"#)),
        "tAse+e0kJf/+XC6yrM+laeTcszYTH8z7uNc5oZAIGPs="
    );
    // craftgate/craftgate-python-client, tests/test_hook_sample.py:
    // "test_should_verify_webhook_signature".
    assert_eq!(
        craftgate_webhook_signature(
            "Aoh7tReTybO6wOjBmOJFFsOR53SBojEp",
            "API_VERIFY_AND_AUTH",
            "1661521221",
            "SUCCESS",
            "584"
        ),
        "0wRB5XqWJxwwPbn5Z9TcbHh8EGYFufSYTsRMB74N094="
    );
}

#[tokio::test]
async fn the_craftgate_simulator_takes_the_auth_version_the_official_clients_send() {
    let sandbox = Sandbox::start().await.unwrap();
    let base = sandbox.providers.craftgate.unwrap().base_url;
    let url = format!("{base}/installment/v1/bins/54066700");
    for version in ["v1", "1"] {
        let signature = craftgate_request_signature(
            &url,
            credentials::CRAFTGATE_API_KEY,
            credentials::CRAFTGATE_SECRET,
            "rnd-1",
            None,
        );
        let answer = reqwest::Client::new()
            .get(&url)
            .header("x-api-key", credentials::CRAFTGATE_API_KEY)
            .header("x-rnd-key", "rnd-1")
            .header("x-auth-version", version)
            .header("x-signature", signature)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200, "x-auth-version: {version}");
    }
}

#[tokio::test]
async fn a_wrong_craftgate_key_is_an_error_on_a_bin_lookup_never_an_unknown_bin() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = sandbox.providers.craftgate.clone().unwrap();
    let adapter = Craftgate::new(config.clone(), TIMEOUT);
    assert!(adapter.bin("54066700").await.unwrap().is_some());
    assert_eq!(adapter.bin("99999999").await, Ok(None), "an unknown BIN");
    let mut wrong = config;
    wrong.secret_key = Secret::new("wrong");
    let refused = Craftgate::new(wrong, TIMEOUT).bin("54066700").await;
    assert!(
        matches!(refused, Err(ProviderError::Unauthorized(_))),
        "{refused:?}"
    );
}

/// A merchant's result URL that records how each notification came and answers it, signed,
/// as the adapter does.
async fn result_url(
    adapter: std::sync::Arc<FreedomPay>,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>,
) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let router = axum::Router::new().route(
        "/hooks/freedompay",
        axum::routing::any(
            move |method: axum::http::Method,
                  axum::extract::RawQuery(query): axum::extract::RawQuery,
                  body: axum::body::Bytes| {
                let (adapter, record) = (adapter.clone(), record.clone());
                async move {
                    let fields = match method {
                        axum::http::Method::GET => query.unwrap_or_default().into_bytes(),
                        _ => body.to_vec(),
                    };
                    let reply = adapter.webhook_reply(&fields, None);
                    record.lock().unwrap().push((method.to_string(), fields));
                    reply
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}/hooks/freedompay"), seen)
}

#[tokio::test]
async fn the_freedompay_simulator_notifies_by_the_request_method_it_was_given() {
    let sandbox = Sandbox::start().await.unwrap();
    let kzt = Currency::from_code("KZT").unwrap();
    for (method, arrives_as) in [("GET", "GET"), ("POST", "POST"), ("XML", "POST")] {
        let mut config = sandbox.providers.freedompay.clone().unwrap();
        config.request_method = method.to_owned();
        let adapter = std::sync::Arc::new(FreedomPay::new(config, Vec::new(), TIMEOUT));
        let (url, seen) = result_url(adapter.clone()).await;
        let mut request = priced_request();
        request.order = PricedOrder {
            order_id: format!("fp-{method}"),
            amount: Money::parse("389990", kzt).unwrap(),
            items: Vec::new(),
        };
        request.phone = "+77011234567".into();
        request.callback_url = url;
        let created = adapter.create_application(&request).await.unwrap();
        let back = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(&created.redirect_url)
            .form(&[("code", "4321")])
            .send()
            .await
            .unwrap();
        assert_eq!(back.status().as_u16(), 303, "{method}");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{method}: answered ok at once");
        let (came_by, fields) = &seen[0];
        assert_eq!(came_by, arrives_as, "{method}");
        assert_eq!(
            String::from_utf8_lossy(fields).contains("pg_xml="),
            method == "XML",
            "{method}"
        );
        let event = adapter
            .verify_webhook(&axum::http::HeaderMap::new(), fields)
            .unwrap();
        assert_eq!(
            (event.provider_ref, event.status),
            (created.provider_ref, Status::Approved),
            "{method}"
        );
    }
}
