// Types of the storefront embed (widget.js). The calculator's own types are generated from
// the Rust exports into installment_widget.d.ts and re-exported here.
export { split, quote, detectCard, formatMoney, parsePrice, checkAmount, labels, Rules, Offers } from "./installment_widget.js";
export type { Amount, BadgeView, PlanView, ProviderView, CardView, OfferView, PickerView, Labels, Quote, PlanQuote, CardInfo, InstallmentError } from "./installment_widget.js";

/** What `installment-select` carries: the plan the shopper chose. Amounts are decimal strings. */
export interface InstallmentSelection {
  provider: string;
  /** The card family the plan is for, or null for any card. */
  family: string | null;
  months: number;
  /** The largest payment: what "per month" means. */
  monthly: string;
  total: string;
  currency: string;
}

/** Loads the wasm (once); every other function waits for it by itself. */
export function init(): Promise<unknown>;

/** Defines `<installment-badge>` and `<installment-picker>` (once) and watches the page. */
export function defineElements(): void;

/** The script-tag embed: the elements, and every data-attribute element now and later. */
export function embed(): void;

/** Mounts every `[data-installment-badge]` and `[data-installment-picker]` under `root`. */
export function mountAll(root?: ParentNode): void;

/** Mounts a badge or a picker on any element (a `<span>` or `<div>`): the Leptos component,
 * in the element's shadow root. Its settings are its `data-` attributes (`data-amount`,
 * `data-currency`, `data-locale`, `data-category`, `data-endpoint`, `data-price-selector`,
 * `data-name`; for a picker that starts the purchase, `data-items` ("sku:quantity,…") or
 * `data-intent` (signed JSON) and `data-return-path`). */
export function mount(host: HTMLElement, kind?: "badge" | "picker"): void;

/** Unmounts the widget of `host`: its nodes and its signals are freed. */
export function unmount(host: HTMLElement): void;

/** Sets a badge's or picker's amount, or with no amount re-reads its settings. */
export function update(host: HTMLElement, amount?: string | number): void;

export interface InstallmentElement extends HTMLElement {
  /** Sets a new amount (a decimal string or a number), or with none re-reads everything. */
  update(amount?: string | number): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "installment-badge": InstallmentElement;
    "installment-picker": InstallmentElement;
  }
  interface HTMLElementEventMap {
    "installment-select": CustomEvent<InstallmentSelection>;
  }
}
