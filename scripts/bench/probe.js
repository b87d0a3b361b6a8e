// Marks when every badge of the listing has drawn and the frame after it has painted.
const hosts = [...document.querySelectorAll("[data-installment-badge]")];
const done = () => hosts.every((h) => h.hasAttribute("data-installment-state"));
new MutationObserver((_, observer) => {
  if (!done()) return;
  observer.disconnect();
  requestAnimationFrame(() => setTimeout(() => (window.benchDone = performance.now())));
}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-installment-state"] });
