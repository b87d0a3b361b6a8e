//! ISO 4217 currencies: a code and its minor unit (the exponent), nothing more.

mod table;

use crate::Error;
use core::fmt;

/// A currency as `{code, exponent}`: `BYN` has 2 decimal places, `JPY` 0, `KWD` 3.
///
/// Only the static table of active ISO 4217 codes can create one, so a `Currency` is
/// always known and its exponent is ISO's (not CLDR's: `IQD` has 3 here).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// Looks up an active ISO 4217 code, ASCII case-insensitively.
    ///
    /// ```
    /// use installment_core::Currency;
    /// assert_eq!(Currency::from_code("byn")?.exponent(), 2);
    /// assert_eq!(Currency::from_code("KWD")?.exponent(), 3);
    /// assert!(Currency::from_code("XXX").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn from_code(code: &str) -> Result<Self, Error> {
        let upper = code.trim().to_ascii_uppercase();
        table::ACTIVE
            .binary_search_by(|c| c.code.cmp(upper.as_str()))
            .map(|at| table::ACTIVE[at])
            .map_err(|_| Error::UnknownCurrency(code.to_owned()))
    }

    /// The three-letter ISO code.
    ///
    /// ```
    /// # use installment_core::Currency;
    /// assert_eq!(Currency::from_code("kzt")?.code(), "KZT");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn code(self) -> &'static str {
        self.code
    }

    /// The number of decimal places of the minor unit.
    ///
    /// ```
    /// # use installment_core::Currency;
    /// assert_eq!(Currency::from_code("JPY")?.exponent(), 0);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub const fn exponent(self) -> u8 {
        self.exponent
    }

    /// Every active code, sorted: for documentation and for the proxy's validation.
    ///
    /// ```
    /// # use installment_core::Currency;
    /// assert!(Currency::all().iter().any(|c| c.code() == "BYN"));
    /// ```
    pub fn all() -> &'static [Currency] {
        table::ACTIVE
    }

    /// `10^exponent`: minor units in one major unit.
    pub(crate) const fn minor_per_major(self) -> i64 {
        10_i64.pow(self.exponent as u32)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.code, self.exponent)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(table::ACTIVE.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn exponents_follow_iso_not_cldr() {
        for (code, exponent) in [
            ("JPY", 0),
            ("KRW", 0),
            ("ISK", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("IQD", 3),
            ("JOD", 3),
            ("OMR", 3),
            ("TND", 3),
            ("LYD", 3),
            ("BYN", 2),
            ("KZT", 2),
            ("TRY", 2),
            ("RUB", 2),
            ("CLF", 4),
        ] {
            assert_eq!(
                Currency::from_code(code).unwrap().exponent(),
                exponent,
                "{code}"
            );
        }
    }

    #[test]
    fn unknown_codes_are_errors() {
        for code in ["", "XXX", "XAU", "BYR", "HRK", "EURO", "by"] {
            assert_eq!(
                Currency::from_code(code),
                Err(Error::UnknownCurrency(code.to_owned())),
                "{code}"
            );
        }
    }
}
