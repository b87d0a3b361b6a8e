//! Badges rendered by the merchant's server, for pages the browser paints before any script
//! runs: a long listing's first screen then shows its badges with the page, however much
//! markup follows. Each badge is a declarative shadow root (`<template shadowrootmode>`)
//! for the host element the page already has; the script-tag embed takes it over when its
//! wasm is ready, and its own render replaces the server's in one step, so nothing flickers.

use crate::InstallmentBadge;
use crate::WidgetState;
use crate::labels::labels;
use crate::view::Storefront;
use installment_core::{Locale, Money};
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use std::sync::Arc;

/// One badge as the server rendered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerBadge {
    /// What the host's `data-installment-state` should say: `shown`, `empty` or `failed`, as
    /// the embed would write it.
    pub state: &'static str,
    /// The host's content: a declarative shadow root holding the badge and a link to the
    /// widget's stylesheet (no inline style, so a `style-src 'self'` policy allows it).
    pub shadow_root: String,
}

/// Renders the badge for `amount` as the embed would draw it, for a host element
/// (`<span data-installment-badge data-amount=… data-currency=…>`) to hold.
///
/// `stylesheet` is where the page serves `installment-widget.css` (the proxy serves it at
/// `/widget/installment-widget.css`).
///
/// ```
/// use installment_widget::core::{Currency, Locale, Money};
/// use installment_widget::server::render_badge;
/// use installment_widget::view::Storefront;
/// use std::sync::Arc;
///
/// let rules = r#"{"currency":"BYN","providers":[{"provider":"karta_pokupok",
///   "display_name":"Karta Pokupok","currency":"BYN","min_amount":"50","max_amount":"5000",
///   "bands":[{"min":"50","terms":[3,6,12,24]}],"rounding":"half_up"}]}"#;
/// let rules = Arc::new(Storefront::from_document(serde_json::from_str(rules).unwrap()).unwrap());
/// let price = Money::parse("299.90", Currency::from_code("BYN").unwrap()).unwrap();
/// let badge = render_badge(&rules, price, Locale::from_tag("ru-BY").unwrap(), None, "/widget/installment-widget.css");
/// assert_eq!(badge.state, "shown");
/// assert!(badge.shadow_root.starts_with(r#"<template shadowrootmode="open">"#));
/// assert!(badge.shadow_root.contains("12,50"));
/// ```
pub fn render_badge(
    rules: &Arc<Storefront>,
    amount: Money,
    locale: Locale,
    category: Option<&str>,
    stylesheet: &str,
) -> ServerBadge {
    let state = match rules.badge(amount, category, locale, labels(locale)) {
        Ok(Some(_)) => WidgetState::Shown,
        Ok(None) => WidgetState::Empty,
        Err(error) => WidgetState::Failed(error),
    };
    let given = Some(Arc::clone(rules));
    let category = category.map(str::to_owned);
    let stylesheet = stylesheet.to_owned();
    let shadow_root = Owner::new().with(|| {
        view! {
            // Each part is marked as the server's: the embed mounts its own render beside
            // them, and removes them when its own has drawn.
            <template {..custom_attribute("shadowrootmode", "open")}>
                <link rel="stylesheet" href=stylesheet data-server="" />
                <span class="installment-root" data-server="">
                    <InstallmentBadge
                        amount=amount
                        locale=locale
                        category=category
                        rules=given
                    />
                </span>
            </template>
        }
        .to_html()
    });
    ServerBadge {
        state: state.name(),
        shadow_root,
    }
}
