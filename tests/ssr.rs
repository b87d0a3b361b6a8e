//! The components on a server: with the `ssr` feature (as a cargo-leptos app builds them) the
//! badge renders to HTML, its text already computed, before any wasm runs.
//! Run: `cargo test -p installment-widget --no-default-features --features ssr --test ssr`.
#![cfg(feature = "ssr")]

use installment_widget::core::{Currency, Locale, Money, badge_text};
use installment_widget::server::render_badge;
use installment_widget::view::Storefront;
use installment_widget::{InstallmentBadge, InstallmentProvider};
use leptos::prelude::*;
use std::sync::Arc;

const RULES: &str = r#"{"currency":"BYN","providers":[{"provider":"karta_pokupok",
  "display_name":"Karta Pokupok","currency":"BYN","min_amount":"50","max_amount":"5000",
  "bands":[{"min":"50","terms":[3,6,12,24]}],"rounding":"half_up"}]}"#;

fn render(amount: &str) -> String {
    let rules = Arc::new(Storefront::from_document(serde_json::from_str(RULES).unwrap()).unwrap());
    let price = Money::parse(amount, Currency::from_code("BYN").unwrap()).unwrap();
    let locale = Locale::from_tag("ru-BY").unwrap();
    Owner::new().with(|| {
        view! {
            <InstallmentProvider>
                <InstallmentBadge amount=price locale=locale rules=Some(rules) />
            </InstallmentProvider>
        }
        .to_html()
    })
}

#[test]
fn the_badge_renders_to_html_on_the_server() {
    let html = render("299.90");
    let ru = Locale::from_tag("ru-BY").unwrap();
    let byn = Currency::from_code("BYN").unwrap();
    let text = badge_text(
        Money::parse("12.50", byn).unwrap(),
        ru,
        Some("Karta Pokupok"),
    );
    let expected = format!(
        r#"<span lang="ru-BY" dir="ltr" class="installment-badge"><button type="button" aria-haspopup="dialog" data-more="Подробнее" class="installment-badge__button">{}<strong class="installment-badge__amount">{}</strong>{}</button><!></span>"#,
        text.before, text.amount, text.after
    );
    assert_eq!(html, expected);
}

#[test]
fn an_ineligible_price_renders_an_empty_badge() {
    let html = render("20.00");
    assert!(html.contains("installment-badge--empty"), "{html}");
    assert!(!html.contains("<button"), "{html}");
}

#[test]
fn a_server_badge_is_a_declarative_shadow_root_with_the_widget_stylesheet() {
    let rules = Arc::new(Storefront::from_document(serde_json::from_str(RULES).unwrap()).unwrap());
    let byn = Currency::from_code("BYN").unwrap();
    let locale = Locale::from_tag("ru-BY").unwrap();
    let css = "/widget/installment-widget.css?v=\"1\"&x";
    let cases = [("299.90", "shown"), ("20.00", "empty")];
    for (amount, state) in cases {
        let badge = render_badge(
            &rules,
            Money::parse(amount, byn).unwrap(),
            locale,
            None,
            css,
        );
        assert_eq!(badge.state, state, "{amount}");
        let expected = format!(
            r#"<template shadowrootmode="open"><link rel="stylesheet" href="/widget/installment-widget.css?v=&quot;1&quot;&amp;x" data-server=""><span data-server="" class="installment-root">{}</span></template>"#,
            render(amount)
        );
        assert_eq!(badge.shadow_root, expected, "{amount}");
    }
}
