//! What the components of one page share: the proxy's address and one fetch of the rules per
//! currency, however many badges and pickers ask. Provide it once with
//! [`InstallmentProvider`]; without one, components share a page-wide instance for `/api/v1`.

use crate::labels::Labels;
use crate::view::{Storefront, WidgetError};
use installment_core::{Currency, Locale};
use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The proxy's API root when a page names none.
pub const DEFAULT_ENDPOINT: &str = "/api/v1";

/// A document on its way from the proxy.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// Asked, not yet answered.
    Loading,
    /// Answered and read.
    Ready(T),
    /// Could not be had; the error names why.
    Failed(WidgetError),
}

/// How a component ended, for the page: the embed writes it to `data-installment-state`.
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetState {
    /// Something is shown.
    Shown,
    /// Nothing is eligible: nothing is shown, and nothing is wrong.
    Empty,
    /// Nothing is shown because of this error.
    Failed(WidgetError),
}

impl WidgetState {
    /// The value of `data-installment-state`: `shown`, `empty` or `failed`.
    ///
    /// ```
    /// use installment_widget::WidgetState;
    /// assert_eq!(WidgetState::Empty.name(), "empty");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Self::Shown => "shown",
            Self::Empty => "empty",
            Self::Failed(_) => "failed",
        }
    }
}

type RulesKey = (String, &'static str);

/// The rules of one currency from one proxy, as every component reads them.
pub type SharedRules = ArcRwSignal<Load<Arc<Storefront>>>;

/// One currency's rules and when to ask for them again.
struct RulesEntry {
    signal: SharedRules,
    /// Milliseconds since the epoch after which the rules are stale (their `max-age`).
    fresh_until: u64,
    /// A request for them is under way: every other ask waits for it.
    asking: bool,
}

/// The page's shared state: the proxy's address and the rules of each currency.
#[derive(Clone)]
pub struct Installments {
    endpoint: Arc<str>,
    // Reference-counted signals, owned by no component: a badge that unmounts must not take
    // the page's rules with it.
    rules: Arc<Mutex<HashMap<RulesKey, RulesEntry>>>,
}

impl Installments {
    /// Shared state for the proxy at `endpoint` (`/api/v1`, or an absolute URL).
    ///
    /// ```
    /// use installment_widget::Installments;
    /// assert_eq!(Installments::new("/shop/api/v1/").endpoint(), "/shop/api/v1");
    /// ```
    pub fn new(endpoint: &str) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').into(),
            rules: Arc::default(),
        }
    }

    /// The proxy's API root, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The rules for `currency` from the proxy at `endpoint`: fetched on the first ask and
    /// shared by every later one. An ask after they failed, or after their `Cache-Control`
    /// made them stale, fetches them again (one request however many ask); stale rules stay
    /// shown meanwhile, and stay if the new request fails. In the browser only; elsewhere they
    /// stay [`Load::Loading`] (pass `rules` to a component to render it on a server).
    pub fn rules(&self, endpoint: &str, currency: Currency) -> SharedRules {
        let key = (endpoint.to_owned(), currency.code());
        let mut all = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = all.get_mut(&key) {
            let failed = matches!(known.signal.get_untracked(), Load::Failed(_));
            if (failed || now() >= known.fresh_until) && !known.asking {
                known.asking = true;
                self.ask(key, known.signal.clone(), true);
            }
            return known.signal.clone();
        }
        let signal = ArcRwSignal::new(Load::Loading);
        all.insert(
            key.clone(),
            RulesEntry {
                signal: signal.clone(),
                fresh_until: u64::MAX,
                asking: true,
            },
        );
        self.ask(key, signal.clone(), false);
        signal
    }

    /// Sends the rules request now, not when the task first runs (the other badges mount
    /// meanwhile), and files its answer.
    fn ask(&self, key: RulesKey, signal: SharedRules, again: bool) {
        #[cfg(target_arch = "wasm32")]
        {
            let currency = Currency::from_code(key.1);
            let answer = currency.map(|currency| crate::fetch::rules(&key.0, currency, again));
            let all = self.rules.clone();
            // Not Leptos's executor: the embed asks before anything has mounted.
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match answer {
                    Ok(answer) => answer.await,
                    Err(error) => Err(error.into()),
                };
                let mut all = all.lock().unwrap_or_else(PoisonError::into_inner);
                let Some(entry) = all.get_mut(&key) else {
                    return;
                };
                entry.asking = false;
                match answer {
                    Ok((rules, max_age)) => {
                        entry.fresh_until = max_age
                            .map_or(u64::MAX, |s| now().saturating_add(s.saturating_mul(1000)));
                        signal.set(Load::Ready(Arc::new(rules)));
                    }
                    // Stale rules beat none: they stay, and the next ask tries again.
                    Err(_) if matches!(signal.get_untracked(), Load::Ready(_)) => {
                        entry.fresh_until = now();
                    }
                    Err(error) => signal.set(Load::Failed(error)),
                }
            });
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = (key, signal, again);
    }
}

