// 12. The conversation, end to end in a real browser (docs/conversation.md): a report with a
//     follow-up key; `inbox reply` with a status; the researcher opens the thread with the
//     key, reads the reply and the status, answers with a file; `inbox thread` shows the
//     answer, and Go `age` opens it. The key is decoded and the token derived here in Node,
//     independently of the form's Rust. No request, console line or browser storage carries
//     the plaintext or the key; the host page sees neither; a mistyped or unknown key gets a
//     clear message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { start, vendorPage, sealdrop, join } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

function polymod(values) {
  const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const b = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((b >>> i) & 1) chk ^= G[i];
  }
  return chk;
}
const expand = (hrp) => [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));
function convert(data, from, to, pad) {
  let acc = 0, bits = 0;
  const out = [];
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) { bits -= to; out.push((acc >> bits) & ((1 << to) - 1)); }
  }
  if (pad && bits > 0) out.push((acc << (to - bits)) & ((1 << to) - 1));
  return out;
}
/** bech32 `sdkey1…` → 32 bytes (receipt, secret), checksum verified. */
function decodeKey(key) {
  const data = [...key.slice(6)].map((c) => CHARSET.indexOf(c));
  assert.equal(polymod(expand("sdkey").concat(data)), 1, "the key's bech32 checksum");
  return Buffer.from(convert(data.slice(0, -6), 5, 8, false));
}
function encodeKey(bytes) {
  const data = convert([...bytes], 8, 5, true);
  const mod = polymod(expand("sdkey").concat(data, [0, 0, 0, 0, 0, 0])) ^ 1;
  const check = [0, 1, 2, 3, 4, 5].map((i) => (mod >> (5 * (5 - i))) & 31);
  return "sdkey1" + data.concat(check).map((v) => CHARSET[v]).join("");
}

