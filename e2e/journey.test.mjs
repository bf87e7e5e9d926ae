// 1. A researcher's journey, keyboard only, two attachments, in iframe mode; the report opened
//    by `sealdrop inbox open` and by Go `age -d | tar -x` equals what was typed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { start, vendorPage, sealdrop, storedCount, join } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

test("keyboard-only journey, opened by sealdrop and by stock age + tar", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }) });
  try {
    const page = await h.browser.newPage();
    await page.goto(h.vendor + "/");
    const frame = await frameOf(page);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 3000 }, (_, i) => i % 251)]);
    const log = Buffer.from("GET /download?f=../../etc/passwd 200\n".repeat(50));
    const r = {
      title: "Path traversal in file download", kind: "CWE-22", url: "https://files.example.com/download?f=x",
      steps: "1. Log in\n2. GET /download?f=../../etc/passwd\n3. Observe the file", prereq: "Any free account",
      impact: "Any file readable by the web server can be read.", cvss: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
      name: "Ada Lovelace", handle: "ada", email: "ada@example.org",
      files: [{ name: "screenshot.png", mimeType: "image/png", buffer: png }, { name: "access.log", mimeType: "text/plain", buffer: log }],
    };
    await fillReport(frame, page, r);
    await send(frame, page);
    await frame.waitForSelector("#sd-receipt", { timeout: 30000 });
    const receipt = (await frame.textContent("#sd-receipt")).trim();
    assert.match(receipt, /^sd-[0-9a-f]{32}$/);
    assert.equal(storedCount(h), 1);

    const out = join(h.dir, "opened");
    const md = sealdrop(["inbox", "open", receipt, "-i", h.key, "--data-dir", h.data, "--out", out]);
    // The printout names the receipt the researcher holds, then report.md.
    assert.ok(md.startsWith(`Receipt: ${receipt}\n\n# ${r.title}\n`), md.slice(0, 200));
    const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(json.schema, "sealdrop.report.v1");
    assert.deepEqual(json.type, { id: "CWE-22", name: "Path traversal" });
    assert.equal(json.title, r.title);
    assert.deepEqual(json.affected, [{ kind: "url", value: r.url }]);
    assert.equal(json.steps, r.steps);
    assert.equal(json.prerequisites, r.prereq);
    assert.equal(json.impact, r.impact);
    assert.deepEqual(json.severity, { vector: r.cvss, score: 6.5, rating: "medium" });
    assert.deepEqual(json.reporter, { name: r.name, handle: r.handle, email: r.email, credit: "handle" });
    assert.equal(json.policy.url, `${h.vendor}/policy`);
    assert.deepEqual(readFileSync(join(out, "attachments/screenshot.png")), png);
    assert.deepEqual(readFileSync(join(out, "attachments/access.log")), log);

    // Stock tools on the stored ciphertext: age -d | tar -x gives the same bundle.
    const stock = join(h.dir, "stock");
    mkdirSync(stock);
    sealdrop(["inbox", "export", receipt, "--data-dir", h.data, "-o", join(h.dir, "report.age")]);
    execSync(`age -d -i ${h.key} ${join(h.dir, "report.age")} | tar -x -C ${stock}`, { shell: "/bin/bash" });
    for (const f of ["report.json", "report.md", "attachments/screenshot.png", "attachments/access.log"]) {
      assert.deepEqual(readFileSync(join(stock, f)), readFileSync(join(out, f)), f);
    }
  } finally {
    await h.stop();
  }
});

// Evidence as people give it, in both embed modes: a log dropped onto the evidence step and a
// screenshot pasted into it arrive byte for byte, opened by `sealdrop inbox open`.
for (const mode of ["iframe", "inline"]) {
  test(`${mode} mode: a dropped file and a pasted screenshot are sealed and arrive whole`, async () => {
    const h = await start({
      pages: ({ widget, recipient }) => ({
        "/": [mode === "inline"
          ? vendorPage(widget, { attrs: `data-mode="inline" data-recipients="${recipient}" data-endpoint="/v1/reports"` })
          : vendorPage(widget)],
      }),
    });
    try {
      const page = await h.browser.newPage();
      await page.goto(h.vendor + "/");
      const frame = mode === "inline" ? page : await frameOf(page);
      if (mode === "inline") await page.waitForSelector("#sd-title", { timeout: 20000 });
      const shot = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 2000 }, (_, i) => (i * 7) % 256)]);
      const log = Buffer.from("POST /api/export 500 stack trace\n".repeat(40));
      await fillReport(frame, page, {
        title: `Dropped evidence (${mode})`, kind: "CWE-200", url: "https://app.example.com/export", steps: "1. Export", prereq: "",
        impact: "Leaks stack traces.", cvss: "", name: "", handle: "", email: "",
        drop: [{ name: "server.log", mimeType: "text/plain", buffer: log }],
        paste: [{ name: "image.png", mimeType: "image/png", buffer: shot }],
      });
      await send(frame, page);
      await frame.waitForSelector("#sd-receipt", { timeout: 30000 });
      const receipt = (await frame.textContent("#sd-receipt")).trim();
      const out = join(h.dir, "opened");
      sealdrop(["inbox", "open", receipt, "-i", h.key, "--data-dir", h.data, "--out", out]);
      assert.deepEqual(readFileSync(join(out, "attachments/server.log")), log);
      assert.deepEqual(readFileSync(join(out, "attachments/image.png")), shot);
    } finally {
      await h.stop();
    }
  });
}
