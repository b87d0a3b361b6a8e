// Drives scripts/bench-browser: the release proxy in sandbox mode (started as the storefront
// tests start it) serves the demo's files and the bench's pages from one folder, with its own
// strict CSP and real API, as a shop's server would; nothing is intercepted in the browser,
// which would slow what it serves.
import { cpSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const repo = new URL("../..", import.meta.url).pathname;
process.env.INSTALLMENT_PROXY ??= `${repo}target/server/installment-proxy`;
const { demoListing, renderedByServer, startSandbox } = await import("../../tests/node/sandbox.mjs");

const runs = Number(process.argv[2] ?? 15);
const site = join(mkdtempSync(join(tmpdir(), "bench-")), "www");
cpSync(`${repo}www`, site, { recursive: true });
for (const file of ["probe.js", "baseline.js", "quotes.js"]) cpSync(`${repo}scripts/bench/${file}`, join(site, "bench", file));
cpSync(`${repo}node_modules/dinero.js/build/esm/dinero.js`, join(site, "bench/dinero.js"));
const sandbox = await startSandbox(site);
const base = sandbox.baseUrl;

// The demo's 200 products, and the same shelf ten times over: a listing of 2,000.
const listing = demoListing();
const bigListing = demoListing((shelf) => shelf.repeat(10));
// The badges a merchant's server renders into a listing: the first products', which any
// screen shows first (each costs the parser a stylesheet link); the embed draws the rest.
const SERVER_RENDERED = 24;
// The probe watches from the top of <head>, before anything can draw; on a page the server
// rendered it also times the badges the parser puts in.
const probed = (page, serverRendered = false) =>
  page.replace("<head>", `<head>\n  <script src="/bench/probe.js"${serverRendered ? " data-server-rendered" : ""}></script>`);
const pages = {
  widget: probed(listing),
  "widget-2000": probed(bigListing),
  server: probed(await renderedByServer(base, listing, { first: SERVER_RENDERED }), true),
  "server-2000": probed(await renderedByServer(base, bigListing, { first: SERVER_RENDERED }), true),
  baseline: listing.replace(/<script type="module"( async)? src="\/widget\/embed.js"><\/script>/, '<script type="module" src="/bench/baseline.js"></script>'),
  quotes: '<!doctype html><meta charset="utf-8"><script type="module" src="/bench/quotes.js"></script>',
};
for (const [name, html] of Object.entries(pages)) writeFileSync(join(site, `bench/page-${name}.html`), html);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function open(name) {
  const context = await browser.newContext(); // a cold cache each run, as a first visit
  const page = await context.newPage();
  await page.goto(`${base}bench/page-${name}.html`);
  return { page, context };
}

async function paint(name) {
  const { page, context } = await open(name);
  await page.waitForFunction(() => window.benchDone, null, { timeout: 60000 });
  const done = await page.evaluate(() => window.benchDone);
  await context.close();
  return done;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { widget: [], "widget-2000": [], server: [], "server-2000": [], baseline: [] };
for (let i = 0; i < runs; i++) for (const name of Object.keys(results)) results[name].push(await paint(name));
const of = (name, field) => median(results[name].map((r) => (typeof r === "number" ? r : r[field])));
const widget = of("widget", "all");
const baseline = of("baseline");
console.log(`200 badges of the listing, navigation start to painted, median of ${runs} cold loads:`);
console.log(`  naive JS (seed's calculateInstallments + innerHTML): ${baseline.toFixed(1)} ms`);
console.log(`  installment-widget (wasm, shadow DOM):                ${widget.toFixed(1)} ms`);
console.log(`  ratio widget / baseline: ${(widget / baseline).toFixed(2)}× (goal: at most 1.5×)`);
console.log(`\nListings of 200 and 2,000 products, medians of ${runs} cold loads (ms from navigation start):`);
console.log("| Products | Badges drawn by | HTML | Page's first paint | Page parsed | Wasm arrived | Badges on the first screen | First screen of badges painted | All painted (server: all taken over) | Longest task | Task that ends the parse | Longest task while the rest mount | Loads with one | Total blocking time |");
console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const [name, count, by] of [["widget", 200, "the embed"], ["widget-2000", 2000, "the embed"], ["server", 200, `the server (first ${SERVER_RENDERED})`], ["server-2000", 2000, `the server (first ${SERVER_RENDERED})`]]) {
  const cell = (field) => of(name, field).toFixed(0);
  const kb = `${Math.round(Buffer.byteLength(pages[name]) / 1000)} KB`;
  console.log(`| ${count.toLocaleString("en")} | ${by} | ${kb} | ${cell("contentfulPaint")} | ${cell("parsed")} | ${cell("wasmArrived")} | ${results[name][0].onScreen} | ${cell("firstScreen")} | ${cell("all")} | ${cell("longest")} | ${cell("endingTheParse")} | ${cell("longestWhileRestMount")} | ${results[name].filter((r) => r.longestWhileRestMount > 0).length} of ${runs} | ${cell("blocking")} |`);
}

const { page, context } = await open("quotes");
await page.waitForFunction(() => window.benchResult, null, { timeout: 60000 });
const result = await page.evaluate(() => window.benchResult);
await context.close();
console.log("\nSplits into 3, 6, 12 and 24 installments, 2 s each, in the same page:");
for (const r of result) console.log(`  ${r.name.padEnd(28)} ${r.perSecond.toLocaleString("en-US").padStart(12)} quotes/s`);
console.log(`  ratio wasm / dinero.js: ${(result[0].perSecond / result[1].perSecond).toFixed(2)}× (goal: faster)`);
await browser.close();
sandbox.stop();
