//! `InstallmentBadge`: "from 12,50 Br/month in installments via Karta Pokupok", and on click
//! or Enter each provider's plans.
//!
//! Styles are in `badge.css` beside this file; they ship in `installment-widget.css`.

use crate::labels::labels;
use crate::view::{ProviderView, Storefront};
use installment_core::{Locale, Money};
use leptos::prelude::*;
use std::sync::Arc;

/// A badge with the smallest monthly payment any provider offers for `amount`. Nothing shows
/// while the rules load or when no plan is eligible (no spinner, no error text); the badge
/// keeps its line's height meanwhile, so the page does not shift.
///
/// ```no_run
/// use installment_widget::{core::{Currency, Locale, Money}, view::Storefront, InstallmentBadge};
/// use leptos::prelude::*;
/// use std::sync::Arc;
/// let byn = Currency::from_code("BYN").unwrap();
/// let price = RwSignal::new(Money::parse("299.90", byn).unwrap());
/// let rules = RwSignal::new(None::<Arc<Storefront>>); // filled by `fetch::rules`
/// let _ = view! {
///     <InstallmentBadge amount=price rules=rules locale=Locale::from_tag("ru-BY").unwrap() />
/// };
/// ```
#[component]
pub fn InstallmentBadge(
    /// The price to finance; the badge follows it when it changes.
    #[prop(into)]
    amount: Signal<Money>,
    /// The page's conditions (`/api/v1/rules`), shared by every badge; `None` while loading.
    #[prop(into)]
    rules: Signal<Option<Arc<Storefront>>>,
    /// Language and number format.
    #[prop(into)]
    locale: Signal<Locale>,
    /// The product's category code, for providers that exclude some.
    #[prop(optional, into)]
    category: MaybeProp<String>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let badge = Memo::new(move |_| {
        let rules = rules.get()?;
        let category = category.get();
        rules
            .badge(amount.get(), category.as_deref(), locale.get())
            .ok()
            .flatten()
    });
    let details = move || {
        let category = category.get();
        rules
            .get()
            .and_then(|r| {
                r.details(amount.get(), category.as_deref(), locale.get())
                    .ok()
            })
            .unwrap_or_default()
    };
    view! {
        <span
            class="installment-badge"
            class:installment-badge--empty=move || badge.with(Option::is_none)
            lang=move || locale.get().tag()
            dir=move || if locale.get().is_right_to_left() { "rtl" } else { "ltr" }
        >
            {move || {
                badge
                    .get()
                    .map(|text| {
                        view! {
                            <button
                                type="button"
                                class="installment-badge__button"
                                aria-expanded=move || open.get().to_string()
                                on:click=move |_| open.update(|o| *o = !*o)
                            >
                                {text.before}
                                <strong class="installment-badge__amount">{text.amount}</strong>
                                {text.after}
                            </button>
                        }
                    })
            }}
            {move || {
                (open.get() && badge.with(Option::is_some))
                    .then(|| view! { <Details providers=details() locale=locale.get() /> })
            }}
        </span>
    }
}

/// Each provider's plans: term, monthly payment, total and overpayment.
#[component]
fn Details(providers: Vec<ProviderView>, locale: Locale) -> impl IntoView {
    let words = labels(locale);
    view! {
        <div class="installment-details" role="region" aria-label=words.plans>
            {providers
                .into_iter()
                .map(|provider| {
                    view! {
                        <table class="installment-details__provider">
                            <caption>{provider.name}</caption>
                            <thead>
                                <tr>
                                    <th scope="col"></th>
                                    <th scope="col">{words.payment}</th>
                                    <th scope="col">{words.total}</th>
                                    <th scope="col">{words.overpayment}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {provider
                                    .plans
                                    .into_iter()
                                    .map(|plan| {
                                        view! {
                                            <tr>
                                                <th scope="row">{plan.term}</th>
                                                <td>{plan.monthly}</td>
                                                <td>{plan.total}</td>
                                                <td>
                                                    {if plan.interest_free { words.no_overpayment.to_owned() } else { plan.overpayment }}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })
                .collect_view()}
        </div>
    }
}
