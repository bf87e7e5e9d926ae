// 8. Screenshots of each step at desktop width and at 375 px, into docs/screenshots/.
//    Regenerate with: scripts/screenshots.sh
import { mkdirSync } from "node:fs";
import { start, vendorPage, sealdrop, ROOT, join } from "./harness.mjs";
import { frameOf } from "./form.mjs";

const out = join(ROOT, "docs/screenshots");
mkdirSync(out, { recursive: true });
const h = await start({
  pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }),
  serveArgs: ["--response-days", "7"],
});
try {
  for (const [label, width] of [["desktop", 1024], ["mobile", 375]]) {
    const context = await h.browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(h.vendor + "/");
    const f = await frameOf(page);
    const shot = async (name) => {
      await page.waitForTimeout(250);
      await (await page.$("iframe")).screenshot({ path: join(out, `${name}-${label}.png`) });
    };
    await shot("1-kind");
    await f.click("#sd-next");
    await shot("1-kind-errors");
    await f.fill("#sd-title", "Stored XSS in profile bio");
    await f.check("#sd-kind-cwe-79");
    await f.click("#sd-next");
    await f.fill("#sd-affected-0", "https://app.example.com/profile");
    await shot("2-where");
    await f.click("#sd-next");
    await f.fill("#sd-steps", "1. Log in\n2. Put <img src=x onerror=alert(1)> in the bio\n3. Open the profile");
    await shot("3-reproduce");
    await f.click("#sd-next");
    await f.fill("#sd-impact", "Session theft of anyone who views the profile.");
    await f.fill("#sd-cvss", "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N");
    await shot("4-impact");
    await f.click("#sd-next");
    await f.setInputFiles("#sd-files", [{ name: "poc.html", mimeType: "text/html", buffer: Buffer.from("<img src=x onerror=alert(1)>") }]);
    await f.waitForSelector(".sd-files li code.sd-file-digest");
    await shot("5-evidence");
    await f.click("#sd-next");
    await f.fill("#sd-reporter-handle", "ada_sec");
    await f.check("#sd-credit-handle");
    await shot("6-about");
    await f.click("#sd-next");
    await f.check("#sd-policy");
    await shot("7-review");
    await f.click("#sd-send");
    await f.waitForSelector("#sd-receipt", { timeout: 30000 });
    await f.waitForSelector("#sd-followup-key");
    await shot("8-receipt");
    // The conversation: the team answers with a status, the researcher opens it with the key.
    const receipt = (await f.textContent("#sd-receipt")).trim();
    sealdrop(["inbox", "reply", receipt, "-i", h.key, "--data-dir", h.data, "--status", "triaged",
      "--expected", "2026-12-01", "-m", "Thanks! We reproduced the stored XSS and are working on a fix. Could you tell us which browser you tested with?"]);
    await f.click("#sd-open-thread");
    await f.waitForSelector("#sd-thread-status", { timeout: 20000 });
    await f.fill("#sd-reply-text", "Chromium 131 and Firefox 133, both affected.");
    await shot("9-thread");
    await context.close();
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await h.stop();
}
