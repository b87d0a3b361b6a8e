//! The proxy's two documents, read straight from the objects the page's `JSON.parse` made.
//!
//! serde and serde-wasm-bindgen did this in about 40 KB of wasm: their derives, their error
//! messages and the float formatting those pull in. A walk with `Reflect` over the fields the
//! API describes costs a fraction. A document that is not what the API describes is refused
//! with the path of the first wrong field (`providers[0].bands[1].min must be a string`),
//! never read as a wrong number.
//!
//! Fields are read without early returns: the first problem is kept, a placeholder stands in
//! for the wrong value, and [`Reader::finish`] then refuses the whole document, so no
//! placeholder is ever seen. (A `?` per field made the compiler emit cleanup code for every
//! field read before it, which was most of this module's size.)

use crate::view::WidgetError;
use installment_core::wire::{
    BinRangeWire, CardFamilyWire, CardOfferWire, CardWire, CategoryTermsWire, FromPlanWire,
    OffersDocument, PlanWire, ProviderOffersWire, ProviderRulesWire, RulesDocument, TermBandWire,
    TermMarkupWire, UnavailableWire,
};
use installment_core::{CardAssociation, CardType, Currency, Error, Rate, Rounding};
use js_sys::{Array, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// Reads the body of `GET /api/v1/rules`.
pub(super) fn rules_document(value: JsValue) -> Result<RulesDocument, WidgetError> {
    let reader = Reader::default();
    let document = reader.document(value);
    let rules = RulesDocument {
        currency: currency(&document.field("currency")),
        providers: document.field("providers").list(provider_rules),
        offers_only: document.field("offers_only").list_or_empty(text),
        bins: document.field("bins").list_or_empty(bin_range),
        unavailable: document.field("unavailable").list_or_empty(unavailable),
    };
    reader.finish(rules)
}

/// Reads the body of `GET /api/v1/offers`.
pub(super) fn offers_document(value: JsValue) -> Result<OffersDocument, WidgetError> {
    let reader = Reader::default();
    let document = reader.document(value);
    let offers = OffersDocument {
        amount: document.field("amount").text(),
        currency: currency(&document.field("currency")),
        card: document.field("card").optional(card),
        providers: document.field("providers").list(provider_offers),
        from: document.field("from").optional(from_plan),
        unavailable: document.field("unavailable").list_or_empty(unavailable),
    };
    reader.finish(offers)
}

fn provider_rules(node: &Node<'_>) -> ProviderRulesWire {
    ProviderRulesWire {
        provider: node.field("provider").text(),
        display_name: node.field("display_name").text(),
        currency: currency(&node.field("currency")),
        min_amount: node.field("min_amount").text(),
        max_amount: node.field("max_amount").text(),
        bands: node.field("bands").list(term_band),
        categories: node.field("categories").list_or_empty(category_terms),
        markups: node.field("markups").list_or_empty(term_markup),
        rounding: node.field("rounding").parsed(Rounding::parse, Rounding::Up),
        quote_places: node.field("quote_places").optional(count),
        card_families: node.field("card_families").list_or_empty(card_family),
    }
}

fn term_band(node: &Node<'_>) -> TermBandWire {
    TermBandWire {
        min: node.field("min").text(),
        max: node.field("max").optional(text),
        terms: node.field("terms").list(count),
    }
}

fn category_terms(node: &Node<'_>) -> CategoryTermsWire {
    CategoryTermsWire {
        category: node.field("category").text(),
        terms: node.field("terms").list(count),
    }
}

fn term_markup(node: &Node<'_>) -> TermMarkupWire {
    TermMarkupWire {
        months: node.field("months").count(),
        rate: rate(&node.field("rate")),
    }
}

fn card_family(node: &Node<'_>) -> CardFamilyWire {
    CardFamilyWire {
        family: node.field("family").text(),
        association: node.field("association").optional(association),
        bank: node.field("bank").optional(text),
        markups: node.field("markups").list(term_markup),
    }
}

fn unavailable(node: &Node<'_>) -> UnavailableWire {
    UnavailableWire {
        provider: node.field("provider").text(),
        reason: node.field("reason").text(),
        message: node.field("message").text(),
    }
}

fn bin_range(node: &Node<'_>) -> BinRangeWire {
    BinRangeWire {
        first: node.field("first").text(),
        last: node.field("last").text(),
        bank: node.field("bank").text(),
        bank_code: node.field("bank_code").optional(count),
        family: node.field("family").text(),
        association: association(&node.field("association")),
        card_type: card_type(&node.field("card_type")),
        commercial: node.field("commercial").flag(),
        country: node.field("country").text(),
    }
}

fn plan(node: &Node<'_>) -> PlanWire {
    PlanWire {
        months: node.field("months").count(),
        monthly: node.field("monthly").text(),
        payments: node.field("payments").list(text),
        total: node.field("total").text(),
        overpayment: node.field("overpayment").text(),
        kind: node.field("kind").text(),
        rate: node.field("rate").optional(rate),
    }
}

fn card_offer(node: &Node<'_>) -> CardOfferWire {
    CardOfferWire {
        association: node.field("association").optional(association),
        family: node.field("family").optional(text),
        bank: node.field("bank").optional(text),
        card_type: node.field("card_type").optional(card_type),
        plans: node.field("plans").list(plan),
    }
}

fn provider_offers(node: &Node<'_>) -> ProviderOffersWire {
    ProviderOffersWire {
        provider: node.field("provider").text(),
        display_name: node.field("display_name").text(),
        cards: node.field("cards").list(card_offer),
    }
}

fn from_plan(node: &Node<'_>) -> FromPlanWire {
    FromPlanWire {
        provider: node.field("provider").text(),
        display_name: node.field("display_name").text(),
        family: node.field("family").optional(text),
        months: node.field("months").count(),
        monthly: node.field("monthly").text(),
        total: node.field("total").text(),
    }
}

fn card(node: &Node<'_>) -> CardWire {
    CardWire {
        bin: node.field("bin").text(),
        association: node.field("association").optional(association),
        range: node.field("range").optional(bin_range),
    }
}

fn text(node: &Node<'_>) -> String {
    node.text()
}

fn count(node: &Node<'_>) -> u32 {
    node.count()
}

// The placeholders below stand in for refused text only until `Reader::finish` refuses the
// document; see the module's documentation.

fn currency(node: &Node<'_>) -> Currency {
    node.parsed(Currency::from_code, Currency::all()[0])
}

fn rate(node: &Node<'_>) -> Rate {
    node.parsed(Rate::parse, Rate::ZERO)
}

fn association(node: &Node<'_>) -> CardAssociation {
    node.parsed(CardAssociation::parse, CardAssociation::Visa)
}

fn card_type(node: &Node<'_>) -> CardType {
    node.parsed(CardType::parse, CardType::Credit)
}

/// Reads one document and keeps its first problem.
#[derive(Default)]
struct Reader {
    problem: RefCell<Option<WidgetError>>,
}

impl Reader {
    fn document(&self, value: JsValue) -> Node<'_> {
        let node = Node {
            value,
            place: Place::Document,
            reader: self,
        };
        if !node.value.is_object() || Array::is_array(&node.value) {
            node.wrong("a JSON object");
        }
        node
    }

    fn refuse(&self, problem: WidgetError) {
        self.problem.borrow_mut().get_or_insert(problem);
    }

    fn finish<T>(self, document: T) -> Result<T, WidgetError> {
        self.problem.into_inner().map_or(Ok(document), Err)
    }
}

