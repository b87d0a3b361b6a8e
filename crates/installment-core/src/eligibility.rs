//! Which plans a provider offers for an amount, and the "from X/month" over all of them.

use crate::{Currency, Error, Money, Plan, Rate, Rounding, money::MAX_INSTALLMENTS};

/// Terms offered for amounts in `[min, max]` (`max` open when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermBand {
    /// Smallest amount of the band, inclusive.
    pub min: Money,
    /// Largest amount of the band, inclusive; `None` for no upper bound.
    pub max: Option<Money>,
    /// Months offered in this band.
    pub terms: Vec<u32>,
}

/// Terms allowed for a product category; an empty list means no installments at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryTerms {
    /// The merchant's or provider's category code.
    pub category: String,
    /// Months allowed for the category.
    pub terms: Vec<u32>,
}

/// A markup over the whole term for plans of `months`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermMarkup {
    /// The term the markup applies to.
    pub months: u32,
    /// `total = price × (1 + rate)`.
    pub rate: Rate,
}

/// One provider's conditions: amount bounds, terms by amount band and category, markups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRules {
    /// Stable identifier, e.g. `karta_pokupok`.
    pub provider: String,
    /// Name shown to shoppers, e.g. `Karta Pokupok`.
    pub display_name: String,
    /// The currency the rules are written in; other currencies are not eligible.
    pub currency: Currency,
    /// Smallest amount financed, inclusive.
    pub min_amount: Money,
    /// Largest amount financed, inclusive.
    pub max_amount: Money,
    /// Terms by amount band; the union of every band that contains the amount.
    pub bands: Vec<TermBand>,
    /// Restrictions by category; a category not listed keeps the band terms.
    pub categories: Vec<CategoryTerms>,
    /// Markups by term; a term without one is interest-free.
    pub markups: Vec<TermMarkup>,
    /// How a marked-up total is rounded to the minor unit.
    pub rounding: Rounding,
    /// The decimal places a provider computes a marked-up total to (half up) before it is
    /// rounded to the minor unit: four for Turkish POS quotes; `None` rounds once.
    pub quote_places: Option<u32>,
}

