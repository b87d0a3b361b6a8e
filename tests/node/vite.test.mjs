// The npm package as a merchant gets it: `npm pack` of pkg/, installed into a small Vite app
// (tests/vite-app) with vite@7 and TypeScript, type-checked, built, and served by the proxy
// in sandbox mode; headless Chromium must then show a badge and a working picker.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const repo = new URL("../..", import.meta.url).pathname;
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
let server;
let browser;
after(async () => {
  await browser?.close();
  server?.kill();
});

test("a Vite app installs the packed tarball, type-checks, builds, and renders a badge and a picker", { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "vite-app-"));
  cpSync(join(repo, "tests/vite-app"), dir, { recursive: true });
  execFileSync("npm", ["pack", join(repo, "pkg"), "--pack-destination", dir, "--silent"], { stdio: "inherit" });
  const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
  assert.ok(tarball, "npm pack made a tarball");
  const npm = ["--no-audit", "--no-fund", "--loglevel=error"];
  execFileSync("npm", ["install", ...npm, `./${tarball}`, "vite@7", "typescript@5"], { cwd: dir, stdio: "inherit" });
  execFileSync("npm", ["run", "build", "--silent"], { cwd: dir, stdio: "inherit" });
  const assets = readdirSync(join(dir, "dist/assets"));
  assert.ok(assets.some((name) => name.endsWith(".wasm")), `the wasm is an asset of the build: ${assets}`);

  writeFileSync(join(dir, "proxy.toml"), `sandbox = true\nstatic_dir = "${join(dir, "dist")}"\n`);
  const proxy = process.env.INSTALLMENT_PROXY ?? `${repo}target/debug/installment-proxy`;
  server = spawn(proxy, ["--config", join(dir, "proxy.toml"), "--listen", "127.0.0.1:0"]);
  const baseUrl = await new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    server.on("exit", (code) => reject(new Error(`the proxy exited with ${code}`)));
  });

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.goto(baseUrl);
  await page.waitForFunction(() => document.title === "33.34 + 33.33 + 33.33");
  await page.waitForFunction(() => document.querySelector("installment-badge")?.dataset.installmentState === "shown");
  assert.match(await page.locator("installment-badge").evaluate((e) => e.shadowRoot.textContent), /^from BYN\u00a0\d+\.\d\d\/month in installments via /);
  await page.waitForFunction(() => document.querySelector("installment-picker")?.dataset.installmentState === "shown");
  await page.locator("installment-picker .installment-picker__plan label").first().click();
  assert.match(await page.locator("#choice").textContent(), /^karta_pokupok 3 299\.90$/);
  assert.deepEqual(errors, []);
});
