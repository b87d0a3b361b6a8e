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

/// What a range says of its cards, everything but its prefixes: kept once in a table however
/// many ranges share it (a real table has a million ranges and a few thousand of these).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Issuer {
    bank: Box<str>,
    bank_code: Option<u32>,
    family: Box<str>,
    association: CardAssociation,
    card_type: CardType,
    commercial: bool,
    country: Box<str>,
}

/// One range in a table: its prefixes and the index of its [`Issuer`], 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    first: u32,
    last: u32,
    issuer: u32,
}

/// A BIN table: ranges sorted for binary search, each 12 bytes, their banks and families
/// kept once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinTable {
    spans: Vec<Span>,
    issuers: Vec<Issuer>,
}

impl BinTable {
    /// Sorts the ranges and refuses reversed or overlapping ones, naming them by their
    /// position (1 for the first).
    ///
    /// ```
    /// # use installment_core::*;
    /// let range = |first, last| BinRange { first, last, bank: "Bank".into(), bank_code: None, family: "Halva".into(),
    ///     association: CardAssociation::Visa, card_type: CardType::Credit, commercial: false, country: "BY".into() };
    /// assert!(BinTable::new(vec![range(40000000, 40009999), range(40010000, 40019999)]).is_ok());
    /// let error = BinTable::new(vec![range(40000000, 40019999), range(40010000, 40019999)]).unwrap_err();
    /// assert!(error.to_string().contains("line 2"), "{error}");
    /// ```
    pub fn new(ranges: Vec<BinRange>) -> Result<Self, Error> {
        let mut builder = BinTableBuilder::default();
        for (at, range) in (1..).zip(&ranges) {
            builder.push(at, range)?;
        }
        builder.build()
    }

    /// The range that covers every card starting with `bin` (6 to 8 digits), if one does.
    /// A 6-digit BIN that spans two ranges is not decided. A binary search: O(log n).
    ///
    /// ```
    /// # use installment_core::*;
    /// let table = BinTable::new(vec![BinRange { first: 54066700, last: 54066799, bank: "Garanti BBVA".into(),
    ///     bank_code: Some(62), family: "Bonus".into(), association: CardAssociation::MasterCard,
    ///     card_type: CardType::Credit, commercial: false, country: "TR".into() }])?;
    /// assert_eq!(table.lookup("540667")?.map(|r| r.family), Some("Bonus".to_owned()));
    /// assert_eq!(table.lookup("540668")?, None);
    /// assert!(table.lookup("5406671234").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn lookup(&self, bin: &str) -> Result<Option<BinRange>, Error> {
        let (low, high) = BinRange::span(bin)?;
        let after = self.spans.partition_point(|span| span.first <= low);
        Ok(after
            .checked_sub(1)
            .map(|at| self.spans[at])
            .filter(|span| span.last >= high)
            .map(|span| self.range(span)))
    }

    /// How many ranges the table holds.
    ///
    /// ```
    /// # use installment_core::*;
    /// assert_eq!(BinTable::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the table holds no range.
    ///
    /// ```
    /// # use installment_core::*;
    /// assert!(BinTable::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn range(&self, span: Span) -> BinRange {
        let issuer = &self.issuers[span.issuer as usize];
        BinRange {
            first: span.first,
            last: span.last,
            bank: issuer.bank.to_string(),
            bank_code: issuer.bank_code,
            family: issuer.family.to_string(),
            association: issuer.association,
            card_type: issuer.card_type,
            commercial: issuer.commercial,
            country: issuer.country.to_string(),
        }
    }
}

/// Builds a [`BinTable`] one range at a time, as a file is read, each range numbered by its
/// line, so that a reversed, out-of-bounds or overlapping range is refused by line.
///
/// ```
/// # use installment_core::*;
/// let range = |first, last| BinRange { first, last, bank: "Bank".into(), bank_code: None, family: "Halva".into(),
///     association: CardAssociation::Visa, card_type: CardType::Credit, commercial: false, country: "BY".into() };
/// let mut builder = BinTableBuilder::default();
/// builder.push(2, &range(40010000, 40019999))?;
/// builder.push(3, &range(40000000, 40010000))?;
/// let error = builder.build().unwrap_err().to_string();
/// assert!(error.contains("line 3") && error.contains("line 2"), "{error}");
/// assert!(BinTableBuilder::default().push(7, &range(40019999, 40010000)).unwrap_err().to_string().contains("line 7"));
/// # Ok::<(), installment_core::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct BinTableBuilder {
    spans: Vec<(Span, u64)>,
    issuers: Vec<Issuer>,
    /// Each issuer's index by its fields joined: looked up through `key` without allocating
    /// anything for the many ranges whose issuer is known already.
    known: std::collections::HashMap<Box<str>, u32>,
    key: String,
}

