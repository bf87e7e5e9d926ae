// In-browser benchmarks in headless Chromium: sealing throughput (sealdrop's whole pipeline, a
// File sealed into a Blob by the built form's worker, vs typage from memory, alternating, 5
// rounds of 1, 16 and 64 MiB), the longest main-thread task meanwhile, SHA-256 of a File,
// memory when sealing 256 MiB, and time to interactive of the embedded form (iframe and
// inline, cold and warm cache, median of 20).
// Prints JSON. Usage: node bench/browser.mjs OUT_DIR (see bench/run.sh).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join, extname } from "node:path";
import { execFileSync } from "node:child_process";
import { start, vendorPage, ARGS } from "../e2e/harness.mjs";
import { chromium } from "playwright-core";

const out = process.argv[2] || "bench/out";
const dist = process.argv[3] || "dist";
// BENCH_QUICK=1 checks the harness in seconds (1 round, 2 loads, small payloads).
const QUICK = process.env.BENCH_QUICK === "1";
const ROUNDS = QUICK ? 1 : 5, LOADS = QUICK ? 2 : 20, SIZES = QUICK ? [1] : [1, 16, 64], MEM_MIB = QUICK ? 16 : 256;
// BENCH_SEAL_ONLY=1 leaves out the time to interactive (for trying a change to the sealer).
const SEAL_ONLY = process.env.BENCH_SEAL_ONLY === "1";
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const srv = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname.replace(/^\/+/, "") || "page.html";
  const p = path.startsWith("dist/") ? join(dist, path.slice(5)) : join(out, path);
  let body;
  try { body = readFileSync(p); } catch { res.writeHead(404).end(); return; }
  res.writeHead(200, { "Content-Type": types[extname(p)] || "application/octet-stream" }).end(body);
}).listen(0, "127.0.0.1");
await new Promise((r) => srv.once("listening", r));
const base = `http://127.0.0.1:${srv.address().port}`;
const recipient = execFileSync("age-keygen", { stdio: ["ignore", "pipe", "ignore"] }).toString().match(/public key: (age1\w+)/)[1];

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
const result = { throughput: [], memory: {}, tti: {}, digest: {}, longest_task_ms: 0 };
try {
  const page = await browser.newPage();
  await page.goto(`${base}/page.html`);
  await page.waitForFunction(() => window.ready === true);
  for (const mib of SIZES) {
    const times = { sealdrop: [], typage: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const impl of round % 2 ? ["typage", "sealdrop"] : ["sealdrop", "typage"]) {
        times[impl].push(await page.evaluate(([impl, mib, r]) => window.seal(impl, mib, r), [impl, mib, recipient]));
      }
    }
    const s = median(times.sealdrop), t = median(times.typage);
    if (mib === SIZES.at(-1)) result.longest_task_ms = Math.round(await page.evaluate(() => window.longest()));
    result.throughput.push({ mib, sealdrop_ms: s, typage_ms: t, sealdrop_mbs: +(mib * 1.048576 / (s / 1000)).toFixed(1), typage_mbs: +(mib * 1.048576 / (t / 1000)).toFixed(1), ratio: +(t / s).toFixed(2) });
  }
  const mib = SIZES.at(-1);
  const d = [];
  for (let round = 0; round < ROUNDS; round++) d.push(await page.evaluate((m) => window.digest(m), mib));
  result.digest = { mib, ms: median(d), mbs: +(mib * 1.048576 / (median(d) / 1000)).toFixed(1) };
} finally {
  await browser.close();
}
// Memory: 256 MiB in a browser of its own, so no earlier page's peak is in its renderer's
// high-water mark (VmHWM); also the wasm linear memory.
const mbrowser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
try {
  const mpage = await mbrowser.newPage();
  await mpage.goto(`${base}/page.html`);
  await mpage.waitForFunction(() => window.ready === true);
  const cdp = await mbrowser.newBrowserCDPSession();
  const pids = await renderers(cdp);
  const idle = Math.max(...pids.map(hwm), 0);
  const wasmBytes = await mpage.evaluate(([r, m]) => window.sealMemory(r, m), [recipient, MEM_MIB]);
  const peak = Math.max(...(await renderers(cdp)).map(hwm), 0);
  result.memory = { attachment_mib: MEM_MIB, wasm_linear_memory_mib: +(wasmBytes / 1048576).toFixed(1), renderer_peak_rss_mib: peak, renderer_idle_rss_mib: idle };
} finally {
  await mbrowser.close();
  srv.close();
}

async function renderers(cdp) {
  try {
    const info = await cdp.send("SystemInfo.getProcessInfo");
    return info.processInfo.filter((p) => p.type === "renderer").map((p) => p.id);
  } catch { return []; }
}
function hwm(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch { return 0; }
}

// Time to interactive: script tag inserted -> the title field accepts input.
if (SEAL_ONLY) {
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
const h = await start({ pages: ({ widget }) => ({
  "/iframe": [vendorPage(widget).replace(/<script src=[^>]*><\/script>/, "")],
  "/inline": [vendorPage(widget).replace(/<script src=[^>]*><\/script>/, "")],
}) });
try {
  for (const mode of ["iframe", "inline"]) {
    for (const cache of ["cold", "warm"]) {
      const times = [];
      const shared = await h.browser.newContext();
      for (let i = 0; i < LOADS; i++) {
        const ctx = cache === "cold" ? await h.browser.newContext() : shared;
        const page = await ctx.newPage();
        if (cache === "warm" && i === 0) { await loadOnce(page, mode); }
        await page.goto(`${h.vendor}/${mode}`);
        const t0 = await page.evaluate(([src, mode, recipient, endpoint]) => {
          const s = document.createElement("script");
          s.src = src; s.async = true;
          if (mode === "inline") { s.dataset.mode = "inline"; s.dataset.recipients = recipient; s.dataset.endpoint = endpoint; }
          document.querySelector("main").appendChild(s);
          return performance.now();
        }, [`${h.widget}/sealdrop.js`, mode, h.recipient, `${h.widget}/v1/reports`]);
        let ready;
        if (mode === "iframe") {
          const frame = await (await page.waitForSelector("iframe")).contentFrame();
          await frame.waitForSelector("#sd-title:not([disabled])", { timeout: 30000 });
        } else {
          await page.waitForSelector("#sd-title", { timeout: 30000 });
        }
        ready = await page.evaluate(() => performance.now());
        times.push(ready - t0);
        await page.close();
        if (cache === "cold") await ctx.close();
      }
      await shared.close();
      result.tti[`${mode}_${cache}_ms`] = Math.round(median(times));
    }
  }
} finally {
  await h.stop();
}
async function loadOnce(page, mode) {
  await page.goto(`${h.vendor}/${mode}`);
  await page.evaluate(([src, mode, recipient, endpoint]) => {
    const s = document.createElement("script");
    s.src = src;
    if (mode === "inline") { s.dataset.mode = "inline"; s.dataset.recipients = recipient; s.dataset.endpoint = endpoint; }
    document.querySelector("main").appendChild(s);
  }, [`${h.widget}/sealdrop.js`, mode, h.recipient, `${h.widget}/v1/reports`]);
  if (mode === "iframe") await (await (await page.waitForSelector("iframe")).contentFrame()).waitForSelector("#sd-title");
  else await page.waitForSelector("#sd-title");
}
console.log(JSON.stringify(result, null, 2));
