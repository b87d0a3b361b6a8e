//! The custom elements' and the script tag's side in wasm: each `<installment-badge>`,
//! `<installment-picker>` or `[data-installment-*]` element gets the same Leptos component a
//! Rust shop uses, mounted into its shadow root, with its attributes as signals. The JS glue
//! (`js/elements.js`) only hands over the lifecycle: connected, attribute changed,
//! disconnected, and "the page changed" for watched prices.

use crate::context::{DEFAULT_ENDPOINT, WidgetState, page_wide, warn_once};
use crate::labels::{Labels, labels};
use crate::view::WidgetError;
use crate::{InstallmentBadge, STYLESHEET};
use installment_core::{Currency, Locale, Money, parse_price_text};
use leptos::prelude::*;
use std::any::Any;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, HtmlElement, ShadowRootInit, ShadowRootMode};

mod picker;
pub use picker::mount_picker;

/// Every attribute an element reads; data-attribute elements spell them `data-amount` ...
const NAMES: [&str; 11] = [
    "amount",
    "currency",
    "locale",
    "category",
    "endpoint",
    "price-selector",
    "name",
    "items",
    "intent",
    "return-path",
    "labels",
];

/// An element's attributes, one signal each, so a change redraws only what reads it.
#[derive(Clone, Copy)]
pub(crate) struct Attributes {
    values: [RwSignal<Option<String>>; NAMES.len()],
    /// The text of the element `price-selector` names, as last read.
    watched: RwSignal<Option<String>>,
}

impl Attributes {
    fn read(host: &HtmlElement, prefix: &str) -> Self {
        let values =
            NAMES.map(|name| RwSignal::new(host.get_attribute(&format!("{prefix}{name}"))));
        let attributes = Self {
            values,
            watched: RwSignal::new(None),
        };
        attributes.watched.set(attributes.watched_text());
        attributes
    }

    pub(crate) fn get(&self, name: &str) -> Option<String> {
        let index = NAMES.iter().position(|n| *n == name)?;
        self.values[index].get()
    }

    fn set(&self, name: &str, value: Option<String>) {
        if let Some(index) = NAMES.iter().position(|n| *n == name) {
            let signal = self.values[index];
            if signal.get_untracked() != value {
                signal.set(value);
            }
        }
    }

    /// The watched price's text now (an invalid selector reads as nothing; the setting
    /// reports it).
    fn watched_text(&self) -> Option<String> {
        let selector = self.values[5].get_untracked()?;
        let element = document().query_selector(&selector).ok().flatten()?;
        Some(element.text_content().unwrap_or_default())
    }

    /// Re-reads the watched price; redraws only when its text changed.
    fn recheck_watched(&self) {
        let text = self.watched_text();
        if self.watched.get_untracked() != text {
            self.watched.set(text);
        }
    }
}

/// What every element needs before it can show anything: the price, the language, the proxy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    pub amount: Money,
    pub locale: Locale,
    pub category: Option<String>,
    pub endpoint: String,
    /// The merchant's words, when the element overrides any.
    pub labels: Option<Labels>,
}

