// The product page's variants. Like a single-page app, it replaces the price element rather
// than editing it: the badge watches "#price" and must follow the new element.
const format = (amount) => {
  const [whole, cents] = amount.split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0")},${cents} Br`;
};

document.addEventListener("change", (event) => {
  if (event.target.name !== "variant") return;
  const amount = event.target.value;
  const price = document.createElement("p");
  price.className = "price product-page__price";
  price.id = "price";
  price.textContent = format(amount);
  document.getElementById("price").replaceWith(price);
  document.getElementById("picker").update(amount);
});