/// Seconds a `Cache-Control` value keeps an answer fresh: its `max-age`, or none at all for
/// `no-store` and `no-cache`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn max_age(cache_control: &str) -> Option<u64> {
    cache_control
        .split(',')
        .map(str::trim)
        .find_map(|directive| {
            let directive = directive.to_ascii_lowercase();
            match directive.split_once('=') {
                Some(("max-age", seconds)) => seconds.trim_matches('"').parse().ok(),
                None if directive == "no-store" || directive == "no-cache" => Some(0),
                _ => None,
            }
        })
}

/// Milliseconds since the epoch: the browser's clock, where rules can be fetched at all.
fn now() -> u64 {
    // A whole number of milliseconds, well inside u64: the cast loses nothing.
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now() as u64;
    #[cfg(not(target_arch = "wasm32"))]
    0
}

/// Shares one [`Installments`] with every component below it.
///
/// ```no_run
/// use installment_widget::{core::{Currency, Locale, Money}, InstallmentBadge, InstallmentProvider};
/// use leptos::prelude::*;
/// let price = Money::parse("299.90", Currency::from_code("BYN").unwrap()).unwrap();
/// let _ = view! {
///     <InstallmentProvider endpoint="/api/v1">
///         <InstallmentBadge amount=price locale=Locale::from_tag("ru-BY").unwrap() />
///     </InstallmentProvider>
/// };
/// ```
#[component]
pub fn InstallmentProvider(
    /// The proxy's API root; `/api/v1` by default.
    #[prop(optional, into)]
    endpoint: Option<String>,
    /// The storefront: badges and pickers anywhere below share the rules.
    children: Children,
) -> impl IntoView {
    provide_context(Installments::new(
        endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT),
    ));
    children()
}

/// The nearest [`InstallmentProvider`]'s state, or the page-wide one for `/api/v1`.
pub fn use_installments() -> Installments {
    use_context().unwrap_or_else(page_wide)
}

/// The words a component shows: the merchant's, else its locale's.
pub(crate) fn words_signal(labels: MaybeProp<Labels>, locale: Signal<Locale>) -> Memo<Labels> {
    Memo::new(move |_| {
        labels
            .get()
            .unwrap_or_else(|| crate::labels::labels(locale.get()).clone())
    })
}

/// One instance per page (per thread): what the embed's elements share, each a root of its own.
pub(crate) fn page_wide() -> Installments {
    thread_local! {
        static PAGE: Installments = Installments::new(DEFAULT_ENDPOINT);
    }
    PAGE.with(Clone::clone)
}

/// One console warning per cause, however many components share it.
pub(crate) fn warn_once(error: &WidgetError) {
    #[cfg(target_arch = "wasm32")]
    {
        use std::cell::RefCell;
        use std::collections::HashSet;
        thread_local! {
            static WARNED: RefCell<HashSet<String>> = RefCell::default();
        }
        let message = format!("installment widget: {error}");
        if WARNED.with(|warned| warned.borrow_mut().insert(message.clone())) {
            web_sys::console::warn_1(&message.into());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = error;
}

#[cfg(test)]
mod tests {
    use super::max_age;

    #[test]
    fn cache_control_says_how_long_rules_stay_fresh() {
        for (header, seconds) in [
            ("public, max-age=60, stale-while-revalidate=600", Some(60)),
            ("Max-Age=5", Some(5)),
            ("no-store", Some(0)),
            ("private, no-cache", Some(0)),
            ("public", None),
            ("max-age=soon", None),
        ] {
            assert_eq!(max_age(header), seconds, "{header}");
        }
    }
}
