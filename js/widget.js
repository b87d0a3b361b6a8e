// The storefront embed: custom elements, script-tag mounting and the client of the proxy.
// Every number and every word a shopper reads comes from the wasm (Rules, offers); this file
// only moves them into the DOM. Nothing here may break the merchant's page: every failure
// hides the badge (or puts one line in the picker) and is named in one console warning.
import init, { Offers, Rules, checkAmount, labels, parsePrice } from "./installment_widget.js";
import css from "./styles.js";

/** How long the proxy may take before the widget gives up and hides. */
const TIMEOUT_MS = 4000;
const DEFAULT_ENDPOINT = "/api/v1";
const BADGE_ATTRIBUTES = ["amount", "currency", "locale", "category", "endpoint", "price-selector"];
const PICKER_ATTRIBUTES = ["amount", "currency", "locale", "category", "endpoint", "name", "items", "intent", "return-path"];

let wasm;
const start = () => (wasm ??= init());

const warned = new Set();
/** One console warning per cause, however many badges share it. */
function warn(cause) {
  const message = `installment widget: ${cause instanceof Error ? cause.message : cause}`;
  if (!warned.has(message)) {
    warned.add(message);
    console.warn(message);
  }
}

let sheet;
/** One constructed stylesheet shared by every shadow root: no inline style, so a CSP of
 * style-src 'self' allows it, and 200 badges parse the CSS once. */
function styled(host) {
  const root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [sheet];
  return root;
}

/** Tells the page (and its CSS) how a widget ended: `shown`, `empty` or `failed`. */
const state = (host, value) => host.setAttribute("data-installment-state", value);

/** A DOM element with attributes and children; text always goes in as text, never as HTML. */
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return element;
}

// ---------------------------------------------------------------------------------------------
// The proxy

/** The proxy's JSON answer at `endpoint + path`, parsed by the browser. A failure names the
 * cause once for the whole proxy, so 200 badges and a picker make one warning. */
async function fetchJson(endpoint, path, init = {}) {
  const url = endpoint + path;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal, headers: { accept: "application/json", ...init.headers } });
  } catch (error) {
    throw new Error(
      controller.signal.aborted
        ? `the proxy at ${endpoint} did not answer within ${TIMEOUT_MS} ms`
        : `the proxy at ${endpoint} is unreachable (${error.message})`,
    );
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = "";
    try {
      const body = JSON.parse(text);
      detail = body.code ? `: ${body.code}: ${body.message}` : "";
    } catch {}
    throw new Error(`the proxy at ${endpoint} answered HTTP ${response.status}${detail}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the proxy at ${endpoint} answered malformed JSON`);
  }
}

const rulesByUrl = new Map();
/** The page's rules for a currency: one request however many badges ask. */
function rulesFor(endpoint, currency) {
  const path = `/rules?currency=${encodeURIComponent(currency)}`;
  const url = endpoint + path;
  if (!rulesByUrl.has(url)) {
    rulesByUrl.set(url, Promise.all([fetchJson(endpoint, path), start()]).then(([document]) => Rules.read(document)));
  }
  return rulesByUrl.get(url);
}

/** The widget's settings from the host's attributes, then the page. */
function settings(host, read) {
  const lang = host.closest("[lang]")?.getAttribute("lang");
  return {
    amount: read("amount"),
    currency: read("currency") ?? "",
    locale: read("locale") ?? lang ?? "en",
    category: read("category") ?? undefined,
    endpoint: (read("endpoint") ?? document.querySelector('meta[name="installment-endpoint"]')?.content ?? DEFAULT_ENDPOINT).replace(/\/$/, ""),
  };
}

// ---------------------------------------------------------------------------------------------
// The badge

class Badge {
  constructor(host, read) {
    this.host = host;
    this.read = read;
    this.root = styled(host);
    this.version = 0;
    this.open = false;
    this.watchedText = undefined;
  }

  /** Re-reads the settings (and the watched price) and redraws; stale answers are dropped. */
  async refresh() {
    const version = ++this.version;
    const options = settings(this.host, this.read);
    const selector = this.read("price-selector");
    try {
      if (selector) {
        const text = document.querySelector(selector)?.textContent ?? "";
        this.watchedText = text;
        await start();
        options.amount = parsePrice(text, options.currency, options.locale);
      }
      if (options.amount === null) throw new Error("a badge has no amount");
      // The rules and the wasm load side by side; the amount is checked once the wasm is in.
      const loading = rulesFor(options.endpoint, options.currency);
      loading.catch(() => {});
      await start();
      options.amount = checkAmount(options.amount, options.currency);
      const rules = await loading;
      if (version !== this.version) return;
      this.draw(rules, options);
    } catch (error) {
      if (version !== this.version) return;
      this.root.replaceChildren();
      state(this.host, "failed");
      warn(error);
    }
  }

