//! Card association from the first digits, lengths, CVC, Luhn and display grouping.
//!
//! Prefix ranges follow the public `credit-card-type` list; Troy's `65…` ranges are shared
//! with Discover and differ by issuer, so they are left to the BIN table.

use crate::Error;
use core::fmt;

/// A card scheme, spelled on the wire as Craftgate spells it (`VISA`, `MASTER_CARD`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "SCREAMING_SNAKE_CASE"))]
pub enum CardAssociation {
    /// Visa.
    Visa,
    /// Mastercard.
    MasterCard,
    /// American Express.
    Amex,
    /// Troy (Türkiye).
    Troy,
    /// Mir (Russia).
    Mir,
    /// UnionPay.
    UnionPay,
    /// Maestro.
    Maestro,
    /// JCB.
    Jcb,
    /// Discover.
    Discover,
    /// Diners Club.
    DinersClub,
    /// Belkart (Belarus).
    Belkart,
}

impl CardAssociation {
    /// Every association, for iteration and parsing.
    pub const ALL: [Self; 11] = [
        Self::Visa,
        Self::MasterCard,
        Self::Amex,
        Self::Troy,
        Self::Mir,
        Self::UnionPay,
        Self::Maestro,
        Self::Jcb,
        Self::Discover,
        Self::DinersClub,
        Self::Belkart,
    ];

    /// The wire name: `VISA`, `MASTER_CARD`, `AMEX`, `TROY`, `MIR`, `UNION_PAY`, `MAESTRO`,
    /// `JCB`, `DISCOVER`, `DINERS_CLUB`, `BELKART`.
    ///
    /// ```
    /// use installment_core::CardAssociation;
    /// assert_eq!(CardAssociation::MasterCard.as_str(), "MASTER_CARD");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Visa => "VISA",
            Self::MasterCard => "MASTER_CARD",
            Self::Amex => "AMEX",
            Self::Troy => "TROY",
            Self::Mir => "MIR",
            Self::UnionPay => "UNION_PAY",
            Self::Maestro => "MAESTRO",
            Self::Jcb => "JCB",
            Self::Discover => "DISCOVER",
            Self::DinersClub => "DINERS_CLUB",
            Self::Belkart => "BELKART",
        }
    }

    /// The scheme's brand as shoppers know it, in the locale's script: `Mastercard`, `Visa`,
    /// `Белкарт` in Cyrillic and `Belkart` elsewhere. Never the wire name.
    ///
    /// ```
    /// use installment_core::{CardAssociation, Locale};
    /// let (ru, en) = (Locale::from_tag("ru")?, Locale::from_tag("en")?);
    /// assert_eq!(CardAssociation::MasterCard.brand(en), "Mastercard");
    /// assert_eq!(CardAssociation::Belkart.brand(ru), "Белкарт");
    /// assert_eq!(CardAssociation::Belkart.brand(en), "Belkart");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn brand(self, locale: crate::Locale) -> &'static str {
        let cyrillic = locale.is_cyrillic();
        match self {
            Self::Visa => "Visa",
            Self::MasterCard => "Mastercard",
            Self::Amex => "American Express",
            Self::Troy => "Troy",
            Self::Mir if cyrillic => "Мир",
            Self::Mir => "Mir",
            Self::UnionPay => "UnionPay",
            Self::Maestro => "Maestro",
            Self::Jcb => "JCB",
            Self::Discover => "Discover",
            Self::DinersClub => "Diners Club",
            Self::Belkart if cyrillic => "Белкарт",
            Self::Belkart => "Belkart",
        }
    }

    /// Parses a wire name.
    ///
    /// ```
    /// use installment_core::CardAssociation;
    /// assert_eq!(CardAssociation::parse("UNION_PAY")?, CardAssociation::UnionPay);
    /// assert!(CardAssociation::parse("VISA ").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| Error::UnknownVariant(name.to_owned()))
    }

    /// Valid card number lengths.
    ///
    /// ```
    /// use installment_core::CardAssociation;
    /// assert_eq!(CardAssociation::Amex.lengths(), &[15]);
    /// ```
    pub const fn lengths(self) -> &'static [u8] {
        match self {
            Self::Visa => &[16, 18, 19],
            Self::MasterCard | Self::Troy | Self::Belkart => &[16],
            Self::Amex => &[15],
            Self::DinersClub => &[14, 16, 19],
            Self::Discover => &[16, 19],
            Self::Jcb | Self::Mir => &[16, 17, 18, 19],
            Self::UnionPay => &[14, 15, 16, 17, 18, 19],
            Self::Maestro => &[12, 13, 14, 15, 16, 17, 18, 19],
        }
    }

    /// Digits of the security code.
    ///
    /// ```
    /// use installment_core::CardAssociation;
    /// assert_eq!(CardAssociation::Amex.cvc_length(), 4);
    /// assert_eq!(CardAssociation::Visa.cvc_length(), 3);
    /// ```
    pub const fn cvc_length(self) -> u8 {
        match self {
            Self::Amex => 4,
            _ => 3,
        }
    }

    /// Where spaces go when the number is displayed: after these digit counts.
    ///
    /// ```
    /// use installment_core::CardAssociation;
    /// assert_eq!(CardAssociation::Amex.gaps(), &[4, 10]);
    /// ```
    pub const fn gaps(self) -> &'static [usize] {
        match self {
            Self::Amex | Self::DinersClub => &[4, 10],
            _ => &[4, 8, 12, 16],
        }
    }
}

