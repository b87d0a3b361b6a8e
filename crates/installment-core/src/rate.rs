//! Rates as exact decimal fractions: `"0.025"` is 2.5 %.

use crate::Error;
use core::fmt;

/// A non-negative decimal fraction with at most 9 places, kept as `mantissa / 10^scale`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rate {
    mantissa: u64,
    scale: u32,
}

/// The most decimal places a rate may have.
const MAX_RATE_SCALE: u32 = 9;

impl Rate {
    /// Zero: an interest-free plan.
    pub const ZERO: Rate = Rate {
        mantissa: 0,
        scale: 0,
    };

    /// Parses `"0.12"` (12 %), `"0"`, `"1.5"`; refuses signs, exponents, more than 9 places,
    /// and rates of 100 (10 000 %) or more.
    ///
    /// ```
    /// use installment_core::Rate;
    /// assert_eq!(Rate::parse("0.025")?.to_string(), "0.025");
    /// assert!(Rate::parse("-0.1").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidRate(text.to_owned());
        let (integer, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if integer.is_empty()
            || integer.len() > 2
            || !all_digits(integer)
            || !all_digits(fraction)
            || fraction.len() > MAX_RATE_SCALE as usize
            || (text.as_bytes().contains(&b'.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        let mantissa = format!("{integer}{fraction}")
            .parse()
            .map_err(|_| invalid())?;
        Ok(Self {
            mantissa,
            scale: fraction.len() as u32,
        }
        .normalized())
    }

    /// Builds a rate from basis points (1/100 of a percent): `250` is 2.5 %.
    ///
    /// ```
    /// use installment_core::Rate;
    /// assert_eq!(Rate::from_basis_points(250).to_string(), "0.025");
    /// ```
    pub fn from_basis_points(points: u32) -> Self {
        Self {
            mantissa: u64::from(points),
            scale: 4,
        }
        .normalized()
    }

    fn normalized(mut self) -> Self {
        while self.scale > 0 && self.mantissa.is_multiple_of(10) {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// Whether the rate is zero.
    ///
    /// ```
    /// # use installment_core::Rate;
    /// assert!(Rate::parse("0.000")?.is_zero());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The rate as `(numerator, denominator)` with denominator `10^scale`.
    ///
    /// ```
    /// # use installment_core::Rate;
    /// assert_eq!(Rate::parse("0.025")?.as_fraction(), (25, 1000));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn as_fraction(self) -> (u64, u64) {
        (self.mantissa, 10_u64.pow(self.scale))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (numerator, denominator) = self.as_fraction();
        if self.scale == 0 {
            write!(f, "{numerator}")
        } else {
            let width = self.scale as usize;
            write!(
                f,
                "{}.{:0width$}",
                numerator / denominator,
                numerator % denominator
            )
        }
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
            ("0.0000000001", None),
            ("-0.1", None),
            ("1e-2", None),
            (".5", None),
            ("5.", None),
            ("", None),
            ("100", None),
            ("NaN", None),
        ] {
            assert_eq!(
                Rate::parse(text).ok().map(|r| r.to_string()).as_deref(),
                expected,
                "{text}"
            );
        }
    }
}
