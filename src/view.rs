//! What the badge, its details and the picker show, computed from the proxy's two documents
//! (`/api/v1/rules` and `/api/v1/offers`). Pure Rust with every string already formatted, so
//! the JS embed and the Leptos components render the same words and numbers.

use crate::labels::Labels;
use installment_core::{
    BinRange, CardAssociation, Currency, Error, Locale, Money, Plan, ProviderRules, badge_text,
    cheapest_monthly, detect_card, format_money, offers,
    wire::{CardWire, DisclosureWire, OffersDocument, PlanWire, RulesDocument},
};

/// Everything that can go wrong in the widget: a setting, the proxy, or its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetError {
    /// An amount, currency, locale, rule or BIN the core refused.
    Core(Error),
    /// A document that is not the JSON the proxy's API describes.
    MalformedDocument(String),
    /// A setting of the element that cannot be used (`items`, `intent`, `price-selector` ...).
    InvalidSetting(String),
    /// The proxy could not be reached at all.
    Unreachable {
        /// The proxy's API root, as the page names it.
        endpoint: String,
        /// The browser's reason.
        detail: String,
    },
    /// The proxy did not answer (headers and body) within [`TIMEOUT_MS`].
    Timeout {
        /// The proxy's API root.
        endpoint: String,
    },
    /// The proxy answered with an error status.
    Status {
        /// The proxy's API root.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The proxy's error `code` and `message`, when its body had them.
        detail: Option<(String, String)>,
    },
    /// The proxy's body was not JSON at all.
    MalformedJson {
        /// The proxy's API root.
        endpoint: String,
    },
    /// A part of the widget's own code (the picker's wasm file of the split build) could not
    /// be loaded; the browser's console has the network's reason.
    CodeUnavailable,
}

/// How long the proxy may take, headers and body, before the widget gives up and hides.
pub const TIMEOUT_MS: u32 = 4000;

impl WidgetError {
    /// A stable code for scripts: the core's, or one of the widget's own.
    ///
    /// ```
    /// use installment_widget::view::WidgetError;
    /// let error = WidgetError::MalformedDocument("providers[0].bands: invalid type".into());
    /// assert_eq!(error.code(), "malformed_document");
    /// assert_eq!(WidgetError::Timeout { endpoint: "/api/v1".into() }.code(), "proxy_timeout");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Core(error) => error.code(),
            Self::MalformedDocument(_) => "malformed_document",
            Self::InvalidSetting(_) => "invalid_argument",
            Self::Unreachable { .. } => "proxy_unreachable",
            Self::Timeout { .. } => "proxy_timeout",
            Self::Status { .. } => "proxy_status",
            Self::MalformedJson { .. } => "malformed_json",
            Self::CodeUnavailable => "code_unavailable",
        }
    }
}

impl core::fmt::Display for WidgetError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Core(error) => error.fmt(f),
            Self::MalformedDocument(detail) => {
                write!(f, "malformed answer from the proxy: {detail}")
            }
            Self::InvalidSetting(detail) => f.write_str(detail),
            Self::Unreachable { endpoint, detail } => {
                write!(f, "the proxy at {endpoint} is unreachable ({detail})")
            }
            Self::Timeout { endpoint } => write!(
                f,
                "the proxy at {endpoint} did not answer within {TIMEOUT_MS} ms"
            ),
            Self::Status {
                endpoint,
                status,
                detail,
            } => {
                write!(f, "the proxy at {endpoint} answered HTTP {status}")?;
                match detail {
                    Some((code, message)) => write!(f, ": {code}: {message}"),
                    None => Ok(()),
                }
            }
            Self::MalformedJson { endpoint } => {
                write!(f, "the proxy at {endpoint} answered malformed JSON")
            }
            Self::CodeUnavailable => f.write_str("a part of the widget could not be loaded"),
        }
    }
}

impl std::error::Error for WidgetError {}

#[cfg(all(target_arch = "wasm32", feature = "split"))]
impl From<leptos::wasm_split::SplitLoaderError> for WidgetError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self::CodeUnavailable
    }
}

impl From<Error> for WidgetError {
    fn from(error: Error) -> Self {
        Self::Core(error)
    }
}

