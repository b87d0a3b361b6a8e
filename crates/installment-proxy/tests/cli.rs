//! The binary as a merchant runs it: config errors, sandbox start-up, secrets kept out of logs.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::{
    io::{BufRead, BufReader, Read},
    process::{Child, Command, Stdio},
};
use support::{BINARY, start};

fn config_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "installment-proxy-{}-{name}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

fn output_of(mut child: Child) -> String {
    child.kill().unwrap();
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn bad_configuration_stops_the_start_and_names_the_key() {
    let path = config_file(
        "bad",
        "[providers.kartapay]\nbase_url = \"https://api.kartapay.example\"\ntoken = \"t\"\nwebhooks = \"proxy-hmac-v1\"\n",
    );
    let output = Command::new(BINARY)
        .args(["--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("providers.kartapay.webhook_secret"),
        "{message}"
    );
    assert!(
        message.contains("INSTALLMENT_PROXY_KARTAPAY_WEBHOOK_SECRET"),
        "{message}"
    );
}

/// A BIN table with an overlapping range stops the start, naming the file and both lines.
#[test]
fn an_overlapping_bin_range_stops_the_start_and_names_its_line() {
    let table = std::env::temp_dir().join(format!(
        "installment-proxy-{}-overlap.csv",
        std::process::id()
    ));
    std::fs::write(
        &table,
        "# issuer ranges\nfirst,last,bank,bank_code,family,association,card_type,commercial,country\n\
         40010000,40019999,Bank,,Visa Classic,VISA,DEBIT_CARD,false,BY\n\
         40020000,40029999,Bank,,Visa Gold,VISA,CREDIT_CARD,false,BY\n\
         40019000,40019500,Bank,,Visa Gold,VISA,CREDIT_CARD,false,BY\n",
    )
    .unwrap();
    let path = config_file(
        "overlap",
        &format!("sandbox = true\nbin_table = {table:?}\n"),
    );
    let output = Command::new(BINARY)
        .args([
            "--config",
            path.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains(&table.display().to_string())
            && message
                .contains("line 5: range 40019000..40019500 overlaps 40010000..40019999 of line 3"),
        "{message}"
    );
    let _ = std::fs::remove_file(table);
}

#[tokio::test]
async fn without_a_config_it_starts_in_sandbox_mode_and_prints_its_address() {
    let (child, address) = start(&["--listen", "127.0.0.1:0"], "info");
    let health: serde_json::Value = reqwest::get(format!("{address}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["mode"], "sandbox");
    assert_eq!(health["providers"].as_array().unwrap().len(), 5);
    let offers: serde_json::Value = reqwest::get(format!(
        "{address}/api/v1/offers?amount=299.90&currency=BYN"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(offers["from"]["monthly"], "12.50");
    output_of(child);
}

#[tokio::test]
async fn secrets_never_reach_a_response_or_a_log_line() {
    let path = config_file(
        "secrets",
        "listen = \"127.0.0.1:0\"\n[providers.craftgate]\nbase_url = \"http://127.0.0.1:9\"\n\
         api_key = \"apikey-TOPSECRET\"\nsecret_key = \"signing-TOPSECRET\"\nwebhook_key = \"hook-TOPSECRET\"\n",
    );
    let (child, address) = start(&["--config", path.to_str().unwrap()], "debug");
    let body = reqwest::get(format!(
        "{address}/api/v1/offers?amount=100&currency=TRY&bin=54066712"
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        body.contains("\"unavailable\"") && body.contains("craftgate"),
        "{body}"
    );
    let rules = reqwest::get(format!("{address}/api/v1/rules?currency=TRY"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let log = output_of(child);
    assert!(
        log.contains("provider unavailable"),
        "the failure is logged: {log}"
    );
    for text in [&body, &rules, &log] {
        assert!(!text.contains("TOPSECRET"), "a secret leaked: {text}");
    }
}

/// Starts a Karta Pokupok application on the sandbox proxy at `base` and approves it by a
/// signed webhook, so a callback is queued; returns the application's id.
async fn approved_application(client: &reqwest::Client, base: &str) -> String {
    use installment_proxy::{sandbox::credentials, signature::hmac_sha256_hex};
    let order = serde_json::json!({
        "provider": "karta_pokupok", "months": 6,
        "items": [{"sku": "kettle", "quantity": 2}],
        "customer": {"phone": "+375291234567"},
        "success_path": "/return.html", "fail_path": "/return.html",
    });
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/applications"))
        .json(&order)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = serde_json::json!({
        "application_id": created["provider_ref"], "order_id": created["order_id"], "status": "APPROVED",
    })
    .to_string();
    let signature = hmac_sha256_hex(credentials::KP_WEBHOOK_SECRET.as_bytes(), body.as_bytes());
    let acknowledged = client
        .post(format!("{base}/api/v1/webhooks/karta_pokupok"))
        .header("X-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(acknowledged.status().as_u16(), 200);
    created["id"].as_str().unwrap().to_owned()
}

/// SIGKILL right after a webhook is acknowledged loses nothing, not even the callback the
/// merchant's backend (down until then) is owed: the restarted proxy, on the
/// same database file, has the event and the approval.
#[tokio::test]
async fn an_acknowledged_webhook_survives_sigkill() {
    let database = std::env::temp_dir().join(format!(
        "installment-proxy-{}-sigkill.sqlite",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&database);
    // The merchant's backend is down during the first run: nothing listens on its port yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = config_file(
        "sigkill",
        &format!(
            "sandbox = true\ndatabase = {database:?}\n\
             callback_url = \"http://127.0.0.1:{port}/orders/installment\"\n\
             callback_key = \"backend-key\"\n"
        ),
    );
    let config = config.to_str().unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    let (first, base) = start(&["--config", config, "--listen", "127.0.0.1:0"], "warn");
    let id = approved_application(&client, &base).await;
    output_of(first); // SIGKILL, at once

    // The backend comes up; the restarted proxy delivers the callback queued before the kill.
    let backend = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let (heard, mut hear) = tokio::sync::mpsc::unbounded_channel::<String>();
    let router = axum::Router::new().route(
        "/orders/installment",
        axum::routing::post(move |body: String| {
            let heard = heard.clone();
            async move {
                let _ = heard.send(body);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(backend, router).await });
    let (second, base) = start(&["--config", config, "--listen", "127.0.0.1:0"], "warn");
    let callback = tokio::time::timeout(std::time::Duration::from_secs(20), hear.recv())
        .await
        .expect("the callback arrives after the restart")
        .unwrap();
    let callback: serde_json::Value = serde_json::from_str(&callback).unwrap();
    assert_eq!(callback["event_id"], format!("{id}:approved"));
    let stored: serde_json::Value = client
        .get(format!("{base}/api/v1/applications/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    output_of(second);
    assert_eq!(
        (stored["status"].as_str(), stored["amount"].as_str()),
        (Some("approved"), Some("179.80"))
    );
}

/// 500 connections that send half a request line and then nothing: `/healthz` still answers
/// within a second, and the server closes each of them once its header-read timeout is over.
#[tokio::test]
async fn half_open_connections_neither_starve_the_proxy_nor_stay_open() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let database = std::env::temp_dir().join(format!(
        "installment-slowloris-{}.sqlite",
        std::process::id()
    ));
    let config = config_file(
        "slowloris",
        &format!(
            "sandbox = true\ndatabase = {database:?}\n[server]\nheader_read_timeout_ms = 1000\n\
             [rate_limit]\nper_second = 10000\nburst = 10000\n"
        ),
    );
    let (child, base) = start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        "warn",
    );
    let address = base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..500 {
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        socket.write_all(b"GET /heal").await.unwrap();
        idle.push(socket);
    }
    let started = std::time::Instant::now();
    let health = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(std::time::Duration::from_secs(1))
        .send()
        .await
        .expect("/healthz answers within a second");
    assert_eq!(health.status().as_u16(), 200);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // Every half-open connection is closed by the server after its timeout: reading it ends
    // (with nothing, or a 408) well before the test gives up.
    let closed = futures::future::join_all(idle.into_iter().map(|mut socket| async move {
        let mut rest = Vec::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(4),
            socket.read_to_end(&mut rest),
        )
        .await
        .is_ok()
    }))
    .await;
    assert_eq!(closed.iter().filter(|done| **done).count(), 500);
    output_of(child);
}

#[tokio::test]
async fn on_sigterm_it_finishes_what_is_in_flight_and_logs_json_when_asked() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let directory =
        std::env::temp_dir().join(format!("installment-proxy-drain-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = config_file(
        "drain",
        &format!(
            "sandbox = true\nlog_format = \"json\"\ndatabase = \"{}\"\n[server]\nshutdown_timeout_ms = 5000\n",
            directory.join("applications.sqlite").display()
        ),
    );
    let mut child = Command::new(BINARY)
        .args([
            "--config",
            path.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "installment_proxy=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let address = loop {
        let mut line = String::new();
        assert_ne!(
            stdout.read_line(&mut line).unwrap(),
            0,
            "exited early: {lines:?}"
        );
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned();
        }
        lines.push(line);
    };

    // A request in flight: its head and half its body sent.
    let mut in_flight = tokio::net::TcpStream::connect(&address).await.unwrap();
    in_flight
        .write_all(
            b"POST /api/v1/webhooks/karta_pokupok HTTP/1.1\r\nhost: proxy\r\n\
              content-type: application/json\r\ncontent-length: 2\r\n\r\n{",
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        tokio::net::TcpStream::connect(&address).await.is_err(),
        "no new connections once terminating"
    );
    // The request finishes and is answered (a forged webhook: 403), not cut off.
    in_flight.write_all(b"}").await.unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");

    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    lines.extend(rest.lines().map(str::to_owned));
    let logged: Vec<serde_json::Value> = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(
        logged.iter().any(|line| line["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("shutting down"))),
        "{logged:?}"
    );
    let _ = std::fs::remove_dir_all(directory);
}

/// SIGTERM while the merchant's backend is still answering a callback: the proxy waits for
/// the answer and records the delivery before it exits, so nothing is sent twice later.
#[tokio::test]
async fn on_sigterm_a_callback_in_flight_is_delivered_before_exit() {
    let database = std::env::temp_dir().join(format!(
        "installment-proxy-{}-term-callback.sqlite",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&database);
    // The backend takes its time: the callback is in flight when SIGTERM comes.
    let backend = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = backend.local_addr().unwrap().port();
    let (arrived, mut arrival) = tokio::sync::mpsc::unbounded_channel::<()>();
    let router = axum::Router::new().route(
        "/orders/installment",
        axum::routing::post(move || {
            let arrived = arrived.clone();
            async move {
                let _ = arrived.send(());
                tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(backend, router).await });
    let config = config_file(
        "term-callback",
        &format!(
            "sandbox = true\ndatabase = {database:?}\n\
             callback_url = \"http://127.0.0.1:{port}/orders/installment\"\n\
             callback_key = \"backend-key\"\ncallback_timeout_ms = 5000\n\
             [server]\nshutdown_timeout_ms = 5000\n"
        ),
    );
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let (mut proxy, base) = start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        "warn",
    );
    let id = approved_application(&client, &base).await;
    tokio::time::timeout(std::time::Duration::from_secs(10), arrival.recv())
        .await
        .expect("the callback is attempted");
    let signalled = std::time::Instant::now();
    let terminated = Command::new("kill")
        .args(["-TERM", &proxy.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let exit = tokio::task::spawn_blocking(move || proxy.wait().unwrap())
        .await
        .unwrap();
    assert!(exit.success(), "{exit}");
    // It left once the answer came, not at the 5 s deadline.
    assert!(
        signalled.elapsed() < std::time::Duration::from_secs(4),
        "exited after {:?}",
        signalled.elapsed()
    );

    // What the exited proxy left: the callback recorded as delivered, none owed.
    let store = installment_proxy::store::Store::sqlite(&database).unwrap();
    assert_eq!(
        store.callback_backlog().await.unwrap().0,
        0,
        "the callback of {id} is still owed"
    );
    let _ = std::fs::remove_file(&database);
}
