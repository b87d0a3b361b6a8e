//! The widget's own words in each supported language. The badge sentence itself is the core's
//! ([`installment_core::badge_text`]); these are the labels around plans and the card field.

use installment_core::Locale;

/// Every label the badge details and the picker show, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Labels {
    /// Abbreviated months after a number: "12 mo.".
    pub months: &'static str,
    /// After a monthly amount: "25.00 BYN/mo.".
    pub per_month: &'static str,
    /// "Total".
    pub total: &'static str,
    /// "Overpayment".
    pub overpayment: &'static str,
    /// "No overpayment", for an interest-free plan.
    pub no_overpayment: &'static str,
    /// Heading of the badge details and the picker.
    pub plans: &'static str,
    /// The summary that opens a plan's schedule.
    pub schedule: &'static str,
    /// A payment's number in a schedule: "Payment".
    pub payment: &'static str,
    /// The card field's label.
    pub card_digits: &'static str,
    /// The hint under the card field: only the first digits are read.
    pub card_hint: &'static str,
    /// When the card has no plans.
    pub no_plans_for_card: &'static str,
    /// The one line the picker shows when the proxy cannot be used.
    pub unavailable: &'static str,
    /// Label of a card-agnostic offer: "Any card".
    pub any_card: &'static str,
    /// The phone field of the checkout: the provider sends its SMS code there.
    pub phone: &'static str,
    /// The checkout button: "Pay in installments".
    pub pay: &'static str,
    /// The one line shown when the application could not be created.
    pub checkout_failed: &'static str,
    /// Announced when the card's digits or a new price removed the chosen plan.
    pub choice_cleared: &'static str,
}

const RU: Labels = Labels {
    months: "мес.",
    per_month: "/мес.",
    total: "Итого",
    overpayment: "Переплата",
    no_overpayment: "Без переплаты",
    plans: "Варианты рассрочки",
    schedule: "График платежей",
    payment: "Платёж",
    card_digits: "Первые цифры карты",
    card_hint: "Нужны только первые 6–8 цифр",
    no_plans_for_card: "Для этой карты рассрочки нет.",
    unavailable: "Рассрочка сейчас недоступна.",
    any_card: "Любая карта",
    phone: "Телефон для SMS-кода",
    pay: "Оформить рассрочку",
    checkout_failed: "Не удалось оформить рассрочку.",
    choice_cleared: "Выбранный план больше недоступен: выберите другой.",
};

const BE: Labels = Labels {
    months: "мес.",
    per_month: "/мес.",
    total: "Разам",
    overpayment: "Пераплата",
    no_overpayment: "Без пераплаты",
    plans: "Варыянты растэрміноўкі",
    schedule: "Графік плацяжоў",
    payment: "Плацёж",
    card_digits: "Першыя лічбы карткі",
    card_hint: "Патрэбныя толькі першыя 6–8 лічбаў",
    no_plans_for_card: "Для гэтай карткі растэрміноўкі няма.",
    unavailable: "Растэрміноўка зараз недаступная.",
    any_card: "Любая картка",
    phone: "Тэлефон для SMS-кода",
    pay: "Аформіць растэрміноўку",
    checkout_failed: "Не атрымалася аформіць растэрміноўку.",
    choice_cleared: "Абраны план больш недаступны: абярыце іншы.",
};

const KK: Labels = Labels {
    months: "ай",
    per_month: "/ай",
    total: "Барлығы",
    overpayment: "Артық төлем",
    no_overpayment: "Артық төлемсіз",
    plans: "Бөліп төлеу нұсқалары",
    schedule: "Төлем кестесі",
    payment: "Төлем",
    card_digits: "Картаның алғашқы сандары",
    card_hint: "Тек алғашқы 6–8 сан керек",
    no_plans_for_card: "Бұл картаға бөліп төлеу жоқ.",
    unavailable: "Бөліп төлеу қазір қолжетімсіз.",
    any_card: "Кез келген карта",
    phone: "SMS-код үшін телефон",
    pay: "Бөліп төлеуді рәсімдеу",
    checkout_failed: "Бөліп төлеуді рәсімдеу мүмкін болмады.",
    choice_cleared: "Таңдалған жоспар енді қолжетімсіз: басқасын таңдаңыз.",
};

