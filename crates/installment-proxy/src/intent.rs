//! Order intents: the merchant's backend signs what the shopper is buying, so the browser can
//! carry an order to the proxy without being able to change its amount.
//!
//! The signature is the lowercase hex HMAC-SHA256, keyed with `intent_key` from the config,
//! of this text (lines joined by `\n`, no trailing newline):
//!
//! ```text
//! installment-intent-v1
//! <order_id>
//! <amount>
//! <currency>
//! <expires_at, Unix seconds>
//! <sku>\t<quantity>\t<price>\t<name>[\t<category>]   (one line per item, in the order given)
//! ```
//!
//! Amounts are decimal strings with exactly the currency's places (`"2438.50"`); no field may
//! hold a tab or a line break. The README shows the same in PHP and Node.

use crate::signature::{constant_time_eq, hmac_sha256_hex};
use installment_core::{Currency, Money};
use serde::{Deserialize, Serialize};

/// The first line of every canonical intent: a new format gets a new version.
pub const INTENT_VERSION: &str = "installment-intent-v1";

/// The longest an intent may be valid for: long enough for a checkout, short enough that a
/// leaked one is soon useless.
pub const MAX_INTENT_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentItem {
    /// The merchant's product code.
    pub sku: String,
    /// Shown to the shopper on the provider's form.
    pub name: String,
    /// How many.
    pub quantity: u32,
    /// Price of one, a decimal string in the intent's currency.
    pub price: String,
    /// The product's category (`food`, `phones` ...), when the merchant's rules restrict
    /// terms by category; signed as a fifth field of its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// An order as the merchant's backend signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderIntent {
    /// The merchant's order id; an intent is used once.
    pub order_id: String,
    /// The order's total: the sum of the items.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What is bought.
    pub items: Vec<IntentItem>,
    /// Unix seconds after which the intent is refused.
    pub expires_at: u64,
    /// Lowercase hex HMAC-SHA256 of [`OrderIntent::canonical`].
    pub signature: String,
}

/// An order whose amount the proxy can trust: priced from its catalog or from a verified intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    /// The merchant's order id.
    pub order_id: String,
    /// The total.
    pub amount: Money,
    /// Each line with its unit price.
    pub items: Vec<PricedItem>,
}

/// One priced line of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedItem {
    /// The merchant's product code.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub quantity: u32,
    /// Price of one.
    pub price: Money,
    /// The product's category, when known.
    pub category: Option<String>,
}

impl PricedItem {
    /// `price × quantity`, exactly; refused past 10^12.
    pub fn total(&self) -> Result<Money, installment_core::Error> {
        self.price.checked_mul(self.quantity)
    }
}

/// The sum of the items' totals, refused (naming the item) once it passes 10^12.
pub fn order_total(items: &[PricedItem], currency: Currency) -> Result<Money, String> {
    items
        .iter()
        .enumerate()
        .try_fold(Money::zero(currency), |sum, (index, item)| {
            item.total()
                .and_then(|total| sum.checked_add(total))
                .map_err(|e| format!("items[{index}]: {e}"))
        })
}

/// Why an intent is refused; each maps to a 4xx with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentError {
    /// A field is malformed (the message names it).
    Invalid(String),
    /// The signature does not match the intent's fields: it was changed, or signed with
    /// another key.
    BadSignature,
    /// `expires_at` has passed, or lies further ahead than [`MAX_INTENT_LIFETIME_SECS`].
    Expired,
}

impl std::fmt::Display for IntentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(what) => write!(f, "intent: {what}"),
            Self::BadSignature => f.write_str(
                "intent: the signature does not match its fields (changed, or signed with another key)",
            ),
            Self::Expired => f.write_str("intent: expired, or valid for more than 24 hours"),
        }
    }
}

impl OrderIntent {
    /// The text that is signed (see the module documentation).
    ///
    /// ```
    /// use installment_proxy::intent::{IntentItem, OrderIntent};
    /// let intent = OrderIntent {
    ///     order_id: "A-1".into(), amount: "100.00".into(), currency: "BYN".into(),
    ///     items: vec![IntentItem { sku: "bag".into(), name: "Bag".into(), quantity: 2, price: "50.00".into(), category: None }],
    ///     expires_at: 1_900_000_000, signature: String::new(),
    /// };
    /// assert_eq!(intent.canonical(), "installment-intent-v1\nA-1\n100.00\nBYN\n1900000000\nbag\t2\t50.00\tBag");
    /// ```
    pub fn canonical(&self) -> String {
        let mut lines = vec![
            INTENT_VERSION.to_owned(),
            self.order_id.clone(),
            self.amount.clone(),
            self.currency.clone(),
            self.expires_at.to_string(),
        ];
        lines.extend(self.items.iter().map(|item| {
            let line = format!(
                "{}\t{}\t{}\t{}",
                item.sku, item.quantity, item.price, item.name
            );
            match &item.category {
                Some(category) => format!("{line}\t{category}"),
                None => line,
            }
        }));
        lines.join("\n")
    }

