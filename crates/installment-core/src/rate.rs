//! Rates as exact decimal fractions: `"0.025"` is 2.5 %.

use crate::{Error, decimal};
use core::fmt;
use rust_decimal::Decimal;

/// A non-negative decimal fraction no larger than [`Rate::MAX`], held exactly by
/// `rust_decimal`: `"0.1749"` is 17.49 %.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Rate(Decimal);

impl Rate {
    /// Zero: an interest-free plan.
    pub const ZERO: Rate = Rate(Decimal::ZERO);

    /// The largest rate accepted anywhere: 10, that is 1 000 %. A markup over a whole term or
    /// a monthly rate above that is a typo, and would carry totals toward overflow.
    pub const MAX: Rate = Rate(Decimal::TEN);

    /// The most decimal places a rate may have: enough for a rate derived from a provider's
    /// four-place price at a reference amount of 10^6 (ten places) and then some.
    pub const MAX_PLACES: u32 = 16;

    /// Parses `"0.12"` (12 %), `"0"`, `"1.5"` exactly; refuses signs, exponents, grouping,
    /// more than [`Rate::MAX_PLACES`] places and rates above [`Rate::MAX`].
    ///
    /// ```
    /// use installment_core::Rate;
    /// assert_eq!(Rate::parse("0.025")?.to_string(), "0.025");
    /// assert!(Rate::parse("-0.1").is_err());
    /// assert!(Rate::parse("1_0").is_err());
    /// assert!(Rate::parse("10.5").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidRate(text.to_owned());
        let value = decimal::parse_plain(text.trim()).ok_or_else(invalid)?;
        Self::new(value).map_err(|_| invalid())
    }

    /// A rate from a decimal: refused when negative, above [`Rate::MAX`] or finer than
    /// [`Rate::MAX_PLACES`] places.
    ///
    /// ```
    /// use installment_core::Rate;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Rate::new(Decimal::new(250, 4))?.to_string(), "0.025");
    /// assert!(Rate::new(Decimal::new(-1, 2)).is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn new(value: Decimal) -> Result<Self, Error> {
        let value = value.normalize();
        if value.is_sign_negative() && !value.is_zero() || value > Self::MAX.0 {
            return Err(Error::InvalidRate(value.to_string()));
        }
        if value.scale() > Self::MAX_PLACES {
            return Err(Error::InvalidRate(value.to_string()));
        }
        // `normalize` keeps a negative zero's sign; a rate of zero has none.
        Ok(Self(if value.is_zero() {
            Decimal::ZERO
        } else {
            value
        }))
    }

    /// Builds a rate from basis points (1/100 of a percent): `250` is 2.5 %.
    ///
    /// ```
    /// use installment_core::Rate;
    /// assert_eq!(Rate::from_basis_points(250)?.to_string(), "0.025");
    /// assert!(Rate::from_basis_points(100_001).is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn from_basis_points(points: u32) -> Result<Self, Error> {
        Self::new(Decimal::new(i64::from(points), 4))
    }

    /// Whether the rate is zero.
    ///
    /// ```
    /// # use installment_core::Rate;
    /// assert!(Rate::parse("0.000")?.is_zero());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The rate as a decimal fraction.
    ///
    /// ```
    /// # use installment_core::Rate;
    /// assert_eq!(Rate::parse("0.0250")?.as_decimal().to_string(), "0.025");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn as_decimal(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rate({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        for (text, expected) in [
            ("0", Some("0")),
            ("0.0", Some("0")),
            ("0.12", Some("0.12")),
            ("1.5", Some("1.5")),
            ("0.000000001", Some("0.000000001")),
            ("0.020166490000", Some("0.02016649")),
            ("0.0000000000000001", Some("0.0000000000000001")),
            ("0.00000000000000001", None),
            ("10", Some("10")),
            ("10.0000001", None),
            ("-0.1", None),
            ("-0", None),
            ("+0.1", None),
            ("1e-2", None),
            ("1_0", None),
            (".5", None),
            ("5.", None),
            ("", None),
            ("100", None),
            ("NaN", None),
            ("99999999999999999999999999999999", None),
        ] {
            assert_eq!(
                Rate::parse(text).ok().map(|r| r.to_string()).as_deref(),
                expected,
                "{text}"
            );
        }
    }
}