impl ProviderRules {
    /// Checks the rules for contradictions, naming the provider and the field: amounts in
    /// another currency, a negative minimum, bounds or bands whose maximum is below their
    /// minimum, bands that overlap, terms outside 1..=120, quote places finer than 12 or
    /// coarser than the currency. (Rates are bounded by [`Rate`] itself.)
    ///
    /// ```
    /// # use installment_core::*;
    /// let byn = Currency::from_code("BYN")?;
    /// let mut rules = ProviderRules::interest_free("kp", "Karta Pokupok", Money::parse("50", byn)?, Money::parse("5000", byn)?, &[3, 6]);
    /// assert!(rules.validate().is_ok());
    /// rules.min_amount = Money::parse("9000", byn)?;
    /// assert_eq!(rules.validate().unwrap_err().to_string(),
    ///     "provider rules: kp: max_amount 5000.00 is below min_amount 9000.00");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |what: String| Err(Error::InvalidRules(format!("{}: {what}", self.provider)));
        let mut amounts = vec![
            ("min_amount".to_owned(), self.min_amount),
            ("max_amount".to_owned(), self.max_amount),
        ];
        for (index, band) in self.bands.iter().enumerate() {
            amounts.push((format!("bands[{index}].min"), band.min));
            amounts.extend(band.max.map(|max| (format!("bands[{index}].max"), max)));
        }
        for (field, amount) in &amounts {
            if amount.currency() != self.currency {
                return invalid(format!(
                    "{field} is in {}, the rules in {}",
                    amount.currency(),
                    self.currency
                ));
            }
            if amount.minor() < 0 {
                return invalid(format!("{field} {amount} is negative"));
            }
        }
        if self.max_amount.minor() < self.min_amount.minor() {
            return invalid(format!(
                "max_amount {} is below min_amount {}",
                self.max_amount, self.min_amount
            ));
        }
        for (index, band) in self.bands.iter().enumerate() {
            if let Some(max) = band.max.filter(|max| max.minor() < band.min.minor()) {
                return invalid(format!(
                    "bands[{index}].max {max} is below its min {}",
                    band.min
                ));
            }
            for (other_index, other) in self.bands.iter().enumerate().skip(index + 1) {
                let reaches = |from: &TermBand, to: &TermBand| {
                    from.max.is_none_or(|max| to.min.minor() <= max.minor())
                };
                if reaches(band, other) && reaches(other, band) {
                    return invalid(format!(
                        "bands[{index}] and bands[{other_index}] overlap: an amount belongs to one band"
                    ));
                }
            }
        }
        let terms = self
            .bands
            .iter()
            .enumerate()
            .flat_map(|(i, b)| {
                b.terms
                    .iter()
                    .map(move |t| (format!("bands[{i}].terms"), *t))
            })
            .chain(self.categories.iter().enumerate().flat_map(|(i, c)| {
                c.terms
                    .iter()
                    .map(move |t| (format!("categories[{i}].terms"), *t))
            }))
            .chain(
                self.markups
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (format!("markups[{i}].months"), m.months)),
            );
        for (field, months) in terms {
            if !(1..=MAX_INSTALLMENTS).contains(&months) {
                return invalid(format!("{field}: {months} months is outside 1..=120"));
            }
        }
        if let Some(places) = self.quote_places
            && !(u32::from(self.currency.exponent())..=12).contains(&places)
        {
            return invalid(format!(
                "quote_places {places} is outside {}..=12",
                self.currency.exponent()
            ));
        }
        Ok(())
    }

    /// Rules with one open band: the same interest-free terms for every amount in bounds.
    ///
    /// ```
    /// # use installment_core::*;
    /// let byn = Currency::from_code("BYN")?;
    /// let rules = ProviderRules::interest_free("kp", "Karta Pokupok", Money::parse("50", byn)?, Money::parse("5000", byn)?, &[3, 6]);
    /// assert_eq!(rules.eligible_terms(Money::parse("100", byn)?, None), [3, 6]);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn interest_free(
        provider: &str,
        display_name: &str,
        min_amount: Money,
        max_amount: Money,
        terms: &[u32],
    ) -> Self {
        Self {
            provider: provider.to_owned(),
            display_name: display_name.to_owned(),
            currency: min_amount.currency(),
            min_amount,
            max_amount,
            bands: vec![TermBand {
                min: min_amount,
                max: None,
                terms: terms.to_vec(),
            }],
            categories: Vec::new(),
            markups: Vec::new(),
            rounding: Rounding::HalfUp,
            quote_places: None,
        }
    }

    /// The months offered for `amount` in `category` (compared without regard to ASCII case:
    /// `"Food"` is `food`), sorted; empty when not eligible.
    ///
    /// ```
    /// # use installment_core::*;
    /// let byn = Currency::from_code("BYN")?;
    /// let mut rules = ProviderRules::interest_free("kp", "Karta Pokupok", Money::parse("50", byn)?, Money::parse("5000", byn)?, &[3, 6, 12]);
    /// rules.categories.push(CategoryTerms { category: "food".into(), terms: vec![] });
    /// assert!(rules.eligible_terms(Money::parse("10", byn)?, None).is_empty());
    /// assert!(rules.eligible_terms(Money::parse("100", byn)?, Some("food")).is_empty());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn eligible_terms(&self, amount: Money, category: Option<&str>) -> Vec<u32> {
        let minor = amount.minor();
        if amount.currency() != self.currency
            || minor < self.min_amount.minor()
            || minor > self.max_amount.minor()
        {
            return Vec::new();
        }
        let allowed = category
            .and_then(|c| {
                self.categories
                    .iter()
                    .find(|rule| rule.category.eq_ignore_ascii_case(c))
            })
            .map(|rule| &rule.terms);
        ascending_unique(
            self.bands
                .iter()
                .filter(|band| {
                    band.min.minor() <= minor && band.max.is_none_or(|max| minor <= max.minor())
                })
                .flat_map(|band| band.terms.iter().copied())
                .filter(|months| allowed.is_none_or(|allowed| allowed.contains(months))),
        )
    }

    /// The plans offered for `amount` in `category`, shortest term first.
    ///
    /// ```
    /// # use installment_core::*;
    /// let byn = Currency::from_code("BYN")?;
    /// let mut rules = ProviderRules::interest_free("kp", "Karta Pokupok", Money::parse("50", byn)?, Money::parse("5000", byn)?, &[3, 12]);
    /// rules.markups.push(TermMarkup { months: 12, rate: Rate::parse("0.05")? });
    /// let plans = rules.plans(Money::parse("120", byn)?, None)?;
    /// assert_eq!(plans[1].total().to_string(), "126.00");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn plans(&self, amount: Money, category: Option<&str>) -> Result<Vec<Plan>, Error> {
        self.eligible_terms(amount, category)
            .into_iter()
            .map(
                |months| match self.markups.iter().find(|m| m.months == months) {
                    Some(markup) if !markup.rate.is_zero() => match self.quote_places {
                        Some(places) => Plan::markup_as_quoted(
                            amount,
                            months,
                            markup.rate,
                            places,
                            self.rounding,
                        ),
                        None => Plan::markup(amount, months, markup.rate, self.rounding),
                    },
                    _ => Plan::interest_free(amount, months),
                },
            )
            .collect()
    }
}

