//! `InstallmentPicker`: the card-installment picker of the product page and the checkout, and
//! with a [`Checkout`] the purchase itself (phone, "Pay in installments", the provider's form).
//!
//! Styles are in `picker.css` beside this file; they ship in [`crate::STYLESHEET`].

use crate::badge::rules_signal;
use crate::context::{Load, WidgetState, use_installments, warn_once, words_signal};
use crate::labels::{Labels, Text};
use crate::view::{CardView, OfferView, PickerView, PlanView, WidgetError, card_prefix};
use installment_core::wire::OffersDocument;
use installment_core::{CardAssociation, Decimal, Locale, Money, format_money};
use leptos::prelude::*;
use std::sync::Arc;

/// The plan a shopper chose, as the `installment-select` event and the form carry it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// The currency of both amounts.
    pub currency: String,
}

impl Selection {
    /// The choice of `plan` of `offer`, its amounts in `currency`.
    fn of(offer: &OfferView, plan: &PlanView, currency: &str) -> Self {
        Self {
            provider: offer.provider.clone(),
            family: offer.family.clone(),
            months: plan.months,
            monthly: plan.monthly_amount.clone(),
            total: plan.total_amount.clone(),
            currency: currency.to_owned(),
        }
    }

    /// The hidden input's value: `provider:family:months`, the family empty for any card.
    ///
    /// ```
    /// use installment_widget::Selection;
    /// let choice = Selection { provider: "craftgate".into(), family: Some("Bonus".into()), months: 6,
    ///     monthly: "10.00".into(), total: "60.00".into(), currency: "TRY".into() };
    /// assert_eq!(choice.form_value(), "craftgate:Bonus:6");
    /// ```
    pub fn form_value(&self) -> String {
        format!(
            "{}:{}:{}",
            self.provider,
            self.family.as_deref().unwrap_or(""),
            self.months
        )
    }
}

/// What the picker buys when the shopper presses "Pay in installments": never an amount, so
/// a page cannot set its own price. The proxy prices the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// SKUs and quantities from the merchant's catalog.
    Items(Vec<(String, u32)>),
    /// A signed intent from the merchant's backend, as JSON text, sent as it is.
    Intent(String),
}

impl Order {
    /// Reads `sku:quantity,…` (a quantity of 1 may be left out).
    ///
    /// ```
    /// use installment_widget::Order;
    /// assert_eq!(Order::items("neman-14:1, laptop-bag")?,
    ///     Order::Items(vec![("neman-14".into(), 1), ("laptop-bag".into(), 1)]));
    /// assert!(Order::items("neman-14:x").is_err());
    /// # Ok::<(), installment_widget::view::WidgetError>(())
    /// ```
    pub fn items(text: &str) -> Result<Self, WidgetError> {
        let wrong = || {
            WidgetError::InvalidSetting(format!(
                "items: \"sku:quantity,…\" expected, not \"{text}\""
            ))
        };
        text.split(',')
            .map(|line| {
                let (sku, quantity) = line.trim().split_once(':').unwrap_or((line.trim(), "1"));
                let quantity = quantity.parse::<u32>().map_err(|_| wrong())?;
                if sku.is_empty() || quantity == 0 {
                    return Err(wrong());
                }
                Ok((sku.to_owned(), quantity))
            })
            .collect::<Result<_, _>>()
            .map(Self::Items)
    }
}

/// The purchase the picker starts: what is bought and where the provider sends the shopper
/// back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// What is bought.
    pub order: Order,
    /// The page the provider returns to, on success and on failure.
    pub return_path: String,
}