impl fmt::Display for CardAssociation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A prefix range: card numbers whose first `digits` digits lie in `low..=high`.
struct PrefixRange {
    low: u32,
    high: u32,
    digits: u32,
    association: CardAssociation,
}

const fn range(low: u32, high: u32, association: CardAssociation) -> PrefixRange {
    let mut digits = 1;
    let mut rest = low / 10;
    while rest > 0 {
        digits += 1;
        rest /= 10;
    }
    PrefixRange {
        low,
        high,
        digits,
        association,
    }
}

const fn prefix(value: u32, association: CardAssociation) -> PrefixRange {
    range(value, value, association)
}

use CardAssociation as A;

static PREFIXES: &[PrefixRange] = &[
    prefix(4, A::Visa),
    range(51, 55, A::MasterCard),
    range(2221, 2720, A::MasterCard),
    prefix(34, A::Amex),
    prefix(37, A::Amex),
    range(300, 305, A::DinersClub),
    prefix(36, A::DinersClub),
    prefix(38, A::DinersClub),
    prefix(39, A::DinersClub),
    prefix(6011, A::Discover),
    range(644, 649, A::Discover),
    prefix(65, A::Discover),
    prefix(2131, A::Jcb),
    prefix(1800, A::Jcb),
    range(3528, 3589, A::Jcb),
    prefix(62, A::UnionPay),
    range(810, 817, A::UnionPay),
    prefix(493698, A::Maestro),
    range(500000, 504174, A::Maestro),
    range(504176, 506698, A::Maestro),
    range(506779, 508999, A::Maestro),
    range(56, 59, A::Maestro),
    prefix(63, A::Maestro),
    prefix(67, A::Maestro),
    prefix(6, A::Maestro),
    range(2200, 2204, A::Mir),
    prefix(9792, A::Troy),
    prefix(9112, A::Belkart),
];

/// What the first digits tell about a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardInfo {
    /// The scheme.
    pub association: CardAssociation,
    /// Valid full-number lengths.
    pub lengths: &'static [u8],
    /// Digits of the security code.
    pub cvc_length: u8,
}

fn check_digits(digits: &str) -> Result<(), Error> {
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidCardDigits(digits.to_owned()));
    }
    Ok(())
}

