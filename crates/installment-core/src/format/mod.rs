//! Money as CLDR formats it, without `Intl`: the same text natively and in wasm.
//!
//! The output equals `new Intl.NumberFormat(locale, {style: "currency", currency})` in
//! Node 20 with full ICU for the supported locales. Browsers ship trimmed locale data (Chromium
//! formats `be-BY` as English), so the widget never asks the browser.

mod symbols;

use crate::{Error, Money};

/// Layout facts of one locale, from CLDR.
struct LocaleData {
    tag: &'static str,
    decimal: char,
    group: char,
    /// Group only when the integer part has at least `3 + min_grouping` digits (`be`: 2).
    min_grouping: usize,
    symbol_first: bool,
    /// Before a positive number (Arabic marks the run right-to-left).
    plus: &'static str,
    /// Before a negative number.
    minus: &'static str,
    right_to_left: bool,
    symbols: &'static [(&'static str, &'static str)],
    badge: BadgeTemplate,
    plurals: PluralRules,
}

/// CLDR's cardinal plural rules for whole numbers, one per language family shipped.
#[derive(Clone, Copy)]
enum PluralRules {
    /// `ru`, `be`, `uk`: one (1, 21, 31 …), few (2–4, 22–24 …), many (0, 5–20, 25–30 …).
    EastSlavic,
    /// `en`, `tr`, `kk`: one (1), other.
    OneOther,
    /// `ar`: zero, one, two, few (n % 100 in 3–10), many (n % 100 in 11–99), other.
    Arabic,
}

/// A CLDR plural category: which form of a word goes with a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluralCategory {
    /// Arabic 0.
    Zero,
    /// 1 (and 21, 31 … in the East Slavic languages).
    One,
    /// Arabic 2.
    Two,
    /// East Slavic 2–4, Arabic 3–10.
    Few,
    /// East Slavic 0 and 5–20, Arabic 11–99.
    Many,
    /// Everything else.
    Other,
}