/// Cards and banks with their plans (months, monthly payment, total, overpayment), narrowed
/// by the first digits of the shopper's card, as one keyboard-friendly radio group; with a
/// `checkout`, the phone field and the button that opens the provider's form.
///
/// ```no_run
/// use installment_widget::{core::{Currency, Locale, Money}, InstallmentPicker};
/// use leptos::prelude::*;
/// let price = Money::parse("2438.50", Currency::from_code("BYN").unwrap()).unwrap();
/// let _ = view! {
///     <InstallmentPicker amount=price locale=Locale::from_tag("ru-BY").unwrap() name="installment_plan"
///         on_select=Callback::new(|choice: Option<_>| leptos::logging::log!("{choice:?}")) />
/// };
/// ```
#[component]
pub fn InstallmentPicker(
    /// The price to finance; the offers follow it.
    #[prop(into)]
    amount: Signal<Money>,
    /// Language of the labels and number format.
    #[prop(into)]
    locale: Signal<Locale>,
    /// The product's category code, for providers that exclude some.
    #[prop(optional, into)]
    category: MaybeProp<String>,
    /// The proxy's API root; by default the provider's.
    #[prop(optional, into)]
    endpoint: MaybeProp<String>,
    /// Name of a hidden form input, inside the picker, that carries the choice.
    #[prop(optional, into)]
    name: Option<String>,
    /// Called with each choice, and with `None` when the card's digits or a new price took
    /// the chosen plan away (the same plan at a new price comes again with its new amounts).
    #[prop(optional, into)]
    on_select: Option<Callback<Option<Selection>>>,
    /// With a checkout, the picker starts the purchase itself.
    #[prop(optional, into)]
    checkout: MaybeProp<Checkout>,
    /// Told how the picker ended each time that changes: shown, or failed and why.
    #[prop(optional, into)]
    on_state: Option<Callback<WidgetState>>,
    /// The merchant's words instead of the locale's (see [`Labels`]).
    #[prop(optional, into)]
    labels: MaybeProp<Labels>,
) -> impl IntoView {
    let installments = use_installments();
    let endpoint = Signal::derive(move || {
        endpoint
            .get()
            .unwrap_or_else(|| installments.endpoint().to_owned())
    });
    let currency = Signal::derive(move || amount.get().currency());
    let rules = rules_signal(None, endpoint.into(), amount);
    let words = words_signal(labels, locale);
    let document = offers_signal(endpoint, amount, category);
    // Formatted apart from the fetch: a new language or label costs no request.
    let offers =
        Memo::new(move |_| match document.get() {
            Load::Loading => Load::Loading,
            Load::Failed(error) => Load::Failed(error),
            Load::Ready(document) => words.with(|words| {
                match PickerView::from_document(&document, locale.get(), words) {
                    Ok(view) => Load::Ready(Arc::new(view)),
                    Err(error) => Load::Failed(error),
                }
            }),
        });
    let digits = RwSignal::new(String::new());
    let card = RwSignal::new(CardView::default());
    let chosen = RwSignal::new(None::<Selection>);
    // Ids unique in the page, for a Leptos app without a shadow root.
    let id = next_id();
    let group = format!("installment-plan-{id}");
    let (card_id, hint_id) = (
        format!("installment-card-{id}"),
        format!("installment-hint-{id}"),
    );

    if let Some(report) = on_state {
        Effect::new(move |_| match offers.get() {
            Load::Loading => {}
            Load::Ready(_) => report.run(WidgetState::Shown),
            Load::Failed(error) => report.run(WidgetState::Failed(error)),
        });
    }

    // The scheme from the first digit; the family and bank from the proxy's BIN table, once
    // 6 digits are typed, asked once a page for each card.
    Effect::new(move |_| {
        let typed = digits.get();
        let mut view = CardView::from_digits(&typed);
        if typed.len() >= 6 {
            match known_bin(&endpoint.get_untracked(), &typed) {
                Some(known) => view = known,
                None => ask_proxy_for_bin(endpoint.get_untracked(), typed, digits, card),
            }
        }
        card.set(view);
    });

    let visible = Memo::new(move |_| {
        let Load::Ready(offers) = offers.get() else {
            return None;
        };
        let open = if digits.with(|d| d.len() >= 6) {
            card.with(|c| {
                let scheme = c.association.and_then(|a| CardAssociation::parse(a).ok());
                offers.open_to_card(c.family.as_deref(), scheme)
            })
        } else {
            (0..offers.offers.len()).collect()
        };
        Some((offers, open))
    });

    let cleared = RwSignal::new(false);
    let choose = move |selection: Option<Selection>| {
        if let Some(callback) = on_select {
            callback.run(selection.clone());
        }
        cleared.set(selection.is_none());
        chosen.set(selection);
    };
    // The form never holds a plan the shopper cannot see: when narrowing or new offers take
    // the chosen plan away, the choice is cleared and said so; the same plan at a new price
    // is chosen again with its new amounts.
    Effect::new(move |_| {
        let Some((offers, open)) = visible.get() else {
            return;
        };
        let Some(current) = chosen.get_untracked() else {
            return;
        };
        let currency = currency.get_untracked().code();
        let still = open
            .iter()
            .map(|&index| &offers.offers[index])
            .flat_map(|offer| {
                offer
                    .plans
                    .iter()
                    .map(move |plan| Selection::of(offer, plan, currency))
            })
            .find(|selection| selection.form_value() == current.form_value());
        match still {
            Some(selection) if selection == current => {}
            other => choose(other),
        }
    });
    let word = move |pick: fn(&Labels) -> &Text| words.with(|w| pick(w).to_string());
    // What a screen reader hears when the price or the card's digits change the plans: their
    // number and the smallest monthly payment (polite: it never interrupts the shopper).
    let announcement = move || {
        let (offers, open) = visible.get()?;
        let plans: Vec<&PlanView> = open
            .iter()
            .flat_map(|&index| &offers.offers[index].plans)
            .collect();
        let cheapest = plans
            .iter()
            .filter_map(|plan| Some((plan.monthly_amount.parse::<Decimal>().ok()?, plan)))
            .min_by_key(|(monthly, _)| *monthly)?
            .1;
        let count = u32::try_from(plans.len()).unwrap_or(u32::MAX);
        Some(words.with(|w| {
            w.plans_available
                .format(count, locale.get())
                .replace("{1}", &cheapest.monthly)
        }))
    };
    let plans = move || {
        let (offers, open) = visible.get()?;
        if open.is_empty() {
            // Below every provider's minimum, the shopper learns from which amount. Until
            // the rules say it, nothing: offers answered first (as in Firefox at times) must
            // not flash "unavailable" before "available from".
            let line = if !offers.offers.is_empty() {
                word(|w| &w.no_plans_for_card)
            } else {
                let from = match rules.get() {
                    Load::Loading => return None,
                    Load::Ready(rules) => {
                        let category = category.get();
                        rules.available_from(amount.get(), category.as_deref())
                    }
                    Load::Failed(_) => None,
                };
                match from {
                    Some(minimum) => {
                        let minimum = format_money(minimum, locale.get());
                        words.with(|w| w.available_from.replace("{0}", &minimum))
                    }
                    None => word(|w| &w.unavailable),
                }
            };
            return Some(
                view! { <p class="installment-picker__message" role="status">{line}</p> }
                    .into_any(),
            );
        }
        let currency = currency.get_untracked().code();
        let group = group.clone();
        Some(
            open.into_iter()
                .map(|index| {
                    offer_view(
                        &offers,
                        index,
                        &group,
                        currency,
                        chosen.into(),
                        Callback::new(move |selection| choose(Some(selection))),
                    )
                })
                .collect_view()
                .into_any(),
        )
    };

    // The frame has the picker's whole height from the start (`--installment-picker-height`),
    // and the plans scroll inside it: loading, narrowing and new offers shift nothing.
    move || {
        match offers.get() {
        Load::Loading => Some(
            view! { <div class="installment-picker-frame" aria-busy="true"></div> }.into_any(),
        ),
        Load::Failed(_) => Some(
            view! { <p class="installment-picker__message" role="status">{word(|w| &w.unavailable)}</p> }
                .into_any(),
        ),
        Load::Ready(_) => Some(
            view! {
                <div class="installment-picker-frame">
                <fieldset
                    class="installment-picker"
                    lang=move || locale.get().tag()
                    dir=move || if locale.get().is_right_to_left() { "rtl" } else { "ltr" }
                >
                    <legend class="installment-picker__legend">{move || word(|w| &w.plans)}</legend>
                    // The field is named by its label alone; the hint describes it, once.
                    <div class="installment-picker__card">
                        <label for=card_id.clone()>{move || word(|w| &w.card_digits)}</label>
                        <input
                            id=card_id.clone()
                            aria-describedby=hint_id.clone()
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            prop:value=digits
                            on:input=move |event| {
                                // The field never holds more than the first 8 digits: nothing
                                // past them exists to send.
                                let typed = card_prefix(&event_target_value(&event));
                                event_target::<leptos::web_sys::HtmlInputElement>(&event).set_value(&typed);
                                digits.set(typed);
                            }
                        />
                        <span class="installment-picker__scheme">
                            {move || card.with(|c| {
                                let scheme = c.association.and_then(|a| CardAssociation::parse(a).ok());
                                scheme.map(|scheme| scheme.brand(locale.get()))
                            })}
                        </span>
                        <span class="installment-picker__hint" id=hint_id.clone()>{move || word(|w| &w.card_hint)}</span>
                    </div>
                    // Out of the tab order: Firefox stops on any scrolling box, and the radios
                    // inside already bring each plan into view as they take focus.
                    <div class="installment-picker__plans" tabindex="-1">{plans.clone()}</div>
                    <p class="installment-picker__live" role="status">{announcement}</p>
                    <p class="installment-picker__cleared" role="status">
                        {move || cleared.get().then(|| word(|w| &w.choice_cleared))}
                    </p>
                    {name.clone().map(|name| view! {
                        <input type="hidden" name=name
                            prop:value=move || chosen.with(|c| c.as_ref().map(Selection::form_value).unwrap_or_default()) />
                    })}
                    {move || checkout.get().map(|checkout| view! {
                        <CheckoutForm checkout endpoint chosen=chosen.into() words=words.into() />
                    })}
                </fieldset>
                </div>
            }
            .into_any(),
        ),
    }
    }
}

