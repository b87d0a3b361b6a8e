//! Renders badges on the server for a page that shows them before any script runs: what a
//! merchant's page build or template step calls (a Rust server calls
//! `installment_widget::server::render_badge` itself).
//!
//! ```text
//! cargo run --example render_badges --no-default-features --features ssr -- \
//!     RULES.json LOCALE STYLESHEET_URL < prices.jsonl > badges.jsonl
//! ```
//!
//! `RULES.json` is the proxy's `/api/v1/rules` answer for the page's currency. Each input
//! line is a price, `{"amount":"299.90"}` or `{"amount":"300.00","category":"gift_cards"}`;
//! each output line is its badge, `{"state":"shown","shadow_root":"<template …"}`, for the
//! host element to hold (and its `data-installment-state` to say).

use installment_widget::core::{Locale, Money};
use installment_widget::server::render_badge;
use installment_widget::view::Storefront;
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// One price of the page.
#[derive(Deserialize)]
struct Price {
    amount: String,
    category: Option<String>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("render_badges: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [rules_path, locale, stylesheet] = &arguments[..] else {
        return Err("usage: render_badges RULES.json LOCALE STYLESHEET_URL".to_owned());
    };
    let text = std::fs::read_to_string(rules_path).map_err(|e| format!("{rules_path}: {e}"))?;
    let document = serde_json::from_str(&text).map_err(|e| format!("{rules_path}: {e}"))?;
    let rules =
        Arc::new(Storefront::from_document(document).map_err(|e| format!("{rules_path}: {e}"))?);
    let locale = Locale::from_tag(locale).map_err(|e| format!("locale: {e}"))?;
    let currency = rules.currency();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (index, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        let wrong = |e: &dyn std::fmt::Display| format!("line {}: {e}", index + 1);
        let price: Price = serde_json::from_str(&line).map_err(|e| wrong(&e))?;
        let amount = Money::parse(&price.amount, currency).map_err(|e| wrong(&e))?;
        let badge = render_badge(
            &rules,
            amount,
            locale,
            price.category.as_deref(),
            stylesheet,
        );
        let answer = serde_json::json!({ "state": badge.state, "shadow_root": badge.shadow_root });
        writeln!(out, "{answer}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
