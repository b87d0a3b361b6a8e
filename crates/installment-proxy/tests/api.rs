//! The router through `app(...)`, no socket: every bad input, caching headers, coalescing,
//! and providers that time out, fail, answer garbage or sign wrongly.
#![cfg(not(target_arch = "wasm32"))]

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
    routing::{get, post},
};
use http_body_util::BodyExt;
use installment_proxy::{
    AppState, Config, KartaPokupokConfig, Provider, ProviderId, Secret, app,
    providers::{Craftgate, FreedomPay, KartaPay, KartaPokupok},
    sandbox::{Sandbox, conditions::default_rules},
};
use serde_json::Value;
use std::{sync::Arc, time::Duration};
use tower::ServiceExt;

async fn sandbox_app() -> (Router, Arc<AppState>) {
    let state = Arc::new(AppState::new(&Config::sandbox()).await.unwrap());
    (app(state.clone()), state)
}

/// One GET with extra `headers`: the status, the response headers, and the body as JSON
/// (`Null` when it is not JSON).
async fn request(
    router: &Router,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, HeaderMap, Value) {
    let (status, headers, bytes) = raw(router, uri, headers).await;
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, json)
}

async fn get_json(router: &Router, uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = request(router, uri, &[]).await;
    (status, body)
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field() {
    let (router, _) = sandbox_app().await;
    let (_, openapi) = get_json(&router, "/api/v1/openapi.json").await;
    for path in [
        "/healthz",
        "/api/v1/rules",
        "/api/v1/offers",
        "/api/v1/bins/{bin}",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} is documented");
    }
    let documented = openapi.to_string();
    let cases = [
        (
            "/api/v1/offers?amount=abc&currency=BYN",
            "invalid_amount",
            "amount",
        ),
        (
            "/api/v1/offers?amount=1.005&currency=BYN",
            "invalid_amount",
            "amount",
        ),
        (
            "/api/v1/offers?amount=1e5&currency=BYN",
            "invalid_amount",
            "amount",
        ),
        (
            "/api/v1/offers?amount=-5&currency=BYN",
            "invalid_amount",
            "amount",
        ),
        (
            "/api/v1/offers?amount=0&currency=BYN",
            "amount_out_of_range",
            "amount",
        ),
        (
            "/api/v1/offers?amount=99999999999999&currency=BYN",
            "amount_out_of_range",
            "amount",
        ),
        (
            "/api/v1/offers?amount=10&currency=XXX",
            "unknown_currency",
            "currency",
        ),
        ("/api/v1/offers?amount=10", "missing_parameter", "currency"),
        ("/api/v1/offers?currency=BYN", "missing_parameter", "amount"),
        (
            "/api/v1/offers?amount=10&currency=BYN&provider=paypal",
            "unknown_provider",
            "paypal",
        ),
        (
            "/api/v1/offers?amount=10&currency=BYN&bin=4000123412341234",
            "card_number_refused",
            "card number",
        ),
        (
            "/api/v1/offers?amount=10&currency=BYN&bin=40001",
            "invalid_bin",
            "bin",
        ),
        (
            "/api/v1/offers?amount=10&currency=BYN&bin=4000x1",
            "invalid_bin",
            "bin",
        ),
        (
            "/api/v1/offers?amount=10&currency=BYN&category=%3Cscript%3E",
            "invalid_category",
            "category",
        ),
        (
            "/api/v1/offers?amount=10&currency=BYN&product=abc",
            "invalid_product",
            "product",
        ),
        (
            "/api/v1/offers?amount=10&currency=BYN&colour=red",
            "unknown_parameter",
            "colour",
        ),
        (
            "/api/v1/offers?amount=10&amount=20&currency=BYN",
            "duplicate_parameter",
            "amount",
        ),
        ("/api/v1/rules", "missing_parameter", "currency"),
        (
            "/api/v1/rules?currency=byn1",
            "unknown_currency",
            "currency",
        ),
        (
            "/api/v1/bins/4000123412341234",
            "card_number_refused",
            "card number",
        ),
        ("/api/v1/bins/12345", "invalid_bin", "bin"),
        ("/api/v1/nothing", "not_found", "route"),
    ];
    for (uri, code, named) in cases {
        let (status, body) = get_json(&router, uri).await;
        assert!(status.is_client_error(), "{uri}: {status}");
        assert_eq!(body["code"], code, "{uri}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(named),
            "{uri}: {body}"
        );
        assert!(
            code == "not_found" || documented.contains(code),
            "{code} is documented"
        );
    }
}

