// The script-tag embed: <script type="module" src="/widget/embed.js"></script>
// Defines <installment-badge> and <installment-picker>, and mounts a badge or a picker on
// every [data-installment-badge] and [data-installment-picker] element, now and later.
// The script tag's build is split by what a page needs: its main part draws badges, and the
// first picker of a page loads the picker's part. A page that also imports the package root
// uses that build instead: one wasm instance per page.
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
let splitBuild;
function build(_kind, begin = true) {
  if (shared.full || shared.startFull) {
    if (!shared.full && begin) shared.full = shared.startFull();
    return shared.full;
  }
  if (!splitBuild && begin) splitBuild = start(import("./installment_embed.js"), new URL("./installment_embed_bg.wasm", import.meta.url));
  return splitBuild;
}

// A page that shows a picker from the start needs the picker's part of the build as surely as
// the main part: it is fetched now, beside the main part, and the build's loader takes this
// response when the picker asks for its part (a response is read once, so it is handed over
// once).
function fetchPickerPart() {
  if (!document.querySelector("installment-picker, [data-installment-picker]")) return;
  const url = packaged(new URL("./split_picker.wasm", import.meta.url));
  const response = fetch(url);
  response.catch(() => {}); // the loader reports a failure, when it asks
  (shared.early ??= new Map()).set(url.href, response);
}

// After this task's other modules ran: a package root imported beside the embed registers
// its build first.
queueMicrotask(() => {
  if (!shared.full && !shared.startFull) fetchPickerPart();
  elements(build).embed();
});
