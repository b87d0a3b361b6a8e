//! `InstallmentBadge`: "from 12,50 Br/month in installments via Karta Pokupok", and on click
//! or Enter each provider's plans.
//!
//! Styles are in `badge.css` beside this file; they ship in `installment-widget.css`.

mod details;

use crate::context::{Load, WidgetState, use_installments, words_signal};
use crate::labels::Labels;
use crate::view::Storefront;
use installment_core::{Locale, Money};
use leptos::prelude::*;
use std::sync::Arc;

/// A badge with the smallest monthly payment any provider offers for `amount`. Nothing shows
/// while the rules load or when no plan is eligible (no spinner, no error text); the badge
/// keeps its line's height meanwhile, so the page does not shift.
///
/// The rules come from the nearest [`InstallmentProvider`](crate::InstallmentProvider)
/// (one fetch per currency for the whole page), unless given in `rules`.
///
/// ```no_run
/// use installment_widget::{core::{Currency, Locale, Money}, InstallmentBadge};
/// use leptos::prelude::*;
/// let byn = Currency::from_code("BYN").unwrap();
/// let price = RwSignal::new(Money::parse("299.90", byn).unwrap());
/// let _ = view! { <InstallmentBadge amount=price locale=Locale::from_tag("ru-BY").unwrap() /> };
/// ```
#[component]
pub fn InstallmentBadge(
    /// The price to finance; the badge follows it when it changes.
    #[prop(into)]
    amount: Signal<Money>,
    /// Language and number format.
    #[prop(into)]
    locale: Signal<Locale>,
    /// The product's category code, for providers that exclude some.
    #[prop(optional, into)]
    category: MaybeProp<String>,
    /// The proxy's API root; by default the provider's.
    #[prop(optional, into)]
    endpoint: MaybeProp<String>,
    /// The page's conditions (`/api/v1/rules`) when the page has them already, as on a
    /// server that renders the badge; `None` while loading.
    #[prop(optional, into)]
    rules: Option<Signal<Option<Arc<Storefront>>>>,
    /// Told how the badge ended each time that changes: shown, empty, or failed and why.
    #[prop(optional, into)]
    on_state: Option<Callback<WidgetState>>,
    /// The merchant's words instead of the locale's, the badge sentence among them (see
    /// [`Labels`]).
    #[prop(optional, into)]
    labels: MaybeProp<Labels>,
) -> impl IntoView {
    let words = words_signal(labels, locale);
    let loaded = rules_signal(rules, endpoint, amount);
    // The "learn more" dialog: modal (the page behind is inert, so focus stays in it),
    // drawn only while open, so a listing of 200 badges carries no 200 hidden tables.
    let open = RwSignal::new(false);
    let opener = NodeRef::<leptos::html::Button>::new();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
        }
    });
    let badge = Memo::new(move |_| match loaded.get() {
        Load::Loading => Load::Loading,
        Load::Failed(error) => Load::Failed(error),
        Load::Ready(rules) => {
            let category = category.get();
            let badge = words
                .with(|words| rules.badge(amount.get(), category.as_deref(), locale.get(), words));
            match badge {
                Ok(badge) => Load::Ready(badge),
                Err(error) => Load::Failed(error),
            }
        }
    });
    if let Some(report) = on_state {
        Effect::new(move |_| match badge.get() {
            Load::Loading => {}
            Load::Ready(Some(_)) => report.run(WidgetState::Shown),
            Load::Ready(None) => report.run(WidgetState::Empty),
            Load::Failed(error) => report.run(WidgetState::Failed(error)),
        });
    }
    let shown = move || match badge.get() {
        Load::Ready(Some(text)) => Some(text),
        _ => None,
    };
    let details = move || {
        let category = category.get();
        match loaded.get() {
            Load::Ready(rules) => words.with(|words| {
                details::view(
                    &rules,
                    amount.get(),
                    category.as_deref(),
                    locale.get(),
                    words,
                )
            }),
            Load::Loading | Load::Failed(_) => ().into_any(),
        }
    };
    view! {
        <span
            class="installment-badge"
            class:installment-badge--empty=move || shown().is_none()
            lang=move || locale.get().tag()
            dir=move || if locale.get().is_right_to_left() { "rtl" } else { "ltr" }
        >
            {move || {
                shown()
                    .map(|text| {
                        view! {
                            <button
                                type="button"
                                class="installment-badge__button"
                                aria-haspopup="dialog"
                                node_ref=opener
                                // "Learn more" is drawn after the sentence by the stylesheet.
                                data-more=move || words.with(|w| w.learn_more.to_string())
                                on:click=move |_| details::open(open)
                            >
                                {text.before}
                                <strong class="installment-badge__amount">{text.amount}</strong>
                                {text.after}
                            </button>
                        }
                    })
            }}
            {move || {
                (open.get() && shown().is_some())
                    .then(|| {
                        view! {
                            <dialog
                                class="installment-dialog"
                                node_ref=dialog
                                aria-label=move || words.with(|w| w.plans.to_string())
                                // Escape and the close button end here; focus goes back.
                                on:close=move |_| {
                                    open.set(false);
                                    if let Some(button) = opener.get_untracked() {
                                        let _ = button.focus();
                                    }
                                }
                            >
                                <h2 class="installment-dialog__title">
                                    {words.with(|w| w.plans.to_string())}
                                </h2>
                                {details}
                                <button
                                    type="button"
                                    class="installment-dialog__close"
                                    on:click=move |_| {
                                        if let Some(dialog) = dialog.get_untracked() {
                                            dialog.close();
                                        }
                                    }
                                >
                                    {words.with(|w| w.close.to_string())}
                                </button>
                            </dialog>
                        }
                    })
            }}
        </span>
    }
}

/// The rules a component reads: the ones it was given, or the page's shared fetch for the
/// amount's currency from the component's endpoint (else the provider's). Each new amount
/// asks again, so failed or stale rules are fetched anew on the next change.
pub(crate) fn rules_signal(
    given: Option<Signal<Option<Arc<Storefront>>>>,
    endpoint: MaybeProp<String>,
    amount: Signal<Money>,
) -> Signal<Load<Arc<Storefront>>> {
    if let Some(given) = given {
        return Signal::derive(move || given.get().map_or(Load::Loading, Load::Ready));
    }
    let installments = use_installments();
    // Asked on each change of the amount or endpoint, never because the rules changed: an
    // answer that is stale or failed at once must not ask again by itself.
    let shared = Memo::new(move |_| {
        let endpoint = endpoint
            .get()
            .unwrap_or_else(|| installments.endpoint().to_owned());
        installments.rules(&endpoint, amount.get().currency())
    });
    Signal::derive(move || shared.get().get())
}
