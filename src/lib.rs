//! # installment-widget
//!
//! The storefront side of the installment calculator: Leptos components that show what an
//! installment plan costs, exactly. Every number comes from [`installment_core`], so the
//! badge, the picker and the merchant's server agree.
//!
//! - [`InstallmentBadge`]: "from 12,50 Br/month in installments via Karta Pokupok", and on
//!   click each provider's plans.
//! - [`InstallmentPicker`]: cards and banks with each plan's monthly payment, total and
//!   overpayment, narrowed by the card's first digits; with a [`Checkout`], the purchase.
//! - [`InstallmentProvider`]: one rules fetch per currency for every component below it.
//! - [`view`]: what the components show, from the proxy's documents, every string formatted.
//! - [`STYLESHEET`]: the components' CSS, for the page or a shadow root.
//!
//! The same components render the script-tag embed, the custom elements and the npm package:
//! built with the `embed` feature, the wasm mounts one per element into its shadow root.
//!
//! Features: `csr` (default) for the browser, `ssr` to render on a server, `hydrate` to
//! hydrate what a server rendered.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

mod badge;
mod context;
#[cfg(all(target_arch = "wasm32", feature = "embed"))]
pub mod embed;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(all(target_arch = "wasm32", feature = "embed-full"))]
mod js;
pub mod labels;
mod picker;
#[cfg(feature = "ssr")]
pub mod server;
pub mod view;

pub use badge::InstallmentBadge;
pub use context::{
    DEFAULT_ENDPOINT, InstallmentProvider, Installments, Load, WidgetState, use_installments,
};
pub use installment_core as core;
pub use picker::{Checkout, InstallmentPicker, Order, Selection};

/// The badge's and the picker's styles: link them in the page, or adopt them in a shadow
/// root as the embed does. Every color and size reads a `--installment-*` custom property.
pub const STYLESHEET: &str = concat!(
    include_str!("badge/badge.css"),
    include_str!("picker/picker.css")
);

#[cfg(test)]
mod tests {
    use super::STYLESHEET;

    /// Spacing is logical, so right-to-left pages (Arabic) mirror it: no property or value
    /// names a side, and no four-value margin or padding differs between its sides.
    #[test]
    fn the_stylesheet_speaks_only_of_start_and_end() {
        let declarations = STYLESHEET
            .split(['{', '}', ';'])
            .filter_map(|part| part.split_once(':'))
            .map(|(property, value)| (property.trim(), value.trim()));
        for (property, value) in declarations {
            let sided = |text: &str| text.contains("left") || text.contains("right");
            assert!(!sided(property) && !sided(value), "{property}: {value}");
            if property == "margin" || property == "padding" {
                let sides: Vec<&str> = value.split_whitespace().collect();
                assert!(
                    sides.len() < 4 || sides[1] == sides[3],
                    "{property}: {value}"
                );
            }
        }
    }
}