    /// Signs the intent with `key`: what a merchant's backend does, and `sign-intent` too.
    pub fn sign(mut self, key: &[u8]) -> Self {
        self.signature = hmac_sha256_hex(key, self.canonical().as_bytes());
        self
    }

    /// Checks the signature (in constant time), the expiry against `now` (Unix seconds), and
    /// that the amount is exactly the sum of the items; then the order can be trusted.
    ///
    /// ```
    /// use installment_proxy::intent::{IntentError, IntentItem, OrderIntent};
    /// let intent = OrderIntent {
    ///     order_id: "A-1".into(), amount: "100.00".into(), currency: "BYN".into(),
    ///     items: vec![IntentItem { sku: "bag".into(), name: "Bag".into(), quantity: 2, price: "50.00".into(), category: None }],
    ///     expires_at: 1_900_000_000, signature: String::new(),
    /// }.sign(b"key");
    /// assert_eq!(intent.verify(b"key", 1_899_999_000)?.amount.to_string(), "100.00");
    /// let tampered = OrderIntent { amount: "1.00".into(), ..intent.clone() };
    /// assert_eq!(tampered.verify(b"key", 1_899_999_000), Err(IntentError::BadSignature));
    /// assert_eq!(intent.verify(b"key", 1_900_000_000), Err(IntentError::Expired));
    /// # Ok::<(), IntentError>(())
    /// ```
    pub fn verify(&self, key: &[u8], now: u64) -> Result<PricedOrder, IntentError> {
        let fields = [&self.order_id, &self.amount, &self.currency];
        let texts = fields.into_iter().chain(
            self.items
                .iter()
                .flat_map(|item| [&item.sku, &item.name, &item.price])
                .chain(self.items.iter().filter_map(|item| item.category.as_ref())),
        );
        if texts.clone().any(|text| text.contains(['\t', '\n', '\r'])) {
            return Err(IntentError::Invalid(
                "no field may contain a tab or a line break".into(),
            ));
        }
        let expected = hmac_sha256_hex(key, self.canonical().as_bytes());
        if !constant_time_eq(&expected, &self.signature) {
            return Err(IntentError::BadSignature);
        }
        if self.expires_at <= now || self.expires_at > now + MAX_INTENT_LIFETIME_SECS {
            return Err(IntentError::Expired);
        }
        self.priced()
    }

