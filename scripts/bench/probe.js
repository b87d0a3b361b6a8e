// Measures a listing as a shopper meets it: when the badges on the first screen have drawn
// (and the frame after painted), when every badge has, and the main thread's long tasks
// (over 50 ms) until then: the longest, the longest once the first screen was drawn, and the
// total blocking time (the sum of each long task's time past 50 ms).
//
// A classic script at the top of <head>: it watches from before the first badge can draw, so
// a widget that draws while the page is still being parsed is measured when it draws, not
// when the page has finished loading.
(() => {
  const paintedAt = new Map(); // host → when the frame after it drew had painted
  const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()))));
  const tasks = [];
  new PerformanceObserver((list) => tasks.push(...list.getEntries())).observe({ type: "longtask", buffered: true });
  let finish = () => {};
  // Counted as they are drawn, not by looking at every host each time: the probe must not be
  // what makes a long listing's tasks long.
  new MutationObserver((records) => {
    const drawn = records.map((record) => record.target).filter((host) => !paintedAt.has(host));
    if (drawn.length === 0) return;
    const frame = painted();
    for (const host of drawn) paintedAt.set(host, frame);
    finish();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-installment-state"] });

  addEventListener("DOMContentLoaded", async () => {
    const hosts = [...document.querySelectorAll("[data-installment-badge]")];
    // Which are on the first screen, as an IntersectionObserver sees them: asking each host
    // for its box would lay out the whole page once per host where `content-visibility`
    // skips some.
    const onScreen = await new Promise((resolve) => {
      const observer = new IntersectionObserver((entries) => {
        observer.disconnect();
        resolve(entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target));
      });
      for (const host of hosts) observer.observe(host);
    });
    await new Promise((resolve) => {
      finish = () => paintedAt.size >= hosts.length && resolve();
      finish();
    });
    const last = async (list) => Math.max(...(await Promise.all(list.map((host) => paintedAt.get(host)))));
    const [first, all] = [await last(onScreen), await last(hosts)];
    // Long tasks are reported after they end: give the last one a moment to arrive.
    setTimeout(() => {
      const within = tasks.filter((t) => t.startTime < all);
      const longest = (list) => Math.max(0, ...list.map((t) => t.duration));
      const navigation = performance.getEntriesByType("navigation")[0];
      window.benchDone = {
        contentfulPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0,
        parsed: navigation.domInteractive,
        wasmArrived: performance.getEntriesByType("resource").find((r) => r.name.endsWith("_bg.wasm"))?.responseEnd ?? 0,
        firstScreen: first,
        all,
        onScreen: onScreen.length,
        badges: hosts.length,
        longest: longest(within),
        longestAfterFirst: longest(within.filter((t) => t.startTime + t.duration > first)),
        blocking: within.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0),
      };
    }, 100);
  });
})();