/// The badge sentence in three parts, so the amount can be emphasized.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BadgeView {
    /// Text before the amount.
    pub before: String,
    /// The monthly payment, formatted.
    pub amount: String,
    /// Text after the amount, naming the provider.
    pub after: String,
}

/// One plan as shown: every amount formatted for the locale.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanView {
    /// Number of payments.
    pub months: u32,
    /// "12 mo."
    pub term: String,
    /// The largest payment with its "/mo." suffix.
    pub monthly: String,
    /// The sum of the payments.
    pub total: String,
    /// `total − price`, formatted.
    pub overpayment: String,
    /// Whether the plan costs nothing over the price.
    pub interest_free: bool,
    /// Every payment in order, formatted: the schedule.
    pub payments: Vec<String>,
    /// The largest payment as a decimal string, for events and forms.
    pub monthly_amount: String,
    /// The total as a decimal string, for events and forms.
    pub total_amount: String,
}

impl PlanView {
    fn new(
        months: u32,
        monthly: Money,
        payments: &[Money],
        total: Money,
        overpayment: Money,
        locale: Locale,
        words: &Labels,
    ) -> Self {
        Self {
            months,
            term: words.months.format(months, locale),
            monthly: format!("{}{}", format_money(monthly, locale), words.per_month),
            total: format_money(total, locale),
            overpayment: format_money(overpayment, locale),
            interest_free: overpayment.minor() == 0,
            payments: payments.iter().map(|p| format_money(*p, locale)).collect(),
            monthly_amount: monthly.to_string(),
            total_amount: total.to_string(),
        }
    }

    fn from_plan(plan: &Plan, locale: Locale, words: &Labels) -> Self {
        Self::new(
            plan.months(),
            plan.monthly(),
            plan.payments(),
            plan.total(),
            plan.overpayment(),
            locale,
            words,
        )
    }

    /// A plan of the offers document. Its `monthly` is shown as the proxy gave it (a
    /// provider's own installment, for a quoted plan); an overpayment may be negative.
    fn from_wire(
        plan: &PlanWire,
        currency: Currency,
        locale: Locale,
        words: &Labels,
    ) -> Result<Self, Error> {
        let amount = |text: &str| Money::parse(text, currency);
        let payments = plan
            .payments
            .iter()
            .map(|p| amount(p))
            .collect::<Result<Vec<_>, _>>()?;
        let overpayment = match plan.overpayment.strip_prefix('-') {
            Some(saving) => Money::from_minor(-amount(saving)?.minor(), currency),
            None => amount(&plan.overpayment)?,
        };
        Ok(Self::new(
            plan.months,
            amount(&plan.monthly)?,
            &payments,
            amount(&plan.total)?,
            overpayment,
            locale,
            words,
        ))
    }
}

/// One provider's plans, as the badge's details list them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProviderView {
    /// Stable provider identifier.
    pub provider: String,
    /// Name shown to shoppers.
    pub name: String,
    /// Its eligible plans, shortest first.
    pub plans: Vec<PlanView>,
    /// The merchant's legal lines for it, when configured in the proxy.
    pub disclosure: Option<DisclosureWire>,
}

/// A page's conditions: every provider's rules, read once from `/api/v1/rules` and used by
/// every badge of the page.
#[derive(Debug, Clone)]
pub struct Storefront {
    currency: Currency,
    providers: Vec<ProviderRules>,
    disclosures: Vec<DisclosureWire>,
}

impl Storefront {
    /// Reads the body of `GET /api/v1/rules`. A document that does not parse, or whose
    /// rules contradict themselves, is an error: the badges then hide rather than guess.
    ///
    /// ```
    /// use installment_widget::view::Storefront;
    /// let rules = r#"{"currency":"BYN","providers":[{"provider":"kp","display_name":"Karta Pokupok",
    ///   "currency":"BYN","min_amount":"50","max_amount":"5000",
    ///   "bands":[{"min":"50","terms":[3,6]}],"rounding":"half_up"}]}"#;
    /// assert_eq!(Storefront::from_document(serde_json::from_str(rules)?)?.currency().code(), "BYN");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_document(document: RulesDocument) -> Result<Self, WidgetError> {
        let providers = document
            .providers
            .into_iter()
            .map(ProviderRules::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(other) = providers.iter().find(|p| p.currency != document.currency) {
            return Err(WidgetError::MalformedDocument(format!(
                "{} rules are in {}, the document in {}",
                other.provider,
                other.currency.code(),
                document.currency.code()
            )));
        }
        Ok(Self {
            currency: document.currency,
            providers,
            disclosures: document.disclosures,
        })
    }

