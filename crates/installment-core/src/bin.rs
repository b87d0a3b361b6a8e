//! BIN table: sorted, non-overlapping ranges of 8-digit card prefixes, looked up in O(log n).

use crate::{CardAssociation, Error};

/// Credit, debit or prepaid, spelled as Craftgate spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CardType {
    /// `CREDIT_CARD`
    #[cfg_attr(feature = "serde", serde(rename = "CREDIT_CARD"))]
    Credit,
    /// `DEBIT_CARD`
    #[cfg_attr(feature = "serde", serde(rename = "DEBIT_CARD"))]
    Debit,
    /// `PREPAID_CARD`
    #[cfg_attr(feature = "serde", serde(rename = "PREPAID_CARD"))]
    Prepaid,
}

impl CardType {
    /// The wire name.
    ///
    /// ```
    /// use installment_core::CardType;
    /// assert_eq!(CardType::Debit.as_str(), "DEBIT_CARD");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Credit => "CREDIT_CARD",
            Self::Debit => "DEBIT_CARD",
            Self::Prepaid => "PREPAID_CARD",
        }
    }

    /// Parses a wire name.
    ///
    /// ```
    /// use installment_core::CardType;
    /// assert_eq!(CardType::parse("CREDIT_CARD")?, CardType::Credit);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self, Error> {
        [Self::Credit, Self::Debit, Self::Prepaid]
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| Error::UnknownVariant(name.to_owned()))
    }
}

/// One range of the table: every 8-digit prefix in `first..=last` belongs to one card family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinRange {
    /// First 8-digit prefix, inclusive.
    pub first: u32,
    /// Last 8-digit prefix, inclusive.
    pub last: u32,
    /// Issuing bank.
    pub bank: String,
    /// The bank's code, where the country has one (Turkish EFT codes).
    pub bank_code: Option<u32>,
    /// Card programme: Axess, Bonus, World, Maximum, Halva, Karta Pokupok ...
    pub family: String,
    /// Scheme.
    pub association: CardAssociation,
    /// Credit, debit or prepaid.
    pub card_type: CardType,
    /// Whether it is a business card (matters for baskets that may not be split).
    pub commercial: bool,
    /// ISO 3166 alpha-2 country of the issuer.
    pub country: String,
}

impl BinRange {
    /// Whether an offer for `family` and `association` (each `None` for any) is open to a
    /// card of this range. Families compare without case: providers spell them differently.
    ///
    /// ```
    /// use installment_core::{BinRange, CardAssociation, CardType};
    /// let bonus = BinRange { first: 54066700, last: 54066799, bank: "Garanti BBVA".into(),
    ///     bank_code: Some(62), family: "Bonus".into(), association: CardAssociation::MasterCard,
    ///     card_type: CardType::Credit, commercial: false, country: "TR".into() };
    /// assert!(bonus.accepts(Some("BONUS"), None));
    /// assert!(bonus.accepts(None, None));
    /// assert!(!bonus.accepts(Some("World"), None));
    /// assert!(!bonus.accepts(None, Some(CardAssociation::Visa)));
    /// ```
    pub fn accepts(&self, family: Option<&str>, association: Option<CardAssociation>) -> bool {
        family.is_none_or(|family| family.eq_ignore_ascii_case(&self.family))
            && association.is_none_or(|a| a == self.association)
    }

    /// Widens a 6- to 8-digit prefix to its range of 8-digit prefixes: `"540667"` covers
    /// `54066700..=54066799`.
    ///
    /// ```
    /// use installment_core::BinRange;
    /// assert_eq!(BinRange::span("540667")?, (54066700, 54066799));
    /// assert_eq!(BinRange::span("54066712")?, (54066712, 54066712));
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn span(prefix: &str) -> Result<(u32, u32), Error> {
        if !(6..=8).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidBin(prefix.to_owned()));
        }
        let scale = 10_u32.pow(8 - prefix.len() as u32);
        let value: u32 = prefix
            .parse()
            .map_err(|_| Error::InvalidBin(prefix.to_owned()))?;
        Ok((value * scale, value * scale + scale - 1))
    }
}

