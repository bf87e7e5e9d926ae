// 6. Accessibility: axe-core on every step, the error states, the receipt and the
//    delivery-failure screen, at desktop width and at 375 px: 0 serious or critical violations.
// 7. Broken configurations show their message in place of the form and send nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";
import { start, vendorPage, readFileSync, join, ROOT } from "./harness.mjs";
import { frameOf } from "./form.mjs";

async function axe(page, label) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `axe on ${label}`);
}

/** Elements of the form that stick out of the viewport or have content cut off sideways
 * (text fields scroll by nature and are left out). */
async function overflowing(f) {
  return f.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll(".sd-app *")].filter((el) => {
      if (["INPUT", "TEXTAREA", "OPTION"].includes(el.tagName)) return false;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return false;
      return r.right > width + 0.5 || el.scrollWidth > el.clientWidth + 1;
    }).map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className}: "${(el.textContent || "").slice(0, 40)}"`);
  });
}

test("axe: every step, errors, receipt and failure screen, at 1280 and 375 px", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }) });
  try {
    for (const width of [1280, 375]) {
      const context = await h.browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      let fail = false;
      await context.route("**/v1/reports", (route) => (fail ? route.fulfill({ status: 400, contentType: "application/json", body: '{"error":"refused","code":"x"}' }) : route.continue()));
      await page.goto(h.vendor + "/");
      const f = await frameOf(page);
      await axe(page, `kind @${width}`);
      assert.deepEqual(await overflowing(f), [], `kind step overflows at ${width}`);
      // The disclosure policy is linked from the first step, not discovered by a refused Send.
      assert.equal(await f.getAttribute("#sd-policy-first", "href"), `${h.vendor}/policy`);
      await f.click("#sd-next");
      await f.waitForSelector(".sd-summary");
      await axe(page, `kind errors @${width}`);
      await f.fill("#sd-title", "Open redirect on login");
      await f.check("#sd-kind-cwe-601");
      await f.click("#sd-next");
      await f.fill("#sd-affected-0", "ftp://bad");
      await f.click("#sd-next");
      await axe(page, `where errors @${width}`);
      await f.fill("#sd-affected-0", "https://app.example.com/api/orders/1234567890123456789/items?next=//evil.example/login");
      await f.click("#sd-next");
      await f.fill("#sd-steps", "Open the link, log in, land on evil.example");
      await axe(page, `reproduce @${width}`);
      await f.click("#sd-next");
      await f.fill("#sd-impact", "Phishing with a trusted domain");
      await f.fill("#sd-cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N");
      await axe(page, `impact @${width}`);
      await f.click("#sd-next");
      await f.setInputFiles("#sd-files", [{ name: "screen-recording-of-the-open-redirect-2026-11-23T10-00-00.webm",
        mimeType: "video/webm", buffer: Buffer.from("not really a video") }]);
      await f.waitForSelector(".sd-files code.sd-file-digest");
      // Only the list of chosen files: the input's own "No file chosen" text is not shown.
      assert.equal(await f.evaluate(() => getComputedStyle(document.querySelector("#sd-files")).color), "rgba(0, 0, 0, 0)");
      await axe(page, `evidence @${width}`);
      assert.deepEqual(await overflowing(f), [], `evidence overflows at ${width}`);
      await f.click("#sd-next");
      await axe(page, `about @${width}`);
      await f.click("#sd-next");
      await axe(page, `review @${width}`);
      assert.deepEqual(await overflowing(f), [], `review overflows at ${width}`);
      await f.click("#sd-send");
      await f.waitForSelector(".sd-summary");
      await axe(page, `review errors @${width}`);
      // The acknowledgement's box and its label start on one line.
      const [box, label] = await f.evaluate(() => ["#sd-policy", "label[for=sd-policy]"].map((s) => document.querySelector(s).getBoundingClientRect().top));
      assert.ok(Math.abs(box - label) < 12, `checkbox at ${box}, label at ${label}`);
      await f.check("#sd-policy");
      fail = width === 1280; // the receipt at phone width, the failure screen at desktop width
      await f.click("#sd-send");
      await f.waitForSelector(fail ? "#sd-failure-reason" : "#sd-receipt", { timeout: 30000 });
      await axe(page, `${fail ? "failure" : "receipt"} @${width}`);
      assert.deepEqual(await overflowing(f), [], `${fail ? "failure" : "receipt"} overflows at ${width}`);
      if (!fail) {
        // The follow-up key on the receipt, then the conversation view (empty), then the key
        // form with an error.
        await f.waitForSelector("#sd-followup-key");
        await f.click("#sd-open-thread");
        await f.waitForSelector("#sd-thread-empty", { timeout: 20000 });
        await axe(page, `thread @${width}`);
        assert.deepEqual(await overflowing(f), [], `thread overflows at ${width}`);
        await f.click("#sd-thread-close");
        await f.click("#sd-new-report");
        await f.click("#sd-follow-up");
        await f.fill("#sd-thread-key", "sdkey1qqqq");
        await f.click("#sd-thread-open");
        await f.waitForSelector("#sd-thread-key-error");
        await axe(page, `thread key error @${width}`);
        assert.deepEqual(await overflowing(f), [], `thread key form overflows at ${width}`);
      }
      // Nothing overflows sideways at this width.
      const overflow = await f.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at ${width}`);
      await context.close();
    }
  } finally {
    await h.stop();
  }
});

