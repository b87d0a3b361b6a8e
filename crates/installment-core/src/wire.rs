//! The JSON types both sides speak: every amount a decimal string, every enum its wire name.
//!
//! Domain types hold a [`Currency`] and integer minor units; these hold strings, and convert
//! with checks (`TryFrom`), so a malformed document is an [`Error`], never a wrong number.

use crate::{
    BinRange, CardAssociation, CardType, CategoryTerms, Currency, Error, Money, Plan, PlanKind,
    ProviderRules, Rate, Rounding, TermBand, TermMarkup,
};
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

#[cfg(feature = "serde")]
impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

#[cfg(feature = "serde")]
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "serde")]
impl Serialize for Money {
    /// As the plain decimal string (`"299.90"`); the currency travels beside it.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str::serialize(&self.to_decimal(), serializer)
    }
}

#[cfg(feature = "serde")]
impl Serialize for Rate {
    /// As a decimal string (`"0.1749"`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str::serialize(&self.as_decimal(), serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> Deserialize<'de> for Rate {
    /// From a decimal string, exactly (`rust_decimal`'s serde reader would round past 28
    /// digits), then bounded by [`Rate::new`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Rate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A plan on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct PlanWire {
    /// Number of payments.
    pub months: u32,
    /// What "per month" means: the provider's installment for a quoted plan, else the
    /// largest payment.
    pub monthly: String,
    /// Every payment, larger first.
    pub payments: Vec<String>,
    /// Sum of the payments.
    pub total: String,
    /// `total − price`.
    pub overpayment: String,
    /// `interest_free`, `markup`, `quoted` or `annuity`.
    pub kind: String,
    /// The markup or monthly rate, when the plan has one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub rate: Option<Rate>,
}

impl From<&Plan> for PlanWire {
    fn from(plan: &Plan) -> Self {
        let (kind, rate) = match plan.kind() {
            PlanKind::InterestFree => ("interest_free", None),
            PlanKind::Markup { rate, .. } => ("markup", Some(rate)),
            PlanKind::Quoted => ("quoted", None),
            PlanKind::Annuity { monthly_rate, .. } => ("annuity", Some(monthly_rate)),
        };
        Self {
            months: plan.months(),
            monthly: plan.monthly().to_string(),
            payments: plan.payments().iter().map(ToString::to_string).collect(),
            total: plan.total().to_string(),
            overpayment: plan.overpayment().to_string(),
            kind: kind.to_owned(),
            rate,
        }
    }
}

/// An amount band on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct TermBandWire {
    /// Inclusive lower bound.
    pub min: String,
    /// Inclusive upper bound; absent for none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max: Option<String>,
    /// Months offered.
    pub terms: Vec<u32>,
}

/// A category restriction on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct CategoryTermsWire {
    /// Category code.
    pub category: String,
    /// Months allowed; empty for none.
    pub terms: Vec<u32>,
}

/// A per-term markup on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct TermMarkupWire {
    /// The term.
    pub months: u32,
    /// The markup over the whole term.
    pub rate: Rate,
}

impl From<&TermMarkup> for TermMarkupWire {
    fn from(markup: &TermMarkup) -> Self {
        Self {
            months: markup.months,
            rate: markup.rate,
        }
    }
}

/// One provider's rules on the wire (`GET /api/v1/rules`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct ProviderRulesWire {
    /// Stable identifier.
    pub provider: String,
    /// Name shown to shoppers.
    pub display_name: String,
    /// Currency of every amount below.
    pub currency: Currency,
    /// Smallest amount financed.
    pub min_amount: String,
    /// Largest amount financed.
    pub max_amount: String,
    /// Terms by amount band.
    pub bands: Vec<TermBandWire>,
    /// Restrictions by category.
    #[cfg_attr(feature = "serde", serde(default))]
    pub categories: Vec<CategoryTermsWire>,
    /// Markups by term.
    #[cfg_attr(feature = "serde", serde(default))]
    pub markups: Vec<TermMarkupWire>,
    /// How marked-up totals are rounded.
    pub rounding: Rounding,
    /// Places a provider computes a marked-up total to before `rounding` (Craftgate: 4).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub quote_places: Option<u32>,
    /// Markups by card family, where they differ by card (Craftgate); the `markups` above
    /// are then the cheapest card's.
    #[cfg_attr(feature = "serde", serde(default))]
    pub card_families: Vec<CardFamilyWire>,
}

