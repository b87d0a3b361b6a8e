//! Browser tests: the embed mounts Leptos badges in headless Chromium and shows exactly the
//! core's text. Run with `scripts/test` (wasm-bindgen-test-runner + ChromeDriver).
#![cfg(target_arch = "wasm32")]

use installment_widget::core::{Currency, Locale, Money, Quote, badge_text};
use installment_widget::embed::mount_badges;
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page, so tests do not see each other's badges.
fn container() -> Element {
    let root = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

fn badge_host(root: &Element, attributes: &[(&str, &str)]) -> HtmlElement {
    let host = document().create_element("span").unwrap();
    host.set_attribute("data-installment-badge", "").unwrap();
    for (name, value) in attributes {
        host.set_attribute(name, value).unwrap();
    }
    root.append_child(&host).unwrap();
    host.dyn_into().unwrap()
}

/// What the core says the badge must read.
fn expected_text(
    amount: &str,
    currency: &str,
    terms: &[u32],
    locale: &str,
    provider: Option<&str>,
) -> String {
    let price = Money::parse(amount, Currency::from_code(currency).unwrap()).unwrap();
    let monthly = Quote::interest_free(price, terms)
        .unwrap()
        .from()
        .unwrap()
        .largest_payment();
    badge_text(monthly, Locale::from_tag(locale).unwrap(), provider).to_string()
}

/// Replaces `console.warn` while `run` runs and returns the first argument of each call.
fn capture_warnings(run: impl FnOnce()) -> Vec<String> {
    let console = Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let original = Reflect::get(&console, &"warn".into()).unwrap();
    let seen = Array::new();
    let sink = seen.clone();
    let recorder = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        sink.push(&message);
    });
    Reflect::set(&console, &"warn".into(), recorder.as_ref()).unwrap();
    run();
    Reflect::set(&console, &"warn".into(), &original).unwrap();
    seen.iter()
        .map(|m| m.as_string().unwrap_or_default())
        .collect()
}

/// Amount, currency, `data-terms`, the same terms as numbers, locale, provider.
type BadgeCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [u32],
    &'static str,
    Option<&'static str>,
);

#[wasm_bindgen_test]
fn badges_show_the_core_text_in_every_language() {
    let root = container();
    let cases: &[BadgeCase] = &[
        (
            "299.90",
            "BYN",
            "3,6,12,24",
            &[3, 6, 12, 24],
            "ru-BY",
            Some("Karta Pokupok"),
        ),
        (
            "12999.90",
            "BYN",
            "3,6,12",
            &[3, 6, 12],
            "be-BY",
            Some("Karta Pokupok"),
        ),
        ("125000", "KZT", "3,6,12,24", &[3, 6, 12, 24], "kk-KZ", None),
        (
            "4999.99",
            "TRY",
            "2,3,6,9",
            &[2, 3, 6, 9],
            "tr-TR",
            Some("Craftgate"),
        ),
        ("100", "KWD", "3", &[3], "ar-AE", None),
        ("15000", "JPY", "3,6", &[3, 6], "en-US", None),
    ];
    let hosts: Vec<HtmlElement> = cases
        .iter()
        .map(|(amount, currency, terms, _, locale, provider)| {
            let mut attributes = vec![
                ("data-amount", *amount),
                ("data-currency", *currency),
                ("data-terms", *terms),
                ("data-locale", *locale),
            ];
            if let Some(provider) = provider {
                attributes.push(("data-provider", provider));
            }
            badge_host(&root, &attributes)
        })
        .collect();

    assert_eq!(mount_badges(Some(&root)), cases.len() as u32);

    for ((amount, currency, _, terms, locale, provider), host) in cases.iter().zip(&hosts) {
        let expected = expected_text(amount, currency, terms, locale, *provider);
        assert_eq!(
            host.text_content().unwrap(),
            expected,
            "{amount} {currency} {locale}"
        );
        assert!(!host.hidden());
        let badge = host
            .query_selector(".installment-badge")
            .unwrap()
            .expect("badge element");
        assert_eq!(
            badge.get_attribute("lang").as_deref(),
            Some(Locale::from_tag(locale).unwrap().tag())
        );
    }
    // The Belarusian badge groups as CLDR does for `be` (no separator in four digits; ru-BY would write "1 083,33").
    assert!(hosts[1].text_content().unwrap().contains("1083,33\u{a0}Br"));
    // Arabic runs right to left.
    let arabic = hosts[4]
        .query_selector(".installment-badge")
        .unwrap()
        .unwrap();
    assert_eq!(arabic.get_attribute("dir").as_deref(), Some("rtl"));
}

