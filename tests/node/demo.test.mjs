// The demo storefront in headless Chromium, through the real script tag, under a strict
// Content-Security-Policy: every badge reads exactly what the core computes.
// Served by the proxy in sandbox mode, as `scripts/demo` serves it. Needs pkg/
// (scripts/build-package), the proxy binary (cargo build -p installment-proxy) and Debian's
// chromium; run by scripts/test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { initSync, badgeText } from "../../pkg/installment_widget.js";

initSync({ module: readFileSync(new URL("../../pkg/installment_widget_bg.wasm", import.meta.url)) });

const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let server;
let browser;
let baseUrl;

before(async () => {
  const proxy = process.env.INSTALLMENT_PROXY ?? "target/debug/installment-proxy";
  server = spawn(proxy, ["--listen", "127.0.0.1:0"], { cwd: new URL("../..", import.meta.url) });
  baseUrl = await new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    server.on("error", reject);
    server.on("exit", (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_FLAGS,
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test("the script tag mounts every badge with the core's text, under a strict CSP", async () => {
  const page = await browser.newPage();
  const warnings = [];
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "warning") warnings.push(message.text());
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));

  const response = await page.goto(baseUrl);
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);

  const hosts = page.locator("[data-installment-badge]");
  const total = await hosts.count();
  assert.ok(total >= 10, `only ${total} badges on the demo page`);
  await page.waitForFunction(
    (count) => document.querySelectorAll("[data-installment-mounted]").length === count,
    total,
  );

  const pageLang = await page.evaluate(() => document.documentElement.lang);
  const badges = await hosts.evaluateAll((elements) =>
    elements.map((element) => ({
      amount: element.dataset.amount,
      currency: element.dataset.currency,
      terms: element.dataset.terms,
      provider: element.dataset.provider ?? null,
      locale: element.dataset.locale ?? null,
      hidden: element.hidden,
      text: element.textContent,
    })),
  );

  let shown = 0;
  for (const badge of badges) {
    if (badge.amount === "on request") {
      assert.equal(badge.hidden, true, "a badge with a bad amount hides itself");
      assert.equal(badge.text, "");
      continue;
    }
    const terms = badge.terms.split(",").map(Number);
    const expected = badgeText(badge.amount, badge.currency, terms, badge.locale ?? pageLang, badge.provider ?? undefined);
    assert.equal(badge.text, expected, `${badge.amount} ${badge.currency} ${badge.locale}`);
    assert.equal(badge.hidden, false);
    shown++;
  }
  assert.equal(shown, total - 1);

  // Spot-check the numbers themselves, not only agreement with the package.
  const texts = badges.map((b) => b.text).join("\n");
  assert.match(texts, /от 54,17\u00a0Br\/мес\. в рассрочку через Karta Pokupok/);
  assert.match(texts, /ад 1083,33\u00a0Br\/мес\. у растэрміноўку праз Karta Pokupok/);
  assert.match(texts, /aylık ₺2\.083,33 tutarından başlayan taksitler, Craftgate ile/);

  assert.equal(warnings.length, 1, `one warning for the one bad badge: ${warnings.join(" | ")}`);
  assert.match(warnings[0], /installment badge hidden: data-amount="on request"/);
  assert.deepEqual(errors, [], "no errors, no CSP violations");
  await page.close();
});
