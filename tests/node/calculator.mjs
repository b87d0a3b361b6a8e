// The built package's calculator (`installment-widget/calculator`), loaded synchronously from
// pkg/ by the names its package.json gives: the build's files are named after their content.
import { readFileSync } from "node:fs";

const pkg = new URL("../../pkg/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", pkg), "utf8"));

export const calculator = await import(new URL(manifest.exports["./calculator"].default, pkg));
calculator.initSync({ module: readFileSync(new URL(manifest.exports["./installment_widget_bg.wasm"], pkg)) });
