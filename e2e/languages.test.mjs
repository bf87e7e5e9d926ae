// 10. Languages, and the organization's own questions. The whole journey in Arabic (iframe
//     mode, right to left) and in Japanese (inline mode), axe at 375 px, one step of each
//     screenshot into docs/screenshots/; only the chosen catalogue is downloaded; the switcher
//     keeps what was typed; report.md is in the organization's language (report_lang) and
//     report.json is language-neutral; the vendor's questions are asked, checked and answered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { start, vendorPage, sealdrop, readFileSync, join, ROOT } from "./harness.mjs";
import { frameOf, fillReport, send } from "./form.mjs";

const catalogue = (code) => JSON.parse(readFileSync(join(ROOT, "www/i18n", `${code}.json`), "utf8"));

async function axe(page, label) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `axe on ${label}`);
}

/** The form's root: the iframe's document, or the embed's shadow root in inline mode. */
const inForm = (f, fn, arg) => f.evaluate(([src, a]) => {
  const root = document.querySelector(".sealdrop-embed")?.shadowRoot ?? document;
  return new Function("root", "a", src)(root, a);
}, [fn, arg]);

function opened(h, receipt) {
  const out = join(h.dir, `opened-${receipt}`);
  sealdrop(["inbox", "open", receipt, "-i", h.key, "--data-dir", h.data, "--out", out]);
  return { md: readFileSync(join(out, "report.md"), "utf8"), json: JSON.parse(readFileSync(join(out, "report.json"), "utf8")) };
}

