//! The "learn more" dialog's contents: each provider's plans, schedules and legal lines.
//!
//! In the split build (feature `split`) this code is a wasm file of its own, loaded by the
//! first "learn more" a shopper presses: a listing's badges never download it.

use crate::labels::Labels;
use crate::view::{ProviderView, Storefront};
use installment_core::{Locale, Money};
use leptos::prelude::*;

/// What draws the dialog's contents: the plans of `amount` under the rules, in `words`.
type Render = fn(&Storefront, Money, Option<&str>, Locale, &Labels) -> AnyView;

fn render(
    rules: &Storefront,
    amount: Money,
    category: Option<&str>,
    locale: Locale,
    words: &Labels,
) -> AnyView {
    let providers = rules
        .details(amount, category, locale, words)
        .unwrap_or_default();
    view! { <Details providers words=words.clone() /> }.into_any()
}

/// The dialog's contents (nothing until its code is loaded, which [`open`] waits for).
pub(super) fn view(
    rules: &Storefront,
    amount: Money,
    category: Option<&str>,
    locale: Locale,
    words: &Labels,
) -> AnyView {
    loaded().map_or_else(
        || ().into_any(),
        |render| render(rules, amount, category, locale, words),
    )
}

#[cfg(not(all(target_arch = "wasm32", feature = "split")))]
fn loaded() -> Option<Render> {
    Some(render)
}

/// Opens the dialog.
#[cfg(not(all(target_arch = "wasm32", feature = "split")))]
pub(super) fn open(open: RwSignal<bool>) {
    open.set(true);
}

#[cfg(all(target_arch = "wasm32", feature = "split"))]
thread_local! {
    static LOADED: std::cell::Cell<Option<Render>> = const { std::cell::Cell::new(None) };
}

#[cfg(all(target_arch = "wasm32", feature = "split"))]
fn loaded() -> Option<Render> {
    LOADED.get()
}

/// Opens the dialog once its code is loaded (at once after the first time). A file that cannot
/// be loaded leaves the badge as it is, with one warning.
#[cfg(all(target_arch = "wasm32", feature = "split"))]
pub(super) fn open(open: RwSignal<bool>) {
    if LOADED.get().is_some() {
        return open.set(true);
    }
    wasm_bindgen_futures::spawn_local(async move {
        match renderer().await {
            Ok(render) => {
                LOADED.set(Some(render));
                open.set(true);
            }
            Err(error) => crate::context::warn_once(&error),
        }
    });
}

/// The split point: it hands the main part a pointer to [`render`], whose code (and all that
/// only it calls) is in the dialog's wasm file.
#[cfg(all(target_arch = "wasm32", feature = "split"))]
#[leptos::wasm_split::wasm_split(details, wasm_split_path = ::leptos::wasm_split, fallible)]
fn renderer() -> Result<Render, crate::view::WidgetError> {
    Ok(render)
}

/// Each provider's plans (term, monthly payment, total and overpayment), each plan's schedule,
/// and the merchant's legal lines for the provider.
#[component]
fn Details(providers: Vec<ProviderView>, words: Labels) -> impl IntoView {
    let text = |t: &crate::labels::Text| t.to_string();
    providers
        .into_iter()
        .map(|provider| {
            let schedules = provider
                .plans
                .iter()
                .map(|plan| {
                    view! {
                        <details class="installment-details__schedule">
                            <summary>{text(&words.schedule)} " · " {plan.term.clone()}</summary>
                            <ol>
                                {plan.payments.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                            </ol>
                        </details>
                    }
                })
                .collect_view();
            let legal = provider.disclosure.map(|lines| {
                view! {
                    <p class="installment-details__legal">
                        {text(&words.lender)} ": " {lines.lender} ". "
                        {lines.representative_example.map(|example| format!("{example} "))}
                        {lines.subject_to_approval.then(|| format!("{} ", words.subject_to_approval))}
                        {lines.terms_url.map(|url| view! {
                            <a href=url target="_blank" rel="noopener noreferrer">{text(&words.terms)}</a>
                        })}
                    </p>
                }
            });
            view! {
                <section class="installment-details">
                    <table class="installment-details__provider">
                        <caption>{provider.name}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{text(&words.term)}</th>
                                <th scope="col">{text(&words.payment)}</th>
                                <th scope="col">{text(&words.total)}</th>
                                <th scope="col">{text(&words.overpayment)}</th>
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
                                                {if plan.interest_free { text(&words.no_overpayment) } else { plan.overpayment }}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    {schedules}
                    {legal}
                </section>
            }
        })
        .collect_view()
}
