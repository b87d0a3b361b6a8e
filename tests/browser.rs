//! Component tests in headless Chromium. Each mounts `InstallmentBadge` or `InstallmentPicker`
//! through the entry the custom elements use (`mountBadge`, `mountPicker`, `attributeChanged`,
//! `unmount`), clicks and types, `tick().await`s, and compares the DOM, the event and the
//! hidden input with what the core computes. The proxy's documents come from a `fetch` that
//! this page answers itself (the storefront tests in `tests/node` use the real proxy).
//! Run with `scripts/test` (wasm-bindgen-test-runner and ChromeDriver).
#![cfg(all(target_arch = "wasm32", feature = "embed-full"))]

use installment_widget::core::{Currency, Locale, Money, badge_text};
use installment_widget::embed::{
    attribute_changed, mount_badge, mount_picker, prepare_badge, unmount,
};
use installment_widget::view::TIMEOUT_MS;
use leptos::task::tick;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const RULES: &str = r#"{"currency":"BYN","providers":[
  {"provider":"karta_pokupok","display_name":"Karta Pokupok","currency":"BYN","min_amount":"50",
   "max_amount":"5000","bands":[{"min":"50","max":"299.99","terms":[3,6]},{"min":"300","terms":[3,6,12]}],
   "categories":[{"category":"food","terms":[]}],"rounding":"half_up"},
  {"provider":"kartapay","display_name":"KartaPay","currency":"BYN","min_amount":"100",
   "max_amount":"3000","bands":[{"min":"100","terms":[3,6,9,12]}],
   "markups":[{"months":9,"rate":"0.03"},{"months":12,"rate":"0.05"}],"rounding":"half_up"}]}"#;

/// The proxy's answer for a Karta Pokupok card: its range covers every longer prefix.
const KARTA_POKUPOK_BIN: &str = r#"{"bin":"911210","association":"BELKART","range":{
  "first":"91121000","last":"91121999","bank":"Bank Dabrabyt","family":"Karta Pokupok",
  "association":"BELKART","card_type":"CREDIT_CARD","commercial":false,"country":"BY"}}"#;

/// The proxy's answer for a card no table knows: the scheme from the prefix alone.
const UNKNOWN_VISA_BIN: &str = r#"{"bin":"41111111","association":"VISA"}"#;

const OFFERS: &str = r#"{"amount":"600.00","currency":"BYN","from":null,"providers":[
  {"provider":"karta_pokupok","display_name":"Karta Pokupok","cards":[{"association":"BELKART",
   "family":"Karta Pokupok","plans":[{"months":3,"monthly":"200.00","payments":["200.00","200.00","200.00"],
   "total":"600.00","overpayment":"0.00","kind":"interest_free"}]}]},
  {"provider":"kartapay","display_name":"KartaPay","cards":[{"plans":[{"months":3,
   "monthly":"200.00","payments":["200.00","200.00","200.00"],"total":"600.00","overpayment":"0.00",
   "kind":"interest_free"}]}]}]}"#;

