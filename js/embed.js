// The script-tag embed: <script type="module" src="/widget/embed.js"></script>
// Defines <installment-badge> and <installment-picker>, and mounts a badge or a picker on
// every [data-installment-badge] and [data-installment-picker] element, now and later.
// A page without a picker loads the badge-only build; a picker brings the full one.
import { elements } from "./elements.js";

// The glue module and its wasm are fetched side by side, not one after the other.
const builds = {};
const imports = {
  badge: () => [import("./installment_badge.js"), fetch(new URL("./installment_badge_bg.wasm", import.meta.url))],
  full: () => [import("./installment_widget.js"), fetch(new URL("./installment_widget_bg.wasm", import.meta.url))],
};
function build(name, begin) {
  if (!builds[name] && begin) {
    const [module, wasm] = imports[name]();
    builds[name] = module.then(async (glue) => {
      await glue.default({ module_or_path: wasm });
      return glue;
    });
  }
  return builds[name];
}
const pickerOnPage = document.querySelector("installment-picker, [data-installment-picker]") !== null;
// The first build a page loads serves its badges: one module, one rules request.
const load = (kind, begin = true) =>
  kind === "picker" || pickerOnPage ? build("full", begin) : build("badge", begin);

elements(load).embed();
