// The npm package: the custom elements and the calculator, one wasm build with both.
import init, * as wasm from "./installment_widget.js";
import { elements } from "./elements.js";

let loading;
/** Loads the wasm (once); every other function waits for it by itself. */
export const start = () => (loading ??= init().then(() => wasm));
// `load(kind, start = true)`: the module, loading it unless asked only whether it is there.
const load = (_kind, begin = true) => (begin ? start() : loading);

export const { defineElements, embed, mountAll, mount, unmount, update } = elements(load);
export { split, quote, detectCard, formatMoney, parsePrice, checkAmount, labels, Rules, Offers } from "./installment_widget.js";
export { start as init };
