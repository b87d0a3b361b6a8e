// How the proxy's costs grow with the merchant's BIN table (run by scripts/bins-report; a
// measurement that prints, not a test). For each table size: the time to load it and the
// proxy's memory (VmRSS after start, VmHWM the peak), the badges' /rules document in
// identity, gzip and brotli, the latency of /bins lookups, and, for comparison, what a
// compact index of the whole table would cost a picker to download instead.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const binary = process.argv[2];
const sizes = (process.argv[3] ?? "10,1000,20000,1000000").split(",").map(Number);
const lookups = 2000;
const work = mkdtempSync(join(tmpdir(), "bins-report-"));

// Issuers as a real table has them: a few hundred banks, a few thousand (bank, family)
// pairs, ranges of random width with random gaps (seeded, so every run reads the same table).
const schemes = ["VISA", "MASTER_CARD", "TROY", "AMEX", "BELKART", "MIR", "UNION_PAY"];
const types = ["CREDIT_CARD", "DEBIT_CARD", "PREPAID_CARD"];
function table(count) {
  let seed = 2463534242;
  const random = (below) => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % below;
  };
  const step = Math.floor(89_000_000 / count);
  const rows = ["first,last,bank,bank_code,family,association,card_type,commercial,country"];
  const spans = [];
  for (let i = 0; i < count; i++) {
    const first = 10_000_000 + i * step + random(Math.max(1, Math.floor(step / 4)));
    const last = first + random(Math.max(1, Math.floor(step / 2)));
    const family = random(2400), bank = family % 300;
    spans.push([first, last, family]);
    rows.push(`${first},${last},Bank ${bank},${bank},Family ${family},${schemes[family % 7]},${types[family % 3]},${family % 11 === 0},TR`);
  }
  return { csv: rows.join("\n") + "\n", spans };
}

// The alternative to asking /bins: every range as varints (gap from the last, width, issuer),
// and the issuers' names once, in brotli: what a picker would fetch before its first answer.
function compactIndex(spans) {
  const bytes = [];
  const varint = (n) => { while (n >= 0x80) { bytes.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); } bytes.push(n); };
  let previous = 0;
  for (const [first, last, issuer] of spans) {
    varint(first - previous); varint(last - first); varint(issuer);
    previous = last;
  }
  const issuers = JSON.stringify([...new Set(spans.map(([, , issuer]) => issuer))].map((i) => [`Bank ${i % 300}`, `Family ${i}`]));
  const raw = Buffer.concat([Buffer.from(bytes), Buffer.from(issuers)]);
  return brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

function start(config) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["--config", config, "--listen", "127.0.0.1:0"], {
      env: { ...process.env, RUST_LOG: "installment_proxy=info" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "", loadedMs = null;
    child.stdout.on("data", (chunk) => {
      text += chunk;
      for (const line of text.split("\n").slice(0, -1)) {
        if (line.includes("BIN table loaded")) loadedMs = JSON.parse(line).fields.elapsed_ms;
        const address = line.match(/listening on (http:\/\/[^/ ]+)/);
        if (address) resolve({ child, base: address[1], loadedMs });
      }
      text = text.slice(text.lastIndexOf("\n") + 1);
    });
    child.on("exit", (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(url, encoding) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers: { "accept-encoding": encoding } }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode, bytes: Buffer.concat(chunks).length }));
    }).on("error", reject);
  });
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const rows = [];
for (const count of sizes) {
  const { csv, spans } = table(count);
  const file = join(work, `bins-${count}.csv`);
  writeFileSync(file, csv);
  const config = join(work, `proxy-${count}.toml`);
  writeFileSync(config, `sandbox = true\nlog_format = "json"\nbin_table = "${file}"\n[rate_limit]\nper_second = 100000\nburst = 100000\n`);
  const { child, base, loadedMs } = await start(config);
  try {
    const { rss, peak } = memory(child.pid);
    const rules = {};
    for (const encoding of ["identity", "gzip", "br"]) {
      rules[encoding] = (await get(`${base}/api/v1/rules?currency=TRY`, encoding)).bytes;
    }
    const times = [];
    let answer = 0;
    for (let i = 0; i < lookups; i++) {
      const [first, last] = spans[(i * 7919) % spans.length];
      const bin = String(first + ((i * 104729) % (last - first + 1))).padStart(8, "0");
      const started = process.hrtime.bigint();
      const reply = await get(`${base}/api/v1/bins/${bin}`, "identity");
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (reply.status !== 200) throw new Error(`/bins/${bin}: ${reply.status}`);
      answer = reply.bytes;
    }
    times.sort((a, b) => a - b);
    rows.push({
      count, csvMb: csv.length / 1e6, loadedMs, rss, peak, rules, answer,
      p50: percentile(times, 0.5), p99: percentile(times, 0.99), index: compactIndex(spans),
    });
  } finally {
    child.kill();
  }
}
rmSync(work, { recursive: true, force: true });
agent.destroy();

const fixed = (n, digits = 1) => n.toFixed(digits);
console.log(`\n${lookups} /bins lookups per size, one keep-alive connection, server profile; ${(await import("node:os")).cpus().length} cores\n`);
console.log("| Ranges | CSV (MB) | Load (ms) | RSS after start (MB) | Peak RSS (MB) | /rules TRY: identity / gzip / br (bytes) | /bins p50 / p99 (ms) | /bins answer (bytes) | Whole-table index, br (bytes) |");
console.log("|---:|---:|---:|---:|---:|---|---|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.count.toLocaleString("en")} | ${fixed(r.csvMb, 2)} | ${r.loadedMs} | ${fixed(r.rss)} | ${fixed(r.peak)} | ${r.rules.identity} / ${r.rules.gzip} / ${r.rules.br} | ${fixed(r.p50, 2)} / ${fixed(r.p99, 2)} | ${r.answer} | ${r.index.toLocaleString("en")} |`);
}