#[wasm_bindgen(inline_js = r#"
export function answer(routes) {
  window.__asked = [];
  window.fetch = async (request) => {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.text() : "";
    const cache = request.cache === "default" ? "" : ` [${request.cache}]`;
    window.__asked.push(`${request.method} ${url.pathname}${url.search} ${body}`.trim() + cache);
    const route = Object.keys(routes).find((path) => url.pathname.includes(path));
    if (route === undefined) return new Response('{"code":"not_found","message":"no route"}', { status: 404 });
    const [status, text, cacheControl] = routes[route];
    const headers = { "content-type": "application/json" };
    if (cacheControl) headers["cache-control"] = cacheControl;
    if (status === 2) {
      // A good answer, 200 ms late: another request's answer comes first.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return new Response(text, { status: 200, headers });
    }
    if (status === 1) {
      // The whole answer, after the time limit, from a fetch that let the abort pass by (as
      // WebKitGTK's did at times).
      await new Promise((resolve) => setTimeout(resolve, 4300));
      return new Response(text, { status: 200, headers });
    }
    if (status === 0) {
      // Headers now, a body that never comes: the request's signal is all that ends it, as
      // in a browser's own fetch.
      const stalled = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"currency":'));
          request.signal.addEventListener("abort", () => controller.error(request.signal.reason));
        },
      });
      return new Response(stalled, { status: 200, headers });
    }
    return new Response(text, { status, headers });
  };
}
export function asked() { return window.__asked.slice(); }
export function watchWarnings() {
  window.__warnings = [];
  const warn = console.warn;
  console.warn = (...args) => { window.__warnings.push(args.join(" ")); warn(...args); };
}
export function warnings() { return window.__warnings.slice(); }
export function later(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
export function parseInto(element, html) { element.setHTMLUnsafe(html); }
"#)]
extern "C" {
    /// Makes the page's `fetch` answer each path fragment with `[status, body]`.
    fn answer(routes: &JsValue);
    /// Every request the widget made: `METHOD path?query body`.
    fn asked() -> Vec<String>;
    /// Records every `console.warn` from now on.
    #[wasm_bindgen(js_name = watchWarnings)]
    fn watch_warnings();
    /// The warnings recorded since `watch_warnings`.
    fn warnings() -> Vec<String>;
    /// Resolves after `ms` milliseconds: fetches resolve on the event loop, not on a tick.
    fn later(ms: u32) -> js_sys::Promise;
    /// Parses `html` into `element` as the page's parser would, declarative shadow roots
    /// included.
    #[wasm_bindgen(js_name = parseInto)]
    fn parse_into(element: &HtmlElement, html: &str);
}

/// Routes for `answer`: each path fragment's status and body (status 0: headers, then a body
/// that never ends).
fn routes(entries: &[(&str, u16, &str)]) -> JsValue {
    routes_with_cache(
        &entries
            .iter()
            .map(|&(p, s, b)| (p, s, b, ""))
            .collect::<Vec<_>>(),
    )
}

/// Routes whose answers carry a `Cache-Control` (none when empty).
fn routes_with_cache(entries: &[(&str, u16, &str, &str)]) -> JsValue {
    let routes = js_sys::Object::new();
    for (path, status, body, cache_control) in entries {
        let pair = js_sys::Array::of3(
            &JsValue::from(*status),
            &JsValue::from_str(body),
            &JsValue::from_str(cache_control),
        );
        js_sys::Reflect::set(&routes, &JsValue::from_str(path), &pair).unwrap();
    }
    routes.into()
}

/// Lets the fetches answer and the components redraw.
async fn settle() {
    wasm_bindgen_futures::JsFuture::from(later(30))
        .await
        .unwrap();
    tick().await;
}

fn byn(amount: &str) -> Money {
    Money::parse(amount, Currency::from_code("BYN").unwrap()).unwrap()
}

/// A fresh `<tag>` with `attributes` in the page, as a merchant's HTML would have it.
fn host(tag: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let element: HtmlElement = document.create_element(tag).unwrap().unchecked_into();
    for (name, value) in attributes {
        element.set_attribute(name, value).unwrap();
    }
    document.body().unwrap().append_child(&element).unwrap();
    element
}

fn shadow(host: &HtmlElement) -> web_sys::ShadowRoot {
    host.shadow_root().expect("the widget made a shadow root")
}

fn find(host: &HtmlElement, selector: &str) -> Option<HtmlElement> {
    shadow(host)
        .query_selector(selector)
        .unwrap()
        .map(|e| e.unchecked_into())
}

fn texts(host: &HtmlElement, selector: &str) -> Vec<String> {
    let all = shadow(host).query_selector_all(selector).unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i)?.text_content())
        .collect()
}

fn state(host: &HtmlElement) -> Option<String> {
    host.get_attribute("data-installment-state")
}

