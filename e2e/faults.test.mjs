// 3. Faults: 503, 429 with Retry-After, a reset connection, a timeout and going offline before
//    recovering: each report is stored exactly once. When the endpoint never recovers, the
//    researcher downloads the sealed report and it decrypts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, vendorPage, sealdrop, storedCount, join } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

const report = (title) => ({
  title, kind: "CWE-352", url: "https://app.example.com/settings", steps: "1. Visit the attacker page", prereq: "",
  impact: "Changes the victim's email", cvss: "", name: "", handle: "", email: "",
});

async function newFrame(h) {
  const context = await h.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(h.vendor + "/");
  return { context, page, frame: await frameOf(page) };
}

test("every fault before recovery: stored exactly once", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }) });
  try {
    const { context, page, frame } = await newFrame(h);
    const plan = ["503", "429", "reset", "timeout"];
    const attempts = [];
    await context.route("**/v1/reports", async (route) => {
      const step = plan[attempts.length];
      attempts.push(step || "through");
      if (step === "503") return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"busy","code":"storage_unavailable"}' });
      if (step === "429") return route.fulfill({ status: 429, headers: { "Retry-After": "1" }, contentType: "application/json", body: '{"error":"slow down","code":"rate_limited"}' });
      if (step === "reset") return route.abort("connectionreset");
      if (step === "timeout") return route.abort("timedout");
      return route.continue();
    });
    await fillReport(frame, page, report("Fault tolerant"));
    await send(frame, page);
    await frame.waitForSelector("#sd-receipt", { timeout: 60000 });
    assert.deepEqual(attempts, ["503", "429", "reset", "timeout", "through"]);
    assert.equal(storedCount(h), 1);

    // Offline for the first attempt, then back.
    await context.unroute("**/v1/reports");
    const second = await newFrame(h);
    await fillReport(second.frame, second.page, report("Offline first"));
    await second.context.setOffline(true);
    await send(second.frame, second.page);
    await second.frame.waitForSelector("text=trying again", { timeout: 20000 });
    await second.context.setOffline(false);
    await second.frame.waitForSelector("#sd-receipt", { timeout: 60000 });
    assert.equal(storedCount(h), 2);
  } finally {
    await h.stop();
  }
});

test("an endpoint that never recovers: the sealed report is downloaded and decrypts", async () => {
  const h = await start({ pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }) });
  try {
    const { context, page, frame } = await newFrame(h);
    let attempts = 0;
    await context.route("**/v1/reports", (route) => { attempts++; return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"down","code":"storage_unavailable"}' }); });
    await fillReport(frame, page, report("Never delivered"));
    await send(frame, page);
    await frame.waitForSelector("#sd-failure-reason", { timeout: 60000 });
    assert.equal(attempts, 5);
    const armored = await frame.inputValue("#sd-armored");
    assert.ok(armored.startsWith("-----BEGIN AGE ENCRYPTED FILE-----"));
    const mail = await frame.getAttribute("a[href^='mailto:']", "href");
    assert.ok(mail.startsWith("mailto:security@example.com?subject=%5BSECURITY%5D%20Example"));
    const [download] = await Promise.all([page.waitForEvent("download"), frame.click("#sd-download-sealed")]);
    const file = join(h.dir, "fallback.age");
    await download.saveAs(file);
    const md = sealdrop(["inbox", "open", file, "-i", h.key, "--out", join(h.dir, "fallback")]);
    assert.ok(md.startsWith("# Never delivered\n"));
    assert.equal(storedCount(h), 0);
  } finally {
    await h.stop();
  }
});
