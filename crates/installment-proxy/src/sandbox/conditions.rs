//! The sandbox's provider conditions. The simulators enforce them and `/api/v1/rules`
//! publishes them (unless the configuration's `[[rules.*]]` replaces them), so the badge and
//! the provider agree in the sandbox as they must in production.

use crate::providers::ProviderId;
use installment_core::{
    CardAssociation, CardType, CategoryTerms, Currency, Decimal, Money, ProviderRules, Rate,
    Rounding, TermBand, TermMarkup,
};
use std::collections::BTreeMap;

fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency).expect("sandbox amounts are valid")
}

fn rate(text: &str) -> Rate {
    Rate::parse(text).expect("sandbox rates are valid")
}

/// Categories no Belarusian or Kazakh installment programme finances.
fn excluded_categories(names: &[&str]) -> Vec<CategoryTerms> {
    names
        .iter()
        .map(|name| CategoryTerms {
            category: (*name).to_owned(),
            terms: Vec::new(),
        })
        .collect()
}

/// Conditions of the providers whose APIs publish none (Karta Pokupok, KartaPay, FreedomPay).
/// Craftgate's are read live off its installment search; Akinon prices per product.
pub fn default_rules() -> BTreeMap<ProviderId, Vec<ProviderRules>> {
    let byn = Currency::from_code("BYN").expect("BYN");
    let kzt = Currency::from_code("KZT").expect("KZT");
    let rules = |id: ProviderId,
                 currency,
                 (min, max): (&str, &str),
                 bands: Vec<TermBand>,
                 categories,
                 markups: Vec<TermMarkup>| ProviderRules {
        provider: id.as_str().to_owned(),
        display_name: id.display_name().to_owned(),
        currency,
        min_amount: money(min, currency),
        max_amount: money(max, currency),
        bands,
        categories,
        markups,
        rounding: Rounding::Up,
        quote_places: None,
    };
    let band = |min: &str, max: Option<&str>, terms: &[u32], currency| TermBand {
        min: money(min, currency),
        max: max.map(|m| money(m, currency)),
        terms: terms.to_vec(),
    };
    let markup = |months, text| TermMarkup {
        months,
        rate: rate(text),
    };
    BTreeMap::from([
        (
            ProviderId::KartaPokupok,
            vec![rules(
                ProviderId::KartaPokupok,
                byn,
                ("50", "5000"),
                vec![
                    band("50", Some("199.99"), &[3, 6], byn),
                    band("200", None, &[3, 6, 12, 18, 24], byn),
                ],
                excluded_categories(&["food", "alcohol", "tobacco", "gift_cards"]),
                Vec::new(),
            )],
        ),
        (
            ProviderId::KartaPay,
            vec![rules(
                ProviderId::KartaPay,
                byn,
                ("100", "3000"),
                vec![band("100", None, &[3, 6, 9, 12], byn)],
                excluded_categories(&["gift_cards"]),
                vec![markup(9, "0.03"), markup(12, "0.05")],
            )],
        ),
        (
            ProviderId::FreedomPay,
            vec![rules(
                ProviderId::FreedomPay,
                kzt,
                ("10000", "3000000"),
                vec![
                    band("10000", Some("49999.99"), &[3, 6], kzt),
                    band("50000", None, &[3, 6, 12, 24], kzt),
                ],
                excluded_categories(&["food", "alcohol", "jewelry"]),
                vec![markup(6, "0.04"), markup(12, "0.09"), markup(24, "0.19")],
            )],
        ),
    ])
}

/// A Turkish card family as the Craftgate and Akinon simulators price it.
pub struct TurkishFamily {
    /// Card programme.
    pub family: &'static str,
    /// Issuing bank.
    pub bank: &'static str,
    /// EFT bank code.
    pub bank_code: u32,
    /// Scheme.
    pub association: CardAssociation,
    /// Credit or debit.
    pub card_type: CardType,
    /// Business card.
    pub commercial: bool,
    /// BIN of the family in the sample table.
    pub bin: &'static str,
    /// Installment count and markup over the whole term; `1` is the single payment.
    pub rates: &'static [(u32, &'static str)],
}