test("report, reply with a status, the researcher reads and answers, inbox thread shows it", async () => {
  const h = await start({
    pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }),
    serveArgs: ["--response-days", "7"],
  });
  try {
    const context = await h.browser.newContext();
    const requests = [];
    context.on("request", (req) => requests.push({ req, headers: req.allHeaders().catch(() => req.headers()) }));
    // Every body handed to XMLHttpRequest.send, as the page sends it (Blobs are not shown by
    // the DevTools protocol).
    await context.addInitScript(() => {
      const send = XMLHttpRequest.prototype.send;
      window.__bodies = [];
      XMLHttpRequest.prototype.send = function (body) {
        if (body instanceof Blob) {
          body.arrayBuffer().then((b) => {
            let s = "";
            new Uint8Array(b).forEach((c) => { s += String.fromCharCode(c); });
            window.__bodies.push(btoa(s));
          });
        }
        return send.call(this, body);
      };
    });
    const consoleLines = [];
    const page = await context.newPage();
    page.on("console", (m) => consoleLines.push(m.text()));
    await page.goto(h.vendor + "/");
    const frame = await frameOf(page);
    const secretText = `Second PoC ${randomBytes(6).toString("hex")}`;
    await fillReport(frame, page, {
      title: "IDOR on invoices", kind: "CWE-639", url: "https://billing.example.com/invoices/2",
      steps: "GET /invoices/2 as user 1", prereq: "Two accounts", impact: "Reads other customers' invoices.",
      cvss: "", name: "", handle: "", email: "",
    });
    assert.equal(await frame.isChecked("#sd-keep-thread"), true, "a conversation is kept unless unticked");
    await send(frame, page);
    await frame.waitForSelector("#sd-followup-key", { timeout: 30000 });
    const receipt = (await frame.textContent("#sd-receipt")).trim();
    const key = (await frame.textContent("#sd-followup-key")).trim();
    assert.match(key, /^sdkey1[02-9ac-hj-np-z]{58}$/);
    assert.match(await frame.textContent("#sd-answer-within"), /within 7 days/);
    // The key holds the receipt; the token derived from its secret is what the receiver keeps.
    const raw = decodeKey(key);
    assert.equal("sd-" + raw.subarray(0, 16).toString("hex"), receipt);
    const token = Buffer.from(hkdfSync("sha256", raw.subarray(16), "sealdrop follow-up v1", "sealdrop access token", 32));
    const posted = await Promise.all(requests.filter((r) => r.req.method() === "POST").map((r) => r.headers));
    assert.ok(posted.some((hd) => hd["sealdrop-thread"] === createHash("sha256").update(token).digest("hex")),
      "the report carried the token's hash");

    // The security team answers with a status.
    const out = sealdrop(["inbox", "reply", receipt, "-i", h.key, "--data-dir", h.data,
      "-m", "We reproduced it. A fix is planned.", "--status", "triaged", "--expected", "2026-12-01"]);
    assert.match(out, /Replied to sd-/);

    // The conversation view is a module of its own: nobody downloads it before following up.
    const threadModule = () => requests.filter((r) => /\/thread-[0-9a-f]+(\.js|_bg\.wasm)$/.test(r.req.url())).length;
    assert.equal(threadModule(), 0, "the conversation module is not loaded with the form");
    // The researcher opens the conversation from the receipt screen.
    await frame.click("#sd-open-thread");
    await frame.waitForSelector("#sd-thread-status", { timeout: 20000 });
    assert.equal((await frame.textContent("#sd-thread-status")).trim(), "Status: Triaged, expected by 2026-12-01");
    assert.equal(threadModule(), 2, "following up loads the conversation module (glue and wasm)");
    assert.match(await frame.textContent("#sd-messages"), /We reproduced it\. A fix is planned\./);
    // ...and answers with a file.
    await frame.fill("#sd-reply-text", secretText);
    const poc = Buffer.from(`curl https://billing.example.com/invoices/3 ${randomBytes(4).toString("hex")}\n`);
    await frame.setInputFiles("#sd-reply-files", [{ name: "poc.sh", mimeType: "text/plain", buffer: poc }]);
    await frame.waitForSelector("#sd-reply-send:not([disabled])", { timeout: 20000 });
    await frame.focus("#sd-reply-send");
    await page.keyboard.press("Enter");
    await frame.waitForFunction(() => document.querySelectorAll("#sd-messages > li").length === 2, null, { timeout: 30000 });
    assert.match(await frame.textContent("#sd-reply-note"), /Your answer was sent/);

    // The team reads it; and Go age opens the stored message with the organization's key.
    const thread = sealdrop(["inbox", "thread", receipt, "-i", h.key, "--data-dir", h.data]);
    assert.ok(thread.includes("IDOR on invoices"), thread);
    assert.ok(thread.includes("Status: triaged, expected 2026-12-01"), thread);
    assert.ok(thread.includes(secretText), thread);
    assert.ok(thread.includes("attachment poc.sh"), thread);
    const auth = { Authorization: `Bearer ${token.toString("hex")}` };
    const list = await (await fetch(`${h.widget}/v1/reports/${receipt}/messages`, { headers: auth })).json();
    assert.deepEqual(list.messages.map((m) => m.from), ["organization", "reporter"]);
    const sealed = Buffer.from(await (await fetch(`${h.widget}/v1/reports/${receipt}/messages/${list.messages[1].id}`, { headers: auth })).arrayBuffer());
    writeFileSync(join(h.dir, "answer.age"), sealed);
    const opened = join(h.dir, "answer");
    mkdirSync(opened);
    execSync(`age -d -i ${h.key} ${join(h.dir, "answer.age")} | tar -x -C ${opened}`, { shell: "/bin/bash" });
    const msg = JSON.parse(readFileSync(join(opened, "message.json"), "utf8"));
    assert.equal(msg.from, "reporter");
    assert.equal(msg.text, secretText);
    assert.deepEqual(readFileSync(join(opened, "attachments/poc.sh")), poc);

    // Nothing carried the plaintext or the key: requests (URL, headers, bodies), console lines,
    // browser storage of both origins, the host page.
    const bodies = (await frame.evaluate(() => window.__bodies)).map((b) => Buffer.from(b, "base64"));
    for (const { req, headers } of requests) {
      const text = req.url() + JSON.stringify(await headers) + (req.postData() ?? "");
      for (const needle of [key, secretText, "We reproduced it"]) assert.ok(!text.includes(needle), `${needle} in ${req.url()}`);
    }
    for (const b of bodies) {
      assert.ok(b.subarray(0, 22).toString() === "age-encryption.org/v1\n", "every body is age ciphertext");
      for (const needle of [key, secretText, poc.toString()]) assert.ok(!b.includes(needle));
    }
    for (const line of consoleLines) for (const needle of [key, secretText]) assert.ok(!line.includes(needle), line);
    for (const f of [frame, page]) {
      const stored = await f.evaluate(() => JSON.stringify({ l: { ...localStorage }, s: { ...sessionStorage }, c: document.cookie }));
      for (const needle of [key, secretText, receipt]) assert.ok(!stored.includes(needle), stored);
    }
    for (const needle of [key, secretText, token.toString("hex")]) assert.ok(!h.serverLog().includes(needle), "in the receiver's log");
    const host = await page.evaluate(() => document.documentElement.outerHTML);
    for (const needle of [key, secretText, "We reproduced it"]) assert.ok(!host.includes(needle), "the host page sees it");

    // A mistyped key is caught in the page; a well-formed key that opens nothing says so.
    const fresh = await context.newPage();
    await fresh.goto(h.vendor + "/");
    const f2 = await frameOf(fresh);
    await f2.click("#sd-follow-up");
    await f2.waitForSelector("#sd-thread-key");
    const typo = key.slice(0, 20) + (key[20] === "q" ? "p" : "q") + key.slice(21);
    const before = requests.length;
    await f2.fill("#sd-thread-key", typo);
    await f2.click("#sd-thread-open");
    await f2.waitForSelector("#sd-thread-key-error");
    assert.match(await f2.textContent("#sd-thread-key-error"), /typo/);
    assert.equal(await f2.getAttribute("#sd-thread-key", "aria-invalid"), "true");
    await f2.fill("#sd-thread-key", receipt);
    await f2.click("#sd-thread-open");
    await f2.waitForFunction(() => /not a follow-up key/.test(document.querySelector("#sd-thread-key-error")?.textContent ?? ""));
    assert.ok(requests.slice(before).every((r) => !r.req.url().includes("/messages")), "a bad key never reaches the server");
    const unknown = encodeKey(Buffer.concat([raw.subarray(0, 16), randomBytes(16)]));
    await f2.fill("#sd-thread-key", unknown);
    await f2.click("#sd-thread-open");
    await f2.waitForFunction(() => /No conversation matches this key/.test(document.querySelector("#sd-thread-key-error")?.textContent ?? ""), null, { timeout: 20000 });
    // The form behind the conversation kept nothing lost: back to it, the first step is there.
    await f2.click("#sd-thread-close");
    await f2.waitForSelector("#sd-title");
  } finally {
    await h.stop();
  }
});

