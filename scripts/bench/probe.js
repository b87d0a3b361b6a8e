// Measures a listing as a shopper meets it: when the badges on the first screen have drawn
// (and the frame after painted), when every badge has, and the main thread's long tasks
// (over 50 ms) until then: the longest, the longest while the rest mount (those that start
// once the page is parsed and end after the first screen is drawn), the one that ends the
// parse, and the
// total blocking time (the sum of each long task's time past 50 ms).
//
// A classic script at the top of <head>: it watches from before the first badge can draw, so
// a widget that draws while the page is still being parsed is measured when it draws, not
// when the page has finished loading.
//
// On a page the server rendered (`data-server-rendered` on this script), a badge the server
// drew is drawn when the parser puts it in and its shadow root's stylesheet has loaded, and
// is live once the embed has taken it over (its own render has drawn and written the state
// again); the others are drawn by the embed, as on any page.
(() => {
  const serverRendered = document.currentScript.hasAttribute("data-server-rendered");
  const paintedAt = new Map(); // host → when the frame after it drew had painted
  const takenOverAt = new Map(); // server-drawn host → when the embed's render replaced it
  const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()))));
  // A server-rendered badge is drawn with its styles: the shadow root's link has loaded.
  const styled = (host) =>
    new Promise(function check(resolve) {
      if (!host.shadowRoot) return requestAnimationFrame(() => check(resolve)); // still being parsed
      const link = host.shadowRoot.querySelector("link");
      if (!link || link.sheet) return resolve();
      link.addEventListener("load", resolve, { once: true });
    });
  const tasks = [];
  new PerformanceObserver((list) => tasks.push(...list.getEntries())).observe({ type: "longtask", buffered: true });
  let finish = () => {};
  // Counted as they are drawn, not by looking at every host each time: the probe must not be
  // what makes a long listing's tasks long.
  new MutationObserver((records) => {
    const drawn = records.map((record) => record.target);
    const frame = painted();
    for (const host of drawn) {
      // The server drew it already: the state written again is the embed taking it over.
      const times = drawnByServer.has(host) ? takenOverAt : paintedAt;
      if (!times.has(host)) times.set(host, frame);
    }
    finish();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-installment-state"] });
  const drawnByServer = new WeakSet();
  let serverDrawn = 0;
  if (serverRendered) {
    // Looked for once a frame while the page is parsed: a MutationObserver of every node the
    // parser inserts made the parser's own tasks longer on a long listing.
    const endOfFrame = () => new Promise((resolve) => setTimeout(() => resolve(performance.now())));
    // Drawn in this frame when whole and its stylesheet is there, else in the frame after.
    const drawnAt = (host, frame) => {
      const link = host.shadowRoot?.querySelector("link");
      return host.shadowRoot && (!link || link.sheet) ? frame : styled(host).then(painted);
    };
    const look = () => {
      const frame = endOfFrame();
      for (const host of document.querySelectorAll("[data-installment-state]")) {
        if (drawnByServer.has(host) || paintedAt.has(host)) continue;
        drawnByServer.add(host);
        serverDrawn++;
        paintedAt.set(host, drawnAt(host, frame));
      }
      finish();
      if (document.readyState === "loading") requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
    addEventListener("DOMContentLoaded", look);
  }

  addEventListener("DOMContentLoaded", async () => {
    const hosts = [...document.querySelectorAll("[data-installment-badge]")];
    // Which are on the first screen, as an IntersectionObserver sees them: asking each host
    // for its box would lay out the whole page once per host where `content-visibility`
    // skips some. Only the first hundred are looked at: the bench's pages open at their top,
    // and an observer of all 2,000 cost the frame 10 to 25 ms that counted against the widget.
    const onScreen = await new Promise((resolve) => {
      const observer = new IntersectionObserver((entries) => {
        observer.disconnect();
        resolve(entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target));
      });
      for (const host of hosts.slice(0, 100)) observer.observe(host);
    });
    await new Promise((resolve) => {
      finish = () => paintedAt.size >= hosts.length && takenOverAt.size >= serverDrawn && resolve();
      finish();
    });
    const last = async (list, times) => Math.max(...(await Promise.all(list.map((host) => times.get(host)))));
    const live = new Map(hosts.map((host) => [host, takenOverAt.get(host) ?? paintedAt.get(host)]));
    const [drawn, all] = [await last(onScreen, paintedAt), await last(hosts, live)];
    // Long tasks are reported after they end: give the last one a moment to arrive.
    setTimeout(() => {
      const contentfulPaint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
      // Nothing is on screen before the page's first paint, whenever the frame's work ended.
      const first = Math.max(drawn, contentfulPaint);
      const within = tasks.filter((t) => t.startTime < all);
      const longest = (list) => Math.max(0, ...list.map((t) => t.duration));
      const navigation = performance.getEntriesByType("navigation")[0];
      window.benchDone = {
        contentfulPaint,
        parsed: navigation.domInteractive,
        wasmArrived: performance.getEntriesByType("resource").find((r) => r.name.endsWith("_bg.wasm"))?.responseEnd ?? 0,
        firstScreen: first,
        all,
        onScreen: onScreen.length,
        badges: hosts.length,
        longest: longest(within),
        // While the rest mount: the tasks that start once the page is parsed and end after the
        // first screen is drawn. The task that ends the parse started as the parser's: the
        // browser's own parsing of the merchant's HTML is not the widget's to shorten, and the
        // embed's module, run at its end, only defines the elements there. It is given apart.
        longestWhileRestMount: longest(within.filter((t) => t.startTime >= navigation.domInteractive && t.startTime + t.duration > first)),
        endingTheParse: longest(within.filter((t) => t.startTime < navigation.domInteractive && t.startTime + t.duration > navigation.domInteractive)),
        blocking: within.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0),
      };
    }, 100);
  });
})();