#[tokio::test]
async fn offers_are_exact_narrowed_by_bin_and_list_the_from_plan() {
    let (router, _) = sandbox_app().await;
    let (status, body) = get_json(&router, "/api/v1/offers?amount=299.90&currency=BYN").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["from"]["monthly"], "12.50");
    assert_eq!(body["from"]["provider"], "karta_pokupok");
    let providers: Vec<_> = body["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["provider"].clone())
        .collect();
    assert_eq!(providers, ["karta_pokupok", "kartapay"]);
    assert_eq!(body["unavailable"], Value::Array(vec![]));

    // A Karta Pokupok card keeps Karta Pokupok and card-agnostic KartaPay; a Visa drops KP.
    let (_, kp_card) = get_json(
        &router,
        "/api/v1/offers?amount=299.90&currency=BYN&bin=91121050",
    )
    .await;
    assert_eq!(kp_card["card"]["range"]["family"], "Karta Pokupok");
    assert_eq!(kp_card["providers"].as_array().unwrap().len(), 2);
    let (_, visa) = get_json(
        &router,
        "/api/v1/offers?amount=299.90&currency=BYN&bin=400100",
    )
    .await;
    assert_eq!(visa["providers"].as_array().unwrap().len(), 1);
    assert_eq!(visa["card"]["association"], "VISA");

    let (_, ineligible) = get_json(&router, "/api/v1/offers?amount=10&currency=BYN").await;
    assert_eq!(ineligible["providers"], Value::Array(vec![]));
    assert_eq!(ineligible["from"], Value::Null);
}

