// Drives the form the way a keyboard user does: focus a control, type, Space/Enter.
export async function frameOf(page) {
  const handle = await page.waitForSelector("iframe", { timeout: 20000 });
  const frame = await handle.contentFrame();
  await frame.waitForSelector("#sd-title", { timeout: 20000 });
  return frame;
}

async function typeInto(frame, page, sel, text) {
  await frame.focus(sel);
  await page.keyboard.press("Control+A");
  await page.keyboard.type(text, { delay: 0 });
}

/** Fills every step of a report; `r` holds the texts. Ends on the review step. */
export async function fillReport(frame, page, r) {
  await typeInto(frame, page, "#sd-title", r.title);
  await frame.focus(`#sd-kind-${r.kind.toLowerCase()}`);
  await page.keyboard.press("Space");
  await r.hook?.("kind"); // e.g. the organization's questions of the step
  await frame.focus(`#sd-kind-${r.kind.toLowerCase()}`);
  await page.keyboard.press("Enter"); // submits the step: Next
  await frame.waitForSelector("#sd-affected-0");
  await typeInto(frame, page, "#sd-affected-0", r.url);
  await r.hook?.("where");
  await frame.focus("#sd-affected-0");
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#sd-steps");
  await typeInto(frame, page, "#sd-steps", r.steps);
  await typeInto(frame, page, "#sd-prerequisites", r.prereq);
  await frame.focus("#sd-prerequisites");
  await page.keyboard.press("Tab"); // to Back
  await page.keyboard.press("Tab"); // to Next
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#sd-impact");
  await typeInto(frame, page, "#sd-impact", r.impact);
  await typeInto(frame, page, "#sd-cvss", r.cvss);
  await r.hook?.("impact");
  await frame.focus("#sd-cvss");
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#sd-files");
  if (r.files?.length) {
    await frame.setInputFiles("#sd-files", r.files);
    // Each file is listed with its digest once the sealing worker has read it.
    // (In inline mode the form is in the embed's shadow root.)
    await frame.waitForFunction((n) => {
      const root = document.querySelector(".sealdrop-embed")?.shadowRoot ?? document;
      return root.querySelectorAll(".sd-files li code.sd-file-digest").length === n;
    }, r.files.length, { timeout: 30000 });
  }
  // Files dropped onto the evidence step's box, and screenshots pasted into it, as a person
  // drags from a file manager or presses Ctrl+V: real DragEvent and ClipboardEvent objects.
  const given = [...(r.drop ?? []).map((f) => ({ ...f, how: "drop" })), ...(r.paste ?? []).map((f) => ({ ...f, how: "paste" }))];
  if (given.length) {
    const before = (r.files ?? []).length;
    const taken = await frame.evaluate((files) => {
      const root = document.querySelector(".sealdrop-embed")?.shadowRoot ?? document;
      const zone = root.querySelector("#sd-drop");
      return files.map((f) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
        const e = f.how === "drop"
          ? new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true })
          : new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true });
        zone.dispatchEvent(e);
        return e.defaultPrevented;
      });
    }, given.map((f) => ({ name: f.name, mimeType: f.mimeType, bytes: [...f.buffer], how: f.how })));
    if (taken.some((t) => !t)) throw new Error(`the form left a dropped or pasted file to the browser: ${taken}`);
    await frame.waitForFunction((n) => {
      const root = document.querySelector(".sealdrop-embed")?.shadowRoot ?? document;
      return root.querySelectorAll(".sd-files li code.sd-file-digest").length === n;
    }, before + given.length, { timeout: 30000 });
  }
  await r.hook?.("evidence");
  await frame.focus("#sd-next");
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#sd-reporter-name");
  await typeInto(frame, page, "#sd-reporter-name", r.name);
  await typeInto(frame, page, "#sd-reporter-handle", r.handle);
  await typeInto(frame, page, "#sd-reporter-email", r.email);
  await frame.focus(r.handle ? "#sd-credit-handle" : "#sd-credit-anonymous");
  await page.keyboard.press("Space");
  await frame.focus("#sd-next");
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#sd-send");
  if (await frame.$("#sd-policy")) {
    await frame.focus("#sd-policy");
    await page.keyboard.press("Space");
  }
}

export async function send(frame, page) {
  await frame.focus("#sd-send");
  await page.keyboard.press("Enter");
}
