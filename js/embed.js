// The script-tag embed: <script type="module" src="/widget/embed.js"></script>
// Defines <installment-badge> and <installment-picker>, and mounts a badge or a picker on
// every [data-installment-badge] and [data-installment-picker] element, now and later.
// A page without a picker loads the badge-only build; a picker brings the full one. A page
// that also imports the package root uses its build: one wasm instance per page.
import { elements } from "./elements.js";
import { packaged, shared } from "./asset.js";

// The glue module and its wasm are fetched side by side, not one after the other.
function start(glue, wasm) {
  const bytes = fetch(packaged(wasm));
  return glue.then(async (module) => {
    await module.default({ module_or_path: bytes });
    return module;
  });
}
let badgeBuild;
// Looked up once, when the first element mounts: not once per badge of a long listing.
let pickerOnPage;
function build(kind, begin = true) {
  pickerOnPage ??= document.querySelector("installment-picker, [data-installment-picker]") !== null;
  if (kind === "picker" || pickerOnPage || shared.full || shared.startFull) {
    if (!shared.full && begin) {
      shared.full = shared.startFull ? shared.startFull() : start(import("./installment_widget.js"), new URL("./installment_widget_bg.wasm", import.meta.url));
    }
    return shared.full;
  }
  // The first build a page loads serves its badges: one module, one rules request.
  if (!badgeBuild && begin) badgeBuild = start(import("./installment_badge.js"), new URL("./installment_badge_bg.wasm", import.meta.url));
  return badgeBuild;
}

// After this task's other modules ran: a package root imported beside the embed registers
// its build first.
queueMicrotask(() => elements(build).embed());