    /// The currency of every amount the rules speak of.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The badge for a price: the smallest monthly payment over every provider's eligible
    /// plans, or `None` when nothing is eligible (the badge then shows nothing at all).
    ///
    /// ```
    /// use installment_widget::{labels::{labels, Labels}, view::Storefront};
    /// use installment_core::{Locale, Money};
    /// let store = Storefront::from_document(serde_json::from_str(r#"{"currency":"BYN","providers":[{"provider":"kp",
    ///   "display_name":"Karta Pokupok","currency":"BYN","min_amount":"50","max_amount":"5000",
    ///   "bands":[{"min":"50","terms":[3,6]}],"rounding":"half_up"}]}"#)?)?;
    /// let locale = Locale::from_tag("ru-BY")?;
    /// let words = labels(locale);
    /// let badge = store.badge(Money::parse("299.90", store.currency())?, None, locale, words)?.unwrap();
    /// assert_eq!(badge.amount, "49,99\u{a0}Br");
    /// assert!(store.badge(Money::parse("20", store.currency())?, None, locale, words)?.is_none());
    ///
    /// // A merchant's own sentence.
    /// let words = Labels { badge: "Only {amount}/mo. with {provider}".into(), ..words.clone() };
    /// let badge = store.badge(Money::parse("299.90", store.currency())?, None, locale, &words)?.unwrap();
    /// assert_eq!((badge.before.as_str(), badge.after.as_str()), ("Only ", "/mo. with Karta Pokupok"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn badge(
        &self,
        amount: Money,
        category: Option<&str>,
        locale: Locale,
        words: &Labels,
    ) -> Result<Option<BadgeView>, WidgetError> {
        let found = offers(&self.providers, amount, category)?;
        Ok(cheapest_monthly(&found).map(|(provider, plan)| {
            let text = badge_text(plan.monthly(), locale, Some(&provider.display_name));
            match words.badge.split_once("{amount}") {
                Some((before, after)) => {
                    let name = |part: &str| part.replace("{provider}", &provider.display_name);
                    BadgeView {
                        before: name(before),
                        amount: text.amount,
                        after: name(after),
                    }
                }
                None => BadgeView {
                    before: text.before,
                    amount: text.amount,
                    after: text.after,
                },
            }
        }))
    }

    /// Every provider's eligible plans for a price: the badge's details view.
    ///
    /// ```
    /// use installment_widget::{labels::labels, view::Storefront};
    /// use installment_core::{Locale, Money};
    /// let store = Storefront::from_document(serde_json::from_str(r#"{"currency":"BYN","providers":[{"provider":"kp",
    ///   "display_name":"Karta Pokupok","currency":"BYN","min_amount":"50","max_amount":"5000",
    ///   "bands":[{"min":"50","terms":[3,6]}],"rounding":"half_up"}]}"#)?)?;
    /// let en = Locale::from_tag("en")?;
    /// let details = store.details(Money::parse("100", store.currency())?, None, en, labels(en))?;
    /// assert_eq!(details[0].plans[0].payments, ["BYN\u{a0}33.34", "BYN\u{a0}33.33", "BYN\u{a0}33.33"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn details(
        &self,
        amount: Money,
        category: Option<&str>,
        locale: Locale,
        words: &Labels,
    ) -> Result<Vec<ProviderView>, WidgetError> {
        Ok(offers(&self.providers, amount, category)?
            .into_iter()
            .map(|provider| ProviderView {
                disclosure: self
                    .disclosures
                    .iter()
                    .find(|d| d.provider == provider.provider)
                    .cloned(),
                provider: provider.provider,
                name: provider.display_name,
                plans: provider
                    .plans
                    .iter()
                    .map(|plan| PlanView::from_plan(plan, locale, words))
                    .collect(),
            })
            .collect())
    }

    /// When nothing is eligible because the price is below the providers' minimums: the
    /// smallest amount from which one of them finances this category. `None` when something
    /// is eligible, or when no larger amount would be.
    ///
    /// ```
    /// use installment_widget::view::Storefront;
    /// use installment_core::Money;
    /// let store = Storefront::from_document(serde_json::from_str(r#"{"currency":"BYN","providers":[{"provider":"kp",
    ///   "display_name":"Karta Pokupok","currency":"BYN","min_amount":"50","max_amount":"5000",
    ///   "bands":[{"min":"50","terms":[3,6]}],"categories":[{"category":"food","terms":[]}],
    ///   "rounding":"half_up"}]}"#)?)?;
    /// let price = |text| Money::parse(text, store.currency());
    /// assert_eq!(store.available_from(price("20")?, None).map(|m| m.to_string()), Some("50.00".into()));
    /// assert_eq!(store.available_from(price("20")?, Some("food")), None, "never for food");
    /// assert_eq!(store.available_from(price("100")?, None), None, "eligible already");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn available_from(&self, amount: Money, category: Option<&str>) -> Option<Money> {
        if self
            .providers
            .iter()
            .any(|p| !p.eligible_terms(amount, category).is_empty())
        {
            return None;
        }
        self.providers
            .iter()
            .filter(|p| p.min_amount.minor() > amount.minor())
            .filter(|p| !p.eligible_terms(p.min_amount, category).is_empty())
            .map(|p| p.min_amount)
            .min_by_key(|m| m.minor())
    }
}