/// `{before}{amount}{after}`, then `via[0]{provider}via[1]` when a provider is named.
struct BadgeTemplate {
    before: &'static str,
    after: &'static str,
    via: [&'static str; 2],
}

const NBSP: char = '\u{A0}';

/// The layout shared by the Cyrillic locales: `1 299,90 Br`, the symbol after a no-break space.
const fn cyrillic(
    tag: &'static str,
    min_grouping: usize,
    symbols: &'static [(&'static str, &'static str)],
    badge: BadgeTemplate,
) -> LocaleData {
    LocaleData {
        tag,
        decimal: ',',
        group: NBSP,
        min_grouping,
        symbol_first: false,
        plus: "",
        minus: "-",
        right_to_left: false,
        symbols,
        badge,
        plurals: PluralRules::EastSlavic,
    }
}

static LOCALES: &[LocaleData] = &[
    cyrillic("ru-BY", 1, symbols::RU_BY, RUSSIAN_BADGE),
    // Belarusian groups only from five integer digits (CLDR minimumGroupingDigits = 2).
    cyrillic(
        "be-BY",
        2,
        symbols::BE_BY,
        BadgeTemplate {
            before: "ад ",
            after: "/мес. у растэрміноўку",
            via: [" праз ", ""],
        },
    ),
    cyrillic("ru-RU", 1, symbols::RU_RU, RUSSIAN_BADGE),
    LocaleData {
        plurals: PluralRules::OneOther,
        ..cyrillic(
            "kk-KZ",
            1,
            symbols::KK_KZ,
            BadgeTemplate {
                before: "айына ",
                after: " бастап бөліп төлеу",
                via: [", ", " арқылы"],
            },
        )
    },
    cyrillic("ru-KZ", 1, symbols::RU_KZ, RUSSIAN_BADGE),
    cyrillic(
        "uk-UA",
        1,
        symbols::UK_UA,
        BadgeTemplate {
            before: "від ",
            after: "/міс. у розстрочку",
            via: [" через ", ""],
        },
    ),
    LocaleData {
        tag: "tr-TR",
        decimal: ',',
        group: '.',
        min_grouping: 1,
        symbol_first: true,
        plus: "",
        minus: "-",
        right_to_left: false,
        symbols: symbols::TR_TR,
        // "tutarından" avoids a suffix that would have to agree with how the number is read.
        badge: BadgeTemplate {
            before: "aylık ",
            after: " tutarından başlayan taksitler",
            via: [", ", " ile"],
        },
        plurals: PluralRules::OneOther,
    },
    LocaleData {
        tag: "en-US",
        decimal: '.',
        group: ',',
        min_grouping: 1,
        symbol_first: true,
        plus: "",
        minus: "-",
        right_to_left: false,
        symbols: symbols::EN_US,
        badge: BadgeTemplate {
            before: "from ",
            after: "/month in installments",
            via: [" via ", ""],
        },
        plurals: PluralRules::OneOther,
    },
    LocaleData {
        tag: "ar-AE",
        decimal: '.',
        group: ',',
        min_grouping: 1,
        symbol_first: false,
        // Arabic marks the number right-to-left; a minus also gets a left-to-right mark.
        plus: "\u{200F}",
        minus: "\u{200F}\u{200E}-",
        right_to_left: true,
        symbols: symbols::AR_AE,
        badge: BadgeTemplate {
            before: "بالتقسيط ابتداءً من ",
            after: " شهريًا",
            via: [" عبر ", ""],
        },
        plurals: PluralRules::Arabic,
    },
];

/// Where `en-US` sits in [`LOCALES`].
const ENGLISH: usize = 7;

const RUSSIAN_BADGE: BadgeTemplate = BadgeTemplate {
    before: "от ",
    after: "/мес. в рассрочку",
    via: [" через ", ""],
};

/// Which region a bare language tag means.
const LANGUAGE_DEFAULTS: [(&str, &str); 7] = [
    ("ru", "ru-RU"),
    ("be", "be-BY"),
    ("kk", "kk-KZ"),
    ("uk", "uk-UA"),
    ("tr", "tr-TR"),
    ("en", "en-US"),
    ("ar", "ar-AE"),
];

/// A supported locale. Copy it freely: it points at static data.
#[derive(Clone, Copy)]
pub struct Locale(&'static LocaleData);

impl Locale {
    /// Resolves a BCP 47 tag: an exact supported tag (case and `_` forgiven), else its
    /// language's default region (`be` → `be-BY`, `en-GB` → `en-US`); other languages are
    /// an error.
    ///
    /// ```
    /// use installment_core::Locale;
    /// assert_eq!(Locale::from_tag("be_by")?.tag(), "be-BY");
    /// assert_eq!(Locale::from_tag("kk")?.tag(), "kk-KZ");
    /// assert_eq!(Locale::from_tag("en-GB")?.tag(), "en-US");
    /// assert!(Locale::from_tag("de-DE").is_err());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn from_tag(tag: &str) -> Result<Self, Error> {
        let normalized = tag.trim().replace('_', "-");
        if let Some(data) = LOCALES
            .iter()
            .find(|l| l.tag.eq_ignore_ascii_case(&normalized))
        {
            return Ok(Self(data));
        }
        let language = normalized
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        LANGUAGE_DEFAULTS
            .iter()
            .find(|(lang, _)| *lang == language)
            .and_then(|(_, default)| LOCALES.iter().find(|l| l.tag == *default))
            .map(Self)
            .ok_or_else(|| Error::UnknownLocale(tag.to_owned()))
    }

    /// English (`en-US`): what the widget speaks on a page whose language it does not, with
    /// each currency's own digits and sign.
    ///
    /// ```
    /// # use installment_core::Locale;
    /// assert_eq!(Locale::fallback().tag(), "en-US");
    /// ```
    pub fn fallback() -> Self {
        Self(&LOCALES[ENGLISH])
    }

    /// The canonical tag.
    ///
    /// ```
    /// # use installment_core::Locale;
    /// assert_eq!(Locale::from_tag("RU-by")?.tag(), "ru-BY");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn tag(self) -> &'static str {
        self.0.tag
    }

    /// The character that separates decimals.
    ///
    /// ```
    /// # use installment_core::Locale;
    /// assert_eq!(Locale::from_tag("tr-TR")?.decimal_separator(), ',');
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn decimal_separator(self) -> char {
        self.0.decimal
    }

