// Types of the storefront embed (widget.js). The calculator's own types are generated from
// the Rust exports into installment_widget.d.ts and re-exported here.
export { split, quote, detectCard, formatMoney, parsePrice, checkAmount, labels, Rules, Offers } from "./installment_widget.js";
export type { Amount, BadgeView, PlanView, ProviderView, CardView, OfferView, PickerView, Labels, Plural, Quote, PlanQuote, CardInfo, InstallmentError } from "./installment_widget.js";

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

/** Where the wasm is, or its bytes; by default the file beside the package's module. */
export type WasmSource =
  | { module_or_path: string | URL | Request | Response | BufferSource | WebAssembly.Module | Promise<Response | BufferSource> }
  | string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** Loads the wasm once per page (in Node from the package's own file); every other function
 * waits for it by itself. */
export function init(input?: WasmSource): Promise<unknown>;

/** Loads the wasm from its bytes, synchronously (e.g. `readFileSync` of
 * `installment-widget/installment_widget_bg.wasm`). */
export function initSync(module: BufferSource | WebAssembly.Module): unknown;

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

/** The attributes of `<installment-badge>`, as JSX and HTML write them. */
export interface InstallmentBadgeAttributes {
  /** The price, a decimal string ("299.90"). */
  amount?: string;
  /** ISO 4217 code. */
  currency?: string;
  /** ru, be, kk, uk, tr, en, ar; default: the nearest `lang`. */
  locale?: string;
  /** The product's category code. */
  category?: string;
  /** The proxy's API root; default /api/v1. */
  endpoint?: string;
  /** Follow the price shown in this element. */
  "price-selector"?: string;
  /** The merchant's words, as JSON. */
  labels?: string;
  id?: string;
  class?: string;
  className?: string;
  lang?: string;
  hidden?: boolean;
  slot?: string;
  key?: string | number;
}

/** The attributes of `<installment-picker>`. */
export interface InstallmentPickerAttributes extends Omit<InstallmentBadgeAttributes, "price-selector"> {
  /** The hidden form input that receives the choice. */
  name?: string;
  /** What is bought: "sku:quantity,…". */
  items?: string;
  /** A signed intent from the merchant's backend (JSON). */
  intent?: string;
  /** Where the provider sends the shopper back. */
  "return-path"?: string;
}

/** The custom elements for JSX (Preact, Solid, React before 19); React 19 types: import
 * `installment-widget/react`. */
export interface InstallmentIntrinsicElements {
  "installment-badge": InstallmentBadgeAttributes;
  "installment-picker": InstallmentPickerAttributes;
}

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
    /** The chosen plan, or `null` when the card's digits or a new price took it away. */
    "installment-select": CustomEvent<InstallmentSelection | null>;
  }
  namespace JSX {
    interface IntrinsicElements extends InstallmentIntrinsicElements {}
  }
}
