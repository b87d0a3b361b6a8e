// The storefront end to end in Chromium, Firefox and WebKit: each test is written once and run
// in every engine through WebDriver (tests/node/engines.mjs), against the real proxy in
// sandbox mode under its strict Content-Security-Policy, and a real HTTP server that fails
// the way a proxy can. Needs pkg/ (scripts/build-package) and the proxy binary
// (cargo build -p installment-proxy); run by scripts/test.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request as forward } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { By, Key } from "selenium-webdriver";
import { ENGINES, launch, missing } from "./engines.mjs";
import { expectedBadge, formatMoney, renderedByServer, repo, startSandbox } from "./sandbox.mjs";

// What each page recorded, read by the test: WebDriver has no console in every engine, so a
// classic script at the top of each page keeps warnings, errors (uncaught ones and CSP
// violations among them) and the widget's API requests. POSTs outlive the page, which
// navigates away once it has its answer.
const RECORDER = `(() => {
  const log = (window.__log = { warnings: [], errors: [], requests: [] });
  const warn = console.warn, error = console.error;
  console.warn = (...args) => { log.warnings.push(args.join(" ")); warn.apply(console, args); };
  console.error = (...args) => { log.errors.push(args.join(" ")); error.apply(console, args); };
  addEventListener("error", (event) => log.errors.push("uncaught: " + event.message));
  addEventListener("unhandledrejection", (event) => log.errors.push("unhandled: " + event.reason));
  document.addEventListener("securitypolicyviolation", (event) => log.errors.push("CSP: " + event.violatedDirective + " " + event.blockedURI));
  const fetch = window.fetch;
  window.fetch = (input, init) => {
    // A Request made from another takes its body: record a copy, send the original.
    const request = input instanceof Request && init === undefined ? input.clone() : new Request(input, init);
    log.requests.push(request.method + " " + request.url);
    if (request.method === "POST") request.clone().text().then((body) => sessionStorage.setItem("posted", body));
    return fetch.call(window, input, init);
  };
})();`;

/** The demo's pages, each with the recorder first in its <head>. */
function recordedSite() {
  const site = join(mkdtempSync(join(tmpdir(), "engines-")), "www");
  cpSync(`${repo}www`, site, { recursive: true });
  writeFileSync(join(site, "record.js"), RECORDER);
  for (const file of readdirSync(site).filter((name) => name.endsWith(".html"))) {
    const page = readFileSync(join(site, file), "utf8");
    writeFileSync(join(site, file), page.replace("<head>", '<head>\n  <script src="/record.js"></script>'));
  }
  return site;
}

