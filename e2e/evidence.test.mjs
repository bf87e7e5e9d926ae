// 11. Evidence without its metadata: a JPEG and a PNG carrying a GPS position, a camera serial
//     and an author lose them before sealing (img-parts, a module loaded only when an image is
//     attached), their pixels byte for byte; the researcher may send an original instead. In
//     iframe and inline mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, vendorPage, sealdrop, readFileSync, join } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";
import { crc32 } from "node:zlib";

const GPS = Buffer.from("GPS 48.8584N 2.2945E");
const SERIAL = Buffer.from("SERIAL-CAM-0042");
const AUTHOR = Buffer.from("AUTHOR-Ada-Lovelace");

const segment = (marker, body) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]), body]);
const SCAN = Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56, 0x78, 0x9a]);
const jpeg = Buffer.concat([
  Buffer.from([0xff, 0xd8]),
  segment(0xe0, Buffer.from("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "latin1")),
  segment(0xe1, Buffer.concat([Buffer.from("Exif\0\0II*\0", "latin1"), GPS, SERIAL])),
  segment(0xfe, Buffer.concat([Buffer.from("edited by "), AUTHOR])),
  segment(0xdb, Buffer.alloc(65)),
  segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
  segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
  SCAN, Buffer.from([0xff, 0xd9]),
]);
const chunk = (kind, body) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(body.length);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(kind), body])) >>> 0);
  return Buffer.concat([len, Buffer.from(kind), body, crc]);
};
const png = Buffer.concat([
  Buffer.from("\x89PNG\r\n\x1a\n", "latin1"),
  chunk("IHDR", Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])),
  chunk("tEXt", Buffer.concat([Buffer.from("Author\0"), AUTHOR])),
  chunk("IDAT", Buffer.from("789c636000000002000 1".replace(/ /g, ""), "hex")),
  chunk("IEND", Buffer.alloc(0)),
]);
const has = (b, needle) => b.indexOf(needle) >= 0;

for (const mode of ["iframe", "inline"]) {
  test(`${mode} mode: images lose their location, camera and author before sealing; an original may be kept`, async () => {
    const h = await start({
      pages: ({ widget, recipient }) => ({
        "/": [mode === "inline"
          ? vendorPage(widget, { attrs: `data-mode="inline" data-recipients="${recipient}" data-endpoint="/v1/reports"` })
          : vendorPage(widget)],
        "/policy": ["<p>policy</p>"],
      }),
    });
    try {
      const page = await h.browser.newPage();
      const requests = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(h.vendor + "/");
      const f = mode === "inline" ? page : await frameOf(page);
      if (mode === "inline") await page.waitForSelector("#sd-title", { timeout: 20000 });
      const scrub = () => requests.filter((u) => /\/scrub-[0-9a-f]+(\.js|_bg\.wasm)$/.test(u)).length;
      await fillReport(f, page, {
        title: `Photo evidence (${mode})`, kind: "CWE-200", url: "https://app.example.com/", steps: "1. Look", prereq: "",
        impact: "Leaks.", cvss: "", name: "", handle: "", email: "",
        hook: async (step) => {
          if (step === "kind") assert.equal(scrub(), 0, "no scrub module before an image is attached");
          if (step !== "evidence") return;
          await f.setInputFiles("#sd-files", [
            { name: "photo.jpg", mimeType: "image/jpeg", buffer: jpeg },
            { name: "diagram.png", mimeType: "image/png", buffer: png },
          ]);
          await f.waitForFunction(() => {
            const root = document.querySelector(".sealdrop-embed")?.shadowRoot ?? document;
            return root.querySelectorAll(".sd-files li code.sd-file-digest").length === 2;
          }, null, { timeout: 30000 });
          const notes = await f.$$eval(".sd-file-scrub", (e) => e.map((x) => x.textContent));
          assert.deepEqual(notes, ["metadata removed (location, camera, author)", "metadata removed (location, camera, author)"]);
          assert.equal(scrub(), 2, "the scrub's glue and wasm, once");
          // The diagram goes as it is: the researcher's choice, said in the list.
          const swaps = await f.$$(".sd-file-swap");
          await swaps[1].focus();
          await page.keyboard.press("Enter");
          await f.waitForFunction(() => {
            const root = document.querySelector(".sealdrop-embed")?.shadowRoot ?? document;
            const items = root.querySelectorAll(".sd-files li");
            return items[1].textContent.includes("sent as is, with its metadata") && items[1].querySelector("code.sd-file-digest");
          }, null, { timeout: 30000 });
        },
      });
      await send(f, page);
      await f.waitForSelector("#sd-receipt", { timeout: 30000 });
      const receipt = (await f.textContent("#sd-receipt")).trim();
      const out = join(h.dir, "opened");
      sealdrop(["inbox", "open", receipt, "-i", h.key, "--data-dir", h.data, "--out", out]);
      const photo = readFileSync(join(out, "attachments/photo.jpg"));
      for (const s of [GPS, SERIAL, AUTHOR]) assert.ok(!has(photo, s), `${s} arrived`);
      assert.deepEqual(photo.subarray(photo.indexOf(Buffer.from([0xff, 0xdb]))), jpeg.subarray(jpeg.indexOf(Buffer.from([0xff, 0xdb]))),
        "the pixels (tables, frame, scan) byte for byte");
      assert.ok(has(photo, Buffer.from("JFIF")));
      assert.deepEqual(readFileSync(join(out, "attachments/diagram.png")), png, "the original, as chosen");
      const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      assert.deepEqual(json.attachments.map((a) => a.size), [photo.length, png.length]);
    } finally {
      await h.stop();
    }
  });
}
