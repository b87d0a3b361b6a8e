//! A Leptos storefront as a Rust shop writes it: one `InstallmentProvider` shares the rules
//! fetch, a product page with variants shows the badge and the picker for the chosen variant,
//! and a checkout starts the purchase. `trunk serve` builds it and proxies `/api/v1` to the
//! sandbox proxy (see `Trunk.toml` at the top of the repository).

use installment_widget::core::{Currency, Locale, Money};
use installment_widget::{
    Checkout, InstallmentBadge, InstallmentPicker, InstallmentProvider, Order, Selection,
};
use leptos::prelude::*;

/// A phone in three memory sizes, each with its price in BYN.
const VARIANTS: [(&str, &str, &str); 3] = [
    ("neman-14-128", "128 ГБ", "899.00"),
    ("neman-14-256", "256 ГБ", "1299.00"),
    ("neman-14-512", "512 ГБ", "1749.90"),
];

fn byn(amount: &str) -> Money {
    let currency = Currency::from_code("BYN").expect("BYN is a known currency");
    Money::parse(amount, currency).expect("the catalog's prices are valid BYN amounts")
}

fn main() {
    leptos::mount::mount_to_body(Storefront);
}

#[component]
fn Storefront() -> impl IntoView {
    let locale = Locale::from_tag("ru-BY").expect("ru-BY is supported");
    view! {
        <InstallmentProvider endpoint="/api/v1">
            <ProductPage locale />
            <CheckoutPage locale />
        </InstallmentProvider>
    }
}

/// The product page: choosing a variant changes the price, and the badge and the picker follow.
#[component]
fn ProductPage(locale: Locale) -> impl IntoView {
    let variant = RwSignal::new(0_usize);
    let price = Memo::new(move |_| byn(VARIANTS[variant.get()].2));
    let price_text = move || installment_widget::core::format_money(price.get(), locale);
    view! {
        <section id="product">
            <h1>"Смартфон Neman 14"</h1>
            <p class="price" id="price">{price_text}</p>
            <InstallmentBadge amount=price locale />
            <fieldset class="variants">
                {VARIANTS
                    .iter()
                    .enumerate()
                    .map(|(index, (_, label, _))| {
                        view! {
                            <label>
                                <input
                                    type="radio"
                                    name="variant"
                                    prop:checked=move || variant.get() == index
                                    on:change=move |_| variant.set(index)
                                />
                                {*label}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <InstallmentPicker amount=price locale name="installment_plan" />
        </section>
    }
}

/// The checkout: the cart's total, the picker with the purchase, and the chosen plan.
#[component]
fn CheckoutPage(locale: Locale) -> impl IntoView {
    let chosen = RwSignal::new(None::<Selection>);
    let checkout = Checkout {
        order: Order::Items(vec![
            ("neman-14".to_owned(), 1),
            ("laptop-bag".to_owned(), 1),
        ]),
        return_path: "/return.html".to_owned(),
    };
    view! {
        <section id="checkout">
            <h2>"Оформление заказа"</h2>
            <InstallmentPicker
                amount=byn("2438.50")
                locale
                checkout
                on_select=Callback::new(move |choice| chosen.set(choice))
            />
            <p id="chosen">
                {move || chosen.get().map(|c| format!("{} × {} {} = {} {}", c.months, c.monthly, c.currency, c.total, c.currency))}
            </p>
        </section>
    }
}
