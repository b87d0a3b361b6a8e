//! Installment plans: what a shopper pays each month and in total.

use crate::{Error, Money, Rate, Rounding, money::check_installment_count};

/// How a plan's total was arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// The price split into equal installments.
    InterestFree,
    /// `total = price × (1 + rate)`, rounded by a named strategy, then split.
    Markup {
        /// The markup over the whole term (not per month).
        rate: Rate,
        /// How the total is rounded to the minor unit.
        rounding: Rounding,
    },
    /// A provider's own numbers, checked to add up.
    Quoted,
    /// Equal payments of an amortizing loan at a monthly rate.
    Annuity {
        /// The interest rate per month.
        monthly_rate: Rate,
        /// How the payment and each month's interest are rounded.
        rounding: Rounding,
    },
}

/// One month of an annuity schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRow {
    /// 1-based month number.
    pub month: u32,
    /// What is paid this month.
    pub payment: Money,
    /// The interest part of the payment.
    pub interest: Money,
    /// The principal part of the payment.
    pub principal: Money,
    /// Principal still owed after this payment; zero after the last.
    pub remaining: Money,
}

/// A plan: months, each payment, the total; payments always add up to the total exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    months: u32,
    price: Money,
    total: Money,
    payments: Vec<Money>,
    kind: PlanKind,
    schedule: Vec<ScheduleRow>,
}