impl Settings {
    /// Reads the settings from the attributes, then the page (`lang`, the endpoint's
    /// `<meta name="installment-endpoint">`); the first wrong one is the error.
    pub(crate) fn read(
        host: &HtmlElement,
        attributes: &Attributes,
        kind: &str,
    ) -> Result<Self, WidgetError> {
        let currency = Currency::from_code(&attributes.get("currency").unwrap_or_default())?;
        let tag = attributes.get("locale").or_else(|| {
            host.closest("[lang]")
                .ok()
                .flatten()
                .and_then(|e| e.get_attribute("lang"))
        });
        let locale = match tag.as_deref().map(Locale::from_tag) {
            None => Locale::fallback(),
            Some(Ok(locale)) => locale,
            // A language the widget does not speak: English, never a hidden badge.
            Some(Err(_)) => {
                warn_once(&WidgetError::InvalidSetting(format!(
                    "locale \"{}\" is not one of the widget's languages: English is shown",
                    tag.unwrap_or_default()
                )));
                Locale::fallback()
            }
        };
        let amount = match attributes.get("price-selector") {
            Some(selector) => {
                if document().query_selector(&selector).is_err() {
                    return Err(WidgetError::InvalidSetting(format!(
                        "price-selector: \"{selector}\" is not a CSS selector"
                    )));
                }
                let text = attributes.watched.get().unwrap_or_default();
                parse_price_text(&text, currency, Some(locale))?
            }
            None => match attributes.get("amount") {
                Some(text) => Money::parse(&text, currency)?,
                None => {
                    return Err(WidgetError::InvalidSetting(format!(
                        "a {kind} has no amount"
                    )));
                }
            },
        };
        let endpoint = attributes
            .get("endpoint")
            .or_else(|| {
                // Looked for in <head>, where a <meta> belongs: a look through the whole
                // document for each badge cost a listing of 2,000 a quarter of a second.
                document()
                    .head()?
                    .query_selector(r#"meta[name="installment-endpoint"]"#)
                    .ok()
                    .flatten()
                    .and_then(|meta| meta.get_attribute("content"))
            })
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
        let labels = attributes
            .get("labels")
            .map(|overrides| labels_with(locale, &overrides))
            .transpose()?;
        Ok(Self {
            amount,
            locale,
            category: attributes.get("category"),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            labels,
        })
    }
}

/// The locale's labels with the merchant's overrides (a JSON object of label names) laid over
/// them; a name that is no label, or a value of the wrong shape, is the error.
fn labels_with(locale: Locale, overrides: &str) -> Result<Labels, WidgetError> {
    let wrong = |detail: String| WidgetError::InvalidSetting(format!("labels: {detail}"));
    let given = js_sys::JSON::parse(overrides)
        .ok()
        .filter(|value| value.is_object() && !js_sys::Array::is_array(value))
        .ok_or_else(|| wrong(format!("a JSON object expected, not {overrides}")))?;
    let merged = serde_wasm_bindgen::to_value(labels(locale)).map_err(|e| wrong(e.to_string()))?;
    // serde-wasm-bindgen reads a struct's own fields only, so a misspelt name is caught here.
    let names: js_sys::Array = js_sys::Object::keys(given.unchecked_ref::<js_sys::Object>());
    if let Some(unknown) = names
        .iter()
        .find(|name| !js_sys::Reflect::has(&merged, name).unwrap_or(false))
    {
        return Err(wrong(format!(
            "\"{}\" is not a label",
            unknown.as_string().unwrap_or_default()
        )));
    }
    let merged: js_sys::Object =
        js_sys::Object::assign(merged.unchecked_ref(), given.unchecked_ref());
    serde_wasm_bindgen::from_value(merged.into()).map_err(|e| wrong(e.to_string()))
}

/// A mounted element: its attributes' signals and the handle that unmounts it.
struct Mounted {
    host: HtmlElement,
    prefix: String,
    attributes: Attributes,
    parent: HtmlElement,
    _handle: Box<dyn Any>,
}

thread_local! {
    static MOUNTED: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
    static SHEET: Option<CssStyleSheet> = {
        let sheet = CssStyleSheet::new().ok()?;
        sheet.replace_sync(STYLESHEET).ok()?;
        Some(sheet)
    };
}

fn with_mounted<T>(host: &HtmlElement, action: impl FnOnce(&Mounted) -> T) -> Option<T> {
    MOUNTED.with(|all| all.borrow().iter().find(|m| &m.host == host).map(action))
}

/// Mounts `view` into the host's shadow root (made when missing, the stylesheet adopted:
/// no inline style, so `style-src 'self'` allows it). Mounting twice does nothing.
pub(crate) fn mount<V: IntoView + 'static>(
    host: HtmlElement,
    prefix: &str,
    view: impl FnOnce(HtmlElement, Attributes) -> V + 'static,
) {
    let root = match host.shadow_root() {
        // Mounted already (the glue mounts each element once; this guards direct calls).
        Some(root)
            if root
                .query_selector(".installment-root:not([data-server])")
                .ok()
                .flatten()
                .is_some() =>
        {
            return;
        }
        Some(root) => root,
        None => match host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) {
            Ok(root) => root,
            Err(_) => {
                warn_once(&WidgetError::InvalidSetting(format!(
                    "a <{}> cannot hold a widget: use a <span> or <div>",
                    host.local_name()
                )));
                return;
            }
        },
    };
    SHEET.with(|sheet| {
        if let Some(sheet) = sheet {
            root.set_adopted_style_sheets(&js_sys::Array::of1(sheet));
        }
    });
    let attributes = Attributes::read(&host, prefix);
    let element = host.clone();
    // Leptos mounts into an element, and a shadow root is a document fragment: the widget
    // lives in one `display: contents` span, which lays out as if it were not there.
    let Some(parent) = document()
        .create_element("span")
        .ok()
        .and_then(|span| span.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    // Under a badge the merchant's server rendered (`server::render_badge`), the embed's own
    // render waits unseen until it has drawn; `take_over` then swaps them in one step.
    let rendered_by_server = root
        .query_selector("[data-server]")
        .ok()
        .flatten()
        .is_some();
    parent.set_class_name(if rendered_by_server {
        "installment-root installment-root--waiting"
    } else {
        "installment-root"
    });
    if root.append_child(&parent).is_err() {
        return;
    }
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        provide_context(page_wide());
        view(element, attributes)
    });
    MOUNTED.with(|all| {
        all.borrow_mut().push(Mounted {
            host,
            prefix: prefix.to_owned(),
            attributes,
            parent,
            _handle: Box::new(handle),
        })
    });
}

