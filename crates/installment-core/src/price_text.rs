//! Prices scraped from a page: `"1 299,90 BYN"`, `"₺1.299,90"`, `"¥1,200"`, `"١٢٥٠٫٥٠"`.
//!
//! # Rules
//!
//! 1. Arabic-Indic (`٠`–`٩`) and Extended Arabic-Indic (`۰`–`۹`) digits read as 0–9; the
//!    Arabic decimal separator `٫` is always decimal and the Arabic thousands separator `٬`
//!    always groups.
//! 2. The number is the run from the first digit to the last. Around it may stand words and a
//!    currency symbol or code. The ISO code of another currency that shops in these markets
//!    show (`SHOWN_CODES`), or an unambiguous symbol (`₸ ₺ ₽ € ₴`) of another currency than
//!    the expected one, is a [`Error::CurrencyMismatch`]; other capitalised words (`"TOP"`,
//!    `"ALL"`) are just words. A word glued to the number must be a sign of the expected
//!    currency (`"299р"`, `"1,200円"`); any other (`"1,5k"`, `"12O"`) is refused. A minus or a
//!    dash (`-`, `−`, `‒`, `–`, `—`) before the number is a minus sign and refused; inside or
//!    after it, a dash is refused too (`"10–20"`).
//!    A `.` or `,` right before the first digit starts a fraction (`".5"`, `"$.99"`,
//!    `",99 Br"` are 0.50 and 0.99), unless a word is glued to it (`"руб.5"` is refused).
//! 3. Spaces (ordinary, no-break U+00A0, narrow no-break U+202F, thin U+2009, figure U+2007)
//!    and apostrophes always group.
//! 4. If both `.` and `,` appear, the rightmost one is the decimal separator and must appear
//!    once; the other groups. A separator that appears more than once groups. A single `.` or
//!    `,` alongside space grouping is decimal.
//! 5. A single `.` or `,` followed by other than exactly three digits is decimal.
//! 6. A single `.` or `,` followed by exactly three digits is ambiguous (`1,299`). It is
//!    settled by the locale hint when one is given (its decimal separator is decimal, the
//!    other groups); else, when the currency has fewer than three decimals, it groups (a
//!    three-digit fraction is impossible); else the text is refused as
//!    [`Error::AmbiguousPrice`].
//! 7. Groups are 1–3 digits, then exactly 3, and a grouped number never starts with `0`: so a
//!    separator after a lone `0` is decimal (`"0,500"` BYN and `"0.299"` TRY are refused as
//!    too many decimals, `"0 500"` as malformed). The fraction obeys the currency's minor unit
//!    and the amount the 10^12 limit, as in [`Money::parse`].

use crate::{Currency, Error, Locale, Money};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    Digit(u8),
    Dot,
    Comma,
    /// A character that only ever groups digits.
    Group,
    /// A character that is only ever a decimal separator.
    Decimal,
    /// A minus sign or a dash.
    Minus(char),
    Other(char),
}

/// ISO codes that shops in these markets show beside prices, so that one of them beside a
/// number says which currency it is in. Other capitalised words that happen to be ISO codes
/// (`TOP`, `ALL`) are words. Craftgate's currencies, and the region's neighbours.
const SHOWN_CODES: &[&str] = &[
    "AED", "ARS", "AZN", "BHD", "BRL", "BYN", "CHF", "CNY", "EGP", "EUR", "GBP", "IQD", "JPY",
    "KWD", "KZT", "RUB", "SAR", "TRY", "UAH", "USD",
];

/// Signs written glued to a price that CLDR's symbols do not list: local abbreviations.
const LOCAL_SIGNS: &[(&str, &[&str])] = &[
    ("BYN", &["р", "руб"]),
    ("RUB", &["р", "руб"]),
    ("KZT", &["тг", "тенге"]),
    ("TRY", &["TL"]),
    ("UAH", &["грн"]),
    ("JPY", &["円"]),
    ("CNY", &["元"]),
];