impl BinTableBuilder {
    /// Adds the range read at `line`; refuses it at once if it is reversed or longer than
    /// 8 digits.
    pub fn push(&mut self, line: u64, range: &BinRange) -> Result<(), Error> {
        use std::fmt::Write;
        if range.first > range.last || range.last > 99_999_999 {
            return Err(Error::OverlappingBinRanges(format!(
                "line {line}: range {}..{} is reversed or longer than 8 digits",
                range.first, range.last
            )));
        }
        self.key.clear();
        // Unit separators: no bank or family name holds one.
        let _ = write!(
            self.key,
            "{}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            range.bank,
            range.bank_code,
            range.family,
            range.association.as_str(),
            range.card_type.as_str(),
            range.commercial,
            range.country
        );
        let issuer = match self.known.get(self.key.as_str()) {
            Some(&index) => index,
            None => {
                let index = u32::try_from(self.issuers.len()).map_err(|_| {
                    Error::OverlappingBinRanges(format!("line {line}: too many issuers"))
                })?;
                self.issuers.push(Issuer {
                    bank: range.bank.as_str().into(),
                    bank_code: range.bank_code,
                    family: range.family.as_str().into(),
                    association: range.association,
                    card_type: range.card_type,
                    commercial: range.commercial,
                    country: range.country.as_str().into(),
                });
                self.known.insert(self.key.as_str().into(), index);
                index
            }
        };
        let span = Span {
            first: range.first,
            last: range.last,
            issuer,
        };
        self.spans.push((span, line));
        Ok(())
    }

    /// Sorts the ranges; refuses two that overlap, naming both lines.
    pub fn build(mut self) -> Result<BinTable, Error> {
        self.spans.sort_unstable_by_key(|(span, _)| span.first);
        if let Some(pair) = self.spans.windows(2).find(|w| w[1].0.first <= w[0].0.last) {
            let [(earlier, earlier_line), (later, later_line)] = [pair[0], pair[1]];
            return Err(Error::OverlappingBinRanges(format!(
                "line {later_line}: range {}..{} overlaps {}..{} of line {earlier_line}",
                later.first, later.last, earlier.first, earlier.last
            )));
        }
        let mut spans: Vec<Span> = self.spans.into_iter().map(|(span, _)| span).collect();
        spans.shrink_to_fit();
        self.issuers.shrink_to_fit();
        Ok(BinTable {
            spans,
            issuers: self.issuers,
        })
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
                table.lookup(bin).unwrap().map(|r| r.family).as_deref(),
                expected,
                "{bin}"
            );
        }
        for bad in ["12345", "123456789", "12345a", ""] {
            assert_eq!(table.lookup(bad), Err(Error::InvalidBin(bad.into())));
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The binary search finds what a scan of every range finds, for tables of random
        /// ranges (shuffled, with shared issuers) and any 8-digit prefix.
        #[test]
        fn lookup_agrees_with_a_scan(
            widths in proptest::collection::vec((0_u32..500, 1_u32..500, 0_u8..4), 1..200),
            probes in proptest::collection::vec(10_000_000_u32..10_200_000, 50),
        ) {
            let mut ranges = Vec::new();
            let mut next = 10_000_000;
            for (gap, width, family) in widths {
                let first = next + gap;
                ranges.push(range(first, first + width - 1, &format!("F{family}")));
                next = first + width;
            }
            let scan = |bin: u32| ranges.iter().find(|r| r.first <= bin && bin <= r.last).cloned();
            let expected: Vec<_> = probes.iter().map(|&bin| scan(bin)).collect();
            ranges.reverse();
            let table = BinTable::new(ranges.clone()).unwrap();
            proptest::prop_assert_eq!(table.len(), ranges.len());
            for (bin, expected) in probes.iter().zip(expected) {
                proptest::prop_assert_eq!(table.lookup(&bin.to_string()).unwrap(), expected);
            }
        }
    }
}
