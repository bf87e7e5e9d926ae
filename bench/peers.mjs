// Bundles the peers with esbuild for the browser (minified): typage (npm age-encryption) and
// OpenPGP.js, for the size table and the in-browser throughput comparison.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
const out = process.argv[2] || "bench/out";
mkdirSync(out, { recursive: true });
writeFileSync(`${out}/typage-entry.mjs`, 'export * from "age-encryption";\n');
writeFileSync(`${out}/openpgp-entry.mjs`, 'export * from "openpgp";\n');
for (const name of ["typage", "openpgp"]) {
  await build({ entryPoints: [`${out}/${name}-entry.mjs`], bundle: true, minify: true, format: "esm", platform: "browser",
    outfile: `${out}/${name}.min.js`, logLevel: "error", nodePaths: ["node_modules"] });
}