/// One card family's markups on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct CardFamilyWire {
    /// Card family (Bonus, World ...).
    pub family: String,
    /// Scheme, where the provider names one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub association: Option<CardAssociation>,
    /// Issuing bank, where the provider names one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub bank: Option<String>,
    /// Markups by term for this family.
    pub markups: Vec<TermMarkupWire>,
}

/// What shoppers must be told about a provider's credit, as the merchant configures it in the
/// proxy: shown beside the plans in the badge's "learn more" dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct DisclosureWire {
    /// The provider it is about.
    pub provider: String,
    /// The lender's legal name.
    pub lender: String,
    /// A representative example of the credit's cost, as the lender words it.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub representative_example: Option<String>,
    /// The lender's terms, an http(s) URL.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub terms_url: Option<String>,
    /// Whether credit is subject to the lender's approval.
    #[cfg_attr(feature = "serde", serde(default))]
    pub subject_to_approval: bool,
}

/// A provider that did not answer usably, and why (details stay in the server's log).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct UnavailableWire {
    /// Stable provider identifier.
    pub provider: String,
    /// `timeout`, `upstream_error`, `malformed_answer`, `bad_signature` ...
    pub reason: String,
    /// For a developer reading the network panel.
    pub message: String,
}

/// The body of `GET /api/v1/rules`: everything a page needs to compute every badge itself,
/// and nothing that grows with the merchant's data: no BIN table (the picker asks
/// `/api/v1/bins/{bin}` for the card it is shown).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct RulesDocument {
    /// Currency of every amount.
    pub currency: Currency,
    /// Each provider's conditions.
    pub providers: Vec<ProviderRulesWire>,
    /// Providers that price per product or basket only: ask `/api/v1/offers`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub offers_only: Vec<String>,
    /// Providers that did not answer.
    #[cfg_attr(feature = "serde", serde(default))]
    pub unavailable: Vec<UnavailableWire>,
    /// The merchant's legal lines for each provider that has them.
    #[cfg_attr(feature = "serde", serde(default))]
    pub disclosures: Vec<DisclosureWire>,
}

/// The plans of one card (or of every card, when the fields are absent) on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct CardOfferWire {
    /// Scheme, when the offer is for one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub association: Option<CardAssociation>,
    /// Card family, when the offer is for one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub family: Option<String>,
    /// Issuing bank, when the offer is for one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub bank: Option<String>,
    /// Credit, debit or prepaid, when the offer is for one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub card_type: Option<CardType>,
    /// The plans, shortest first.
    pub plans: Vec<PlanWire>,
}

/// One provider's offers on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct ProviderOffersWire {
    /// Stable identifier.
    pub provider: String,
    /// Name shown to shoppers.
    pub display_name: String,
    /// Offers by card.
    pub cards: Vec<CardOfferWire>,
}

/// The plan a badge advertises: the smallest monthly payment of all offers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct FromPlanWire {
    /// Stable provider identifier.
    pub provider: String,
    /// Name shown to shoppers.
    pub display_name: String,
    /// Card family, when the plan is for one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub family: Option<String>,
    /// Number of payments.
    pub months: u32,
    /// The largest payment.
    pub monthly: String,
    /// Sum of the payments.
    pub total: String,
}

/// The shopper's card as the proxy understood the BIN.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct CardWire {
    /// The digits asked about (6 to 8).
    pub bin: String,
    /// Scheme, from the table or from the prefix alone.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub association: Option<CardAssociation>,
    /// The BIN table's range, when one knows the BIN.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub range: Option<BinRangeWire>,
}

