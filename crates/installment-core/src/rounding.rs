//! Named rounding strategies: no operation here rounds by default.

use core::cmp::Ordering;

/// How a quotient that falls between two minor units is settled.
///
/// | strategy   | 2.5 | 2.4 | -2.5 |
/// |------------|-----|-----|------|
/// | `Up`       | 3   | 3   | -3   |
/// | `Down`     | 2   | 2   | -2   |
/// | `HalfUp`   | 3   | 2   | -3   |
/// | `HalfEven` | 2   | 2   | -2   |
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

    /// Divides `numerator` by a positive `denominator`, rounding the quotient by `self`.
    ///
    /// ```
    /// use installment_core::Rounding;
    /// assert_eq!(Rounding::Up.divide(7, 2), 4);
    /// assert_eq!(Rounding::HalfEven.divide(5, 2), 2);
    /// assert_eq!(Rounding::HalfUp.divide(-5, 2), -3);
    /// ```
    ///
    /// # Panics
    ///
    /// If `denominator` is not positive: callers pass constants or validated counts.
    pub fn divide(self, numerator: i128, denominator: i128) -> i128 {
        assert!(denominator > 0, "denominator must be positive");
        let quotient = numerator / denominator; // truncates toward zero
        let remainder = numerator % denominator;
        if remainder == 0 {
            return quotient;
        }
        let away = if numerator < 0 { -1 } else { 1 };
        let half = (2 * remainder.abs()).cmp(&denominator);
        if self.rounds_away(half, quotient % 2 != 0) {
            quotient + away
        } else {
            quotient
        }
    }

    /// Whether a truncated quotient with a non-zero remainder moves one unit away from zero.
    /// `half` compares twice the remainder with the divisor; `odd` tells if the quotient is odd.
    pub(crate) fn rounds_away(self, half: Ordering, odd: bool) -> bool {
        match self {
            Self::Up => true,
            Self::Down => false,
            Self::HalfUp => half != Ordering::Less,
            Self::HalfEven => half == Ordering::Greater || (half == Ordering::Equal && odd),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rounding::{self, *};

    #[test]
    fn table() {
        let cases: &[(i128, i128, Rounding, i128)] = &[
            (25, 10, Up, 3),
            (24, 10, Up, 3),
            (20, 10, Up, 2),
            (-25, 10, Up, -3),
            (25, 10, Down, 2),
            (29, 10, Down, 2),
            (-29, 10, Down, -2),
            (25, 10, HalfUp, 3),
            (24, 10, HalfUp, 2),
            (-25, 10, HalfUp, -3),
            (25, 10, HalfEven, 2),
            (35, 10, HalfEven, 4),
            (26, 10, HalfEven, 3),
            (-25, 10, HalfEven, -2),
            (-35, 10, HalfEven, -4),
            (0, 7, Up, 0),
        ];
        for &(n, d, strategy, expected) in cases {
            assert_eq!(strategy.divide(n, d), expected, "{n}/{d} {strategy:?}");
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
