//! `InstallmentBadge`: "from 12,50 Br/month in installments via Karta Pokupok".
//!
//! Styles are in `badge.css` beside this file and ship as `installment-widget.css`.

use installment_core::{Locale, Money, Quote, badge_text};
use leptos::prelude::*;

/// A badge with the smallest monthly payment over `terms`, or nothing at all when no term
/// gives a plan (no spinner, no error text).
///
/// ```no_run
/// use installment_widget::{core::{Currency, Locale, Money}, InstallmentBadge};
/// use leptos::prelude::*;
/// let byn = Currency::from_code("BYN").unwrap();
/// let price = RwSignal::new(Money::parse("299.90", byn).unwrap());
/// let _ = view! {
///     <InstallmentBadge amount=price terms=vec![3, 6, 12, 24]
///         locale=Locale::from_tag("ru-BY").unwrap() provider="Karta Pokupok".to_string() />
/// };
/// ```
#[component]
pub fn InstallmentBadge(
    /// The price to finance; the badge follows it when it changes.
    #[prop(into)]
    amount: Signal<Money>,
    /// Installment terms in months (each 1 to 120); an empty list shows nothing.
    #[prop(into)]
    terms: Signal<Vec<u32>>,
    /// Language and number format of the sentence.
    #[prop(into)]
    locale: Signal<Locale>,
    /// The provider's display name, named in the sentence when given.
    #[prop(optional, into)]
    provider: MaybeProp<String>,
) -> impl IntoView {
    let text = Memo::new(move |_| {
        let quote = Quote::interest_free(amount.get(), &terms.get()).ok()?;
        let monthly = quote.from()?.largest_payment();
        Some(badge_text(monthly, locale.get(), provider.get().as_deref()))
    });
    move || {
        text.get().map(|text| {
            let locale = locale.get();
            view! {
                <span
                    class="installment-badge"
                    lang=locale.tag()
                    dir=if locale.is_right_to_left() { "rtl" } else { "ltr" }
                >
                    {text.before}
                    <strong class="installment-badge__amount">{text.amount}</strong>
                    {text.after}
                </span>
            }
        })
    }
}
