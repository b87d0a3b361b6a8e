//! The one error type of the crate.

use core::fmt::{self, Write};

/// Everything that can go wrong in `installment-core`, one flat enum.
///
/// Each variant carries the offending input so that the message names what was wrong.
/// Messages are stable enough to show a developer; match on the variant, not the text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The currency code is not an active ISO 4217 code with a minor unit.
    UnknownCurrency(String),
    /// The amount text was empty or only whitespace.
    EmptyAmount,
    /// The amount had a minus sign; amounts offered to shoppers are never negative.
    NegativeAmount(String),
    /// The amount is not a plain decimal number (letters, exponents, `NaN`, stray signs).
    InvalidCharacter {
        /// The text as given.
        text: String,
        /// The first character that cannot be part of a decimal amount.
        found: char,
    },
    /// Separators in the wrong place: `1.2.3`, `.5`, `5.`, `1,,0`, groups of the wrong size.
    MalformedAmount(String),
    /// More decimal places than the currency's minor unit allows (`1.005` BYN).
    TooManyDecimals {
        /// The text as given.
        text: String,
        /// The currency's ISO code.
        currency: &'static str,
        /// The currency's minor unit.
        max: u8,
    },
    /// The amount exceeds 10^12 major units.
    AmountTooLarge(String),
    /// Price text whose decimal separator cannot be told from a group separator.
    AmbiguousPrice(String),
    /// Price text that names another currency than the one expected.
    CurrencyMismatch {
        /// The currency the caller expected.
        expected: &'static str,
        /// The currency code found in the text.
        found: String,
    },
    /// Money of two different currencies in one operation.
    MixedCurrencies(&'static str, &'static str),
    /// An installment count outside 1..=120.
    InvalidInstallmentCount(u32),
    /// A rate that is not a plain decimal fraction from 0 to 10 with at most 16 places.
    InvalidRate(String),
    /// Decimal text that is not plain `digits[.digits]`, or has more digits than a
    /// `rust_decimal` holds exactly.
    InvalidDecimal(String),
    /// A provider quote whose installment times months does not come to its total.
    InconsistentQuote {
        /// Months of the quoted plan.
        months: u32,
        /// The quoted installment, rounded to the minor unit.
        installment: String,
        /// The quoted total.
        total: String,
    },
    /// A provider quote whose total is below the price: a discount that an application,
    /// created for the price, would not carry.
    QuoteBelowPrice {
        /// Months of the quoted plan.
        months: u32,
        /// The quoted total.
        total: String,
        /// The price the quote was asked for.
        price: String,
    },
    /// A locale tag the formatter has no data for.
    UnknownLocale(String),
    /// Card digits that are not 1 to 19 ASCII digits.
    InvalidCardDigits(String),
    /// A BIN that is not 6 to 8 digits (more would be part of a card number).
    InvalidBin(String),
    /// BIN table ranges that are reversed or overlap.
    OverlappingBinRanges(String),
    /// Provider rules that contradict themselves (minimum above maximum, zero-month terms).
    InvalidRules(String),
    /// A value on the wire that does not name a known variant.
    UnknownVariant(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCurrency(code) => {
                write!(
                    f,
                    "unknown currency {code}: expected an ISO 4217 code such as \"BYN\"",
                    code = Quoted(code)
                )
            }
            Self::EmptyAmount => f.write_str("amount is empty"),
            Self::NegativeAmount(text) => {
                write!(f, "amount {text} is negative", text = Quoted(text))
            }
            Self::InvalidCharacter { text, found } => {
                write!(
                    f,
                    "amount {text} is not a decimal number: unexpected '{found}'",
                    text = Quoted(text)
                )
            }
            Self::MalformedAmount(text) => {
                write!(
                    f,
                    "amount {text} has misplaced separators",
                    text = Quoted(text)
                )
            }
            Self::TooManyDecimals {
                text,
                currency,
                max,
            } => write!(
                f,
                "amount {text} has more decimal places than {currency} allows ({max})",
                text = Quoted(text)
            ),
            Self::AmountTooLarge(text) => {
                write!(
                    f,
                    "amount {text} is larger than 1000000000000",
                    text = Quoted(text)
                )
            }
            Self::AmbiguousPrice(text) => write!(
                f,
                "price {text} is ambiguous: cannot tell the decimal separator from a group separator; pass a locale",
                text = Quoted(text)
            ),
            Self::CurrencyMismatch { expected, found } => {
                write!(f, "price is in {found}, expected {expected}")
            }
            Self::MixedCurrencies(a, b) => write!(f, "cannot combine {a} with {b}"),
            Self::InvalidInstallmentCount(n) => {
                write!(f, "installment count {n} is outside 1..=120")
            }
            Self::InvalidRate(text) => write!(
                f,
                "rate {text} is not a decimal fraction from 0 to 10 with at most 16 places (0.025 is 2.5 %)",
                text = Quoted(text)
            ),
            Self::InvalidDecimal(text) => write!(
                f,
                "decimal {text} is not plain digits with at most one '.', exactly representable",
                text = Quoted(text)
            ),
            Self::InconsistentQuote {
                months,
                installment,
                total,
            } => write!(
                f,
                "quoted plan does not add up: {months} × {installment} is not {total}"
            ),
            Self::QuoteBelowPrice {
                months,
                total,
                price,
            } => write!(
                f,
                "quoted plan of {months} months totals {total}, below the price {price}"
            ),
            Self::UnknownLocale(tag) => write!(
                f,
                "unknown locale {tag}: expected one of ru-BY, be-BY, ru-RU, kk-KZ, ru-KZ, uk-UA, tr-TR, en-US, ar-AE",
                tag = Quoted(tag)
            ),
            Self::InvalidCardDigits(text) => {
                write!(
                    f,
                    "card digits {text} must be 1 to 19 digits 0-9",
                    text = Quoted(text)
                )
            }
            Self::InvalidBin(text) => write!(
                f,
                "BIN {text} must be 6 to 8 digits; a card number must never be sent",
                text = Quoted(text)
            ),
            Self::OverlappingBinRanges(what) => write!(f, "BIN table: {what}"),
            Self::InvalidRules(what) => write!(f, "provider rules: {what}"),
            Self::UnknownVariant(what) => {
                write!(f, "unknown value {what}", what = Quoted(what))
            }
        }
    }
}

