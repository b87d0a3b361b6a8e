//! Exact amounts: integer minor units of a known currency.

use crate::{Currency, Error, Rounding, decimal};
use core::fmt;
use rust_decimal::Decimal;

/// The largest amount accepted anywhere, in major units: 10^12.
pub const MAX_MAJOR_UNITS: i64 = 1_000_000_000_000;

/// The most installments a plan may have.
pub const MAX_INSTALLMENTS: u32 = 120;

/// Refuses installment counts outside 1..=[`MAX_INSTALLMENTS`].
pub(crate) fn check_installment_count(count: u32) -> Result<(), Error> {
    if (1..=MAX_INSTALLMENTS).contains(&count) {
        Ok(())
    } else {
        Err(Error::InvalidInstallmentCount(count))
    }
}

/// An amount of money: integer minor units and their currency. Never a float.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// Builds an amount from minor units (cents, tiyn, kopecks; yen for JPY).
    ///
    /// ```
    /// use installment_core::{Currency, Money};
    /// let byn = Currency::from_code("BYN")?;
    /// assert_eq!(Money::from_minor(29990, byn).to_string(), "299.90");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// assert_eq!(Money::zero(Currency::from_code("KWD")?).to_string(), "0.000");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses a strict decimal amount: digits, at most one `.` or `,` as the decimal
    /// separator, no more decimals than the currency has, no sign, no exponent, no grouping,
    /// at most 10^12. Surrounding ASCII whitespace is ignored.
    ///
    /// ```
    /// use installment_core::{Currency, Money, Error};
    /// let byn = Currency::from_code("BYN")?;
    /// assert_eq!(Money::parse("299,90", byn)?.minor(), 29990);
    /// assert_eq!(Money::parse("300", byn)?.minor(), 30000);
    /// assert!(matches!(Money::parse("1.005", byn), Err(Error::TooManyDecimals { .. })));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse(text: &str, currency: Currency) -> Result<Self, Error> {
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if trimmed.is_empty() {
            return Err(Error::EmptyAmount);
        }
        if trimmed.starts_with('-') || trimmed.starts_with('\u{2212}') {
            return Err(Error::NegativeAmount(text.to_owned()));
        }
        if let Some(found) = trimmed
            .chars()
            .find(|c| !c.is_ascii_digit() && *c != '.' && *c != ',')
        {
            return Err(Error::InvalidCharacter {
                text: text.to_owned(),
                found,
            });
        }
        let mut parts = trimmed.split(['.', ',']);
        let integer = parts.next().unwrap_or_default();
        let fraction = parts.next();
        if parts.next().is_some() || integer.is_empty() || fraction.is_some_and(|f| f.is_empty()) {
            return Err(Error::MalformedAmount(text.to_owned()));
        }
        Self::from_digits(integer, fraction.unwrap_or(""), currency, text)
    }

    /// Parses a provider's decimal (`"40.8080"`) that may carry more places than the
    /// currency has, rounding the excess by a named strategy. Only `digits[.digits]`.
    ///
    /// ```
    /// use installment_core::{Currency, Error, Money, Rounding};
    /// let try_ = Currency::from_code("TRY")?;
    /// assert_eq!(Money::parse_rounded("40.8050", try_, Rounding::HalfUp)?.to_string(), "40.81");
    /// assert_eq!(Money::parse_rounded("40.8001", try_, Rounding::Up)?.to_string(), "40.81");
    /// assert_eq!(Money::parse_rounded("40.8", try_, Rounding::Down)?.to_string(), "40.80");
    /// assert!(matches!(Money::parse_rounded("4e1", try_, Rounding::Up), Err(Error::InvalidCharacter { .. })));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse_rounded(
        text: &str,
        currency: Currency,
        rounding: Rounding,
    ) -> Result<Self, Error> {
        if let Some(found) = text.chars().find(|c| !c.is_ascii_digit() && *c != '.') {
            return Err(Error::InvalidCharacter {
                text: text.to_owned(),
                found,
            });
        }
        let value =
            decimal::parse_plain(text).ok_or_else(|| Error::MalformedAmount(text.to_owned()))?;
        Self::from_decimal_rounded(value, currency, rounding)
            .map_err(|_| Error::AmountTooLarge(text.to_owned()))
    }

    /// Builds an amount from already separated ASCII digit strings; shared by the strict
    /// parser and the price-text scraper so both enforce the same limits.
    pub(crate) fn from_digits(
        integer: &str,
        fraction: &str,
        currency: Currency,
        original: &str,
    ) -> Result<Self, Error> {
        if fraction.len() > usize::from(currency.exponent()) {
            return Err(Error::TooManyDecimals {
                text: original.to_owned(),
                currency: currency.code(),
                max: currency.exponent(),
            });
        }
        let text = if fraction.is_empty() {
            integer.to_owned()
        } else {
            format!("{integer}.{fraction}")
        };
        let too_large = || Error::AmountTooLarge(original.to_owned());
        // After the checks above, the only way left to fail is a number too large to hold.
        let value = decimal::parse_plain(&text).ok_or_else(too_large)?;
        Self::from_decimal(value, currency).map_err(|_| too_large())
    }

    /// The amount as a decimal in major units, at the currency's scale.
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// let kwd = Currency::from_code("KWD")?;
    /// assert_eq!(Money::from_minor(1005, kwd).to_decimal().to_string(), "1.005");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, u32::from(self.currency.exponent()))
    }

    /// An exact amount from a decimal in major units: refused when it has more places than
    /// the currency (trailing zeros aside) or lies beyond ±10^12.
    ///
    /// ```
    /// use installment_core::{Currency, Error, Money};
    /// use rust_decimal::Decimal;
    /// let byn = Currency::from_code("BYN")?;
    /// assert_eq!(Money::from_decimal(Decimal::new(-500, 3), byn)?.to_string(), "-0.50");
    /// assert!(matches!(Money::from_decimal(Decimal::new(1005, 3), byn), Err(Error::TooManyDecimals { .. })));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn from_decimal(value: Decimal, currency: Currency) -> Result<Self, Error> {
        let exponent = u32::from(currency.exponent());
        let mut value = value.normalize();
        if value.scale() > exponent {
            return Err(Error::TooManyDecimals {
                text: value.to_string(),
                currency: currency.code(),
                max: currency.exponent(),
            });
        }
        if value.abs() > Decimal::from(MAX_MAJOR_UNITS) {
            return Err(Error::AmountTooLarge(value.to_string()));
        }
        // Within ±10^12 at most three places: the mantissa at the currency's scale fits.
        value.rescale(exponent);
        let minor = i64::try_from(value.mantissa())
            .map_err(|_| Error::AmountTooLarge(value.to_string()))?;
        Ok(Self { minor, currency })
    }

    /// A decimal rounded to the currency's minor unit by a named strategy.
    ///
    /// ```
    /// use installment_core::{Currency, Money, Rounding};
    /// use rust_decimal::Decimal;
    /// let jpy = Currency::from_code("JPY")?;
    /// let value = Decimal::new(10165, 1); // 1016.5
    /// assert_eq!(Money::from_decimal_rounded(value, jpy, Rounding::HalfEven)?.to_string(), "1016");
    /// assert_eq!(Money::from_decimal_rounded(value, jpy, Rounding::HalfUp)?.to_string(), "1017");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn from_decimal_rounded(
        value: Decimal,
        currency: Currency,
        rounding: Rounding,
    ) -> Result<Self, Error> {
        Self::from_decimal(
            rounding.round(value, u32::from(currency.exponent())),
            currency,
        )
    }

    /// The amount in minor units.
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// assert_eq!(Money::parse("12", Currency::from_code("JPY")?)?.minor(), 12);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// let kzt = Currency::from_code("KZT")?;
    /// assert_eq!(Money::zero(kzt).currency(), kzt);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// The sum of two amounts of one currency.
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// let byn = Currency::from_code("BYN")?;
    /// let sum = Money::parse("0.10", byn)?.checked_add(Money::parse("0.20", byn)?)?;
    /// assert_eq!(sum.to_string(), "0.30");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn checked_add(self, other: Self) -> Result<Self, Error> {
        self.same_currency(other)?;
        self.within_limit(self.minor.checked_add(other.minor), || {
            format!("{self} + {other}")
        })
    }

    /// The difference of two amounts of one currency (may be negative).
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// let byn = Currency::from_code("BYN")?;
    /// let diff = Money::parse("1", byn)?.checked_sub(Money::parse("1.50", byn)?)?;
    /// assert_eq!(diff.to_string(), "-0.50");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn checked_sub(self, other: Self) -> Result<Self, Error> {
        self.same_currency(other)?;
        self.within_limit(self.minor.checked_sub(other.minor), || {
            format!("{self} - {other}")
        })
    }

    /// The amount times a count (a quantity of items), refused past 10^12.
    ///
    /// ```
    /// # use installment_core::{Currency, Error, Money};
    /// let byn = Currency::from_code("BYN")?;
    /// assert_eq!(Money::parse("2.50", byn)?.checked_mul(3)?.to_string(), "7.50");
    /// assert!(matches!(Money::parse("1000000000", byn)?.checked_mul(1001), Err(Error::AmountTooLarge(_))));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn checked_mul(self, count: u32) -> Result<Self, Error> {
        self.within_limit(self.minor.checked_mul(i64::from(count)), || {
            format!("{count} × {self}")
        })
    }

    /// `minor` in this amount's currency, if it was computed and lies within ±10^12.
    fn within_limit(
        self,
        minor: Option<i64>,
        operation: impl FnOnce() -> String,
    ) -> Result<Self, Error> {
        let limit = MAX_MAJOR_UNITS * self.currency.minor_per_major();
        match minor {
            Some(minor) if minor.unsigned_abs() <= limit.unsigned_abs() => {
                Ok(Self::from_minor(minor, self.currency))
            }
            _ => Err(Error::AmountTooLarge(operation())),
        }
    }

    fn same_currency(self, other: Self) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::MixedCurrencies(
                self.currency.code(),
                other.currency.code(),
            ))
        }
    }

    /// Splits the amount into `count` installments that differ by at most one minor unit,
    /// larger ones first, adding up to the amount exactly.
    ///
    /// ```
    /// use installment_core::{Currency, Money};
    /// let byn = Currency::from_code("BYN")?;
    /// let parts: Vec<String> = Money::parse("100", byn)?.split(3)?.iter().map(|m| m.to_string()).collect();
    /// assert_eq!(parts, ["33.34", "33.33", "33.33"]);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn split(self, count: u32) -> Result<Vec<Money>, Error> {
        check_installment_count(count)?;
        if self.minor < 0 {
            return Err(Error::NegativeAmount(self.to_string()));
        }
        let n = i64::from(count);
        let (base, larger) = (self.minor / n, self.minor % n);
        Ok((0..n)
            .map(|i| Self::from_minor(base + i64::from(i < larger), self.currency))
            .collect())
    }

    /// The largest installment of [`Money::split`] without building the list.
    ///
    /// ```
    /// # use installment_core::{Currency, Money};
    /// let byn = Currency::from_code("BYN")?;
    /// assert_eq!(Money::parse("100", byn)?.largest_installment(3)?.to_string(), "33.34");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn largest_installment(self, count: u32) -> Result<Money, Error> {
        check_installment_count(count)?;
        if self.minor < 0 {
            return Err(Error::NegativeAmount(self.to_string()));
        }
        let n = i64::from(count);
        Ok(Self::from_minor(
            self.minor / n + i64::from(self.minor % n != 0),
            self.currency,
        ))
    }
}