test("broken configurations show their message and send nothing", async () => {
  const attrs = (extra) => `data-mode="inline" ${extra}`;
  const h = await start({
    pages: ({ widget, recipient }) => ({
      "/no-recipient": [vendorPage(widget, { attrs: attrs(`data-endpoint="${widget}/v1/reports"`) })],
      "/secret-key": [vendorPage(widget, { attrs: attrs(`data-recipients="AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQ" data-endpoint="${widget}/v1/reports"`) })],
      "/bad-recipient": [vendorPage(widget, { attrs: attrs(`data-recipients="age1notarealkey" data-endpoint="${widget}/v1/reports"`) })],
      "/plain-http": [vendorPage(widget, { attrs: attrs(`data-recipients="${recipient}" data-endpoint="http://reports.example.com/v1"`) })],
      "/unknown": [vendorPage(widget, { attrs: attrs(`data-recipients="${recipient}" data-endpoint="${widget}/v1/reports" data-colour="red"`) })],
      "/swapped-key": [vendorPage(widget, { attrs: `data-recipients="age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"` })],
      "/bad-mode": [vendorPage(widget, { attrs: `data-mode="popup"` })],
      // iframe mode with the loader on the page's own origin: the frame would be open to the page.
      "/sealdrop.js": [readFileSync(join(ROOT, "dist/sealdrop.js"), "utf8"), { "Content-Type": "text/javascript" }],
      "/same-origin": [vendorPage("")],
      // Opened as http://localhost:PORT, an origin the receiver was not told to allow: the
      // browser refuses the frame, and the loader says what to do instead of a grey icon.
      "/refused": [vendorPage(widget)],
    }),
  });
  const expected = {
    "/no-recipient": "no age recipient", "/secret-key": "PRIVATE key", "/bad-recipient": "checksum",
    "/plain-http": "https://", "/unknown": "data-colour", "/swapped-key": "differ from the recipients", "/bad-mode": "not a mode",
    "/same-origin": "another origin than this page",
    "/refused": "--allow-origin http://localhost:",
  };
  try {
    const context = await h.browser.newContext();
    const posts = [];
    context.on("request", (r) => { if (r.method() === "POST") posts.push(r.url()); });
    for (const [path, needle] of Object.entries(expected)) {
      const page = await context.newPage();
      const errors = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      await page.goto((path === "/refused" ? h.vendor.replace("127.0.0.1", "localhost") : h.vendor) + path);
      const where = path === "/swapped-key" ? await (await page.waitForSelector("iframe")).contentFrame() : page;
      await where.waitForSelector("[role=alert]", { timeout: 20000 });
      const shown = await where.evaluate(() => {
        const host = document.querySelector(".sealdrop-embed");
        const root = host && host.shadowRoot ? host.shadowRoot : document;
        return root.textContent || document.body.textContent;
      });
      assert.ok(shown.includes("misconfigured"), `${path}: ${shown}`);
      assert.ok(shown.includes(needle), `${path} should mention ${needle}: ${shown}`);
      assert.equal(await where.evaluate(() => !!document.querySelector("#sd-send")), false);
      if (path === "/same-origin") assert.equal(await page.evaluate(() => document.querySelectorAll("iframe").length), 0);
      if (path !== "/swapped-key") assert.ok(errors.some((e) => e.includes("sealdrop")), `${path}: no console error`);
      await page.close();
    }
    assert.deepEqual(posts, []);
  } finally {
    await h.stop();
  }
});
