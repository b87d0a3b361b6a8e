//! # installment-widget
//!
//! The storefront side of the installment calculator: Leptos components, the script-tag
//! embed and the JS exports of the npm package. Every number comes from
//! [`installment_core`], so the badge, the picker and the merchant's server agree.
//!
//! - [`InstallmentBadge`]: the Leptos component, for Rust shops.
//! - [`embed`]: mounts a badge into every `data-installment-badge` element.
//! - `js` (wasm32 only): the thin export layer of the npm package.

mod badge;
pub mod embed;
#[cfg(target_arch = "wasm32")]
mod js;

pub use badge::InstallmentBadge;
pub use embed::{BadgeAttributes, BadgeConfig};
pub use installment_core as core;