/// Every `installment-select` detail the element dispatches, in order.
fn details_of_selections(host: &HtmlElement) -> Rc<RefCell<Vec<JsValue>>> {
    let details: Rc<RefCell<Vec<JsValue>>> = Rc::default();
    let listener = Closure::<dyn FnMut(web_sys::CustomEvent)>::new({
        let details = details.clone();
        move |event: web_sys::CustomEvent| details.borrow_mut().push(event.detail())
    });
    host.add_event_listener_with_callback("installment-select", listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    details
}

/// The hidden input named "plan" that the picker keeps in the merchant's form (light DOM).
fn form_field(picker: &HtmlElement) -> HtmlInputElement {
    picker
        .query_selector(r#"input[type="hidden"][name="plan"]"#)
        .unwrap()
        .expect("a hidden input in the merchant's form")
        .unchecked_into()
}

/// A picker for 600.00 BYN in English whose choice goes to the form field "plan", with its own
/// endpoint (the rules cache outlives each test), mounted and drawn; and its events' details.
async fn picker_with_form(
    endpoint: &str,
    more: &[(&str, &str)],
) -> (HtmlElement, Rc<RefCell<Vec<JsValue>>>) {
    let mut attributes = vec![
        ("amount", "600.00"),
        ("currency", "BYN"),
        ("locale", "en"),
        ("name", "plan"),
        ("endpoint", endpoint),
    ];
    attributes.extend_from_slice(more);
    let picker = host("installment-picker", &attributes);
    let chosen = details_of_selections(&picker);
    mount_picker(picker.clone(), "");
    settle().await;
    (picker, chosen)
}

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_badge_element_shows_the_core_text_follows_its_attributes_opens_and_unmounts() {
    answer(&routes(&[("/rules", 200, RULES)]));
    // An endpoint of its own: the page's rules cache outlives each test.
    let badge = host(
        "installment-badge",
        &[
            ("amount", "299.90"),
            ("currency", "BYN"),
            ("locale", "ru-BY"),
            ("endpoint", "/badges"),
        ],
    );
    let data_badge = host(
        "span",
        &[
            ("data-amount", "299.90"),
            ("data-currency", "BYN"),
            ("data-locale", "ru-BY"),
            ("data-endpoint", "/badges"),
        ],
    );
    mount_badge(badge.clone(), "");
    mount_badge(data_badge.clone(), "data-");
    settle().await;

    // KartaPay's 12 months with a 5 % markup: 299.90 + 15.00 (14.995 half up) = 314.90, whose
    // largest twelfth is 26.25; it beats Karta Pokupok's 6 interest-free months (49.99).
    let ru = Locale::from_tag("ru-BY").unwrap();
    let expected = badge_text(byn("26.25"), ru, Some("KartaPay")).to_string();
    assert_eq!(shadow(&badge).text_content().unwrap(), expected);
    assert_eq!(shadow(&data_badge).text_content().unwrap(), expected);
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    let rules_requests = asked().iter().filter(|r| r.contains("/rules")).count();
    assert_eq!(
        rules_requests,
        1,
        "two badges, one rules request: {:?}",
        asked()
    );

    attribute_changed(&badge, "amount", Some("2400.00".into()));
    tick().await;
    // 12 months: Karta Pokupok's 200.00 beats KartaPay's 12 months with a 5 % markup.
    let expected = badge_text(byn("200.00"), ru, Some("Karta Pokupok")).to_string();
    assert_eq!(shadow(&badge).text_content().unwrap(), expected);

    let button = find(&badge, "button").unwrap();
    button.click();
    tick().await;
    let dialog = find(&badge, "dialog[open]").expect("learn more opens the dialog");
    assert!(dialog.matches(":modal").unwrap(), "a modal dialog");
    assert_eq!(
        texts(&badge, ".installment-details caption"),
        ["Karta Pokupok", "KartaPay"],
        "every provider's plans"
    );
    dialog.unchecked_ref::<web_sys::HtmlDialogElement>().close();
    // The dialog's `close` event is a task of its own.
    settle().await;
    assert!(find(&badge, "dialog").is_none(), "closed and gone");

    attribute_changed(&data_badge, "data-amount", Some("20.00".into()));
    tick().await;
    assert_eq!(shadow(&data_badge).text_content().unwrap(), "");
    assert_eq!(state(&data_badge).as_deref(), Some("empty"));
    assert!(
        find(&data_badge, "button").is_none(),
        "no button, no spinner, no error"
    );

    unmount(&badge);
    assert!(
        find(&badge, ".installment-root").is_none(),
        "unmounted cleanly"
    );
    attribute_changed(&badge, "amount", Some("600.00".into()));
    tick().await;
    assert_eq!(shadow(&badge).text_content().unwrap(), "");
}

/// A badge the merchant's server rendered (`server::render_badge`, as `tests/ssr.rs` checks),
/// with words of its own so the test can tell it from the embed's.
const SERVER_RENDERED: &str = r#"<template shadowrootmode="open"><link rel="stylesheet" href="/widget/installment-widget.css" data-server=""><span data-server="" class="installment-root"><span lang="ru-BY" dir="ltr" class="installment-badge"><button type="button" aria-haspopup="dialog" class="installment-badge__button">the server's badge</button><!></span></span></template>"#;

#[wasm_bindgen_test]
async fn a_server_rendered_badge_stays_until_the_embeds_own_has_drawn_then_gives_way() {
    // The rules come 200 ms late: long enough to look at the page meanwhile.
    answer(&routes(&[("/rules", 2, RULES)]));
    // As the page's parser meets it: a declarative shadow root attaches to its parent.
    let listing = host("div", &[]);
    parse_into(
        &listing,
        &format!(
            r#"<span data-installment-badge data-amount="299.90" data-currency="BYN" data-locale="ru-BY" data-endpoint="/server-rendered" data-installment-state="shown">{SERVER_RENDERED}</span>"#
        ),
    );
    let badge: HtmlElement = listing.first_element_child().unwrap().unchecked_into();
    assert_eq!(shadow(&badge).text_content().unwrap(), "the server's badge");

    mount_badge(badge.clone(), "data-");
    settle().await;
    let visible = |host: &HtmlElement| -> Vec<String> {
        let roots = shadow(host)
            .query_selector_all(".installment-root")
            .unwrap();
        (0..roots.length())
            .filter_map(|i| roots.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|root| {
                let window = web_sys::window().unwrap();
                let style = window.get_computed_style(root).unwrap().unwrap();
                style.get_property_value("display").unwrap() != "none"
            })
            .map(|root| root.text_content().unwrap())
            .collect()
    };
    assert_eq!(
        visible(&badge),
        ["the server's badge"],
        "while the rules load, the server's badge is the one seen"
    );

    wasm_bindgen_futures::JsFuture::from(later(300))
        .await
        .unwrap();
    tick().await;
    let ru = Locale::from_tag("ru-BY").unwrap();
    let expected = badge_text(byn("26.25"), ru, Some("KartaPay")).to_string();
    assert_eq!(
        visible(&badge),
        std::slice::from_ref(&expected),
        "the embed's badge, alone"
    );
    assert_eq!(shadow(&badge).text_content().unwrap(), expected);
    assert!(
        find(&badge, "[data-server]").is_none(),
        "the server's parts left"
    );
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    find(&badge, "button").unwrap().click();
    tick().await;
    assert!(find(&badge, "dialog[open]").is_some(), "and it is live");
    unmount(&badge);
}

#[wasm_bindgen_test]
async fn the_page_wide_endpoint_comes_from_the_meta_in_head() {
    answer(&routes(&[("/rules", 200, RULES)]));
    let document = web_sys::window().unwrap().document().unwrap();
    let meta = document.create_element("meta").unwrap();
    meta.set_attribute("name", "installment-endpoint").unwrap();
    meta.set_attribute("content", "/from-meta/").unwrap();
    document.head().unwrap().append_child(&meta).unwrap();
    let badge = host(
        "installment-badge",
        &[
            ("amount", "299.90"),
            ("currency", "BYN"),
            ("locale", "ru-BY"),
        ],
    );
    mount_badge(badge.clone(), "");
    settle().await;
    meta.remove();
    assert!(
        asked().contains(&"GET /from-meta/rules?currency=BYN".to_owned()),
        "{:?}",
        asked()
    );
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    unmount(&badge);
}

#[wasm_bindgen_test]
async fn a_badge_prepared_before_it_mounts_asks_for_its_rules_once_and_draws_from_them() {
    // 200 ms late: the answer is still on its way when the badge mounts.
    answer(&routes(&[("/rules", 2, RULES)]));
    let unusable = host(
        "span",
        &[("data-amount", "299.90"), ("data-currency", "XXX")],
    );
    prepare_badge(&unusable, "data-");
    assert_eq!(
        asked(),
        Vec::<String>::new(),
        "unusable settings ask for nothing"
    );
    let badge = host(
        "span",
        &[
            ("data-amount", "299.90"),
            ("data-currency", "BYN"),
            ("data-locale", "ru-BY"),
            ("data-endpoint", "/prepared"),
        ],
    );
    prepare_badge(&badge, "data-");
    assert_eq!(
        asked(),
        ["GET /prepared/rules?currency=BYN"],
        "asked at once"
    );
    assert!(
        badge.shadow_root().is_none(),
        "nothing is drawn before the mount"
    );
    mount_badge(badge.clone(), "data-");
    wasm_bindgen_futures::JsFuture::from(later(250))
        .await
        .unwrap();
    settle().await;
    assert_eq!(
        asked().len(),
        1,
        "the mount reads the rules already asked for"
    );
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    unmount(&badge);
    unusable.remove();
}

#[wasm_bindgen_test]
async fn a_picker_element_narrows_by_card_announces_the_choice_fills_the_form_and_pays() {
    answer(&routes(&[
        ("/rules", 200, RULES),
        ("/offers", 200, OFFERS),
        ("/bins/9112", 200, KARTA_POKUPOK_BIN),
        ("/bins/", 200, UNKNOWN_VISA_BIN),
        (
            "/applications",
            201,
            r##"{"application_id":"app_1","redirect_url":"#paid"}"##,
        ),
    ]));
    let picker = host(
        "installment-picker",
        &[
            ("amount", "600.00"),
            ("currency", "BYN"),
            ("locale", "en"),
            ("name", "plan"),
            ("items", "neman-14:2"),
        ],
    );
    let chosen = details_of_selections(&picker);
    mount_picker(picker.clone(), "");
    settle().await;
    assert_eq!(state(&picker).as_deref(), Some("shown"));
    let titles = || texts(&picker, ".installment-picker__offer legend");
    assert_eq!(
        titles(),
        ["Karta Pokupok · Karta Pokupok", "KartaPay · Any card"]
    );

    // A Visa: Karta Pokupok's offer is for Belkart cards of its family only.
    let field: HtmlInputElement = find(&picker, ".installment-picker__card input")
        .unwrap()
        .unchecked_into();
    type_into(&field, "4111 1111 1111 1111");
    assert_eq!(field.value(), "41111111", "never more than 8 digits");
    settle().await;
    assert_eq!(titles(), ["KartaPay · Any card"]);
    assert!(
        asked().iter().any(|r| r == "GET /api/v1/bins/41111111"),
        "the card's BIN is asked of the proxy: {:?}",
        asked()
    );
    assert!(
        !asked()
            .iter()
            .any(|r| r.contains("/rules") && r.contains("bin")),
        "the rules are the same whatever the card"
    );

    // A Karta Pokupok card: asked about once at 6 digits; its range answers the 7th and 8th.
    type_into(&field, "911210");
    settle().await;
    type_into(&field, "9112105");
    settle().await;
    type_into(&field, "91121055");
    settle().await;
    let bins_asked: Vec<String> = asked()
        .into_iter()
        .filter(|r| r.contains("/bins/9112"))
        .collect();
    assert_eq!(bins_asked, ["GET /api/v1/bins/911210"], "asked once a page");
    assert_eq!(
        texts(&picker, ".installment-picker__scheme"),
        ["Belkart"],
        "the brand, never the wire name"
    );
    assert_eq!(
        titles(),
        ["Karta Pokupok · Karta Pokupok", "KartaPay · Any card"]
    );

    let pay = find(&picker, ".installment-picker__pay").unwrap();
    assert!(
        pay.has_attribute("disabled"),
        "nothing to pay before a choice"
    );
    find(&picker, r#"input[value="karta_pokupok:Karta Pokupok:3"]"#)
        .unwrap()
        .click();
    tick().await;
    let detail = chosen
        .borrow()
        .last()
        .cloned()
        .expect("installment-select fired");
    let field_of = |name: &str| js_sys::Reflect::get(&detail, &name.into()).unwrap();
    assert_eq!(
        field_of("provider").as_string().as_deref(),
        Some("karta_pokupok")
    );
    assert_eq!(
        field_of("family").as_string().as_deref(),
        Some("Karta Pokupok")
    );
    assert_eq!(field_of("months").as_f64(), Some(3.0));
    assert_eq!(field_of("total").as_string().as_deref(), Some("600.00"));
    assert_eq!(field_of("currency").as_string().as_deref(), Some("BYN"));
    assert_eq!(form_field(&picker).value(), "karta_pokupok:Karta Pokupok:3");

    assert!(!pay.has_attribute("disabled"));
    let phone: HtmlInputElement = find(&picker, r#"input[type="tel"]"#)
        .unwrap()
        .unchecked_into();
    phone.set_value("+375291234567");
    pay.click();
    settle().await;
    let posted = asked()
        .into_iter()
        .find(|r| r.starts_with("POST /api/v1/applications"))
        .expect("the application was posted");
    assert!(
        posted.contains(r#""items":[{"sku":"neman-14","quantity":2}]"#),
        "{posted}"
    );
    assert!(
        posted.contains(r#""provider":"karta_pokupok","months":3"#),
        "{posted}"
    );
    assert!(
        !posted.contains("amount"),
        "the proxy prices the order: {posted}"
    );
    let location = web_sys::window().unwrap().location();
    assert_eq!(
        location.hash().unwrap(),
        "#paid",
        "the provider's form opened"
    );
    unmount(&picker);
}

#[wasm_bindgen_test]
async fn when_the_proxy_fails_the_badge_hides_and_the_picker_says_so_in_one_line() {
    let failing = r#"{"code":"internal","message":"boom"}"#;
    answer(&routes(&[
        ("/rules", 500, failing),
        ("/offers", 500, failing),
    ]));
    let endpoint = ("endpoint", "/failing/api/v1");
    let badge = host(
        "installment-badge",
        &[("amount", "299.90"), ("currency", "BYN"), endpoint],
    );
    let picker = host(
        "installment-picker",
        &[("amount", "299.90"), ("currency", "BYN"), endpoint],
    );
    mount_badge(badge.clone(), "");
    mount_picker(picker.clone(), "");
    settle().await;
    assert_eq!(state(&badge).as_deref(), Some("failed"));
    assert_eq!(shadow(&badge).text_content().unwrap(), "");
    assert_eq!(state(&picker).as_deref(), Some("failed"));
    assert_eq!(
        texts(&picker, "[role=status]"),
        ["Installments are unavailable right now."]
    );
    unmount(&badge);
    unmount(&picker);
}

#[wasm_bindgen_test]
async fn a_choice_the_card_no_longer_allows_is_cleared_from_the_form_the_event_and_the_button() {
    answer(&routes(&[
        ("/rules", 200, RULES),
        ("/offers", 200, OFFERS),
        ("/bins/", 200, UNKNOWN_VISA_BIN),
    ]));
    let (picker, chosen) = picker_with_form("/clearing", &[("items", "neman-14:1")]).await;
    find(&picker, r#"input[value="karta_pokupok:Karta Pokupok:3"]"#)
        .unwrap()
        .click();
    tick().await;
    let hidden = form_field(&picker);
    assert_eq!(hidden.value(), "karta_pokupok:Karta Pokupok:3");
    let pay = find(&picker, ".installment-picker__pay").unwrap();
    assert!(!pay.has_attribute("disabled"));

    // A Visa: Karta Pokupok's plans are for its own Belkart cards, so the choice goes.
    let field: HtmlInputElement = find(&picker, ".installment-picker__card input")
        .unwrap()
        .unchecked_into();
    type_into(&field, "41111111");
    settle().await;
    assert_eq!(
        hidden.value(),
        "",
        "the form holds no plan the shopper cannot see"
    );
    assert!(
        chosen.borrow().last().unwrap().is_null(),
        "installment-select with detail: null"
    );
    assert!(pay.has_attribute("disabled"), "nothing to pay");
    assert_eq!(
        texts(&picker, ".installment-picker__cleared"),
        ["The chosen plan is no longer available: choose another."]
    );
    assert!(find(&picker, "input:checked").is_none());
    unmount(&picker);
}

#[wasm_bindgen_test]
async fn the_checkout_asks_for_e_mail_and_names_only_where_kartapay_requires_them() {
    answer(&routes(&[("/rules", 200, RULES), ("/offers", 200, OFFERS)]));
    let (picker, _) = picker_with_form("/identity", &[("items", "neman-14:1")]).await;
    let labels = || texts(&picker, ".installment-picker__checkout label span");
    assert_eq!(labels(), ["Phone for the SMS code"], "nothing chosen yet");
    find(&picker, r#"input[value="karta_pokupok:Karta Pokupok:3"]"#)
        .unwrap()
        .click();
    tick().await;
    assert_eq!(
        labels(),
        ["Phone for the SMS code"],
        "Karta Pokupok asks for the phone only"
    );
    find(&picker, r#"input[value="kartapay::3"]"#)
        .unwrap()
        .click();
    tick().await;
    assert_eq!(
        labels(),
        [
            "Phone for the SMS code",
            "E-mail",
            "First name",
            "Last name"
        ],
        "KartaPay's Payer requires them"
    );
    let autocomplete: Vec<String> = ["email", "given-name", "family-name"]
        .iter()
        .filter_map(|kind| {
            find(
                &picker,
                &format!(r#"input[autocomplete="{kind}"][required]"#),
            )
        })
        .map(|input| input.get_attribute("autocomplete").unwrap())
        .collect();
    assert_eq!(autocomplete, ["email", "given-name", "family-name"]);
    find(&picker, r#"input[value="karta_pokupok:Karta Pokupok:3"]"#)
        .unwrap()
        .click();
    tick().await;
    assert_eq!(labels(), ["Phone for the SMS code"], "and gone again");
    unmount(&picker);
}

#[wasm_bindgen_test]
async fn a_page_in_another_language_gets_english_plurals_brands_and_the_merchants_words() {
    answer(&routes(&[("/rules", 200, RULES), ("/offers", 200, OFFERS)]));
    let document = web_sys::window().unwrap().document().unwrap();
    // A German page: the widget does not speak German, so it speaks English, not nothing.
    let page = host("div", &[("lang", "de-DE")]);
    let badge: HtmlElement = document
        .create_element("installment-badge")
        .unwrap()
        .unchecked_into();
    for (name, value) in [
        ("amount", "299.90"),
        ("currency", "BYN"),
        ("endpoint", "/languages"),
    ] {
        badge.set_attribute(name, value).unwrap();
    }
    page.append_child(&badge).unwrap();
    mount_badge(badge.clone(), "");
    settle().await;
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    let en = Locale::fallback();
    let expected = badge_text(byn("26.25"), en, Some("KartaPay")).to_string();
    assert_eq!(shadow(&badge).text_content().unwrap(), expected);

    // The merchant's own sentence and words.
    attribute_changed(
        &badge,
        "labels",
        Some(r#"{"badge":"Just {amount} a month with {provider}","total":"Sum"}"#.into()),
    );
    tick().await;
    assert_eq!(
        shadow(&badge).text_content().unwrap(),
        "Just BYN\u{a0}26.25 a month with KartaPay"
    );
    find(&badge, "button").unwrap().click();
    tick().await;
    assert!(
        texts(&badge, "th").contains(&"Sum".to_owned()),
        "{:?}",
        texts(&badge, "th")
    );
    // A name that is no label is refused by name, and the badge hides.
    attribute_changed(&badge, "labels", Some(r#"{"totl":"Sum"}"#.into()));
    settle().await;
    assert_eq!(state(&badge).as_deref(), Some("failed"));
    assert_eq!(shadow(&badge).text_content().unwrap(), "");

    // Arabic: "month" takes the form CLDR gives its count.
    let picker = host(
        "installment-picker",
        &[
            ("amount", "600.00"),
            ("currency", "BYN"),
            ("locale", "ar"),
            ("endpoint", "/languages"),
            ("labels", r#"{"pay":"ادفع الآن"}"#),
            ("items", "neman-14:1"),
        ],
    );
    mount_picker(picker.clone(), "");
    settle().await;
    let terms = texts(
        &picker,
        ".installment-picker__plan label span:nth-of-type(2)",
    );
    assert_eq!(terms, ["3\u{a0}أشهر", "3\u{a0}أشهر"]);
    assert_eq!(texts(&picker, ".installment-picker__pay"), ["ادفع الآن"]);
    let field: HtmlInputElement = find(&picker, ".installment-picker__card input")
        .unwrap()
        .unchecked_into();
    type_into(&field, "5100");
    tick().await;
    assert_eq!(
        texts(&picker, ".installment-picker__scheme"),
        ["Mastercard"]
    );
    unmount(&badge);
    unmount(&picker);
    page.remove();
}

fn count(fragment: &str) -> usize {
    asked().iter().filter(|r| r.contains(fragment)).count()
}

#[wasm_bindgen_test]
async fn a_failed_request_is_tried_again_on_the_next_change_not_after_a_reload() {
    let failing = r#"{"code":"internal","message":"boom"}"#;
    answer(&routes(&[
        ("/rules", 503, failing),
        ("/offers", 503, failing),
    ]));
    let endpoint = ("endpoint", "/flaky");
    let badge = host(
        "installment-badge",
        &[("amount", "299.90"), ("currency", "BYN"), endpoint],
    );
    let other = host(
        "installment-badge",
        &[("amount", "600.00"), ("currency", "BYN"), endpoint],
    );
    let picker = host(
        "installment-picker",
        &[
            ("amount", "600.00"),
            ("currency", "BYN"),
            ("locale", "en"),
            endpoint,
        ],
    );
    mount_badge(badge.clone(), "");
    mount_badge(other.clone(), "");
    mount_picker(picker.clone(), "");
    settle().await;
    assert_eq!(state(&badge).as_deref(), Some("failed"));
    assert_eq!(state(&picker).as_deref(), Some("failed"));
    assert_eq!(count("/rules"), 1, "{:?}", asked());

    // The proxy is back; the next change asks again, once for every badge of the currency.
    answer(&routes(&[("/rules", 200, RULES), ("/offers", 200, OFFERS)]));
    attribute_changed(&badge, "amount", Some("300.00".into()));
    attribute_changed(&picker, "amount", Some("601.00".into()));
    settle().await;
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    assert_eq!(
        state(&other).as_deref(),
        Some("shown"),
        "the other badge of the currency too"
    );
    assert_eq!(state(&picker).as_deref(), Some("shown"));
    assert_eq!(
        count("/rules"),
        1,
        "one request for the page: {:?}",
        asked()
    );
    for element in [badge, other, picker] {
        unmount(&element);
    }
}

#[wasm_bindgen_test]
async fn rules_are_asked_again_once_their_cache_control_says_they_are_stale() {
    answer(&routes_with_cache(&[(
        "/rules",
        200,
        RULES,
        "public, max-age=0",
    )]));
    let badge = host(
        "installment-badge",
        &[
            ("amount", "299.90"),
            ("currency", "BYN"),
            ("endpoint", "/stale"),
        ],
    );
    mount_badge(badge.clone(), "");
    settle().await;
    assert_eq!(state(&badge).as_deref(), Some("shown"));
    attribute_changed(&badge, "amount", Some("300.00".into()));
    settle().await;
    assert_eq!(
        asked(),
        [
            "GET /stale/rules?currency=BYN",
            "GET /stale/rules?currency=BYN [no-cache]"
        ],
        "stale rules are revalidated past the browser's cache"
    );

    answer(&routes_with_cache(&[(
        "/rules",
        200,
        RULES,
        "public, max-age=60",
    )]));
    let fresh = host(
        "installment-badge",
        &[
            ("amount", "299.90"),
            ("currency", "BYN"),
            ("endpoint", "/fresh"),
        ],
    );
    mount_badge(fresh.clone(), "");
    settle().await;
    attribute_changed(&fresh, "amount", Some("300.00".into()));
    settle().await;
    assert_eq!(
        count("/rules"),
        1,
        "fresh rules are not asked again: {:?}",
        asked()
    );
    unmount(&badge);
    unmount(&fresh);
}

#[wasm_bindgen_test]
async fn a_stalled_body_or_a_late_answer_fails_at_the_time_limit() {
    // Status 0: headers, then a body that never ends. Status 1: the rules, whole and valid,
    // 300 ms past the limit, from a fetch that let the abort pass by.
    for (status, endpoint) in [(0, "/stalled"), (1, "/late")] {
        watch_warnings();
        answer(&routes(&[("/rules", status, RULES)]));
        let badge = host(
            "installment-badge",
            &[
                ("amount", "299.90"),
                ("currency", "BYN"),
                ("endpoint", endpoint),
            ],
        );
        mount_badge(badge.clone(), "");
        wasm_bindgen_futures::JsFuture::from(later(TIMEOUT_MS + 500))
            .await
            .unwrap();
        tick().await;
        assert_eq!(state(&badge).as_deref(), Some("failed"), "{endpoint}");
        assert!(
            warnings()
                .iter()
                .any(|w| w.contains(&format!("{endpoint} did not answer within {TIMEOUT_MS} ms"))),
            "{endpoint}: {:?}",
            warnings()
        );
        unmount(&badge);
    }
}

#[wasm_bindgen_test]
async fn amount_and_currency_set_together_cost_one_request() {
    answer(&routes(&[("/rules", 200, RULES), ("/offers", 200, OFFERS)]));
    let endpoint = ("endpoint", "/together");
    let badge = host(
        "installment-badge",
        &[("amount", "299.90"), ("currency", "BYN"), endpoint],
    );
    let picker = host(
        "installment-picker",
        &[("amount", "600.00"), ("currency", "BYN"), endpoint],
    );
    mount_badge(badge.clone(), "");
    mount_picker(picker.clone(), "");
    settle().await;
    let before = asked().len();
    for element in [&badge, &picker] {
        attribute_changed(element, "amount", Some("1000".into()));
        attribute_changed(element, "currency", Some("KZT".into()));
    }
    settle().await;
    assert_eq!(
        asked()[before..],
        [
            "GET /together/rules?currency=KZT",
            "GET /together/offers?amount=1000.00&currency=KZT",
        ],
        "no request for 1000 BYN on the way"
    );
    unmount(&badge);
    unmount(&picker);
}

#[wasm_bindgen_test]
async fn an_invalid_price_selector_fails_only_its_badge_with_one_warning() {
    answer(&routes(&[("/rules", 200, RULES)]));
    watch_warnings();
    let endpoint = ("endpoint", "/selectors");
    let broken = host(
        "span",
        &[
            ("data-price-selector", "[[["),
            ("data-currency", "BYN"),
            ("data-endpoint", "/selectors"),
        ],
    );
    let also_broken = host(
        "span",
        &[
            ("data-price-selector", "[[["),
            ("data-currency", "BYN"),
            ("data-endpoint", "/selectors"),
        ],
    );
    let fine = host(
        "installment-badge",
        &[("amount", "299.90"), ("currency", "BYN"), endpoint],
    );
    mount_badge(broken.clone(), "data-");
    mount_badge(also_broken.clone(), "data-");
    mount_badge(fine.clone(), "");
    settle().await;
    // The page changes: the observer's call must not throw.
    installment_widget::embed::page_changed();
    settle().await;
    assert_eq!(state(&broken).as_deref(), Some("failed"));
    assert_eq!(state(&fine).as_deref(), Some("shown"));
    let about_selector: Vec<String> = warnings()
        .into_iter()
        .filter(|w| w.contains("[[["))
        .collect();
    assert_eq!(about_selector.len(), 1, "{about_selector:?}");
    assert!(
        about_selector[0].contains("price-selector"),
        "{about_selector:?}"
    );
    for element in [broken, also_broken, fine] {
        unmount(&element);
    }
}

#[wasm_bindgen_test]
async fn below_every_minimum_the_picker_says_from_which_amount() {
    let none = r#"{"amount":"20.00","currency":"BYN","from":null,"providers":[]}"#;
    // Status 2: the rules come 200 ms after the offers, as Firefox at times had them.
    answer(&routes(&[("/rules", 2, RULES), ("/offers", 200, none)]));
    let picker = host(
        "installment-picker",
        &[
            ("amount", "20.00"),
            ("currency", "BYN"),
            ("locale", "en"),
            ("endpoint", "/minimum"),
        ],
    );
    mount_picker(picker.clone(), "");
    settle().await;
    assert_eq!(
        texts(&picker, ".installment-picker__message"),
        Vec::<String>::new(),
        "nothing while the rules are on their way: not \"unavailable\""
    );
    wasm_bindgen_futures::JsFuture::from(later(300))
        .await
        .unwrap();
    tick().await;
    // Karta Pokupok finances from 50, KartaPay from 100.
    assert_eq!(
        texts(&picker, ".installment-picker__message"),
        ["Installments are available from BYN\u{a0}50.00."]
    );
    // Karta Pokupok never finances food; KartaPay does, from 100.
    attribute_changed(&picker, "category", Some("food".into()));
    settle().await;
    assert_eq!(
        texts(&picker, ".installment-picker__message"),
        ["Installments are available from BYN\u{a0}100.00."]
    );
    // Above every maximum there is nothing to promise.
    attribute_changed(&picker, "amount", Some("9000".into()));
    settle().await;
    assert_eq!(
        texts(&picker, ".installment-picker__message"),
        ["Installments are unavailable right now."]
    );
    unmount(&picker);
}

#[wasm_bindgen_test]
async fn a_new_price_re_chooses_the_same_plan_with_its_new_amounts_or_clears_it() {
    answer(&routes(&[("/rules", 200, RULES), ("/offers", 200, OFFERS)]));
    let (picker, chosen) = picker_with_form("/repriced", &[]).await;
    find(&picker, r#"input[value="kartapay::3"]"#)
        .unwrap()
        .click();
    tick().await;
    let field = |name: &str| {
        let detail = chosen.borrow().last().cloned().unwrap();
        js_sys::Reflect::get(&detail, &name.into())
            .unwrap()
            .as_string()
    };
    assert_eq!(field("total").as_deref(), Some("600.00"));

    // A new price: the same plan, chosen again with its new amounts.
    let repriced = OFFERS
        .replace("600.00", "900.00")
        .replace("200.00", "300.00");
    answer(&routes(&[
        ("/rules", 200, RULES),
        ("/offers", 200, &repriced),
    ]));
    attribute_changed(&picker, "amount", Some("900.00".into()));
    settle().await;
    assert_eq!(field("total").as_deref(), Some("900.00"));
    assert_eq!(field("monthly").as_deref(), Some("300.00"));
    assert!(find(&picker, r#"input[value="kartapay::3"]:checked"#).is_some());

    // A new currency whose offers have no such plan: the choice goes, and says so.
    let tenge = r#"{"amount":"90000.00","currency":"KZT","from":null,"providers":[
      {"provider":"freedompay","display_name":"FreedomPay","cards":[{"plans":[{"months":3,
       "monthly":"30000.00","payments":["30000.00","30000.00","30000.00"],"total":"90000.00",
       "overpayment":"0.00","kind":"interest_free"}]}]}]}"#;
    answer(&routes(&[("/rules", 200, RULES), ("/offers", 200, tenge)]));
    attribute_changed(&picker, "amount", Some("90000".into()));
    attribute_changed(&picker, "currency", Some("KZT".into()));
    settle().await;
    assert!(chosen.borrow().last().unwrap().is_null(), "detail: null");
    assert_eq!(form_field(&picker).value(), "");
    assert_eq!(
        texts(&picker, ".installment-picker__cleared"),
        ["The chosen plan is no longer available: choose another."]
    );
    unmount(&picker);
}