/// The association of a card from its first 1 to 8 digits (more are accepted and ignored).
///
/// A card's association is that of the longest prefix its number starts with. The digits
/// answer an association only once every number they can still grow into has that same
/// answer, so an answer never changes as more digits are typed: `"6"`, `"60"` and `"601"`
/// could still be Discover (`6011`) or Maestro (`6` and others), and `"1"` and `"21"` may
/// become JCB or nothing. `Ok(None)` means "not known yet, or no scheme this table knows";
/// the widget shows no scheme then, and the proxy's `/bins` answers without `association`.
///
/// ```
/// use installment_core::{detect_card, CardAssociation};
/// assert_eq!(detect_card("41")?.map(|c| c.association), Some(CardAssociation::Visa));
/// assert_eq!(detect_card("4")?, None, "493698 is Maestro");
/// assert_eq!(detect_card("2200")?.map(|c| c.association), Some(CardAssociation::Mir));
/// assert_eq!(detect_card("3")?, None);
/// assert!(detect_card("4x").is_err());
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn detect_card(digits: &str) -> Result<Option<CardInfo>, Error> {
    check_digits(digits)?;
    let head = digits.get(..8).unwrap_or(digits);
    let known = head.len() as u32;
    let value: u32 = head
        .parse()
        .map_err(|_| Error::InvalidCardDigits(digits.to_owned()))?;
    let mut best: Option<&PrefixRange> = None;
    let mut still_possible: Vec<CardAssociation> = Vec::new();
    for range in PREFIXES {
        if known >= range.digits {
            let leading = value / 10_u32.pow(known - range.digits);
            if (range.low..=range.high).contains(&leading)
                && best.is_none_or(|b| range.digits > b.digits)
            {
                best = Some(range);
            }
        } else {
            // A longer prefix that some completion of the digits still reaches.
            let shift = 10_u32.pow(range.digits - known);
            if (range.low / shift..=range.high / shift).contains(&value) {
                still_possible.push(range.association);
            }
        }
    }
    // With no prefix matched yet, some completions match none: not known yet. With one,
    // every longer prefix still possible must agree with it.
    let association = best
        .map(|b| b.association)
        .filter(|found| still_possible.iter().all(|other| other == found));
    Ok(association.map(|association| CardInfo {
        association,
        lengths: association.lengths(),
        cvc_length: association.cvc_length(),
    }))
}

