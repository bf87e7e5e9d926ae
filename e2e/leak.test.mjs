// 2. No plaintext leaves the browser: 20 randomized reports with distinct sentinels in every
//    field and attachment. Every request is recorded (URL, headers, body): no sentinel anywhere,
//    every report body is age ciphertext, no request goes to a third origin, and browser storage
//    holds no sentinel after submit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { start, vendorPage, storedCount } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

const KINDS = ["CWE-79", "CWE-89", "CWE-78", "CWE-918", "CWE-22", "CWE-639", "CWE-352", "CWE-611"];

test("20 reports: 0 sentinel hits, only ciphertext, only first-party origins", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }) });
  try {
    const context = await h.browser.newContext();
    const requests = [];
    // Headers are read while the request is alive; pages are closed after each report.
    context.on("request", (req) => requests.push({ req, headers: req.allHeaders().catch(() => req.headers()) }));
    // The report is uploaded as a Blob, whose bytes the DevTools protocol does not show: every
    // body handed to XMLHttpRequest.send is copied (base64) as the page sends it.
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
        } else if (body != null) {
          window.__bodies.push(btoa(String(body)));
        }
        return send.call(this, body);
      };
    });
    const bodies = [];
    const sentinels = [];
    for (let n = 0; n < 20; n++) {
      const s = (field) => {
        const v = `SNTL${field}${randomBytes(6).toString("hex")}`;
        sentinels.push(v);
        return v;
      };
      const r = {
        title: `Title ${s("ti")}`, kind: KINDS[n % KINDS.length], url: `https://app.example.com/${s("ur")}`,
        steps: `Step ${s("st")}\nmore`, prereq: `Needs ${s("pr")}`, impact: `Impact ${s("im")}`,
        cvss: n % 2 ? "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" : "",
        name: `Name ${s("na")}`, handle: s("ha"), email: `${s("em")}@example.org`,
        files: [{ name: `${s("fn")}.txt`, mimeType: "text/plain", buffer: Buffer.from(`file body ${s("fb")}`) }],
      };
      const page = await context.newPage();
      await page.goto(h.vendor + "/");
      const frame = await frameOf(page);
      await fillReport(frame, page, r);
      await send(frame, page);
      await frame.waitForSelector("#sd-receipt", { timeout: 30000 });
      bodies.push(...(await frame.evaluate(() => window.__bodies)).map((b) => Buffer.from(b, "base64")));
      // Browser storage of both origins after submit.
      const stored = await frame.evaluate(async () => JSON.stringify({
        local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie,
        idb: (await indexedDB.databases()).map((d) => d.name),
        caches: await caches.keys(),
      }));
      const hostStored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
      for (const v of sentinels) {
        assert.ok(!stored.includes(v) && !hostStored.includes(v), `sentinel ${v} in browser storage`);
      }
      await page.close();
    }
    assert.equal(storedCount(h), 20);
    const allowed = new Set([h.vendor, h.widget]);
    let posts = 0;
    for (const { req, headers: pending } of requests) {
      const url = req.url();
      if (url.startsWith("data:") || url.startsWith("blob:")) continue;
      assert.ok(allowed.has(new URL(url).origin), `request to a third origin: ${url}`);
      const headers = JSON.stringify(await pending);
      const body = req.postDataBuffer() || Buffer.alloc(0);
      const text = url + headers + body.toString("latin1");
      for (const v of sentinels) assert.ok(!text.includes(v), `sentinel ${v} left the browser in ${req.method()} ${url}`);
      if (req.method() === "POST") posts++;
    }
    assert.equal(posts, 20);
    assert.equal(bodies.length, 20, "every POST body was seen");
    for (const body of bodies) {
      assert.ok(body.subarray(0, 22).toString() === "age-encryption.org/v1\n", "a POST body is not age ciphertext");
      const text = body.toString("latin1");
      for (const v of sentinels) assert.ok(!text.includes(v), `sentinel ${v} left the browser in a POST body`);
    }
    assert.equal(sentinels.length, 20 * 10);
  } finally {
    await h.stop();
  }
});