/// The element's settings, re-read when an attribute changes, and the callback that writes how
/// the element ended to `data-installment-state` and warns once per cause. Settings that
/// cannot be used are reported as `failed` at once.
pub(crate) fn settings_and_report<T>(
    host: &HtmlElement,
    read: impl Fn(&HtmlElement) -> Result<T, WidgetError> + Send + Sync + 'static,
) -> (Memo<Result<T, WidgetError>>, Callback<WidgetState>)
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let settings = Memo::new({
        let host = host.clone();
        move |_| read(&host)
    });
    let report = Callback::new({
        let host = host.clone();
        move |state: WidgetState| {
            take_over(&host);
            let _ = host.set_attribute("data-installment-state", state.name());
            if let WidgetState::Failed(error) = &state {
                warn_once(error);
            }
        }
    });
    Effect::new(move |_| {
        if let Err(error) = settings.get() {
            report.run(WidgetState::Failed(error));
        }
    });
    (settings, report)
}

/// The embed's render of `host` has drawn: what the server rendered there leaves, and the
/// embed's render shows, in the same task, so the shopper sees no gap between them.
fn take_over(host: &HtmlElement) {
    let Some(root) = host.shadow_root() else {
        return;
    };
    while let Ok(Some(part)) = root.query_selector("[data-server]") {
        part.remove();
    }
    if let Ok(Some(waiting)) = root.query_selector(".installment-root--waiting") {
        waiting.set_class_name("installment-root");
    }
}

/// Whether the settings can be used now, and (while they can) a memo of them that keeps the
/// last usable value. A component is mounted once while its settings stay usable and follows
/// them through signals: a new price redraws it and never remounts it, so the shopper's choice
/// and an open dialog stay.
pub(crate) fn usable_and_current<T>(
    settings: Memo<Result<T, WidgetError>>,
) -> (Memo<bool>, impl Fn() -> Option<Memo<T>> + Copy)
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let usable = Memo::new(move |_| settings.with(Result::is_ok));
    let current = move || {
        let initial = settings.get_untracked().ok()?;
        Some(Memo::new(move |previous: Option<&T>| {
            settings
                .get()
                .ok()
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial.clone())
        }))
    };
    (usable, current)
}

