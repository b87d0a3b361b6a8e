// The npm package as a merchant gets it: `npm pack` of pkg/, installed into a small Vite app
// (tests/vite-app) with vite@7, TypeScript and React 19's types. The app type-checks, builds,
// and runs under `vite build` (served by the proxy in sandbox mode) and under Vite's dev
// server (dependencies pre-bundled by optimizeDeps); the package root works in Node 20 and its
// .d.ts declares exactly what it exports.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const repo = new URL("../..", import.meta.url).pathname;
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const children = [];
let browser;
let dir;
let tarball;

/** Starts `command` and resolves with the first http://127.0.0.1:port/ (or localhost) it prints. */
function serve(command, args, options) {
  const child = spawn(command, args, options);
  children.push(child);
  return new Promise((resolve, reject) => {
    const look = (chunk) => {
      const match = /http:\/\/(127\.0\.0\.1|localhost):\d+\//.exec(String(chunk).replace(/\x1b\[[0-9;]*m/g, ""));
      if (match) resolve(match[0]);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => reject(new Error(`${command} exited with ${code}`)));
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "vite-app-"));
  cpSync(join(repo, "tests/vite-app"), dir, { recursive: true });
  execFileSync("npm", ["pack", join(repo, "pkg"), "--pack-destination", dir, "--silent"], { stdio: "inherit" });
  tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
  assert.ok(tarball, "npm pack made a tarball");
  const npm = ["--no-audit", "--no-fund", "--loglevel=error"];
  execFileSync("npm", ["install", ...npm, `./${tarball}`, "vite@7", "typescript@5", "@types/react@19"], { cwd: dir, stdio: "inherit" });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
}, { timeout: 300_000 });

after(async () => {
  await browser?.close();
  for (const child of children) child.kill();
});

test("the tarball carries the README and the licenses", () => {
  const files = execFileSync("tar", ["tzf", join(dir, tarball)], { encoding: "utf8" }).split("\n");
  for (const file of ["package/README.md", "package/LICENSE-MIT", "package/LICENSE-APACHE"]) {
    assert.ok(files.includes(file), `${file} in ${files.join(" ")}`);
  }
});

test("in Node 20 the package root's init() and initSync work", () => {
  const script = `
    import { init, initSync, split } from "installment-widget";
    await init();
    console.log(JSON.stringify(split("100.00", "BYN", 3)), typeof initSync);`;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
  assert.equal(output.trim(), '["33.34","33.33","33.33"] function');
  const sync = `
    import { readFileSync } from "node:fs";
    import { createRequire } from "node:module";
    import { initSync, formatMoney } from "installment-widget";
    const wasm = createRequire(import.meta.url).resolve("installment-widget/installment_widget_bg.wasm");
    initSync(readFileSync(wasm));
    console.log(formatMoney("1299.90", "BYN", "ru-BY"));`;
  const formatted = execFileSync(process.execPath, ["--input-type=module", "-e", sync], { cwd: dir, encoding: "utf8" });
  assert.equal(formatted.trim(), "1\u00a0299,90\u00a0Br");
});

test("the .d.ts declares exactly the values the module exports, in Node and in browsers", async () => {
  const ts = createRequire(join(dir, "package.json"))("typescript");
  const declarations = join(dir, "node_modules/installment-widget/widget.d.ts");
  const program = ts.createProgram([declarations], { strict: true, noEmit: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: [] });
  const checker = program.getTypeChecker();
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(declarations)));
  const isValue = (symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return (target.flags & ts.SymbolFlags.Value) !== 0;
  };
  const declared = exported.filter(isValue).map((symbol) => symbol.name).sort();
  for (const entry of ["widget.node.js", "widget.js"]) {
    const runtime = Object.keys(await import(join(dir, "node_modules/installment-widget", entry))).sort();
    assert.deepEqual(declared, runtime, entry);
  }
});

