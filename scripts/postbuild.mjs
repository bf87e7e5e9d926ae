// After `trunk build`: makes dist/ smaller and CSP-strict.
// 1. Minifies the wasm-bindgen JS glue and the loader with esbuild (Trunk's own JS minifier
//    fails on the glue), updating the glue's sha384 integrity in index.html.
// 2. Moves Trunk's inline boot <script type="module"> into a hashed file, so the form page
//    runs under a CSP without 'unsafe-inline' (script-src 'self').
// 3. Writes a brotli (.br) and a gzip (.gz) copy next to every page, script, style and wasm
//    file: `sealdrop serve` sends the one the browser accepts (nginx's gzip_static and
//    brotli_static do the same), so a researcher downloads ~197 KB rather than ~597 KB.
import { readFileSync, writeFileSync, readdirSync, unlinkSync, existsSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { transformSync } from "esbuild";

const dist = process.argv[2] || "dist";
const page = `${dist}/index.html`;
let html = readFileSync(page, "utf8");
const sri = (code) => "sha384-" + createHash("sha384").update(code).digest("base64");

// 0. wasm-bindgen's inline JS snippets (dist/snippets/<crate-hash>/inlineN.js) move to the top
//    level as snippet-<hash>.js, the glue's imports renamed to match: the receiver serves
//    plain top-level names only, and a content-hashed name is cached for a year.
for (const f of readdirSync(dist)) if (/^snippet-[0-9a-f]+\.js(\.br|\.gz)?$/.test(f)) unlinkSync(`${dist}/${f}`);
if (existsSync(`${dist}/snippets`)) {
  const renames = [];
  const glues = readdirSync(dist).filter((f) => /^(sealdrop-widget-[0-9a-f]+|thread|scorer|scrub)\.js$/.test(f))
    .map((f) => readFileSync(`${dist}/${f}`, "utf8"));
  for (const d of readdirSync(`${dist}/snippets`)) {
    for (const f of readdirSync(`${dist}/snippets/${d}`)) {
      if (!f.endsWith(".js")) continue;
      const path = `./snippets/${d}/${f}`;
      // A module's wasm-bindgen also emits the snippets of crates it links but does not call
      // (the on-demand modules link the form's crate): only what some glue imports is kept.
      if (!glues.some((g) => g.includes(`'${path}'`) || g.includes(`"${path}"`))) {
        html = html.replace(new RegExp(`<link[^>]*${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}[^>]*>`), "");
        continue;
      }
      const code = readFileSync(`${dist}/snippets/${d}/${f}`);
      const flat = `snippet-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
      writeFileSync(`${dist}/${flat}`, code);
      renames.push([path, `./${flat}`]);
    }
  }
  for (const f of readdirSync(dist)) {
    if (!/^(sealdrop-widget-[0-9a-f]+|thread|scorer|scrub)\.js$/.test(f)) continue;
    let glue = readFileSync(`${dist}/${f}`, "utf8");
    // Only the import statements: the same string is also the name the wasm imports under.
    for (const [from, to] of renames) glue = glue.split(`from '${from}'`).join(`from '${to}'`).split(`from "${from}"`).join(`from "${to}"`);
    writeFileSync(`${dist}/${f}`, glue);
  }
  for (const [from, to] of renames) html = html.split(from).join(to);
  rmSync(`${dist}/snippets`, { recursive: true });
}

for (const f of readdirSync(dist)) {
  if (/^sealdrop-widget-[0-9a-f]+\.js$/.test(f)) {
    const before = readFileSync(`${dist}/${f}`, "utf8");
    if (before.length > 30000 || before.includes("\n\n")) {
      const code = transformSync(before, { minify: true, format: "esm", target: "es2020" }).code;
      writeFileSync(`${dist}/${f}`, code);
      html = html.replace(new RegExp(`(href=["']?\\./${f}["']?[^>]*?integrity=["']?)[^"' >]+`), `$1${sri(code)}`);
      html = html.replace(new RegExp(`(integrity=["']?)[^"' >]+(["']?[^>]*?href=["']?\\./${f})`), `$1${sri(code)}$2`);
    }
  }
  if (/^form-[0-9a-f]+\.css$/.test(f)) {
    const code = transformSync(readFileSync(`${dist}/${f}`, "utf8"), { minify: true, loader: "css" }).code;
    writeFileSync(`${dist}/${f}`, code);
    html = html.replace(new RegExp(`(href=["']?\\./${f}["']?[^>]*?integrity=["']?)[^"' >]+`), `$1${sri(code)}`);
    html = html.replace(new RegExp(`(integrity=["']?)[^"' >]+(["']?[^>]*?href=["']?\\./${f})`), `$1${sri(code)}$2`);
  }
  if (f === "sealdrop.js") {
    const src = readFileSync(`${dist}/${f}`, "utf8");
    const code = transformSync(src, { minify: true, target: "es2017", legalComments: "inline" }).code;
    writeFileSync(`${dist}/${f}`, code);
  }
}

// 4. The sealing worker (docs/sealer.md): a module worker whose bootstrap imports the form's
//    own glue and instantiates the same wasm (from the browser's cache), then calls its
//    `sealer_worker` export. The bootstrap is named by its hash, and the page names it and
//    the wasm in <meta name="sealdrop-sealer">, where the form (and in inline mode the
//    loader) finds them.
{
  for (const f of readdirSync(dist)) if (/^sealer-[0-9a-f]+\.js$/.test(f)) unlinkSync(`${dist}/${f}`);
  const glue = readdirSync(dist).find((f) => /^sealdrop-widget-[0-9a-f]+\.js$/.test(f));
  const wasm = readdirSync(dist).find((f) => /^sealdrop-widget-[0-9a-f]+_bg\.wasm$/.test(f));
  if (!glue || !wasm) {
    console.error(`postbuild: no sealdrop-widget glue or wasm in ${dist}`);
    process.exit(1);
  }
  const boot = `import init, { sealer_worker } from "./${glue}";
self.onmessage = (e) => {
  const d = e.data;
  if (d && d.op === "init") {
    self.onmessage = null;
    init({ module_or_path: d.wasm }).then(() => sealer_worker(), () => self.postMessage({ op: "failed" }));
  }
};`;
  const code = transformSync(boot, { minify: true, format: "esm", target: "es2020" }).code;
  const name = `sealer-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
  writeFileSync(`${dist}/${name}`, code);
  html = html.replace(/<meta name=["']?sealdrop-sealer["']?[^>]*>/, "");
  html = html.replace("</title>", `</title><meta name="sealdrop-sealer" content="./${name}" data-wasm="./${wasm}">`);
}

// 5. The modules the form imports on demand (scripts/build.sh puts each in dist/ as NAME.js and
//    NAME_bg.wasm): the conversation view (crates/thread), the CVSS scorer (crates/scorer) and
//    the image metadata scrub (crates/scrub).
//    Each glue is minified, both files are named by their hash, and the page names them in
//    <meta name="sealdrop-NAME">, where the form (and in inline mode the loader) finds them.
for (const name of ["thread", "scorer", "scrub"]) {
  const oldHashed = (f) => new RegExp(`^${name}-[0-9a-f]+(\\.js|_bg\\.wasm)$`).test(f);
  if (existsSync(`${dist}/${name}.js`) && existsSync(`${dist}/${name}_bg.wasm`)) {
    for (const f of readdirSync(dist)) if (oldHashed(f)) unlinkSync(`${dist}/${f}`);
    const wasmBytes = readFileSync(`${dist}/${name}_bg.wasm`);
    const tag = createHash("sha256").update(wasmBytes).update(readFileSync(`${dist}/${name}.js`)).digest("hex").slice(0, 16);
    const wasmName = `${name}-${tag}_bg.wasm`;
    writeFileSync(`${dist}/${wasmName}`, wasmBytes);
    unlinkSync(`${dist}/${name}_bg.wasm`);
    const glue = transformSync(readFileSync(`${dist}/${name}.js`, "utf8"), { minify: true, format: "esm", target: "es2020" }).code;
    writeFileSync(`${dist}/${name}-${tag}.js`, glue);
    unlinkSync(`${dist}/${name}.js`);
    html = html.replace(new RegExp(`<meta name=["']?sealdrop-${name}["']?[^>]*>`), "");
    html = html.replace("</title>", `</title><meta name="sealdrop-${name}" content="./${name}-${tag}.js" data-wasm="./${wasmName}">`);
  } else if (!readdirSync(dist).some(oldHashed)) {
    console.error(`postbuild: no ${name} module in ${dist} (scripts/build.sh builds it)`);
    process.exit(1);
  }
}

// 6. The language catalogues (www/i18n/CODE.json) beside the page as lang-CODE.json, minified:
//    the form fetches only the one chosen (English is compiled in; its file is here for tools).
{
  for (const f of readdirSync(dist)) if (/^lang-.*\.json(\.br|\.gz)?$/.test(f)) unlinkSync(`${dist}/${f}`);
  for (const f of readdirSync("www/i18n")) {
    if (!f.endsWith(".json")) continue;
    const text = JSON.stringify(JSON.parse(readFileSync(`www/i18n/${f}`, "utf8")));
    writeFileSync(`${dist}/lang-${f}`, text);
  }
}

const re = /<script type=["']?module["']?>([\s\S]*?)<\/script>/;
const m = html.match(re);
if (m) {
  for (const f of readdirSync(dist)) if (/^boot-[0-9a-f]+\.js$/.test(f)) unlinkSync(`${dist}/${f}`);
  // Paths in the boot script are relative to the page; as a module file they resolve alike.
  // First, before the wasm loads: tell the embedding page (iframe mode) the form is here, so
  // the loader can tell a refused frame from a slow one.
  const hello = `try { const p = new URLSearchParams(location.search).get("parent");
    if (p && window.parent !== window) window.parent.postMessage({ type: "sealdrop:hello" }, p); } catch (e) {}\n`;
  const code = transformSync(hello + m[1], { minify: true, format: "esm", target: "es2022" }).code;
  const name = `boot-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
  writeFileSync(`${dist}/${name}`, code);
  html = html.replace(re, `<script type="module" src="./${name}" integrity="${sri(code)}" crossorigin="anonymous"></script>`);
} else if (!/src="\.\/boot-/.test(html)) {
  console.error(`postbuild: no boot script found in ${page}`);
  process.exit(1);
}
// The page itself: comments and the whitespace between tags go.
html = html.replace(/<!--[\s\S]*?-->/g, "").replace(/>\s+</g, "><").trim() + "\n";
writeFileSync(page, html);

for (const f of readdirSync(dist)) {
  const copy = f.match(/^(.*)\.(br|gz)$/);
  if (copy) {
    if (!existsSync(`${dist}/${copy[1]}`)) unlinkSync(`${dist}/${f}`);
    continue;
  }
  if (!/\.(html|js|css|wasm|json)$/.test(f)) continue;
  const bytes = readFileSync(`${dist}/${f}`);
  writeFileSync(`${dist}/${f}.br`, brotliCompressSync(bytes, { params: {
    [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
  writeFileSync(`${dist}/${f}.gz`, gzipSync(bytes, { level: 9 }));
}
