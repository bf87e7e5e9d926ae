// Starts what an end-to-end test needs: `sealdrop serve` (the widget's origin) with a fresh
// identity and data directory, a vendor site on another origin, and Debian's Chromium.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "target/server/sealdrop");
export const ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}

/** Static vendor pages: `pages` maps a path to [html, headers]. */
function vendorServer(port, pages) {
  return new Promise((resolve) => {
    const srv = createServer((req, res) => {
      const path = new URL(req.url, "http://x").pathname;
      const page = pages[path];
      if (!page) { res.writeHead(404).end(); return; }
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...(page[1] || {}) });
      res.end(page[0]);
    }).listen(port, "127.0.0.1", () => resolve(srv));
  });
}

export async function start({ pages = () => ({}), serveArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sealdrop-e2e-"));
  const data = join(dir, "data");
  mkdirSync(data);
  const key = join(dir, "key.txt");
  const recipient = execFileSync(BIN, ["keygen", "-o", key], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  const [wport, vport] = [await freePort(), await freePort()];
  const widget = `http://127.0.0.1:${wport}`;
  const vendor = `http://127.0.0.1:${vport}`;
  const server = spawn(BIN, ["serve", "--recipient", recipient, "--data-dir", data, "--listen", `127.0.0.1:${wport}`,
    "--allow-origin", vendor, "--widget-dir", join(ROOT, "dist"), "--rate-limit", "0", "--org", "Example Corp",
    "--policy-url", `${vendor}/policy`, "--contact-email", "security@example.com", "--subject-tag", "[SECURITY] Example", ...serveArgs],
  { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, RUST_LOG: "warn" } });
  let serverLog = "";
  server.stderr.on("data", (d) => { serverLog += d; });
  await waitFor(`${widget}/healthz`);
  const vsrv = await vendorServer(vport, pages({ widget, vendor, recipient }));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  return {
    dir, data, key, recipient, widget, vendor, browser,
    serverLog: () => serverLog,
    async stop() {
      await browser.close();
      vsrv.close();
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
      // A run leaves nothing behind: the streaming tests alone write about 900 MB here.
      if (!process.env.SEALDROP_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The vendor page embedding the widget with one script tag. */
export function vendorPage(widget, { attrs = "", head = "", body = "" } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Corp security</title>${head}</head>
<body>${body}<main><h1>Report a vulnerability</h1><script src="${widget}/sealdrop.js" async ${attrs}></script></main></body></html>`;
}

/** Runs the CLI; returns stdout. */
export function sealdrop(args) {
  return execFileSync(BIN, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
}

export function storedCount(h) {
  return JSON.parse(sealdrop(["inbox", "list", "--data-dir", h.data, "--json"])).length;
}

export { readFileSync, writeFileSync, join };
