// Splits the same amounts into the same numbers of installments with the widget's wasm and
// with dinero.js, in the same page, and reports quotes per second of each.
import { init, split } from "/widget/widget.js";
import Dinero from "/bench/dinero.js";

await init();
const amounts = Array.from({ length: 1000 }, (_, i) => `${50 + ((i * 7919) % 5000)}.${String((i * 31) % 100).padStart(2, "0")}`);
const terms = [3, 6, 12, 24];

function run(name, quote) {
  let count = 0;
  let checksum = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    for (const amount of amounts) for (const n of terms) checksum += quote(amount, n).length, count++;
  }
  return { name, perSecond: Math.round(count / ((performance.now() - start) / 1000)), checksum };
}

const wasm = run("installment-widget (wasm)", (amount, n) => split(amount, "BYN", n));
const dinero = run("dinero.js 1.9.1", (amount, n) => {
  const minor = Math.round(Number(amount) * 100);
  return Dinero({ amount: minor, currency: "BYN", precision: 2 }).allocate(Array(n).fill(1)).map((share) => share.toUnit().toFixed(2));
});
window.benchResult = [wasm, dinero];