/// The digits of what was typed into a card field, and never more than the first 8: all a
/// widget needs, and all it may send anywhere.
///
/// ```
/// use installment_widget::view::card_prefix;
/// assert_eq!(card_prefix("4111 1111 1111 1111"), "41111111");
/// assert_eq!(card_prefix("5400-67"), "540067");
/// ```
pub fn card_prefix(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_digit).take(8).collect()
}

/// What the card field knows about the shopper's card so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CardView {
    /// Scheme wire name (`VISA`, `BELKART` ...), from the first digit on.
    pub association: Option<&'static str>,
    /// Card family, once a BIN table knows the first 6 to 8 digits.
    pub family: Option<String>,
    /// Issuing bank, likewise.
    pub bank: Option<String>,
}

impl CardView {
    /// What the digits alone tell: the scheme, from the first digit on.
    ///
    /// ```
    /// use installment_widget::view::CardView;
    /// assert_eq!(CardView::from_digits("41").association, Some("VISA"));
    /// assert_eq!(CardView::from_digits("4").association, None, "not known yet");
    /// assert_eq!(CardView::from_digits("9112").association, Some("BELKART"));
    /// assert_eq!(CardView::from_digits("").association, None);
    /// ```
    pub fn from_digits(digits: &str) -> Self {
        let association = detect_card(digits)
            .ok()
            .flatten()
            .map(|card| card.association.as_str());
        Self {
            association,
            ..Self::default()
        }
    }

    /// The card a BIN table range describes.
    pub fn from_range(range: &BinRange) -> Self {
        Self {
            association: Some(range.association.as_str()),
            family: Some(range.family.clone()),
            bank: Some(range.bank.clone()),
        }
    }
}

/// What `/api/v1/bins` has answered on this page, so the card field asks about a card once:
/// an answer's range covers every longer prefix inside it (typing the 7th and 8th digits
/// of a card the 6th already placed asks nothing), and a prefix no range covers is kept as
/// it was answered.
///
/// ```
/// use installment_core::wire::CardWire;
/// use installment_widget::view::BinAnswers;
/// let bonus: CardWire = serde_json::from_str(r#"{"bin":"540667","association":"MASTER_CARD",
///   "range":{"first":"54066700","last":"54066799","bank":"Garanti BBVA","family":"Bonus",
///   "association":"MASTER_CARD","card_type":"CREDIT_CARD","commercial":false,"country":"TR"}}"#)?;
/// let mut known = BinAnswers::default();
/// assert_eq!(known.get("540667"), None, "not asked yet");
/// known.record("540667", &bonus);
/// assert_eq!(known.get("54066712").and_then(|card| card.family), Some("Bonus".to_owned()));
/// assert_eq!(known.get("540668"), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct BinAnswers {
    ranges: Vec<BinRange>,
    prefixes: Vec<(String, CardView)>,
}