/// One provider's plans for an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPlans {
    /// Stable provider identifier.
    pub provider: String,
    /// Name shown to shoppers.
    pub display_name: String,
    /// Eligible plans, shortest term first; never empty.
    pub plans: Vec<Plan>,
}

/// Every provider's eligible plans for `amount`; providers with none are left out.
///
/// ```
/// # use installment_core::*;
/// let byn = Currency::from_code("BYN")?;
/// let rules = [ProviderRules::interest_free("kp", "Karta Pokupok", Money::parse("50", byn)?, Money::parse("5000", byn)?, &[3, 6])];
/// assert_eq!(offers(&rules, Money::parse("100", byn)?, None)?.len(), 1);
/// assert!(offers(&rules, Money::parse("10", byn)?, None)?.is_empty());
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn offers(
    rules: &[ProviderRules],
    amount: Money,
    category: Option<&str>,
) -> Result<Vec<ProviderPlans>, Error> {
    let mut result = Vec::new();
    for provider in rules {
        let plans = provider.plans(amount, category)?;
        if !plans.is_empty() {
            result.push(ProviderPlans {
                provider: provider.provider.clone(),
                display_name: provider.display_name.clone(),
                plans,
            });
        }
    }
    Ok(result)
}

/// The "from X/month" plan: the smallest monthly payment ([`Plan::monthly`]: the largest
/// payment, or a provider's own installment for its quote) over every plan of every
/// provider, so the badge says what the picker shows. Ties go to the smaller total, then the
/// shorter term, then the earlier provider.
///
/// ```
/// # use installment_core::*;
/// let byn = Currency::from_code("BYN")?;
/// let rules = [ProviderRules::interest_free("kp", "Karta Pokupok", Money::parse("50", byn)?, Money::parse("5000", byn)?, &[3, 6])];
/// let found = offers(&rules, Money::parse("100", byn)?, None)?;
/// let (provider, plan) = cheapest_monthly(&found).unwrap();
/// assert_eq!((provider.display_name.as_str(), plan.largest_payment().to_string()), ("Karta Pokupok", "16.67".into()));
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn cheapest_monthly(offers: &[ProviderPlans]) -> Option<(&ProviderPlans, &Plan)> {
    offers
        .iter()
        .flat_map(|provider| provider.plans.iter().map(move |plan| (provider, plan)))
        .min_by_key(|(_, plan)| (plan.monthly().minor(), plan.total().minor(), plan.months()))
}

/// Interest-free plans of `amount` over each of `terms`, and the "from" plan among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// One plan per distinct term, shortest first.
    pub plans: Vec<Plan>,
}

