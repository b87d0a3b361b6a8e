//! `InstallmentPicker`: the card-installment picker of the product page and the checkout.
//!
//! Styles are in `picker.css` beside this file; they ship in `installment-widget.css`.

use crate::labels::labels;
use crate::view::{CardView, PickerView, Storefront, card_prefix};
use installment_core::{CardAssociation, Locale};
use leptos::prelude::*;
use std::sync::Arc;

/// The plan a shopper chose, as the `installment-select` event and the form carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Stable provider identifier.
    pub provider: String,
    /// Card family, when the plan is for one.
    pub family: Option<String>,
    /// Number of payments.
    pub months: u32,
    /// The largest payment, a decimal string.
    pub monthly: String,
    /// The total, a decimal string.
    pub total: String,
}

impl Selection {
    /// The hidden input's value: `provider:family:months`, the family empty for any card.
    pub fn form_value(&self) -> String {
        format!(
            "{}:{}:{}",
            self.provider,
            self.family.as_deref().unwrap_or(""),
            self.months
        )
    }
}

/// Cards and banks with their plans (months, monthly payment, total, overpayment), narrowed
/// by the first digits of the shopper's card, as one keyboard-friendly radio group.
///
/// ```no_run
/// use installment_widget::{view::PickerView, InstallmentPicker};
/// use leptos::prelude::*;
/// use std::sync::Arc;
/// let offers = RwSignal::new(None::<Arc<PickerView>>); // filled by `fetch::offers`
/// let _ = view! {
///     <InstallmentPicker offers=offers name="installment_plan"
///         on_select=Callback::new(|choice| leptos::logging::log!("{choice:?}")) />
/// };
/// ```
#[component]
pub fn InstallmentPicker(
    /// The offers for the price (`/api/v1/offers`); `None` while loading.
    #[prop(into)]
    offers: Signal<Option<Arc<PickerView>>>,
    /// The page's rules, whose BIN table narrows the plans without asking the proxy.
    #[prop(optional, into)]
    rules: Signal<Option<Arc<Storefront>>>,
    /// The proxy's API root (`/api/v1`), asked for BINs the table does not know.
    #[prop(optional, into)]
    endpoint: Option<String>,
    /// Name of the hidden form input that carries the choice.
    #[prop(into)]
    name: String,
    /// Language of the labels (the amounts come formatted in `offers`).
    #[prop(optional, into)]
    locale: Option<Signal<Locale>>,
    /// Called with each choice.
    #[prop(optional, into)]
    on_select: Option<Callback<Selection>>,
    /// Whether the offers could not be had: the picker then says so in one line.
    #[prop(optional, into)]
    unavailable: Signal<bool>,
) -> impl IntoView {
    let locale = locale.unwrap_or_else(|| Signal::stored(Locale::from_tag("en").expect("en")));
    let digits = RwSignal::new(String::new());
    let card = RwSignal::new(CardView::default());
    let chosen = RwSignal::new(None::<Selection>);
    let group = StoredValue::new(format!("installment-plan-{}", next_id()));
    let name = StoredValue::new(name);

    // The scheme from the first digit; the family from the table, else from the proxy.
    Effect::new(move |_| {
        let typed = digits.get();
        let mut view = CardView::from_digits(&typed);
        if typed.len() >= 6 {
            let known = rules
                .get()
                .and_then(|r| r.bin(&typed).ok().flatten().map(CardView::from_range));
            match (known, endpoint.clone()) {
                (Some(known), _) => view = known,
                (None, Some(endpoint)) => {
                    let asked = typed.clone();
                    leptos::task::spawn_local(async move {
                        if let Ok(found) = crate::fetch::bin(&endpoint, &asked).await
                            && digits.get_untracked() == asked
                        {
                            card.set(found);
                        }
                    });
                }
                (None, None) => {}
            }
        }
        card.set(view);
    });

    let visible = Memo::new(move |_| {
        let offers = offers.get()?;
        let narrowed = digits.with(|d| d.len() >= 6);
        let open = if narrowed {
            card.with(|c| {
                let scheme = c.association.and_then(|a| CardAssociation::parse(a).ok());
                offers.open_to_card(c.family.as_deref(), scheme)
            })
        } else {
            (0..offers.offers.len()).collect()
        };
        Some((offers, open))
    });

    let choose = move |selection: Selection| {
        if let Some(callback) = on_select {
            callback.run(selection.clone());
        }
        chosen.set(Some(selection));
    };

    let message = move || {
        view! {
            <p class="installment-picker__message" role="status">
                {labels(locale.get()).unavailable}
            </p>
        }
    };
    view! {
        <Show when=move || !unavailable.get() fallback=message>
        <fieldset
            class="installment-picker"
            lang=move || locale.get().tag()
            dir=move || if locale.get().is_right_to_left() { "rtl" } else { "ltr" }
        >
            <legend class="installment-picker__legend">{move || labels(locale.get()).plans}</legend>
            <label class="installment-picker__card">
                <span>{move || labels(locale.get()).card_digits}</span>
                <input
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    prop:value=digits
                    on:input=move |event| digits.set(card_prefix(&event_target_value(&event)))
                />
                <span class="installment-picker__scheme" aria-live="polite">
                    {move || card.with(|c| c.association.unwrap_or_default())}
                </span>
                <span class="installment-picker__hint">{move || labels(locale.get()).card_hint}</span>
            </label>
            <div role="radiogroup" aria-label=move || labels(locale.get()).plans>
                {move || {
                    let (offers, open) = visible.get()?;
                    if open.is_empty() && !offers.offers.is_empty() {
                        return Some(
                            view! {
                                <p class="installment-picker__message" role="status">
                                    {labels(locale.get()).no_plans_for_card}
                                </p>
                            }
                                .into_any(),
                        );
                    }
                    let words = offers.labels;
                    Some(
                        open
                            .into_iter()
                            .map(|index| {
                                let offer = offers.offers[index].clone();
                                let group = group.get_value();
                                view! {
                                    <section class="installment-picker__offer">
                                        <h4>{offer.provider_name.clone()} " · " {offer.card.clone()}</h4>
                                        {offer
                                            .plans
                                            .iter()
                                            .map(|plan| {
                                                let selection = Selection {
                                                    provider: offer.provider.clone(),
                                                    family: offer.family.clone(),
                                                    months: plan.months,
                                                    monthly: plan.monthly_amount.clone(),
                                                    total: plan.total_amount.clone(),
                                                };
                                                let value = selection.form_value();
                                                let checked = {
                                                    let value = value.clone();
                                                    move || chosen.with(|c| c.as_ref().map(Selection::form_value) == Some(value.clone()))
                                                };
                                                let overpayment = if plan.interest_free {
                                                    words.no_overpayment.to_owned()
                                                } else {
                                                    format!("{} {}", words.overpayment, plan.overpayment)
                                                };
                                                view! {
                                                    <div class="installment-picker__plan">
                                                        <label>
                                                            <input
                                                                type="radio"
                                                                name=group.clone()
                                                                value=value
                                                                prop:checked=checked
                                                                on:change=move |_| choose(selection.clone())
                                                            />
                                                            <span class="installment-picker__monthly">{plan.monthly.clone()}</span>
                                                            <span>{plan.term.clone()}</span>
                                                            <span class="installment-picker__terms">
                                                                {words.total} " " {plan.total.clone()} " · " {overpayment}
                                                            </span>
                                                        </label>
                                                        <details class="installment-picker__schedule">
                                                            <summary>{words.schedule}</summary>
                                                            <ol>
                                                                {plan.payments.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                                                            </ol>
                                                        </details>
                                                    </div>
                                                }
                                            })
                                            .collect_view()}
                                    </section>
                                }
                            })
                            .collect_view()
                            .into_any(),
                    )
                }}
            </div>
            <input type="hidden" name=name.get_value() prop:value=move || chosen.with(|c| c.as_ref().map(Selection::form_value).unwrap_or_default()) />
        </fieldset>
        </Show>
    }
}

/// A page-unique number, so two pickers' radio groups never share a name.
fn next_id() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