/// Campaigns as Turkish banks run them: some terms at the cash price, longer ones with
/// interest (vade farkı); debit cards pay at once.
pub const TURKISH_FAMILIES: &[TurkishFamily] = &[
    TurkishFamily {
        family: "Bonus",
        bank: "Garanti BBVA",
        bank_code: 62,
        association: CardAssociation::MasterCard,
        card_type: CardType::Credit,
        commercial: false,
        bin: "54066700",
        rates: &[
            (1, "0"),
            (2, "0"),
            (3, "0"),
            (6, "0.0899"),
            (9, "0.1349"),
            (12, "0.1799"),
        ],
    },
    TurkishFamily {
        family: "Bonus Business",
        bank: "Garanti BBVA",
        bank_code: 62,
        association: CardAssociation::MasterCard,
        card_type: CardType::Credit,
        commercial: true,
        bin: "54066800",
        rates: &[(1, "0"), (3, "0.0299"), (6, "0.0799")],
    },
    TurkishFamily {
        family: "World",
        bank: "Yapı Kredi",
        bank_code: 67,
        association: CardAssociation::Visa,
        card_type: CardType::Credit,
        commercial: false,
        bin: "41354000",
        rates: &[
            (1, "0"),
            // Finer than a four-place price at 100 can show: a rate read off such a price
            // understates it (51 008.30 TRY for Craftgate's 51 008.32 at 50 000).
            (2, "0.02016649"),
            (3, "0.0299"),
            (6, "0.0849"),
            (9, "0.1299"),
            (12, "0.1749"),
        ],
    },
    TurkishFamily {
        family: "Axess",
        bank: "Akbank",
        bank_code: 46,
        association: CardAssociation::MasterCard,
        card_type: CardType::Credit,
        commercial: false,
        bin: "55280000",
        rates: &[(1, "0"), (3, "0.0449"), (6, "0.0899"), (9, "0.1349")],
    },
    TurkishFamily {
        family: "Maximum",
        bank: "İş Bankası",
        bank_code: 64,
        association: CardAssociation::Visa,
        card_type: CardType::Credit,
        commercial: false,
        bin: "43130000",
        rates: &[
            (1, "0"),
            (2, "0"),
            (4, "0.0599"),
            (8, "0.1199"),
            (12, "0.1849"),
        ],
    },
    TurkishFamily {
        family: "Paraf",
        bank: "Halkbank",
        bank_code: 12,
        association: CardAssociation::Troy,
        card_type: CardType::Credit,
        commercial: false,
        bin: "97920100",
        rates: &[(1, "0"), (3, "0.0399"), (6, "0.0849")],
    },
    TurkishFamily {
        family: "Axess Debit",
        bank: "Akbank",
        bank_code: 46,
        association: CardAssociation::MasterCard,
        card_type: CardType::Debit,
        commercial: false,
        bin: "55290000",
        rates: &[(1, "0")],
    },
];

/// `price × (1 + rate)` with four decimal places, half up, as Turkish POS systems quote it,
/// and the installment `total ÷ n` likewise; both as decimal strings.
pub fn four_place_quote(price: Money, months: u32, rate_text: &str) -> (String, String) {
    let four_places = |value: Decimal| Rounding::HalfUp.round(value, 4);
    let total = four_places(price.to_decimal() * (Decimal::ONE + rate(rate_text).as_decimal()));
    let installment = four_places(total / Decimal::from(months));
    let show = |value: Decimal| format!("{value:.4}");
    (show(installment), show(total))
}

/// Akinon sandbox products: id, name, price in TRY.
pub const AKINON_PRODUCTS: &[(&str, &str, &str)] = &[
    ("101", "Espresso makinesi", "4899.90"),
    ("102", "Kablosuz kulaklık", "1299.00"),
    ("103", "Dizüstü bilgisayar", "32999.00"),
    ("104", "Zeytinyağı 1 L", "349.90"),
];

/// The sandbox shopper's Akinon basket total.
pub const AKINON_BASKET_TOTAL: &str = "6198.90";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_rules() {
        for (id, list) in default_rules() {
            for rules in list {
                rules.validate().unwrap();
                assert_eq!(rules.provider, id.as_str());
            }
        }
    }

    #[test]
    fn four_place_quotes_round_half_up() {
        let try_ = Currency::from_code("TRY").unwrap();
        let cases = [
            ("100.00", 6, "0.0899", ("18.1650", "108.9900")),
            ("120.00", 3, "0.0201", ("40.8040", "122.4120")),
            ("99.99", 12, "0.1799", ("9.8315", "117.9782")),
            ("50000.00", 2, "0.02016649", ("25504.1623", "51008.3245")),
            ("1000000.00", 1, "0", ("1000000.0000", "1000000.0000")),
        ];
        for (price, months, rate, expected) in cases {
            let quote = four_place_quote(Money::parse(price, try_).unwrap(), months, rate);
            assert_eq!(
                (quote.0.as_str(), quote.1.as_str()),
                expected,
                "{price} {months}"
            );
        }
    }
}