/// A value of a document and where it sits in it, so that a problem can name the field.
struct Node<'a> {
    value: JsValue,
    place: Place<'a>,
    reader: &'a Reader,
}

enum Place<'a> {
    Document,
    Field(&'a Node<'a>, &'static str),
    Item(&'a Node<'a>, u32),
}

impl<'a> Node<'a> {
    fn field(&'a self, key: &'static str) -> Node<'a> {
        // `Reflect.get` throws only on a non-object, which is then read as a missing field:
        // the caller says what it expected there.
        let value = Reflect::get(&self.value, &JsValue::from_str(key)).unwrap_or_default();
        Node {
            value,
            place: Place::Field(self, key),
            reader: self.reader,
        }
    }

    /// Where this value is: `providers[0].bands[1].min`.
    fn path(&self) -> String {
        match self.place {
            Place::Document => String::new(),
            Place::Field(parent, key) => match parent.path() {
                path if path.is_empty() => key.to_owned(),
                path => path + "." + key,
            },
            Place::Item(parent, index) => format!("{}[{index}]", parent.path()),
        }
    }

    fn wrong(&self, expected: &str) {
        let path = self.path();
        let subject = if path.is_empty() {
            "the document"
        } else {
            &path
        };
        let problem = format!("{subject} must be {expected}");
        self.reader.refuse(WidgetError::MalformedDocument(problem));
    }

    fn is_absent(&self) -> bool {
        self.value.is_undefined() || self.value.is_null()
    }

    fn text(&self) -> String {
        self.value.as_string().unwrap_or_else(|| {
            self.wrong("a string");
            String::new()
        })
    }

    fn flag(&self) -> bool {
        self.value.as_bool().unwrap_or_else(|| {
            self.wrong("true or false");
            false
        })
    }

    /// A whole number such as a count of months. Checked by converting to an integer and
    /// back, which needs no float arithmetic.
    fn count(&self) -> u32 {
        let number = self.value.as_f64().unwrap_or(-1.0);
        let whole = number as u32;
        if f64::from(whole) != number {
            self.wrong("a whole number from 0 to 4294967295");
        }
        whole
    }

    /// A string the core parses (a currency code, a rate, a wire name); `placeholder` stands
    /// in when it refuses.
    fn parsed<T>(&self, parse: impl FnOnce(&str) -> Result<T, Error>, placeholder: T) -> T {
        parse(&self.text()).unwrap_or_else(|error| {
            let problem = format!("{}: {error}", self.path());
            self.reader.refuse(WidgetError::MalformedDocument(problem));
            placeholder
        })
    }

    /// A value the API may leave out or send as `null`.
    fn optional<T>(&self, read: impl FnOnce(&Self) -> T) -> Option<T> {
        (!self.is_absent()).then(|| read(self))
    }

    fn list<T>(&self, mut read: impl FnMut(&Node<'_>) -> T) -> Vec<T> {
        if !Array::is_array(&self.value) {
            self.wrong("an array");
            return Vec::new();
        }
        let array: &Array = self.value.unchecked_ref();
        (0..array.length())
            .map(|index| {
                read(&Node {
                    value: array.get(index),
                    place: Place::Item(self, index),
                    reader: self.reader,
                })
            })
            .collect()
    }

    /// A list the API may leave out, read as empty.
    fn list_or_empty<T>(&self, read: impl FnMut(&Node<'_>) -> T) -> Vec<T> {
        if self.is_absent() {
            Vec::new()
        } else {
            self.list(read)
        }
    }
}
