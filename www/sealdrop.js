/*! sealdrop loader: embeds the vulnerability report form with one script tag.
 *
 *   <script src="https://reports.example.com/sealdrop.js" async></script>
 *
 * iframe mode (default): a sandboxed iframe of the form page from this script's own origin,
 * configured by that origin's sealdrop.json; the host page can neither read keystrokes nor swap
 * the key. inline mode (data-mode="inline"): the same app in a shadow root of the host page,
 * configured by data-* attributes. No dependencies, no third-party requests. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) {
    console.error("sealdrop: load sealdrop.js with a <script src=…> tag; it cannot find its own origin otherwise.");
    return;
  }
  var base = new URL("./", script.src);
  var ds = script.dataset;
  var mode = ds.mode || "iframe";

  var host = document.createElement("div");
  host.className = "sealdrop-embed";
  var target = null;
  if (ds.target) {
    try { target = document.querySelector(ds.target); } catch (e) { target = null; }
  }
  if (target) target.appendChild(host);
  else if (script.parentNode && script.parentNode !== document.head) script.parentNode.insertBefore(host, script.nextSibling);
  else document.body.appendChild(host);

  function fail(message) {
    console.error("sealdrop: " + message);
    var box = document.createElement("p");
    box.setAttribute("role", "alert");
    box.style.cssText = "border:2px solid #b42318;color:#b42318;padding:.75rem;font:16px/1.4 system-ui,sans-serif";
    box.textContent = "This report form is misconfigured and cannot send reports safely. " + message;
    host.insertBefore(box, host.firstChild);
    return box;
  }
  if (ds.target && !target) {
    fail("data-target \"" + ds.target + "\" matches no element on this page: use a CSS selector of an existing element, like #report-form.");
    return;
  }

  /* data-policy-url -> policy-url, as the widget's settings are named. */
  function attributes() {
    var out = {};
    Object.keys(ds).forEach(function (k) {
      out[k.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); })] = ds[k];
    });
    return out;
  }

  function iframe() {
    // The frame is sandboxed with allow-same-origin so the form can reach its own origin; on
    // the host page's own origin that would give the host page full access to the form.
    if (base.origin === location.origin) {
      fail("iframe mode needs the form on another origin than this page (" + location.origin + "): serve sealdrop.js from a " +
        "second origin such as https://reports." + location.hostname.replace(/^www\./, "") + ", or use data-mode=\"inline\".");
      return;
    }
    var url = new URL("index.html", base);
    var q = url.searchParams;
    q.set("parent", location.origin);
    ["lang", "theme", "recipients"].forEach(function (k) { if (ds[k]) q.set(k, ds[k]); });
    var css = getComputedStyle(host);
    [["brand", "--sealdrop-brand"], ["font", "--sealdrop-font"], ["radius", "--sealdrop-radius"]].forEach(function (p) {
      var v = css.getPropertyValue(p[1]).trim();
      if (v) q.set(p[0], v);
    });
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = "Vulnerability report form";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox");
    frame.setAttribute("allow", "clipboard-write");
    frame.setAttribute("referrerpolicy", "no-referrer");
    // !important inline styles win over any host stylesheet, hostile ones included.
    function set(prop, value) { frame.style.setProperty(prop, value, "important"); }
    var look = { display: "block", width: "100%", "min-width": "0", "max-width": "100%", height: "640px", border: "0", margin: "0",
      padding: "0", background: "transparent", "color-scheme": "normal", opacity: "1", filter: "none", transform: "none", visibility: "visible" };
    Object.keys(look).forEach(function (k) { set(k, look[k]); });
    // The form page says hello as soon as its first script runs. A frame that stays silent
    // was refused (this origin is not in the receiver's --allow-origin, so the browser shows
    // its grey blocked-frame icon) or has not loaded: say so, with what to do, above it. The
    // frame stays, so a form that was only slow (a poor connection) appears and the message goes.
    var heard = false, warning = null;
    var silence = setTimeout(function () {
      if (heard) return;
      warning = fail("the form at " + base.origin + " did not load in this page. If this page's origin (" + location.origin +
        ") is not allowed to embed the form, start the receiver with --allow-origin " + location.origin +
        "; otherwise check that " + base.origin + " is up.");
    }, 8000);
    window.addEventListener("message", function (e) {
      if (e.origin !== base.origin || e.source !== frame.contentWindow) return;
      heard = true;
      clearTimeout(silence);
      if (warning) { warning.remove(); warning = null; }
      var d = e.data;
      if (d && d.type === "sealdrop:height" && typeof d.height === "number" && isFinite(d.height)) {
        set("height", Math.min(Math.max(Math.ceil(d.height), 200), 20000) + "px");
      }
    });
    host.appendChild(frame);
  }

  function inline() {
    var shadow = host.attachShadow({ mode: "open" });
    var root = document.createElement("div");
    var page = new URL("index.html", base);
    fetch(page.href, { credentials: "omit" })
      .then(function (r) {
        if (!r.ok) throw new Error("the form page " + page.href + " answered " + r.status);
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var js = doc.querySelector('link[rel="modulepreload"]');
        var wasm = doc.querySelector('link[rel="preload"][as="fetch"][href$=".wasm"]');
        var css = doc.querySelector('link[rel="stylesheet"]');
        var sealer = doc.querySelector('meta[name="sealdrop-sealer"]');
        var thread = doc.querySelector('meta[name="sealdrop-thread"]');
        var scorer = doc.querySelector('meta[name="sealdrop-scorer"]');
        var scrub = doc.querySelector('meta[name="sealdrop-scrub"]');
        var urls = function (m) {
          return m ? [new URL(m.getAttribute("content"), page).href, new URL(m.getAttribute("data-wasm"), page).href] : undefined;
        };
        if (!js || !wasm) throw new Error("the form page " + page.href + " is not a sealdrop build");
        if (css) {
          var link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = new URL(css.getAttribute("href"), page).href;
          shadow.appendChild(link);
        }
        shadow.appendChild(root);
        return import(new URL(js.getAttribute("href"), page).href).then(function (mod) {
          return mod.default({ module_or_path: new URL(wasm.getAttribute("href"), page).href }).then(function () {
            mod.mount_inline(root, attributes(), base.href, urls(sealer), urls(thread), urls(scorer), urls(scrub));
          });
        });
      })
      .catch(function (e) {
        fail("the form could not load (" + e.message + "). In inline mode the page's Content-Security-Policy must allow " +
          base.origin + " in script-src and connect-src, 'wasm-unsafe-eval', and blob: in worker-src.");
      });
  }

  if (mode === "iframe") iframe();
  else if (mode === "inline") inline();
  else fail("data-mode=\"" + mode + "\" is not a mode: use iframe (the default) or inline.");
})();
