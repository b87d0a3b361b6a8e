//! Component tests in headless Chromium: mount the Leptos components, click and type,
//! `tick().await`, and compare the DOM with what the core computes. Run with `scripts/test`
//! (wasm-bindgen-test-runner and ChromeDriver).
#![cfg(target_arch = "wasm32")]

use installment_widget::core::{Currency, Locale, Money, badge_text};
use installment_widget::view::{PickerView, Storefront};
use installment_widget::{InstallmentBadge, InstallmentPicker, Selection};
use leptos::prelude::*;
use leptos::task::tick;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const RULES: &str = r#"{"currency":"BYN","providers":[
  {"provider":"karta_pokupok","display_name":"Karta Pokupok","currency":"BYN","min_amount":"50",
   "max_amount":"5000","bands":[{"min":"50","max":"299.99","terms":[3,6]},{"min":"300","terms":[3,6,12]}],
   "categories":[{"category":"food","terms":[]}],"rounding":"half_up"},
  {"provider":"kartapay","display_name":"KartaPay","currency":"BYN","min_amount":"100",
   "max_amount":"3000","bands":[{"min":"100","terms":[3,6,9,12]}],
   "markups":[{"months":9,"rate":"0.03"},{"months":12,"rate":"0.05"}],"rounding":"half_up"}],
  "bins":[{"first":"91121000","last":"91121999","bank":"Bank Dabrabyt","family":"Karta Pokupok",
   "association":"BELKART","card_type":"CREDIT_CARD","commercial":false,"country":"BY"}]}"#;

const OFFERS: &str = r#"{"amount":"600.00","currency":"BYN","from":null,"providers":[
  {"provider":"karta_pokupok","display_name":"Karta Pokupok","cards":[{"association":"BELKART",
   "family":"Karta Pokupok","plans":[{"months":3,"monthly":"200.00","payments":["200.00","200.00","200.00"],
   "total":"600.00","overpayment":"0.00","kind":"interest_free"}]}]},
  {"provider":"craftgate","display_name":"Craftgate","cards":[{"family":"Bonus","plans":[{"months":2,
   "monthly":"306.00","payments":["306.00","306.00"],"total":"612.00","overpayment":"12.00","kind":"quoted"}]}]}]}"#;

fn rules() -> Arc<Storefront> {
    Arc::new(Storefront::from_document(serde_json::from_str(RULES).unwrap()).unwrap())
}

fn byn(amount: &str) -> Money {
    Money::parse(amount, Currency::from_code("BYN").unwrap()).unwrap()
}

/// A fresh element in the page to mount into.
fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("section").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn query(root: &HtmlElement, selector: &str) -> Option<HtmlElement> {
    root.query_selector(selector)
        .unwrap()
        .map(|e| e.unchecked_into())
}

fn text(root: &HtmlElement, selector: &str) -> String {
    query(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn badge_shows_the_core_text_follows_its_amount_and_hides_when_ineligible() {
    let root = container();
    let amount = RwSignal::new(byn("299.90"));
    let loaded = RwSignal::new(None::<Arc<Storefront>>);
    let ru = Locale::from_tag("ru-BY").unwrap();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        view! { <InstallmentBadge amount=amount rules=loaded locale=ru /> }
    }));
    tick().await;
    assert_eq!(
        text(&root, ".installment-badge"),
        "",
        "nothing while the rules load"
    );

    loaded.set(Some(rules()));
    tick().await;
    // KartaPay's 12 months with a 5 % markup: 299.90 + 15.00 (14.995 half up) = 314.90, whose
    // largest twelfth is 26.25; it beats Karta Pokupok's 6 interest-free months (49.99).
    let expected = badge_text(byn("26.25"), ru, Some("KartaPay")).to_string();
    assert_eq!(text(&root, ".installment-badge"), expected);

    amount.set(byn("2400.00"));
    tick().await;
    // 12 months: Karta Pokupok's 200.00 beats KartaPay's 12 months with a 5 % markup.
    let expected = badge_text(byn("200.00"), ru, Some("Karta Pokupok")).to_string();
    assert_eq!(text(&root, ".installment-badge"), expected);

    amount.set(byn("20.00"));
    tick().await;
    assert_eq!(text(&root, ".installment-badge"), "");
    assert!(
        query(&root, "button").is_none(),
        "no button, no spinner, no error"
    );
}

