//! Property tests: the invariants of money hold for every currency, amount and term.
#![cfg(not(target_arch = "wasm32"))]

use installment_core::{
    Currency, Decimal, Error, Locale, MAX_MAJOR_UNITS, Money, Plan, Rate, Rounding, detect_card,
    format_money, parse_price_text,
};
use proptest::prelude::*;
use rust_decimal::MathematicalOps;

fn any_currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::all().to_vec())
}

/// Any amount from zero to the 10^12 limit, in any currency.
fn any_money() -> impl Strategy<Value = Money> {
    any_currency().prop_flat_map(|currency| {
        let max = MAX_MAJOR_UNITS * 10_i64.pow(u32::from(currency.exponent()));
        prop_oneof![0..1_000_000_i64, 0..=max]
            .prop_map(move |minor| Money::from_minor(minor, currency))
    })
}

fn any_rounding() -> impl Strategy<Value = Rounding> {
    prop::sample::select(vec![
        Rounding::Up,
        Rounding::Down,
        Rounding::HalfUp,
        Rounding::HalfEven,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn split_adds_up_spreads_at_most_one_unit_and_is_never_negative(total in any_money(), count in 1..=120_u32) {
        let parts = total.split(count).unwrap();
        prop_assert_eq!(parts.len(), count as usize);
        prop_assert_eq!(parts.iter().map(|p| p.minor()).sum::<i64>(), total.minor());
        prop_assert!(parts.iter().all(|p| p.minor() >= 0 && p.currency() == total.currency()));
        prop_assert!(parts.windows(2).all(|w| w[0].minor() >= w[1].minor()), "larger first");
        prop_assert!(parts[0].minor() - parts[parts.len() - 1].minor() <= 1);
        prop_assert_eq!(total.largest_installment(count).unwrap(), parts[0]);
    }

    #[test]
    fn markup_never_undercharges_with_up(price in any_money(), months in 1..=120_u32, basis in 0..5000_u32) {
        let rate = Rate::from_basis_points(basis).unwrap();
        let exact = price.to_decimal() * (Decimal::ONE + rate.as_decimal());
        match Plan::markup(price, months, rate, Rounding::Up) {
            Ok(plan) => {
                prop_assert!(plan.total().to_decimal() >= exact);
                prop_assert!(plan.total().to_decimal() - exact < Money::from_minor(1, price.currency()).to_decimal());
                prop_assert_eq!(plan.payments().iter().map(|p| p.minor()).sum::<i64>(), plan.total().minor());
            }
            Err(error) => {
                prop_assert!(matches!(error, Error::AmountTooLarge(_)), "{:?}", error);
                prop_assert!(exact > Decimal::from(MAX_MAJOR_UNITS));
            }
        }
    }

    #[test]
    fn annuity_schedule_ends_at_exactly_zero(
        price in any_money(),
        months in 1..=120_u32,
        basis in 0..800_u32,
        rounding in any_rounding(),
    ) {
        let plan = match Plan::annuity(price, months, Rate::from_basis_points(basis).unwrap(), rounding) {
            Ok(plan) => plan,
            Err(error) => {
                // Only a total past 10^12 is refused, and then by name.
                prop_assert!(matches!(error, Error::AmountTooLarge(_)), "{:?}", error);
                prop_assert!(price.minor() > MAX_MAJOR_UNITS / 100);
                return Ok(());
            }
        };
        let schedule = plan.schedule();
        prop_assert_eq!(schedule.len(), months as usize);
        prop_assert_eq!(schedule.last().unwrap().remaining.minor(), 0);
        let mut remaining = price.minor();
        for row in schedule {
            prop_assert!(row.payment.minor() >= 0 && row.interest.minor() >= 0 && row.principal.minor() >= 0);
            prop_assert_eq!(row.payment.minor(), row.interest.minor() + row.principal.minor());
            remaining -= row.principal.minor();
            prop_assert_eq!(row.remaining.minor(), remaining);
        }
        prop_assert_eq!(schedule.iter().map(|r| r.principal.minor()).sum::<i64>(), price.minor());
        prop_assert_eq!(plan.payments().iter().map(|p| p.minor()).sum::<i64>(), plan.total().minor());
        prop_assert_eq!(plan.monthly(), plan.largest_payment());
        if basis == 0 {
            let split = price.split(months).unwrap();
            prop_assert_eq!(plan.payments(), split.as_slice());
        }
    }

    /// The last payment exceeds the level payment only by what rounding the level down saved
    /// the shopper in the months before (with its interest), plus under one minor unit.
    #[test]
    fn annuity_last_payment_carries_only_the_shoppers_own_savings(
        major in 100..10_000_000_i64,
        months in 2..=120_u32,
        basis in 1..500_u32,
        rounding in any_rounding(),
    ) {
        let byn = Currency::from_code("BYN").unwrap();
        let price = Money::from_minor(major * 100, byn);
        let rate = Rate::from_basis_points(basis).unwrap().as_decimal();
        let plan = Plan::annuity(price, months, Rate::from_basis_points(basis).unwrap(), rounding).unwrap();
        let level = plan.payments()[0].to_decimal();
        let growth = (Decimal::ONE + rate).powi(i64::from(months));
        let exact_level = price.to_decimal() * rate * growth / (growth - Decimal::ONE);
        let saved = (exact_level - level).max(Decimal::ZERO);
        let carried: Decimal = (1..months).map(|k| saved * (Decimal::ONE + rate).powi(i64::from(months - k))).sum();
        let last = plan.payments()[months as usize - 1].to_decimal();
        prop_assert!(
            last - level <= carried + Money::from_minor(1, byn).to_decimal(),
            "last {} level {} carried {}", last, level, carried
        );
        prop_assert!(plan.largest_payment().to_decimal() >= level);
    }

    #[test]
    fn parsing_what_was_formatted_gives_back_the_amount(
        amount in any_money(),
        locale in prop::sample::select(Locale::all().collect::<Vec<_>>()),
    ) {
        let text = format_money(amount, locale);
        prop_assert_eq!(parse_price_text(&text, amount.currency(), Some(locale)), Ok(amount), "{:?}", text);
    }

    #[test]
    fn strict_parse_of_display_gives_back_the_amount(amount in any_money()) {
        prop_assert_eq!(Money::parse(&amount.to_string(), amount.currency()), Ok(amount));
    }

    #[test]
    fn a_detected_card_stays_detected_as_digits_are_added(start in "[0-9]{1,8}", more in "[0-9]{0,11}") {
        if let Some(found) = detect_card(&start).unwrap() {
            let longer = format!("{start}{more}");
            prop_assert_eq!(detect_card(&longer).unwrap().map(|c| c.association), Some(found.association));
        }
    }

    #[test]
    fn strict_parse_never_panics(text in ".{0,40}", currency in any_currency()) {
        let _ = Money::parse(&text, currency);
        let _ = parse_price_text(&text, currency, None);
    }
}