impl std::error::Error for Error {}

/// Input text in double quotes for a message, as `{:?}` would show it but without `Debug`'s
/// escaping tables, which cost the wasm several KB: quotes and backslashes are escaped and
/// control characters are written as `\u{..}`; every other character is shown as it is.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' | '\\' => {
                    f.write_char('\\')?;
                    f.write_char(c)?;
                }
                c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

impl Error {
    /// A stable, machine-readable code for APIs and JS callers.
    ///
    /// ```
    /// use installment_core::Error;
    /// assert_eq!(Error::EmptyAmount.code(), "invalid_amount");
    /// assert_eq!(Error::UnknownCurrency("XXX".into()).code(), "unknown_currency");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownCurrency(_) => "unknown_currency",
            Self::EmptyAmount
            | Self::NegativeAmount(_)
            | Self::InvalidCharacter { .. }
            | Self::MalformedAmount(_)
            | Self::TooManyDecimals { .. }
            | Self::AmbiguousPrice(_) => "invalid_amount",
            Self::AmountTooLarge(_) => "amount_out_of_range",
            Self::CurrencyMismatch { .. } | Self::MixedCurrencies(..) => "currency_mismatch",
            Self::InvalidInstallmentCount(_) => "invalid_term",
            Self::InvalidRate(_) => "invalid_rate",
            Self::InvalidDecimal(_) => "invalid_decimal",
            Self::InconsistentQuote { .. } => "inconsistent_quote",
            Self::QuoteBelowPrice { .. } => "quote_below_price",
            Self::UnknownLocale(_) => "unknown_locale",
            Self::InvalidCardDigits(_) => "invalid_card_digits",
            Self::InvalidBin(_) => "invalid_bin",
            Self::OverlappingBinRanges(_) => "invalid_bin_table",
            Self::InvalidRules(_) => "invalid_rules",
            Self::UnknownVariant(_) => "unknown_variant",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_reads_like_debug_without_its_tables() {
        let cases = [
            ("299.90", "\"299.90\""),
            ("1 299,90 Br", "\"1 299,90 Br\""),
            ("say \"hi\" \\", "\"say \\\"hi\\\" \\\\\""),
            ("a\nb\u{7}", "\"a\\u{a}b\\u{7}\""),
        ];
        for (text, expected) in cases {
            assert_eq!(Quoted(text).to_string(), expected, "{text:?}");
        }
        assert_eq!(
            Error::InvalidCharacter {
                text: "12a".into(),
                found: 'a'
            }
            .to_string(),
            "amount \"12a\" is not a decimal number: unexpected 'a'"
        );
    }
}
