//! The badge never shows less than the provider asks: Craftgate's rules, read by the adapter
//! from the simulator over loopback, against the simulator's own four-place pricing at
//! thousands of prices from the smallest to 10^6.
#![cfg(not(target_arch = "wasm32"))]

use installment_core::{Currency, Money, ProviderRules, Rounding};
use installment_proxy::{
    Provider,
    providers::Craftgate,
    sandbox::{
        Sandbox,
        conditions::{TURKISH_FAMILIES, four_place_quote},
    },
};
use proptest::{prelude::*, test_runner::TestRunner};
use std::time::Duration;

/// The rules the badge computes with for one card family: the provider's, with that family's
/// markups (the provider's own `markups` are the cheapest family's per term).
fn family_rules(answer: &installment_proxy::RulesAnswer, family: &str) -> ProviderRules {
    let mut rules = answer.rules[0].clone();
    rules.markups = answer
        .families
        .iter()
        .find(|f| f.family == family)
        .unwrap_or_else(|| panic!("{family} is in the rules"))
        .markups
        .clone();
    rules
}

/// Craftgate's rules in `currency`, as the adapter reads them off the simulator.
fn craftgate_rules(currency: Currency) -> installment_proxy::RulesAnswer {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let sandbox = Sandbox::start().await.unwrap();
        let adapter = Craftgate::new(sandbox.providers.craftgate.unwrap(), Duration::from_secs(5));
        adapter.rules(currency).await.unwrap()
    })
}

#[test]
fn craftgate_badges_are_never_below_craftgate_at_any_price() {
    let try_ = Currency::from_code("TRY").unwrap();
    let answer = craftgate_rules(try_);
    let max = answer.rules[0].max_amount.minor();
    assert_eq!(max, 100_000_000, "the badge covers prices up to 10^6");
    let prices = prop_oneof![
        1..=max,
        max - 1_000_000..=max,
        4_999_000..=5_001_000_i64, // around 50 000, the case that was found understated
        1..=100_000_i64,
    ];
    let mut runner = TestRunner::new(ProptestConfig::with_cases(4000));
    runner
        .run(&prices, |minor| {
            let price = Money::from_minor(minor, try_);
            for family in TURKISH_FAMILIES.iter().filter(|f| f.rates.len() > 1) {
                let rules = family_rules(&answer, family.family);
                let badge = rules.plans(price, None).unwrap();
                for &(months, rate) in family.rates.iter().filter(|(m, _)| *m > 1) {
                    let (installment, total) = four_place_quote(price, months, rate);
                    let shown =
                        |text: &str| Money::parse_rounded(text, try_, Rounding::HalfUp).unwrap();
                    let plan = badge.iter().find(|p| p.months() == months).unwrap();
                    prop_assert!(
                        plan.monthly().minor() >= shown(&installment).minor()
                            && plan.total().minor() >= shown(&total).minor(),
                        "{} {} months at {}: badge {}/{} below Craftgate {}/{}",
                        family.family,
                        months,
                        price,
                        plan.monthly(),
                        plan.total(),
                        installment,
                        total
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Where Craftgate's rate is exact, the badge says exactly what Craftgate says (no cent
/// added by the bound): interest-free stays interest-free, and 1200 × 1.0899 is 1307.88.
#[test]
fn craftgate_badges_equal_craftgate_where_the_rate_is_exact() {
    let try_ = Currency::from_code("TRY").unwrap();
    let answer = craftgate_rules(try_);
    let rules = family_rules(&answer, "Bonus");
    let price = Money::parse("1200", try_).unwrap();
    let bonus: Vec<u32> = rules.markups.iter().map(|m| m.months).collect();
    let plans = rules.plans(price, None).unwrap();
    let shown: Vec<(u32, String, String)> = plans
        .iter()
        .filter(|p| bonus.contains(&p.months()))
        .map(|p| (p.months(), p.monthly().to_string(), p.total().to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            (2, "600.00".into(), "1200.00".into()),
            (3, "400.00".into(), "1200.00".into()),
            (6, "217.98".into(), "1307.88".into()),
            (9, "151.32".into(), "1361.88".into()),
            (12, "117.99".into(), "1415.88".into()),
        ]
    );
    assert!(plans[0].overpayment().minor() == 0 && plans[1].overpayment().minor() == 0);
}