impl fmt::Display for Money {
    /// The plain decimal string used on every wire: `"299.90"`, `"1200"`, `"-0.500"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_decimal(), f)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} {}", self.currency.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn strict_parse_accepts() {
        for (text, code, minor) in [
            ("299.90", "BYN", 29990),
            ("299,90", "BYN", 29990),
            ("300", "BYN", 30000),
            (" 0.5 ", "BYN", 50),
            ("007", "BYN", 700),
            ("1200", "JPY", 1200),
            ("1.005", "KWD", 1005),
            ("1000000000000", "BYN", 100_000_000_000_000),
            ("1000000000000.000", "KWD", 1_000_000_000_000_000),
        ] {
            assert_eq!(
                Money::parse(text, cur(code)).map(Money::minor),
                Ok(minor),
                "{text}"
            );
        }
    }

    #[test]
    fn strict_parse_refuses_with_named_problem() {
        let byn = cur("BYN");
        let invalid = |text: &str, found| Error::InvalidCharacter {
            text: text.into(),
            found,
        };
        for (text, expected) in [
            ("", Error::EmptyAmount),
            ("   ", Error::EmptyAmount),
            ("abc", invalid("abc", 'a')),
            ("NaN", invalid("NaN", 'N')),
            ("1e5", invalid("1e5", 'e')),
            ("+5", invalid("+5", '+')),
            ("1 000", invalid("1 000", ' ')),
            ("Infinity", invalid("Infinity", 'I')),
            ("-5", Error::NegativeAmount("-5".into())),
            ("1.2.3", Error::MalformedAmount("1.2.3".into())),
            ("1,2.3", Error::MalformedAmount("1,2.3".into())),
            (".5", Error::MalformedAmount(".5".into())),
            ("5.", Error::MalformedAmount("5.".into())),
            (
                "1.005",
                Error::TooManyDecimals {
                    text: "1.005".into(),
                    currency: "BYN",
                    max: 2,
                },
            ),
            (
                "1000000000000.01",
                Error::AmountTooLarge("1000000000000.01".into()),
            ),
            (
                "99999999999999999999999",
                Error::AmountTooLarge("99999999999999999999999".into()),
            ),
        ] {
            assert_eq!(Money::parse(text, byn), Err(expected), "{text:?}");
        }
        assert!(matches!(
            Money::parse("1.5", cur("JPY")),
            Err(Error::TooManyDecimals { max: 0, .. })
        ));
    }

    #[test]
    fn display_uses_the_currency_exponent() {
        for (minor, code, text) in [
            (29990, "BYN", "299.90"),
            (5, "BYN", "0.05"),
            (1200, "JPY", "1200"),
            (1005, "KWD", "1.005"),
            (-50, "BYN", "-0.50"),
            (0, "KWD", "0.000"),
        ] {
            assert_eq!(Money::from_minor(minor, cur(code)).to_string(), text);
        }
    }

    #[test]
    fn split_table() {
        for (total, code, count, expected) in [
            ("100", "BYN", 3, vec!["33.34", "33.33", "33.33"]),
            ("299.90", "BYN", 3, vec!["99.97", "99.97", "99.96"]),
            ("0.02", "BYN", 3, vec!["0.01", "0.01", "0.00"]),
            ("1000", "JPY", 3, vec!["334", "333", "333"]),
            ("1.000", "KWD", 3, vec!["0.334", "0.333", "0.333"]),
            ("12", "BYN", 1, vec!["12.00"]),
        ] {
            let parts: Vec<String> = Money::parse(total, cur(code))
                .unwrap()
                .split(count)
                .unwrap()
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(parts, expected, "{total} {code} / {count}");
        }
    }

    #[test]
    fn split_refuses_bad_counts_and_negative_totals() {
        let byn = cur("BYN");
        let ten = Money::parse("10", byn).unwrap();
        assert_eq!(ten.split(0), Err(Error::InvalidInstallmentCount(0)));
        assert_eq!(ten.split(121), Err(Error::InvalidInstallmentCount(121)));
        assert!(Money::from_minor(-1, byn).split(2).is_err());
    }

    #[test]
    fn arithmetic_past_the_limit_is_refused_not_wrapped() {
        let byn = cur("BYN");
        let max = Money::parse("1000000000000", byn).unwrap();
        let cent = Money::parse("0.01", byn).unwrap();
        assert_eq!(
            max.checked_add(cent),
            Err(Error::AmountTooLarge("1000000000000.00 + 0.01".into()))
        );
        assert!(Money::from_minor(i64::MIN, byn).checked_sub(cent).is_err());
        let half = Money::from_minor(i64::MIN / 2, byn);
        assert!(
            half.checked_add(half).is_err(),
            "i64::MIN itself is past the limit"
        );
        assert!(Money::from_minor(i64::MAX / 2, byn).checked_mul(3).is_err());
        assert_eq!(max.checked_mul(1), Ok(max));
        assert!(cent.checked_mul(u32::MAX).is_ok());
    }

    #[test]
    fn decimals_convert_exactly_at_the_edges() {
        use rust_decimal::Decimal;
        for (value, code, expected) in [
            ("299.90", "BYN", Some(29990)),
            ("299.900", "BYN", Some(29990)),
            ("-0.5", "BYN", Some(-50)),
            ("1.005", "KWD", Some(1005)),
            ("1.005", "BYN", None),
            ("12.0", "JPY", Some(12)),
            ("12.5", "JPY", None),
            ("1000000000000", "KWD", Some(1_000_000_000_000_000)),
            ("1000000000000.001", "KWD", None),
            ("-1000000000001", "BYN", None),
        ] {
            let decimal: Decimal = value.parse().unwrap();
            let money = Money::from_decimal(decimal, cur(code));
            assert_eq!(
                money.as_ref().ok().map(|m| m.minor()),
                expected,
                "{value} {code}"
            );
            if let Ok(money) = money {
                assert_eq!(money.to_decimal(), decimal, "{value} back");
            }
        }
    }

    #[test]
    fn mixed_currencies_are_refused() {
        let a = Money::zero(cur("BYN"));
        let b = Money::zero(cur("KZT"));
        assert_eq!(a.checked_add(b), Err(Error::MixedCurrencies("BYN", "KZT")));
    }
}
