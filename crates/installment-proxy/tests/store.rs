//! One test suite, both stores: every promise of `installment_proxy::store` checked against
//! SQLite (a file opened twice, as two processes would) and PostgreSQL (a throw-away cluster,
//! two pools, as two instances would).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use futures::future::join_all;
use installment_proxy::store::{Application, Database, Delivery, Evidence, Status, Store, now};
use std::future::Future;

/// Two handles on one database, both queueing callbacks.
type Pair = (Store, Store);

fn application(id: &str, age: i64) -> Application {
    Application {
        id: id.into(),
        provider: "karta_pokupok".into(),
        provider_ref: format!("kp-{id}"),
        order_id: format!("order-{id}"),
        amount: "2438.50".into(),
        currency: "BYN".into(),
        months: 12,
        status: Status::Pending,
        provider_status: "NEW".into(),
        redirect_url: "http://provider/form".into(),
        created_at: now() - age,
        updated_at: now() - age,
        items: Vec::new(),
    }
}

fn webhook(
    store: &Store,
    event: &str,
    reference: &str,
    status: Status,
) -> impl Future<Output = Delivery> {
    let store = store.clone();
    let (event, reference) = (event.to_owned(), reference.to_owned());
    async move {
        store
            .deliver(
                "karta_pokupok",
                &event,
                &reference,
                Some(status),
                status.as_str(),
                Evidence {
                    verified: b"{}".to_vec(),
                    unverified: None,
                },
            )
            .await
            .unwrap()
            .0
    }
}

/// Each row: the status offered, whether it changes the application, and where it stands
/// after; in order, as one application's life.
async fn status_moves_only_as_the_table_allows((store, _): Pair) {
    store.insert(application("a", 0)).await.unwrap();
    let cases = [
        (Status::Pending, false, Status::Pending),
        (Status::Approved, true, Status::Approved),
        (Status::Pending, false, Status::Approved),
        (Status::Rejected, false, Status::Approved),
        (Status::Approved, false, Status::Approved),
        (Status::Cancelled, true, Status::Cancelled),
        (Status::Approved, false, Status::Cancelled),
        (Status::Refunded, false, Status::Cancelled),
        (Status::Pending, false, Status::Cancelled),
    ];
    for (offered, changed, after) in cases {
        assert_eq!(
            store.advance("a", offered, "X").await.unwrap(),
            changed,
            "offering {offered:?}"
        );
        let stored = store.application("a").await.unwrap().unwrap();
        assert_eq!(stored.status, after, "after offering {offered:?}");
    }
    store.insert(application("r", 0)).await.unwrap();
    for status in [Status::Approved, Status::Refunded] {
        assert!(store.advance("r", status, "X").await.unwrap());
    }
    assert!(!store.advance("r", Status::Cancelled, "X").await.unwrap());
}

/// Twenty deliveries of one event at once, half through each handle: one change, nineteen
/// duplicates, one event stored, one callback queued, committed where the other handle sees
/// them.
async fn twenty_concurrent_deliveries_change_the_state_once((a, b): Pair) {
    a.insert(application("b", 0)).await.unwrap();
    let deliveries = (0..20).map(|i| {
        let store = if i % 2 == 0 { &a } else { &b };
        webhook(store, "event-1", "kp-b", Status::Approved)
    });
    let results = join_all(deliveries).await;
    let changed = results.iter().filter(|r| **r == Delivery::Changed).count();
    let duplicates = results
        .iter()
        .filter(|r| **r == Delivery::Duplicate)
        .count();
    assert_eq!((changed, duplicates), (1, 19));
    assert_eq!(b.event_count("karta_pokupok").await.unwrap(), 1);
    let stored = b.application("b").await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.provider_status.as_str()),
        (Status::Approved, "approved")
    );
    assert_eq!(
        b.callback_backlog().await.unwrap().0,
        1,
        "one callback queued"
    );
    let racing = join_all([
        a.advance("b", Status::Refunded, "R1"),
        b.advance("b", Status::Refunded, "R2"),
        a.advance("b", Status::Cancelled, "C"),
    ])
    .await;
    let moved = racing.iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(moved, 1, "one of the racing changes wins: {racing:?}");
    assert_eq!(a.callback_backlog().await.unwrap().0, 2);
}

