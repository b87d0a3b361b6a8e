// The custom elements' lifecycle, handed to wasm. Everything a shopper sees is drawn by the
// Leptos components in the wasm; this file only tells it when an element connects, changes
// or leaves, and when the page changed (a watched price may have been replaced).

const BADGE = ["amount", "currency", "locale", "category", "endpoint", "price-selector", "labels"];
const PICKER = ["amount", "currency", "locale", "category", "endpoint", "name", "items", "intent", "return-path", "labels"];
const SELECTOR = { badge: "[data-installment-badge]", picker: "[data-installment-picker]" };
// The most a batch of badge mounts holds the main thread: well under a long task (50 ms).
const SLICE_MS = 12;
// The badges near the viewport mount in one task when they can, so that they draw together:
// each frame that changes what the browser renders lays the page out again, and on a long
// listing that is 40 to 60 ms a frame (a trace of 2,000 cards in one grid).
const NEAR_MS = 30;

/**
 * Badges mount nearest the viewport first: those near it (a screen above, two below) together
 * as soon as their wasm is ready, the rest in idle time, a slice at a time, nearest the
 * shopper's scroll position first. A listing of thousands paints its first screen about as
 * soon as one of a hundred does, and never holds the main thread for long.
 *
 * Each host is located once: an IntersectionObserver reports where it is in the frame after
 * it connects, and stops watching it. One that kept watching thousands would cost every frame
 * a look at each of them.
 */