#[wasm_bindgen_test]
async fn badge_details_open_on_click_with_every_providers_plans_and_arabic_reads_right_to_left() {
    let root = container();
    let ar = Locale::from_tag("ar").unwrap();
    let rules = rules();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        view! { <InstallmentBadge amount=byn("600.00") rules=Some(rules.clone()) locale=ar /> }
    }));
    tick().await;
    assert_eq!(
        query(&root, ".installment-badge")
            .unwrap()
            .get_attribute("dir")
            .as_deref(),
        Some("rtl")
    );
    let button = query(&root, "button").unwrap();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    button.click();
    tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let captions: Vec<String> = (0..2)
        .map(|i| text(&root, &format!("table:nth-of-type({}) caption", i + 1)))
        .collect();
    assert_eq!(captions, ["Karta Pokupok", "KartaPay"]);
    // KartaPay's 12 months with a 5 % markup: 630.00 in total.
    let kartapay = text(&root, "table:nth-of-type(2) tbody");
    assert!(kartapay.contains("630.00"), "{kartapay}");
    button.click();
    tick().await;
    assert!(query(&root, ".installment-details").is_none());
}

#[wasm_bindgen_test]
async fn picker_narrows_by_bin_and_announces_the_choice() {
    let root = container();
    let offers = Arc::new(
        PickerView::from_document(
            &serde_json::from_str(OFFERS).unwrap(),
            Locale::from_tag("en").unwrap(),
        )
        .unwrap(),
    );
    let chosen = RwSignal::new(None::<Selection>);
    let rules = rules();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        view! {
            <form>
                <InstallmentPicker offers=Some(offers.clone()) rules=Some(rules.clone())
                    name="plan" on_select=Callback::new(move |s| chosen.set(Some(s))) />
            </form>
        }
    }));
    tick().await;
    let titles = |root: &HtmlElement| {
        let list = root
            .query_selector_all(".installment-picker__offer h4")
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        titles(&root),
        ["Karta Pokupok · Karta Pokupok", "Craftgate · Bonus"]
    );

    let input: HtmlInputElement = root
        .query_selector("input[type=text]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    type_into(&input, "4");
    tick().await;
    assert_eq!(
        text(&root, ".installment-picker__scheme"),
        "",
        "4 may still be Maestro's 493698: not known yet"
    );
    type_into(&input, "41");
    tick().await;
    assert_eq!(text(&root, ".installment-picker__scheme"), "VISA");
    assert_eq!(titles(&root).len(), 2, "no narrowing before 6 digits");

    type_into(&input, "9112 1012 3456 7890");
    tick().await;
    assert_eq!(
        input.value(),
        "91121012",
        "the field keeps 8 digits, no more"
    );
    assert_eq!(titles(&root), ["Karta Pokupok · Karta Pokupok"]);

    let radio: HtmlElement = query(&root, "input[type=radio]").unwrap();
    radio.click();
    tick().await;
    let selection = chosen.get_untracked().expect("the choice is announced");
    assert_eq!(
        (
            selection.provider.as_str(),
            selection.months,
            selection.total.as_str()
        ),
        ("karta_pokupok", 3, "600.00")
    );
    let hidden: HtmlInputElement = root
        .query_selector("input[type=hidden][name=plan]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(hidden.value(), "karta_pokupok:Karta Pokupok:3");
    assert!(text(&root, "details ol").contains("200.00"));
}

#[wasm_bindgen_test]
async fn picker_says_in_one_line_when_offers_are_unavailable() {
    let root = container();
    let nothing: Option<Arc<PickerView>> = None;
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        view! {
            <InstallmentPicker offers=nothing.clone() name="plan" unavailable=true
                locale=Locale::from_tag("kk").unwrap() />
        }
    }));
    tick().await;
    assert_eq!(
        text(&root, ".installment-picker__message"),
        "Бөліп төлеу қазір қолжетімсіз."
    );
}
