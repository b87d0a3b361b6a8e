// Drives scripts/lighthouse-report: Lighthouse (from npm) against the installed Chromium, on
// the demo pages the release proxy serves in sandbox mode, under the mobile and desktop
// presets. Per page and preset it prints the four category scores, CLS, LCP and TBT (medians
// of the runs), and what the widget's files weighed on the wire on a first view and on a
// repeat view with the browser's cache. A report: nothing here passes or fails.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const repo = new URL("../..", import.meta.url).pathname;
process.env.INSTALLMENT_PROXY ??= `${repo}target/server/installment-proxy`;
const { demoListing, startSandbox } = await import("../../tests/node/sandbox.mjs");

const runs = Number(process.argv[2] ?? 1);
const site = join(mkdtempSync(join(tmpdir(), "lighthouse-")), "www");
cpSync(`${repo}www`, site, { recursive: true });
writeFileSync(join(site, "listing-2000.html"), demoListing((shelf) => shelf.repeat(10)));
const sandbox = await startSandbox(site);
const PAGES = ["", "product.html", "checkout.html", "kz.html", "tr.html", "plain.html", "listing-2000.html"];
const PRESETS = { mobile: undefined, desktop: desktopConfig };

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** One Lighthouse run; `repeat` keeps the cache the run before it filled. */
async function audit(url, config, repeat) {
  const flags = { port: chrome.port, output: "json", logLevel: "error", disableStorageReset: repeat };
  const { lhr } = await lighthouse(url, flags, config);
  const widgetBytes = lhr.audits["network-requests"].details.items
    .filter((item) => new URL(item.url).pathname.startsWith("/widget/"))
    .reduce((sum, item) => sum + (item.transferSize ?? 0), 0);
  const score = (category) => Math.round((lhr.categories[category].score ?? 0) * 100);
  return {
    performance: score("performance"), accessibility: score("accessibility"),
    "best-practices": score("best-practices"), seo: score("seo"),
    cls: lhr.audits["cumulative-layout-shift"].numericValue,
    lcp: lhr.audits["largest-contentful-paint"].numericValue,
    tbt: lhr.audits["total-blocking-time"].numericValue,
    widgetBytes,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const version = JSON.parse(readFileSync(`${repo}node_modules/lighthouse/package.json`, "utf8")).version;
console.log(`Lighthouse ${version}, medians of ${runs} run(s) a cell; the widget's bytes as transferred (brotli).\n`);
console.log("| page | preset | perf | a11y | best pr. | SEO | CLS | LCP | TBT | widget, first view | widget, repeat view |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const path of PAGES) {
  for (const [preset, config] of Object.entries(PRESETS)) {
    const first = [];
    const repeat = [];
    for (let i = 0; i < runs; i++) {
      first.push(await audit(sandbox.baseUrl + path, config, false));
      repeat.push(await audit(sandbox.baseUrl + path, config, true));
    }
    const m = (field, of = first) => median(of.map((r) => r[field]));
    console.log(`| /${path} | ${preset} | ${m("performance")} | ${m("accessibility")} | ${m("best-practices")} | ${m("seo")} | ` +
      `${m("cls").toFixed(3)} | ${Math.round(m("lcp"))} ms | ${Math.round(m("tbt"))} ms | ${kb(m("widgetBytes"))} | ${kb(m("widgetBytes", repeat))} |`);
  }
}
await chrome.kill();
sandbox.stop();