#[tokio::test]
async fn rules_are_cacheable_and_carry_no_bin_table() {
    let (router, _) = sandbox_app().await;
    let (status, headers, body) = request(&router, "/api/v1/rules?currency=BYN", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap();
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let names: Vec<_> = body["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["provider"].clone())
        .collect();
    assert_eq!(names, ["karta_pokupok", "kartapay"]);
    assert_eq!(body["offers_only"], serde_json::json!(["akinon"]));
    assert_eq!(
        body["bins"],
        Value::Null,
        "the picker asks /bins for its card"
    );
    let again = request(
        &router,
        "/api/v1/rules?currency=BYN",
        &[(header::IF_NONE_MATCH, etag)],
    )
    .await;
    assert_eq!(again.0, StatusCode::NOT_MODIFIED);
}

/// `count` adjacent ranges of 100 prefixes from 30000000 on, in the CSV the proxy loads.
fn generated_bin_table(count: u32) -> String {
    let mut csv =
        String::from("first,last,bank,bank_code,family,association,card_type,commercial,country\n");
    for i in 0..count {
        let first = 30_000_000 + i * 100;
        csv.push_str(&format!(
            "{first},{},Bank {},,Family {},MASTER_CARD,CREDIT_CARD,false,TR\n",
            first + 99,
            i % 40,
            i % 300
        ));
    }
    csv
}

/// One GET with extra `headers`: the status, the headers and the body's bytes as sent.
async fn raw(
    router: &Router,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut &bytes[..], &mut plain).unwrap();
    plain
}

/// The badges' document is the same whatever the BIN table holds: with 20,000 ranges it
/// is byte for byte the sample table's, and at most 4 KB in brotli for every currency the
/// sandbox's providers lend in.
#[tokio::test]
async fn the_badges_document_does_not_grow_with_the_bin_table() {
    let table = std::env::temp_dir().join(format!("installment-bins-{}.csv", std::process::id()));
    std::fs::write(&table, generated_bin_table(20_000)).unwrap();
    let mut big = Config::sandbox();
    big.bin_table = Some(table.clone());
    let big = app(Arc::new(AppState::new(&big).await.unwrap()));
    let (sample, _) = sandbox_app().await;
    let brotli = [(header::ACCEPT_ENCODING, "br, gzip")];
    for currency in ["BYN", "KZT", "TRY"] {
        let uri = format!("/api/v1/rules?currency={currency}");
        let (status, headers, sent) = raw(&big, &uri, &brotli).await;
        assert_eq!(status, StatusCode::OK, "{currency}");
        assert_eq!(headers[header::CONTENT_ENCODING], "br", "{currency}");
        assert!(
            sent.len() <= 4096,
            "{currency}: {} bytes in brotli",
            sent.len()
        );
        let (_, _, plain) = raw(&sample, &uri, &[]).await;
        let document: Value = serde_json::from_slice(&unbrotli(&sent)).unwrap();
        assert!(
            !document["providers"].as_array().unwrap().is_empty(),
            "{currency}"
        );
        assert_eq!(
            document,
            serde_json::from_slice::<Value>(&plain).unwrap(),
            "{currency}"
        );
    }
    // The picker's question about one card is answered from the big table.
    let (status, headers, card) = request(&big, "/api/v1/bins/30123456", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["range"]["family"], "Family 34");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=3600");
    let _ = std::fs::remove_file(table);
}

/// Every JSON answer is compressed for a client that accepts it, and varies by
/// `Accept-Encoding`; the rules' ETag is weak, so it names the document in any encoding and
/// a revalidation in brotli is a 304.
#[tokio::test]
async fn answers_are_compressed_for_those_who_accept_it_and_etags_stay_right() {
    let (router, _) = sandbox_app().await;
    for (uri, accepted, encoding) in [
        ("/api/v1/rules?currency=BYN", "br", Some("br")),
        ("/api/v1/rules?currency=BYN", "gzip", Some("gzip")),
        ("/api/v1/rules?currency=BYN", "identity", None),
        (
            "/api/v1/offers?amount=600&currency=BYN",
            "gzip, br",
            Some("br"),
        ),
        ("/api/v1/bins/91121050", "gzip", Some("gzip")),
        ("/api/v1/openapi.json", "br", Some("br")),
        ("/api/v1/nowhere", "br", Some("br")),
    ] {
        let (_, headers, _) = raw(&router, uri, &[(header::ACCEPT_ENCODING, accepted)]).await;
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{uri} for {accepted}"
        );
        assert!(
            headers.get_all(header::VARY).iter().any(|v| v
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding")),
            "{uri}: Vary: Accept-Encoding"
        );
    }
    let uri = "/api/v1/rules?currency=BYN";
    let (_, plain, plain_body) = raw(&router, uri, &[]).await;
    let (_, brotli, brotli_body) = raw(&router, uri, &[(header::ACCEPT_ENCODING, "br")]).await;
    assert_ne!(plain_body, brotli_body);
    let etag = plain[header::ETAG].to_str().unwrap();
    assert!(
        etag.starts_with("W/\""),
        "{etag}: weak, for one document in many encodings"
    );
    assert_eq!(brotli[header::ETAG], etag);
    for tag in [etag, etag.trim_start_matches("W/")] {
        let (status, _, body) = raw(
            &router,
            uri,
            &[
                (header::ACCEPT_ENCODING, "br"),
                (header::IF_NONE_MATCH, tag),
            ],
        )
        .await;
        assert_eq!(
            (status, body.len()),
            (StatusCode::NOT_MODIFIED, 0),
            "If-None-Match: {tag}"
        );
    }
    let (status, _, _) = raw(&router, uri, &[(header::IF_NONE_MATCH, "W/\"other\"")]).await;
    assert_eq!(status, StatusCode::OK);
}

/// The widget's files: the brotli or gzip written beside each at build time when there is
/// one, else compressed on the way; either way `Vary: Accept-Encoding`.
#[tokio::test]
async fn widget_files_are_served_compressed() {
    let dir = std::env::temp_dir().join(format!("installment-widget-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let glue = "export const installments = 'exactly';\n".repeat(50);
    std::fs::write(dir.join("widget.js"), &glue).unwrap();
    std::fs::write(dir.join("installment_widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("installment_widget_bg.wasm.br"), b"precompressed").unwrap();
    let mut config = Config::sandbox();
    config.widget_dir = Some(dir.clone());
    let router = app(Arc::new(AppState::new(&config).await.unwrap()));

    let (status, headers, body) = raw(
        &router,
        "/widget/installment_widget_bg.wasm",
        &[(header::ACCEPT_ENCODING, "br")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(body, b"precompressed", "the file written at build time");
    let (_, headers, body) = raw(&router, "/widget/installment_widget_bg.wasm", &[]).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, b"\0asm\x01\0\0\0");

    let (_, headers, body) = raw(
        &router,
        "/widget/widget.js",
        &[(header::ACCEPT_ENCODING, "br")],
    )
    .await;
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert!(
        headers[header::VARY]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    assert_eq!(unbrotli(&body), glue.as_bytes());
    assert!(body.len() < glue.len() / 4);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn two_hundred_identical_cold_requests_make_one_upstream_call() {
    // One client address here, so lift the per-client limit out of the way.
    let mut config = Config::sandbox();
    (config.rate_per_second, config.rate_burst) = (10_000, 10_000);
    let state = Arc::new(AppState::new(&config).await.unwrap());
    let router = app(state.clone());
    let calls = state.sandbox_calls().unwrap().clone();
    let requests: Vec<_> = (0..200)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move {
                get_json(
                    &router,
                    "/api/v1/offers?amount=777.77&currency=TRY&provider=craftgate",
                )
                .await
            })
        })
        .collect();
    for request in requests {
        let (status, body) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["providers"][0]["provider"], "craftgate", "{body}");
    }
    assert_eq!(calls.get(ProviderId::Craftgate), 1);
}

#[tokio::test]
async fn bins_missing_from_the_table_are_asked_of_craftgate() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = Config::sandbox();
    let timeout = config.provider_timeout;
    let kartapay: Arc<dyn Provider> = Arc::new(KartaPay::new(
        sandbox.providers.kartapay.clone().unwrap(),
        Vec::new(),
        timeout,
    ));
    let craftgate: Arc<dyn Provider> = Arc::new(Craftgate::new(
        sandbox.providers.craftgate.clone().unwrap(),
        timeout,
    ));
    // An empty local table: only Craftgate can tell.
    let state = AppState::with_providers(&config, vec![kartapay, craftgate], Default::default());
    let router = app(Arc::new(state));
    let (status, body) = get_json(&router, "/api/v1/bins/55280012").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["range"]["family"], "Axess");
    assert_eq!(body["range"]["bank"], "Akbank");
    let (_, unknown) = get_json(&router, "/api/v1/bins/22001234").await;
    assert_eq!(unknown["range"], Value::Null);
    assert_eq!(
        unknown["association"], "MIR",
        "the prefix still tells the scheme"
    );
}

#[tokio::test]
async fn a_refused_craftgate_key_on_a_bin_lookup_is_counted_as_an_error_not_an_unknown_bin() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = Config::sandbox();
    let mut wrong = sandbox.providers.craftgate.clone().unwrap();
    wrong.secret_key = installment_proxy::Secret::new("not-the-key");
    let craftgate: Arc<dyn Provider> = Arc::new(Craftgate::new(wrong, config.provider_timeout));
    let state = AppState::with_providers(&config, vec![craftgate], Default::default());
    let router = app(Arc::new(state));
    let (status, body) = get_json(&router, "/api/v1/bins/55280012").await;
    // The shopper's page still gets an answer from the prefix alone.
    assert_eq!((status, &body["range"]), (StatusCode::OK, &Value::Null));
    let response = router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let line = r#"installment_proxy_provider_calls_total{provider="craftgate",operation="bin",outcome="unauthorized"} 1"#;
    assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_a_code() {
    let mut config = Config::sandbox();
    config.rate_per_second = 1;
    config.rate_burst = 3;
    let router = app(Arc::new(AppState::new(&config).await.unwrap()));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(get_json(&router, "/api/v1/bins/400100").await);
    }
    assert!(statuses[..3].iter().all(|(s, _)| *s == StatusCode::OK));
    assert_eq!(statuses[4].0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(statuses[4].1["code"], "rate_limited");
    // The health check is never limited.
    assert_eq!(get_json(&router, "/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let mut config = Config::sandbox();
    config.cors_origins = vec!["https://shop.example".into()];
    let router = app(Arc::new(AppState::new(&config).await.unwrap()));
    for (origin, allowed) in [
        ("https://shop.example", true),
        ("https://evil.example", false),
    ] {
        let (_, headers, _) =
            request(&router, "/api/v1/bins/400100", &[(header::ORIGIN, origin)]).await;
        let header = headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN);
        assert_eq!(header.is_some(), allowed, "{origin}");
    }
}

/// A provider gone wrong in every way a real one does, on a real loopback port.
async fn faulty_upstream() -> String {
    let router = Router::new()
        .route("/slow/terms", get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            axum::Json(serde_json::json!({"available_terms": [3]}))
        }))
        .route("/error/terms", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded") }))
        .route("/garbage/terms", get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{\"available_terms\": [3,") }))
        .route("/garbage/installment/v1/installments", get(|| async { "<html>maintenance</html>" }))
        .route("/badsig/get_status3.php", post(|| async {
            "<response><pg_status>ok</pg_status><pg_payment_id>1</pg_payment_id><pg_salt>s</pg_salt><pg_sig>00000000000000000000000000000000</pg_sig></response>"
        }))
        .route("/badxml/get_status3.php", post(|| async { "<response><pg_status>ok</pg_stat" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test]
async fn a_failing_provider_is_reported_and_the_others_still_answer() {
    let upstream = faulty_upstream().await;
    let sandbox = Sandbox::start().await.unwrap();
    let mut config = Config::sandbox();
    config.provider_timeout = Duration::from_millis(300);
    let rules = default_rules();
    let kp = |path: &str| -> Arc<dyn Provider> {
        Arc::new(KartaPokupok::new(
            KartaPokupokConfig {
                base_url: format!("{upstream}/{path}"),
                partner_id: "p".into(),
                token: Secret::new("t"),
                webhook_secret: Secret::new("w"),
            },
            Vec::new(),
            config.provider_timeout,
        ))
    };
    let healthy: Arc<dyn Provider> = Arc::new(KartaPay::new(
        sandbox.providers.kartapay.clone().unwrap(),
        rules[&ProviderId::KartaPay].clone(),
        config.provider_timeout,
    ));
    for (path, reason) in [
        ("slow", "timeout"),
        ("error", "http_error"),
        ("garbage", "malformed_response"),
    ] {
        let state =
            AppState::with_providers(&config, vec![kp(path), healthy.clone()], Default::default());
        let router = app(Arc::new(state));
        let started = std::time::Instant::now();
        let (status, body) = get_json(&router, "/api/v1/offers?amount=299.90&currency=BYN").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path}: the timeout bounds the wait"
        );
        assert_eq!(
            body["unavailable"][0]["provider"], "karta_pokupok",
            "{path}"
        );
        assert_eq!(body["unavailable"][0]["reason"], reason, "{path}");
        assert!(
            !body["unavailable"][0]["message"]
                .as_str()
                .unwrap()
                .contains("exploded"),
            "details stay in the log"
        );
        assert_eq!(body["providers"][0]["provider"], "kartapay", "{path}");
        assert_eq!(body["from"]["provider"], "kartapay");
    }
}

#[tokio::test]
async fn garbage_and_forged_signatures_are_provider_errors() {
    let upstream = faulty_upstream().await;
    let timeout = Duration::from_secs(2);
    let sandbox = Sandbox::start().await.unwrap();
    let mut craftgate = sandbox.providers.craftgate.clone().unwrap();
    craftgate.base_url = format!("{upstream}/garbage");
    let answer = Craftgate::new(craftgate, timeout)
        .rules(installment_core::Currency::from_code("TRY").unwrap())
        .await;
    assert!(
        matches!(answer, Err(installment_proxy::ProviderError::Malformed(_))),
        "{answer:?}"
    );

    let mut freedompay = sandbox.providers.freedompay.clone().unwrap();
    freedompay.base_url = format!("{upstream}/badsig");
    let forged = FreedomPay::new(freedompay.clone(), Vec::new(), timeout)
        .status("1")
        .await;
    assert_eq!(forged, Err(installment_proxy::ProviderError::BadSignature));
    freedompay.base_url = format!("{upstream}/badxml");
    let broken = FreedomPay::new(freedompay, Vec::new(), timeout)
        .status("1")
        .await;
    assert!(
        matches!(broken, Err(installment_proxy::ProviderError::Malformed(_))),
        "{broken:?}"
    );

    // Through the API, a provider whose rules fail is listed, the rest are served.
    let mut config = Config::sandbox();
    config.provider_timeout = timeout;
    let mut broken_craftgate = sandbox.providers.craftgate.clone().unwrap();
    broken_craftgate.base_url = format!("{upstream}/garbage");
    let providers: Vec<Arc<dyn Provider>> =
        vec![Arc::new(Craftgate::new(broken_craftgate, timeout))];
    let router = app(Arc::new(AppState::with_providers(
        &config,
        providers,
        Default::default(),
    )));
    let (status, headers, body) = request(&router, "/api/v1/rules?currency=TRY", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(body["unavailable"][0]["reason"], "malformed_response");
}

#[tokio::test]
async fn the_demo_and_widget_are_served_under_a_strict_policy() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut config = Config::sandbox();
    config.static_dir = Some(root.join("www"));
    config.widget_dir = Some(root.join("js"));
    let router = app(Arc::new(AppState::new(&config).await.unwrap()));
    for (uri, kind) in [("/", "text/html"), ("/widget/embed.js", "javascript")] {
        let (status, headers, _) = request(&router, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains(kind),
            "{uri}"
        );
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'")
                && !policy.contains("unsafe-inline")
        );
    }
    // The entry's URL is the merchant's: it revalidates each view, and a revalidation
    // costs a 304 without a body.
    let (_, headers, _) = request(&router, "/widget/embed.js", &[]).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let tag = headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, _, _) = request(
        &router,
        "/widget/embed.js",
        &[(header::IF_NONE_MATCH, tag.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

/// Content-hashed files are kept a year without asking; the entries, whose names stay,
/// revalidate by an ETag of their content, so a new release is seen at the next view.
#[tokio::test]
async fn hashed_widget_files_are_immutable_and_entries_revalidate_by_their_content() {
    let dir = std::env::temp_dir().join(format!("installment-widget-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("embed.js"),
        "import('./installment_embed.0a1b2c3d4e.js');",
    )
    .unwrap();
    std::fs::write(
        dir.join("installment_embed.0a1b2c3d4e.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(
        dir.join("installment_embed.0a1b2c3d4e.js.br"),
        b"precompressed",
    )
    .unwrap();
    let mut config = Config::sandbox();
    config.widget_dir = Some(dir.clone());
    let router = app(Arc::new(AppState::new(&config).await.unwrap()));

    for encoding in ["br", "identity"] {
        let (status, headers, _) = raw(
            &router,
            "/widget/installment_embed.0a1b2c3d4e.js",
            &[(header::ACCEPT_ENCODING, encoding)],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{encoding}"
        );
    }
    // A hashed name that is not (yet) there is never kept.
    let (status, headers, _) = raw(&router, "/widget/installment_embed.ffffffffff.js", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");

    let (status, headers, body) = raw(&router, "/widget/embed.js", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert!(!body.is_empty());
    let tag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    for given in [tag.as_str(), tag.trim_start_matches("W/"), "\"other\", *"] {
        let (status, headers, body) = raw(
            &router,
            "/widget/embed.js",
            &[(header::IF_NONE_MATCH, given)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{given}");
        assert!(body.is_empty());
        assert_eq!(headers[header::ETAG], tag.as_str());
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    }
    // A new release: the same URL, another content, another tag, and the old one gets it.
    std::fs::write(
        dir.join("embed.js"),
        "import('./installment_embed.5f6e7d8c9b.js');",
    )
    .unwrap();
    let (status, headers, body) = raw(
        &router,
        "/widget/embed.js",
        &[(header::IF_NONE_MATCH, tag.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers[header::ETAG], tag.as_str());
    assert_eq!(body, b"import('./installment_embed.5f6e7d8c9b.js');");
    let _ = std::fs::remove_dir_all(dir);
}

/// A request from `peer` with extra `headers`, to `method` `uri`; the status.
async fn from_peer(
    router: &Router,
    peer: &str,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> StatusCode {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_keys_on_the_forwarded_client() {
    let mut config = Config::sandbox();
    config.rate_per_second = 1;
    config.rate_burst = 2;
    config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let router = app(Arc::new(AppState::new(&config).await.unwrap()));
    let bins = "/api/v1/bins/400100";
    let proxy = "10.0.0.5:40000";
    let forwarded = |client: &'static str| [("X-Forwarded-For", client)];
    // One shopper behind the load balancer uses up their own burst...
    for _ in 0..2 {
        let ok = from_peer(&router, proxy, "GET", bins, &forwarded("203.0.113.7")).await;
        assert_eq!(ok, StatusCode::OK);
    }
    let limited = from_peer(&router, proxy, "GET", bins, &forwarded("203.0.113.7")).await;
    assert_eq!(limited, StatusCode::TOO_MANY_REQUESTS);
    // ...not another's, though both arrive through the same proxy; RFC 7239 alike, and the
    // nearest untrusted address counts (a client cannot pick its key by prepending one).
    let other = [("Forwarded", "for=198.51.100.1, for=\"[2001:db8::1]:8080\"")];
    assert_eq!(
        from_peer(&router, proxy, "GET", bins, &other).await,
        StatusCode::OK
    );
    let chained = [("X-Forwarded-For", "198.51.100.99, 203.0.113.7, 10.0.0.9")];
    assert_eq!(
        from_peer(&router, proxy, "GET", bins, &chained).await,
        StatusCode::TOO_MANY_REQUESTS,
        "203.0.113.7 is the nearest untrusted address"
    );
    // A peer that is not a trusted proxy cannot choose its key with the header.
    let direct = "192.0.2.50:5000";
    for _ in 0..2 {
        from_peer(&router, direct, "GET", bins, &forwarded("198.51.100.200")).await;
    }
    let spoofed = from_peer(&router, direct, "GET", bins, &forwarded("198.51.100.201")).await;
    assert_eq!(spoofed, StatusCode::TOO_MANY_REQUESTS);
    // Providers' webhooks are not subject to the shoppers' limit: checked, then refused for
    // their signature, never 429.
    let webhook = from_peer(
        &router,
        direct,
        "POST",
        "/api/v1/webhooks/karta_pokupok",
        &[],
    )
    .await;
    assert_eq!(webhook, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_provider_caches_by_what_its_answer_depends_on() {
    let mut config = Config::sandbox();
    (config.rate_per_second, config.rate_burst) = (10_000, 10_000);
    let state = Arc::new(AppState::new(&config).await.unwrap());
    let router = app(state.clone());
    let calls = state.sandbox_calls().unwrap().clone();
    // Karta Pokupok's terms do not depend on the card: other BINs, one call.
    for bin in ["41111111", "54066712", "91121012"] {
        let uri =
            format!("/api/v1/offers?amount=333.33&currency=BYN&provider=karta_pokupok&bin={bin}");
        assert_eq!(get_json(&router, &uri).await.0, StatusCode::OK);
    }
    assert_eq!(calls.get(ProviderId::KartaPokupok), 1);
    // Craftgate's search does: another BIN is another call; a product it ignores is not.
    let craftgate =
        |tail: &str| format!("/api/v1/offers?amount=444.44&currency=TRY&provider=craftgate&{tail}");
    assert_eq!(
        get_json(&router, &craftgate("bin=54066712")).await.0,
        StatusCode::OK
    );
    let before = calls.get(ProviderId::Craftgate);
    assert_eq!(
        get_json(&router, &craftgate("bin=41354012")).await.0,
        StatusCode::OK
    );
    let after_bin = calls.get(ProviderId::Craftgate);
    assert!(after_bin > before, "another BIN is asked of Craftgate");
    let uri = craftgate("bin=41354012&product=101");
    assert_eq!(get_json(&router, &uri).await.0, StatusCode::OK);
    assert_eq!(
        calls.get(ProviderId::Craftgate),
        after_bin,
        "the product changes nothing"
    );
    // An Akinon shopper session disables caching for Akinon only.
    let session = [
        (
            header::HeaderName::from_static("x-akinon-session"),
            "sessionid=abc",
        ),
        (header::HeaderName::from_static("x-akinon-csrf-token"), "t"),
    ];
    for _ in 0..2 {
        let (status, _, _) = request(
            &router,
            "/api/v1/offers?amount=555.55&currency=BYN&provider=karta_pokupok",
            &session,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        calls.get(ProviderId::KartaPokupok),
        2,
        "one more amount, one more call"
    );
}

#[tokio::test]
async fn metrics_count_routes_caches_provider_calls_and_webhooks_and_readyz_asks_the_database() {
    let router = app(Arc::new(AppState::new(&Config::sandbox()).await.unwrap()));
    let (status, _, body) = request(&router, "/readyz", &[]).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    // Craftgate prices remotely: the first ask misses its cache, the second hits it.
    for _ in 0..2 {
        let (status, _) = get_json(&router, "/api/v1/offers?amount=1200.00&currency=TRY").await;
        assert_eq!(status, StatusCode::OK);
    }
    let forged = from_peer(
        &router,
        "127.0.0.1:9",
        "POST",
        "/api/v1/webhooks/karta_pokupok",
        &[("content-type", "application/json")],
    )
    .await;
    assert!(forged.is_client_error());

    let response = router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    for line in [
        r#"installment_proxy_http_requests_total{route="/api/v1/offers",method="GET",status="200"} 2"#,
        r#"installment_proxy_provider_calls_total{provider="craftgate",operation="offers",outcome="ok"} 1"#,
        r#"installment_proxy_webhooks_total{provider="karta_pokupok",verdict="forged"} 1"#,
        "installment_proxy_callback_queue_depth 0",
        "# EOF",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
    assert!(
        text.contains(r#"installment_proxy_provider_call_seconds_count{provider="craftgate",operation="offers"} 1"#),
        "{text}"
    );
    // Each remote provider's offers: one miss, then one hit.
    let count = |result: &str| {
        let prefix = format!(
            r#"installment_proxy_cache_lookups_total{{cache="offers",result="{result}"}} "#
        );
        text.lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .and_then(|n| n.parse::<u64>().ok())
    };
    assert!(count("miss").is_some_and(|n| n > 0), "{text}");
    assert_eq!(count("hit"), count("miss"), "{text}");
    // Routes by their pattern: an id never becomes a label.
    let _ = request(&router, "/api/v1/applications/app_123", &[]).await;
    let response = router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        text.contains(r#"route="/api/v1/applications/{id}""#),
        "{text}"
    );
    assert!(!text.contains("app_123"));
}