/// The body of `GET /api/v1/offers`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct OffersDocument {
    /// The price asked about.
    pub amount: String,
    /// Its currency.
    pub currency: Currency,
    /// The card, when a BIN was given.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub card: Option<CardWire>,
    /// Offers by provider.
    pub providers: Vec<ProviderOffersWire>,
    /// The cheapest monthly payment, or `null` when nothing is eligible.
    pub from: Option<FromPlanWire>,
    /// Providers that did not answer.
    #[cfg_attr(feature = "serde", serde(default))]
    pub unavailable: Vec<UnavailableWire>,
}

impl From<&ProviderRules> for ProviderRulesWire {
    fn from(rules: &ProviderRules) -> Self {
        Self {
            provider: rules.provider.clone(),
            display_name: rules.display_name.clone(),
            currency: rules.currency,
            min_amount: rules.min_amount.to_string(),
            max_amount: rules.max_amount.to_string(),
            bands: rules
                .bands
                .iter()
                .map(|b| TermBandWire {
                    min: b.min.to_string(),
                    max: b.max.map(|m| m.to_string()),
                    terms: b.terms.clone(),
                })
                .collect(),
            categories: rules
                .categories
                .iter()
                .map(|c| CategoryTermsWire {
                    category: c.category.clone(),
                    terms: c.terms.clone(),
                })
                .collect(),
            markups: rules.markups.iter().map(TermMarkupWire::from).collect(),
            rounding: rules.rounding,
            quote_places: rules.quote_places,
            card_families: Vec::new(),
        }
    }
}

impl TryFrom<ProviderRulesWire> for ProviderRules {
    type Error = Error;

    /// Parses every amount strictly in the rules' currency and validates the result.
    fn try_from(wire: ProviderRulesWire) -> Result<Self, Error> {
        let currency = wire.currency;
        let amount = |text: &str| Money::parse(text, currency);
        let rules = ProviderRules {
            provider: wire.provider,
            display_name: wire.display_name,
            currency,
            min_amount: amount(&wire.min_amount)?,
            max_amount: amount(&wire.max_amount)?,
            bands: wire
                .bands
                .iter()
                .map(|b| {
                    Ok(TermBand {
                        min: amount(&b.min)?,
                        max: b.max.as_deref().map(amount).transpose()?,
                        terms: b.terms.clone(),
                    })
                })
                .collect::<Result<_, Error>>()?,
            categories: wire
                .categories
                .into_iter()
                .map(|c| CategoryTerms {
                    category: c.category,
                    terms: c.terms,
                })
                .collect(),
            markups: wire
                .markups
                .into_iter()
                .map(|m| TermMarkup {
                    months: m.months,
                    rate: m.rate,
                })
                .collect(),
            rounding: wire.rounding,
            quote_places: wire.quote_places,
        };
        rules.validate()?;
        Ok(rules)
    }
}

/// A BIN range on the wire; `first`/`last` are 8-digit prefixes as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct BinRangeWire {
    /// First 8-digit prefix.
    pub first: String,
    /// Last 8-digit prefix.
    pub last: String,
    /// Issuing bank.
    pub bank: String,
    /// Bank code, where there is one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub bank_code: Option<u32>,
    /// Card family (Bonus, Halva ...).
    pub family: String,
    /// Scheme.
    pub association: CardAssociation,
    /// Credit, debit, prepaid.
    pub card_type: CardType,
    /// Business card.
    pub commercial: bool,
    /// Issuer country.
    pub country: String,
}

impl From<&BinRange> for BinRangeWire {
    fn from(range: &BinRange) -> Self {
        Self {
            first: format!("{:08}", range.first),
            last: format!("{:08}", range.last),
            bank: range.bank.clone(),
            bank_code: range.bank_code,
            family: range.family.clone(),
            association: range.association,
            card_type: range.card_type,
            commercial: range.commercial,
            country: range.country.clone(),
        }
    }
}

