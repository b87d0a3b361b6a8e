//! Named rounding strategies: no operation here rounds by default.

use rust_decimal::{Decimal, RoundingStrategy};

/// How a value that falls between two minor units is settled: a name on the wire and in
/// configuration for one of `rust_decimal`'s strategies.
///
/// | strategy   | 2.5 | 2.4 | -2.5 | `rust_decimal`           |
/// |------------|-----|-----|------|--------------------------|
/// | `Up`       | 3   | 3   | -3   | `AwayFromZero`           |
/// | `Down`     | 2   | 2   | -2   | `ToZero`                 |
/// | `HalfUp`   | 3   | 2   | -3   | `MidpointAwayFromZero`   |
/// | `HalfEven` | 2   | 2   | -2   | `MidpointNearestEven`    |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Rounding {
    /// Away from zero: a shopper is never quoted less than they pay.
    Up,
    /// Toward zero (truncation).
    Down,
    /// To the nearest; a half goes away from zero.
    HalfUp,
    /// To the nearest; a half goes to the even neighbour (banker's rounding).
    HalfEven,
}

impl Rounding {
    /// Every strategy, in the order of the table above.
    pub const ALL: [Self; 4] = [Self::Up, Self::Down, Self::HalfUp, Self::HalfEven];

    /// The wire name.
    ///
    /// ```
    /// use installment_core::Rounding;
    /// assert_eq!(Rounding::HalfEven.as_str(), "half_even");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
            Self::HalfUp => "half_up",
            Self::HalfEven => "half_even",
        }
    }

    /// Parses a wire name.
    ///
    /// ```
    /// use installment_core::Rounding;
    /// assert_eq!(Rounding::parse("half_up")?, Rounding::HalfUp);
    /// assert!(Rounding::parse("HALF_UP").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self, crate::Error> {
        Self::ALL
            .into_iter()
            .find(|strategy| strategy.as_str() == name)
            .ok_or_else(|| crate::Error::UnknownVariant(name.to_owned()))
    }

    /// The `rust_decimal` strategy this name stands for.
    ///
    /// ```
    /// use installment_core::Rounding;
    /// use rust_decimal::RoundingStrategy;
    /// assert_eq!(Rounding::HalfEven.strategy(), RoundingStrategy::MidpointNearestEven);
    /// ```
    pub const fn strategy(self) -> RoundingStrategy {
        match self {
            Self::Up => RoundingStrategy::AwayFromZero,
            Self::Down => RoundingStrategy::ToZero,
            Self::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }

    /// `value` rounded to `places` decimal places by this strategy.
    ///
    /// ```
    /// use installment_core::Rounding;
    /// use rust_decimal::Decimal;
    /// let value: Decimal = "40.8050".parse()?;
    /// assert_eq!(Rounding::HalfUp.round(value, 2).to_string(), "40.81");
    /// assert_eq!(Rounding::HalfEven.round(value, 2).to_string(), "40.80");
    /// # Ok::<(), rust_decimal::Error>(())
    /// ```
    pub fn round(self, value: Decimal, places: u32) -> Decimal {
        value.round_dp_with_strategy(places, self.strategy())
    }
}

#[cfg(test)]
mod tests {
    use super::Rounding::{self, *};
    use rust_decimal::Decimal;

    #[test]
    fn table() {
        let cases: &[(&str, Rounding, &str)] = &[
            ("2.5", Up, "3"),
            ("2.4", Up, "3"),
            ("2", Up, "2"),
            ("-2.5", Up, "-3"),
            ("2.5", Down, "2"),
            ("2.9", Down, "2"),
            ("-2.9", Down, "-2"),
            ("2.5", HalfUp, "3"),
            ("2.4", HalfUp, "2"),
            ("-2.5", HalfUp, "-3"),
            ("2.5", HalfEven, "2"),
            ("3.5", HalfEven, "4"),
            ("2.6", HalfEven, "3"),
            ("-2.5", HalfEven, "-2"),
            ("-3.5", HalfEven, "-4"),
            ("0", Up, "0"),
        ];
        for &(value, strategy, expected) in cases {
            let value: Decimal = value.parse().unwrap();
            assert_eq!(
                strategy.round(value, 0).to_string(),
                expected,
                "{value} {strategy:?}"
            );
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn wire_names_are_serdes() {
        for strategy in Rounding::ALL {
            let json = serde_json::to_string(&strategy).unwrap();
            assert_eq!(json, format!("\"{}\"", strategy.as_str()));
            assert_eq!(Rounding::parse(strategy.as_str()), Ok(strategy));
        }
    }
}
