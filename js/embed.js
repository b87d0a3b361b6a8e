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

// After this task's other modules ran: a package root imported beside the embed registers
// its build first.
queueMicrotask(() => elements(build).embed());
