//! The widget's own words in each supported language, and the merchant's overrides of them.
//! The badge sentence itself is the core's ([`installment_core::badge_text`]) unless a
//! merchant gives one; these are the labels around plans and the card field.

use installment_core::{Locale, PluralCategory};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A label: the shipped words, or a merchant's own.
pub type Text = Cow<'static, str>;

const fn t(text: &'static str) -> Text {
    Cow::Borrowed(text)
}

/// A phrase with a count, one pattern per CLDR plural category; `{0}` is the count. A
/// merchant's override may give one pattern for every count (`"{0} months"`) or all six.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plural {
    /// Arabic 0.
    pub zero: Text,
    /// 1 (and 21, 31 … in Russian).
    pub one: Text,
    /// Arabic 2.
    pub two: Text,
    /// Russian 2–4, Arabic 3–10.
    pub few: Text,
    /// Russian 5–20, Arabic 11–99.
    pub many: Text,
    /// Everything else.
    pub other: Text,
}

/// A merchant's count phrase: one pattern for every count, or an object of all six
/// categories. A visitor of both, so no buffering of an untagged enum ships in the wasm.
fn plural<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Plural, D::Error> {
    struct OneOrEach;
    impl<'de> serde::de::Visitor<'de> for OneOrEach {
        type Value = Plural;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a pattern, or one per plural category")
        }
        fn visit_str<E: serde::de::Error>(self, pattern: &str) -> Result<Plural, E> {
            let same = || Text::Owned(pattern.to_owned());
            Ok(Plural {
                zero: same(),
                one: same(),
                two: same(),
                few: same(),
                many: same(),
                other: same(),
            })
        }
        fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<Plural, M::Error> {
            Plural::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_any(OneOrEach)
}

impl Plural {
    /// One pattern per category, in CLDR's order: zero, one, two, few, many, other.
    const fn each(forms: [&'static str; 6]) -> Self {
        Self {
            zero: t(forms[0]),
            one: t(forms[1]),
            two: t(forms[2]),
            few: t(forms[3]),
            many: t(forms[4]),
            other: t(forms[5]),
        }
    }

    /// One pattern for every count: languages whose abbreviation does not inflect.
    const fn same(pattern: &'static str) -> Self {
        Self {
            zero: t(pattern),
            one: t(pattern),
            two: t(pattern),
            few: t(pattern),
            many: t(pattern),
            other: t(pattern),
        }
    }

    /// The phrase for `count` in `locale`, by its plural category.
    ///
    /// ```
    /// use installment_widget::labels::labels;
    /// use installment_core::Locale;
    /// let ar = Locale::from_tag("ar")?;
    /// assert_eq!(labels(ar).months.format(3, ar), "3\u{a0}أشهر");
    /// assert_eq!(labels(ar).months.format(12, ar), "12\u{a0}شهرًا");
    /// # Ok::<(), installment_core::Error>(())
    /// ```
    pub fn format(&self, count: u32, locale: Locale) -> String {
        let pattern = match locale.plural(count.into()) {
            PluralCategory::Zero => &self.zero,
            PluralCategory::One => &self.one,
            PluralCategory::Two => &self.two,
            PluralCategory::Few => &self.few,
            PluralCategory::Many => &self.many,
            PluralCategory::Other => &self.other,
        };
        pattern.replace("{0}", &count.to_string())
    }
}

/// Every label the badge details and the picker show, in one language. A merchant overrides
/// any of them: `Labels { pay: "Buy now".into(), ..labels(locale).clone() }` in Rust, or the
/// `labels` attribute (`{"pay": "Buy now"}`) of an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// A number of months: "12 mo.", by plural category.
    #[serde(deserialize_with = "plural")]
    pub months: Plural,
    /// After a monthly amount: "25.00 BYN/mo.".
    pub per_month: Text,
    /// "Total".
    pub total: Text,
    /// "Overpayment".
    pub overpayment: Text,
    /// "No overpayment", for an interest-free plan.
    pub no_overpayment: Text,
    /// Heading of the badge details and the picker.
    pub plans: Text,
    /// The summary that opens a plan's schedule.
    pub schedule: Text,
    /// A payment's number in a schedule: "Payment".
    pub payment: Text,
    /// The card field's label.
    pub card_digits: Text,
    /// The hint under the card field: only the first digits are read.
    pub card_hint: Text,
    /// When the card has no plans.
    pub no_plans_for_card: Text,
    /// The one line the picker shows when the proxy cannot be used.
    pub unavailable: Text,
    /// Label of a card-agnostic offer: "Any card".
    pub any_card: Text,
    /// The phone field of the checkout: the provider sends its SMS code there.
    pub phone: Text,
    /// The checkout's e-mail field, for providers that require it (KartaPay).
    pub email: Text,
    /// The checkout's given-name field, likewise.
    pub first_name: Text,
    /// The checkout's family-name field, likewise.
    pub last_name: Text,
    /// The checkout button: "Pay in installments".
    pub pay: Text,
    /// The one line shown when the application could not be created.
    pub checkout_failed: Text,
    /// Announced when the card's digits or a new price removed the chosen plan.
    pub choice_cleared: Text,
    /// The column of the details table that names each plan's term.
    pub term: Text,
    /// Announced when the price or the card's digits change what the picker shows: `{0}` is
    /// the number of plans, `{1}` the smallest monthly payment.
    #[serde(deserialize_with = "plural")]
    pub plans_available: Plural,
    /// Shown after the badge sentence: it opens the dialog with every plan.
    pub learn_more: Text,
    /// The dialog's close button.
    pub close: Text,
    /// Before the lender's legal name.
    pub lender: Text,
    /// The link to the lender's terms.
    pub terms: Text,
    /// When credit is subject to the lender's approval.
    pub subject_to_approval: Text,
    /// Below every provider's minimum: from which amount installments are available; `{0}`
    /// is that amount.
    pub available_from: Text,
    /// The badge sentence, when a merchant gives one: `{amount}` is the monthly payment and
    /// `{provider}` the provider's name. Empty: the core's sentence for the locale.
    pub badge: Text,
}

static RU: Labels = Labels {
    months: Plural::same("{0}\u{a0}мес."),
    per_month: t("/мес."),
    total: t("Итого"),
    overpayment: t("Переплата"),
    no_overpayment: t("Без переплаты"),
    plans: t("Варианты рассрочки"),
    schedule: t("График платежей"),
    payment: t("Платёж"),
    card_digits: t("Первые цифры карты"),
    card_hint: t("Нужны только первые 6–8 цифр"),
    no_plans_for_card: t("Для этой карты рассрочки нет."),
    unavailable: t("Рассрочка сейчас недоступна."),
    any_card: t("Любая карта"),
    phone: t("Телефон для SMS-кода"),
    email: t("Электронная почта"),
    first_name: t("Имя"),
    last_name: t("Фамилия"),
    pay: t("Оформить рассрочку"),
    checkout_failed: t("Не удалось оформить рассрочку."),
    choice_cleared: t("Выбранный план больше недоступен: выберите другой."),
    term: t("Срок"),
    plans_available: Plural::each([
        "{0}\u{a0}вариантов, от {1}",
        "{0}\u{a0}вариант: {1}",
        "{0}\u{a0}варианта, от {1}",
        "{0}\u{a0}варианта, от {1}",
        "{0}\u{a0}вариантов, от {1}",
        "{0}\u{a0}варианта, от {1}",
    ]),
    learn_more: t("Подробнее"),
    close: t("Закрыть"),
    lender: t("Кредитор"),
    terms: t("Условия"),
    subject_to_approval: t("При условии одобрения кредитором."),
    available_from: t("Рассрочка доступна от {0}."),
    badge: t(""),
};

static BE: Labels = Labels {
    months: Plural::same("{0}\u{a0}мес."),
    per_month: t("/мес."),
    total: t("Разам"),
    overpayment: t("Пераплата"),
    no_overpayment: t("Без пераплаты"),
    plans: t("Варыянты растэрміноўкі"),
    schedule: t("Графік плацяжоў"),
    payment: t("Плацёж"),
    card_digits: t("Першыя лічбы карткі"),
    card_hint: t("Патрэбныя толькі першыя 6–8 лічбаў"),
    no_plans_for_card: t("Для гэтай карткі растэрміноўкі няма."),
    unavailable: t("Растэрміноўка зараз недаступная."),
    any_card: t("Любая картка"),
    phone: t("Тэлефон для SMS-кода"),
    email: t("Электронная пошта"),
    first_name: t("Імя"),
    last_name: t("Прозвішча"),
    pay: t("Аформіць растэрміноўку"),
    checkout_failed: t("Не атрымалася аформіць растэрміноўку."),
    choice_cleared: t("Абраны план больш недаступны: абярыце іншы."),
    term: t("Тэрмін"),
    plans_available: Plural::each([
        "{0}\u{a0}варыянтаў, ад {1}",
        "{0}\u{a0}варыянт: {1}",
        "{0}\u{a0}варыянты, ад {1}",
        "{0}\u{a0}варыянты, ад {1}",
        "{0}\u{a0}варыянтаў, ад {1}",
        "{0}\u{a0}варыянта, ад {1}",
    ]),
    learn_more: t("Падрабязней"),
    close: t("Закрыць"),
    lender: t("Крэдытор"),
    terms: t("Умовы"),
    subject_to_approval: t("Пры ўмове ўхвалення крэдытора."),
    available_from: t("Растэрміноўка даступная ад {0}."),
    badge: t(""),
};

static KK: Labels = Labels {
    months: Plural::same("{0}\u{a0}ай"),
    per_month: t("/ай"),
    total: t("Барлығы"),
    overpayment: t("Артық төлем"),
    no_overpayment: t("Артық төлемсіз"),
    plans: t("Бөліп төлеу нұсқалары"),
    schedule: t("Төлем кестесі"),
    payment: t("Төлем"),
    card_digits: t("Картаның алғашқы сандары"),
    card_hint: t("Тек алғашқы 6–8 сан керек"),
    no_plans_for_card: t("Бұл картаға бөліп төлеу жоқ."),
    unavailable: t("Бөліп төлеу қазір қолжетімсіз."),
    any_card: t("Кез келген карта"),
    phone: t("SMS-код үшін телефон"),
    email: t("Электрондық пошта"),
    first_name: t("Аты"),
    last_name: t("Тегі"),
    pay: t("Бөліп төлеуді рәсімдеу"),
    checkout_failed: t("Бөліп төлеуді рәсімдеу мүмкін болмады."),
    choice_cleared: t("Таңдалған жоспар енді қолжетімсіз: басқасын таңдаңыз."),
    term: t("Мерзімі"),
    plans_available: Plural::each([
        "{0}\u{a0}нұсқа, {1} бастап",
        "{0}\u{a0}нұсқа: {1}",
        "{0}\u{a0}нұсқа, {1} бастап",
        "{0}\u{a0}нұсқа, {1} бастап",
        "{0}\u{a0}нұсқа, {1} бастап",
        "{0}\u{a0}нұсқа, {1} бастап",
    ]),
    learn_more: t("Толығырақ"),
    close: t("Жабу"),
    lender: t("Кредитор"),
    terms: t("Шарттары"),
    subject_to_approval: t("Кредитор мақұлдаған жағдайда."),
    available_from: t("Бөліп төлеу {0} бастап қолжетімді."),
    badge: t(""),
};

static UK: Labels = Labels {
    months: Plural::same("{0}\u{a0}міс."),
    per_month: t("/міс."),
    total: t("Разом"),
    overpayment: t("Переплата"),
    no_overpayment: t("Без переплати"),
    plans: t("Варіанти розстрочки"),
    schedule: t("Графік платежів"),
    payment: t("Платіж"),
    card_digits: t("Перші цифри картки"),
    card_hint: t("Потрібні лише перші 6–8 цифр"),
    no_plans_for_card: t("Для цієї картки розстрочки немає."),
    unavailable: t("Розстрочка зараз недоступна."),
    any_card: t("Будь-яка картка"),
    phone: t("Телефон для SMS-коду"),
    email: t("Електронна пошта"),
    first_name: t("Ім'я"),
    last_name: t("Прізвище"),
    pay: t("Оформити розстрочку"),
    checkout_failed: t("Не вдалося оформити розстрочку."),
    choice_cleared: t("Обраний план більше недоступний: оберіть інший."),
    term: t("Термін"),
    plans_available: Plural::each([
        "{0}\u{a0}варіантів, від {1}",
        "{0}\u{a0}варіант: {1}",
        "{0}\u{a0}варіанти, від {1}",
        "{0}\u{a0}варіанти, від {1}",
        "{0}\u{a0}варіантів, від {1}",
        "{0}\u{a0}варіанта, від {1}",
    ]),
    learn_more: t("Детальніше"),
    close: t("Закрити"),
    lender: t("Кредитор"),
    terms: t("Умови"),
    subject_to_approval: t("За умови схвалення кредитором."),
    available_from: t("Розстрочка доступна від {0}."),
    badge: t(""),
};

static TR: Labels = Labels {
    months: Plural::same("{0}\u{a0}ay"),
    per_month: t("/ay"),
    total: t("Toplam"),
    overpayment: t("Vade farkı"),
    no_overpayment: t("Vade farksız"),
    plans: t("Taksit seçenekleri"),
    schedule: t("Ödeme planı"),
    payment: t("Taksit"),
    card_digits: t("Kartınızın ilk haneleri"),
    card_hint: t("Yalnızca ilk 6–8 hane gerekir"),
    no_plans_for_card: t("Bu kart için taksit yok."),
    unavailable: t("Taksit şu anda kullanılamıyor."),
    any_card: t("Tüm kartlar"),
    phone: t("SMS kodu için telefon"),
    email: t("E-posta"),
    first_name: t("Ad"),
    last_name: t("Soyad"),
    pay: t("Taksitle öde"),
    checkout_failed: t("Taksitli ödeme başlatılamadı."),
    choice_cleared: t("Seçtiğiniz plan artık kullanılamıyor: başka bir plan seçin."),
    term: t("Vade"),
    plans_available: Plural::each([
        "{0}\u{a0}seçenek, en düşük {1}",
        "{0}\u{a0}seçenek: {1}",
        "{0}\u{a0}seçenek, en düşük {1}",
        "{0}\u{a0}seçenek, en düşük {1}",
        "{0}\u{a0}seçenek, en düşük {1}",
        "{0}\u{a0}seçenek, en düşük {1}",
    ]),
    learn_more: t("Daha fazla bilgi"),
    close: t("Kapat"),
    lender: t("Kredi veren"),
    terms: t("Koşullar"),
    subject_to_approval: t("Kredi verenin onayına tabidir."),
    available_from: t("Taksit {0} ve üzeri tutarlarda kullanılabilir."),
    badge: t(""),
};

static EN: Labels = Labels {
    months: Plural::same("{0}\u{a0}mo."),
    per_month: t("/mo."),
    total: t("Total"),
    overpayment: t("Overpayment"),
    no_overpayment: t("No overpayment"),
    plans: t("Installment plans"),
    schedule: t("Payment schedule"),
    payment: t("Payment"),
    card_digits: t("First digits of your card"),
    card_hint: t("Only the first 6 to 8 digits are needed"),
    no_plans_for_card: t("No installment plans for this card."),
    unavailable: t("Installments are unavailable right now."),
    any_card: t("Any card"),
    phone: t("Phone for the SMS code"),
    email: t("E-mail"),
    first_name: t("First name"),
    last_name: t("Last name"),
    pay: t("Pay in installments"),
    checkout_failed: t("The installment plan could not be started."),
    choice_cleared: t("The chosen plan is no longer available: choose another."),
    term: t("Term"),
    plans_available: Plural::each([
        "{0}\u{a0}plans, from {1}",
        "{0}\u{a0}plan: {1}",
        "{0}\u{a0}plans, from {1}",
        "{0}\u{a0}plans, from {1}",
        "{0}\u{a0}plans, from {1}",
        "{0}\u{a0}plans, from {1}",
    ]),
    learn_more: t("Learn more"),
    close: t("Close"),
    lender: t("Lender"),
    terms: t("Terms"),
    subject_to_approval: t("Subject to the lender's approval."),
    available_from: t("Installments are available from {0}."),
    badge: t(""),
};

static AR: Labels = Labels {
    months: Plural {
        zero: t("{0}\u{a0}شهر"),
        one: t("{0}\u{a0}شهر"),
        two: t("شهران"),
        few: t("{0}\u{a0}أشهر"),
        many: t("{0}\u{a0}شهرًا"),
        other: t("{0}\u{a0}شهر"),
    },
    per_month: t("/شهريًا"),
    total: t("الإجمالي"),
    overpayment: t("الزيادة"),
    no_overpayment: t("بدون زيادة"),
    plans: t("خطط التقسيط"),
    schedule: t("جدول الدفعات"),
    payment: t("الدفعة"),
    card_digits: t("الأرقام الأولى من بطاقتك"),
    card_hint: t("نحتاج فقط إلى أول 6 إلى 8 أرقام"),
    no_plans_for_card: t("لا توجد خطط تقسيط لهذه البطاقة."),
    unavailable: t("التقسيط غير متاح حاليًا."),
    any_card: t("أي بطاقة"),
    phone: t("الهاتف لرمز الرسائل القصيرة"),
    email: t("البريد الإلكتروني"),
    first_name: t("الاسم الأول"),
    last_name: t("اسم العائلة"),
    pay: t("ادفع بالتقسيط"),
    checkout_failed: t("تعذّر بدء خطة التقسيط."),
    choice_cleared: t("الخطة المختارة لم تعد متاحة: اختر خطة أخرى."),
    term: t("المدة"),
    plans_available: Plural::each([
        "لا توجد خطط",
        "خطة واحدة: {1}",
        "خطتان، ابتداءً من {1}",
        "{0}\u{a0}خطط، ابتداءً من {1}",
        "{0}\u{a0}خطة، ابتداءً من {1}",
        "{0}\u{a0}خطة، ابتداءً من {1}",
    ]),
    learn_more: t("اعرف المزيد"),
    close: t("إغلاق"),
    lender: t("المُقرض"),
    terms: t("الشروط"),
    subject_to_approval: t("خاضع لموافقة المُقرض."),
    available_from: t("التقسيط متاح ابتداءً من {0}."),
    badge: t(""),
};

/// The labels for a locale's language.
///
/// ```
/// use installment_widget::labels::labels;
/// use installment_core::Locale;
/// assert_eq!(labels(Locale::from_tag("tr")?).total, "Toplam");
/// let ru = Locale::from_tag("ru-BY")?;
/// assert_eq!(labels(ru).months.format(12, ru), "12\u{a0}мес.");
/// # Ok::<(), installment_core::Error>(())
/// ```
pub fn labels(locale: Locale) -> &'static Labels {
    match locale.tag().split('-').next() {
        Some("ru") => &RU,
        Some("be") => &BE,
        Some("kk") => &KK,
        Some("uk") => &UK,
        Some("tr") => &TR,
        Some("ar") => &AR,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_its_own_words() {
        let all: Vec<_> = Locale::all().map(labels).collect();
        for (locale, words) in Locale::all().zip(&all) {
            let english = locale.tag().starts_with("en");
            assert_eq!(
                words.unavailable == EN.unavailable,
                english,
                "{}",
                locale.tag()
            );
        }
    }

    /// Arabic inflects "month" by CLDR category; the other languages' abbreviations do not.
    #[test]
    fn months_take_the_form_of_their_count() {
        let nb = '\u{a0}';
        for (tag, months, expected) in [
            ("ar", 1, format!("1{nb}شهر")),
            ("ar", 2, "شهران".to_owned()),
            ("ar", 3, format!("3{nb}أشهر")),
            ("ar", 10, format!("10{nb}أشهر")),
            ("ar", 12, format!("12{nb}شهرًا")),
            ("ar", 24, format!("24{nb}شهرًا")),
            ("ar", 100, format!("100{nb}شهر")),
            ("ru", 3, format!("3{nb}мес.")),
            ("ru", 21, format!("21{nb}мес.")),
            ("en", 1, format!("1{nb}mo.")),
            ("tr", 12, format!("12{nb}ay")),
        ] {
            let locale = Locale::from_tag(tag).unwrap();
            assert_eq!(
                labels(locale).months.format(months, locale),
                expected,
                "{tag} {months}"
            );
        }
    }

    /// A merchant's overrides: any label by name, "months" as one pattern or one per
    /// category; a name that is not a label is refused by name.
    #[test]
    fn a_merchant_overrides_labels_by_name() {
        let en = Locale::from_tag("en").unwrap();
        let mut merged = serde_json::to_value(labels(en)).unwrap();
        let overrides = serde_json::json!({"pay": "Buy now", "months": "{0} months"});
        for (name, value) in overrides.as_object().unwrap() {
            merged[name] = value.clone();
        }
        let words: Labels = serde_json::from_value(merged.clone()).unwrap();
        assert_eq!(words.pay, "Buy now");
        assert_eq!(words.months.format(6, en), "6 months");
        assert_eq!(words.total, "Total", "the rest stay");
        merged["pay_now"] = "x".into();
        let refused = serde_json::from_value::<Labels>(merged).unwrap_err();
        assert!(refused.to_string().contains("pay_now"), "{refused}");
    }
}
