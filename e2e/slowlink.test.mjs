// 6. A large report over a slow uplink arrives: the upload takes longer than the 30 s that
//    used to end every attempt, the form shows its progress, and the report is stored once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { start, vendorPage, storedCount } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

const UPLINK = 64 * 1024; // bytes per second
const SIZE = 2_300_000; // about 35 s at UPLINK

test("a 2.3 MB report over a 64 KB/s uplink arrives, with its progress shown", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }) });
  try {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(h.vendor + "/");
    const frame = await frameOf(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions",
      { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: UPLINK });
    await fillReport(frame, page, {
      title: "Slow uplink", kind: "CWE-200", url: "https://app.example.com/export", steps: "1. Export", prereq: "",
      impact: "Leaks data", cvss: "", name: "", handle: "", email: "",
      files: [{ name: "capture.pcap", mimeType: "application/vnd.tcpdump.pcap", buffer: randomBytes(SIZE) }],
    });
    const started = Date.now();
    await send(frame, page);
    await frame.waitForSelector("#sd-upload", { timeout: 30000 });
    const seen = [];
    while (!(await frame.$("#sd-receipt")) && Date.now() - started < 150000) {
      const bar = await frame.$("#sd-upload");
      if (bar) seen.push(Number(await bar.getAttribute("value")));
      await new Promise((r) => setTimeout(r, 2000));
    }
    await frame.waitForSelector("#sd-receipt", { timeout: 1000 });
    const took = Date.now() - started;
    assert.ok(took > 31000, `the uplink was throttled: the upload took ${took} ms, more than one old 30 s attempt`);
    assert.equal(storedCount(h), 1, "stored once: no attempt was abandoned and retried");
    const moving = seen.filter((v, i) => i > 0 && v > seen[i - 1]).length;
    assert.ok(moving >= 5 && seen.every((v) => v >= 0 && v <= 100), `progress moved: ${seen.join(", ")}`);
  } finally {
    await h.stop();
  }
});