/// The Luhn check of a full card number.
///
/// ```
/// use installment_core::luhn_valid;
/// assert!(luhn_valid("4111111111111111"));
/// assert!(!luhn_valid("4111111111111112"));
/// assert!(!luhn_valid("41x1"));
/// ```
pub fn luhn_valid(number: &str) -> bool {
    if number.len() < 2 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d > 4 { 2 * d - 9 } else { 2 * d }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether a full number is plausible: known association, allowed length, Luhn.
///
/// ```
/// use installment_core::is_valid_card_number;
/// assert!(is_valid_card_number("378282246310005"));
/// assert!(!is_valid_card_number("37828224631000"));
/// ```
pub fn is_valid_card_number(number: &str) -> bool {
    matches!(detect_card(number), Ok(Some(info)) if info.lengths.contains(&(number.len() as u8)))
        && luhn_valid(number)
}

/// Groups digits for display by the association's gaps (4-4-4-4; Amex 4-6-5).
///
/// ```
/// use installment_core::group_card_number;
/// assert_eq!(group_card_number("4111111111111111")?, "4111 1111 1111 1111");
/// assert_eq!(group_card_number("378282246310005")?, "3782 822463 10005");
/// assert_eq!(group_card_number("41111")?, "4111 1");
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn group_card_number(digits: &str) -> Result<String, Error> {
    let gaps =
        detect_card(digits)?.map_or(CardAssociation::Visa.gaps(), |info| info.association.gaps());
    let mut grouped = String::with_capacity(digits.len() + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && gaps.contains(&i) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    Ok(grouped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn association_by_longest_prefix() {
        for (digits, expected) in [
            ("4", None),
            ("41", Some(A::Visa)),
            ("49", None),
            ("4936", None),
            ("493698", Some(A::Maestro)),
            ("493699", Some(A::Visa)),
            ("41111111", Some(A::Visa)),
            ("5", None),
            ("50", None),
            ("51", Some(A::MasterCard)),
            ("55", Some(A::MasterCard)),
            ("2221", Some(A::MasterCard)),
            ("2720", Some(A::MasterCard)),
            ("2721", None),
            ("1", None),
            ("18", None),
            ("1800", Some(A::Jcb)),
            ("2", None),
            ("21", None),
            ("213", None),
            ("2131", Some(A::Jcb)),
            ("22", None),
            ("220", None),
            ("2200", Some(A::Mir)),
            ("2204", Some(A::Mir)),
            ("34", Some(A::Amex)),
            ("37", Some(A::Amex)),
            ("3", None),
            ("30", None),
            ("300", Some(A::DinersClub)),
            ("305", Some(A::DinersClub)),
            ("306", None),
            ("36", Some(A::DinersClub)),
            ("35", None),
            ("3528", Some(A::Jcb)),
            ("6", None),
            ("60", None),
            ("601", None),
            ("6011", Some(A::Discover)),
            ("600", Some(A::Maestro)),
            ("644", Some(A::Discover)),
            ("65", Some(A::Discover)),
            ("62", Some(A::UnionPay)),
            ("56", Some(A::Maestro)),
            ("63", Some(A::Maestro)),
            ("502000", Some(A::Maestro)),
            ("9792", Some(A::Troy)),
            ("979", None),
            ("9112", Some(A::Belkart)),
            ("9", None),
            ("0", None),
            ("4111111111111111", Some(A::Visa)),
        ] {
            assert_eq!(
                detect_card(digits).unwrap().map(|c| c.association),
                expected,
                "{digits}"
            );
        }
    }

    /// Every prefix of every range, and its neighbours: once an association is answered,
    /// no further digit changes it.
    #[test]
    fn an_answer_never_changes_as_digits_are_added() {
        let mut starts: Vec<String> = Vec::new();
        for range in PREFIXES {
            for value in [
                range.low,
                range.high,
                range.low.saturating_sub(1),
                range.high + 1,
            ] {
                let text = value.to_string();
                for end in 1..=text.len() {
                    starts.push(text[..end].to_owned());
                }
            }
        }
        for start in starts {
            let Some(answer) = detect_card(&start).unwrap() else {
                continue;
            };
            let mut digits = start.clone();
            for next in 0..10 {
                digits.truncate(start.len());
                for _ in start.len()..8 {
                    digits.push(char::from(b'0' + next));
                    assert_eq!(
                        detect_card(&digits).unwrap().map(|c| c.association),
                        Some(answer.association),
                        "{start} said {}, {digits} disagrees",
                        answer.association
                    );
                }
            }
        }
    }

    #[test]
    fn bad_digits_are_errors() {
        for digits in ["", "4 1", "x", "41111111111111111111", "４"] {
            assert_eq!(
                detect_card(digits),
                Err(Error::InvalidCardDigits(digits.into())),
                "{digits}"
            );
        }
    }

    #[test]
    fn lengths_cvc_and_validity() {
        for (number, valid) in [
            ("4111111111111111", true),
            ("5555555555554444", true),
            ("2223003122003222", true),
            ("378282246310005", true),
            ("6011111111111117", true),
            ("3530111333300000", true),
            ("30569309025904", true),
            ("4111111111111", false),
            ("5555555555554445", false),
        ] {
            assert_eq!(is_valid_card_number(number), valid, "{number}");
        }
        let amex = detect_card("34").unwrap().unwrap();
        assert_eq!((amex.lengths, amex.cvc_length), (&[15][..], 4));
    }

    #[test]
    fn wire_names_round_trip() {
        for association in A::ALL {
            assert_eq!(
                CardAssociation::parse(association.as_str()),
                Ok(association)
            );
        }
    }
}
