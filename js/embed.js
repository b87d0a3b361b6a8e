// The script-tag embed: <script type="module" src="/widget/embed.js"></script>
// Defines <installment-badge> and <installment-picker>, and mounts a badge or a picker on
// every [data-installment-badge] and [data-installment-picker] element, now and later.
// A page without a picker loads the badge-only build; a picker brings the full one.
import { elements } from "./elements.js";

const builds = {};
const imports = { badge: () => import("./installment_badge.js"), full: () => import("./installment_widget.js") };
function build(name, begin) {
  if (!builds[name] && begin) {
    builds[name] = imports[name]().then(async (module) => {
      await module.default();
      return module;
    });
  }
  return builds[name];
}
const pickerOnPage = document.querySelector("installment-picker, [data-installment-picker]") !== null;
// The first build a page loads serves its badges: one module, one rules request.
const load = (kind, begin = true) =>
  kind === "picker" || pickerOnPage ? build("full", begin) : build("badge", begin);

elements(load).embed();
