// The demo storefront in headless Chromium alone (Debian's, through playwright-core), for what
// needs Chromium's own instruments: a long listing's mounting order, layout shift, axe, the
// dialog's focus trap. The shopper's paths run in every engine: tests/node/engines.test.mjs.
// Needs pkg/ (scripts/build-package) and the proxy binary (cargo build -p installment-proxy).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { demoListing, expectedBadge as expectedFrom, formatMoney, renderedByServer, startSandbox } from "./sandbox.mjs";

const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let sandbox;
let browser;
let baseUrl;

before(async () => {
  sandbox = await startSandbox();
  baseUrl = sandbox.baseUrl;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
});

after(async () => {
  await browser?.close();
  sandbox?.stop();
});

/** A page that records warnings, errors (CSP violations are errors) and API requests. */
async function open(path, { route } = {}) {
  const page = await browser.newPage();
  const log = { warnings: [], errors: [], requests: [] };
  page.on("console", (message) => {
    if (message.type() === "warning") log.warnings.push(message.text());
    if (message.type() === "error") log.errors.push(message.text());
  });
  page.on("pageerror", (error) => log.errors.push(`uncaught: ${error.message}`));
  page.on("request", (request) => request.url().includes("/api/") && log.requests.push(request.url()));
  if (route) await route(page);
  const response = await page.goto(baseUrl + path);
  return { page, log, response };
}

/** Waits until every widget on the page has drawn (shown, empty or failed). */
async function settled(page, selector) {
  await page.waitForFunction(
    (s) => [...document.querySelectorAll(s)].every((e) => e.hasAttribute("data-installment-state")),
    selector,
    { timeout: 15000 },
  );
}

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** Serves `html` at `path` under the proxy's strict CSP, as it serves its own pages. */
const servePage = (page, path, html) =>
  page.route(`${baseUrl}${path}`, (route) => route.fulfill({ contentType: "text/html", headers: { "content-security-policy": STRICT_CSP }, body: html }));

/** Holds the page's rules requests until the function it resolves to is called. */
async function holdRules(page) {
  let answer;
  const held = new Promise((resolve) => (answer = resolve));
  await page.route(/\/api\/v1\/rules/, async (route) => {
    await held;
    await route.continue();
  });
  return answer;
}

/**
 * Keeps, in `window.drawOrder`, each host in the order it first writes its state, and in
 * `window.drawnInFrame` the animation frame it did so in (a count of frames so far).
 */