impl TryFrom<BinRangeWire> for BinRange {
    type Error = Error;

    fn try_from(wire: BinRangeWire) -> Result<Self, Error> {
        let prefix = |text: &str| -> Result<u32, Error> {
            if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::InvalidBin(text.to_owned()));
            }
            text.parse().map_err(|_| Error::InvalidBin(text.to_owned()))
        };
        Ok(BinRange {
            first: prefix(&wire.first)?,
            last: prefix(&wire.last)?,
            bank: wire.bank,
            bank_code: wire.bank_code,
            family: wire.family,
            association: wire.association,
            card_type: wire.card_type,
            commercial: wire.commercial,
            country: wire.country,
        })
    }
}

/// The error body of every API: a stable `code` and a human `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct ApiError {
    /// Stable, machine-readable: `unknown_currency`, `invalid_amount`, ...
    pub code: String,
    /// For a developer reading logs.
    pub message: String,
}

impl From<&Error> for ApiError {
    fn from(error: &Error) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
        }
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip_through_json() {
        let json = r#"{
            "provider": "karta_pokupok", "display_name": "Karta Pokupok", "currency": "BYN",
            "min_amount": "50", "max_amount": "10000.00",
            "bands": [{"min": "50", "terms": [3, 6, 12]}],
            "categories": [{"category": "food", "terms": []}],
            "markups": [{"months": 12, "rate": "0.05"}],
            "rounding": "half_up"
        }"#;
        let wire: ProviderRulesWire = serde_json::from_str(json).unwrap();
        let rules = ProviderRules::try_from(wire.clone()).unwrap();
        assert_eq!(rules.max_amount.minor(), 1_000_000);
        let again = ProviderRulesWire::from(&rules);
        assert_eq!(again.min_amount, "50.00");
        assert_eq!(ProviderRules::try_from(again).unwrap(), rules);
    }

    #[test]
    fn malformed_documents_are_errors_not_numbers() {
        let bad_amount = r#"{"provider":"p","display_name":"P","currency":"BYN","min_amount":"1.005",
            "max_amount":"10","bands":[],"rounding":"up"}"#;
        let wire: ProviderRulesWire = serde_json::from_str(bad_amount).unwrap();
        assert!(matches!(
            ProviderRules::try_from(wire),
            Err(Error::TooManyDecimals { .. })
        ));
        let bad_currency = bad_amount.replace("BYN", "XXX");
        assert!(serde_json::from_str::<ProviderRulesWire>(&bad_currency).is_err());
        let bad_rate = r#"{"months": 3, "rate": "-1"}"#;
        assert!(serde_json::from_str::<TermMarkupWire>(bad_rate).is_err());
    }

    #[test]
    fn plans_serialize_amounts_as_strings() {
        let price = Money::parse("100", Currency::from_code("BYN").unwrap()).unwrap();
        let plan = Plan::markup(price, 3, Rate::parse("0.05").unwrap(), Rounding::HalfUp).unwrap();
        let json = serde_json::to_value(PlanWire::from(&plan)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"months": 3, "monthly": "35.00", "payments": ["35.00", "35.00", "35.00"],
                "total": "105.00", "overpayment": "5.00", "kind": "markup", "rate": "0.05"})
        );
    }

    #[test]
    fn bin_ranges_round_trip() {
        let json = r#"{"first":"54066700","last":"54066799","bank":"Garanti BBVA","bank_code":62,
            "family":"Bonus","association":"MASTER_CARD","card_type":"CREDIT_CARD","commercial":false,"country":"TR"}"#;
        let wire: BinRangeWire = serde_json::from_str(json).unwrap();
        let range = BinRange::try_from(wire.clone()).unwrap();
        assert_eq!(
            (range.first, range.association),
            (54066700, CardAssociation::MasterCard)
        );
        assert_eq!(BinRangeWire::from(&range), wire);
    }
}
