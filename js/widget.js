// The npm package: the custom elements and the calculator, one wasm build with both.
import load, { initSync as loadSync } from "./installment_widget.js";
import * as wasm from "./installment_widget.js";
import { elements } from "./elements.js";
import { packaged, shared } from "./asset.js";

/**
 * Loads the wasm once per page, however many copies of the package ask; every other function
 * waits for it by itself. `input` is where the wasm is, or its bytes (default: beside this file).
 */
export function init(input) {
  shared.full ??= load(input ?? { module_or_path: packaged(new URL("./installment_widget_bg.wasm", import.meta.url)) }).then(() => wasm);
  return shared.full;
}
/** Loads the wasm from its bytes (a `BufferSource` or `WebAssembly.Module`), synchronously. */
export function initSync(module) {
  loadSync({ module });
  shared.full ??= Promise.resolve(wasm);
  return wasm;
}
// The script-tag embed on the same page uses this build rather than loading its own.
shared.startFull ??= init;

// `load(kind, start = true)`: the module, loading it unless asked only whether it is there.
export const { defineElements, embed, mountAll, mount, unmount, update } = elements((_kind, begin = true) => (begin ? init() : shared.full));
export { split, quote, detectCard, formatMoney, parsePrice, checkAmount, labels, Rules, Offers } from "./installment_widget.js";