impl Quote {
    /// Splits `amount` over each term (duplicates dropped, sorted).
    ///
    /// ```
    /// # use installment_core::*;
    /// let byn = Currency::from_code("BYN")?;
    /// let quote = Quote::interest_free(Money::parse("299.90", byn)?, &[12, 3, 6])?;
    /// assert_eq!(quote.from().unwrap().largest_payment().to_string(), "25.00");
    /// assert!(Quote::interest_free(Money::parse("1", byn)?, &[0]).is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn interest_free(amount: Money, terms: &[u32]) -> Result<Self, Error> {
        let plans = ascending_unique(terms.iter().copied())
            .into_iter()
            .map(|months| Plan::interest_free(amount, months))
            .collect::<Result<_, _>>()?;
        Ok(Self { plans })
    }

    /// The plan with the smallest largest payment; `None` when there are no plans.
    ///
    /// ```
    /// # use installment_core::*;
    /// let byn = Currency::from_code("BYN")?;
    /// assert!(Quote::interest_free(Money::parse("1", byn)?, &[])?.from().is_none());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn from(&self) -> Option<&Plan> {
        self.plans
            .iter()
            .min_by_key(|plan| (plan.monthly().minor(), plan.total().minor(), plan.months()))
    }
}

/// Months in ascending order without duplicates. The lists are a handful of terms, so
/// inserting into a sorted vector is enough, and it keeps a general sort out of the wasm.
fn ascending_unique(terms: impl IntoIterator<Item = u32>) -> Vec<u32> {
    let mut sorted = Vec::new();
    for months in terms {
        if let Err(at) = sorted.binary_search(&months) {
            sorted.insert(at, months);
        }
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_come_out_ascending_and_unique() {
        let cases: &[(&[u32], &[u32])] = &[
            (&[], &[]),
            (&[12], &[12]),
            (&[12, 3, 6, 3, 24, 12], &[3, 6, 12, 24]),
            (&[120, 1, 60, 1, 120], &[1, 60, 120]),
        ];
        for &(terms, expected) in cases {
            assert_eq!(
                ascending_unique(terms.iter().copied()),
                expected,
                "{terms:?}"
            );
        }
    }

    fn byn(text: &str) -> Money {
        Money::parse(text, Currency::from_code("BYN").unwrap()).unwrap()
    }

    fn karta_pokupok() -> ProviderRules {
        ProviderRules {
            provider: "karta_pokupok".into(),
            display_name: "Karta Pokupok".into(),
            currency: Currency::from_code("BYN").unwrap(),
            min_amount: byn("50"),
            max_amount: byn("10000"),
            bands: vec![
                TermBand {
                    min: byn("50"),
                    max: Some(byn("299.99")),
                    terms: vec![3, 6],
                },
                TermBand {
                    min: byn("300"),
                    max: None,
                    terms: vec![3, 6, 12, 24],
                },
            ],
            categories: vec![
                CategoryTerms {
                    category: "food".into(),
                    terms: vec![],
                },
                CategoryTerms {
                    category: "phones".into(),
                    terms: vec![3, 6, 12],
                },
            ],
            markups: vec![TermMarkup {
                months: 24,
                rate: Rate::parse("0.08").unwrap(),
            }],
            rounding: Rounding::HalfUp,
            quote_places: None,
        }
    }

    #[test]
    fn terms_by_amount_band_and_category() {
        let rules = karta_pokupok();
        for (amount, category, expected) in [
            ("49.99", None, vec![]),
            ("50", None, vec![3, 6]),
            ("299.99", None, vec![3, 6]),
            ("300", None, vec![3, 6, 12, 24]),
            ("10000", None, vec![3, 6, 12, 24]),
            ("10000.01", None, vec![]),
            ("500", Some("food"), vec![]),
            ("500", Some("phones"), vec![3, 6, 12]),
            ("500", Some("unlisted"), vec![3, 6, 12, 24]),
        ] {
            assert_eq!(
                rules.eligible_terms(byn(amount), category),
                expected,
                "{amount} {category:?}"
            );
        }
        let kzt = Money::parse("500", Currency::from_code("KZT").unwrap()).unwrap();
        assert!(rules.eligible_terms(kzt, None).is_empty());
    }

    #[test]
    fn from_is_the_smallest_largest_payment_across_providers() {
        let mut other =
            ProviderRules::interest_free("halva", "Halva", byn("100"), byn("5000"), &[8]);
        other.markups.clear();
        let rules = [karta_pokupok(), other];
        // 1200 BYN: Karta Pokupok 24 months with 8 % = 1296/24 = 54.00; Halva 8 months = 150.00;
        // Karta Pokupok 12 months interest-free = 100.00. The cheapest monthly is 54.00.
        let found = offers(&rules, byn("1200"), None).unwrap();
        let (provider, plan) = cheapest_monthly(&found).unwrap();
        assert_eq!(
            (provider.provider.as_str(), plan.months()),
            ("karta_pokupok", 24)
        );
        assert_eq!(plan.largest_payment().to_string(), "54.00");
        // Food is excluded at Karta Pokupok, so Halva's 8 months wins.
        let found = offers(&rules, byn("1200"), Some("food")).unwrap();
        assert_eq!(cheapest_monthly(&found).unwrap().1.months(), 8);
        // Below every minimum: nothing, not an error.
        assert!(cheapest_monthly(&offers(&rules, byn("20"), None).unwrap()).is_none());
    }

    #[test]
    fn from_is_the_monthly_the_picker_shows_for_a_quote() {
        let try_ = |text| Money::parse(text, Currency::from_code("TRY").unwrap()).unwrap();
        // Craftgate says 40.80 a month for 122.42 (the last payment is 40.82); another
        // provider splits 122.43 into 40.81 each.
        let quoted = Plan::quoted(try_("120"), 3, try_("40.80"), try_("122.42")).unwrap();
        let split = Plan::interest_free(try_("122.43"), 3).unwrap();
        let offers = [
            ProviderPlans {
                provider: "other".into(),
                display_name: "Other".into(),
                plans: vec![split],
            },
            ProviderPlans {
                provider: "craftgate".into(),
                display_name: "Craftgate".into(),
                plans: vec![quoted],
            },
        ];
        let (provider, plan) = cheapest_monthly(&offers).unwrap();
        assert_eq!(
            (provider.provider.as_str(), plan.monthly().to_string()),
            ("craftgate", "40.80".into())
        );
    }

    #[test]
    fn categories_compare_without_case() {
        let rules = karta_pokupok();
        for category in ["food", "Food", "FOOD"] {
            assert!(
                rules.eligible_terms(byn("500"), Some(category)).is_empty(),
                "{category}"
            );
        }
        assert_eq!(rules.eligible_terms(byn("500"), Some("Phones")), [3, 6, 12]);
    }

    #[test]
    fn validation_names_the_provider_and_field() {
        type Change = fn(&mut ProviderRules);
        let cases: &[(Change, &str)] = &[
            (
                |r| r.bands[0].terms.push(0),
                "bands[0].terms: 0 months is outside 1..=120",
            ),
            (
                |r| r.bands[1].max = Some(byn("250")),
                "bands[1].max 250.00 is below its min 300.00",
            ),
            (
                |r| r.min_amount = Money::from_minor(-1, r.currency),
                "min_amount -0.01 is negative",
            ),
            (
                |r| r.bands[0].min = Money::from_minor(-100, r.currency),
                "bands[0].min -1.00 is negative",
            ),
            (
                |r| r.bands[0].max = Some(byn("300")),
                "bands[0] and bands[1] overlap: an amount belongs to one band",
            ),
            (
                |r| r.bands[0].max = None,
                "bands[0] and bands[1] overlap: an amount belongs to one band",
            ),
            (
                |r| r.max_amount = Money::parse("1", Currency::from_code("KZT").unwrap()).unwrap(),
                "max_amount is in KZT, the rules in BYN",
            ),
            (
                |r| r.max_amount = byn("10"),
                "max_amount 10.00 is below min_amount 50.00",
            ),
            (
                |r| r.markups[0].months = 121,
                "markups[0].months: 121 months is outside 1..=120",
            ),
            (
                |r| r.quote_places = Some(1),
                "quote_places 1 is outside 2..=12",
            ),
        ];
        for (change, message) in cases {
            let mut rules = karta_pokupok();
            change(&mut rules);
            assert_eq!(
                rules.validate(),
                Err(Error::InvalidRules(format!("karta_pokupok: {message}"))),
                "{message}"
            );
        }
        assert_eq!(karta_pokupok().validate(), Ok(()));
    }
}