for (const [code, mode, steps] of [["ar", "iframe", "١. افتح صفحة الملف\n٢. أدخل <script>"], ["ja", "inline", "1. プロフィールを開く\n2. <script> を入力"]]) {
  test(`${code} (${mode} mode): the whole journey, right to left where it should be, axe at 375 px`, async () => {
    const h = await start({
      pages: ({ widget, recipient }) => ({
        "/": [vendorPage(widget, { attrs: mode === "inline"
          ? `data-mode="inline" data-recipients="${recipient}" data-endpoint="/v1/reports" data-lang="${code}"`
          : `data-lang="${code}"` })],
        "/policy": ["<p>policy</p>"],
      }),
    });
    try {
      const t = catalogue(code);
      const context = await h.browser.newContext({ viewport: { width: 375, height: 900 }, deviceScaleFactor: 1 });
      const requests = [];
      context.on("request", (r) => requests.push(r.url()));
      const page = await context.newPage();
      await page.goto(h.vendor + "/");
      const f = mode === "inline" ? page : await frameOf(page);
      if (mode === "inline") await page.waitForSelector("#sd-title", { timeout: 20000 });
      const rtl = code === "ar";
      // In the catalogue's language, marked for screen readers, laid out in its direction.
      assert.equal((await f.textContent(".sd-app h1")).trim(), t.title);
      assert.equal(await f.getAttribute(".sd-app", "lang"), code);
      assert.equal(await f.getAttribute(".sd-app", "dir"), rtl ? "rtl" : "ltr");
      if (mode === "iframe") {
        assert.deepEqual(await f.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), [code, "rtl"]);
      }
      const [first, last] = await inForm(f, `const s = [...root.querySelectorAll(".sd-step")].map((e) => e.getBoundingClientRect().left);
        return [s[0], s[s.length - 1]];`);
      assert.ok(rtl ? first > last : first < last, `step indicator runs ${rtl ? "right to left" : "left to right"}: ${first}, ${last}`);
      // Only the chosen catalogue: English is compiled in, no other language is fetched.
      const catalogues = requests.filter((u) => /\/lang-[^/]+\.json$/.test(u)).map((u) => u.split("/").pop());
      assert.deepEqual(catalogues, [`lang-${code}.json`]);
      // The CVSS scorer is a module of its own, fetched once a vector is typed, not before.
      const scorer = () => requests.filter((u) => /\/scorer-[0-9a-f]+(\.js|_bg\.wasm)$/.test(u)).length;
      assert.equal(scorer(), 0, "no scorer before a vector is typed");
      await axe(page, `${code} kind @375`);
      // The core's problems, said from the catalogue.
      await f.click("#sd-next");
      await f.waitForSelector(".sd-summary");
      assert.ok((await f.textContent(".sd-summary")).includes(t.do_title));
      assert.ok((await f.textContent("#sd-title-error")).includes(t.problem_required));
      await axe(page, `${code} kind errors @375`);
      await (mode === "inline" ? page.locator(".sealdrop-embed") : page.locator("iframe"))
        .screenshot({ path: join(ROOT, "docs/screenshots", `lang-${code}-kind-errors-mobile.png`) });
      // The default kinds in the catalogue's words; the filter finds one by its English name too.
      assert.equal((await f.textContent('label[for="sd-kind-cwe-79"]')).trim(), `${t.kinds[0]}CWE-79`);
      // Each id stands after its name in the reading direction, on one line, even after a name
      // ending in Latin letters ("حقن SQL"), which without an isolate runs into the id.
      const misplaced = await inForm(f, `return [...root.querySelectorAll(".sd-kind-list label")].flatMap((l) => {
          const id = l.querySelector(".sd-cwe");
          if (!id) return [];
          const r = document.createRange();
          r.setStart(l, 0); r.setEndBefore(id);
          const box = id.getBoundingClientRect();
          // The name's pieces (one per line and per direction run); those on the id's line.
          const pieces = [...r.getClientRects()].filter((b) => b.width > 0);
          const line = pieces.filter((b) => b.top < box.bottom && b.bottom > box.top);
          // After the name on its last line, or (no room left there) alone on the line below.
          const after = line.length > 0
            ? (a.rtl ? box.right <= Math.min(...line.map((b) => b.left)) + 1 : box.left >= Math.max(...line.map((b) => b.right)) - 1)
            : box.top >= Math.max(...pieces.map((b) => b.bottom)) - 1;
          return after && id.getClientRects().length === 1 ? [] : [l.textContent];
        });`, { rtl });
      assert.deepEqual(misplaced, []);
      await f.fill("#sd-kind-search", "sql");
      assert.deepEqual(await inForm(f, `return [...root.querySelectorAll(".sd-kind-list label")].map((l) => l.textContent);`),
        [`${t.kinds[1]}CWE-89`, t.kind_other]);
      await f.fill("#sd-kind-search", "");
      await fillReport(f, page, {
        title: `${t.title} (XSS)`, kind: "CWE-79", url: "https://app.example.com/profile", steps, prereq: "",
        impact: `${t.impact_hint} — XSS`, cvss: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", name: "", handle: "", email: "",
        hook: async (step) => {
          // What is always written left to right stays so on a right-to-left form (a URL typed
          // into an rtl input shows as "app.example.com/profile//:https" until complete);
          // free text keeps the form's direction.
          const dir = (sel) => inForm(f, `return getComputedStyle(root.querySelector(a)).direction;`, sel);
          if (step === "where") {
            assert.equal(await dir("#sd-affected-0"), "ltr", "a URL typed in the where step");
            return;
          }
          if (step !== "impact") return;
          assert.deepEqual([await dir("#sd-cvss"), await dir("#sd-impact")], ["ltr", rtl ? "rtl" : "ltr"]);
          // The live score from the scorer module, its rating in the researcher's language.
          await f.waitForSelector("#sd-cvss-status");
          assert.ok((await f.textContent("#sd-cvss-status")).includes(t.rating_medium));
          assert.equal(scorer(), 2, "the scorer's glue and wasm, once");
          // The calculator shows the typed vector and changes it by keyboard; the score follows.
          await f.click("#sd-cvss-calc summary");
          assert.equal(await f.isChecked("#sd-cvss-s-c"), true);
          await axe(page, `${code} CVSS calculator @375`);
          await f.focus("#sd-cvss-c-h");
          await page.keyboard.press("Space");
          assert.equal(await f.inputValue("#sd-cvss"), "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N");
          await f.waitForFunction(([high, inline]) => {
            const root = inline ? document.querySelector(".sealdrop-embed").shadowRoot : document;
            return root.querySelector("#sd-cvss-status").textContent.includes(`7.6 (${high})`) ||
              root.querySelector("#sd-cvss-status").textContent.includes(high);
          }, [t.rating_high, mode === "inline"]);
          assert.ok((await f.textContent("#sd-cvss-status")).includes("7.6"));
          // Back and Next mirror with the text direction.
          const [back, next] = await inForm(f, `return ["#sd-back", "#sd-next"].map((s) => root.querySelector(s).getBoundingClientRect().left);`);
          assert.ok(rtl ? back > next : back < next, `Back is on the ${rtl ? "right" : "left"}`);
        },
      });
      await axe(page, `${code} review @375`);
      // Each reviewed value in its own direction: the vector (wrapped at 375 px) left to right,
      // the researcher's Arabic steps right to left.
      assert.deepEqual(await inForm(f, `return [...root.querySelectorAll(".sd-review dd bdi")]
          .filter((b) => b.textContent.startsWith("CVSS:") || b.textContent.startsWith("https:") || b.textContent === a)
          .map((b) => [b.textContent.slice(0, 6), getComputedStyle(b).direction]);`, steps),
        [["https:", "ltr"], [steps.slice(0, 6), rtl ? "rtl" : "ltr"], ["CVSS:3", "ltr"]]);
      assert.equal((await f.textContent("#sd-send")).trim(), t.send);
      await send(f, page);
      await f.waitForSelector("#sd-receipt", { timeout: 30000 });
      assert.ok((await f.textContent("#sd-outcome")).includes(t.delivered));
      await axe(page, `${code} receipt @375`);
      const { md, json } = opened(h, (await f.textContent("#sd-receipt")).trim());
      // The security team reads English (the default report_lang); what was typed is kept.
      assert.ok(md.includes("\n## Steps to reproduce\n\n" + steps), md);
      assert.ok(md.includes("\n- Anonymous; no contact details given.\n"), md);
      assert.equal(json.steps, steps);
      // The kind is the core's own name for it, whatever language the researcher read it in.
      assert.deepEqual(json.type, { id: "CWE-79", name: "Cross-site scripting (XSS)" });
      assert.ok(md.includes("Cross-site scripting (XSS) (CWE-79)"), md);
      // report.json holds no sentence of the researcher's catalogue.
      const text = JSON.stringify(json);
      for (const k of ["credit_anonymous", "rating_high", "none_given"]) assert.ok(!text.includes(t[k]), k);
      assert.deepEqual([json.severity.vector, json.severity.score, json.severity.rating],
        ["CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:N", 7.6, "high"]);
    } finally {
      await h.stop();
    }
  });
}

