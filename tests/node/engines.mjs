// The three browser engines the storefront is tested in, each through its own WebDriver
// server and the W3C protocol (selenium-webdriver as the client): Chromium (chromedriver),
// Firefox ESR (geckodriver) and WebKitGTK's MiniBrowser (WebKitWebDriver). All from Debian's
// packages and crates.io, installed by scripts/setup; nothing is downloaded here.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { Capabilities, WebDriver } from "selenium-webdriver";
import { Executor, HttpClient } from "selenium-webdriver/http/index.js";

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const onPath = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
const geckodriver = () => process.env.GECKODRIVER ?? (onPath("geckodriver") || `${homedir()}/.cargo/bin/geckodriver`);

/** Each engine: its driver, the capabilities that start its browser headless, its version. */
export const ENGINES = [
  {
    name: "chromium",
    driver: () => process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver",
    capabilities: {
      browserName: "chrome",
      "goog:chromeOptions": {
        binary: process.env.CHROMIUM ?? "/usr/bin/chromium",
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      },
    },
    version: () => run(process.env.CHROMIUM ?? "/usr/bin/chromium", "--version"),
  },
  {
    name: "firefox",
    driver: geckodriver,
    capabilities: {
      browserName: "firefox",
      "moz:firefoxOptions": { binary: "/usr/bin/firefox-esr", args: ["-headless"] },
    },
    version: () => run("/usr/bin/firefox-esr", "--version"),
  },
  {
    name: "webkit",
    driver: () => "/usr/bin/WebKitWebDriver",
    // MiniBrowser draws into a display even when it has no window to show: an Xvfb of ours.
    display: true,
    capabilities: {
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
    },
    version: () => `WebKitGTK ${run("dpkg-query", "-W", "-f=${Version}", "libwebkit2gtk-4.1-0")}`,
  },
];

function run(command, ...args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return (result.stdout || result.stderr || "").trim();
}

/** Why `engine` cannot run here, or null when its browser and driver are installed. */
export function missing(engine) {
  const binary = engine.capabilities["goog:chromeOptions"]?.binary ?? engine.capabilities["moz:firefoxOptions"]?.binary ?? MINIBROWSER;
  for (const file of [binary, engine.driver()]) if (!existsSync(file)) return `${file} is not installed (scripts/setup installs it)`;
  if (engine.display && !process.env.DISPLAY && !onPath("Xvfb")) return "Xvfb is not installed (scripts/setup installs it)";
  return null;
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });

/** Starts an Xvfb on a display it picks itself, and gives that display and a stop. */
async function startDisplay() {
  const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  const display = await new Promise((resolve, reject) => {
    xvfb.stdio[3].once("data", (chunk) => resolve(`:${String(chunk).trim()}`));
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  return { display, stop: () => xvfb.kill() };
}

/**
 * Starts `engine`'s driver and a browser session. Gives the selenium `driver` and `stop()`,
 * which ends the session, the driver and any display started for it.
 */
export async function launch(engine) {
  const stops = [];
  const env = { ...process.env };
  if (engine.display && !env.DISPLAY) {
    const { display, stop } = await startDisplay();
    env.DISPLAY = display;
    stops.push(stop);
  }
  const port = await freePort();
  const server = spawn(engine.driver(), [`--port=${port}`], { env, stdio: "ignore" });
  stops.push(() => server.kill());
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch (error) {
      if (tries > 100) throw new Error(`${engine.name}'s driver did not start: ${error.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A plain W3C session: selenium's Builder insists on a browser it knows by name.
  const driver = await WebDriver.createSession(new Executor(new HttpClient(url)), new Capabilities(engine.capabilities));
  await driver.manage().setTimeouts({ script: 20000, pageLoad: 20000 });
  // One window size in every engine (MiniBrowser opens at 1024 × 768), so a page lays out alike.
  await driver.manage().window().setRect({ width: 1280, height: 900 });
  return {
    driver,
    async stop() {
      await driver.quit().catch(() => {});
      for (const stop of stops.reverse()) stop();
    },
  };
}
