// A small static server for the demo: www/ at "/", the built package (pkg/) at "/widget/".
// Every response carries a strict Content-Security-Policy, so the demo proves the widget
// needs neither 'unsafe-inline' nor 'unsafe-eval'.
// Usage: node scripts/serve.mjs [port]   (default 8080, or $PORT; 0 picks a free port)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const mounts = [
  ["/widget/", join(root, "pkg")],
  ["/", join(root, "www")],
];
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};
const policy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
].join("; ");

/** The file a URL path names, or null when it would leave its mount. */
function fileFor(pathname) {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    let rest = decodeURIComponent(pathname.slice(prefix.length));
    if (rest === "" || rest.endsWith("/")) rest += "index.html";
    const file = normalize(join(dir, rest));
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

const server = createServer(async (request, response) => {
  const headers = { "Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff" };
  let file = null;
  try {
    file = fileFor(new URL(request.url, "http://localhost").pathname);
  } catch {
    file = null; // malformed percent-encoding
  }
  if (!file || (request.method !== "GET" && request.method !== "HEAD")) {
    response.writeHead(file ? 405 : 400, headers).end();
    return;
  }
  try {
    const body = await readFile(file);
    headers["Content-Type"] = types[extname(file)] ?? "application/octet-stream";
    headers["Cache-Control"] = "no-cache";
    response.writeHead(200, headers).end(request.method === "HEAD" ? undefined : body);
  } catch {
    response.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end("not found\n");
  }
});

const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
server.listen(port, "127.0.0.1", () => {
  const { port: actual } = server.address();
  console.log(`Demo storefront: http://127.0.0.1:${actual}/`);
});