test("the switcher keeps what was typed; report.md in the organization's language; the vendor's questions", async () => {
  const questions = [
    { id: "app_version", label: { en: "Which app version?", de: "Welche App-Version?" }, hint: "Settings → About", kind: "text", required: true, step: "kind" },
    { id: "unauthenticated", label: { en: "Is this exploitable without authentication?", de: "Ohne Anmeldung ausnutzbar?" },
      kind: "choice", choices: [{ en: "Yes", de: "Ja", fr: "Oui" }, { en: "No", de: "Nein", fr: "Non" }], required: true, step: "impact" },
    { id: "poc_url", label: "Proof-of-concept URL", kind: "url", step: "impact" },
  ];
  const qfile = join(ROOT, "target", "e2e-questions.json");
  writeFileSync(qfile, JSON.stringify(questions));
  assert.match(sealdrop(["check-config", qfile]), /is valid: 3 question\(s\)/);
  const h = await start({
    pages: ({ widget }) => ({ "/": [vendorPage(widget)], "/policy": ["<p>policy</p>"] }),
    serveArgs: ["--report-lang", "fr", "--questions", qfile],
  });
  try {
    const de = catalogue("de");
    const context = await h.browser.newContext();
    const requests = [];
    context.on("request", (r) => requests.push(r.url()));
    const page = await context.newPage();
    await page.goto(h.vendor + "/");
    const f = await frameOf(page);
    // The browser says English: the form starts in English, and fetches French for report.md.
    assert.equal((await f.textContent(".sd-app h1")).trim(), catalogue("en").title);
    await f.fill("#sd-title", "Typed before switching");
    await f.selectOption("#sd-lang", "de");
    await f.waitForFunction((title) => document.querySelector(".sd-app h1").textContent === title, de.title);
    assert.equal(await f.inputValue("#sd-title"), "Typed before switching");
    assert.ok((await f.textContent("label[for=sd-answers-0]")).startsWith("Welche App-Version?"));
    // A required question is checked like a built-in field.
    await f.check("#sd-kind-cwe-79");
    await f.click("#sd-next");
    await f.waitForSelector("#sd-answers-0-error");
    assert.equal((await f.textContent("#sd-answers-0-error")).trim(), de.problem_required);
    assert.ok((await f.textContent(".sd-summary")).includes("Welche App-Version?"));
    await f.fill("#sd-answers-0", "4.2.1 (build 77)");
    await f.click("#sd-next");
    await f.fill("#sd-affected-0", "https://app.example.com/profile");
    await f.click("#sd-next");
    await f.fill("#sd-steps", "1. Open the profile");
    await f.click("#sd-next");
    await f.fill("#sd-impact", "Session theft.");
    await f.fill("#sd-answers-2", "ftp://poc.example.com/x");
    await f.click("#sd-next");
    await f.waitForSelector("#sd-answers-1-error");
    assert.equal((await f.textContent("#sd-answers-2-error")).trim(), de.problem_not_a_url);
    await f.fill("#sd-answers-2", "https://poc.example.com/x");
    await f.check("#sd-answers-1-0");
    await f.click("#sd-next"); // evidence
    await f.click("#sd-next"); // about
    await f.click("#sd-next"); // review
    await f.waitForSelector("#sd-send");
    assert.ok((await f.textContent(".sd-review")).includes("Ja"), "the review shows the answer in the researcher's language");
    await f.check("#sd-policy");
    await f.click("#sd-send");
    await f.waitForSelector("#sd-receipt", { timeout: 30000 });
    const catalogues = requests.filter((u) => /\/lang-[^/]+\.json$/.test(u)).map((u) => u.split("/").pop()).sort();
    assert.deepEqual(catalogues, ["lang-de.json", "lang-fr.json"], "the chosen language and the organization's, nothing else");
    const { md, json } = opened(h, (await f.textContent("#sd-receipt")).trim());
    assert.deepEqual(json.answers, [
      { id: "app_version", question: "Which app version?", answer: "4.2.1 (build 77)" },
      { id: "unauthenticated", question: "Is this exploitable without authentication?", answer: "Oui" },
      { id: "poc_url", question: "Proof-of-concept URL", answer: "https://poc.example.com/x" },
    ]);
    const fr = catalogue("fr");
    assert.ok(md.includes(`\n## ${fr.md_steps}\n\n1. Open the profile`), md);
    assert.ok(md.includes(`\n## ${fr.md_answers}\n\n- Which app version?: 4.2.1 (build 77)\n`), md);
    assert.ok(md.includes("- Is this exploitable without authentication?: Oui\n"), md);
    // The kind in the organization's language in report.md, by its CWE id and English name in report.json.
    assert.ok(md.includes(`: ${fr.kinds[0]} (CWE-79)\n`), md);
    assert.deepEqual(json.type, { id: "CWE-79", name: "Cross-site scripting (XSS)" });
  } finally {
    await h.stop();
  }
});

