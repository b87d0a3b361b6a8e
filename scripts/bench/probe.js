// Measures a listing as a shopper meets it: when the badges on the first screen have drawn
// (and the frame after painted), when every badge has, and the main thread's long tasks
// (over 50 ms) until then: the longest, the longest once the first screen was drawn, and the
// total blocking time (the sum of each long task's time past 50 ms).
const hosts = [...document.querySelectorAll("[data-installment-badge]")];
// Which are on the first screen, as an IntersectionObserver sees them: asking each host for
// its box would lay out the whole page once per host where `content-visibility` skips some.
const onScreen = await new Promise((resolve) => {
  const observer = new IntersectionObserver((entries) => {
    observer.disconnect();
    resolve(entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target));
  });
  for (const host of hosts) observer.observe(host);
});
const tasks = [];
new PerformanceObserver((list) => tasks.push(...list.getEntries())).observe({ type: "longtask", buffered: true });
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()))));
// Counted as they are drawn, not by looking at every host each time: the probe must not be
// what makes a long listing's tasks long.
const drawn = new Set();
const isOnScreen = new Set(onScreen);
// Some may have drawn while the observer answered.
let onScreenLeft = onScreen.filter((host) => !host.hasAttribute("data-installment-state")).length;
for (const host of hosts) if (host.hasAttribute("data-installment-state")) drawn.add(host);
let firstScreen;
new MutationObserver((records, observer) => {
  for (const { target } of records) {
    if (drawn.has(target)) continue;
    drawn.add(target);
    if (isOnScreen.has(target)) onScreenLeft--;
  }
  if (firstScreen === undefined && onScreenLeft === 0) firstScreen = painted();
  if (drawn.size < hosts.length) return;
  observer.disconnect();
  Promise.all([firstScreen, painted()]).then(([first, all]) => {
    // Long tasks are reported after they end: give the last one a moment to arrive.
    setTimeout(() => {
      const within = tasks.filter((t) => t.startTime < all);
      const longest = (list) => Math.max(0, ...list.map((t) => t.duration));
      window.benchDone = {
        contentfulPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0,
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
}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-installment-state"] });
