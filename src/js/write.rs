//! Views as plain JS objects, in the shapes the package's `.d.ts` declares (`BadgeView`,
//! `PlanView`, ...): built field by field with `Reflect`, which costs far less wasm than a
//! serde serializer.

use crate::labels::Labels;
use crate::view::{BadgeView, CardView, OfferView, PickerView, PlanView, ProviderView};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

/// A value the JS side reads: objects for views, `null` for `None`, arrays for lists.
pub(super) trait ToJs {
    fn to_js(&self) -> JsValue;
}

pub(super) fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        // Setting a plain property on a fresh object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

impl ToJs for str {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl ToJs for String {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl ToJs for &str {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        self.as_ref().map_or(JsValue::NULL, ToJs::to_js)
    }
}

impl<T: ToJs> ToJs for [T] {
    fn to_js(&self) -> JsValue {
        self.iter().map(ToJs::to_js).collect::<Array>().into()
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.as_slice().to_js()
    }
}

impl ToJs for BadgeView {
    fn to_js(&self) -> JsValue {
        object(&[
            ("before", self.before.to_js()),
            ("amount", self.amount.to_js()),
            ("after", self.after.to_js()),
        ])
    }
}

impl ToJs for PlanView {
    fn to_js(&self) -> JsValue {
        object(&[
            ("months", self.months.into()),
            ("term", self.term.to_js()),
            ("monthly", self.monthly.to_js()),
            ("total", self.total.to_js()),
            ("overpayment", self.overpayment.to_js()),
            ("interest_free", self.interest_free.into()),
            ("payments", self.payments.to_js()),
            ("monthly_amount", self.monthly_amount.to_js()),
            ("total_amount", self.total_amount.to_js()),
        ])
    }
}

impl ToJs for ProviderView {
    fn to_js(&self) -> JsValue {
        object(&[
            ("provider", self.provider.to_js()),
            ("name", self.name.to_js()),
            ("plans", self.plans.to_js()),
        ])
    }
}

impl ToJs for CardView {
    fn to_js(&self) -> JsValue {
        object(&[
            ("association", self.association.to_js()),
            ("family", self.family.to_js()),
            ("bank", self.bank.to_js()),
        ])
    }
}

impl ToJs for OfferView {
    fn to_js(&self) -> JsValue {
        object(&[
            ("provider", self.provider.to_js()),
            ("provider_name", self.provider_name.to_js()),
            ("family", self.family.to_js()),
            ("association", self.association.to_js()),
            ("bank", self.bank.to_js()),
            ("card", self.card.to_js()),
            ("plans", self.plans.to_js()),
        ])
    }
}

impl ToJs for PickerView {
    fn to_js(&self) -> JsValue {
        object(&[
            ("offers", self.offers.to_js()),
            ("labels", self.labels.to_js()),
        ])
    }
}

impl ToJs for Labels {
    fn to_js(&self) -> JsValue {
        let entries = self.entries().map(|(name, text)| (name, text.to_js()));
        object(&entries)
    }
}
