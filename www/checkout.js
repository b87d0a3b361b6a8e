// The checkout shows the plan the shopper chose, as the picker's event tells it.
document.addEventListener("installment-select", (event) => {
  const { provider, family, months, monthly, total, currency } = event.detail;
  document.getElementById("chosen").textContent =
    `${months} × ${monthly} ${currency} = ${total} ${currency} · ${family ?? provider}`;
});