#[wasm_bindgen_test]
fn page_lang_is_used_when_the_badge_has_no_locale() {
    let root = container();
    let html = document().document_element().unwrap();
    html.set_attribute("lang", "kk").unwrap();
    let host = badge_host(
        &root,
        &[
            ("data-amount", "90000"),
            ("data-currency", "KZT"),
            ("data-terms", "3,6"),
        ],
    );
    mount_badges(Some(&root));
    html.remove_attribute("lang").unwrap();
    assert_eq!(
        host.text_content().unwrap(),
        expected_text("90000", "KZT", &[3, 6], "kk-KZ", None)
    );
}

#[wasm_bindgen_test]
fn a_bad_badge_hides_with_one_warning_and_the_others_carry_on() {
    let root = container();
    let good = |root: &Element| {
        badge_host(
            root,
            &[
                ("data-amount", "299.90"),
                ("data-currency", "BYN"),
                ("data-terms", "3,6"),
                ("data-locale", "ru-BY"),
            ],
        )
    };
    let first = good(&root);
    let bad_amount = badge_host(
        &root,
        &[
            ("data-amount", "abc"),
            ("data-currency", "BYN"),
            ("data-terms", "3"),
        ],
    );
    let bad_currency = badge_host(
        &root,
        &[
            ("data-amount", "10"),
            ("data-currency", "XXX"),
            ("data-terms", "3"),
        ],
    );
    let bad_terms = badge_host(
        &root,
        &[
            ("data-amount", "10"),
            ("data-currency", "BYN"),
            ("data-terms", "0"),
        ],
    );
    let last = good(&root);

    let mut mounted = 0;
    let warnings = capture_warnings(|| mounted = mount_badges(Some(&root)));

    assert_eq!(mounted, 2);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings[0].contains("data-amount=\"abc\""),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("data-currency=\"XXX\""),
        "{}",
        warnings[1]
    );
    assert!(warnings[2].contains("data-terms=\"0\""), "{}", warnings[2]);
    for bad in [&bad_amount, &bad_currency, &bad_terms] {
        assert!(bad.hidden());
        assert_eq!(bad.text_content().unwrap(), "");
    }
    let expected = expected_text("299.90", "BYN", &[3, 6], "ru-BY", None);
    assert_eq!(first.text_content().unwrap(), expected);
    assert_eq!(last.text_content().unwrap(), expected);
}

#[wasm_bindgen_test]
fn mounting_again_never_doubles_a_badge_and_picks_up_new_ones() {
    let root = container();
    let attributes = [
        ("data-amount", "50"),
        ("data-currency", "BYN"),
        ("data-terms", "2"),
        ("data-locale", "en-US"),
    ];
    let first = badge_host(&root, &attributes);
    assert_eq!(mount_badges(Some(&root)), 1);
    assert_eq!(mount_badges(Some(&root)), 0);
    let later = badge_host(&root, &attributes);
    assert_eq!(mount_badges(Some(&root)), 1);
    let expected = expected_text("50", "BYN", &[2], "en-US", None);
    assert_eq!(first.text_content().unwrap(), expected);
    assert_eq!(later.text_content().unwrap(), expected);
}
