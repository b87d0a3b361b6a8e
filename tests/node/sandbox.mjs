// The proxy binary in sandbox mode, as scripts/demo runs it, for the storefront's end-to-end
// tests: it serves the demo pages and the widget under its strict Content-Security-Policy.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { calculator } from "./calculator.mjs";

const { formatMoney } = calculator;

export const repo = new URL("../..", import.meta.url).pathname;

/**
 * Starts the proxy (with the rate limits lifted: a test asks it for 200 reference answers, and
 * each engine buys with the same phones)
 * serving `staticDir`; gives its base URL and `stop()`.
 */
export async function startSandbox(staticDir = `${repo}www`) {
  const dir = mkdtempSync(join(tmpdir(), "storefront-"));
  const config = join(dir, "proxy.toml");
  writeFileSync(config, `sandbox = true
database = "${join(dir, "applications.sqlite")}"
static_dir = "${staticDir}"
widget_dir = "${repo}pkg"
[rate_limit]
per_second = 100000
burst = 100000
# Every engine buys with the same phones from the same address (the default is 5 an hour).
[applications]
per_phone_per_hour = 1000
per_client_per_hour = 1000
[disclosures.karta_pokupok]
lender = "ОАО «Банк Дабрабыт»"
representative_example = "1 200,00 Br на 12 месяцев: 0 %, итого 1 200,00 Br."
terms_url = "https://example.by/terms"
`);
  const proxy = process.env.INSTALLMENT_PROXY ?? `${repo}target/debug/installment-proxy`;
  const server = spawn(proxy, ["--config", config, "--listen", "127.0.0.1:0"], { cwd: repo });
  const baseUrl = await new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    server.on("error", reject);
    server.on("exit", (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
  return { baseUrl, stop: () => server.kill() };
}

/** What the badge must say, from the proxy's own (native) computation of the cheapest plan. */
export async function expectedBadge(baseUrl, amount, currency, locale, category) {
  const query = new URLSearchParams({ amount, currency, ...(category ? { category } : {}) });
  const offers = await (await fetch(`${baseUrl}api/v1/offers?${query}`)).json();
  if (!offers.from) return "";
  return `от ${formatMoney(offers.from.monthly, currency, locale)}/мес. в рассрочку через ${offers.from.display_name}`;
}

export { formatMoney };

/**
 * The demo listing (www/index.html, 200 products) with its shelf of products replaced by
 * `shelves(shelf)`: `demoListing((shelf) => shelf.repeat(10))` is a listing of 2,000.
 */
export function demoListing(shelves = (shelf) => shelf) {
  const listing = readFileSync(`${repo}www/index.html`, "utf8");
  const shelf = /<div class="grid">([\s\S]*?)\n      <\/div>\n    <\/section>/.exec(listing)[1];
  return listing.replace(shelf, shelves(shelf));
}

const HOST = /<span data-installment-badge([^>]*)><\/span>/g;

/**
 * `html` with its first `first` empty `<span data-installment-badge …>` holding their badges as
 * the merchant's server renders them (examples/render_badges, from the proxy's rules): a
 * declarative shadow root the browser paints with the page, and the state the embed would
 * write. The rest stay for the embed to draw.
 */
export async function renderedByServer(baseUrl, html, { currency = "BYN", locale = "ru-BY", first = Infinity } = {}) {
  const rules = join(mkdtempSync(join(tmpdir(), "render-")), "rules.json");
  const answer = await fetch(`${baseUrl}api/v1/rules?currency=${currency}`);
  if (!answer.ok) throw new Error(`rules: ${answer.status}`);
  writeFileSync(rules, await answer.text());
  const attribute = (attributes, name) => new RegExp(`data-${name}="([^"]*)"`).exec(attributes)?.[1];
  const prices = [...html.matchAll(HOST)].slice(0, first).map(([, attributes]) =>
    JSON.stringify({ amount: attribute(attributes, "amount"), category: attribute(attributes, "category") }));
  const renderer = process.env.RENDER_BADGES ?? `${repo}target/debug/examples/render_badges`;
  const run = spawnSync(renderer, [rules, locale, "/widget/installment-widget.css"], { input: prices.join("\n"), encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`${renderer}: ${run.error ?? run.stderr}`);
  const badges = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(badges.length, prices.length, "a badge for each price");
  return html.replace(HOST, (host, attributes) => {
    if (badges.length === 0) return host;
    const { state, shadow_root } = badges.shift();
    return `<span data-installment-badge${attributes} data-installment-state="${state}">${shadow_root}</span>`;
  });
}
