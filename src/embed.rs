//! The script-tag embed: every element with `data-installment-badge` gets a badge.
//!
//! ```html
//! <span data-installment-badge data-amount="299.90" data-currency="BYN"
//!       data-terms="3,6,12,24" data-provider="Karta Pokupok" data-locale="ru-BY"></span>
//! ```
//!
//! An element whose attributes are wrong is hidden and named in one console warning; the
//! other badges and the page carry on.

use installment_core::{Currency, Error, Locale, MAX_INSTALLMENTS, Money};

/// The attributes of one badge element, as read from the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BadgeAttributes {
    /// `data-amount`: a decimal string such as `299.90`.
    pub amount: Option<String>,
    /// `data-currency`: an ISO 4217 code.
    pub currency: Option<String>,
    /// `data-terms`: months, comma-separated: `3,6,12,24`.
    pub terms: Option<String>,
    /// `data-provider`: the provider's display name.
    pub provider: Option<String>,
    /// `data-locale`: a BCP 47 tag; else the page's `lang`.
    pub locale: Option<String>,
    /// The `lang` of the page, used when `data-locale` is absent.
    pub page_lang: Option<String>,
}

/// A badge's settings once every attribute has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeConfig {
    /// The price.
    pub amount: Money,
    /// Terms in months, as given.
    pub terms: Vec<u32>,
    /// The provider's display name, if any.
    pub provider: Option<String>,
    /// Resolved locale.
    pub locale: Locale,
}

/// The locale used when neither `data-locale` nor the page's `lang` names a supported one.
const FALLBACK_LOCALE: &str = "en-US";

impl BadgeAttributes {
    /// Checks every attribute; the error names the attribute and what was wrong with it.
    ///
    /// ```
    /// use installment_widget::BadgeAttributes;
    /// let attributes = BadgeAttributes {
    ///     amount: Some("299.90".into()), currency: Some("BYN".into()), terms: Some("3,6".into()),
    ///     page_lang: Some("be".into()), ..Default::default()
    /// };
    /// assert_eq!(attributes.parse()?.locale.tag(), "be-BY");
    /// let bad = BadgeAttributes { amount: Some("abc".into()), ..attributes };
    /// assert!(bad.parse().unwrap_err().starts_with("data-amount=\"abc\""));
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(&self) -> Result<BadgeConfig, String> {
        let named =
            |attribute: &str, value: &str, error: Error| format!("{attribute}={value:?}: {error}");
        let required = |attribute: &str, value: &Option<String>| {
            value
                .clone()
                .ok_or_else(|| format!("{attribute} is missing"))
        };
        let currency_text = required("data-currency", &self.currency)?;
        let currency = Currency::from_code(&currency_text)
            .map_err(|e| named("data-currency", &currency_text, e))?;
        let amount_text = required("data-amount", &self.amount)?;
        let amount = Money::parse(&amount_text, currency)
            .map_err(|e| named("data-amount", &amount_text, e))?;
        let terms_text = required("data-terms", &self.terms)?;
        let terms = parse_terms(&terms_text)?;
        let locale = match &self.locale {
            Some(tag) => Locale::from_tag(tag).map_err(|e| named("data-locale", tag, e))?,
            None => self
                .page_lang
                .as_deref()
                .and_then(|tag| Locale::from_tag(tag).ok())
                .or_else(|| Locale::from_tag(FALLBACK_LOCALE).ok())
                .ok_or_else(|| format!("no locale data for {FALLBACK_LOCALE}"))?,
        };
        let provider = self
            .provider
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        Ok(BadgeConfig {
            amount,
            terms,
            provider,
            locale,
        })
    }
}

/// Parses `"3,6,12,24"`: each term a whole number of months from 1 to 120.
///
/// ```
/// use installment_widget::embed::parse_terms;
/// assert_eq!(parse_terms(" 3, 6,12 ")?, [3, 6, 12]);
/// assert!(parse_terms("3,0").is_err());
/// # Ok::<(), String>(())
/// ```
pub fn parse_terms(text: &str) -> Result<Vec<u32>, String> {
    let bad = || {
        format!(
            "data-terms={text:?}: expected months from 1 to {MAX_INSTALLMENTS}, comma-separated, such as \"3,6,12\""
        )
    };
    let terms = text
        .split(',')
        .map(|term| {
            term.trim()
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=MAX_INSTALLMENTS).contains(m))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)?;
    if terms.is_empty() {
        Err(bad())
    } else {
        Ok(terms)
    }
}

#[cfg(target_arch = "wasm32")]
pub use dom::mount_badges;

