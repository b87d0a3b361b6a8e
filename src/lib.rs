//! # installment-widget
//!
//! The storefront side of the installment calculator. Every number comes from
//! [`installment_core`], so the badge, the picker and the merchant's server agree.
//!
//! - [`view`]: what the badge, its details and the picker show, from the proxy's
//!   `/api/v1/rules` and `/api/v1/offers` documents, every string formatted.
//! - [`InstallmentBadge`] and [`InstallmentPicker`] (feature `leptos`, on by default): the
//!   Leptos components, for Rust shops.
//! - `js` (wasm32 only): the thin export layer under the npm package, the script tag and the
//!   custom elements (`js/`), which render the same views.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

#[cfg(feature = "leptos")]
mod badge;
#[cfg(feature = "leptos")]
pub mod fetch;
#[cfg(target_arch = "wasm32")]
mod js;
pub mod labels;
#[cfg(feature = "leptos")]
mod picker;
pub mod view;

#[cfg(feature = "leptos")]
pub use badge::InstallmentBadge;
pub use installment_core as core;
#[cfg(feature = "leptos")]
pub use picker::{InstallmentPicker, Selection};