impl BinAnswers {
    /// The card for 6 to 8 digits, when an earlier answer already tells it.
    pub fn get(&self, digits: &str) -> Option<CardView> {
        let (low, high) = BinRange::span(digits).ok()?;
        self.ranges
            .iter()
            .find(|range| range.first <= low && high <= range.last)
            .map(CardView::from_range)
            .or_else(|| {
                self.prefixes
                    .iter()
                    .find(|(prefix, _)| prefix == digits)
                    .map(|(_, card)| card.clone())
            })
    }

    /// Keeps the proxy's answer for `digits`; returns the card it describes.
    pub fn record(&mut self, digits: &str, answer: &CardWire) -> CardView {
        match answer.range.clone().map(BinRange::try_from) {
            Some(Ok(range)) => {
                let card = CardView::from_range(&range);
                self.ranges.push(range);
                card
            }
            _ => {
                let card = CardView {
                    association: answer.association.map(|a| a.as_str()),
                    ..CardView::default()
                };
                self.prefixes.push((digits.to_owned(), card.clone()));
                card
            }
        }
    }
}

/// One card (or every card) of one provider, with its plans: one group of the picker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OfferView {
    /// Stable provider identifier.
    pub provider: String,
    /// Name shown to shoppers.
    pub provider_name: String,
    /// Card family, when the offer is for one.
    pub family: Option<String>,
    /// Scheme wire name, when the offer is for one.
    pub association: Option<&'static str>,
    /// Issuing bank, when the offer names one.
    pub bank: Option<String>,
    /// "Bonus · Garanti BBVA", or "Any card".
    pub card: String,
    /// Plans, shortest first.
    pub plans: Vec<PlanView>,
    #[serde(skip)]
    scheme: Option<CardAssociation>,
}

/// The picker's offers for one price, read from `GET /api/v1/offers`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PickerView {
    /// Every offer of every provider.
    pub offers: Vec<OfferView>,
    /// The picker's words in its locale.
    pub labels: Labels,
}

