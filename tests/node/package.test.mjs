// The npm package from Node 20: initSync with the wasm bytes, then every export.
// Run after scripts/build-package: node --test tests/node/
import { test } from "node:test";
import assert from "node:assert/strict";
import { calculator } from "./calculator.mjs";

const { split, quote, detectCard, formatMoney, parsePrice, checkAmount, Rules, Offers } = calculator;

const LOCALES = ["ru-BY", "be-BY", "ru-RU", "kk-KZ", "ru-KZ", "uk-UA", "tr-TR", "en-US", "ar-AE"];
const CURRENCIES = { BYN: 2, KZT: 2, TRY: 2, RUB: 2, USD: 2, EUR: 2, KWD: 3, JPY: 0 };

/** Amounts with exactly the currency's decimals, from zero to the 10^12 limit. */
function amountsFor(exponent) {
  const integers = ["0", "1", "7", "12", "999", "1000", "1299", "9999", "12345", "100000", "1234567", "999999999999", "1000000000000"];
  const fractions = exponent === 0 ? [""] : ["0", "5", "99", "07", "905"].map((f) => f.padEnd(exponent, "0").slice(0, exponent));
  return integers.flatMap((i) => fractions.map((f) => (f ? `${i}.${f}` : i))).filter((a) => !(a.startsWith("1000000000000.") && /[1-9]/.test(a.split(".")[1])));
}