/// Mounts `InstallmentBadge` on `host`; its settings are its attributes, each after
/// `prefix` (`""` for `<installment-badge>`, `"data-"` for `[data-installment-badge]`).
#[wasm_bindgen(js_name = mountBadge)]
pub fn mount_badge(host: HtmlElement, prefix: &str) {
    mount(host, prefix, |host, attributes| {
        let (settings, report) = settings_and_report(&host, move |host| {
            Settings::read(host, &attributes, "badge")
        });
        let (usable, current) = usable_and_current(settings);
        move || {
            usable.get().then(current).flatten().map(|current| {
                view! {
                    <InstallmentBadge
                        amount=Signal::derive(move || current.with(|s| s.amount))
                        locale=Signal::derive(move || current.with(|s| s.locale))
                        category=Signal::derive(move || current.with(|s| s.category.clone()))
                        endpoint=Signal::derive(move || Some(current.with(|s| s.endpoint.clone())))
                        labels=Signal::derive(move || current.with(|s| s.labels.clone()))
                        on_state=report
                    />
                }
            })
        }
    });
}

/// Asks for the rules `host`'s badge will read, before it mounts: the request goes out now,
/// and the code that reads settings and asks is compiled in this task, not in the mount's.
/// V8 compiles each wasm function when it is first called, about 30 ms of a page's first
/// mount, so the glue runs this first in a task of its own. Settings that cannot be used ask
/// for nothing (the mount reports them).
#[wasm_bindgen(js_name = prepareBadge)]
pub fn prepare_badge(host: &HtmlElement, prefix: &str) {
    Owner::new().with(|| {
        let attributes = Attributes::read(host, prefix);
        if let Ok(settings) = untrack(|| Settings::read(host, &attributes, "badge")) {
            page_wide().rules(&settings.endpoint, settings.amount.currency());
        }
    });
}

/// Unmounts the widget of `host`: its nodes leave the shadow root, its signals are freed.
#[wasm_bindgen]
pub fn unmount(host: &HtmlElement) {
    let removed = MOUNTED.with(|all| {
        let mut all = all.borrow_mut();
        let index = all.iter().position(|m| &m.host == host)?;
        Some(all.swap_remove(index))
    });
    // Dropped outside the borrow: unmounting runs the component's cleanups.
    if let Some(mounted) = removed {
        mounted.parent.remove();
    }
}

/// An attribute of `host` changed (`name` as the page spells it, `data-` included).
#[wasm_bindgen(js_name = attributeChanged)]
pub fn attribute_changed(host: &HtmlElement, name: &str, value: Option<String>) {
    with_mounted(host, |mounted| {
        if let Some(name) = name.strip_prefix(mounted.prefix.as_str()) {
            mounted.attributes.set(name, value);
            if name == "price-selector" {
                mounted.attributes.recheck_watched();
            }
        }
    });
}

/// Re-reads every attribute of `host`, and its watched price: `update()` with no amount.
#[wasm_bindgen]
pub fn refresh(host: &HtmlElement) {
    with_mounted(host, |mounted| {
        for name in NAMES {
            let value = mounted
                .host
                .get_attribute(&format!("{}{name}", mounted.prefix));
            mounted.attributes.set(name, value);
        }
        mounted.attributes.recheck_watched();
    });
}

/// The page changed: every badge that watches a price re-reads it (the element may even have
/// been replaced), and redraws only if its text changed.
#[wasm_bindgen(js_name = pageChanged)]
pub fn page_changed() {
    let watching: Vec<Attributes> = MOUNTED.with(|all| {
        all.borrow()
            .iter()
            .map(|m| m.attributes)
            .filter(|a| a.values[5].get_untracked().is_some())
            .collect()
    });
    for attributes in watching {
        attributes.recheck_watched();
    }
}
