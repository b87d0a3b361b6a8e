// The return page: where the provider sends the shopper back. It polls the proxy's status of
// the application until it is final; the shop ships only what the proxy reports approved (the
// merchant's backend hears it by a signed callback, not from this page).
const POLL_MS = 1000;
const GIVE_UP_AFTER_MS = 120_000;

const WORDS = {
  checking: "Проверяем оплату…",
  approved: "Оплачено: рассрочка одобрена. Мы начали собирать заказ.",
  rejected: "Не оплачено: рассрочка отклонена.",
  failed: "Не оплачено: провайдер не смог оформить рассрочку.",
  cancelled: "Не оплачено: рассрочка отменена.",
  expired: "Не оплачено: время подтверждения истекло.",
  unknown: "Заказ не найден.",
  later: "Статус пока неизвестен. Обновите страницу через несколько минут.",
};

const PROVIDERS = { karta_pokupok: "Karta Pokupok", kartapay: "KartaPay", freedompay: "FreedomPay" };

const line = document.getElementById("status");
const show = (status) => {
  line.dataset.status = status;
  line.textContent = WORDS[status] ?? WORDS.later;
};

async function poll(id, started) {
  let application = null;
  try {
    const response = await fetch(`/api/v1/applications/${encodeURIComponent(id)}`, { headers: { accept: "application/json" } });
    if (response.status === 404) return show("unknown");
    if (response.ok) application = await response.json();
  } catch {
    // The network may come back: keep polling.
  }
  if (application) {
    document.getElementById("order").textContent = application.order_id;
    document.getElementById("amount").textContent = `${application.amount} ${application.currency}`;
    document.getElementById("plan").textContent = `${application.months} мес. · ${PROVIDERS[application.provider] ?? application.provider}`;
    document.getElementById("details").hidden = false;
    if (application.status !== "pending") return show(application.status);
  }
  if (Date.now() - started > GIVE_UP_AFTER_MS) return show("later");
  setTimeout(() => poll(id, started), POLL_MS);
}

const id = new URLSearchParams(location.search).get("application");
if (id) poll(id, Date.now());
else show("unknown");