    fn priced(&self) -> Result<PricedOrder, IntentError> {
        let invalid = |what: String| IntentError::Invalid(what);
        if self.order_id.trim().is_empty() {
            return Err(invalid("order_id is empty".into()));
        }
        let currency =
            Currency::from_code(&self.currency).map_err(|e| invalid(format!("currency: {e}")))?;
        let exact = |field: &str, text: &str| {
            let money =
                Money::parse(text, currency).map_err(|e| invalid(format!("{field}: {e}")))?;
            if money.to_string() == text {
                Ok(money)
            } else {
                Err(invalid(format!(
                    "{field}: {text:?} must be written with exactly {} decimal places",
                    currency.exponent()
                )))
            }
        };
        let amount = exact("amount", &self.amount)?;
        if self.items.is_empty() {
            return Err(invalid("items is empty".into()));
        }
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                if item.quantity == 0 {
                    return Err(invalid(format!(
                        "items[{index}].quantity must be at least 1"
                    )));
                }
                Ok(PricedItem {
                    sku: item.sku.clone(),
                    name: item.name.clone(),
                    category: item.category.clone(),
                    quantity: item.quantity,
                    price: exact(&format!("items[{index}].price"), &item.price)?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sum = order_total(&items, currency).map_err(invalid)?;
        if sum != amount {
            return Err(invalid(format!(
                "amount {amount} is not the sum of the items ({sum})"
            )));
        }
        Ok(PricedOrder {
            order_id: self.order_id.clone(),
            amount,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent() -> OrderIntent {
        OrderIntent {
            order_id: "1001".into(),
            amount: "2438.50".into(),
            currency: "BYN".into(),
            items: vec![
                IntentItem {
                    sku: "neman-14".into(),
                    name: "Ноутбук Neman 14".into(),
                    quantity: 1,
                    price: "2349.00".into(),
                    category: None,
                },
                IntentItem {
                    sku: "bag".into(),
                    name: "Сумка".into(),
                    quantity: 1,
                    price: "89.50".into(),
                    category: None,
                },
            ],
            expires_at: 2_000_000_000,
            signature: String::new(),
        }
        .sign(b"merchant-key")
    }

    #[test]
    fn signature_is_pinned_to_an_independent_computation() {
        // printf 'installment-intent-v1\n1001\n2438.50\nBYN\n2000000000\nneman-14\t1\t2349.00\tНоутбук Neman 14\nbag\t1\t89.50\tСумка' \
        //   | openssl dgst -sha256 -hmac merchant-key
        assert_eq!(
            intent().signature,
            "deb26771059d174125237f29dd4895b26d5ce8ab3865e25893634b316f38e9bc"
        );
    }

    #[test]
    fn every_changed_field_breaks_the_signature() {
        let now = 1_999_999_000;
        let original = intent();
        assert!(original.verify(b"merchant-key", now).is_ok());
        let mut changes: Vec<OrderIntent> = vec![
            OrderIntent {
                order_id: "1002".into(),
                ..original.clone()
            },
            OrderIntent {
                amount: "2438.49".into(),
                ..original.clone()
            },
            OrderIntent {
                currency: "RUB".into(),
                ..original.clone()
            },
            OrderIntent {
                expires_at: 2_000_000_001,
                ..original.clone()
            },
        ];
        for change in [
            |item: &mut IntentItem| item.sku = "other".into(),
            |item: &mut IntentItem| item.quantity = 2,
            |item: &mut IntentItem| item.price = "1.00".into(),
            |item: &mut IntentItem| item.name = "Other".into(),
        ] {
            let mut changed = original.clone();
            change(&mut changed.items[0]);
            changes.push(changed);
        }
        for changed in changes {
            assert_eq!(
                changed.verify(b"merchant-key", now),
                Err(IntentError::BadSignature),
                "{changed:?}"
            );
        }
        assert_eq!(
            original.verify(b"another-key", now),
            Err(IntentError::BadSignature)
        );
    }

    #[test]
    fn a_category_is_signed_as_a_fifth_field_and_reaches_the_order() {
        let mut with_category = intent();
        with_category.items[1].category = Some("accessories".into());
        let text = with_category.canonical();
        assert!(
            text.ends_with("bag\t1\t89.50\tСумка\taccessories"),
            "{text}"
        );
        // Signed without the category, it no longer verifies with one.
        assert_eq!(
            with_category.verify(b"merchant-key", 1_999_999_000),
            Err(IntentError::BadSignature)
        );
        let signed = with_category.sign(b"merchant-key");
        let order = signed.verify(b"merchant-key", 1_999_999_000).unwrap();
        assert_eq!(order.items[1].category.as_deref(), Some("accessories"));
        assert_eq!(order.items[0].category, None);
    }

    #[test]
    fn expiry_and_arithmetic_are_checked() {
        let key = b"merchant-key";
        assert_eq!(
            intent().verify(key, 2_000_000_000),
            Err(IntentError::Expired)
        );
        let too_long = 2_000_000_000 - MAX_INTENT_LIFETIME_SECS - 1;
        assert_eq!(intent().verify(key, too_long), Err(IntentError::Expired));
        let cases = [
            ("2438.5", "exactly 2 decimal places"),
            ("2438.00", "not the sum of the items"),
            ("-1.00", "amount"),
        ];
        for (amount, message) in cases {
            let wrong = OrderIntent {
                amount: amount.into(),
                ..intent()
            }
            .sign(key);
            let error = wrong.verify(key, 1_999_999_000).unwrap_err().to_string();
            assert!(error.contains(message), "{amount}: {error}");
        }
        // Quantity × price and the sum are checked: past 10^12 is refused, never wrapped.
        let huge = |quantity: u32, price: &str| IntentItem {
            sku: "gold".into(),
            name: "Gold".into(),
            quantity,
            price: price.into(),
            category: None,
        };
        for (items, amount) in [
            (vec![huge(u32::MAX, "1000000000000.00")], "1.00"),
            (vec![huge(2, "600000000000.00")], "1200000000000.00"),
            (
                vec![huge(1, "600000000000.00"), huge(1, "600000000000.00")],
                "1200000000000.00",
            ),
        ] {
            let overflowing = OrderIntent {
                items,
                amount: amount.into(),
                ..intent()
            }
            .sign(key);
            let error = overflowing
                .verify(key, 1_999_999_000)
                .unwrap_err()
                .to_string();
            assert!(error.contains("larger than 1000000000000"), "{error}");
        }
        let tab = OrderIntent {
            order_id: "a\tb".into(),
            ..intent()
        }
        .sign(key);
        assert!(matches!(
            tab.verify(key, 1_999_999_000),
            Err(IntentError::Invalid(_))
        ));
    }
}
