// Regenerates crates/installment-core/tests/fixtures/intl-node20.jsonl: what Node's full-ICU
// Intl.NumberFormat prints for each supported locale, currency and a set of amounts. The native
// test `cldr_fixture.rs` checks format_money against it; tests/node/ checks the wasm build
// against live Intl. Together: the same text natively and in wasm.
// Usage: node scripts/dev/gen-intl-fixture.mjs > crates/installment-core/tests/fixtures/intl-node20.jsonl
const locales = ["ru-BY", "be-BY", "ru-RU", "kk-KZ", "ru-KZ", "uk-UA", "tr-TR", "en-US", "ar-AE"];
const currencies = { BYN: 2, KZT: 2, TRY: 2, RUB: 2, USD: 2, EUR: 2, KWD: 3, JPY: 0 };
const integers = ["0", "1", "12", "999", "1000", "1299", "12345", "123456", "1234567", "999999999999"];
const invisible = /[\u00a0\u200e\u200f\u202f]/g;
const escape = (text) => JSON.stringify(text).replace(invisible, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));

for (const locale of locales) {
  for (const [currency, exponent] of Object.entries(currencies)) {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "symbol" });
    for (const integer of integers) {
      const amount = exponent === 0 ? integer : `${integer}.${"905".slice(0, exponent).padEnd(exponent, "0")}`;
      process.stdout.write(`[${[locale, currency, amount].map(escape).join(", ")}, ${escape(format.format(amount))}]\n`);
    }
  }
}