const recordDrawOrder = (page) =>
  page.addInitScript(() => {
    window.drawOrder = [];
    window.drawnInFrame = new Map();
    let frame = 0;
    requestAnimationFrame(function count() {
      frame++;
      requestAnimationFrame(count);
    });
    new MutationObserver((records) => {
      for (const { target } of records) {
        if (window.drawnInFrame.has(target)) continue;
        window.drawOrder.push(target);
        window.drawnInFrame.set(target, frame);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-installment-state"] });
  });

const shadowText = (locator) => locator.evaluate((element) => element.shadowRoot.textContent);

const expectedBadge = (...args) => expectedFrom(baseUrl, ...args);

test("a listing of 2,000 opened in its middle mounts the badges on screen first, and every other one after", async () => {
  // The demo's shelf ten times over, with an anchor halfway down. The shopper is halfway
  // down before the widget's module runs (a classic script runs as it is parsed), as after a
  // back navigation that restores the scroll position.
  const big = demoListing((shelf) => shelf.repeat(5) + '\n      <span id="middle"></span><script src="/middle.js"></script>' + shelf.repeat(5));
  const { page, log } = await open("listing-2000.html", {
    route: async (page) => {
      await page.route(`${baseUrl}middle.js`, (route) => route.fulfill({
        contentType: "text/javascript",
        body: 'document.getElementById("middle").scrollIntoView();',
      }));
      await servePage(page, "listing-2000.html", big);
      await recordDrawOrder(page);
    },
  });
  const selector = "[data-installment-badge]";
  assert.equal(await page.locator(selector).count(), 2000);
  await page.waitForFunction(
    (s) => [...document.querySelectorAll(s)].every((e) => e.hasAttribute("data-installment-state")),
    selector,
    { timeout: 60000 },
  );
  const order = await page.evaluate((s) => {
    const hosts = [...document.querySelectorAll(s)];
    const onScreen = hosts.filter((host) => {
      const box = host.getBoundingClientRect();
      return box.top < innerHeight && box.bottom > 0;
    });
    // How far from the viewport each of the first mounted badges is, in screens.
    const screensAway = (host) => {
      const box = host.getBoundingClientRect();
      return Math.max(0, -box.bottom, box.top - innerHeight) / innerHeight;
    };
    return {
      scrolled: scrollY,
      onScreen: onScreen.length,
      firstMounted: window.drawOrder.slice(0, onScreen.length).map(screensAway),
      mounted: window.drawOrder.length,
    };
  }, selector);
  assert.ok(order.scrolled > 10000, `opened at its middle (scrollY ${order.scrolled})`);
  assert.ok(order.onScreen > 0);
  // Near means within a screen of the viewport when they mounted; badges drawn since above
  // them have moved them a little, so allow two. Mounting from the top would be 50 away.
  assert.ok(order.firstMounted.every((screens) => screens <= 2), `the first badges mounted are near the viewport: ${order.firstMounted}`);
  assert.equal(order.mounted, 2000, "and every other badge after them");
  assert.equal(log.requests.filter((url) => url.includes("/api/v1/rules")).length, 1);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("on a listing whose first badges the server drew, the embed draws the near ones that show nothing first, then takes the server's over", async () => {
  const byServer = 4; // the first screen's, here
  const big = await renderedByServer(baseUrl, demoListing((shelf) => shelf.repeat(10)), { first: byServer });
  const { page, log } = await open("listing-server-2000.html", {
    route: async (page) => {
      await servePage(page, "listing-server-2000.html", big);
      await recordDrawOrder(page);
    },
  });
  const selector = "[data-installment-badge]";
  await page.waitForFunction(
    (s) => window.drawOrder.length === document.querySelectorAll(s).length,
    selector,
    { timeout: 60000 },
  );
  const order = await page.evaluate(({ s, byServer }) => {
    const hosts = [...document.querySelectorAll(s)];
    const server = new Set(hosts.slice(0, byServer));
    // Within a screen of the viewport, showing nothing until the embed draws them.
    const near = hosts.filter((host) => !server.has(host) && host.getBoundingClientRect().top < 2 * innerHeight);
    return {
      near: near.length,
      firstDrawn: window.drawOrder.slice(0, near.length).map((host) => hosts.indexOf(host)),
      serverLeft: hosts.filter((host) => host.shadowRoot.querySelector("[data-server]")).length,
      roots: hosts.map((host) => host.shadowRoot.querySelectorAll(".installment-root").length),
    };
  }, { s: selector, byServer });
  assert.ok(order.near >= 4, `badges near the viewport that the server did not draw: ${order.near}`);
  assert.ok(order.firstDrawn.every((index) => index >= byServer), `the embed's first draws are not the server's badges: ${order.firstDrawn}`);
  assert.equal(order.serverLeft, 0, "every server-drawn badge taken over");
  assert.ok(order.roots.every((count) => count === 1), "one render each");
  assert.equal(log.requests.filter((url) => url.includes("/api/v1/rules")).length, 1);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("the badges near the viewport draw in one frame, the server's taken over in it: each frame that changes them lays out the whole listing", async () => {
  let answerRules;
  const big = await renderedByServer(baseUrl, demoListing((shelf) => shelf.repeat(10)), { first: 24 });
  const { page, log } = await open("listing-server-frames.html", {
    route: async (page) => {
      await servePage(page, "listing-server-frames.html", big);
      answerRules = await holdRules(page);
      await recordDrawOrder(page);
    },
  });
  const selector = "[data-installment-badge]";
  // The embed has started (its first mount asked for the rules); the near ones mount meanwhile.
  await page.waitForFunction((s) => [...document.querySelectorAll(s)].some((host) => host.shadowRoot?.querySelector(".installment-root:not([data-server])")), selector, { timeout: 15000 });
  await page.waitForTimeout(1000);
  answerRules();
  await page.waitForFunction((s) => document.querySelectorAll(s).length === window.drawnInFrame.size, selector, { timeout: 60000 });
  const frames = await page.evaluate((s) => {
    // The cards the browser renders now (the rest are skipped by `content-visibility: auto`).
    const rendered = [...document.querySelectorAll(s)].filter((host) => host.checkVisibility({ contentVisibilityAuto: true }));
    return { rendered: rendered.length, frames: [...new Set(rendered.map((host) => window.drawnInFrame.get(host)))] };
  }, selector);
  assert.ok(frames.rendered >= 8, `cards the browser renders: ${frames.rendered}`);
  assert.equal(frames.frames.length, 1, `the rendered cards' badges drew in frames ${frames.frames}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("until the rules are in, only the badges near the viewport mount: the rest do not all draw in the task that brings the rules", async () => {
  let answerRules;
  const { page, log } = await open("listing-slow-rules.html", {
    route: async (page) => {
      await servePage(page, "listing-slow-rules.html", demoListing((shelf) => shelf.repeat(10)));
      // The rules wait until the test has looked.
      answerRules = await holdRules(page);
    },
  });
  const selector = "[data-installment-badge]";
  const mountedCount = () => page.evaluate((s) => [...document.querySelectorAll(s)].filter((host) => host.shadowRoot?.querySelector(".installment-root")).length, selector);
  await page.waitForFunction((s) => document.querySelector(s).shadowRoot, selector, { timeout: 15000 });
  // A second of idle time, in which the rest used to mount by the hundred.
  await page.waitForTimeout(1000);
  const whileWaiting = await mountedCount();
  answerRules();
  await page.waitForFunction(
    (s) => [...document.querySelectorAll(s)].every((e) => e.hasAttribute("data-installment-state")),
    selector,
    { timeout: 60000 },
  );
  // The near ones: three screens of the listing from its top, 24 cards here; all 2,000 before.
  assert.ok(whileWaiting > 0 && whileWaiting <= 40, `badges mounted before the rules came: ${whileWaiting}`);
  assert.equal(await mountedCount(), 2000, "every badge after them");
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("custom elements' attributes are live, and elements added to the page later are mounted", async () => {
  const { page, log } = await open("");
  await settled(page, "[data-installment-badge]");
  await page.evaluate(() => {
    const badge = document.createElement("installment-badge");
    badge.id = "later";
    badge.setAttribute("amount", "600.00");
    badge.setAttribute("currency", "BYN");
    const span = document.createElement("span");
    span.id = "later-span";
    span.setAttribute("data-installment-badge", "");
    span.dataset.amount = "600.00";
    span.dataset.currency = "BYN";
    document.querySelector(".grid").append(badge, span);
  });
  await settled(page, "#later, #later-span");
  const expected = await expectedBadge("600.00", "BYN", "ru-BY");
  assert.equal(await shadowText(page.locator("#later")), expected);
  assert.equal(await shadowText(page.locator("#later-span")), expected);

  await page.locator("#later").evaluate((e) => e.setAttribute("amount", "1200.00"));
  const changed = await expectedBadge("1200.00", "BYN", "ru-BY");
  await page.waitForFunction((text) => document.querySelector("#later").shadowRoot.textContent === text, changed);
  await page.locator("#later").evaluate((e) => e.update("2400.00"));
  const updated = await expectedBadge("2400.00", "BYN", "ru-BY");
  await page.waitForFunction((text) => document.querySelector("#later").shadowRoot.textContent === text, updated);
  await page.locator("#later-span").evaluate((e) => (e.dataset.amount = "10.00"));
  await page.waitForFunction(() => document.querySelector("#later-span").dataset.installmentState === "empty");
  assert.equal(log.requests.filter((url) => url.includes("/rules")).length, 1, "still one rules request");
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("a badge's \"learn more\" opens a modal dialog: plans, schedules, the merchant's legal lines; Escape closes it and focus returns", async () => {
  const { page, log } = await open("");
  const badge = page.locator("[data-installment-badge][data-installment-state=shown]").first();
  await settled(page, "[data-installment-badge]");
  const amount = await badge.getAttribute("data-amount");
  const button = badge.locator(".installment-badge__button");
  assert.equal(await button.getAttribute("aria-haspopup"), "dialog");
  assert.equal(await button.getAttribute("data-more"), "Подробнее", "\"learn more\", drawn after the sentence");
  await button.click();
  const dialog = badge.locator("dialog.installment-dialog[open]");
  await dialog.waitFor();
  assert.ok(await dialog.evaluate((d) => d.matches(":modal")), "a modal dialog");
  const offers = await (await fetch(`${baseUrl}api/v1/offers?amount=${amount}&currency=BYN`)).json();
  const providers = offers.providers.map((p) => p.display_name);
  assert.deepEqual(await dialog.locator("caption").allTextContents(), providers);
  const firstPlan = offers.providers[0].cards[0].plans[0];
  const row = await dialog.locator("tbody tr").first().textContent();
  assert.ok(row.includes(formatMoney(firstPlan.total, "BYN", "ru-BY")), row);
  // Each plan's schedule, and the legal lines the merchant configured for Karta Pokupok.
  assert.ok((await dialog.locator(".installment-details__schedule").count()) >= providers.length);
  const legal = await dialog.locator(".installment-details__legal").allTextContents();
  assert.deepEqual(legal, ["Кредитор: ОАО «Банк Дабрабыт». 1 200,00 Br на 12 месяцев: 0 %, итого 1 200,00 Br. При условии одобрения кредитором. Условия"]);
  assert.equal(await dialog.getByRole("link", { name: "Условия" }).getAttribute("href"), "https://example.by/terms");

  // Focus stays in the dialog: nothing behind it can take focus.
  await page.evaluate(() => {
    window.__outside = [];
    document.addEventListener("focusin", (event) => event.target.closest?.("[data-installment-badge]") || window.__outside.push(event.target.outerHTML.slice(0, 60)));
  });
  for (let i = 0; i < 12; i++) await page.keyboard.press("Tab");
  assert.deepEqual(await page.evaluate(() => window.__outside), []);
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await badge.evaluate((host) => host.shadowRoot.activeElement?.className), "installment-badge__button", "focus returns to the badge");
  await button.press("Enter");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Закрыть" }).click();
  await dialog.waitFor({ state: "detached" });
  assert.deepEqual(log.errors, []);
  await page.close();
});

// Lighthouse's two presets, a desktop and a phone (Moto G Power), and a phone narrow enough
// that every badge's sentence wraps.
const VIEWPORTS = { desktop: { width: 1350, height: 940 }, phone: { width: 412, height: 823 }, narrow: { width: 360, height: 740 } };

/**
 * Cumulative layout shift of `path` from navigation until every widget has drawn, in
 * `viewport`; `route` may serve the page (and `log` keeps its console warnings).
 */
async function layoutShift(path, viewport, { route, log } = {}) {
  const page = await browser.newPage({ viewport });
  if (log) page.on("console", (message) => message.type() === "warning" && log.push(message.text()));
  if (route) await route(page);
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(baseUrl + path);
  // The widgets in view have drawn (a long listing mounts the rest later, unseen).
  await page.waitForFunction(() => {
    const hosts = [...document.querySelectorAll("installment-badge, [data-installment-badge], installment-picker, [data-installment-picker]")];
    const inView = hosts.filter((host) => host.getBoundingClientRect().top < innerHeight);
    return inView.length > 0 && inView.every((host) => host.hasAttribute("data-installment-state"));
  }, null, { timeout: 20000 });
  // Two frames after the last widget drew, and a moment: its shift, if any, has been reported.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.waitForTimeout(500);
  const shift = await page.evaluate(() => window.__shift);
  await page.close();
  return shift;
}

test("no demo page moves when its widgets draw: CLS at most 0.005 at a desktop and two phone viewports", async () => {
  const listing2000 = demoListing((shelf) => shelf.repeat(10));
  const pages = {
    "": {}, "product.html": {}, "checkout.html": {}, "kz.html": {}, "tr.html": {}, "plain.html": {},
    "listing-2000.html": { route: (page) => servePage(page, "listing-2000.html", listing2000) },
  };
  const shifts = [];
  for (const [path, options] of Object.entries(pages)) {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const shift = await layoutShift(path, viewport, options);
      if (shift > 0.005) shifts.push(`/${path} (${name}): ${shift.toFixed(4)}`);
    }
  }
  assert.deepEqual(shifts, []);
});

test("a page whose stylesheet applies only after the embed has run (as WebKit may have it) still draws its widgets, with no warning", async () => {
  const plain = readFileSync(new URL("../../www/plain.html", import.meta.url), "utf8");
  const link = '<link rel="stylesheet" href="/widget/installment-widget.css">';
  assert.ok(plain.includes(link));
  // The link is added by a script, so it blocks no script, and it comes half a second late.
  const late = plain.replace(link, '<script src="/late-css.js"></script>');
  const { page, log } = await open("late-css.html", {
    route: async (page) => {
      await page.route(`${baseUrl}late-css.js`, (route) => route.fulfill({
        contentType: "text/javascript",
        body: 'const link = document.createElement("link"); link.rel = "stylesheet"; link.href = "/widget/installment-widget.css"; document.head.append(link);',
      }));
      await page.route(/installment-widget\.css$/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await route.continue();
      });
      await servePage(page, "late-css.html", late);
    },
  });
  const widgets = "installment-badge, [data-installment-badge], installment-picker, [data-installment-picker]";
  await settled(page, widgets);
  const states = await page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.getAttribute("data-installment-state")), widgets);
  assert.ok(states.length > 0 && !states.includes("failed"), states.join(", "));
  assert.deepEqual(log.warnings.filter((w) => w.startsWith("installment widget:")), []);
  await page.close();
});

test("a page that forgot the package stylesheet is told which link is missing, once, and is not moved: its widgets stay hidden", async () => {
  const plain = readFileSync(new URL("../../www/plain.html", import.meta.url), "utf8");
  const forgot = plain.replace(/\s*<!--[^>]*-->\s*<link rel="stylesheet" href="\/widget\/installment-widget.css">/, "");
  assert.notEqual(forgot, plain);
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const warnings = [];
    const shift = await layoutShift("forgot.html", viewport, { route: (page) => servePage(page, "forgot.html", forgot), log: warnings });
    assert.ok(shift <= 0.005, `cumulative layout shift ${shift.toFixed(4)} (${name})`);
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /<link rel="stylesheet" href="http:\/\/127\.0\.0\.1:\d+\/widget\/installment-widget\.css">/);
  }
  // The page still works, and its widgets are hidden with a state the shop's CSS can read.
  const { page } = await open("forgot.html", { route: (page) => servePage(page, "forgot.html", forgot) });
  await settled(page, "installment-badge, [data-installment-badge], installment-picker");
  const states = await page.evaluate(() => [...document.querySelectorAll("installment-badge, [data-installment-badge], installment-picker")]
    .map((host) => `${host.dataset.installmentState} ${host.shadowRoot === null} ${host.getBoundingClientRect().height}`));
  assert.ok(states.length >= 7 && states.every((state) => state === "failed true 0"), states.join(", "));
  await page.close();
});

/**
 * The bytes of the page's widget files that came over the network on a view of `path` in
 * `page` (a Chromium page whose context keeps its HTTP cache), by URL: the body bytes
 * Chromium received for each, 0 for one from the cache or answered 304.
 */
async function widgetDownloads(page, path) {
  const client = await page.context().newCDPSession(page);
  await client.send("Network.enable");
  const urls = new Map(); // requestId → URL
  const bytes = new Map(); // URL → body bytes received from the network
  client.on("Network.requestWillBeSent", ({ requestId, request }) => {
    if (new URL(request.url).pathname.startsWith("/widget/")) urls.set(requestId, request.url);
  });
  client.on("Network.dataReceived", ({ requestId, encodedDataLength }) => {
    const url = urls.get(requestId);
    if (url) bytes.set(url, (bytes.get(url) ?? 0) + encodedDataLength);
  });
  client.on("Network.responseReceived", ({ requestId, response }) => {
    const url = urls.get(requestId);
    if (url && !bytes.has(url)) bytes.set(url, 0);
  });
  await page.goto(baseUrl + path);
  await settled(page, "installment-badge, [data-installment-badge], installment-picker");
  await page.waitForTimeout(300);
  await client.detach();
  return bytes;
}

test("a repeat view downloads nothing of the widget: hashed files come from the cache, the entries are answered 304", async () => {
  const context = await browser.newContext();
  const first = await widgetDownloads(await context.newPage(), "");
  const downloaded = (views) => [...views].filter(([, n]) => n > 0).map(([url, n]) => `${new URL(url).pathname} ${n} B`);
  // The listing: the split build's main part, never the picker's or the dialog's part.
  assert.ok(downloaded(first).some((line) => /installment_embed_bg\.[0-9a-f]{10}\.wasm/.test(line)), downloaded(first).join("\n"));
  assert.ok(!downloaded(first).some((line) => /_split_|_chunk_/.test(line)), downloaded(first).join("\n"));
  // The product page after the listing: the picker's part (and code it shares with the
  // dialog's part) and nothing else is new.
  const product = await widgetDownloads(await context.newPage(), "product.html");
  const parts = downloaded(product).map((line) => line.replace(/\.[0-9a-f]{10}\./, ".<hash>.").replace(/_\d+\./, "_<n>.").replace(/ \d+ B$/, ""));
  assert.deepEqual(parts.filter((part) => part !== "/widget/installment_embed_chunk_<n>.<hash>.wasm"), ["/widget/installment_embed_split_picker.<hash>.wasm"]);
  const again = await widgetDownloads(await context.newPage(), "product.html");
  assert.ok(again.size >= 3, `the widget's files were asked for: ${[...again.keys()].join(", ")}`);
  assert.deepEqual(downloaded(again), []);
  await context.close();
});

test("on a page with a picker, the picker's part downloads beside the main part, not after it, and once", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const events = [];
  const at = () => performance.now();
  page.on("request", (request) => /installment_embed_split_picker/.test(request.url()) && events.push(["picker part asked", at()]));
  // The main part takes a second to come: long enough to tell "beside" from "after".
  await page.route(/installment_embed_bg\.[0-9a-f]{10}\.wasm/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    events.push(["main part answered", at()]);
    await route.continue();
  });
  await page.goto(baseUrl + "product.html");
  await settled(page, "installment-picker");
  assert.equal(await page.locator("installment-picker").getAttribute("data-installment-state"), "shown");
  assert.deepEqual(events.map(([what]) => what), ["picker part asked", "main part answered"]);
  await context.close();
});

/** A page with a cache of its own that records its warnings and uncaught errors. */
async function watched() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const warnings = [];
  const errors = [];
  page.on("console", (message) => message.type() === "warning" && warnings.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, warnings, errors };
}

test("a picker whose part of the build cannot be loaded says so in one line, with one warning; the badges on its page still draw, and the next view loads it", async () => {
  const { context, page, warnings, errors } = await watched();
  const pickerPart = /installment_embed_split_picker\.[0-9a-f]{10}\.wasm/;
  await page.route(pickerPart, (route) => route.abort("connectionfailed"));
  await page.goto(baseUrl + "product.html");
  await settled(page, "[data-installment-badge], installment-picker");
  const states = await page.evaluate(() => ({
    badge: document.querySelector("[data-installment-badge]").getAttribute("data-installment-state"),
    picker: document.querySelector("installment-picker").getAttribute("data-installment-state"),
    says: document.querySelector("installment-picker").shadowRoot.textContent,
  }));
  // As any picker that cannot work: one line in the page's language, in its reserved space.
  assert.deepEqual(states, { badge: "shown", picker: "failed", says: "Рассрочка сейчас недоступна." });
  assert.deepEqual(warnings.filter((w) => w.startsWith("installment widget:")), ["installment widget: a part of the widget could not be loaded"]);
  assert.deepEqual(errors, [], "no uncaught error: the wasm did not abort");
  // The network is back: the next view loads the part and shows the picker.
  await page.unroute(pickerPart);
  await page.reload();
  await settled(page, "installment-picker");
  assert.equal(await page.locator("installment-picker").getAttribute("data-installment-state"), "shown");
  await context.close();
});

test("the dialog's part of the build is fetched at the first “learn more”; when it cannot be, the badge stays with one warning, and the next press opens the dialog", async () => {
  const { context, page, warnings, errors } = await watched();
  const fetched = [];
  page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  const dialogPart = /installment_embed_split_details\.[0-9a-f]{10}\.wasm/;
  await page.route(dialogPart, (route) => route.abort("connectionfailed"));
  await page.goto(baseUrl);
  await settled(page, "[data-installment-badge]");
  assert.ok(!fetched.some((path) => dialogPart.test(path)), "not fetched before a press");
  const badge = page.locator("[data-installment-badge][data-installment-state=shown]").first();
  await badge.locator(".installment-badge__button").click();
  await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /split_details/.test(e.name)));
  await page.waitForTimeout(300);
  assert.deepEqual(warnings.filter((w) => w.startsWith("installment widget:")), ["installment widget: a part of the widget could not be loaded"]);
  assert.equal(await badge.evaluate((host) => host.shadowRoot.querySelector("dialog") === null && host.getAttribute("data-installment-state")), "shown");
  assert.deepEqual(errors, [], "no uncaught error: the wasm did not abort");
  await page.unroute(dialogPart);
  await badge.locator(".installment-badge__button").click();
  await page.waitForFunction((host) => host.shadowRoot.querySelector("dialog[open]") !== null, await badge.elementHandle());
  await context.close();
});

const axeSource = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/** axe-core's violations on the open page, shadow roots included, as "rule: target" lines. */
async function violations(page) {
  // Injected through the debugging protocol, so the page's strict CSP does not apply.
  await page.addScriptTag({ content: axeSource }).catch(() => page.evaluate(axeSource));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`));
}

test("every demo page passes axe-core, with a badge's details open and the picker narrowed", async () => {
  const pages = ["", "product.html", "checkout.html", "tr.html", "kz.html", "plain.html", "return.html"];
  const found = [];
  for (const path of pages) {
    const { page } = await open(path);
    await settled(page, "installment-badge, [data-installment-badge], installment-picker, [data-installment-picker]").catch(() => {});
    const badge = page.locator("installment-badge[data-installment-state=shown], [data-installment-badge][data-installment-state=shown]").first();
    if (await badge.count()) await badge.locator(".installment-badge__button").click();
    const card = page.locator("installment-picker .installment-picker__card input, [data-installment-picker] .installment-picker__card input").first();
    if (await card.count()) await card.fill("4111 11");
    await page.waitForTimeout(200);
    found.push(...(await violations(page)).map((line) => `/${path}: ${line}`));
    await page.close();
  }
  assert.deepEqual(found, []);
});