test("formatMoney equals Node's full-ICU Intl.NumberFormat for every locale, currency and amount", () => {
  let compared = 0;
  for (const locale of LOCALES) {
    for (const [currency, exponent] of Object.entries(CURRENCIES)) {
      const intl = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "symbol" });
      for (const amount of amountsFor(exponent)) {
        // Intl formats a decimal string exactly (no float on the way).
        assert.equal(formatMoney(amount, currency, locale), intl.format(amount), `${amount} ${currency} ${locale}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 1500, `compared only ${compared}`);
});

test("split gives exact installments, larger first", () => {
  assert.deepEqual(split("100", "BYN", 3), ["33.34", "33.33", "33.33"]);
  assert.deepEqual(split("1000", "JPY", 3), ["334", "333", "333"]);
  assert.deepEqual(split("1.000", "KWD", 3), ["0.334", "0.333", "0.333"]);
  // Numbers go through their shortest decimal text, never through x * 100.
  assert.deepEqual(split(0.3, "USD", 2), ["0.15", "0.15"]);
  assert.deepEqual(split(1.15, "USD", 1), ["1.15"]);
});

test("quote gives every plan and the smallest monthly payment", () => {
  const result = quote("299.90", "BYN", [3, 6, 12, 24]);
  assert.equal(result.currency, "BYN");
  assert.deepEqual(result.plans.map((p) => [p.months, p.monthly, p.total]), [
    [3, "99.97", "299.90"],
    [6, "49.99", "299.90"],
    [12, "25.00", "299.90"],
    [24, "12.50", "299.90"],
  ]);
  assert.deepEqual(result.from.payments.length, 24);
  assert.equal(result.from.monthly, "12.50");
  assert.equal(result.from.overpayment, "0.00");
  assert.equal(quote("10", "BYN", []).from, null);
});

test("detectCard reads the association from the first digits", () => {
  assert.deepEqual(detectCard("41"), { association: "VISA", lengths: [16, 18, 19], cvcLength: 3 });
  assert.equal(detectCard("4"), null, "493698… is Maestro: not known yet");
  assert.deepEqual(detectCard("37"), { association: "AMEX", lengths: [15], cvcLength: 4 });
  assert.equal(detectCard("2200").association, "MIR");
  assert.equal(detectCard("9792").association, "TROY");
  assert.equal(detectCard("3"), null);
});

test("parsePrice reads prices as shops show them", () => {
  assert.equal(parsePrice("1 299,90 BYN", "BYN"), "1299.90");
  assert.equal(parsePrice("₺1.299,90", "TRY"), "1299.90");
  assert.equal(parsePrice("¥1,200", "JPY"), "1200");
});

test("bad input throws an Error with a clear message and a stable code, never a wasm trap", () => {
  const cases = [
    [() => split("abc", "BYN", 3), "invalid_amount", /"abc" is not a decimal number/],
    [() => split("1.005", "BYN", 3), "invalid_amount", /more decimal places than BYN allows/],
    [() => split("-5", "BYN", 3), "invalid_amount", /negative/],
    [() => split("NaN", "BYN", 3), "invalid_amount", /not a decimal number/],
    [() => split(NaN, "BYN", 3), "invalid_amount", /not a decimal number/],
    [() => split(1e21, "BYN", 3), "invalid_amount", /not a decimal number/],
    [() => split("1000000000001", "BYN", 3), "amount_out_of_range", /larger than/],
    [() => split("10", "XXX", 3), "unknown_currency", /unknown currency "XXX"/],
    [() => split("10", "BYN", 0), "invalid_term", /outside 1..=120/],
    [() => split("10", "BYN", 2.5), "invalid_argument", /whole number of months/],
    [() => split({}, "BYN", 2), "invalid_argument", /amount must be a string/],
    [() => quote("10", "BYN", "3,6"), "invalid_argument", /terms must be an array/],
    [() => quote("10", "BYN", [3, -1]), "invalid_argument", /whole number of months/],
    [() => detectCard("4111 1111"), "invalid_card_digits", /must be 1 to 19 digits/],
    [() => formatMoney("10", "BYN", "xx-YY"), "unknown_locale", /unknown locale "xx-YY"/],
    [() => parsePrice("1,299", "KWD"), "invalid_amount", /ambiguous/],
  ];
  for (const [call, code, message] of cases) {
    assert.throws(call, (error) => {
      assert.ok(error instanceof Error, "an Error");
      assert.ok(!(error instanceof WebAssembly.RuntimeError), "not a wasm trap");
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      return true;
    });
  }
  // The module still works after every one of those.
  assert.deepEqual(split("1", "BYN", 2), ["0.50", "0.50"]);
});

test("checkAmount normalizes an amount or names what is wrong", () => {
  assert.equal(checkAmount("1299.9", "BYN"), "1299.90");
  assert.equal(checkAmount(12.5, "KWD"), "12.500");
  assert.throws(() => checkAmount("abc", "BYN"), (e) => e.code === "invalid_amount" && /"abc"/.test(e.message));
  assert.throws(() => checkAmount("10", "XXX"), (e) => e.code === "unknown_currency" && /XXX/.test(e.message));
});

test("Rules compute the badge and the details from a rules document", () => {
  const rules = Rules.read({
    currency: "BYN",
    providers: [{ provider: "kp", display_name: "Karta Pokupok", currency: "BYN", min_amount: "50", max_amount: "5000",
      bands: [{ min: "50", terms: [3, 6] }], rounding: "half_up" }],
  });
  assert.deepEqual(rules.badge("100", "en-US"), { before: "from ", amount: "BYN\u00a016.67", after: "/month in installments via Karta Pokupok" });
  assert.equal(rules.badge("20", "en-US"), null);
  assert.deepEqual(rules.details("100", "ru-BY")[0].plans.map((p) => p.monthly), ["33,34\u00a0Br/мес.", "16,67\u00a0Br/мес."]);
  assert.equal(rules.card("41").association, "VISA");
  assert.equal(rules.card("91121050").family ?? null, null, "families are the proxy's to tell, from /api/v1/bins");
  assert.throws(() => Rules.read({ currency: "BYN", providers: "nope" }), (e) => e.code === "malformed_document");
});

test("a malformed document is refused with the path of the first wrong field", () => {
  const provider = { provider: "kp", display_name: "Karta Pokupok", currency: "BYN", min_amount: "50", max_amount: "5000",
    bands: [{ min: "50", terms: [3, 6] }], rounding: "half_up" };
  const rules = (change) => ({ currency: "BYN", providers: [{ ...provider, ...change }] });
  const cases = [
    [[], "the document must be a JSON object"],
    ["{}", "the document must be a JSON object"],
    [{ providers: [] }, "missing field `currency`"],
    [{ currency: "XXX", providers: [] }, 'currency: unknown currency "XXX"'],
    [rules({ bands: [{ min: 50, terms: [3] }] }), "providers[0].bands[0].min: invalid type: floating point `50.0`, expected a string"],
    [rules({ bands: [{ min: "50", terms: [3, 6.5] }] }), "providers[0].bands[0].terms[1]: invalid type: floating point `6.5`, expected u32"],
    [rules({ bands: [{ min: "50", terms: ["3"] }] }), "providers[0].bands[0].terms[0]: invalid type: string \"3\", expected u32"],
    [rules({ rounding: "HALF_UP" }), 'providers[0].rounding: unknown variant `HALF_UP`'],
    [rules({ markups: [{ months: 3, rate: "-1" }] }), "providers[0].markups[0].rate: rate"],
    [rules({ display_name: undefined }), "providers[0].display_name: invalid type: unit value, expected a string"],
    [rules({ bands: null }), "providers[0].bands: "],
  ];
  for (const [document, message] of cases) {
    assert.throws(() => Rules.read(document), (e) => e.code === "malformed_document" && e.message.includes(message),
      `${JSON.stringify(document)} should be refused naming ${message}`);
  }
  // Amounts are checked by the core once the document is read: still a clear, coded error.
  assert.throws(() => Rules.read(rules({ min_amount: "1.005" })), (e) => e.code === "invalid_amount" && e.message.includes("\"1.005\""));
  assert.throws(() => Offers.read({ currency: "BYN", amount: "1", providers: [{ provider: "kp", display_name: "KP", cards: [{ plans: [{ months: 3 }] }] }] }, "en"),
    (e) => e.code === "malformed_document" && e.message.includes("providers[0].cards[0].plans[0]: missing field `monthly`"));
});

test("Offers narrow to a card's family", () => {
  const offers = Offers.read({
    amount: "100.00", currency: "TRY", from: null,
    providers: [{ provider: "craftgate", display_name: "Craftgate", cards: [{ family: "Bonus", plans: [] }, { family: "World", plans: [] }] }],
  }, "tr-TR");
  assert.deepEqual(offers.openTo("World", "VISA"), [1]);
  assert.deepEqual(offers.view().offers.map((o) => o.card), ["Bonus", "World"]);
});
