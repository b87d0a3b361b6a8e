//! `<installment-picker>` and `[data-installment-picker]`: the picker, its checkout when the
//! element names an order, and the choice written to the merchant's form and announced.

use super::{Attributes, Settings, mount, settings_and_report, usable_and_current};
#[cfg(feature = "split")]
use crate::context::warn_once;
use crate::labels::labels;
use crate::view::WidgetError;
use crate::{Checkout, InstallmentPicker, Order, Selection};
use installment_core::Locale;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement, HtmlInputElement};

/// Mounts `InstallmentPicker` on `host`, settings from its attributes after `prefix`.
///
/// In the split build (feature `split`) the picker's code is a wasm file of its own, which the
/// first picker of a page loads: a page of badges never downloads it. A picker whose file
/// cannot be loaded hides itself (`data-installment-state="failed"`), as with any other cause.
#[wasm_bindgen(js_name = mountPicker)]
pub fn mount_picker(host: HtmlElement, prefix: &str) {
    #[cfg(feature = "split")]
    {
        let prefix = prefix.to_owned();
        // wasm-bindgen-futures, not Leptos's executor: no component may have started that yet.
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = mount_picker_split(host.clone(), prefix.clone()).await {
                // What a picker that cannot work shows, drawn by the main part.
                mount(host.clone(), &prefix, |host, attributes| {
                    unavailable(&host, &attributes)
                });
                let _ = host.set_attribute("data-installment-state", "failed");
                warn_once(&error);
            }
        });
    }
    #[cfg(not(feature = "split"))]
    mount_picker_here(host, prefix);
}

/// The split point: everything only a picker runs (its views, the card lookup, the checkout)
/// goes into the wasm file this function's first call loads.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(picker, wasm_split_path = ::leptos::wasm_split, fallible)]
fn mount_picker_split(host: HtmlElement, prefix: String) -> Result<(), WidgetError> {
    // The shopper's page may have taken the element away while the file loaded.
    if host.is_connected() {
        mount_picker_here(host, &prefix);
    }
    Ok(())
}

fn mount_picker_here(host: HtmlElement, prefix: &str) {
    mount(host, prefix, |host, attributes| {
        let (settings, report) = settings_and_report(&host, move |host| {
            Ok((
                Settings::read(host, &attributes, "picker")?,
                checkout(&attributes)?,
            ))
        });
        let element = host.clone();
        let select = Callback::new(move |choice: Option<Selection>| {
            announce(&element, &attributes, choice.as_ref())
        });
        let (usable, current) = usable_and_current(settings);
        move || match usable.get().then(current).flatten() {
            Some(current) => view! {
                <InstallmentPicker
                    amount=Signal::derive(move || current.with(|(s, _)| s.amount))
                    locale=Signal::derive(move || current.with(|(s, _)| s.locale))
                    category=Signal::derive(move || current.with(|(s, _)| s.category.clone()))
                    endpoint=Signal::derive(move || Some(current.with(|(s, _)| s.endpoint.clone())))
                    labels=Signal::derive(move || current.with(|(s, _)| s.labels.clone()))
                    checkout=Signal::derive(move || current.with(|(_, c)| c.clone()))
                    on_select=select
                    on_state=report
                />
            }
            .into_any(),
            None => unavailable(&host, &attributes).into_any(),
        }
    });
}

/// The one line a picker shows when it cannot work, in its language (its `locale`, else the
/// nearest `lang`) when that much is known.
fn unavailable(host: &HtmlElement, attributes: &Attributes) -> impl IntoView + use<> {
    let locale = attributes
        .get("locale")
        .or_else(|| host.closest("[lang]").ok().flatten()?.get_attribute("lang"))
        .and_then(|tag| Locale::from_tag(&tag).ok())
        .unwrap_or_else(Locale::fallback);
    let line = labels(locale).unavailable.to_string();
    view! { <p class="installment-picker__message" role="status">{line}</p> }
}

/// The purchase the element names: `items` ("sku:quantity,…") or a signed `intent`.
fn checkout(attributes: &Attributes) -> Result<Option<Checkout>, WidgetError> {
    let order = match (attributes.get("items"), attributes.get("intent")) {
        (Some(items), _) => Order::items(&items)?,
        (None, Some(intent)) => Order::Intent(intent),
        (None, None) => return Ok(None),
    };
    Ok(Some(Checkout {
        order,
        return_path: attributes
            .get("return-path")
            .unwrap_or_else(|| "/return.html".to_owned()),
    }))
}

/// Writes the choice to a hidden input in the host's light DOM (so the merchant's own form
/// submits it) and dispatches `installment-select` with the choice as `detail`; a cleared
/// choice empties the input and sends `detail: null`.
fn announce(host: &HtmlElement, attributes: &Attributes, choice: Option<&Selection>) {
    if let Some(name) = attributes.get("name") {
        let field = hidden_input(host, &name);
        if let Some(field) = field {
            field.set_value(&choice.map(Selection::form_value).unwrap_or_default());
        }
    }
    let detail = choice
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict("installment-select", &init) {
        let _ = host.dispatch_event(&event);
    }
}

/// The host's own hidden input named `name`, made when missing.
fn hidden_input(host: &HtmlElement, name: &str) -> Option<HtmlInputElement> {
    let children = host.children();
    let existing = (0..children.length())
        .filter_map(|i| children.item(i))
        .filter_map(|child| child.dyn_into::<HtmlInputElement>().ok())
        .find(|input| input.type_() == "hidden" && input.name() == name);
    if existing.is_some() {
        return existing;
    }
    let field: HtmlInputElement = document().create_element("input").ok()?.dyn_into().ok()?;
    field.set_type("hidden");
    field.set_name(name);
    host.append_child(&field).ok()?;
    Some(field)
}