function nearestFirst() {
  const top = new WeakMap(); // host → its top in the page when located
  const ready = new Map(); // host → { mount, prepare }, once its wasm is ready, in document order
  let soon = false;
  let idle = false;
  // The rest wait until what is near the viewport has mounted: each mount makes the browser
  // lay the page out again, and a long page takes a while.
  let nearDone = false;
  const viewport =
    typeof IntersectionObserver === "function" &&
    new IntersectionObserver((entries) => {
      for (const { target, boundingClientRect: box } of entries) {
        viewport.unobserve(target);
        // A host in content the browser skips (`content-visibility: auto` far from the
        // screen) has no box yet: its place is unknown, not the viewport's top.
        if (box.width > 0 || box.height > 0) top.set(target, box.top + scrollY);
      }
      mountNearSoon();
    });
  // Near the viewport as it is now (a page opened at an anchor, or scrolled back to where the
  // shopper was, moves after the hosts were located): within a screen above it and two below,
  // as far as Chromium renders cards of `content-visibility: auto` ahead of the shopper.
  const isNear = (host) => {
    const at = top.get(host);
    return at !== undefined && at > scrollY - innerHeight && at < scrollY + 3 * innerHeight;
  };
  // A shopper who scrolls gets the badges there promptly, not at the next idle moment.
  if (viewport) addEventListener("scroll", () => ready.size > 0 && mountNearSoon(), { passive: true });
  // The rest also wait until a badge the embed mounted has drawn (written its state): until
  // the rules are in, a mounted badge draws nothing, and every one mounted meanwhile would draw
  // in the one task where the rules arrive (hundreds on a long listing: 67 ms in a trace). A badge
  // always ends drawn, failed at the latest when its request's time limit passes; the timer
  // covers one removed before it drew.
  let mounted = 0;
  let drawn = false;
  let firstDraw; // made at the first mount: the package is also imported where no DOM is (Node)
  const draw = () => {
    if (drawn) return;
    drawn = true;
    firstDraw?.disconnect();
    mountRestWhenIdle();
  };
  function mountOne(host) {
    const { mount } = ready.get(host);
    ready.delete(host);
    if (!drawn) {
      firstDraw ??= new MutationObserver(draw);
      firstDraw.observe(host, { attributes: true, attributeFilter: ["data-installment-state"] });
      if (mounted === 0) setTimeout(draw, 5000);
    }
    mounted++;
    mount();
  }
  const waitingForRules = () => !drawn && mounted > 0;
  // V8 compiles each wasm function when it is first called: 30 to 50 ms of the page's first
  // mount, here. The first host's settings are read and its rules asked for in a task of
  // their own, before any mount: that takes a part of it, and the request goes out sooner.
  let prepared = false;
  function prepareFirst(host) {
    if (prepared) return false;
    prepared = true;
    ready.get(host).prepare();
    return true;
  }
  function mountNearSoon() {
    if (soon) return;
    soon = true;
    setTimeout(() => {
      soon = false;
      // On screen first: the screen above and below can wait. Those that show nothing yet
      // before those the server drew (already seen): the near ones the server drew are taken
      // over in the frame the others draw in, not each in a frame of its own.
      const near = [...ready.keys()].filter(isNear);
      const drawnByServer = (host) => host.shadowRoot?.querySelector("[data-server]") != null;
      const order = [...byDistance(near.filter((host) => !drawnByServer(host))), ...byDistance(near.filter(drawnByServer))];
      const until = performance.now() + NEAR_MS;
      for (const host of order) {
        if (performance.now() >= until) return mountNearSoon();
        if (prepareFirst(host)) return mountNearSoon();
        mountOne(host);
        // The first mount compiles most of the rest: it goes alone too, and the near ones
        // together after it.
        if (mounted === 1 && order.length > 1) return mountNearSoon();
      }
      nearDone = true;
      mountRestWhenIdle();
    });
  }
  // Nearest where the shopper is now first; hosts not located last, in document order.
  function byDistance(hosts) {
    const middle = scrollY + innerHeight / 2;
    const distance = (host) => Math.abs((top.get(host) ?? Infinity) - middle);
    return hosts.sort((a, b) => distance(a) - distance(b));
  }
  // The rest in the order they mount, farthest first (taken from the end): sorted again only
  // once the shopper has scrolled or hosts were added, not for each slice, where sorting
  // thousands of hosts cost more than the slice's mounts.
  let rest = [];
  let restSortedAt = NaN; // the scroll position `rest` was sorted for; NaN: sort again
  function mountRestWhenIdle() {
    if (idle || !nearDone || ready.size === 0 || waitingForRules()) return;
    idle = true;
    const whenIdle = globalThis.requestIdleCallback ?? ((run) => setTimeout(() => run({ timeRemaining: () => SLICE_MS })));
    whenIdle((deadline) => {
      idle = false;
      // At least a few milliseconds' worth each time, even when the browser is never idle.
      const until = performance.now() + Math.max(4, Math.min(SLICE_MS, deadline.timeRemaining()));
      if (restSortedAt !== scrollY || rest.length === 0) {
        rest = byDistance([...ready.keys()]).reverse();
        restSortedAt = scrollY;
      }
      while (rest.length > 0 && performance.now() < until && !waitingForRules()) {
        const host = rest.pop();
        if (!ready.has(host)) continue; // mounted since as a near one, or gone
        if (prepareFirst(host)) {
          rest.push(host);
          break;
        }
        mountOne(host);
      }
      mountRestWhenIdle();
    }, { timeout: 1000 });
  }
  return {
    /** Locates `host` before its wasm is ready. */
    watch(host) {
      if (viewport) viewport.observe(host);
    },
    /** Mounts `host` (by `mount`) when its turn comes; `prepare` asks for its rules. */
    add(host, mount, prepare) {
      if (!viewport) return mount();
      ready.set(host, { mount, prepare });
      restSortedAt = NaN;
      if (isNear(host)) mountNearSoon();
      mountRestWhenIdle();
    },
    /** Forgets a host that left before its turn. */
    drop(host) {
      ready.delete(host);
      if (viewport) viewport.unobserve(host);
    },
  };
}