#[cfg(target_arch = "wasm32")]
mod dom {
    use super::BadgeAttributes;
    use crate::InstallmentBadge;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement};

    /// Marks an element already handled, so mounting twice never doubles a badge.
    const MOUNTED: &str = "data-installment-mounted";

    /// Mounts a badge into every unmounted `[data-installment-badge]` under `root` (or the
    /// whole document). Returns how many badges were mounted; bad ones are hidden and warned
    /// about, one warning each. Only on wasm32, where there is a DOM.
    ///
    /// ```ignore
    /// // After inserting products into the page (an infinite scroll, a filter):
    /// let list = document.get_element_by_id("product-list");
    /// installment_widget::embed::mount_badges(list.as_ref());
    /// ```
    pub fn mount_badges(root: Option<&Element>) -> u32 {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return 0;
        };
        let selector = format!("[data-installment-badge]:not([{MOUNTED}])");
        let found = match root {
            Some(root) => root.query_selector_all(&selector),
            None => document.query_selector_all(&selector),
        };
        let Ok(found) = found else { return 0 };
        let page_lang = document
            .document_element()
            .map(|html| html.get_attribute("lang"))
            .unwrap_or_default();
        let mut mounted = 0;
        for index in 0..found.length() {
            let Some(element) = found
                .item(index)
                .and_then(|node| node.dyn_into::<HtmlElement>().ok())
            else {
                continue;
            };
            let _ = element.set_attribute(MOUNTED, "");
            let attributes = BadgeAttributes {
                amount: element.get_attribute("data-amount"),
                currency: element.get_attribute("data-currency"),
                terms: element.get_attribute("data-terms"),
                provider: element.get_attribute("data-provider"),
                locale: element.get_attribute("data-locale"),
                page_lang: page_lang.clone().filter(|lang| !lang.is_empty()),
            };
            match attributes.parse() {
                Ok(config) => {
                    leptos::mount::mount_to(element, move || {
                        view! {
                            <InstallmentBadge
                                amount=config.amount
                                terms=config.terms
                                locale=config.locale
                                provider=config.provider
                            />
                        }
                    })
                    .forget();
                    mounted += 1;
                }
                Err(message) => {
                    element.set_hidden(true);
                    web_sys::console::warn_2(
                        &format!("installment badge hidden: {message}").into(),
                        &element,
                    );
                }
            }
        }
        mounted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> BadgeAttributes {
        BadgeAttributes {
            amount: Some("299.90".into()),
            currency: Some("BYN".into()),
            terms: Some("3,6,12,24".into()),
            provider: Some("Karta Pokupok".into()),
            locale: Some("ru-BY".into()),
            page_lang: None,
        }
    }

    #[test]
    fn every_bad_attribute_is_named() {
        let cases: Vec<(BadgeAttributes, &str)> = vec![
            (
                BadgeAttributes {
                    amount: None,
                    ..valid()
                },
                "data-amount is missing",
            ),
            (
                BadgeAttributes {
                    amount: Some("abc".into()),
                    ..valid()
                },
                "data-amount=\"abc\": amount \"abc\" is not a decimal number",
            ),
            (
                BadgeAttributes {
                    amount: Some("1.005".into()),
                    ..valid()
                },
                "data-amount=\"1.005\": amount \"1.005\" has more decimal places than BYN allows (2)",
            ),
            (
                BadgeAttributes {
                    currency: Some("XXX".into()),
                    ..valid()
                },
                "data-currency=\"XXX\": unknown currency",
            ),
            (
                BadgeAttributes {
                    currency: None,
                    ..valid()
                },
                "data-currency is missing",
            ),
            (
                BadgeAttributes {
                    terms: Some("3,six".into()),
                    ..valid()
                },
                "data-terms=\"3,six\": expected months",
            ),
            (
                BadgeAttributes {
                    terms: Some("121".into()),
                    ..valid()
                },
                "data-terms=\"121\"",
            ),
            (
                BadgeAttributes {
                    terms: None,
                    ..valid()
                },
                "data-terms is missing",
            ),
            (
                BadgeAttributes {
                    locale: Some("xx-YY".into()),
                    ..valid()
                },
                "data-locale=\"xx-YY\": unknown locale",
            ),
        ];
        for (attributes, expected) in cases {
            let message = attributes.parse().unwrap_err();
            assert!(
                message.starts_with(expected),
                "{message:?} should start with {expected:?}"
            );
        }
    }

    #[test]
    fn locale_falls_back_from_attribute_to_page_to_english() {
        for (attribute, page, expected) in [
            (Some("be-BY"), Some("ru"), "be-BY"),
            (None, Some("kk"), "kk-KZ"),
            (None, Some("de"), "en-US"),
            (None, None, "en-US"),
        ] {
            let attributes = BadgeAttributes {
                locale: attribute.map(Into::into),
                page_lang: page.map(Into::into),
                ..valid()
            };
            assert_eq!(attributes.parse().unwrap().locale.tag(), expected);
        }
    }
}