// A proxy that fails: one page with both widgets, the widget's files, and an API that
// answers the way `failing.mode` says. Same origin, same strict CSP as the real proxy.
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const failing = { mode: "500", badge: "", picker: "" };
const FAILURE_PAGE = () => `<!doctype html><html lang="en-US"><head><meta charset="utf-8">
<script src="/record.js"></script>
<link rel="stylesheet" href="/widget/installment-widget.css">
<script type="module" src="/widget/embed.js"></script></head><body>
<installment-badge ${failing.badge}></installment-badge>
<span data-installment-badge ${failing.badge.replace(/(\w+)=/g, "data-$1=")}></span>
<installment-picker ${failing.picker}></installment-picker>
<button id="still-works" type="button">ok</button><output id="clicks">0</output>
<script src="/failure.js"></script></body></html>`;
const FAILURE_SCRIPT = 'document.getElementById("still-works").onclick = () => { const o = document.getElementById("clicks"); o.value = String(Number(o.value) + 1); };';
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".html": "text/html" };
const FAILURES = {
  unreachable: (request, response) => response.socket.destroy(),
  "slow (5 s)": (request, response) => setTimeout(() => response.writeHead(200, { "content-type": "application/json" }).end("{}"), 5000),
  500: (request, response) => response.writeHead(500, { "content-type": "application/json" }).end('{"code":"internal","message":"boom"}'),
  "malformed JSON": (request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"currency": "BYN", "providers": ['),
};
const brokenProxy = createServer((request, response) => {
  const path = new URL(request.url, "http://x").pathname;
  response.setHeader("content-security-policy", STRICT_CSP);
  if (path.startsWith("/api/")) return FAILURES[failing.mode](request, response);
  const body = { "/failure.html": FAILURE_PAGE, "/record.js": () => RECORDER, "/failure.js": () => FAILURE_SCRIPT }[path];
  if (body) return response.writeHead(200, { "content-type": TYPES[extname(path)] }).end(body());
  if (path.startsWith("/widget/") && !path.includes("..")) {
    try {
      return response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(`${repo}pkg/${path.slice(8)}`));
    } catch {
      // not one of the widget's files
    }
  }
  response.writeHead(404).end();
});

// Runs where the parser reaches it, at the end of the server-rendered listing, before any
// module script: what a shopper sees of each badge before the widget's script has run.
const BEFORE_SCRIPTS = `window.__beforeScripts = {
  defined: customElements.get("installment-badge") !== undefined,
  badges: [...document.querySelectorAll("[data-installment-badge]")].map((host) => ({
    text: host.shadowRoot?.textContent ?? null,
    height: host.getBoundingClientRect().height,
  })),
};`;

// In front of the sandbox proxy, passing every byte as it is: notes each widget response's
// status and how many body bytes crossed the wire, as a shopper's connection would carry them.
const wire = [];
const counting = createServer((request, response) => {
  const upstream = forward(new URL(request.url, sandbox.baseUrl), { method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode, answer.headers);
    let bytes = 0;
    answer.on("data", (chunk) => (bytes += chunk.length));
    answer.pipe(response);
    answer.on("end", () => request.url.startsWith("/widget/") && wire.push({ path: request.url, status: answer.statusCode, bytes }));
  });
  request.pipe(upstream);
});

let sandbox;
let brokenUrl;
let countingUrl;
before(async () => {
  const site = recordedSite();
  sandbox = await startSandbox(site);
  // The demo listing as a merchant's server renders it.
  const listing = await renderedByServer(sandbox.baseUrl, readFileSync(join(site, "index.html"), "utf8"));
  writeFileSync(join(site, "before-scripts.js"), BEFORE_SCRIPTS);
  writeFileSync(join(site, "server-rendered.html"), listing.replace("</body>", '<script src="/before-scripts.js"></script>\n</body>'));
  await new Promise((resolve) => brokenProxy.listen(0, "127.0.0.1", resolve));
  brokenUrl = `http://127.0.0.1:${brokenProxy.address().port}/`;
  await new Promise((resolve) => counting.listen(0, "127.0.0.1", resolve));
  countingUrl = `http://127.0.0.1:${counting.address().port}/`;
});
after(() => {
  sandbox?.stop();
  brokenProxy.close();
  brokenProxy.closeAllConnections();
  counting.close();
  counting.closeAllConnections();
});