const UK: Labels = Labels {
    months: "міс.",
    per_month: "/міс.",
    total: "Разом",
    overpayment: "Переплата",
    no_overpayment: "Без переплати",
    plans: "Варіанти розстрочки",
    schedule: "Графік платежів",
    payment: "Платіж",
    card_digits: "Перші цифри картки",
    card_hint: "Потрібні лише перші 6–8 цифр",
    no_plans_for_card: "Для цієї картки розстрочки немає.",
    unavailable: "Розстрочка зараз недоступна.",
    any_card: "Будь-яка картка",
    phone: "Телефон для SMS-коду",
    pay: "Оформити розстрочку",
    checkout_failed: "Не вдалося оформити розстрочку.",
    choice_cleared: "Обраний план більше недоступний: оберіть інший.",
};

const TR: Labels = Labels {
    months: "ay",
    per_month: "/ay",
    total: "Toplam",
    overpayment: "Vade farkı",
    no_overpayment: "Vade farksız",
    plans: "Taksit seçenekleri",
    schedule: "Ödeme planı",
    payment: "Taksit",
    card_digits: "Kartınızın ilk haneleri",
    card_hint: "Yalnızca ilk 6–8 hane gerekir",
    no_plans_for_card: "Bu kart için taksit yok.",
    unavailable: "Taksit şu anda kullanılamıyor.",
    any_card: "Tüm kartlar",
    phone: "SMS kodu için telefon",
    pay: "Taksitle öde",
    checkout_failed: "Taksitli ödeme başlatılamadı.",
    choice_cleared: "Seçtiğiniz plan artık kullanılamıyor: başka bir plan seçin.",
};

const EN: Labels = Labels {
    months: "mo.",
    per_month: "/mo.",
    total: "Total",
    overpayment: "Overpayment",
    no_overpayment: "No overpayment",
    plans: "Installment plans",
    schedule: "Payment schedule",
    payment: "Payment",
    card_digits: "First digits of your card",
    card_hint: "Only the first 6 to 8 digits are needed",
    no_plans_for_card: "No installment plans for this card.",
    unavailable: "Installments are unavailable right now.",
    any_card: "Any card",
    phone: "Phone for the SMS code",
    pay: "Pay in installments",
    checkout_failed: "The installment plan could not be started.",
    choice_cleared: "The chosen plan is no longer available: choose another.",
};

const AR: Labels = Labels {
    months: "شهر",
    per_month: "/شهريًا",
    total: "الإجمالي",
    overpayment: "الزيادة",
    no_overpayment: "بدون زيادة",
    plans: "خطط التقسيط",
    schedule: "جدول الدفعات",
    payment: "الدفعة",
    card_digits: "الأرقام الأولى من بطاقتك",
    card_hint: "نحتاج فقط إلى أول 6 إلى 8 أرقام",
    no_plans_for_card: "لا توجد خطط تقسيط لهذه البطاقة.",
    unavailable: "التقسيط غير متاح حاليًا.",
    any_card: "أي بطاقة",
    phone: "الهاتف لرمز الرسائل القصيرة",
    pay: "ادفع بالتقسيط",
    checkout_failed: "تعذّر بدء خطة التقسيط.",
    choice_cleared: "الخطة المختارة لم تعد متاحة: اختر خطة أخرى.",
};

/// The labels for a locale's language.
///
/// ```
/// use installment_widget::labels::labels;
/// use installment_core::Locale;
/// assert_eq!(labels(Locale::from_tag("tr")?).total, "Toplam");
/// assert_eq!(labels(Locale::from_tag("ru-BY")?).months, "мес.");
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
}
