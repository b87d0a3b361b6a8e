//! Plain decimal text to `rust_decimal`, exactly.
//!
//! `rust_decimal`'s own parser is generous (it takes `_` separators, a leading `+` or `.`),
//! so the plain form every wire uses is checked first, then parsed with
//! [`Decimal::from_str_exact`], which refuses rather than rounds what does not fit.

use crate::Error;
use rust_decimal::Decimal;

/// Reads a plain non-negative decimal (`"40.8080"`, `"0"`, `"1200"`) exactly: no sign, no
/// exponent, no separators but one `.`, and no digit lost.
///
/// ```
/// use installment_core::{parse_decimal, Error};
/// assert_eq!(parse_decimal("40.8080")?.to_string(), "40.8080");
/// assert!(matches!(parse_decimal("4e1"), Err(Error::InvalidDecimal(_))));
/// assert!(matches!(parse_decimal("0.12345678901234567890123456789"), Err(Error::InvalidDecimal(_))));
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn parse_decimal(text: &str) -> Result<Decimal, Error> {
    parse_plain(text).ok_or_else(|| Error::InvalidDecimal(text.to_owned()))
}

/// `digits` or `digits.digits`, nothing else; `None` when the text is not in that form or
/// does not fit a `Decimal` exactly.
pub(crate) fn parse_plain(text: &str) -> Option<Decimal> {
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let dangling_point = fraction.is_empty() && integer.len() != text.len();
    if integer.is_empty() || dangling_point || !all_digits(integer) || !all_digits(fraction) {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_plain_form_parses() {
        for (text, expected) in [
            ("0", Some("0")),
            ("40.8080", Some("40.8080")),
            ("007.50", Some("7.50")),
            ("1", Some("1")),
            (".5", None),
            ("5.", None),
            ("+5", None),
            ("-5", None),
            ("1_000", None),
            ("1e3", None),
            ("1.2.3", None),
            ("", None),
            (" 1", None),
            ("99999999999999999999999999999999", None),
            ("0.00000000000000000000000000001", None),
        ] {
            assert_eq!(
                parse_plain(text).map(|d| d.to_string()).as_deref(),
                expected,
                "{text:?}"
            );
        }
    }
}
