//! The binary as a merchant runs it: config errors, sandbox start-up, secrets kept out of logs.
#![cfg(not(target_arch = "wasm32"))]

use std::{
    io::{BufRead, BufReader, Read},
    process::{Child, Command, Stdio},
};

const BINARY: &str = env!("CARGO_BIN_EXE_installment-proxy");

fn config_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "installment-proxy-{}-{name}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts the proxy and reads the address it prints.
fn start(arguments: &[&str], log_filter: &str) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(arguments)
        .env("RUST_LOG", log_filter)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    (child, address)
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
        "[providers.kartapay]\nbase_url = \"https://api.kartapay.example\"\ntoken = \"t\"\n",
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