test("inline mode: the receipt's key opens the conversation from the host page's origin", async () => {
  const h = await start({
    pages: ({ widget, recipient }) => ({
      "/": [vendorPage(widget, { attrs: `data-mode="inline" data-recipients="${recipient}" data-endpoint="/v1/reports" data-response-days="10"` })],
    }),
  });
  try {
    const page = await (await h.browser.newContext()).newPage();
    await page.goto(h.vendor + "/");
    await page.waitForSelector("#sd-title", { timeout: 20000 });
    await fillReport(page, page, {
      title: "Inline conversation", kind: "CWE-79", url: "https://app.example.com/", steps: "1. Open", prereq: "",
      impact: "XSS", cvss: "", name: "", handle: "", email: "",
    });
    await send(page, page);
    await page.waitForSelector("#sd-followup-key", { timeout: 30000 });
    assert.match(await page.textContent("#sd-answer-within"), /within 10 days/);
    const receipt = (await page.textContent("#sd-receipt")).trim();
    sealdrop(["inbox", "reply", receipt, "-i", h.key, "--data-dir", h.data, "-m", "Fixed in 2.4.1.", "--status", "fixed"]);
    // Keyboard only: the button, then the thread's heading has focus.
    await page.focus("#sd-open-thread");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#sd-thread-status", { timeout: 20000 });
    assert.equal((await page.textContent("#sd-thread-status")).trim(), "Status: Fixed");
    assert.match(await page.textContent("#sd-messages"), /Fixed in 2\.4\.1\./);
  } finally {
    await h.stop();
  }
});
