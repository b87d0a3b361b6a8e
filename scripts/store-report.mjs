// Measures one store setup (a measurement that prints; not a test): applications created per
// second through the instances given, round robin, and the latency from a webhook's delivery
// to the merchant's callback, p50 and p99. Used by scripts/store-report.
// Usage: node scripts/store-report.mjs <label> <callback port> <base URL>...
import { createHmac } from "node:crypto";
import { createServer } from "node:http";

const [label, port, ...bases] = process.argv.slice(2);
const APPLICATIONS = 400;
const WEBHOOKS = 200;
const CONCURRENCY = 16;
const KP_WEBHOOK_SECRET = "sandbox-kp-webhook"; // the sandbox's, from sandbox::credentials

const heard = new Map(); // event_id -> arrival (ms)
const waiting = new Map(); // event_id -> resolve
createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const { event_id } = JSON.parse(body);
    const now = performance.now();
    if (!heard.has(event_id)) heard.set(event_id, now);
    waiting.get(event_id)?.(now);
    response.end("ok");
  });
}).listen(Number(port), "127.0.0.1");

const order = {
  provider: "karta_pokupok", months: 12,
  items: [{ sku: "neman-14", quantity: 1 }],
  customer: { phone: "+375291234567" },
  success_path: "/return.html", fail_path: "/return.html",
};

async function pool(count, work) {
  let next = 0;
  const results = [];
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  }));
  return results;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

const started = performance.now();
const created = await pool(APPLICATIONS, async (i) => {
  const response = await fetch(`${bases[i % bases.length]}/api/v1/applications`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(order),
  });
  if (response.status !== 201) throw new Error(`create: HTTP ${response.status} ${await response.text()}`);
  return response.json();
});
const perSecond = APPLICATIONS / ((performance.now() - started) / 1000);

const latencies = await pool(WEBHOOKS, async (i) => {
  const application = created[i];
  const body = JSON.stringify({ application_id: application.provider_ref, order_id: application.order_id, status: "APPROVED" });
  const signature = createHmac("sha256", KP_WEBHOOK_SECRET).update(body).digest("hex");
  const event = `${application.id}:approved`;
  const arrived = new Promise((resolve) => waiting.set(event, resolve));
  const sent = performance.now();
  // The webhook goes to the other instance than the one that created the application.
  const response = await fetch(`${bases[(i + 1) % bases.length]}/api/v1/webhooks/karta_pokupok`, {
    method: "POST", headers: { "content-type": "application/json", "X-Signature": signature }, body,
  });
  if (response.status !== 200) throw new Error(`webhook: HTTP ${response.status}`);
  const at = heard.get(event) ?? (await arrived);
  return at - sent;
});
latencies.sort((a, b) => a - b);
console.log(
  `${label.padEnd(28)} ${perSecond.toFixed(0).padStart(6)} applications/s   ` +
  `webhook→callback p50 ${percentile(latencies, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(latencies, 99).toFixed(1).padStart(6)} ms`,
);
process.exit(0);