impl PickerView {
    /// Reads the body of `GET /api/v1/offers` and formats every plan for `locale`.
    ///
    /// ```
    /// use installment_widget::{labels::labels, view::PickerView};
    /// use installment_core::Locale;
    /// let json = r#"{"amount":"100.00","currency":"BYN","from":null,"providers":[{"provider":"kp",
    ///   "display_name":"Karta Pokupok","cards":[{"family":"Karta Pokupok","plans":[{"months":3,
    ///   "monthly":"33.34","payments":["33.34","33.33","33.33"],"total":"100.00",
    ///   "overpayment":"0.00","kind":"interest_free"}]}]}]}"#;
    /// let en = Locale::from_tag("en")?;
    /// let picker = PickerView::from_document(&serde_json::from_str(json)?, en, labels(en))?;
    /// assert_eq!(picker.offers[0].plans[0].monthly, "BYN\u{a0}33.34/mo.");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_document(
        document: &OffersDocument,
        locale: Locale,
        words: &Labels,
    ) -> Result<Self, WidgetError> {
        let mut views = Vec::new();
        for provider in &document.providers {
            for card in &provider.cards {
                // A plan this widget cannot read drops only itself, and a card left without
                // plans drops with it: the other cards' and providers' plans stay.
                let plans: Vec<PlanView> = card
                    .plans
                    .iter()
                    .filter_map(|plan| {
                        PlanView::from_wire(plan, document.currency, locale, words).ok()
                    })
                    .collect();
                if plans.is_empty() && !card.plans.is_empty() {
                    continue;
                }
                let names: Vec<&str> = [card.family.as_deref(), card.bank.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                views.push(OfferView {
                    provider: provider.provider.clone(),
                    provider_name: provider.display_name.clone(),
                    family: card.family.clone(),
                    association: card.association.map(CardAssociation::as_str),
                    bank: card.bank.clone(),
                    card: if names.is_empty() {
                        words.any_card.to_string()
                    } else {
                        names.join(" · ")
                    },
                    plans,
                    scheme: card.association,
                });
            }
        }
        Ok(Self {
            offers: views,
            labels: words.clone(),
        })
    }

    /// Which offers a card may use, by index: offers for any card, and offers whose family
    /// and scheme are the card's. A card whose family is unknown gets only the former.
    ///
    /// ```
    /// use installment_widget::{labels::labels, view::PickerView};
    /// use installment_core::{CardAssociation, Locale};
    /// let json = r#"{"amount":"100.00","currency":"TRY","from":null,"providers":[{"provider":"craftgate",
    ///   "display_name":"Craftgate","cards":[{"family":"Bonus","plans":[]},{"family":"World","plans":[]},
    ///   {"plans":[]}]}]}"#;
    /// let tr = Locale::from_tag("tr")?;
    /// let picker = PickerView::from_document(&serde_json::from_str(json)?, tr, labels(tr))?;
    /// assert_eq!(picker.open_to_card(Some("WORLD"), Some(CardAssociation::Visa)), [1, 2]);
    /// assert_eq!(picker.open_to_card(None, Some(CardAssociation::Visa)), [2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_to_card(
        &self,
        family: Option<&str>,
        association: Option<CardAssociation>,
    ) -> Vec<usize> {
        let fits = |offer: &OfferView| {
            offer.family.as_deref().is_none_or(|wanted| {
                family.is_some_and(|family| family.eq_ignore_ascii_case(wanted))
            }) && offer
                .scheme
                .is_none_or(|scheme| Some(scheme) == association)
        };
        self.offers
            .iter()
            .enumerate()
            .filter(|(_, offer)| fits(offer))
            .map(|(index, _)| index)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan as the proxy sends it, with the fields a test changes.
    fn plan(months: u32, monthly: &str, total: &str, overpayment: &str) -> serde_json::Value {
        serde_json::json!({"months": months, "monthly": monthly, "payments": [monthly],
            "total": total, "overpayment": overpayment, "kind": "quoted"})
    }

    #[test]
    fn one_bad_plan_drops_only_itself() {
        let document = serde_json::json!({"amount": "100.00", "currency": "TRY", "from": null,
        "providers": [
            {"provider": "craftgate", "display_name": "Craftgate", "cards": [
                {"family": "Bonus", "plans": [
                    plan(1, "95.00", "95.00", "-5.00"),
                    plan(1, "abc", "100.00", "0.00"),
                ]},
                {"family": "World", "plans": [plan(1, "1.2.3", "100.00", "0.00")]},
            ]},
            {"provider": "akinon", "display_name": "Akinon", "cards": [
                {"family": "Axess", "plans": [plan(1, "101.00", "101.00", "1.00")]},
            ]},
        ]});
        let document: OffersDocument = serde_json::from_value(document).unwrap();
        let en = Locale::from_tag("en").unwrap();
        let picker = PickerView::from_document(&document, en, crate::labels::labels(en)).unwrap();
        let shown: Vec<(&str, Vec<&str>)> = picker
            .offers
            .iter()
            .map(|offer| {
                let totals = offer
                    .plans
                    .iter()
                    .map(|p| p.total_amount.as_str())
                    .collect();
                (offer.card.as_str(), totals)
            })
            .collect();
        assert_eq!(shown, [("Bonus", vec!["95.00"]), ("Axess", vec!["101.00"])]);
        // A discount is shown as what it is: a negative overpayment, not interest-free.
        let discounted = &picker.offers[0].plans[0];
        assert!(!discounted.interest_free);
        assert!(
            discounted.overpayment.contains('5'),
            "{}",
            discounted.overpayment
        );
    }

    #[test]
    fn a_quoted_plan_shows_the_providers_installment() {
        let mut quoted = plan(3, "40.80", "122.42", "2.42");
        quoted["payments"] = serde_json::json!(["40.80", "40.80", "40.82"]);
        let document = serde_json::json!({"amount": "120.00", "currency": "TRY", "from": null,
            "providers": [{"provider": "craftgate", "display_name": "Craftgate",
                "cards": [{"family": "Bonus", "plans": [quoted]}]}]});
        let document: OffersDocument = serde_json::from_value(document).unwrap();
        let en = Locale::from_tag("en").unwrap();
        let picker = PickerView::from_document(&document, en, crate::labels::labels(en)).unwrap();
        assert_eq!(picker.offers[0].plans[0].monthly_amount, "40.80");
    }
}