/// A BIN table sorted by range for binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinTable {
    ranges: Vec<BinRange>,
}

impl BinTable {
    /// Sorts the ranges and refuses reversed or overlapping ones.
    ///
    /// ```
    /// # use installment_core::*;
    /// let range = |first, last| BinRange { first, last, bank: "Bank".into(), bank_code: None, family: "Halva".into(),
    ///     association: CardAssociation::Visa, card_type: CardType::Credit, commercial: false, country: "BY".into() };
    /// assert!(BinTable::new(vec![range(40000000, 40009999), range(40010000, 40019999)]).is_ok());
    /// assert!(BinTable::new(vec![range(40000000, 40019999), range(40010000, 40019999)]).is_err());
    /// ```
    pub fn new(mut ranges: Vec<BinRange>) -> Result<Self, Error> {
        if let Some(bad) = ranges
            .iter()
            .find(|r| r.first > r.last || r.last > 99_999_999)
        {
            return Err(Error::OverlappingBinRanges(format!(
                "range {}..{} is reversed or too long",
                bad.first, bad.last
            )));
        }
        ranges.sort_by_key(|r| r.first);
        if let Some(pair) = ranges.windows(2).find(|w| w[1].first <= w[0].last) {
            return Err(Error::OverlappingBinRanges(format!(
                "{}..{} overlaps {}..{}",
                pair[0].first, pair[0].last, pair[1].first, pair[1].last
            )));
        }
        Ok(Self { ranges })
    }

    /// The range that covers every card starting with `bin` (6 to 8 digits), if one does.
    /// A 6-digit BIN that spans two ranges is not decided.
    ///
    /// ```
    /// # use installment_core::*;
    /// let table = BinTable::new(vec![BinRange { first: 54066700, last: 54066799, bank: "Garanti BBVA".into(),
    ///     bank_code: Some(62), family: "Bonus".into(), association: CardAssociation::MasterCard,
    ///     card_type: CardType::Credit, commercial: false, country: "TR".into() }])?;
    /// assert_eq!(table.lookup("540667")?.map(|r| r.family.as_str()), Some("Bonus"));
    /// assert_eq!(table.lookup("540668")?, None);
    /// assert!(table.lookup("5406671234").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn lookup(&self, bin: &str) -> Result<Option<&BinRange>, Error> {
        let (low, high) = BinRange::span(bin)?;
        let after = self.ranges.partition_point(|r| r.first <= low);
        Ok(after
            .checked_sub(1)
            .map(|at| &self.ranges[at])
            .filter(|r| r.last >= high))
    }

    /// The ranges, sorted.
    ///
    /// ```
    /// # use installment_core::*;
    /// assert!(BinTable::default().ranges().is_empty());
    /// ```
    pub fn ranges(&self) -> &[BinRange] {
        &self.ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first: u32, last: u32, family: &str) -> BinRange {
        BinRange {
            first,
            last,
            bank: "Bank".into(),
            bank_code: None,
            family: family.into(),
            association: CardAssociation::Visa,
            card_type: CardType::Credit,
            commercial: false,
            country: "BY".into(),
        }
    }

    #[test]
    fn lookup_table() {
        let table = BinTable::new(vec![
            range(42000000, 42009999, "Halva"),
            range(40000000, 40000099, "Karta Pokupok"),
            range(42010000, 42010049, "Magnit"),
            range(42010050, 42010099, "Smart"),
        ])
        .unwrap();
        for (bin, expected) in [
            ("400000", Some("Karta Pokupok")),
            ("40000099", Some("Karta Pokupok")),
            ("400001", None),
            ("420000", Some("Halva")),
            ("420099", Some("Halva")),
            ("420100", None), // spans Magnit and Smart
            ("42010049", Some("Magnit")),
            ("42010050", Some("Smart")),
            ("399999", None),
            ("999999", None),
        ] {
            assert_eq!(
                table.lookup(bin).unwrap().map(|r| r.family.as_str()),
                expected,
                "{bin}"
            );
        }
        for bad in ["12345", "123456789", "12345a", ""] {
            assert_eq!(table.lookup(bad), Err(Error::InvalidBin(bad.into())));
        }
    }
}