// ENGINES=firefox,webkit runs those alone.
const chosen = process.env.ENGINES?.split(",");
for (const engine of ENGINES.filter((e) => !chosen || chosen.includes(e.name))) {
  const why = missing(engine);
  describe(engine.name, { skip: why && process.env.CI !== "true" ? why : false }, () => {
    let session;
    let driver;
    before(async () => {
      assert.equal(why, null, `${engine.name}: ${why}`);
      session = await launch(engine);
      driver = session.driver;
    });
    after(() => session?.stop());

    // In the page: `fn` (a function's source) called with `args`, its result back.
    const js = (fn, ...args) => driver.executeScript(`return (${fn}).apply(null, arguments)`, ...args);
    const waitFor = (fn, message, ...args) => driver.wait(() => js(fn, ...args), 15000, `${engine.name}: ${message}`);
    // WebKitWebDriver may return from a navigation while the page before is still the
    // document (seen after a form's submission to the same page): the old page is marked, and
    // the new one waited for, so no check reads the page a test left.
    // After a navigation across origins it has also been seen to answer a command from a page
    // no longer on screen: the new page must answer three times in a row, as the same page.
    const open = async (path, base = sandbox.baseUrl) => {
      await js(() => { window.__leaving = true; });
      await driver.get(base + path);
      let last;
      let same = 0;
      await driver.wait(async () => {
        const page = await js(() => (window.__leaving === true ? null : (window.__page ??= Math.random())));
        same = page !== null && page === last ? same + 1 : 0;
        last = page;
        if (same < 2) await driver.sleep(50);
        return same >= 2;
      }, 15000, `${engine.name}: the new document of /${path}, steadily`);
    };
    // At least one: a document still being parsed has none yet, and `every` of none is true.
    // A widget that drew has its shadow root (only one the page gave no space to fails without
    // one); WebKitWebDriver, right after a purchase took the tab to other origins and back, has
    // been seen to answer from a page that was not the one on screen.
    const settled = (selector) =>
      waitFor((s) => {
        const all = [...document.querySelectorAll(s)];
        const drawn = (e) => e.hasAttribute("data-installment-state") && (e.shadowRoot !== null || e.dataset.installmentState === "failed");
        return all.length > 0 && all.every(drawn);
      }, `every ${selector} drawn`, selector);
    const shadowText = (selector) => js((s) => document.querySelector(s).shadowRoot.textContent, selector);
    const inPicker = (selector, host = "installment-picker") => js((h, s) => document.querySelector(h).shadowRoot.querySelector(s), host, selector);
    const log = () => js(() => window.__log);
    const keys = (...sequence) => driver.actions().sendKeys(...sequence).perform();
    const badge = (amount, category) => expectedBadge(sandbox.baseUrl, amount, "BYN", "ru-BY", category);

    test("the listing's 200 badges equal the core's numbers, from one rules request, under a strict CSP", async () => {
      const headers = (await fetch(sandbox.baseUrl)).headers;
      assert.match(headers.get("content-security-policy"), /script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);
      await open("");
      const selector = "[data-installment-badge]";
      await settled(selector);
      const badges = await js((s) => [...document.querySelectorAll(s)].map((e) => ({ amount: e.dataset.amount, category: e.dataset.category, text: e.shadowRoot.textContent, state: e.dataset.installmentState })), selector);
      assert.equal(badges.length, 200);
      let empty = 0;
      for (const { amount, category, text, state } of badges) {
        const expected = await badge(amount, category);
        assert.equal(text, expected, `badge for ${amount} BYN`);
        assert.equal(state, expected ? "shown" : "empty");
        if (!expected) empty++;
      }
      // Some prices are under the providers' minimum or over their maximum, and a gift card
      // is in a category nobody finances: those show nothing at all.
      assert.ok(empty >= 10 && empty < 100, `${empty} ineligible products`);
      // The stylesheet applies inside the shadow roots: the strict CSP let it in.
      assert.equal(await js(() => getComputedStyle(document.querySelector("[data-installment-state=shown]").shadowRoot.querySelector(".installment-badge__button")).cursor), "pointer");
      const { requests, errors, warnings } = await log();
      assert.equal(requests.filter((r) => r.includes("/api/v1/rules")).length, 1, "one rules request for 200 badges");
      const fetched = await js(() => performance.getEntriesByType("resource").filter((r) => r.name.includes("/api/v1/rules")).length);
      assert.equal(fetched, 1, "one network request for the rules (no preload fetched twice)");
      assert.deepEqual(errors, [], "no errors, no CSP violations");
      assert.deepEqual(warnings, []);
    });

    test("a listing rendered by the server shows its badges before any script runs, and the embed takes each over", async () => {
      await open("server-rendered.html");
      const before = await js(() => window.__beforeScripts);
      assert.equal(before.defined, false, "the widget's script had not run");
      const selector = "[data-installment-badge]";
      await waitFor((s) => [...document.querySelectorAll(s)].every((host) => !host.shadowRoot.querySelector("[data-server], .installment-root--waiting")), "every badge taken over by the embed", selector);
      const after = await js((s) => [...document.querySelectorAll(s)].map((host) => ({
        amount: host.dataset.amount, category: host.dataset.category, state: host.dataset.installmentState,
        text: host.shadowRoot.textContent, roots: host.shadowRoot.querySelectorAll(".installment-root").length,
      })), selector);
      assert.equal(after.length, 200);
      for (const [i, { amount, category, state, text, roots }] of after.entries()) {
        const expected = await badge(amount, category);
        assert.equal(before.badges[i].text, expected, `the server's badge for ${amount} BYN`);
        assert.equal(text, expected, `the embed's badge for ${amount} BYN`);
        assert.equal(state, expected ? "shown" : "empty");
        assert.equal(roots, 1, "the embed's render alone");
        // Laid out with the page, so the embed's arrival shifts nothing.
        if (expected) assert.ok(before.badges[i].height > 0, `the server's badge for ${amount} BYN has its place`);
      }
      // The embed's badge is live: "learn more" opens the plans.
      await js((s) => document.querySelector(s).shadowRoot.querySelector("button").click(), "[data-installment-state=shown]");
      await waitFor(() => document.querySelector("[data-installment-state=shown]").shadowRoot.querySelector("dialog[open]"), "the dialog open");
      const { requests, errors, warnings } = await log();
      assert.equal(requests.filter((r) => r.includes("/api/v1/rules")).length, 1, "one rules request");
      assert.deepEqual(errors, [], "no errors, no CSP violations");
      assert.deepEqual(warnings, []);
    });

    test("a repeat view of the product page downloads no byte of the widget: its files are in the cache or answered 304", async () => {
      const widgetOn = async (path) => {
        wire.length = 0;
        await open(path, countingUrl);
        await settled("[data-installment-badge], installment-picker");
        return wire.map(({ path, status, bytes }) => `${path} ${status} ${bytes} B`);
      };
      const first = await widgetOn("product.html");
      // The split build: its main part and the picker's part. (WebKit's memory cache may
      // still hold them from an earlier test of this session, so there they may not show.)
      const parts = engine.name === "webkit" ? [] : [/installment_embed_bg\.[0-9a-f]{10}\.wasm 200 [1-9]/, /installment_embed_split_picker\.[0-9a-f]{10}\.wasm 200 [1-9]/];
      for (const part of [/^\/widget\/embed\.js 200 [1-9]/, ...parts]) assert.ok(first.some((line) => part.test(line)), first.join("\n"));
      const again = await widgetOn("product.html");
      // The hashed files are not asked for at all; the entry is, and is answered without a body.
      assert.ok(again.some((line) => line.startsWith("/widget/embed.js 304 0 B")), again.join("\n"));
      // MiniBrowser in automation runs an ephemeral session, which has no disk cache: what
      // WebKit keeps there is its memory cache, which does not hold a fetch()'s answer, so it
      // fetches the wasm parts again (Safari's disk cache keeps them; nothing the server
      // says changes that), and what its memory cache keeps of the modules varies from run to
      // run. There, any file but the entry may come again; the entry must still be answered 304.
      const uncached = engine.name === "webkit" ? [/^\/widget\/(?!embed\.js )\S+ 200 /] : [];
      assert.deepEqual(again.filter((line) => !/ 304 0 B$/.test(line) && !uncached.some((known) => known.test(line))), []);
    });

    test("a variant change updates the watched badge and the picker, even when the price element is replaced", async () => {
      await open("product.html");
      await settled("[data-installment-badge], installment-picker");
      assert.equal(await shadowText("[data-installment-badge]"), await badge("899.00"));
      const announced = await js(() => document.querySelector("installment-picker").shadowRoot.querySelector(".installment-picker__live").textContent);
      await driver.findElement(By.xpath('//*[normalize-space(text())="256 ГБ"]')).click();
      const expected = await badge("1299.00");
      await waitFor((text) => document.querySelector("[data-installment-badge]").shadowRoot.textContent === text, "the badge of 1299.00", expected);
      await waitFor(() => document.querySelector("installment-picker").shadowRoot.textContent.includes("433,00"), "the picker of 1299.00");
      assert.ok((await shadowText("installment-picker")).includes(`Итого ${formatMoney("1299.00", "BYN", "ru-BY")}`));
      // The new price is announced politely with the new smallest payment.
      const now = await js(() => document.querySelector("installment-picker").shadowRoot.querySelector(".installment-picker__live").textContent);
      assert.notEqual(now, announced);
      assert.match(now, /вариант.*от .*Br\/мес\./);
      await driver.findElement(By.xpath('//*[normalize-space(text())="512 ГБ"]')).click();
      await waitFor((text) => document.querySelector("[data-installment-badge]").shadowRoot.textContent === text, "the badge of 1749.90", await badge("1749.90"));
      assert.deepEqual((await log()).errors, []);
    });

    test("typing a BIN shows the scheme, narrows the picker to the card's family, never sends more than 8 digits, and the event carries the choice", async () => {
      await open("tr.html");
      await settled("installment-picker");
      const families = () => js(() => [...document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__offer legend")].map((l) => l.textContent));
      const all = await families();
      assert.ok(all.length >= 4, `every card family before typing: ${all}`);
      const field = await inPicker('input[inputmode="numeric"]');
      await field.sendKeys("54");
      await waitFor(() => document.querySelector("installment-picker").shadowRoot.querySelector(".installment-picker__scheme").textContent === "Mastercard", "the scheme of 54");
      assert.deepEqual(await families(), all, "no narrowing before 6 digits");
      // A whole card number typed: the field keeps the first 8 digits, nothing else exists.
      await field.clear();
      await field.sendKeys("5406 6712 3456 7890");
      assert.equal(await field.getAttribute("value"), "54066712");
      await waitFor(() => {
        const titles = [...document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__offer legend")];
        return titles.length > 0 && titles.every((h) => h.textContent.includes("Bonus"));
      }, "only Bonus plans");
      await js(() => { window.__chosen = null; document.addEventListener("installment-select", (e) => (window.__chosen = e.detail), { once: true }); });
      await (await js(() => document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__plan label")[1])).click();
      const detail = await driver.wait(() => js(() => window.__chosen), 5000, "the installment-select event");
      assert.deepEqual([detail.provider, detail.family, detail.currency], ["craftgate", "Bonus", "TRY"]);
      const offers = await (await fetch(`${sandbox.baseUrl}api/v1/offers?amount=42999.90&currency=TRY&bin=54066712`)).json();
      const plan = offers.providers[0].cards.find((c) => c.family === "Bonus").plans.find((p) => p.months === detail.months);
      assert.deepEqual([detail.monthly, detail.total], [plan.monthly, plan.total]);
      assert.equal(await js(() => document.querySelector('installment-picker input[type="hidden"][name="taksit"]').value), `craftgate:Bonus:${detail.months}`);
      // Every card is asked of the proxy, 8 digits at most.
      await field.clear();
      await field.sendKeys("411111119999");
      await waitFor(() => document.querySelector("installment-picker").shadowRoot.textContent.includes("Bu kart için taksit yok"), "no installments for 41111111");
      const { requests, errors } = await log();
      assert.ok(requests.some((r) => r.endsWith("/api/v1/bins/41111111")), requests.join("\n"));
      // The widget's own files are named by a hash of their content at build time, which may
      // hold nine digits in a row; nothing the shopper types reaches those names.
      const sent = (request) => request.replace(/\/widget\/[\w-]+\.[0-9a-f]{10}\.(js|wasm)$/, "/widget/<hashed>");
      for (const request of requests) assert.doesNotMatch(sent(request), /\d{9}/, `more than 8 digits left the page: ${request}`);
      assert.deepEqual(errors, []);
    });

    test("the picker works with the keyboard alone, and the merchant's form gets the choice", async () => {
      await open("checkout.html");
      await settled("installment-picker");
      await js(() => document.querySelector("installment-picker").shadowRoot.querySelector('input[inputmode="numeric"]').focus());
      await keys("911210");
      await waitFor(() => document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__offer").length === 2, "two offers for 911210");
      await keys(Key.TAB);
      assert.equal(await js(() => document.querySelector("installment-picker").shadowRoot.activeElement?.type), "radio");
      await keys(Key.SPACE);
      await keys(Key.ARROW_DOWN);
      const checked = await js(() => document.querySelector("installment-picker").shadowRoot.querySelector("input:checked")?.value);
      assert.equal(checked, "karta_pokupok:Karta Pokupok:6");
      assert.equal(await js(() => document.querySelector('input[type="hidden"][name="installment_plan"]').value), checked);
      assert.match(await js(() => document.querySelector("#chosen").textContent), /^6 × 406\.42 BYN = 2438\.50 BYN/);
      // Focus is visible: the stylesheet outlines a focused radio.
      assert.equal(await js(() => getComputedStyle(document.querySelector("installment-picker").shadowRoot.activeElement).outlineStyle), "solid");
      assert.deepEqual((await log()).errors, []);
      // The hidden input is the merchant's form's own: submitting sends the choice.
      await js(() => document.querySelector("#order").requestSubmit());
      await driver.wait(async () => /installment_plan=karta_pokupok%3AKarta\+Pokupok%3A6/.test(await driver.getCurrentUrl()), 10000, "the form's submission");
    });

    // The whole purchase: the picker creates the application from SKUs (never an amount), the
    // simulator's form takes the SMS code and posts its signed webhook, and the return page
    // polls until the status is final.
    for (const [provider, path, phone, code, status, words] of [
      ["karta_pokupok", "checkout.html", "+375 29 123-45-67", "1234", "approved", /^Оплачено/],
      ["kartapay", "checkout.html", "+375291234567", "5678", "approved", /^Оплачено/],
      ["freedompay", "kz.html", "+7 701 123 45 67", "0000", "failed", /^Не оплачено/],
    ]) {
      test(`a shopper buys through ${provider}: picker, the provider's SMS form, webhook, return page (${status})`, async () => {
        await open(path);
        await settled("installment-picker");
        assert.equal(await js(() => document.querySelector("installment-picker").shadowRoot.querySelector(".installment-picker__pay").disabled), true, "no plan chosen yet");
        const plan = await inPicker(`input[type="radio"][value^="${provider}:"]`);
        const months = Number((await plan.getAttribute("value")).split(":")[2]);
        await (await js((p) => document.querySelector("installment-picker").shadowRoot.querySelector(`input[type="radio"][value^="${p}:"]`).closest("label"), provider)).click();
        await waitFor((p) => document.querySelector("installment-picker").shadowRoot.querySelector("input:checked")?.value.startsWith(`${p}:`), `a ${provider} plan checked by the click`, provider);
        await (await inPicker('input[type="tel"]')).sendKeys(phone);
        // KartaPay's Payer requires an e-mail and names; the others ask for the phone only.
        const identity = { email: "alesia@example.by", "given-name": "Alesia", "family-name": "Kupala" };
        const asked = await js(() => [...document.querySelector("installment-picker").shadowRoot.querySelectorAll(".installment-picker__checkout input")].map((i) => i.autocomplete));
        assert.deepEqual(asked, provider === "kartapay" ? ["tel", ...Object.keys(identity)] : ["tel"]);
        if (provider === "kartapay") {
          for (const [kind, value] of Object.entries(identity)) await (await inPicker(`input[autocomplete="${kind}"]`)).sendKeys(value);
        }
        await (await inPicker(".installment-picker__pay")).click();
        await driver
          .wait(async () => new URL(await driver.getCurrentUrl()).origin !== new URL(sandbox.baseUrl).origin, 15000, "the provider's form")
          .catch(async (error) => {
            // What the page was doing instead, for a failure in CI.
            const state = await js(() => {
              const root = document.querySelector("installment-picker")?.shadowRoot;
              return { url: location.href, log: window.__log, checked: root?.querySelector("input:checked")?.value, phone: root?.querySelector('input[type="tel"]')?.value, text: root?.textContent.slice(-400) };
            }).catch(() => "page unreadable");
            throw new Error(`${error.message}: ${JSON.stringify(state)}`);
          });

        await driver.findElement(By.css('input[name="code"]')).sendKeys(code);
        await driver.findElement(By.xpath('//button[normalize-space()="Подтвердить"]')).click();
        await driver.wait(async () => /\/return\.html\?application=app_/.test(await driver.getCurrentUrl()), 15000, "the return page");
        await waitFor(() => document.getElementById("status").dataset.status !== "checking", "a final status");
        assert.equal(await js(() => document.getElementById("status").dataset.status), status);
        assert.match(await js(() => document.getElementById("status").textContent), words);
        // The order went as SKUs; the amount is the proxy's (recorded in this origin's tab).
        const sent = JSON.parse(await js(() => sessionStorage.getItem("posted")));
        assert.deepEqual([sent.provider, sent.months, "amount" in sent], [provider, months, false], JSON.stringify(sent));
        assert.deepEqual(
          [sent.customer.email, sent.customer.first_name, sent.customer.last_name],
          provider === "kartapay" ? ["alesia@example.by", "Alesia", "Kupala"] : [undefined, undefined, undefined],
        );
        assert.ok(sent.items.length > 0);
        const id = new URL(await driver.getCurrentUrl()).searchParams.get("application");
        const stored = await (await fetch(`${sandbox.baseUrl}api/v1/applications/${id}`)).json();
        assert.deepEqual([stored.provider, stored.status, stored.months], [provider, status, months]);
      });
    }

    // Every failure: badges hide, the picker says so in one line, one warning names the
    // cause, nothing uncaught, and the page keeps working.
    async function failure(mode, badgeAttributes, cause) {
      Object.assign(failing, { mode, badge: badgeAttributes, picker: badgeAttributes });
      await open("failure.html", brokenUrl);
      await settled("installment-badge, [data-installment-badge], installment-picker");
      for (const selector of ["installment-badge", "[data-installment-badge]"]) {
        assert.equal(await shadowText(selector), "", `${selector} hides`);
        assert.equal(await js((s) => document.querySelector(s).dataset.installmentState, selector), "failed");
      }
      assert.equal(await js(() => document.querySelector("installment-picker").shadowRoot.querySelector("[role=status]").textContent), "Installments are unavailable right now.");
      assert.equal(await js(() => document.querySelector("installment-picker").shadowRoot.querySelectorAll("*:not(.installment-root)").length), 1, "one line, nothing else");
      const { warnings, errors, requests } = await log();
      assert.equal(warnings.length, 1, `one warning: ${warnings.join(" | ")} (asked: ${requests.join(", ")})`);
      assert.match(warnings[0], cause);
      assert.deepEqual(errors, [], "nothing uncaught");
      await driver.findElement(By.id("still-works")).click();
      assert.equal(await js(() => document.getElementById("clicks").textContent), "1");
    }
    for (const [mode, cause] of [
      ["unreachable", /the proxy at \/api\/v1 is unreachable/],
      ["slow (5 s)", /did not answer within 4000 ms/],
      ["500", /answered HTTP 500: internal: boom/],
      ["malformed JSON", /answered malformed JSON/],
    ]) {
      test(`when the proxy is ${mode}, badges hide, the picker says so in one line, one warning`, () => failure(mode, `amount="299.90" currency="BYN"`, cause));
    }
    test('an amount of "abc" and a currency of "XXX" hide the widgets with one warning each', async () => {
      await failure("500", `amount="abc" currency="BYN"`, /amount.*"abc"/i);
      await failure("500", `amount="10.00" currency="XXX"`, /XXX/);
    });
  });
}
