//! Two proxy processes on one PostgreSQL, as behind a load balancer: what one instance
//! learns the other knows, an intent is used once across both, a webhook delivered to both
//! at once changes the state once, their callback workers share the queue without sending a
//! callback twice and take over what a killed instance had claimed, and their reconcilers
//! never ask the provider about one application at the same time.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use installment_proxy::{
    intent::{IntentItem, OrderIntent},
    sandbox::{Sandbox, credentials},
    signature::hmac_sha256_hex,
};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    process::Child,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const INTENT_KEY: &str = "instances-intent-key";
/// How long the provider takes to answer a status question: longer than a reconciler's
/// tick, so two reconcilers not keeping out of each other's way would overlap.
const STATUS_DELAY: Duration = Duration::from_millis(1_300);

/// A proxy process, killed when dropped.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The provider as both instances see it: Karta Pokupok's simulator behind a relay that
/// answers status questions slowly, and counts how many about one application are in flight
/// at once (the most ever, per application).
#[derive(Default)]
struct Asks {
    in_flight: BTreeMap<String, usize>,
    most: BTreeMap<String, usize>,
    total: BTreeMap<String, usize>,
}

async fn provider(simulator: String, asks: Arc<Mutex<Asks>>) -> String {
    let client = reqwest::Client::new();
    let relay = move |request: axum::extract::Request| {
        let (client, simulator, asks) = (client.clone(), simulator.clone(), asks.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let path = percent_encoding::percent_decode_str(parts.uri.path())
                .decode_utf8_lossy()
                .into_owned();
            let status_question = parts.method == axum::http::Method::GET;
            if status_question {
                let mut asks = asks.lock().unwrap();
                let now = {
                    let count = asks.in_flight.entry(path.clone()).or_default();
                    *count += 1;
                    *count
                };
                let most = asks.most.entry(path.clone()).or_default();
                *most = (*most).max(now);
                *asks.total.entry(path.clone()).or_default() += 1;
            }
            if status_question {
                tokio::time::sleep(STATUS_DELAY).await;
            }
            let mut forwarded = client.request(
                parts.method.clone(),
                format!(
                    "{simulator}{}",
                    parts.uri.path_and_query().map_or("", |p| p.as_str())
                ),
            );
            for (name, value) in &parts.headers {
                if name != "host" {
                    forwarded = forwarded.header(name, value);
                }
            }
            let answer = forwarded.body(body).send().await.unwrap();
            let status = answer.status();
            let headers = answer.headers().clone();
            let bytes = answer.bytes().await.unwrap();
            if status_question {
                *asks.lock().unwrap().in_flight.get_mut(&path).unwrap() -= 1;
            }
            let mut response = axum::response::Response::new(axum::body::Body::from(bytes));
            *response.status_mut() = status;
            if let Some(kind) = headers.get("content-type") {
                response.headers_mut().insert("content-type", kind.clone());
            }
            response
        }
    };
    let router = axum::Router::new().fallback(relay);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// Every callback the merchant's backend received: which instance sent it (`a` or `b`,
/// from its URL) and the event id. The first callback of `stall` is held unanswered.
type Heard = Arc<Mutex<Vec<(String, String)>>>;

async fn merchant_backend(stall: Arc<Mutex<Option<String>>>) -> (String, Heard) {
    let heard: Heard = Arc::default();
    let recorded = heard.clone();
    let router = axum::Router::new().route(
        "/hooks/{instance}",
        axum::routing::post(
            move |axum::extract::Path(instance): axum::extract::Path<String>, body: String| {
                let (heard, stall) = (recorded.clone(), stall.clone());
                async move {
                    let event: Value = serde_json::from_str(&body).unwrap();
                    let event_id = event["event_id"].as_str().unwrap().to_owned();
                    heard.lock().unwrap().push((instance, event_id.clone()));
                    let held = stall.lock().unwrap().take_if(|held| *held == event_id);
                    if held.is_some() {
                        std::future::pending::<()>().await;
                    }
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}/hooks"), heard)
}

fn instance(name: &str, database: &str, provider: &str, hooks: &str) -> Instance {
    let config = std::env::temp_dir().join(format!(
        "installment-instance-{}-{name}-{}.toml",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::write(
        &config,
        format!(
            "database = {database:?}\nintent_key = {INTENT_KEY:?}\n\
             callback_url = \"{hooks}/{name}\"\ncallback_key = \"merchant-callback-key\"\n\
             callback_timeout_ms = 1000\n\
             [providers.karta_pokupok]\nbase_url = {provider:?}\npartner_id = {:?}\n\
             token = {:?}\nwebhook_secret = {:?}\n\
             [reconcile]\nafter_secs = 1\nevery_secs = 1\n\
             [rate_limit]\nper_second = 10000\nburst = 10000\n\
             [applications]\nper_phone_per_hour = 10000\nper_client_per_hour = 10000\n",
            credentials::KP_PARTNER_ID,
            credentials::KP_TOKEN,
            credentials::KP_WEBHOOK_SECRET,
        ),
    )
    .unwrap();
    let (child, base) = support::start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        "warn",
    );
    Instance { child, base }
}

fn order(order_id: &str) -> Value {
    let expires_at = u64::try_from(installment_proxy::store::now()).unwrap() + 600;
    let intent = OrderIntent {
        order_id: order_id.into(),
        amount: "2438.50".into(),
        currency: "BYN".into(),
        items: vec![IntentItem {
            sku: "neman-14".into(),
            name: "Ноутбук Neman 14".into(),
            quantity: 1,
            price: "2438.50".into(),
            category: None,
        }],
        expires_at,
        signature: String::new(),
    }
    .sign(INTENT_KEY.as_bytes());
    json!({
        "provider": "karta_pokupok", "months": 12, "intent": intent,
        "customer": {"phone": "+375291234567"},
        "success_path": "/return.html", "fail_path": "/return.html",
    })
}

async fn create(client: &reqwest::Client, on: &Instance, order_id: &str) -> (u16, Value) {
    let response = client
        .post(format!("{}/api/v1/applications", on.base))
        .json(&order(order_id))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn approve(client: &reqwest::Client, on: &Instance, application: &Value) -> u16 {
    let body = json!({
        "application_id": application["provider_ref"], "order_id": application["order_id"],
        "status": "APPROVED",
    })
    .to_string();
    let signature = hmac_sha256_hex(credentials::KP_WEBHOOK_SECRET.as_bytes(), body.as_bytes());
    client
        .post(format!("{}/api/v1/webhooks/karta_pokupok", on.base))
        .header("content-type", "application/json")
        .header("X-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn status_on(client: &reqwest::Client, on: &Instance, id: &str) -> String {
    let answer: Value = client
        .get(format!("{}/api/v1/applications/{id}", on.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["status"].as_str().unwrap_or_default().to_owned()
}

/// Waits until `done` holds, for at most `limit`.
async fn eventually(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn times_heard(heard: &Heard, event_id: &str) -> usize {
    heard
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, e)| e == event_id)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_share_one_truth() {
    let cluster = support::Cluster::start();
    let database = cluster.database().await;
    let sandbox = Sandbox::start().await.unwrap();
    let simulator = sandbox.providers.karta_pokupok.clone().unwrap().base_url;
    let asks = Arc::new(Mutex::new(Asks::default()));
    let provider = provider(simulator, asks.clone()).await;
    let stall = Arc::new(Mutex::new(None));
    let (hooks, heard) = merchant_backend(stall.clone()).await;
    let a = instance("a", &database, &provider, &hooks);
    let b = instance("b", &database, &provider, &hooks);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    // A webhook delivered to A is seen on B.
    let (code, first) = create(&client, &a, "M-1").await;
    assert_eq!(code, 201, "{first}");
    let id = first["id"].as_str().unwrap();
    assert_eq!(status_on(&client, &b, id).await, "pending");
    assert_eq!(approve(&client, &a, &first).await, 200);
    assert_eq!(status_on(&client, &b, id).await, "approved");

    // One intent used on A and B at once: one application, the other 409.
    let (on_a, on_b) = tokio::join!(create(&client, &a, "M-2"), create(&client, &b, "M-2"));
    let mut codes = [on_a.0, on_b.0];
    codes.sort_unstable();
    assert_eq!(codes, [201, 409], "{on_a:?} {on_b:?}");
    let second = if on_a.0 == 201 { on_a.1 } else { on_b.1 };

    // The same webhook twenty times to A and B at once: acknowledged each time, one change,
    // one callback.
    let deliveries = (0..20).map(|i| {
        let on = if i % 2 == 0 { &a } else { &b };
        approve(&client, on, &second)
    });
    let codes = futures::future::join_all(deliveries).await;
    assert!(codes.iter().all(|&code| code == 200), "{codes:?}");
    let second_event = format!("{}:approved", second["id"].as_str().unwrap());

    // Twelve more changes, half learned by each instance: both workers drain the queue, and
    // no callback is sent twice.
    let mut events = vec![format!("{id}:approved"), second_event.clone()];
    for i in 0..12 {
        let (created_on, told) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let (code, application) = create(&client, created_on, &format!("M-drain-{i}")).await;
        assert_eq!(code, 201, "{application}");
        assert_eq!(approve(&client, told, &application).await, 200);
        events.push(format!("{}:approved", application["id"].as_str().unwrap()));
    }
    eventually(Duration::from_secs(15), "every callback", || {
        events.iter().all(|event| times_heard(&heard, event) >= 1)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await; // room for a second sending
    for event in &events {
        assert_eq!(
            times_heard(&heard, event),
            1,
            "{event}: {:?}",
            heard.lock().unwrap()
        );
    }
    let senders: std::collections::BTreeSet<String> = heard
        .lock()
        .unwrap()
        .iter()
        .map(|(by, _)| by.clone())
        .collect();
    assert_eq!(senders.len(), 2, "both workers delivered: {senders:?}");

    // Pending applications, asked about by both reconcilers: never two asks about one
    // application at once (the provider takes longer than a tick to answer).
    let mut pending = Vec::new();
    for i in 0..6 {
        let on = if i % 2 == 0 { &a } else { &b };
        let (code, application) = create(&client, on, &format!("M-pending-{i}")).await;
        assert_eq!(code, 201, "{application}");
        pending.push(format!(
            "/applications/{}",
            application["provider_ref"].as_str().unwrap()
        ));
    }
    eventually(
        Duration::from_secs(15),
        "each pending application asked about twice",
        || {
            let asks = asks.lock().unwrap();
            pending
                .iter()
                .all(|path| asks.total.get(path).copied().unwrap_or(0) >= 2)
        },
    )
    .await;
    {
        let asks = asks.lock().unwrap();
        for path in &pending {
            assert_eq!(
                asks.most[path], 1,
                "{path} asked twice at once: {:?}",
                asks.most
            );
        }
    }

    // The purchase's provider calls are timed and counted like the catalog's: the asks the
    // relay has seen so far (at least two per application) all show in one instance's
    // metrics or the other's, whichever reconciler made them, once they are answered.
    let asked: u64 = {
        let asks = asks.lock().unwrap();
        pending.iter().map(|path| asks.total[path] as u64).sum()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut counted = [0u64; 2];
        for on in [&a, &b] {
            let metrics = client
                .get(format!("{}/metrics", on.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            for (slot, operation) in ["create_application", "application_status"]
                .into_iter()
                .enumerate()
            {
                counted[slot] += calls_counted(&metrics, operation);
            }
        }
        if counted[0] >= 6 && counted[1] >= asked {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "create_application counted {}, application_status counted {} of {asked} asks",
            counted[0],
            counted[1]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The instance delivering is killed mid-delivery: the other delivers what it had claimed
    // once its lease (two seconds, for one-second attempts) runs out.
    let (code, third) = create(&client, &a, "M-3").await;
    assert_eq!(code, 201, "{third}");
    let third_event = format!("{}:approved", third["id"].as_str().unwrap());
    *stall.lock().unwrap() = Some(third_event.clone());
    // A is told of the change and claims the callback at once, unless B's look each second
    // came at that very moment: whichever claimed it is the one killed.
    assert_eq!(approve(&client, &a, &third).await, 200);
    eventually(Duration::from_secs(5), "the first attempt", || {
        times_heard(&heard, &third_event) == 1
    })
    .await;
    let attempted_at = Instant::now();
    let first = sender(&heard, &third_event);
    let (mut claimer, survivor, survivor_name) = if first == "a" {
        (a, b, "b")
    } else {
        (b, a, "a")
    };
    claimer.child.kill().unwrap(); // SIGKILL, mid-delivery
    claimer.child.wait().unwrap();
    eventually(
        Duration::from_secs(10),
        "the other instance delivers what the first had claimed",
        || times_heard(&heard, &third_event) == 2,
    )
    .await;
    assert!(
        attempted_at.elapsed() >= Duration::from_secs(1),
        "{survivor_name} waited for {first}'s lease to end"
    );
    assert_eq!(sender(&heard, &third_event), survivor_name);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(times_heard(&heard, &third_event), 2, "and only once");
    assert_eq!(
        status_on(&client, &survivor, third["id"].as_str().unwrap()).await,
        "approved"
    );
}

/// The value of `installment_proxy_provider_calls_total` for Karta Pokupok's `operation`
/// with outcome `ok` in a Prometheus scrape, 0 when absent.
fn calls_counted(metrics: &str, operation: &str) -> u64 {
    let name = format!(
        r#"installment_proxy_provider_calls_total{{provider="karta_pokupok",operation="{operation}",outcome="ok"}} "#
    );
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&name))
        .map_or(0, |value| value.trim().parse().unwrap())
}

/// Which instance sent the last callback of `event_id`.
fn sender(heard: &Heard, event_id: &str) -> String {
    let heard = heard.lock().unwrap();
    let (by, _) = heard.iter().rev().find(|(_, e)| e == event_id).unwrap();
    by.clone()
}

#[tokio::test]
async fn readyz_fails_while_the_database_is_unreachable_and_recovers() {
    let cluster = support::Cluster::start();
    let database = cluster.database().await;
    let proxy = instance(
        "ready",
        &database,
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
    );
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let ready = || async {
        let response = client
            .get(format!("{}/readyz", proxy.base))
            .send()
            .await
            .unwrap();
        let code = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (code, body["code"].as_str().map(str::to_owned))
    };
    assert_eq!(ready().await.0, 200);
    cluster.pause();
    assert_eq!(
        ready().await,
        (503, Some("database_unavailable".to_owned()))
    );
    let health = client
        .get(format!("{}/healthz", proxy.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200, "alive, only not ready");
    cluster.resume();
    assert_eq!(ready().await.0, 200);
}
