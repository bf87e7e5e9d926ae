// 4. A hostile host page records every keydown and input event, wraps fetch and
//    XMLHttpRequest, and restyles everything: in iframe mode it observes none of the report's
//    text, and the form looks the same as on a plain page.
// 5. A strict-CSP host page (script-src 'self' <widget origin>, no unsafe-inline): the widget
//    loads and delivers with 0 CSP violations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, vendorPage, storedCount } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

const SPY = `<script>
  window.seen = [];
  for (const t of ["keydown", "keyup", "keypress", "input", "change", "paste"]) {
    document.addEventListener(t, (e) => window.seen.push(t + ":" + (e.key || "") + ":" + (e.target && e.target.value || "")), true);
  }
  const f = window.fetch; window.fetch = (...a) => { window.seen.push("fetch:" + JSON.stringify(a)); return f(...a); };
  const o = XMLHttpRequest.prototype.send; XMLHttpRequest.prototype.send = function (b) { window.seen.push("xhr:" + b); return o.call(this, b); };
</script>
<style>* { color: #f0f !important; background: #ff0 !important; font-family: monospace !important; font-size: 30px !important; letter-spacing: 3px !important; }</style>`;

const r = {
  title: "HOSTILE-TITLE-SENTINEL", kind: "CWE-79", url: "https://app.example.com/HOSTILE-URL", steps: "HOSTILE-STEPS",
  prereq: "", impact: "HOSTILE-IMPACT", cvss: "", name: "", handle: "", email: "",
};

/** Fraction of differing pixels between two PNGs, decoded by the browser itself. */
async function pixelDiff(page, a, b) {
  return page.evaluate(async ([a, b]) => {
    const load = async (b64) => { const img = new Image(); img.src = "data:image/png;base64," + b64; await img.decode(); return img; };
    const [x, y] = [await load(a), await load(b)];
    if (x.width !== y.width || x.height !== y.height) return 1;
    const data = (img) => { const c = new OffscreenCanvas(img.width, img.height); const g = c.getContext("2d"); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
    const [p, q] = [data(x), data(y)];
    // The iframe may sit at a fractional offset on a restyled page: allow a shift of 2 px.
    const w = x.width, h = x.height;
    let best = 1;
    for (let dy = -2; dy <= 2; dy++) {
      let diff = 0, n = 0;
      for (let row = 2; row < h - 2; row++) {
        for (let col = 0; col < w; col++) {
          const i = (row * w + col) * 4, j = ((row + dy) * w + col) * 4;
          n++;
          if (Math.abs(p[i] - q[j]) + Math.abs(p[i + 1] - q[j + 1]) + Math.abs(p[i + 2] - q[j + 2]) > 30) diff++;
        }
      }
      best = Math.min(best, diff / n);
    }
    return best;
  }, [a.toString("base64"), b.toString("base64")]);
}

test("a hostile host page observes nothing and cannot restyle the form", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/plain": [vendorPage(widget)], "/hostile": [vendorPage(widget, { head: SPY })], "/policy": ["<p>policy</p>"] }) });
  try {
    const shots = [];
    for (const path of ["/plain", "/hostile"]) {
      const page = await h.browser.newPage({ viewport: { width: 900, height: 900 } });
      await page.goto(h.vendor + path);
      const frame = await frameOf(page);
      await page.waitForTimeout(300);
      shots.push(await (await page.$("iframe")).screenshot());
      if (path === "/hostile") {
        await fillReport(frame, page, r);
        await send(frame, page);
        await frame.waitForSelector("#sd-receipt", { timeout: 30000 });
        const seen = JSON.stringify(await page.evaluate(() => window.seen));
        for (const s of ["HOSTILE", "TITLE", "SENTINEL"]) assert.ok(!seen.includes(s), `host page saw ${s}: ${seen.slice(0, 300)}`);
      }
      await page.close();
    }
    const page = await h.browser.newPage();
    const diff = await pixelDiff(page, shots[0], shots[1]);
    assert.ok(diff < 0.01, `the form looks different on the hostile page: ${(diff * 100).toFixed(2)}% of pixels`);
    assert.equal(storedCount(h), 1);
  } finally {
    await h.stop();
  }
});

test("strict CSP host page: the widget loads and delivers with 0 violations", async () => {
  const h = await start({
    pages: ({ widget }) => ({
      "/": [vendorPage(widget, { body: '<script src="/report-violations.js"></script>' }),
        { "Content-Security-Policy": `default-src 'self'; script-src 'self' ${widget}; frame-src ${widget}; style-src 'self'` }],
      "/report-violations.js": ["window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));", { "Content-Type": "text/javascript" }],
      "/policy": ["<p>policy</p>"],
    }),
  });
  try {
    const page = await h.browser.newPage();
    const console = [];
    page.on("console", (m) => { if (/Content Security Policy|CSP/i.test(m.text())) console.push(m.text()); });
    await page.goto(h.vendor + "/");
    const frame = await frameOf(page);
    await frame.evaluate(() => { window.violations = []; document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.violatedDirective)); });
    await fillReport(frame, page, { ...r, title: "Under CSP" });
    await send(frame, page);
    await frame.waitForSelector("#sd-receipt", { timeout: 30000 });
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(await frame.evaluate(() => window.violations), []);
    assert.deepEqual(console, []);
    assert.equal(storedCount(h), 1);
  } finally {
    await h.stop();
  }
});
