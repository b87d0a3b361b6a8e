// The demo storefront end to end: headless Chromium (Debian's, through playwright-core)
// against the real proxy binary in sandbox mode, which serves www/ and pkg/ under a strict
// Content-Security-Policy. Needs pkg/ (scripts/build-package) and the proxy binary
// (cargo build -p installment-proxy); run by scripts/test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { initSync, formatMoney } from "../../pkg/installment_widget.js";

initSync({ module: readFileSync(new URL("../../pkg/installment_widget_bg.wasm", import.meta.url)) });

const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const repo = new URL("../..", import.meta.url).pathname;

let server;
let browser;
let baseUrl;

before(async () => {
  // Sandbox mode as scripts/demo runs it, with the rate limit lifted: the test itself asks
  // the proxy for 200 reference answers.
  const dir = mkdtempSync(join(tmpdir(), "storefront-"));
  const config = join(dir, "proxy.toml");
  writeFileSync(config, `sandbox = true
database = "${join(dir, "applications.sqlite")}"
static_dir = "${repo}www"
widget_dir = "${repo}pkg"
[rate_limit]
per_second = 100000
burst = 100000
[disclosures.karta_pokupok]
lender = "ОАО «Банк Дабрабыт»"
representative_example = "1 200,00 Br на 12 месяцев: 0 %, итого 1 200,00 Br."
terms_url = "https://example.by/terms"
`);
  const proxy = process.env.INSTALLMENT_PROXY ?? `${repo}target/debug/installment-proxy`;
  server = spawn(proxy, ["--config", config, "--listen", "127.0.0.1:0"], { cwd: repo });
  baseUrl = await new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    server.on("error", reject);
    server.on("exit", (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
});

after(async () => {
  await browser?.close();
  server?.kill();
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

const shadowText = (locator) => locator.evaluate((element) => element.shadowRoot.textContent);

/** What the badge must say, from the proxy's own (native) computation of the cheapest plan. */
async function expectedBadge(amount, currency, locale, category) {
  const query = new URLSearchParams({ amount, currency, ...(category ? { category } : {}) });
  const offers = await (await fetch(`${baseUrl}api/v1/offers?${query}`)).json();
  if (!offers.from) return "";
  return `от ${formatMoney(offers.from.monthly, currency, locale)}/мес. в рассрочку через ${offers.from.display_name}`;
}

test("the listing's 200 badges equal the core's numbers, from one rules request, under a strict CSP", async () => {
  const { page, log, response } = await open("");
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);
  const selector = "[data-installment-badge]";
  assert.equal(await page.locator(selector).count(), 200);
  await settled(page, selector);

  const badges = await page.locator(selector).evaluateAll((elements) =>
    elements.map((e) => ({ amount: e.dataset.amount, category: e.dataset.category, text: e.shadowRoot.textContent, state: e.dataset.installmentState })),
  );
  let empty = 0;
  for (const badge of badges) {
    const expected = await expectedBadge(badge.amount, "BYN", "ru-BY", badge.category);
    assert.equal(badge.text, expected, `badge for ${badge.amount} BYN`);
    assert.equal(badge.state, expected ? "shown" : "empty");
    if (!expected) empty++;
  }
  // Some prices are under the providers' minimum or over their maximum, and a gift card is
  // in a category nobody finances: those show nothing at all.
  assert.ok(empty >= 10 && empty < 100, `${empty} ineligible products`);
  assert.equal(badges.find((b) => b.category === "gift_cards").text, "");

  const rulesRequests = log.requests.filter((url) => url.includes("/api/v1/rules"));
  assert.equal(rulesRequests.length, 1, "one rules request for 200 badges");
  assert.deepEqual(log.errors, [], "no errors, no CSP violations");
  assert.deepEqual(log.warnings, []);
  await page.close();
});

test("a listing of 2,000 opened in its middle mounts the badges on screen first, and every other one after", async () => {
  // The demo's shelf ten times over, with an anchor halfway down.
  const listing = readFileSync(`${repo}www/index.html`, "utf8");
  const shelf = /<div class="grid">([\s\S]*?)\n      <\/div>\n    <\/section>/.exec(listing)[1];
  // The shopper is halfway down before the widget's module runs (a classic script runs as it
  // is parsed), as after a back navigation that restores the scroll position.
  const big = listing.replace(shelf, shelf.repeat(5) + '\n      <span id="middle"></span><script src="/middle.js"></script>' + shelf.repeat(5));
  const { page, log } = await open("listing-2000.html", {
    route: async (page) => {
      await page.route(`${baseUrl}middle.js`, (route) => route.fulfill({
        contentType: "text/javascript",
        body: 'document.getElementById("middle").scrollIntoView();',
      }));
      await page.route(`${baseUrl}listing-2000.html`, (route) => route.fulfill({
        contentType: "text/html",
        headers: { "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'" },
        body: big,
      }));
      await page.addInitScript(() => {
        window.mountOrder = [];
        new MutationObserver((records) => {
          for (const { target } of records) if (!window.mountOrder.includes(target)) window.mountOrder.push(target);
        }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-installment-state"] });
      });
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
      firstMounted: window.mountOrder.slice(0, onScreen.length).map(screensAway),
      mounted: window.mountOrder.length,
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

test("a variant change updates the watched badge and the picker, even when the price element is replaced", async () => {
  const { page, log } = await open("product.html");
  const badge = page.locator("[data-installment-badge]");
  const picker = page.locator("installment-picker");
  await settled(page, "[data-installment-badge], installment-picker");
  assert.equal(await shadowText(badge), await expectedBadge("899.00", "BYN", "ru-BY"));

  const live = picker.locator(".installment-picker__live");
  const announced = await live.textContent();
  await page.getByText("256 ГБ").click();
  const expected = await expectedBadge("1299.00", "BYN", "ru-BY");
  await page.waitForFunction((text) => document.querySelector("[data-installment-badge]").shadowRoot.textContent === text, expected);
  await page.waitForFunction(() => document.querySelector("installment-picker").shadowRoot.textContent.includes("433,00"));
  assert.ok((await shadowText(picker)).includes(`Итого ${formatMoney("1299.00", "BYN", "ru-BY")}`));
  // The new price is announced politely with the new smallest payment.
  const now = await live.textContent();
  assert.notEqual(now, announced);
  assert.match(now, /вариант.*от .*Br\/мес\./);

  await page.getByText("512 ГБ").click();
  const again = await expectedBadge("1749.90", "BYN", "ru-BY");
  await page.waitForFunction((text) => document.querySelector("[data-installment-badge]").shadowRoot.textContent === text, again);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("typing a BIN shows the scheme, narrows the picker to the card's family, never sends more than 8 digits, and the event carries the choice", async () => {
  const { page, log } = await open("tr.html");
  const picker = page.locator("installment-picker");
  await settled(page, "installment-picker");
  const families = () => picker.locator(".installment-picker__offer legend").allTextContents();
  const all = await families();
  assert.ok(all.length >= 4, `every card family before typing: ${all}`);

  const field = picker.getByLabel("Kartınızın ilk haneleri");
  await field.pressSequentially("54");
  await page.waitForFunction(() => document.querySelector("installment-picker").shadowRoot.querySelector(".installment-picker__scheme").textContent === "Mastercard");
  assert.deepEqual(await families(), all, "no narrowing before 6 digits");

  // A whole card number pasted: the field keeps the first 8 digits, nothing else exists.
  await field.fill("5406 6712 3456 7890");
  assert.equal(await field.inputValue(), "54066712");
  await page.waitForFunction(() => {
    const titles = [...document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__offer legend")];
    return titles.length > 0 && titles.every((h) => h.textContent.includes("Bonus"));
  });

  const chosen = page.evaluate(() => new Promise((resolve) => document.addEventListener("installment-select", (e) => resolve(e.detail), { once: true })));
  await picker.locator(".installment-picker__plan label").nth(1).click();
  const detail = await chosen;
  assert.equal(detail.provider, "craftgate");
  assert.equal(detail.family, "Bonus");
  assert.equal(detail.currency, "TRY");
  const offers = await (await fetch(`${baseUrl}api/v1/offers?amount=42999.90&currency=TRY&bin=54066712`)).json();
  const bonus = offers.providers[0].cards.find((c) => c.family === "Bonus");
  const plan = bonus.plans.find((p) => p.months === detail.months);
  assert.deepEqual([detail.monthly, detail.total], [plan.monthly, plan.total]);
  assert.equal(await page.locator('installment-picker input[type="hidden"][name="taksit"]').inputValue(), `craftgate:Bonus:${detail.months}`);

  // Every card is asked of the proxy, 8 digits at most.
  await field.fill("411111119999");
  await page.waitForFunction(() => document.querySelector("installment-picker").shadowRoot.textContent.includes("Bu kart için taksit yok"));
  assert.ok(log.requests.some((url) => url.endsWith("/api/v1/bins/41111111")), log.requests.join("\n"));
  for (const url of log.requests) assert.doesNotMatch(url, /\d{9}/, `more than 8 digits left the page: ${url}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("the picker works with the keyboard alone: plans grouped by provider, arrows, and the form gets the choice", async () => {
  const { page, log } = await open("checkout.html");
  await settled(page, "installment-picker");
  const picker = page.locator("installment-picker");
  // The card field is named by its label alone; the hint describes it.
  const field = picker.getByRole("textbox", { name: "Первые цифры карты", exact: true });
  assert.equal(await field.count(), 1);
  assert.equal(
    await field.evaluate((input) => input.getRootNode().getElementById(input.getAttribute("aria-describedby")).textContent),
    "Нужны только первые 6–8 цифр",
  );
  // Inputs' borders reach 3:1 against the picker's panel.
  const contrast = await field.evaluate((input) => {
    const rgb = (color) => color.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const luminance = (color) => {
      const [r, g, b] = rgb(color).map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const panel = getComputedStyle(input.closest(".installment-picker")).backgroundColor;
    const [a, b] = [luminance(getComputedStyle(input).borderTopColor), luminance(panel)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
  assert.ok(contrast >= 3, `input border contrast ${contrast.toFixed(2)}`);
  await field.focus();
  await page.keyboard.type("911210");
  await page.waitForFunction(() => document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__offer").length === 2);
  // Each provider's card is a group named after it, holding its plans.
  const group = picker.getByRole("group", { name: "Karta Pokupok · Karta Pokupok" });
  assert.ok((await group.getByRole("radio").count()) > 0);
  // The narrowing is announced politely: how many plans, from how much.
  assert.match(await picker.locator(".installment-picker__live").textContent(), /^\d+\u00a0вариант(а|ов)?[:,] (от )?\d/);
  await page.keyboard.press("Tab");
  const focused = () => page.evaluate(() => document.querySelector("installment-picker").shadowRoot.activeElement?.type);
  assert.equal(await focused(), "radio");
  await page.keyboard.press("Space");
  await page.keyboard.press("ArrowDown");
  const checked = await page.evaluate(() => document.querySelector("installment-picker").shadowRoot.querySelector("input:checked").value);
  assert.equal(checked, "karta_pokupok:Karta Pokupok:6");
  assert.equal(await page.locator('input[type="hidden"][name="installment_plan"]').inputValue(), checked);
  assert.match(await page.locator("#chosen").textContent(), /^6 × 406\.42 BYN = 2438\.50 BYN/);
  // Focus is visible: the stylesheet outlines a focused radio.
  const outline = await page.evaluate(() => getComputedStyle(document.querySelector("installment-picker").shadowRoot.activeElement).outlineStyle);
  assert.equal(outline, "solid");

  // The hidden input is the merchant's form's own: submitting sends the choice.
  await Promise.all([page.waitForURL(/installment_plan=karta_pokupok%3AKarta\+Pokupok%3A6/), page.locator("#order").evaluate((form) => form.requestSubmit())]);
  assert.deepEqual(log.errors, []);
  await page.close();
});

// Every failure: badges hide, the picker says so in one line, one warning names the cause,
// nothing uncaught, and the page keeps working.
const FAILURE_PAGE = (badge, picker) => `<!doctype html><html lang="en-US"><head><meta charset="utf-8">
<script type="module" src="/widget/embed.js"></script></head><body>
<installment-badge ${badge}></installment-badge>
<span data-installment-badge ${badge.replace(/(\w+)=/g, "data-$1=")}></span>
<installment-picker ${picker}></installment-picker>
<button id="still-works" type="button">ok</button><output id="clicks">0</output>
<script type="module" src="/failure.js"></script></body></html>`;

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const FAILURES = [
  ["unreachable", (route) => route.abort("connectionrefused"), /the proxy at \/api\/v1 is unreachable/],
  ["slow (5 s)", (route) => new Promise((resolve) => setTimeout(resolve, 5000)).then(() => route.fulfill({ status: 200, body: "{}" })).catch(() => {}), /did not answer within 4000 ms/],
  ["500", (route) => route.fulfill({ status: 500, contentType: "application/json", body: '{"code":"internal","message":"boom"}' }), /answered HTTP 500: internal: boom/],
  ["malformed JSON", (route) => route.fulfill({ status: 200, contentType: "application/json", body: '{"currency": "BYN", "providers": [' }), /answered malformed JSON/],
];

for (const [name, answer, cause] of FAILURES) {
  test(`when the proxy is ${name}, badges hide, the picker says so in one line, one warning`, async () => {
    await failure(`amount="299.90" currency="BYN"`, `amount="299.90" currency="BYN"`, async (page) => page.route("**/api/v1/**", answer), cause);
  });
}

test('an amount of "abc" and a currency of "XXX" hide the widgets with one warning each', async () => {
  await failure(`amount="abc" currency="BYN"`, `amount="abc" currency="BYN"`, null, /amount.*"abc"/i);
  await failure(`amount="10.00" currency="XXX"`, `amount="10.00" currency="XXX"`, null, /XXX/);
});

async function failure(badge, picker, route, cause) {
  const { page, log } = await open("failure.html", {
    route: async (page) => {
      await page.route("**/failure.html", (r) => r.fulfill({ contentType: "text/html", headers: { "content-security-policy": STRICT_CSP }, body: FAILURE_PAGE(badge, picker) }));
      await page.route("**/failure.js", (r) => r.fulfill({ contentType: "text/javascript", body: 'document.getElementById("still-works").onclick = () => { const o = document.getElementById("clicks"); o.value = String(Number(o.value) + 1); };' }));
      if (route) await route(page);
    },
  });
  await settled(page, "installment-badge, [data-installment-badge], installment-picker");
  for (const selector of ["installment-badge", "[data-installment-badge]"]) {
    assert.equal(await shadowText(page.locator(selector)), "", `${selector} hides`);
    assert.equal(await page.locator(selector).getAttribute("data-installment-state"), "failed");
  }
  const line = page.locator("installment-picker").getByRole("status");
  assert.equal(await line.textContent(), "Installments are unavailable right now.");
  assert.equal(await page.locator("installment-picker").evaluate((e) => e.shadowRoot.querySelectorAll("*:not(.installment-root)").length), 1, "one line, nothing else (beside the display: contents mount point)");
  assert.equal(log.warnings.length, 1, `one warning: ${log.warnings.join(" | ")}`);
  assert.match(log.warnings[0], cause);
  assert.deepEqual(log.errors.filter((e) => !e.startsWith("Failed to load resource")), [], "nothing uncaught");
  await page.click("#still-works");
  assert.equal(await page.locator("#clicks").textContent(), "1");
  await page.close();
}

// The whole purchase in the browser: the picker creates the application from SKUs (never an
// amount), the simulator's form takes the SMS code and posts its signed webhook, and the
// return page polls until the status is final.
const PURCHASES = [
  // provider, page, label of the phone field, SMS code, final status, words on the return page
  ["karta_pokupok", "checkout.html", "Телефон для SMS-кода", "+375 29 123-45-67", "1234", "approved", /^Оплачено/],
  ["kartapay", "checkout.html", "Телефон для SMS-кода", "+375291234567", "5678", "approved", /^Оплачено/],
  ["freedompay", "kz.html", "SMS-код үшін телефон", "+7 701 123 45 67", "0000", "failed", /^Не оплачено/],
];

for (const [provider, path, phoneLabel, phone, code, status, words] of PURCHASES) {
  test(`a shopper buys in installments through ${provider}: picker, SMS form, webhook, return page (${status})`, async () => {
    const { page, log } = await open(path);
    const posted = [];
    page.on("request", (request) => request.method() === "POST" && request.url().endsWith("/api/v1/applications") && posted.push(request.postDataJSON()));
    await settled(page, "installment-picker");
    const picker = page.locator("installment-picker");
    const pay = picker.locator(".installment-picker__pay");
    assert.equal(await pay.isDisabled(), true, "no plan chosen yet");
    const plan = picker.locator(`input[type="radio"][value^="${provider}:"]`).first();
    const months = Number((await plan.getAttribute("value")).split(":")[2]);
    await plan.check();
    await picker.getByLabel(phoneLabel).fill(phone);
    await Promise.all([page.waitForURL(/\/(form|pay)\b|\/pay\.html/, { timeout: 15000 }), pay.click()]).catch((error) => {
      throw new Error(`${error.message}\nwarnings: ${log.warnings.join(" | ")}`);
    });

    // The order went as SKUs; the amount is the proxy's.
    assert.equal(posted.length, 1);
    assert.equal(posted[0].provider, provider);
    assert.equal(posted[0].months, months);
    assert.equal("amount" in posted[0], false, JSON.stringify(posted[0]));
    assert.ok(posted[0].items.length > 0);

    // The provider's form (the simulator, on its own origin).
    assert.notEqual(new URL(page.url()).origin, new URL(baseUrl).origin);
    await page.locator('input[name="code"]').fill(code);
    await Promise.all([page.waitForURL(/\/return\.html\?application=app_/), page.getByRole("button", { name: "Подтвердить" }).click()]);

    const line = page.locator("#status");
    await page.waitForFunction(() => document.getElementById("status").dataset.status !== "checking", null, { timeout: 15000 });
    assert.equal(await line.getAttribute("data-status"), status);
    assert.match(await line.textContent(), words);
    const id = new URL(page.url()).searchParams.get("application");
    const stored = await (await fetch(`${baseUrl}api/v1/applications/${id}`)).json();
    assert.deepEqual([stored.provider, stored.status, stored.months], [provider, status, months]);
    assert.deepEqual(log.errors.filter((e) => !e.startsWith("Failed to load resource")), []);
    await page.close();
  });
}

/** Cumulative layout shift of `path` from navigation until every widget has drawn, at `width`. */
async function layoutShift(path, width) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(baseUrl + path);
  await settled(page, "installment-badge, [data-installment-badge], installment-picker");
  // Two frames after the last widget drew: its shift, if any, has been reported.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.waitForTimeout(300);
  const shift = await page.evaluate(() => window.__shift);
  await page.close();
  return shift;
}

test("six badges and a picker on a plain page shift nothing, wide or narrow enough to wrap", async () => {
  for (const width of [1280, 360]) {
    const shift = await layoutShift("plain.html", width);
    assert.ok(shift < 0.01, `cumulative layout shift ${shift.toFixed(4)} at ${width}px`);
  }
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