/// The offers for the price, fetched again when the price, category or endpoint change; an
/// answer that arrives after a newer question is dropped.
fn offers_signal(
    endpoint: Signal<String>,
    amount: Signal<Money>,
    category: MaybeProp<String>,
) -> Signal<Load<Arc<OffersDocument>>> {
    let offers = RwSignal::new(Load::Loading);
    #[cfg(target_arch = "wasm32")]
    {
        let asked = StoredValue::new(0_u32);
        Effect::new(move |_| {
            let (endpoint, amount, category) = (endpoint.get(), amount.get(), category.get());
            asked.update_value(|n| *n += 1);
            let question = asked.get_value();
            leptos::task::spawn_local(async move {
                let answer = crate::fetch::offers(&endpoint, amount, category.as_deref()).await;
                if asked.try_get_value() == Some(question) {
                    offers.set(match answer {
                        Ok(view) => Load::Ready(Arc::new(view)),
                        Err(error) => Load::Failed(error),
                    });
                }
            });
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (endpoint, amount, category);
    offers.into()
}

/// What this page's earlier `/bins` answers tell of the digits (none outside a browser).
fn known_bin(endpoint: &str, digits: &str) -> Option<CardView> {
    #[cfg(target_arch = "wasm32")]
    return crate::fetch::known_bin(endpoint, digits);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (endpoint, digits);
        None
    }
}

/// Asks `/bins` about digits the page has not been told of; only the latest digits count.
fn ask_proxy_for_bin(
    endpoint: String,
    asked: String,
    digits: RwSignal<String>,
    card: RwSignal<CardView>,
) {
    #[cfg(target_arch = "wasm32")]
    leptos::task::spawn_local(async move {
        match crate::fetch::bin(&endpoint, &asked).await {
            Ok(found) if digits.try_get_untracked().as_ref() == Some(&asked) => card.set(found),
            Ok(_) => {}
            Err(error) => warn_once(&error),
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (endpoint, asked, digits, card);
}

/// One offer (a provider and a card) with its plans as radio buttons.
fn offer_view(
    offers: &PickerView,
    index: usize,
    group: &str,
    currency: &'static str,
    chosen: Signal<Option<Selection>>,
    choose: Callback<Selection>,
) -> impl IntoView + use<> {
    let offer = &offers.offers[index];
    let words = &offers.labels;
    let plans = offer
        .plans
        .iter()
        .map(|plan| {
            let selection = Selection::of(offer, plan, currency);
            let value = selection.form_value();
            let checked = {
                let value = value.clone();
                move || chosen.with(|c| c.as_ref().map(Selection::form_value) == Some(value.clone()))
            };
            let overpayment = if plan.interest_free {
                words.no_overpayment.to_string()
            } else {
                format!("{} {}", words.overpayment, plan.overpayment)
            };
            view! {
                <div class="installment-picker__plan">
                    <label>
                        <input
                            type="radio"
                            name=group.to_owned()
                            value=value
                            prop:checked=checked
                            on:change=move |_| choose.run(selection.clone())
                        />
                        <span class="installment-picker__monthly">{plan.monthly.clone()}</span>
                        <span>{plan.term.clone()}</span>
                        <span class="installment-picker__terms">
                            {words.total.to_string()} " " {plan.total.clone()} " · " {overpayment}
                        </span>
                    </label>
                    <details class="installment-picker__schedule">
                        <summary>{words.schedule.to_string()}</summary>
                        <ol>
                            {plan.payments.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                        </ol>
                    </details>
                </div>
            }
        })
        .collect_view();
    // Each provider's card is a group named by its legend, so a plan is announced with it.
    view! {
        <fieldset class="installment-picker__offer">
            <legend>{offer.provider_name.clone()} " · " {offer.card.clone()}</legend>
            {plans}
        </fieldset>
    }
}

/// Whether applications with `provider` need the shopper's e-mail and names, as the proxy's
/// `ProviderId::asks_for_payer` says: KartaPay's `Payer` requires them. Only then are they
/// asked for.
fn asks_for_payer(provider: &str) -> bool {
    provider == "kartapay"
}

/// What the checkout sends of the shopper: the phone, and where the provider requires them,
/// the e-mail and names (empty otherwise, and then left out).
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Customer {
    phone: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    email: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    first_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    last_name: String,
}

/// The shopper's phone (and, for providers that require them, e-mail and names) and "Pay in
/// installments": creates the application through the proxy and opens the provider's form.
#[component]
fn CheckoutForm(
    checkout: Checkout,
    endpoint: Signal<String>,
    chosen: Signal<Option<Selection>>,
    words: Signal<Labels>,
) -> impl IntoView {
    let phone = NodeRef::<leptos::html::Input>::new();
    let email = NodeRef::<leptos::html::Input>::new();
    let first_name = NodeRef::<leptos::html::Input>::new();
    let last_name = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let word = move |pick: fn(&Labels) -> &Text| words.with(|w| pick(w).to_string());
    let identity = move || chosen.with(|c| c.as_ref().is_some_and(|c| asks_for_payer(&c.provider)));
    let pay = move |_| {
        let (Some(field), Some(choice)) = (phone.get(), chosen.get_untracked()) else {
            return;
        };
        let mut customer = Customer::default();
        let mut fields = vec![(field, &mut customer.phone)];
        if asks_for_payer(&choice.provider) {
            for (input, value) in [
                (email, &mut customer.email),
                (first_name, &mut customer.first_name),
                (last_name, &mut customer.last_name),
            ] {
                let Some(input) = input.get() else { return };
                fields.push((input, value));
            }
        }
        // Each field says what is wrong with it, the first wrong one first.
        if !fields.iter().all(|(input, _)| input.report_validity()) {
            return;
        }
        for (input, value) in fields {
            *value = input.value().trim().to_owned();
        }
        busy.set(true);
        failed.set(false);
        let started = start_purchase(endpoint.get_untracked(), &checkout, &choice, customer);
        let give_up = move |error: WidgetError| {
            busy.set(false);
            failed.set(true);
            warn_once(&error);
        };
        match started {
            Err(error) => give_up(error),
            #[cfg(target_arch = "wasm32")]
            Ok(pending) => leptos::task::spawn_local(async move {
                if let Err(error) = pending.await {
                    give_up(error);
                }
            }),
            #[cfg(not(target_arch = "wasm32"))]
            Ok(()) => {}
        }
    };
    view! {
        <div class="installment-picker__checkout">
            <label>
                <span>{move || word(|w| &w.phone)}</span>
                <input type="tel" autocomplete="tel" required node_ref=phone />
            </label>
            <Show when=identity>
                <label>
                    <span>{move || word(|w| &w.email)}</span>
                    <input type="email" autocomplete="email" required node_ref=email />
                </label>
                <label>
                    <span>{move || word(|w| &w.first_name)}</span>
                    <input type="text" autocomplete="given-name" required node_ref=first_name />
                </label>
                <label>
                    <span>{move || word(|w| &w.last_name)}</span>
                    <input type="text" autocomplete="family-name" required node_ref=last_name />
                </label>
            </Show>
            <button
                type="button"
                class="installment-picker__pay"
                disabled=move || busy.get() || chosen.with(Option::is_none)
                on:click=pay
            >
                {move || word(|w| &w.pay)}
            </button>
            <p class="installment-picker__message" role="status">
                {move || failed.get().then(|| word(|w| &w.checkout_failed))}
            </p>
        </div>
    }
}

/// The application's body (the order as SKUs or a signed intent, never an amount), sent to the
/// proxy; the returned future opens the provider's form when the proxy answers.
#[cfg(target_arch = "wasm32")]
fn start_purchase(
    endpoint: String,
    checkout: &Checkout,
    choice: &Selection,
    customer: Customer,
) -> Result<impl Future<Output = Result<(), WidgetError>> + use<>, WidgetError> {
    use wasm_bindgen::JsValue;
    #[derive(serde::Serialize)]
    struct Item<'a> {
        sku: &'a str,
        quantity: u32,
    }
    #[derive(serde::Serialize)]
    struct Application<'a> {
        provider: &'a str,
        months: u32,
        customer: Customer,
        success_path: &'a str,
        fail_path: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        items: Option<Vec<Item<'a>>>,
        #[serde(
            skip_serializing_if = "JsValue::is_undefined",
            with = "serde_wasm_bindgen::preserve"
        )]
        intent: JsValue,
    }
    let (items, intent) = match &checkout.order {
        Order::Items(items) => (
            Some(
                items
                    .iter()
                    .map(|(sku, quantity)| Item {
                        sku,
                        quantity: *quantity,
                    })
                    .collect(),
            ),
            JsValue::UNDEFINED,
        ),
        Order::Intent(text) => (
            None,
            js_sys::JSON::parse(text)
                .map_err(|_| WidgetError::InvalidSetting("intent: not JSON".to_owned()))?,
        ),
    };
    let application = Application {
        provider: &choice.provider,
        months: choice.months,
        customer,
        success_path: &checkout.return_path,
        fail_path: &checkout.return_path,
        items,
        intent,
    };
    let body = serde_wasm_bindgen::to_value(&application)
        .map_err(|error| WidgetError::InvalidSetting(error.to_string()))?;
    Ok(async move {
        let redirect = crate::fetch::apply(&endpoint, &body).await?;
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(&redirect);
        }
        Ok(())
    })
}

/// Off the browser there is nothing to send a purchase to.
#[cfg(not(target_arch = "wasm32"))]
fn start_purchase(
    _endpoint: String,
    _checkout: &Checkout,
    _choice: &Selection,
    _customer: Customer,
) -> Result<(), WidgetError> {
    Ok(())
}

/// A page-unique number, so two pickers' radio groups never share a name.
fn next_id() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
