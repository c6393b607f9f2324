#!/usr/bin/env node
// Serves ui/dist over HTTP with the app's strict CSP header, for the browser dry run
// (dry-run.sh). Usage: node serve-dist.mjs [dir] [port]
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, "..", "..", "ui", "dist"));
const port = Number(process.argv[3] ?? 4173);
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };

if (!fs.existsSync(path.join(root, "index.html"))) {
  console.error(`serve-dist: ${root}/index.html not found: run "npm run build" in ui/ first`);
  process.exit(1);
}
http
  .createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (p === "/") p = "/index.html";
    const file = path.join(root, p);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { "content-security-policy": CSP });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "content-security-policy": CSP });
    fs.createReadStream(file).pipe(res);
  })
  .listen(port, "127.0.0.1", () => console.log(`serve-dist: http://127.0.0.1:${port}/ (${root})`));