  /** For a watched price: redraws only when its text changed (or its element was replaced). */
  priceMayHaveChanged() {
    const selector = this.read("price-selector");
    if (selector && (document.querySelector(selector)?.textContent ?? "") !== this.watchedText) this.refresh();
  }

  draw(rules, options) {
    const view = rules.badge(options.amount, options.locale, options.category);
    if (!view) {
      this.root.replaceChildren();
      state(this.host, "empty");
      return;
    }
    state(this.host, "shown");
    const rtl = options.locale.startsWith("ar");
    const button = h(
      "button",
      { type: "button", class: "installment-badge__button", "aria-expanded": String(this.open) },
      view.before,
      h("strong", { class: "installment-badge__amount" }, view.amount),
      view.after,
    );
    button.addEventListener("click", () => {
      this.open = !this.open;
      this.draw(rules, options);
      this.root.querySelector("button")?.focus();
    });
    const details = this.open ? detailsView(rules.details(options.amount, options.locale, options.category), labelsOf(options)) : null;
    this.root.replaceChildren(
      h("span", { class: "installment-badge", lang: options.locale, dir: rtl ? "rtl" : "ltr" }, button, details),
    );
  }
}

const labelsByLocale = new Map();
function labelsOf(options) {
  if (!labelsByLocale.has(options.locale)) labelsByLocale.set(options.locale, labels(options.locale));
  return labelsByLocale.get(options.locale);
}