    /// Whether text in this locale runs right to left.
    ///
    /// ```
    /// # use installment_core::Locale;
    /// assert!(Locale::from_tag("ar-AE")?.is_right_to_left());
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn is_right_to_left(self) -> bool {
        self.0.right_to_left
    }

    /// The plural category of a whole count in this locale's language, by CLDR's rules:
    /// which form of "month" goes with `months`.
    ///
    /// ```
    /// use installment_core::{Locale, PluralCategory};
    /// let ru = Locale::from_tag("ru")?;
    /// assert_eq!(ru.plural(21), PluralCategory::One);
    /// assert_eq!(ru.plural(24), PluralCategory::Few);
    /// assert_eq!(ru.plural(12), PluralCategory::Many);
    /// assert_eq!(Locale::from_tag("ar")?.plural(12), PluralCategory::Many);
    /// assert_eq!(Locale::from_tag("ar")?.plural(2), PluralCategory::Two);
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn plural(self, n: u64) -> PluralCategory {
        use PluralCategory::*;
        let (units, hundreds) = (n % 10, n % 100);
        match self.0.plurals {
            PluralRules::EastSlavic => match (units, hundreds) {
                (1, h) if h != 11 => One,
                (2..=4, h) if !(12..=14).contains(&h) => Few,
                _ => Many,
            },
            PluralRules::OneOther if n == 1 => One,
            PluralRules::OneOther => Other,
            PluralRules::Arabic => match (n, hundreds) {
                (0, _) => Zero,
                (1, _) => One,
                (2, _) => Two,
                (_, 3..=10) => Few,
                (_, 11..=99) => Many,
                _ => Other,
            },
        }
    }

    /// Whether the language writes in Cyrillic: brand names follow the script.
    pub(crate) fn is_cyrillic(self) -> bool {
        matches!(self.0.plurals, PluralRules::EastSlavic) || self.0.tag.starts_with("kk")
    }

    /// Every supported locale.
    ///
    /// ```
    /// # use installment_core::Locale;
    /// assert_eq!(Locale::all().count(), 9);
    /// ```
    pub fn all() -> impl Iterator<Item = Locale> {
        debug_assert_eq!(LOCALES[ENGLISH].tag, "en-US");
        LOCALES.iter().map(Self)
    }

    /// Every way a supported locale writes `code`: the code and each locale's symbol.
    pub(crate) fn signs_of(code: &'static str) -> impl Iterator<Item = &'static str> {
        core::iter::once(code).chain(Self::all().map(move |locale| locale.symbol(code)))
    }

    /// The currency symbol this locale uses for `code` (the code itself when CLDR has none).
    fn symbol(self, code: &'static str) -> &'static str {
        self.0
            .symbols
            .binary_search_by(|(c, _)| c.cmp(&code))
            .map_or(code, |at| self.0.symbols[at].1)
    }
}

impl core::fmt::Debug for Locale {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Locale({})", self.0.tag)
    }
}

impl PartialEq for Locale {
    fn eq(&self, other: &Self) -> bool {
        self.0.tag == other.0.tag
    }
}

impl Eq for Locale {}

/// Whether a symbol ends (or begins) with a currency sign rather than a letter: CLDR puts a
/// no-break space between a letter-like symbol and the digits (`BYN 1,299.90` but `$1,299.90`).
fn is_currency_sign(c: char) -> bool {
    matches!(c, '$' | '£' | '¥' | '¤' | '¢' | '₠'..='₿')
}

/// Formats an amount in its currency as CLDR does for `locale`.
///
/// ```
/// use installment_core::{format_money, Currency, Locale, Money};
/// let byn = Currency::from_code("BYN")?;
/// let price = Money::parse("1299.90", byn)?;
/// assert_eq!(format_money(price, Locale::from_tag("be-BY")?), "1299,90\u{a0}Br");
/// assert_eq!(format_money(price, Locale::from_tag("ru-BY")?), "1\u{a0}299,90\u{a0}Br");
/// assert_eq!(format_money(price, Locale::from_tag("en-US")?), "BYN\u{a0}1,299.90");
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn format_money(amount: Money, locale: Locale) -> String {
    let data = locale.0;
    let currency = amount.currency();
    let symbol = locale.symbol(currency.code());
    let plain = Money::from_minor(amount.minor().abs(), currency).to_string();
    let (integer, fraction) = plain.split_once('.').unwrap_or((&plain, ""));

    let mut number = String::with_capacity(plain.len() + 8);
    let grouped = integer.len() >= 3 + data.min_grouping;
    for (i, digit) in integer.chars().enumerate() {
        if grouped && i > 0 && (integer.len() - i) % 3 == 0 {
            number.push(data.group);
        }
        number.push(digit);
    }
    if !fraction.is_empty() {
        number.push(data.decimal);
        number.push_str(fraction);
    }

    let sign = if amount.minor() < 0 {
        data.minus
    } else {
        data.plus
    };
    if data.symbol_first {
        let spacer = if symbol.chars().last().is_some_and(is_currency_sign) {
            ""
        } else {
            "\u{A0}"
        };
        format!("{sign}{symbol}{spacer}{number}")
    } else {
        format!("{sign}{number}\u{A0}{symbol}")
    }
}

/// The badge sentence in three parts, so a widget can emphasize the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeText {
    /// Text before the amount.
    pub before: String,
    /// The formatted amount.
    pub amount: String,
    /// Text after the amount, with the provider when one is named.
    pub after: String,
}

