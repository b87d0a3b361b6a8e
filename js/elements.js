// The custom elements' lifecycle, handed to wasm. Everything a shopper sees is drawn by the
// Leptos components in the wasm; this file only tells it when an element connects, changes
// or leaves, and when the page changed (a watched price may have been replaced).

const BADGE = ["amount", "currency", "locale", "category", "endpoint", "price-selector", "labels"];
const PICKER = ["amount", "currency", "locale", "category", "endpoint", "name", "items", "intent", "return-path", "labels"];
const SELECTOR = { badge: "[data-installment-badge]", picker: "[data-installment-picker]" };

/**
 * The elements, for a page whose wasm comes from `load(kind)`: a promise of the module
 * (`mountBadge`, `mountPicker`, `unmount`, `attributeChanged`, `refresh`, `pageChanged`).
 */
export function elements(load) {
  const owners = new WeakMap(); // host → the module that mounted it
  const kindOf = (host) => (host.localName === "installment-picker" || host.hasAttribute("data-installment-picker") ? "picker" : "badge");
  const prefixOf = (host) => (host.localName.startsWith("installment-") ? "" : "data-");

  function mount(host, kind = kindOf(host)) {
    if (owners.has(host)) return;
    const module = load(kind);
    owners.set(host, module);
    module.then((wasm) => {
      if (!host.isConnected || owners.get(host) !== module) return;
      if (kind === "picker") wasm.mountPicker(host, prefixOf(host));
      else wasm.mountBadge(host, prefixOf(host));
    });
  }
  function unmount(host) {
    owners.get(host)?.then((wasm) => wasm.unmount(host));
    owners.delete(host);
  }
  const tell = (host, call) => owners.get(host)?.then(call);

  function mountAll(root = document) {
    for (const kind of ["badge", "picker"]) for (const host of root.querySelectorAll(SELECTOR[kind])) mount(host, kind);
  }
  function update(host, amount) {
    if (amount !== undefined) host.setAttribute(prefixOf(host) + "amount", String(amount));
    else tell(host, (wasm) => wasm.refresh(host));
  }

  const define = (name, observedAttributes) =>
    customElements.get(name) ??
    customElements.define(name, class extends HTMLElement {
      static observedAttributes = observedAttributes;
      connectedCallback() { mount(this); }
      disconnectedCallback() { unmount(this); }
      attributeChangedCallback(attribute, _, value) { tell(this, (wasm) => wasm.attributeChanged(this, attribute, value)); }
      /** Sets a new amount (a decimal string or a number), or with none re-reads everything. */
      update(amount) { update(this, amount); }
    });

  let observer;
  function watch() {
    observer ??= new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "attributes") {
          const { target, attributeName } = record;
          tell(target, (wasm) => wasm.attributeChanged(target, attributeName, target.getAttribute(attributeName)));
        }
        for (const node of record.addedNodes) {
          if (node.nodeType !== Node.ELEMENT_NODE) continue;
          if (node.matches(`${SELECTOR.badge}, ${SELECTOR.picker}`)) mount(node);
          mountAll(node);
        }
        for (const node of record.removedNodes) {
          if (node.nodeType !== Node.ELEMENT_NODE || node.localName.startsWith("installment-")) continue;
          if (owners.has(node) && !node.isConnected) unmount(node);
          for (const host of node.querySelectorAll(`${SELECTOR.badge}, ${SELECTOR.picker}`)) if (!host.isConnected) unmount(host);
        }
      }
      for (const kind of ["badge", "picker"]) load(kind, false)?.then((wasm) => wasm.pageChanged());
    });
    observer.observe(document.documentElement, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: [...new Set([...BADGE, ...PICKER])].map((name) => `data-${name}`),
    });
  }

  /** Defines `<installment-badge>` and `<installment-picker>` (once) and watches the page. */
  function defineElements() {
    watch();
    define("installment-badge", BADGE);
    define("installment-picker", PICKER);
  }

  /** The script-tag embed: the elements, and every data-attribute element now and later. */
  function embed() {
    defineElements();
    mountAll();
  }

  return { defineElements, embed, mountAll, mount, unmount, update };
}
