// Turns bench/out/ into BENCHMARKS.md (stdout).
import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { cpus, totalmem } from "node:os";

const out = process.argv[2] || "bench/out";
const read = (f) => readFileSync(`${out}/${f}`, "utf8");
const b = JSON.parse(read("browser.json"));
const sh = (c) => { try { return execSync(c).toString().trim(); } catch { return "?"; } };
const size = read("size.txt").trim().split("\n").filter((l) => !l.startsWith("size:"));
const peers = read("peers.txt").trim().split("\n").map((l) => l.split(" "));
const total = size.find((l) => l.startsWith("TOTAL")).split(/\s+/);
const goMs = Number(read("goage_ms.txt").trim());
const receiver = read("receiver.txt").trim().split("\n").map((l) => { const [body, c, json, stored] = l.split(" "); return { body, c, ...JSON.parse(json), stored: Number(stored) }; });
const kb = (n) => (Number(n) / 1000).toFixed(1);

console.log(`# sealdrop benchmarks

Measured by \`bench/run.sh\` (one command; \`BENCH_SECONDS\` sets each receiver run, 30 by default)
on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB,
${sh("uname -sr")}, ${sh("/usr/bin/chromium --version")}, ${sh("rustc --version")}. Peers run in the same run; medians.

## 1. Size: everything a researcher downloads before the form accepts input

The test command fails when the brotli total passes 200,000 bytes (\`bench/size.sh dist\`).

| file | raw | gzip -9 | brotli -q 11 |
|---|---:|---:|---:|
${size.slice(1).map((l) => { const [f, r, g, br] = l.split(/\s+/); return `| ${f} | ${r} | ${g} | ${br} |`; }).join("\n")}

For reference, each peer bundled and minified with esbuild (the library alone, no form):

| library | raw | gzip -9 | brotli -q 11 |
|---|---:|---:|---:|
${peers.map(([n, r, g, br]) => `| ${n === "typage" ? "typage (npm age-encryption)" : "OpenPGP.js (npm openpgp)"} | ${r} | ${g} | ${br} |`).join("\n")}

sealdrop's whole form, age included, is ${kb(total[3])} KB brotli; OpenPGP.js alone is ${kb(peers.find((p) => p[0] === "openpgp")[3])} KB.
What limits it: Yew's runtime and our components (about half the wasm, measured with twiggy), then age's X25519
and ChaCha20-Poly1305, serde_json and the cvss crate's v4 tables. Already taken: hardware-key recipients left out of
the form (26 KB), x25519-dalek without its 30 KB precomputed table (vendored patch), no float formatting, esbuild
for the JS. Most promising next: lazy-load the CVSS v4 scorer, or replace serde_json with a smaller parser.

## 2. Time to interactive (script tag inserted → title field accepts input), median of 20

| mode | cold cache | warm cache |
|---|---:|---:|
| iframe | ${b.tti.iframe_cold_ms} ms | ${b.tti.iframe_warm_ms} ms |
| inline | ${b.tti.inline_cold_ms} ms | ${b.tti.inline_warm_ms} ms |

Loopback, so this is compile and start-up time, not network. What limits it: compiling ~550 KB of wasm and, in
iframe mode, a second document plus the \`sealdrop.json\` fetch before mounting. Most promising: serve brotli
(\`sealdrop serve\` sends identity today) and start the config fetch in parallel with the wasm compile.

## 3. Sealing throughput in the browser (same page, alternating, 5 rounds)

| payload | sealdrop wasm | typage | sealdrop / typage |
|---:|---:|---:|---:|
${b.throughput.map((t) => `| ${t.mib} MiB | ${t.sealdrop_mbs} MB/s (${Math.round(t.sealdrop_ms)} ms) | ${t.typage_mbs} MB/s (${Math.round(t.typage_ms)} ms) | ${t.ratio}× |`).join("\n")}

Native Go \`age\` 1.1.1 on the same 64 MiB: ${goMs} ms (${(64 * 1.048576 / (goMs / 1000)).toFixed(0)} MB/s), the ceiling.
sealdrop's number includes building the tar bundle and hashing the attachment (SHA-256), as the form does.
What limits it: ChaCha20-Poly1305 in scalar wasm (compiled at opt-level 3 while the rest of the form is "z"),
plus the SHA-256 of the attachment. Most promising: \`+simd128\` for ChaCha20, or sealing in a Worker so the page
stays responsive.

## 4. Memory: sealing a ${b.memory.attachment_mib} MiB attachment

| measure | value |
|---|---:|
| wasm linear memory after sealing | ${b.memory.wasm_linear_memory_mib} MiB |
| renderer peak RSS (VmHWM) | ${b.memory.renderer_peak_rss_mib} MiB |

The attachment is held once by the form and the ciphertext once (the bundle streams into age's writer; no
plaintext copy of the tar). Most promising: stream the ciphertext out in chunks (fetch with a ReadableStream body)
instead of holding it whole.

## 5. Receiver: \`wrk\` on loopback, valid age bodies, ${process.env.BENCH_SECONDS || 30} s per run

| body | connections | requests/s | p50 | p99 | errors | 201s counted | rows stored |
|---|---:|---:|---:|---:|---:|---:|---:|
${receiver.map((r) => `| ${r.body === "8k" ? "8 KB" : "1 MB"} | ${r.c} | ${r.rps} | ${r.p50_ms} ms | ${r.p99_ms} ms | ${r.errors} | ${r.created} | ${r.stored} |`).join("\n")}

Every 201 is a row on disk (SQLite WAL, synchronous=FULL). Rows stored exceed the 201s wrk counted by at most the
number of connections: requests still in flight when wrk stops at its deadline are stored, but wrk drops their
answers (${receiver.every((r) => r.stored >= r.created && r.stored - r.created <= Number(r.c)) ? "holds in every run above" : "DOES NOT HOLD in a run above"}). What limits it:
one fsync per report under a single connection lock, so throughput is bounded by the disk's fsync rate, and
for 1 MB bodies by copying the body into SQLite. Most promising: group commit (batch the inserts of concurrent
requests into one transaction, answering all of them after its fsync).
`);
