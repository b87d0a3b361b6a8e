// The checkout shows the plan the shopper chose, as the picker's event tells it; a choice the
// card's digits took away comes as `detail: null`.
document.addEventListener("installment-select", (event) => {
  const output = document.getElementById("chosen");
  if (event.detail === null) {
    output.textContent = "";
    return;
  }
  const { provider, family, months, monthly, total, currency } = event.detail;
  output.textContent = `${months} × ${monthly} ${currency} = ${total} ${currency} · ${family ?? provider}`;
});