impl Plan {
    /// The price in `months` equal installments, larger ones first.
    ///
    /// ```
    /// use installment_core::{Currency, Money, Plan};
    /// let price = Money::parse("299.90", Currency::from_code("BYN")?)?;
    /// let plan = Plan::interest_free(price, 3)?;
    /// assert_eq!(plan.largest_payment().to_string(), "99.97");
    /// assert_eq!(plan.total(), price);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn interest_free(price: Money, months: u32) -> Result<Self, Error> {
        let payments = price.split(months)?;
        Ok(Self::from_parts(
            price,
            price,
            payments,
            PlanKind::InterestFree,
        ))
    }

    /// `total = price × (1 + rate)` rounded by `rounding`, then split into `months`.
    ///
    /// ```
    /// use installment_core::{Currency, Money, Plan, Rate, Rounding};
    /// let price = Money::parse("100", Currency::from_code("TRY")?)?;
    /// let plan = Plan::markup(price, 6, Rate::parse("0.0999")?, Rounding::HalfUp)?;
    /// assert_eq!(plan.total().to_string(), "109.99");
    /// assert_eq!(plan.overpayment().to_string(), "9.99");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn markup(
        price: Money,
        months: u32,
        rate: Rate,
        rounding: Rounding,
    ) -> Result<Self, Error> {
        check_installment_count(months)?;
        let (numerator, denominator) = rate.as_fraction();
        let scaled = i128::from(price.minor()) * i128::from(denominator + numerator);
        let total_minor = rounding.divide(scaled, i128::from(denominator));
        let total = Money::from_minor(
            i64::try_from(total_minor).map_err(|_| Error::AmountTooLarge(price.to_string()))?,
            price.currency(),
        );
        let payments = total.split(months)?;
        Ok(Self::from_parts(
            price,
            total,
            payments,
            PlanKind::Markup { rate, rounding },
        ))
    }

    /// A provider's quote (installment and total, already rounded to the minor unit),
    /// accepted only if `months × installment` is within one minor unit per month of the
    /// total. The payments are the total split by the rule of [`Money::split`], so they add
    /// up exactly and the largest is never below the provider's installment by a whole unit.
    ///
    /// ```
    /// use installment_core::{Currency, Error, Money, Plan};
    /// let try_ = Currency::from_code("TRY")?;
    /// let m = |s| Money::parse(s, try_);
    /// let plan = Plan::quoted(m("120")?, 3, m("40.81")?, m("122.42")?)?;
    /// assert_eq!(plan.largest_payment().to_string(), "40.81");
    /// assert!(matches!(Plan::quoted(m("120")?, 3, m("40.00")?, m("122.42")?), Err(Error::InconsistentQuote { .. })));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn quoted(
        price: Money,
        months: u32,
        installment: Money,
        total: Money,
    ) -> Result<Self, Error> {
        check_installment_count(months)?;
        price.checked_sub(total)?;
        installment.checked_sub(total)?;
        let deviation = (installment.minor() * i64::from(months) - total.minor()).abs();
        if deviation >= i64::from(months) || total.minor() < 0 {
            return Err(Error::InconsistentQuote {
                months,
                installment: installment.to_string(),
                total: total.to_string(),
            });
        }
        let payments = total.split(months)?;
        Ok(Self::from_parts(price, total, payments, PlanKind::Quoted))
    }

    /// An amortizing loan of `price` over `months` at `monthly_rate`, with its schedule.
    ///
    /// The payment is `P·r·(1+r)^n / ((1+r)^n − 1)` computed exactly (in big integers) and
    /// rounded by `rounding`; each month's interest is `remaining × r` rounded the same
    /// way. The last payment absorbs what rounding left, so the balance ends at exactly zero.
    ///
    /// ```
    /// use installment_core::{Currency, Money, Plan, Rate, Rounding};
    /// let price = Money::parse("1000", Currency::from_code("KZT")?)?;
    /// let plan = Plan::annuity(price, 12, Rate::parse("0.02")?, Rounding::HalfUp)?;
    /// assert_eq!(plan.payments()[0].to_string(), "94.56");
    /// assert_eq!(plan.schedule().last().unwrap().remaining.minor(), 0);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    #[cfg(feature = "annuity")]
    pub fn annuity(
        price: Money,
        months: u32,
        monthly_rate: Rate,
        rounding: Rounding,
    ) -> Result<Self, Error> {
        check_installment_count(months)?;
        if price.minor() < 0 {
            return Err(Error::NegativeAmount(price.to_string()));
        }
        let (rate_numerator, rate_denominator) = monthly_rate.as_fraction();
        let level = annuity::level_payment(
            price.minor(),
            months,
            rate_numerator,
            rate_denominator,
            rounding,
        );
        let currency = price.currency();
        let money = |minor| Money::from_minor(minor, currency);
        let mut remaining = price.minor();
        let mut schedule = Vec::with_capacity(months as usize);
        for month in 1..=months {
            let interest = rounding.divide(
                i128::from(remaining) * i128::from(rate_numerator),
                i128::from(rate_denominator),
            ) as i64;
            let principal = if month == months {
                remaining
            } else {
                (level - interest).clamp(0, remaining)
            };
            remaining -= principal;
            schedule.push(ScheduleRow {
                month,
                payment: money(principal + interest),
                interest: money(interest),
                principal: money(principal),
                remaining: money(remaining),
            });
        }
        let payments: Vec<Money> = schedule.iter().map(|row| row.payment).collect();
        let total = money(payments.iter().map(|p| p.minor()).sum());
        let mut plan = Self::from_parts(
            price,
            total,
            payments,
            PlanKind::Annuity {
                monthly_rate,
                rounding,
            },
        );
        plan.schedule = schedule;
        Ok(plan)
    }

    fn from_parts(price: Money, total: Money, payments: Vec<Money>, kind: PlanKind) -> Self {
        Self {
            months: payments.len() as u32,
            price,
            total,
            payments,
            kind,
            schedule: Vec::new(),
        }
    }

    /// Number of monthly payments.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 6)?.months(), 6);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn months(&self) -> u32 {
        self.months
    }

    /// The price the plan finances.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 6)?.price(), price);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn price(&self) -> Money {
        self.price
    }

    /// What the shopper pays in all: the exact sum of the payments.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 3)?.total().to_string(), "10.00");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn total(&self) -> Money {
        self.total
    }

    /// Every payment in order.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// let payments = Plan::interest_free(price, 3)?.payments().iter().map(|p| p.to_string()).collect::<Vec<_>>();
    /// assert_eq!(payments, ["3.34", "3.33", "3.33"]);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn payments(&self) -> &[Money] {
        &self.payments
    }

    /// The largest payment: what a badge advertises, so it never understates.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 3)?.largest_payment().to_string(), "3.34");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn largest_payment(&self) -> Money {
        let largest = self
            .payments
            .iter()
            .map(|p| p.minor())
            .max()
            .unwrap_or_default();
        Money::from_minor(largest, self.price.currency())
    }

    /// `total − price`: what the installments cost over paying at once.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 3)?.overpayment().minor(), 0);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn overpayment(&self) -> Money {
        Money::from_minor(
            self.total.minor() - self.price.minor(),
            self.price.currency(),
        )
    }

    /// How the plan was computed.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan, PlanKind};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 3)?.kind(), PlanKind::InterestFree);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn kind(&self) -> PlanKind {
        self.kind
    }

    /// The month-by-month schedule of an annuity; empty for other kinds.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert!(Plan::interest_free(price, 3)?.schedule().is_empty());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn schedule(&self) -> &[ScheduleRow] {
        &self.schedule
    }
}

#[cfg(feature = "annuity")]
mod annuity {
    use crate::Rounding;
    use num_bigint::BigUint;
    use num_integer::Integer;
    use num_traits::{ToPrimitive, Zero};

