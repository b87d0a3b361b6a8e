//! Installment plans: what a shopper pays each month and in total.

use crate::{Error, Money, Rate, Rounding, money::check_installment_count};
use rust_decimal::Decimal;
#[cfg(feature = "annuity")]
use rust_decimal::MathematicalOps;

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
    monthly: Money,
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
        Self::marked_up(price, months, rate, None, rounding)
    }

    /// As [`Plan::markup`] for a provider that computes the total to `quote_places` decimals,
    /// half up, before it is rounded to the minor unit by `rounding`, as Turkish POS systems
    /// quote to four places: the badge then does the provider's own arithmetic.
    ///
    /// ```
    /// use installment_core::{Currency, Money, Plan, Rate, Rounding};
    /// let price = Money::parse("100", Currency::from_code("TRY")?)?;
    /// let rate = Rate::parse("0.000049501")?; // 100.0049501: 100.0050 to four places
    /// let once = Plan::markup(price, 1, rate, Rounding::HalfUp)?;
    /// let as_quoted = Plan::markup_as_quoted(price, 1, rate, 4, Rounding::HalfUp)?;
    /// assert_eq!((once.total().to_string(), as_quoted.total().to_string()), ("100.00".into(), "100.01".into()));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn markup_as_quoted(
        price: Money,
        months: u32,
        rate: Rate,
        quote_places: u32,
        rounding: Rounding,
    ) -> Result<Self, Error> {
        Self::marked_up(price, months, rate, Some(quote_places), rounding)
    }

    fn marked_up(
        price: Money,
        months: u32,
        rate: Rate,
        quote_places: Option<u32>,
        rounding: Rounding,
    ) -> Result<Self, Error> {
        check_installment_count(months)?;
        let too_large = || Error::AmountTooLarge(format!("{price} × (1 + {rate})"));
        // Checked operations throughout: rust_decimal's operators panic on overflow, and a
        // panic's message formatting costs the wasm kilobytes.
        let total = Decimal::ONE
            .checked_add(rate.as_decimal())
            .and_then(|factor| price.to_decimal().checked_mul(factor))
            .ok_or_else(too_large)?;
        let total = match quote_places {
            Some(places) => Rounding::HalfUp.round(total, places),
            None => total,
        };
        let total = Money::from_decimal_rounded(total, price.currency(), rounding)
            .map_err(|_| too_large())?;
        let payments = total.split(months)?;
        Ok(Self::from_parts(
            price,
            total,
            payments,
            PlanKind::Markup { rate, rounding },
        ))
    }

    /// A provider's quote (installment and total, already rounded to the minor unit), shown
    /// as the provider gave it: `months − 1` payments of `installment` and a last one that
    /// makes the total exact. Accepted only if that last payment is within one minor unit
    /// per month of the installment, and the total is not below the price (a discount the
    /// application, created for the price, would not carry).
    ///
    /// ```
    /// use installment_core::{Currency, Error, Money, Plan};
    /// let try_ = Currency::from_code("TRY")?;
    /// let m = |s| Money::parse(s, try_);
    /// let plan = Plan::quoted(m("120")?, 3, m("40.80")?, m("122.42")?)?;
    /// assert_eq!(plan.monthly().to_string(), "40.80");
    /// let payments: Vec<String> = plan.payments().iter().map(|p| p.to_string()).collect();
    /// assert_eq!(payments, ["40.80", "40.80", "40.82"]);
    /// assert!(matches!(Plan::quoted(m("120")?, 3, m("40.00")?, m("122.42")?), Err(Error::InconsistentQuote { .. })));
    /// assert!(matches!(Plan::quoted(m("120")?, 3, m("39.00")?, m("117")?), Err(Error::QuoteBelowPrice { .. })));
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
        let inconsistent = || Error::InconsistentQuote {
            months,
            installment: installment.to_string(),
            total: total.to_string(),
        };
        let before_last = installment
            .checked_mul(months - 1)
            .map_err(|_| inconsistent())?;
        let last = total.checked_sub(before_last)?;
        if installment.minor() < 0
            || last.minor() < 0
            || (last.minor() - installment.minor()).abs() >= i64::from(months)
        {
            return Err(inconsistent());
        }
        if total.minor() < price.minor() {
            return Err(Error::QuoteBelowPrice {
                months,
                total: total.to_string(),
                price: price.to_string(),
            });
        }
        let mut payments = vec![installment; months as usize - 1];
        payments.push(last);
        let mut plan = Self::from_parts(price, total, payments, PlanKind::Quoted);
        plan.monthly = installment;
        Ok(plan)
    }

    /// An amortizing loan of `price` over `months` at `monthly_rate`, with its schedule.
    ///
    /// The level payment `P·r·(1+r)^n / ((1+r)^n − 1)` is computed in `rust_decimal` (28
    /// significant digits) and rounded once by `rounding`. Interest accrues exactly on the
    /// exact balance, and each month charges the cumulative interest rounded by `rounding`
    /// less what earlier months charged, so interest rounding never accumulates. The last
    /// payment settles what the level's rounding left, so the balance ends at exactly zero:
    /// it exceeds the level payment only by what rounding the level down saved the shopper
    /// earlier (with its interest), plus under one minor unit. At a zero rate the payments
    /// are exactly [`Money::split`]. Overflow is refused, never wrapped.
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
        let currency = price.currency();
        let money = |minor| Money::from_minor(minor, currency);
        let too_large = || {
            Error::AmountTooLarge(format!(
                "annuity of {price} at {monthly_rate} a month over {months} months"
            ))
        };
        let rate = monthly_rate.as_decimal();
        let level = if monthly_rate.is_zero() {
            None
        } else {
            let growth = Decimal::ONE
                .checked_add(rate)
                .and_then(|factor| factor.checked_powu(u64::from(months)))
                .ok_or_else(too_large)?;
            let level = price
                .to_decimal()
                .checked_mul(rate)
                .and_then(|owed| owed.checked_mul(growth))
                .and_then(|owed| owed.checked_div(growth.checked_sub(Decimal::ONE)?))
                .ok_or_else(too_large)?;
            Some(Money::from_decimal_rounded(level, currency, rounding)?.minor())
        };
        let split = price.split(months)?;
        // Interest accrues exactly on the exact balance; each month charges the rounded
        // cumulative interest less what earlier months charged, so rounding never adds up.
        let mut balance = price.to_decimal();
        let (mut accrued, mut charged) = (Decimal::ZERO, 0_i64);
        let mut remaining = price.minor();
        let mut schedule = Vec::with_capacity(months as usize);
        for (month, share) in (1..=months).zip(split) {
            let accruing = balance.checked_mul(rate).ok_or_else(too_large)?;
            let accruing = accruing.max(Decimal::ZERO);
            accrued = accrued.checked_add(accruing).ok_or_else(too_large)?;
            let due = Money::from_decimal_rounded(accrued, currency, rounding)?.minor();
            let interest = due - charged;
            charged = due;
            let principal = match level {
                _ if month == months => remaining,
                Some(level) => (level - interest).clamp(0, remaining),
                None => share.minor(),
            };
            remaining -= principal;
            let payment = money(principal + interest);
            balance = balance
                .checked_add(accruing)
                .and_then(|owed| owed.checked_sub(payment.to_decimal()))
                .ok_or_else(too_large)?;
            schedule.push(ScheduleRow {
                month,
                payment,
                interest: money(interest),
                principal: money(principal),
                remaining: money(remaining),
            });
        }
        let payments: Vec<Money> = schedule.iter().map(|row| row.payment).collect();
        let total = payments
            .iter()
            .try_fold(Money::zero(currency), |sum, payment| {
                sum.checked_add(*payment)
            })?;
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
        let largest = payments.iter().map(|p| p.minor()).max().unwrap_or_default();
        Self {
            months: payments.len() as u32,
            price,
            total,
            monthly: Money::from_minor(largest, price.currency()),
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

    /// What "per month" means for this plan: the provider's own installment for a quoted
    /// plan, as the provider gave it; the largest payment for every other kind.
    ///
    /// ```
    /// # use installment_core::{Currency, Money, Plan};
    /// # let price = Money::parse("10", Currency::from_code("BYN")?)?;
    /// assert_eq!(Plan::interest_free(price, 3)?.monthly().to_string(), "3.34");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn monthly(&self) -> Money {
        self.monthly
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
        // Checked independently with exact fractions (scripts/dev/annuity-cases.py):
        // 11 × 88.85 + 88.83 − 1000; interest rounding no longer accumulates into the last.
        assert_eq!(plan.overpayment().to_string(), "66.18");
    }

    #[cfg(feature = "annuity")]
    #[test]
    fn annuity_at_zero_rate_is_a_split() {
        for rounding in Rounding::ALL {
            let price = money("100", "BYN");
            let plan = Plan::annuity(price, 3, Rate::ZERO, rounding).unwrap();
            assert_eq!(plan.payments(), price.split(3).unwrap(), "{rounding:?}");
            assert_eq!(plan.total(), price);
        }
    }

    /// Computed independently with exact fractions by `scripts/dev/annuity-cases.py`:
    /// price, monthly rate, months, rounding, first, last, total and largest payment.
    #[cfg(feature = "annuity")]
    #[test]
    fn annuity_table_matches_exact_fractions() {
        use Rounding::*;
        let cases = [
            (
                "1000.00", "0.015", 12, Up, "91.68", "91.68", "1100.16", "91.68",
            ),
            (
                "1000.00", "0.015", 12, Down, "91.67", "91.80", "1100.17", "91.80",
            ),
            (
                "1000.00", "0.015", 12, HalfUp, "91.68", "91.68", "1100.16", "91.68",
            ),
            (
                "1000.00", "0.015", 12, HalfEven, "91.68", "91.68", "1100.16", "91.68",
            ),
            ("299.90", "0", 12, Up, "25.00", "24.99", "299.90", "25.00"),
            ("299.90", "0", 12, Down, "25.00", "24.99", "299.90", "25.00"),
            (
                "299.90", "0", 12, HalfUp, "25.00", "24.99", "299.90", "25.00",
            ),
            (
                "299.90", "0", 12, HalfEven, "25.00", "24.99", "299.90", "25.00",
            ),
            ("100.00", "0", 120, Up, "0.84", "0.83", "100.00", "0.84"),
            ("100.00", "0", 120, Down, "0.84", "0.83", "100.00", "0.84"),
            ("100.00", "0", 120, HalfUp, "0.84", "0.83", "100.00", "0.84"),
            (
                "100.00", "0", 120, HalfEven, "0.84", "0.83", "100.00", "0.84",
            ),
            ("0.01", "0.01", 120, Up, "0.01", "0.00", "0.02", "0.01"),
            ("0.01", "0.01", 120, Down, "0.00", "0.01", "0.02", "0.01"),
            ("0.01", "0.01", 120, HalfUp, "0.00", "0.01", "0.02", "0.01"),
            (
                "0.01", "0.01", 120, HalfEven, "0.00", "0.01", "0.02", "0.01",
            ),
        ];
        for (price, rate, months, rounding, first, last, total, largest) in cases {
            let plan = Plan::annuity(
                money(price, "BYN"),
                months,
                Rate::parse(rate).unwrap(),
                rounding,
            )
            .unwrap();
            let payments = plan.payments();
            let got = (
                payments[0].to_string(),
                payments[payments.len() - 1].to_string(),
                plan.total().to_string(),
                plan.largest_payment().to_string(),
            );
            assert_eq!(
                got,
                (first.into(), last.into(), total.into(), largest.into()),
                "{price} at {rate} over {months} {rounding:?}"
            );
            assert_eq!(
                plan.monthly(),
                plan.largest_payment(),
                "advertised is the largest"
            );
            assert_eq!(plan.schedule().last().unwrap().remaining.minor(), 0);
        }
    }
}
