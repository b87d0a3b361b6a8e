//! # installment-core
//!
//! Exact installment arithmetic shared by the browser widget and the merchant proxy, so the
//! badge, the picker and the server can never disagree on a number. No I/O, no floats.
//!
//! Amounts are integer minor units of a currency ([`Money`]), as dinero.js and Stripe keep
//! them; every other decimal (rates, provider decimals, parsing, rounding by a named
//! strategy, markup and annuity arithmetic) is a `rust_decimal` [`Decimal`], parsed exactly.
//!
//! - [`Currency`]: every active ISO 4217 code and its minor unit.
//! - [`Money`]: integer minor units; strict parsing ([`Money::parse`]) and scraping of shop
//!   prices ([`parse_price_text`]); [`Money::split`] into installments.
//! - [`Plan`]: interest-free, markup, provider-quoted and annuity plans.
//! - [`ProviderRules`], [`offers`], [`cheapest_monthly`]: eligibility and "from X/month".
//! - [`detect_card`], [`BinTable`]: what the first digits of a card say.
//! - [`format_money`], [`badge_text`]: CLDR-exact text without `Intl`.
//! - [`wire`]: the API's JSON types with decimal-string amounts (serde with feature `serde`).
//!
//! ```
//! use installment_core::{badge_text, Currency, Locale, Money, Quote};
//! let price = Money::parse("299.90", Currency::from_code("BYN")?)?;
//! let quote = Quote::interest_free(price, &[3, 6, 12, 24])?;
//! let from = quote.from().expect("at least one term");
//! let text = badge_text(from.monthly(), Locale::from_tag("ru-BY")?, Some("Karta Pokupok"));
//! assert_eq!(text.to_string(), "от 12,50\u{a0}Br/мес. в рассрочку через Karta Pokupok");
//! # Ok::<(), installment_core::Error>(())
//! ```

mod bin;
mod card;
mod currency;
mod decimal;
mod eligibility;
mod error;
mod format;
mod money;
mod plan;
mod price_text;
mod rate;
mod rounding;
pub mod wire;

pub use bin::{BinRange, BinTable, BinTableBuilder, CardType};
pub use card::{
    CardAssociation, CardInfo, detect_card, group_card_number, is_valid_card_number, luhn_valid,
};
pub use currency::Currency;
pub use decimal::parse_decimal;
pub use eligibility::{
    CategoryTerms, ProviderPlans, ProviderRules, Quote, TermBand, TermMarkup, cheapest_monthly,
    offers,
};
pub use error::Error;
pub use format::{BadgeText, Locale, PluralCategory, badge_text, format_money};
pub use money::{MAX_INSTALLMENTS, MAX_MAJOR_UNITS, Money};
pub use plan::{Plan, PlanKind, ScheduleRow};
pub use price_text::parse_price_text;
pub use rate::Rate;
pub use rounding::Rounding;
/// The decimal type of every rate and provider decimal, re-exported so that callers name the
/// same version.
pub use rust_decimal::Decimal;