test("TSX: the custom elements type-check with React 19's types, and a misspelt attribute does not", () => {
  const tsc = join(dir, "node_modules/.bin/tsc");
  execFileSync(tsc, ["-p", "tsconfig.tsx.json"], { cwd: dir, stdio: "inherit" });
  const wrong = spawnSync(tsc, ["--jsx", "react-jsx", "--strict", "--noEmit", "--moduleResolution", "bundler", "--module", "esnext", "--target", "es2022", "--lib", "es2022,esnext.disposable,dom", "tsx/wrong.tsx"], { cwd: dir, encoding: "utf8" });
  assert.notEqual(wrong.status, 0, "a misspelt attribute must not type-check");
  assert.match(wrong.stdout, /amout/);
  assert.equal(wrong.stdout.match(/error TS/g).length, 1, `fails for the attribute alone: ${wrong.stdout}`);
});

/** The app in Chromium at `url`: one wasm instance, a badge, the embed's badge, a picker. */
async function checkApp(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.addInitScript(() => {
    window.__instances = 0;
    for (const name of ["instantiate", "instantiateStreaming"]) {
      const original = WebAssembly[name];
      WebAssembly[name] = (...args) => original(...args).then((result) => {
        window.__instances++;
        return result;
      });
    }
  });
  await page.goto(url);
  await page.waitForFunction(() => document.title === "33.34 + 33.33 + 33.33", null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector("installment-badge")?.dataset.installmentState === "shown");
  await page.waitForFunction(() => document.querySelector("[data-installment-badge]")?.dataset.installmentState === "shown");
  assert.match(await page.locator("installment-badge").evaluate((e) => e.shadowRoot.textContent), /^from BYN\u00a0\d+\.\d\d\/month in installments via /);
  await page.waitForFunction(() => document.querySelector("installment-picker")?.dataset.installmentState === "shown");
  await page.locator("installment-picker .installment-picker__plan label").first().click();
  assert.match(await page.locator("#choice").textContent(), /^karta_pokupok 3 299\.90$/);
  assert.equal(await page.evaluate(() => window.__instances), 1, "the package root and the embed share one wasm instance");
  assert.deepEqual(errors, []);
  await page.close();
}

/** The page with the embed alone at `url`: its split build draws the badge, then loads the
 * picker's part and draws the picker, with no error. */
async function checkEmbedAlone(url) {
  const page = await browser.newPage();
  const errors = [];
  const wasm = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("response", (response) => response.url().endsWith(".wasm") && wasm.push(`${new URL(response.url()).pathname.replace(/^.*\//, "")} ${response.status()}`));
  await page.goto(`${url}embed.html`);
  await page.waitForFunction(() => document.querySelector("[data-installment-badge]")?.dataset.installmentState === "shown", null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector("installment-picker")?.dataset.installmentState === "shown");
  assert.ok(wasm.some((line) => /split_picker.* 200$/.test(line)), `the picker's part was fetched: ${wasm.join(", ")}`);
  assert.deepEqual(errors, []);
  await page.close();
}

test("vite build: the app builds and renders through the proxy", { timeout: 300_000 }, async () => {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: dir, stdio: "inherit" });
  const assets = readdirSync(join(dir, "dist/assets"));
  assert.ok(assets.some((name) => name.endsWith(".wasm")), `the wasm is an asset of the build: ${assets}`);
  writeFileSync(join(dir, "proxy.toml"), `sandbox = true\nstatic_dir = "${join(dir, "dist")}"\n`);
  const proxy = process.env.INSTALLMENT_PROXY ?? `${repo}target/debug/installment-proxy`;
  const proxyUrl = await serve(proxy, ["--config", join(dir, "proxy.toml"), "--listen", "127.0.0.1:0"]);
  await checkApp(proxyUrl);
  await checkEmbedAlone(proxyUrl);

  // Vite's dev server, dependencies pre-bundled into node_modules/.vite/deps, with no
  // configuration for the package; the API through the dev server's proxy.
  const devUrl = await serve(join(dir, "node_modules/.bin/vite"), ["--host", "127.0.0.1", "--port", "0", "--strictPort=false"], {
    cwd: dir,
    env: { ...process.env, INSTALLMENT_PROXY_URL: proxyUrl.replace(/\/$/, "") },
  });
  await checkApp(devUrl);
  await checkEmbedAlone(devUrl);
});
