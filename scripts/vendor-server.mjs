// The demo vendor's web server: static files from a directory, on another origin than the
// widget, with the widget's recipient filled into the inline page. Usage:
//   node scripts/vendor-server.mjs DIR PORT RECIPIENT WIDGET_ORIGIN
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const [dir, port, recipient, widgetOrigin] = process.argv.slice(2);
const vendorOrigin = `http://127.0.0.1:${port}`;
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript" };
createServer(async (req, res) => {
  const path = normalize(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
  if (path.includes("..")) { res.writeHead(400).end(); return; }
  try {
    let body = await readFile(join(dir, path));
    if (path.endsWith(".html")) body = Buffer.from(body.toString("utf8").replaceAll("__RECIPIENT__", recipient).replaceAll("__WIDGET_ORIGIN__", widgetOrigin).replaceAll("__VENDOR_ORIGIN__", vendorOrigin));
    res.writeHead(200, { "Content-Type": types[extname(path)] || "application/octet-stream", "Cache-Control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  }
}).listen(Number(port), "127.0.0.1");