/**
 * Whether the page reserves the widgets' space before they draw, looked up at the first host.
 * The package stylesheet does it from the first paint. A page that forgot it was painted with
 * no room for them: a widget drawn there would move the page under the shopper, so none is
 * drawn (each hides itself, as for any unusable input) and the console names the link to add.
 * Undecided (`undefined`) while the page's stylesheets may still be loading: WebKit runs module
 * scripts before a stylesheet it revalidates has applied, so "no space" is only final once the
 * page has loaded.
 */
let reserved;
function spaceReserved(host) {
  if (reserved === undefined && parseFloat(getComputedStyle(host).minHeight) > 0) reserved = true;
  if (reserved !== undefined || document.readyState !== "complete") return reserved;
  reserved = false;
  const link = `<link rel="stylesheet" href="${new URL("./installment-widget.css", import.meta.url)}">`;
  console.warn(`installment widget: the page reserves no space for <${host.localName}>, so the widgets would move it when they draw, and stay hidden. Add ${link} to <head>.`);
  return reserved;
}

/**
 * The elements, for a page whose wasm comes from `load(kind)`: a promise of the module
 * (`mountBadge`, `mountPicker`, `unmount`, `attributeChanged`, `refresh`, `pageChanged`).
 */
export function elements(load) {
  const owners = new WeakMap(); // host → the module that mounted it
  const kindOf = (host) => (host.localName === "installment-picker" || host.hasAttribute("data-installment-picker") ? "picker" : "badge");
  const prefixOf = (host) => (host.localName.startsWith("installment-") ? "" : "data-");

  const badges = nearestFirst();

  let waiting; // hosts that came before the page's stylesheets were known to be in
  function mount(host, kind = kindOf(host)) {
    if (owners.has(host)) return;
    const space = spaceReserved(host);
    if (space === undefined) {
      if (!waiting) {
        waiting = [];
        addEventListener("load", () => {
          const hosts = waiting;
          waiting = undefined;
          for (const [later, laterKind] of hosts) if (later.isConnected) mount(later, laterKind);
        }, { once: true });
      }
      return waiting.push([host, kind]);
    }
    if (!space) return host.setAttribute("data-installment-state", "failed");
    const module = load(kind);
    owners.set(host, module);
    // A checkout has one picker: it mounts at once. Badges take their turn.
    if (kind === "badge") badges.watch(host);
    module.then((wasm) => {
      if (!host.isConnected || owners.get(host) !== module) return;
      if (kind === "picker") wasm.mountPicker(host, prefixOf(host));
      else {
        const current = () => host.isConnected && owners.get(host) === module;
        badges.add(host, () => current() && wasm.mountBadge(host, prefixOf(host)), () => current() && wasm.prepareBadge(host, prefixOf(host)));
      }
    });
  }
  function unmount(host) {
    badges.drop(host);
    owners.get(host)?.then((wasm) => wasm.unmount(host));
    owners.delete(host);
  }
  const tell = (host, call) => owners.get(host)?.then(call);

  // A slice at a time, from the next task on: on a listing of thousands, taking every host in
  // the task that ends the page's parsing made that task 10 to 30 ms longer (and the frame
  // after it locate them all at once). A checkout's picker first.
  function mountAll(root = document) {
    // The first of each kind now, so that its build starts downloading at once.
    for (const kind of ["picker", "badge"]) {
      const first = root.querySelector(SELECTOR[kind]);
      if (first) mount(first, kind);
    }
    let hosts;
    let next = 0;
    setTimeout(function slice() {
      hosts ??= ["picker", "badge"].flatMap((kind) => [...root.querySelectorAll(SELECTOR[kind])].map((host) => [host, kind]));
      const until = performance.now() + SLICE_MS;
      while (next < hosts.length && performance.now() < until) {
        const [host, kind] = hosts[next++];
        if (host.isConnected) mount(host, kind);
      }
      if (next < hosts.length) setTimeout(slice);
    });
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
      // One build serves both kinds now: each loaded build is told once.
      for (const build of new Set(["badge", "picker"].map((kind) => load(kind, false)))) build?.then((wasm) => wasm.pageChanged());
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
