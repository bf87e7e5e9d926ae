// 13. `sealdrop embed`: the printed script tag, integrity hash included, loads the form on the
//     vendor's page; the same tag with a hash of other bytes is refused by the browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, sealdrop, ROOT, join } from "./harness.mjs";
import { frameOf } from "./form.mjs";

test("the tag sealdrop embed prints loads the form, and a wrong integrity hash is refused", async () => {
  let tag = "";
  const h = await start({
    pages: ({ widget, vendor, recipient }) => {
      const out = sealdrop(["embed", "--origin", widget, "--recipient", recipient, "--widget-dir", join(ROOT, "dist"),
        "--allow-origin", vendor]);
      tag = out.split("\n")[0];
      const tampered = tag.replace(/integrity="sha384-([A-Za-z0-9+/]{4})/, 'integrity="sha384-AAAA');
      const page = (t) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Security</title></head><body><main><h1>Report</h1>${t}</main></body></html>`;
      return { "/": [page(tag)], "/tampered": [page(tampered)] };
    },
  });
  try {
    assert.match(tag, /^<script src="http:\/\/127\.0\.0\.1:\d+\/sealdrop\.js" integrity="sha384-[A-Za-z0-9+/]{64}" crossorigin="anonymous" async><\/script>$/);
    const page = await h.browser.newPage();
    await page.goto(h.vendor + "/");
    const frame = await frameOf(page);
    assert.ok(await frame.$("#sd-title"));

    const other = await h.browser.newPage();
    const errors = [];
    other.on("console", (m) => errors.push(m.text()));
    await other.goto(h.vendor + "/tampered");
    await other.waitForTimeout(2000);
    assert.equal(await other.$("iframe"), null, "a loader that does not match its hash never runs");
    assert.ok(errors.some((e) => /integrity/i.test(e)), errors.join("\n"));
  } finally {
    await h.stop();
  }
});
