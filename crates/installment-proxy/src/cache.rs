//! Provider answers cached per request with a TTL, served stale while one refresh runs, and
//! concurrent misses of one key coalesced into a single upstream call.

use crate::providers::ProviderError;
use std::{
    collections::HashSet,
    future::Future,
    hash::Hash,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

#[derive(Clone)]
struct Entry<V> {
    value: V,
    fetched: Instant,
}

/// A stale-while-revalidate cache over `moka`, whose `try_get_with` coalesces misses.
pub struct SwrCache<K, V> {
    entries: moka::future::Cache<K, Arc<Entry<V>>>,
    fresh_for: Duration,
    refreshing: Arc<Mutex<HashSet<K>>>,
    /// Where hits, stale answers, misses and coalesced misses are counted, and under what name.
    counted: Option<(&'static str, Arc<crate::metrics::Metrics>)>,
}

impl<K, V> SwrCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Answers are fresh for `fresh_for`, then served stale for `stale_for` while refreshed;
    /// at most `capacity` answers are kept (example: [`SwrCache::get_or_fetch`]).
    pub fn new(fresh_for: Duration, stale_for: Duration, capacity: u64) -> Self {
        Self {
            entries: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(fresh_for + stale_for)
                .build(),
            fresh_for,
            refreshing: Arc::default(),
            counted: None,
        }
    }

    /// Counts this cache's answers in `metrics` as `name`.
    pub fn counted(mut self, name: &'static str, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.counted = Some((name, metrics));
        self
    }

    fn count(&self, result: &str) {
        if let Some((name, metrics)) = &self.counted {
            metrics.cache(name, result);
        }
    }

    /// The cached answer for `key`, or `fetch`'s. Errors are returned, never cached.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use installment_proxy::{ProviderError, SwrCache};
    /// use std::time::Duration;
    /// let cache = SwrCache::new(Duration::from_secs(60), Duration::from_secs(600), 1_000);
    /// assert_eq!(cache.get_or_fetch("k", || async { Ok(1) }).await, Ok(1));
    /// // Fresh: the second fetch is never called.
    /// assert_eq!(cache.get_or_fetch("k", || async { Err(ProviderError::Timeout) }).await, Ok(1));
    /// # });
    /// ```
    pub async fn get_or_fetch<F, Fut>(&self, key: K, fetch: F) -> Result<V, ProviderError>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, ProviderError>> + Send + 'static,
    {
        if let Some(entry) = self.entries.get(&key).await {
            if entry.fetched.elapsed() >= self.fresh_for {
                self.count("stale");
                self.refresh_in_background(key, fetch);
            } else {
                self.count("hit");
            }
            return Ok(entry.value.clone());
        }
        // A miss that finds another caller's call under way waits for it: coalesced.
        let called = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let answer = self
            .entries
            .try_get_with(key, {
                let called = called.clone();
                async move {
                    called.store(true, std::sync::atomic::Ordering::Relaxed);
                    fetch().await.map(|value| {
                        Arc::new(Entry {
                            value,
                            fetched: Instant::now(),
                        })
                    })
                }
            })
            .await
            .map(|entry| entry.value.clone())
            .map_err(|error| (*error).clone());
        let called = called.load(std::sync::atomic::Ordering::Relaxed);
        self.count(if called { "miss" } else { "coalesced" });
        answer
    }

    /// One refresh per key at a time; a failed refresh keeps the stale answer.
    fn refresh_in_background<F, Fut>(&self, key: K, fetch: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, ProviderError>> + Send + 'static,
    {
        let first = self
            .refreshing
            .lock()
            .expect("the refresh set is never poisoned")
            .insert(key.clone());
        if !first {
            return;
        }
        let entries = self.entries.clone();
        let refreshing = self.refreshing.clone();
        tokio::spawn(async move {
            if let Ok(value) = fetch().await {
                let entry = Entry {
                    value,
                    fetched: Instant::now(),
                };
                entries.insert(key.clone(), Arc::new(entry)).await;
            }
            refreshing
                .lock()
                .expect("the refresh set is never poisoned")
                .remove(&key);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn counting_fetch(
        calls: &Arc<AtomicU32>,
        delay: Duration,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<u32, ProviderError>> + Send>>
    + Send
    + 'static {
        let calls = calls.clone();
        move || {
            Box::pin(async move {
                tokio::time::sleep(delay).await;
                Ok(calls.fetch_add(1, Ordering::SeqCst) + 1)
            })
        }
    }

    #[tokio::test]
    async fn concurrent_misses_make_one_call() {
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let cache = Arc::new(
            SwrCache::new(Duration::from_secs(60), Duration::ZERO, 100)
                .counted("offers", metrics.clone()),
        );
        let calls = Arc::new(AtomicU32::new(0));
        let waiters: Vec<_> = (0..50)
            .map(|_| {
                let (cache, fetch) = (
                    cache.clone(),
                    counting_fetch(&calls, Duration::from_millis(50)),
                );
                tokio::spawn(async move { cache.get_or_fetch("k", fetch).await })
            })
            .collect();
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap(), Ok(1));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // One caller made the call; the 49 others waited for it, and are counted so.
        let text = metrics.render();
        for line in [
            r#"installment_proxy_cache_lookups_total{cache="offers",result="miss"} 1"#,
            r#"installment_proxy_cache_lookups_total{cache="offers",result="coalesced"} 49"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
    }

    #[tokio::test]
    async fn stale_answers_are_served_while_one_refresh_runs() {
        let cache = SwrCache::new(Duration::from_millis(50), Duration::from_secs(60), 100);
        let calls = Arc::new(AtomicU32::new(0));
        assert_eq!(
            cache
                .get_or_fetch("k", counting_fetch(&calls, Duration::ZERO))
                .await,
            Ok(1)
        );
        tokio::time::sleep(Duration::from_millis(80)).await;
        // Stale: the old value at once, and only one refresh however many ask.
        for _ in 0..5 {
            let fetch = counting_fetch(&calls, Duration::from_millis(30));
            assert_eq!(cache.get_or_fetch("k", fetch).await, Ok(1));
        }
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(
            cache
                .get_or_fetch("k", counting_fetch(&calls, Duration::ZERO))
                .await,
            Ok(2)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache: SwrCache<&str, u32> = SwrCache::new(Duration::from_secs(60), Duration::ZERO, 10);
        let failed = cache
            .get_or_fetch("k", || async { Err(ProviderError::Timeout) })
            .await;
        assert_eq!(failed, Err(ProviderError::Timeout));
        assert_eq!(cache.get_or_fetch("k", || async { Ok(7) }).await, Ok(7));
    }
}
