// The npm package in Node: the same exports, with `init()` reading the wasm from disk, since
// Node's fetch cannot read a file: URL.
import { readFile } from "node:fs/promises";
import { init as initFrom } from "./widget.js";

export * from "./widget.js";
export const init = (input) => initFrom(input ?? { module_or_path: readFile(new URL("./installment_widget_bg.wasm", import.meta.url)) });
