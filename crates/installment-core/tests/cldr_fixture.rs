//! `format_money` natively equals what Node 20's full-ICU `Intl.NumberFormat` printed
//! (fixture from `scripts/dev/gen-intl-fixture.mjs`); the wasm build is checked against live
//! `Intl` in `tests/node/package.test.mjs`.

use installment_core::{Currency, Locale, Money, format_money};

#[test]
fn format_money_matches_node_intl_for_every_fixture_row() {
    let fixture = include_str!("fixtures/intl-node20.jsonl");
    let mut checked = 0;
    for line in fixture.lines().filter(|l| !l.trim().is_empty()) {
        let [locale, currency, amount, expected]: [String; 4] =
            serde_json::from_str(line).expect("fixture row");
        let money = Money::parse(&amount, Currency::from_code(&currency).unwrap()).unwrap();
        let actual = format_money(money, Locale::from_tag(&locale).unwrap());
        assert_eq!(actual, expected, "{amount} {currency} {locale}");
        checked += 1;
    }
    assert_eq!(checked, 9 * 8 * 10, "fixture rows");
}