async fn unverified_fields_are_kept_apart_from_the_event((store, _): Pair) {
    store
        .deliver(
            "craftgate",
            "PAYMENT:42:SUCCESS",
            "42",
            Some(Status::Approved),
            "SUCCESS",
            Evidence {
                verified: br#"{"payloadId":42}"#.to_vec(),
                unverified: Some(br#"{"paidPrice":"1.00"}"#.to_vec()),
            },
        )
        .await
        .unwrap();
    let (verified, unverified) = store
        .event("craftgate", "PAYMENT:42:SUCCESS")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(verified, br#"{"payloadId":42}"#);
    assert_eq!(unverified.as_deref(), Some(&br#"{"paidPrice":"1.00"}"#[..]));
    assert_eq!(store.event("craftgate", "other").await.unwrap(), None);
}

/// An intent claimed twenty times at once through both handles is claimed once.
async fn an_intent_is_used_once((a, b): Pair) {
    let claims = join_all((0..20).map(|i| {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { store.claim_intent("1001").await.unwrap() }
    }))
    .await;
    assert_eq!(claims.iter().filter(|claimed| **claimed).count(), 1);
    assert!(b.claim_intent("1002").await.unwrap());
    a.release_intent("1001").await.unwrap();
    assert!(
        b.claim_intent("1001").await.unwrap(),
        "usable again once released"
    );
}

/// Two workers claiming at once split the queue between them; a claim holds until its lease
/// runs out, and then the callback is due again; a delivered one never is.
async fn callbacks_are_claimed_by_one_worker_at_a_time((a, b): Pair) {
    for i in 0..40 {
        let id = format!("c{i}");
        a.insert(application(&id, 0)).await.unwrap();
        assert!(a.advance(&id, Status::Approved, "OK").await.unwrap());
    }
    assert_eq!(b.next_callback_in().await.unwrap(), Some(0));
    // Each worker claims a few at a time until nothing is left, both at once.
    let drain = |store: Store| async move {
        let mut claimed = Vec::new();
        loop {
            let batch = store.claim_callbacks(2, 60).await.unwrap();
            if batch.is_empty() {
                break claimed;
            }
            claimed.extend(batch);
        }
    };
    let (first, second) = tokio::join!(
        tokio::spawn(drain(a.clone())),
        tokio::spawn(drain(b.clone()))
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    let mut all: Vec<String> = first
        .iter()
        .chain(&second)
        .map(|c| c.event_id.clone())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(
        (all.len(), first.len() + second.len()),
        (40, 40),
        "each callback claimed once: {first:?} {second:?}"
    );
    assert!(first.iter().chain(&second).all(|c| c.attempts == 0));
    assert!(
        a.claim_callbacks(32, 60).await.unwrap().is_empty(),
        "all leased"
    );
    assert!(b.next_callback_in().await.unwrap().unwrap() > 50);

    // Delivered: gone from the queue. Failed: due again after its backoff, attempts counted.
    let (delivered, failed) = (&all[0], &all[1]);
    a.callback_attempted(delivered, Ok(())).await.unwrap();
    b.callback_attempted(failed, Err(("HTTP 500".into(), 0)))
        .await
        .unwrap();
    let again = a.claim_callbacks(32, 1).await.unwrap();
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!((&again[0].event_id, again[0].attempts), (failed, 1));
    assert_eq!(b.callback_backlog().await.unwrap().0, 39);

    // A worker that claimed and died: the callback comes back once the 1 s lease ends.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let recovered = b.claim_callbacks(32, 60).await.unwrap();
    assert_eq!(
        recovered.iter().map(|c| &c.event_id).collect::<Vec<_>>(),
        [failed]
    );
}

/// Two reconcilers claiming at once ask about each due application once; one asked recently
/// or too young is not due; a claim counts as an ask.
async fn pending_applications_are_claimed_by_one_reconciler_at_a_time((a, b): Pair) {
    for i in 0..20 {
        a.insert(application(&format!("p{i:02}"), 1000))
            .await
            .unwrap();
    }
    a.insert(application("young", 10)).await.unwrap();
    a.insert(application("settled", 1000)).await.unwrap();
    a.advance("settled", Status::Approved, "OK").await.unwrap();
    let drain = |store: Store| async move {
        let mut claimed = Vec::new();
        loop {
            let batch = store.claim_pending((60, 30), 2).await.unwrap();
            if batch.is_empty() {
                break claimed;
            }
            claimed.extend(batch.into_iter().map(|a| a.id));
        }
    };
    let (first, second) = tokio::join!(
        tokio::spawn(drain(a.clone())),
        tokio::spawn(drain(b.clone()))
    );
    let mut ids: Vec<String> = first.unwrap().into_iter().chain(second.unwrap()).collect();
    ids.sort_unstable();
    let expected: Vec<String> = (0..20).map(|i| format!("p{i:02}")).collect();
    assert_eq!(ids, expected, "each due application claimed once");
    assert!(a.claim_pending((60, 30), 100).await.unwrap().is_empty());
    assert_eq!(
        b.list(Some(Status::Pending), (0, now()), 100)
            .await
            .unwrap()
            .len(),
        21
    );
    let listed = a.list(None, (now() - 100, now()), 100).await.unwrap();
    assert_eq!(
        listed.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["young"]
    );
    assert_eq!(
        b.by_provider_ref("karta_pokupok", "kp-p03")
            .await
            .unwrap()
            .map(|a| a.id),
        Some("p03".to_owned())
    );
}

async fn both_are_alive((a, b): Pair) {
    a.ping().await.unwrap();
    b.ping().await.unwrap();
    assert_eq!(a.callback_backlog().await.unwrap(), (0, 0));
    assert_eq!(a.next_callback_in().await.unwrap(), None);
}

/// Every check, each on a fresh database from `open`.
async fn contract<Open, Opened>(open: Open)
where
    Open: Fn() -> Opened,
    Opened: Future<Output = Pair>,
{
    both_are_alive(open().await).await;
    status_moves_only_as_the_table_allows(open().await).await;
    twenty_concurrent_deliveries_change_the_state_once(open().await).await;
    unverified_fields_are_kept_apart_from_the_event(open().await).await;
    an_intent_is_used_once(open().await).await;
    callbacks_are_claimed_by_one_worker_at_a_time(open().await).await;
    pending_applications_are_claimed_by_one_reconciler_at_a_time(open().await).await;
}

async fn pair(database: &Database) -> Pair {
    let (a, b) = (
        Store::open(database).await.unwrap(),
        Store::open(database).await.unwrap(),
    );
    a.queue_callbacks();
    b.queue_callbacks();
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_keeps_the_store_contract() {
    contract(|| async {
        let path = std::env::temp_dir().join(format!(
            "installment-contract-{}-{}.sqlite",
            std::process::id(),
            rand::random::<u64>()
        ));
        pair(&Database::Sqlite(path)).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_store_contract() {
    let cluster = support::Cluster::start();
    contract(|| async { pair(&Database::parse(&cluster.database().await)).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_migrations_run_once_when_instances_start_together() {
    let cluster = support::Cluster::start();
    let url = cluster.database().await;
    let database = Database::parse(&url);
    let opened = join_all((0..4).map(|_| Store::open(&database))).await;
    assert!(
        opened.iter().all(Result::is_ok),
        "{:?}",
        opened
            .iter()
            .filter_map(|o| o.as_ref().err())
            .collect::<Vec<_>>()
    );
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let versions: Vec<i32> = client
        .query(
            "SELECT version FROM refinery_schema_history ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [1, 2]);
}

#[tokio::test]
async fn a_bad_postgres_url_is_refused_without_echoing_it() {
    let error = Store::open(&Database::parse("postgres://user:hunter2@[bad"))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(!error.contains("hunter2"), "{error}");
    assert!(error.contains("postgres:// URL"), "{error}");
}