fn classify(c: char) -> Token {
    match c {
        '0'..='9' => Token::Digit(c as u8 - b'0'),
        '\u{0660}'..='\u{0669}' => Token::Digit((c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => Token::Digit((c as u32 - 0x06F0) as u8),
        '.' => Token::Dot,
        ',' => Token::Comma,
        '\u{066B}' => Token::Decimal,
        ' ' | '\u{A0}' | '\u{202F}' | '\u{2009}' | '\u{2007}' | '\'' | '\u{2019}' | '\u{066C}' => {
            Token::Group
        }
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => Token::Minus(c),
        other => Token::Other(other),
    }
}

/// Parses a price as a shop shows it, by the rules in this module's documentation.
///
/// ```
/// use installment_core::{parse_price_text, Currency, Locale};
/// let byn = Currency::from_code("BYN")?;
/// assert_eq!(parse_price_text("1 299,90 BYN", byn, None)?.to_string(), "1299.90");
/// let jpy = Currency::from_code("JPY")?;
/// assert_eq!(parse_price_text("¥1,200", jpy, None)?.to_string(), "1200");
/// let try_ = Currency::from_code("TRY")?;
/// let tr = Locale::from_tag("tr-TR")?;
/// assert_eq!(parse_price_text("₺1.299", try_, Some(tr))?.to_string(), "1299.00");
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn parse_price_text(
    text: &str,
    currency: Currency,
    locale: Option<Locale>,
) -> Result<Money, Error> {
    let chars: Vec<char> = text.chars().collect();
    let tokens: Vec<Token> = chars.iter().copied().map(classify).collect();
    let is_digit = |t: &Token| matches!(t, Token::Digit(_));
    let (Some(first), Some(last)) = (
        tokens.iter().position(is_digit),
        tokens.iter().rposition(is_digit),
    ) else {
        return Err(if text.trim().is_empty() {
            Error::EmptyAmount
        } else {
            Error::MalformedAmount(text.to_owned())
        });
    };
    if tokens[..first].iter().any(|t| matches!(t, Token::Minus(_))) {
        return Err(Error::NegativeAmount(text.to_owned()));
    }
    check_decoration(text, currency)?;
    check_glued_words(&chars, first, last, text, currency)?;
    // A separator right before the first digit starts a fraction: ".5", "$.99", ",99 Br".
    let start = match (first.checked_sub(1), first.checked_sub(2)) {
        (Some(at), before) if matches!(tokens[at], Token::Dot | Token::Comma) => {
            if before.is_some_and(|b| chars[b].is_alphanumeric()) {
                return Err(Error::MalformedAmount(text.to_owned()));
            }
            at
        }
        _ => first,
    };
    let run = &tokens[start..=last];
    let in_run = run.iter().find_map(|t| match t {
        Token::Minus(c) | Token::Other(c) => Some(*c),
        _ => None,
    });
    let dash_after = tokens[last + 1..].iter().find_map(|t| match t {
        Token::Minus(c) => Some(*c),
        _ => None,
    });
    if let Some(found) = in_run.or(dash_after) {
        return Err(Error::InvalidCharacter {
            text: text.to_owned(),
            found,
        });
    }
    let decimal_at = find_decimal(run, text, currency, locale)?;
    let (integer_tokens, fraction_tokens) = match decimal_at {
        Some(at) => (&run[..at], &run[at + 1..]),
        None => (run, &[][..]),
    };
    let integer = if integer_tokens.is_empty() && decimal_at == Some(0) {
        "0".to_owned()
    } else {
        grouped_digits(integer_tokens, text)?
    };
    let fraction: String = fraction_tokens
        .iter()
        .map(|t| match t {
            Token::Digit(d) => Ok(char::from(b'0' + d)),
            _ => Err(Error::MalformedAmount(text.to_owned())),
        })
        .collect::<Result<_, _>>()?;
    if decimal_at.is_some() && fraction.is_empty() {
        return Err(Error::MalformedAmount(text.to_owned()));
    }
    Money::from_digits(&integer, &fraction, currency, text)
}

/// Refuses text that names another currency around the number.
fn check_decoration(text: &str, currency: Currency) -> Result<(), Error> {
    let mismatch = |found: &str| Error::CurrencyMismatch {
        expected: currency.code(),
        found: found.to_owned(),
    };
    for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
        if word.len() == 3 && word != currency.code() && SHOWN_CODES.contains(&word) {
            return Err(mismatch(word));
        }
    }
    const UNAMBIGUOUS: [(char, &str); 5] = [
        ('₸', "KZT"),
        ('₺', "TRY"),
        ('₽', "RUB"),
        ('€', "EUR"),
        ('₴', "UAH"),
    ];
    for (symbol, code) in UNAMBIGUOUS {
        if text.chars().any(|c| c == symbol) && code != currency.code() {
            return Err(mismatch(code));
        }
    }
    Ok(())
}

/// Refuses a word glued to either end of the number unless it is a sign of `currency`
/// (its code, a CLDR symbol, or a local abbreviation): `"1,5k"` and `"12O"` are not prices.
fn check_glued_words(
    chars: &[char],
    first: usize,
    last: usize,
    text: &str,
    currency: Currency,
) -> Result<(), Error> {
    let word_start = chars[..first]
        .iter()
        .rposition(|c| !c.is_alphabetic())
        .map_or(0, |at| at + 1);
    let before: String = chars[word_start..first].iter().collect();
    let after: String = chars[last + 1..]
        .iter()
        .take_while(|c| c.is_alphabetic())
        .collect();
    let is_sign = |word: &str| {
        Locale::signs_of(currency.code()).any(|sign| sign == word)
            || LOCAL_SIGNS
                .iter()
                .any(|(code, signs)| *code == currency.code() && signs.contains(&word))
    };
    for word in [before, after] {
        if let Some(found) = word.chars().next().filter(|_| !is_sign(&word)) {
            return Err(Error::InvalidCharacter {
                text: text.to_owned(),
                found,
            });
        }
    }
    Ok(())
}

/// Where the decimal separator is in the numeric run, if there is one (rules 4–6).
fn find_decimal(
    run: &[Token],
    text: &str,
    currency: Currency,
    locale: Option<Locale>,
) -> Result<Option<usize>, Error> {
    let positions = |kind: Token| -> Vec<usize> {
        run.iter()
            .enumerate()
            .filter(|(_, t)| **t == kind)
            .map(|(i, _)| i)
            .collect()
    };
    let (dots, commas, arabic) = (
        positions(Token::Dot),
        positions(Token::Comma),
        positions(Token::Decimal),
    );
    let malformed = || Error::MalformedAmount(text.to_owned());
    // A run that starts with a separator is a bare fraction; it has no other separator.
    if matches!(run.first(), Some(Token::Dot | Token::Comma)) {
        return if dots.len() + commas.len() + arabic.len() == 1 {
            Ok(Some(0))
        } else {
            Err(malformed())
        };
    }
    if !arabic.is_empty() {
        return match (arabic.as_slice(), dots.is_empty() && commas.is_empty()) {
            ([at], true) => Ok(Some(*at)),
            _ => Err(malformed()),
        };
    }
    match (dots.as_slice(), commas.as_slice()) {
        ([], []) => Ok(None),
        ([_, _, ..], [_, _, ..]) => Err(malformed()),
        (d, c) if !d.is_empty() && !c.is_empty() => {
            // Rule 4: the rightmost kind is decimal and must appear once.
            let (last_dot, last_comma) = (d[d.len() - 1], c[c.len() - 1]);
            let (decimal, count) = if last_dot > last_comma {
                (last_dot, d.len())
            } else {
                (last_comma, c.len())
            };
            if count == 1 {
                Ok(Some(decimal))
            } else {
                Err(malformed())
            }
        }
        (single, []) | ([], single) if single.len() > 1 => Ok(None),
        (single, rest) => {
            let at = if single.is_empty() {
                rest[0]
            } else {
                single[0]
            };
            let separator = if run[at] == Token::Dot { '.' } else { ',' };
            if run.contains(&Token::Group) {
                return Ok(Some(at));
            }
            let digits_after = run.len() - at - 1;
            // A grouped number never starts with 0: "0,500" is a fraction.
            if digits_after != 3 || run[0] == Token::Digit(0) {
                return Ok(Some(at));
            }
            // Rule 6: exactly three digits after a lone separator.
            match locale {
                Some(locale) if locale.decimal_separator() == separator => Ok(Some(at)),
                Some(_) => Ok(None),
                None if currency.exponent() < 3 => Ok(None),
                None => Err(Error::AmbiguousPrice(text.to_owned())),
            }
        }
    }
}

/// The integer digits, checking that grouping separators sit between groups of three.
fn grouped_digits(tokens: &[Token], text: &str) -> Result<String, Error> {
    let mut groups: Vec<String> = vec![String::new()];
    let mut separator: Option<Token> = None;
    for token in tokens {
        match token {
            Token::Digit(d) => groups
                .last_mut()
                .unwrap_or(&mut String::new())
                .push(char::from(b'0' + d)),
            sep => {
                // One kind of group separator per number; spaces of any width count as one kind.
                if separator.is_some_and(|s| s != *sep) {
                    return Err(Error::MalformedAmount(text.to_owned()));
                }
                separator = Some(*sep);
                groups.push(String::new());
            }
        }
    }
    let well_grouped = groups.len() == 1
        || ((1..=3).contains(&groups[0].len())
            && !groups[0].starts_with('0')
            && groups[1..].iter().all(|g| g.len() == 3));
    if !well_grouped || groups[0].is_empty() {
        return Err(Error::MalformedAmount(text.to_owned()));
    }
    Ok(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn reads_prices_as_shops_show_them() {
        let cases: &[(&str, &str, Option<&str>, &str)] = &[
            ("1 299,90 BYN", "BYN", None, "1299.90"),
            ("1\u{A0}299,90\u{A0}Br", "BYN", None, "1299.90"),
            ("1\u{202F}299,90 Br", "BYN", None, "1299.90"),
            ("1,299.90", "USD", None, "1299.90"),
            ("$1,299.90", "USD", None, "1299.90"),
            ("₺1.299,90", "TRY", None, "1299.90"),
            ("1.299,90 TL", "TRY", None, "1299.90"),
            ("12 500 ₸", "KZT", None, "12500.00"),
            ("12\u{A0}500,50\u{A0}₸", "KZT", None, "12500.50"),
            ("¥1,200", "JPY", None, "1200"),
            ("1,200円", "JPY", None, "1200"),
            ("1.234.567", "TRY", None, "1234567.00"),
            ("299,9", "BYN", None, "299.90"),
            ("299", "BYN", None, "299.00"),
            ("Цена: 49,99 руб.", "RUB", None, "49.99"),
            ("١٬٢٩٩٫٩٠ د.إ.", "AED", None, "1299.90"),
            ("۱۲۵۰", "AED", None, "1250.00"),
            ("1'299.90 CHF", "CHF", None, "1299.90"),
            // Rule 6: the locale hint settles a lone separator before three digits.
            ("1,299", "BYN", None, "1299.00"),
            ("1.299", "TRY", Some("tr-TR"), "1299.00"),
            ("1.299", "KWD", Some("en-US"), "1.299"),
            ("1,299", "KWD", Some("en-US"), "1299.000"),
            ("1 299,900 KWD", "KWD", None, "1299.900"),
            // A separator before the first digit starts a fraction.
            (".5", "BYN", None, "0.50"),
            ("$.99", "USD", None, "0.99"),
            (",99 Br", "BYN", None, "0.99"),
            // Capitalised words that happen to be ISO codes are words.
            ("TOP 99,90 BYN", "BYN", None, "99.90"),
            ("ALL 99", "BYN", None, "99.00"),
            // Signs of the expected currency may be glued to the number.
            ("299р.", "BYN", None, "299.00"),
            ("49,99руб.", "RUB", None, "49.99"),
            ("1.299,90TL", "TRY", None, "1299.90"),
            ("BYN12", "BYN", None, "12.00"),
            ("0,50", "BYN", None, "0.50"),
        ];
        for &(text, code, locale, expected) in cases {
            let locale = locale.map(|tag| Locale::from_tag(tag).unwrap());
            let parsed = parse_price_text(text, cur(code), locale);
            assert_eq!(
                parsed.map(|m| m.to_string()),
                Ok(expected.to_owned()),
                "{text:?}"
            );
        }
    }

    /// Text, currency, locale hint, and what the error must be.
    type Refusal = (
        &'static str,
        &'static str,
        Option<&'static str>,
        fn(&Error) -> bool,
    );

    #[test]
    fn refuses_what_it_cannot_read_exactly() {
        let cases: &[Refusal] = &[
            ("", "BYN", None, |e| *e == Error::EmptyAmount),
            ("Br", "BYN", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            ("-5 Br", "BYN", None, |e| {
                matches!(e, Error::NegativeAmount(_))
            }),
            ("1,299", "KWD", None, |e| {
                matches!(e, Error::AmbiguousPrice(_))
            }),
            ("1,299", "BYN", Some("ru-BY"), |e| {
                matches!(e, Error::TooManyDecimals { .. })
            }),
            ("1,299.90 USD", "BYN", None, |e| {
                matches!(e, Error::CurrencyMismatch { .. })
            }),
            ("12 500 ₸", "BYN", None, |e| {
                matches!(e, Error::CurrencyMismatch { .. })
            }),
            ("10 – 20 Br", "BYN", None, |e| {
                matches!(e, Error::InvalidCharacter { found: '–', .. })
            }),
            ("1.2.3,4.5", "BYN", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            ("1,2,3.4,5", "BYN", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            ("12,34 567", "BYN", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            ("1 2345", "BYN", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            ("1.299,905", "BYN", None, |e| {
                matches!(e, Error::TooManyDecimals { .. })
            }),
            ("1 000 000 000 000 000 Br", "BYN", None, |e| {
                matches!(e, Error::AmountTooLarge(_))
            }),
            // A lone 0 is never a thousands group.
            ("0,500", "BYN", None, |e| {
                matches!(e, Error::TooManyDecimals { .. })
            }),
            ("0.299", "TRY", None, |e| {
                matches!(e, Error::TooManyDecimals { .. })
            }),
            ("0.299", "TRY", Some("tr-TR"), |e| {
                matches!(e, Error::TooManyDecimals { .. })
            }),
            ("0 500", "BYN", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            ("0.299,00", "TRY", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            // Words glued to the number that are not the currency's signs.
            ("1,5k", "BYN", None, |e| {
                matches!(e, Error::InvalidCharacter { found: 'k', .. })
            }),
            ("12O", "BYN", None, |e| {
                matches!(e, Error::InvalidCharacter { found: 'O', .. })
            }),
            ("1,5к Br", "BYN", None, |e| {
                matches!(e, Error::InvalidCharacter { found: 'к', .. })
            }),
            ("руб.5", "RUB", None, |e| {
                matches!(e, Error::MalformedAmount(_))
            }),
            // Any dash before the number is a minus.
            ("–5 Br", "BYN", None, |e| {
                matches!(e, Error::NegativeAmount(_))
            }),
            ("\u{2012}5 Br", "BYN", None, |e| {
                matches!(e, Error::NegativeAmount(_))
            }),
            ("— 12,50 BYN", "BYN", None, |e| {
                matches!(e, Error::NegativeAmount(_))
            }),
            ("50,– Br", "BYN", None, |e| {
                matches!(e, Error::InvalidCharacter { found: '–', .. })
            }),
            // The ISO code of a currency shops here show is still a mismatch.
            ("USD 99", "BYN", None, |e| {
                matches!(e, Error::CurrencyMismatch { .. })
            }),
        ];
        for &(text, code, locale, expected) in cases {
            let locale = locale.map(|tag| Locale::from_tag(tag).unwrap());
            let error = parse_price_text(text, cur(code), locale).expect_err(text);
            assert!(expected(&error), "{text:?} gave {error:?}");
        }
    }
}
