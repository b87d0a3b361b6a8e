// Writes www/index.html: the demo's listing page, 200 products in BYN. Run by hand after
// changing it (node scripts/dev/gen-listing.mjs); the page itself is static, as a shop's is.
import { writeFileSync } from "node:fs";

const kinds = [
  ["Смартфон", "smart"], ["Ноутбук", "laptop"], ["Пылесос", "home"], ["Кофемашина", "home"],
  ["Телевизор", "tv"], ["Наушники", "audio"], ["Велосипед", "sport"], ["Диван", "furniture"],
  ["Холодильник", "home"], ["Часы", "watch"], ["Планшет", "smart"], ["Кресло", "furniture"],
];
const models = ["Nova", "Aurora", "Vega", "Polesie", "Neman", "Sozh", "Braslav", "Minsk", "Orsha", "Lida"];

// Deterministic prices: a spread from 19 to 9 000 BYN, so a few are below the providers'
// minimum (no badge) and some have kopecks that do not split evenly.
let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
const products = Array.from({ length: 200 }, (_, i) => {
  const [kind, category] = kinds[i % kinds.length];
  const base = [19, 45, 79, 129, 249, 399, 699, 1299, 2499, 4999, 8999][next() % 11];
  const price = `${base + (next() % 90)}.${String(next() % 100).padStart(2, "0")}`;
  return { id: i + 1, name: `${kind} ${models[next() % models.length]} ${10 + (i % 90)}`, price, category, tone: 1 + (i % 6) };
});
// A gift card: a category no provider finances.
products[17] = { ...products[17], name: "Подарочная карта, 300 Br", price: "300.00", category: "gift_cards" };

const show = (price) => {
  const [whole, cents] = price.split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0")},${cents} Br`;
};

const cards = products.map((p) => `      <article class="product">
        <a class="picture tone-${p.tone}" href="/product.html" aria-hidden="true" tabindex="-1">${p.name.split(" ")[1]}</a>
        <h2><a href="/product.html">${p.name}</a></h2>
        <p class="price">${show(p.price)}</p>
        <span data-installment-badge data-amount="${p.price}" data-currency="BYN"${p.category === "gift_cards" ? ' data-category="gift_cards"' : ""}></span>
      </article>`).join("\n");

writeFileSync(new URL("../../www/index.html", import.meta.url), `<!doctype html>
<html lang="ru-BY">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="Каталог Pokupki: техника и товары для дома в рассрочку, ежемесячный платёж посчитан до копейки.">
  <title>Pokupki — каталог</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/styles.css">
  <link rel="stylesheet" href="/widget/installment-widget.css">
  <script type="module" src="/widget/embed.js"></script>
</head>
<body>
  <header class="site-header">
    <a class="logo" href="/">Pokupki<span>.</span></a>
    <nav><a href="/" aria-current="page">Каталог</a><a href="/product.html">Товар</a><a href="/checkout.html">Корзина</a><a href="/tr.html">Türkiye</a><a href="/kz.html">Қазақстан</a></nav>
  </header>
  <main>
    <section class="hero">
      <h1>Всё для дома — в рассрочку до копейки</h1>
      <p>Каждая плашка посчитана в WebAssembly тем же ядром на Rust, что и на сервере: платежи
        складываются в сумму ровно, без округлений «примерно».</p>
    </section>
    <section class="shelf shelf--long" aria-label="Каталог">
      <div class="grid">
${cards}
      </div>
    </section>
  </main>
  <footer class="site-footer">Демо-магазин · <code>installment-widget</code> · песочница провайдеров</footer>
</body>
</html>
`);
console.log(`wrote www/index.html with ${products.length} products`);