    /// The level payment in minor units, exactly: `P·m·B^n / (D·(B^n − D^n))` where the rate
    /// is `m/D` and `B = D + m`, rounded once by `rounding`.
    pub(super) fn level_payment(
        principal: i64,
        months: u32,
        numerator: u64,
        denominator: u64,
        rounding: Rounding,
    ) -> i64 {
        if numerator == 0 {
            return rounding.divide(i128::from(principal), i128::from(months)) as i64;
        }
        let principal = BigUint::from(principal.unsigned_abs());
        let (m, d) = (BigUint::from(numerator), BigUint::from(denominator));
        let grown = (&d + &m).pow(months);
        let top = principal * &m * &grown;
        let bottom = &d * (grown - d.pow(months));
        let (quotient, remainder) = top.div_rem(&bottom);
        let away = !remainder.is_zero()
            && rounding.rounds_away((&remainder * 2u32).cmp(&bottom), quotient.is_odd());
        let quotient = if away { quotient + 1u32 } else { quotient };
        // Bounded by the principal times (1 + rate): fits, as principal ≤ 10^16 and rate < 100.
        quotient.to_i64().unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn money(text: &str, code: &str) -> Money {
        Money::parse(text, Currency::from_code(code).unwrap()).unwrap()
    }

    #[test]
    fn markup_table() {
        for (price, code, months, rate, rounding, total, first) in [
            (
                "100",
                "TRY",
                6,
                "0.0999",
                Rounding::HalfUp,
                "109.99",
                "18.34",
            ),
            (
                "299.90",
                "BYN",
                12,
                "0.05",
                Rounding::HalfUp,
                "314.90",
                "26.25",
            ),
            (
                "299.90",
                "BYN",
                12,
                "0.045",
                Rounding::HalfUp,
                "313.40",
                "26.12",
            ),
            (
                "299.90",
                "BYN",
                12,
                "0.045",
                Rounding::Down,
                "313.39",
                "26.12",
            ),
            (
                "299.90",
                "BYN",
                12,
                "0.045",
                Rounding::Up,
                "313.40",
                "26.12",
            ),
            ("1001", "JPY", 3, "0.015", Rounding::HalfEven, "1016", "339"),
            (
                "1000",
                "JPY",
                3,
                "0.0005",
                Rounding::HalfEven,
                "1000",
                "334",
            ),
            (
                "1000",
                "JPY",
                3,
                "0.0015",
                Rounding::HalfEven,
                "1002",
                "334",
            ),
        ] {
            let plan = Plan::markup(
                money(price, code),
                months,
                Rate::parse(rate).unwrap(),
                rounding,
            )
            .unwrap();
            assert_eq!(
                plan.total().to_string(),
                total,
                "{price} {rate} {rounding:?}"
            );
            assert_eq!(
                plan.payments()[0].to_string(),
                first,
                "{price} {rate} {rounding:?}"
            );
        }
    }

    #[test]
    fn quoted_plans_are_checked() {
        let try_ = |s| money(s, "TRY");
        assert!(Plan::quoted(try_("120"), 3, try_("40.81"), try_("122.42")).is_ok());
        assert!(Plan::quoted(try_("120"), 3, try_("40.80"), try_("122.42")).is_ok());
        assert!(Plan::quoted(try_("120"), 3, try_("40.82"), try_("122.42")).is_err());
        assert!(Plan::quoted(try_("120"), 3, try_("45.00"), try_("122.42")).is_err());
        let byn = money("1", "BYN");
        assert_eq!(
            Plan::quoted(try_("120"), 3, try_("40.81"), byn),
            Err(Error::MixedCurrencies("TRY", "BYN"))
        );
    }

    #[cfg(feature = "annuity")]
    #[test]
    fn annuity_schedule_matches_the_textbook() {
        // 1000 at 1 %/month over 12 months: the textbook payment is 88.85 (88.8487...).
        let plan = Plan::annuity(
            money("1000", "BYN"),
            12,
            Rate::parse("0.01").unwrap(),
            Rounding::HalfUp,
        )
        .unwrap();
        assert_eq!(plan.payments()[0].to_string(), "88.85");
        let first = plan.schedule()[0];
        assert_eq!(
            (first.interest.to_string(), first.principal.to_string()),
            ("10.00".into(), "78.85".into())
        );
        assert_eq!(plan.schedule()[11].remaining.minor(), 0);
        assert_eq!(
            plan.total().minor(),
            plan.payments().iter().map(|p| p.minor()).sum::<i64>()
        );
        // Checked independently with exact fractions: 11 × 88.85 + 88.84 − 1000.
        assert_eq!(plan.overpayment().to_string(), "66.19");
    }

    #[cfg(feature = "annuity")]
    #[test]
    fn annuity_at_zero_rate_is_a_split() {
        let plan = Plan::annuity(money("100", "BYN"), 3, Rate::ZERO, Rounding::Up).unwrap();
        let payments: Vec<String> = plan.payments().iter().map(ToString::to_string).collect();
        assert_eq!(payments, ["33.34", "33.34", "33.32"]);
        assert_eq!(plan.total().to_string(), "100.00");
    }
}