function detailsView(providers, words) {
  return h(
    "div",
    { class: "installment-details", role: "region", "aria-label": words.plans },
    providers.map((provider) =>
      h(
        "table",
        { class: "installment-details__provider" },
        h("caption", null, provider.name),
        h("thead", null, h("tr", null, h("th", { scope: "col" }), ...[words.payment, words.total, words.overpayment].map((label) => h("th", { scope: "col" }, label)))),
        h(
          "tbody",
          null,
          provider.plans.map((plan) =>
            h("tr", null, h("th", { scope: "row" }, plan.term), h("td", null, plan.monthly), h("td", null, plan.total), h("td", null, plan.interest_free ? words.no_overpayment : plan.overpayment)),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// The picker

let pickers = 0;

class Picker {
  constructor(host, read) {
    this.host = host;
    this.read = read;
    this.root = styled(host);
    this.version = 0;
    this.group = `installment-plan-${++pickers}`;
    this.digits = "";
  }

  async refresh() {
    const version = ++this.version;
    const options = settings(this.host, this.read);
    this.options = options;
    try {
      if (options.amount === null) throw new Error("a picker has no amount");
      await start();
      options.amount = checkAmount(options.amount, options.currency);
      const query = new URLSearchParams({ amount: options.amount, currency: options.currency });
      if (options.category) query.set("category", options.category);
      const [document, rules] = await Promise.all([
        fetchJson(options.endpoint, `/offers?${query}`),
        rulesFor(options.endpoint, options.currency).catch(() => null),
        start(),
      ]);
      if (version !== this.version) return;
      this.rules = rules;
      this.offers = Offers.read(document, options.locale);
      this.view = this.offers.view();
      this.draw();
      state(this.host, "shown");
    } catch (error) {
      if (version !== this.version) return;
      this.view = null;
      this.drawUnavailable(options);
      state(this.host, "failed");
      warn(error);
    }
  }

  drawUnavailable(options) {
    let words;
    try {
      words = labelsOf(options);
    } catch {
      words = { unavailable: "Installments are unavailable right now." };
    }
    this.root.replaceChildren(h("p", { class: "installment-picker__message", role: "status" }, words.unavailable));
  }

  draw() {
    const { view, options } = this;
    const words = view.labels;
    const input = h("input", {
      type: "text",
      inputmode: "numeric",
      autocomplete: "off",
      "aria-describedby": `${this.group}-hint`,
    });
    input.value = this.digits;
    const scheme = h("span", { class: "installment-picker__scheme", "aria-live": "polite" });
    const list = h("div", { role: "radiogroup", "aria-label": words.plans });
    input.addEventListener("input", () => {
      // The field never holds more than the first 8 digits: nothing past them exists to send.
      this.digits = input.value.replace(/\D/g, "").slice(0, 8);
      input.value = this.digits;
      this.narrow(scheme, list);
    });
    this.root.replaceChildren(
      h(
        "fieldset",
        { class: "installment-picker", lang: options.locale, dir: options.locale.startsWith("ar") ? "rtl" : "ltr" },
        h("legend", { class: "installment-picker__legend" }, words.plans),
        h(
          "label",
          { class: "installment-picker__card" },
          h("span", null, words.card_digits),
          input,
          scheme,
          h("span", { class: "installment-picker__hint", id: `${this.group}-hint` }, words.card_hint),
        ),
        list,
        this.checkoutView(words),
      ),
    );
    this.narrow(scheme, list);
  }

  /** With `items` (SKUs the proxy prices) or a signed `intent`, the picker starts the
   * purchase itself: the shopper's phone and a button that opens the provider's form. */
  checkoutView(words) {
    if (this.read("items") === null && this.read("intent") === null) return null;
    const phone = h("input", { type: "tel", autocomplete: "tel", required: "" });
    const message = h("p", { class: "installment-picker__message", role: "status" });
    const button = h("button", { type: "button", class: "installment-picker__pay", disabled: this.choice ? null : "" }, words.pay);
    this.payButton = button;
    button.addEventListener("click", async () => {
      if (!phone.reportValidity()) return;
      button.disabled = true;
      message.textContent = "";
      try {
        const application = await fetchJson(this.options.endpoint, "/applications", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(this.application(phone.value)),
        });
        location.assign(application.redirect_url);
      } catch (error) {
        button.disabled = false;
        message.textContent = words.checkout_failed;
        warn(error);
      }
    });
    return h("div", { class: "installment-picker__checkout" }, h("label", null, h("span", null, words.phone), phone), button, message);
  }

  /** The application's body: the order as SKUs or a signed intent, never an amount. */
  application(phone) {
    const back = this.read("return-path") ?? "/return.html";
    const body = { provider: this.choice.provider, months: this.choice.months, customer: { phone }, success_path: back, fail_path: back };
    const items = this.read("items");
    if (items !== null) {
      body.items = items.split(",").map((line) => {
        const [sku, quantity = "1"] = line.trim().split(":");
        if (!sku || !/^\d+$/.test(quantity)) throw new Error(`items: "sku:quantity,…" expected, not "${items}"`);
        return { sku, quantity: Number(quantity) };
      });
    } else {
      try {
        body.intent = JSON.parse(this.read("intent"));
      } catch {
        throw new Error("intent: not JSON");
      }
    }
    return body;
  }

  /** The scheme from the first digit; from 6 digits the family: the page's BIN table first,
   * then the proxy's `/bins`, and only the plans that card may use. */
  async narrow(scheme, list) {
    const digits = this.digits;
    let card = { association: null, family: null };
    try {
      card = this.rules ? this.rules.card(digits) : card;
    } catch {}
    scheme.textContent = digits ? card.association ?? "" : "";
    let open = null;
    if (digits.length >= 6) {
      if (!card.family) {
        try {
          const answer = await fetchJson(this.options.endpoint, `/bins/${digits}`);
          if (digits !== this.digits) return;
          card = { association: answer.association ?? card.association, family: answer.range?.family ?? null };
          scheme.textContent = card.association ?? "";
        } catch (error) {
          warn(error);
        }
      }
      open = new Set(this.offers.openTo(card.family ?? undefined, card.association ?? undefined));
    }
    this.drawPlans(list, open);
  }

  drawPlans(list, open) {
    const words = this.view.labels;
    const offers = this.view.offers.filter((_, index) => !open || open.has(index));
    if (offers.length === 0) {
      list.replaceChildren(h("p", { class: "installment-picker__message", role: "status" }, this.view.offers.length ? words.no_plans_for_card : words.unavailable));
      return;
    }
    list.replaceChildren(
      ...offers.map((offer) =>
        h(
          "section",
          { class: "installment-picker__offer" },
          h("h4", null, `${offer.provider_name} · ${offer.card}`),
          offer.plans.map((plan) => this.planView(offer, plan, words)),
        ),
      ),
    );
  }

  planView(offer, plan, words) {
    const choice = {
      provider: offer.provider,
      family: offer.family ?? null,
      months: plan.months,
      monthly: plan.monthly_amount,
      total: plan.total_amount,
      currency: this.options.currency,
    };
    const value = `${choice.provider}:${choice.family ?? ""}:${choice.months}`;
    const radio = h("input", { type: "radio", name: this.group, value, checked: this.chosen === value ? "" : null });
    radio.addEventListener("change", () => this.select(value, choice));
    const overpayment = plan.interest_free ? words.no_overpayment : `${words.overpayment} ${plan.overpayment}`;
    return h(
      "div",
      { class: "installment-picker__plan" },
      h(
        "label",
        null,
        radio,
        h("span", { class: "installment-picker__monthly" }, plan.monthly),
        h("span", null, plan.term),
        h("span", { class: "installment-picker__terms" }, `${words.total} ${plan.total} · ${overpayment}`),
      ),
      h(
        "details",
        { class: "installment-picker__schedule" },
        h("summary", null, words.schedule),
        h("ol", null, plan.payments.map((payment) => h("li", null, payment))),
      ),
    );
  }

  /** Announces the choice and writes it to the merchant's form. */
  select(value, choice) {
    this.chosen = value;
    this.choice = choice;
    if (this.payButton) this.payButton.disabled = false;
    const name = this.read("name");
    if (name) {
      let field = [...this.host.children].find((child) => child.matches(`input[type="hidden"]`) && child.name === name);
      if (!field) {
        field = h("input", { type: "hidden", name });
        this.host.append(field);
      }
      field.value = value;
    }
    this.host.dispatchEvent(new CustomEvent("installment-select", { bubbles: true, composed: true, detail: choice }));
  }
}

// ---------------------------------------------------------------------------------------------
// Mounting: custom elements, data attributes, and everything added later

const mounted = new WeakMap();
const watching = new Set();

/**
 * Mounts a badge or a picker on any element; `read(name)` gives its setting `name`.
 * Returns the controller (`refresh()` re-reads every setting).
 */
export function mount(host, kind, read) {
  if (mounted.has(host)) return mounted.get(host);
  const controller = kind === "picker" ? new Picker(host, read) : new Badge(host, read);
  mounted.set(host, controller);
  if (kind === "badge") watching.add(controller);
  controller.refresh();
  return controller;
}

const dataReader = (host) => (name) => host.getAttribute(`data-${name}`);

/** Mounts every `[data-installment-badge]` and `[data-installment-picker]` under `root`. */
export function mountAll(root = document) {
  for (const host of root.querySelectorAll("[data-installment-badge]")) mount(host, "badge", dataReader(host));
  for (const host of root.querySelectorAll("[data-installment-picker]")) mount(host, "picker", dataReader(host));
}

function elementClass(kind, observed) {
  return class extends HTMLElement {
    static observedAttributes = observed;
    connectedCallback() {
      mount(this, kind, (name) => this.getAttribute(name));
    }
    attributeChangedCallback() {
      mounted.get(this)?.refresh();
    }
    /** Sets a new amount (a decimal string or a number), or re-reads everything. */
    update(amount) {
      if (amount !== undefined) this.setAttribute("amount", String(amount));
      else mounted.get(this)?.refresh();
    }
  };
}

/** Defines `<installment-badge>` and `<installment-picker>` (once), and starts watching the
 * page for data-attribute elements, changed attributes and watched prices. */
export function defineElements() {
  watch();
  if (!customElements.get("installment-badge")) customElements.define("installment-badge", elementClass("badge", BADGE_ATTRIBUTES));
  if (!customElements.get("installment-picker")) customElements.define("installment-picker", elementClass("picker", PICKER_ATTRIBUTES));
}

/** The script-tag embed: the elements, every data-attribute element now and later. */
export function embed() {
  defineElements();
  mountAll();
}

let observer;
function watch() {
  if (observer) return;
  observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes" && record.attributeName.startsWith("data-")) mounted.get(record.target)?.refresh();
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.matches("[data-installment-badge]")) mount(node, "badge", dataReader(node));
        else if (node.matches("[data-installment-picker]")) mount(node, "picker", dataReader(node));
        mountAll(node);
      }
    }
    for (const badge of watching) {
      if (badge.host.isConnected) badge.priceMayHaveChanged();
      else watching.delete(badge);
    }
  });
  observer.observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: BADGE_ATTRIBUTES.concat(PICKER_ATTRIBUTES).map((name) => `data-${name}`),
  });
}

/** Runs `update()` on a data-attribute badge or picker: sets its amount, or re-reads it. */
export function update(host, amount) {
  if (amount !== undefined) host.setAttribute(host.localName.startsWith("installment-") ? "amount" : "data-amount", String(amount));
  else mounted.get(host)?.refresh();
}

export { split, quote, detectCard, formatMoney, parsePrice, Rules } from "./installment_widget.js";
export { start as init };
