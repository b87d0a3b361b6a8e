// The Leptos storefront example as a Leptos developer runs it: `trunk serve` (Trunk.toml at the
// top of the repository) with its [[proxy]] to the sandbox proxy on 127.0.0.1:8787, opened in
// headless Chromium. Needs trunk (scripts/setup) and the proxy binary; run by scripts/test.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { calculator } from "./calculator.mjs";

const { formatMoney } = calculator;

const repo = new URL("../..", import.meta.url).pathname;
const PROXY = "http://127.0.0.1:8787/"; // Trunk.toml's [[proxy]] backend
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const children = [];
let browser;
after(async () => {
  await browser?.close();
  for (const child of children) child.kill();
});

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

async function until(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test("trunk serve runs the Leptos storefront: badge, variants, shared rules, picker, checkout", { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "trunk-"));
  writeFileSync(join(dir, "proxy.toml"), `sandbox = true\ndatabase = "${join(dir, "applications.sqlite")}"\n`);
  const proxyBinary = process.env.INSTALLMENT_PROXY ?? `${repo}target/debug/installment-proxy`;
  children.push(spawn(proxyBinary, ["--config", join(dir, "proxy.toml"), "--listen", "127.0.0.1:8787"], { stdio: "ignore" }));
  const port = await freePort();
  const trunk = spawn("trunk", ["serve", "--release", "--offline", "--no-autoreload", "--port", String(port)], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
  children.push(trunk);
  await until(`${PROXY}healthz`, 30_000);
  const base = `http://127.0.0.1:${port}/`;
  await until(base, 300_000);

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  const page = await browser.newPage();
  const errors = [];
  const rules = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // Chromium's notice that it ignores the SRI hash trunk puts on the wasm's preload is not ours.
  const chromiumNotice = /`integrity` attribute is currently ignored for preload/;
  page.on("console", (message) => ["error", "warning"].includes(message.type()) && !chromiumNotice.test(message.text()) && errors.push(message.text()));
  page.on("request", (request) => request.url().includes("/api/v1/rules") && rules.push(request.url()));
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(base);

  const expected = async (amount) => {
    const offers = await (await fetch(`${PROXY}api/v1/offers?amount=${amount}&currency=BYN`)).json();
    return `от ${formatMoney(offers.from.monthly, "BYN", "ru-BY")}/мес. в рассрочку через ${offers.from.display_name}`;
  };
  const badge = page.locator("#product .installment-badge");
  await page.waitForFunction(() => document.querySelector("#product .installment-badge__amount"));
  assert.equal(await badge.textContent(), await expected("899.00"));
  // The Leptos components hold their space themselves, without a shadow root: nothing moved
  // while the badge and both pickers loaded.
  await page.waitForFunction(() => document.querySelectorAll(".installment-picker__plans").length === 2);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const shift = await page.evaluate(() => window.__shift);
  assert.ok(shift < 0.01, `cumulative layout shift ${shift}`);

  // A variant: the badge and the product's picker follow the price.
  await page.getByText("256 ГБ").click();
  const changed = await expected("1299.00");
  await page.waitForFunction((text) => document.querySelector("#product .installment-badge").textContent === text, changed);
  await page.waitForFunction(() => document.querySelector("#product .installment-picker")?.textContent.includes("433,00"));

  // The checkout's picker, narrowed by a Karta Pokupok card; the choice reaches the page.
  const checkout = page.locator("#checkout");
  await checkout.getByLabel("Первые цифры карты").fill("911210");
  await page.waitForFunction(() => document.querySelectorAll("#checkout .installment-picker__offer").length === 2);
  await checkout.locator('input[type="radio"][value="karta_pokupok:Karta Pokupok:6"]').check();
  assert.match(await page.locator("#chosen").textContent(), /^6 × 406\.42 BYN = 2438\.50 BYN$/);

  // One InstallmentProvider: one rules request for the badge and both pickers.
  assert.equal(rules.length, 1, rules.join("\n"));
  assert.deepEqual(errors, []);
});
