// The naive badge, as the Karta Pokupok seed writes it: floats, Math.ceil and innerHTML.
// The benchmark's baseline; never shipped.
function calculateInstallments(price, availableTerms) {
  return availableTerms.map((months) => ({ months, monthlyPayment: Math.ceil((price / months) * 100) / 100 }));
}

const rules = await (await fetch("/api/v1/rules?currency=BYN")).json();
const provider = rules.providers[0];
for (const element of document.querySelectorAll("[data-installment-badge]")) {
  const price = parseFloat(element.dataset.amount);
  if (price < parseFloat(provider.min_amount) || price > parseFloat(provider.max_amount)) continue;
  const band = provider.bands.filter((b) => price >= parseFloat(b.min)).at(-1);
  if (!band) continue;
  const best = calculateInstallments(price, band.terms).reduce((a, b) => (b.monthlyPayment < a.monthlyPayment ? b : a));
  element.innerHTML = `from <strong>${best.monthlyPayment.toFixed(2)} BYN/month</strong> in installments via "${provider.display_name}"`;
}
requestAnimationFrame(() => setTimeout(() => (window.benchDone = performance.now())));