impl core::fmt::Display for BadgeText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}{}{}", self.before, self.amount, self.after)
    }
}

/// "from 12.50 BYN/month in installments via Karta Pokupok", in the locale's language.
///
/// ```
/// use installment_core::{badge_text, Currency, Locale, Money};
/// let monthly = Money::parse("12.50", Currency::from_code("BYN")?)?;
/// let text = badge_text(monthly, Locale::from_tag("be-BY")?, Some("Karta Pokupok"));
/// assert_eq!(text.to_string(), "ад 12,50\u{a0}Br/мес. у растэрміноўку праз Karta Pokupok");
/// let text = badge_text(monthly, Locale::from_tag("en-US")?, None);
/// assert_eq!(text.to_string(), "from BYN\u{a0}12.50/month in installments");
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn badge_text(monthly: Money, locale: Locale, provider: Option<&str>) -> BadgeText {
    let template = &locale.0.badge;
    let mut after = template.after.to_owned();
    if let Some(provider) = provider.map(str::trim).filter(|p| !p.is_empty()) {
        let [before_name, after_name] = template.via;
        after.extend([before_name, provider, after_name]);
    }
    BadgeText {
        before: template.before.to_owned(),
        amount: format_money(monthly, locale),
        after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    /// CLDR's own samples for each plural category (plurals.xml), per shipped language.
    #[test]
    fn plural_categories_follow_cldr_samples() {
        use PluralCategory::*;
        let table: [(&str, PluralCategory, &[u64]); 17] = [
            ("ru", One, &[1, 21, 31, 41, 51, 61, 71, 81, 101, 1001]),
            ("ru", Few, &[2, 3, 4, 22, 23, 24, 32, 33, 34, 62, 102, 1002]),
            (
                "ru",
                Many,
                &[0, 5, 6, 11, 12, 14, 19, 20, 25, 100, 111, 1000],
            ),
            ("uk", One, &[1, 21, 31, 101]),
            ("uk", Few, &[2, 3, 4, 22, 24, 102]),
            ("uk", Many, &[0, 5, 11, 12, 13, 14, 19, 100]),
            ("be", One, &[1, 21, 31, 101]),
            ("be", Few, &[2, 3, 4, 22, 24, 102]),
            ("be", Many, &[0, 5, 11, 12, 14, 19, 100]),
            ("ar", Zero, &[0]),
            ("ar", One, &[1]),
            ("ar", Two, &[2]),
            ("ar", Few, &[3, 4, 10, 103, 110, 1003]),
            ("ar", Many, &[11, 12, 24, 26, 99, 111, 1011]),
            ("ar", Other, &[100, 101, 102, 200, 202, 300, 1000]),
            ("en", One, &[1]),
            ("en", Other, &[0, 2, 3, 12, 16, 21, 100, 1000]),
        ];
        for (language, category, samples) in table {
            let locale = Locale::from_tag(language).unwrap();
            for &n in samples {
                assert_eq!(locale.plural(n), category, "{language} {n}");
            }
        }
        for language in ["tr", "kk"] {
            let locale = Locale::from_tag(language).unwrap();
            assert_eq!(locale.plural(1), One, "{language}");
            for n in [0, 2, 3, 12, 21, 100] {
                assert_eq!(locale.plural(n), Other, "{language} {n}");
            }
        }
    }

    fn money(text: &str, code: &str) -> Money {
        Money::parse(text, Currency::from_code(code).unwrap()).unwrap()
    }

    /// Spot checks against Node 20's `Intl.NumberFormat` (the full matrix runs in
    /// `tests/node/format.test.mjs` against Node itself).
    #[test]
    fn matches_node_intl() {
        let nb = '\u{A0}';
        for (amount, code, tag, expected) in [
            ("1299.90", "BYN", "ru-BY", format!("1{nb}299,90{nb}Br")),
            ("1299.90", "BYN", "be-BY", format!("1299,90{nb}Br")),
            ("12345.60", "BYN", "be-BY", format!("12{nb}345,60{nb}Br")),
            ("1299.90", "BYN", "ru-RU", format!("1{nb}299,90{nb}BYN")),
            ("1299.90", "KZT", "kk-KZ", format!("1{nb}299,90{nb}₸")),
            ("1300", "JPY", "kk-KZ", format!("1{nb}300{nb}JP¥")),
            ("1299.90", "RUB", "uk-UA", format!("1{nb}299,90{nb}RUB")),
            ("1299.90", "TRY", "tr-TR", "₺1.299,90".to_owned()),
            ("1299.90", "KZT", "tr-TR", format!("KZT{nb}1.299,90")),
            (
                "1234567.891",
                "KWD",
                "en-US",
                format!("KWD{nb}1,234,567.891"),
            ),
            ("0", "JPY", "en-US", "¥0".to_owned()),
            (
                "1299.90",
                "USD",
                "ar-AE",
                format!("\u{200F}1,299.90{nb}US$"),
            ),
            (
                "1299.900",
                "KWD",
                "ar-AE",
                format!("\u{200F}1,299.900{nb}د.ك.\u{200F}"),
            ),
        ] {
            let locale = Locale::from_tag(tag).unwrap();
            assert_eq!(
                format_money(money(amount, code), locale),
                expected,
                "{amount} {code} {tag}"
            );
        }
        let minus = Money::from_minor(-50, Currency::from_code("USD").unwrap());
        assert_eq!(
            format_money(minus, Locale::from_tag("en-US").unwrap()),
            "-$0.50"
        );
        assert_eq!(
            format_money(minus, Locale::from_tag("ar-AE").unwrap()),
            format!("\u{200F}\u{200E}-0.50{nb}US$")
        );
    }

    #[test]
    fn badge_sentences() {
        let nb = '\u{A0}';
        for (tag, code, expected) in [
            (
                "ru-BY",
                "BYN",
                format!("от 12,50{nb}Br/мес. в рассрочку через Karta Pokupok"),
            ),
            (
                "be-BY",
                "BYN",
                format!("ад 12,50{nb}Br/мес. у растэрміноўку праз Karta Pokupok"),
            ),
            (
                "kk-KZ",
                "KZT",
                format!("айына 12,50{nb}₸ бастап бөліп төлеу, Karta Pokupok арқылы"),
            ),
            (
                "uk-UA",
                "BYN",
                format!("від 12,50{nb}BYN/міс. у розстрочку через Karta Pokupok"),
            ),
            (
                "tr-TR",
                "TRY",
                "aylık ₺12,50 tutarından başlayan taksitler, Karta Pokupok ile".to_owned(),
            ),
            (
                "en-US",
                "BYN",
                format!("from BYN{nb}12.50/month in installments via Karta Pokupok"),
            ),
            (
                "ar-AE",
                "USD",
                format!("بالتقسيط ابتداءً من \u{200F}12.50{nb}US$ شهريًا عبر Karta Pokupok"),
            ),
        ] {
            let text = badge_text(
                money("12.50", code),
                Locale::from_tag(tag).unwrap(),
                Some("Karta Pokupok"),
            );
            assert_eq!(text.to_string(), expected, "{tag}");
        }
    }

    #[test]
    fn symbol_tables_are_sorted() {
        for locale in Locale::all() {
            assert!(
                locale.0.symbols.windows(2).all(|w| w[0].0 < w[1].0),
                "{}",
                locale.tag()
            );
        }
    }
}