test("inline mode: questions from the URL of a JSON file, and a file that cannot be had disables the form with its reason", async () => {
  const file = JSON.stringify([{ id: "build", label: { en: "Which build?", ja: "どのビルドですか？" }, kind: "text", required: true, step: "kind" }]);
  const h = await start({
    pages: ({ widget, recipient, vendor }) => ({
      "/": [vendorPage(widget, { attrs: `data-mode="inline" data-recipients="${recipient}" data-endpoint="/v1/reports" data-lang="ja" data-questions="${vendor}/questions.json"` })],
      "/questions.json": [file, { "Content-Type": "application/json" }],
      "/broken": [vendorPage(widget, { attrs: `data-mode="inline" data-recipients="${recipient}" data-endpoint="/v1/reports" data-questions="${vendor}/missing.json"` })],
    }),
  });
  try {
    const page = await h.browser.newPage();
    await page.goto(h.vendor + "/");
    await page.waitForSelector("#sd-title", { timeout: 20000 });
    assert.ok((await page.textContent("label[for=sd-answers-0]")).startsWith("どのビルドですか？"));
    const broken = await h.browser.newPage();
    await broken.goto(h.vendor + "/broken");
    await broken.waitForSelector(".sd-config-error, [role=alert]", { timeout: 20000 });
    assert.equal(await broken.$("#sd-title"), null, "no form with broken questions");
    assert.match(await broken.textContent(".sd-config-error"), /missing\.json could not be loaded \(answered 404\)/);
  } finally {
    await h.stop();
  }
});
