// What a scrolled frame costs in this webview for plain HTML rows, without any grid library:
// the floor under the exception grid's scrolling figures (tests/e2e/bench.mjs). In the real app
// (release build, same window), a fixed box of W x H px holds 3,000 fully rendered rows of 11 text
// cells, like the grid's, and is scrolled for 2 s by 40 or 120 px a frame; frame intervals from
// requestAnimationFrame, a frame over 25 ms counting as dropped. Run by scripts/bench-app.sh;
// prints a Markdown table. Exits non-zero only when the harness fails.
import path from "node:path";
import { remote } from "webdriverio";

const APP = process.env.RECON_APP_BIN;
const WEBDRIVER_URL = new URL(process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444");
const browser = await remote({ hostname: WEBDRIVER_URL.hostname, port: Number(WEBDRIVER_URL.port || 4444), logLevel: "error", capabilities: { "tauri:options": { application: path.resolve(APP) }, "wdio:enforceWebDriverClassic": true } });
let code = 0;
try {
  await (await browser.$('[data-testid="signin-profile-clara"]')).waitForDisplayed({ timeout: 60000 });
  console.log("| plain HTML rows (no grid), scrolled 2 s | frames | median interval | p95 interval | dropped (> 25 ms) |");
  console.log("|---|---|---|---|---|");
  for (const [w, h, px] of [[1000, 700, 40], [1000, 700, 120], [1000, 350, 40], [500, 350, 40]]) {
    const r = await browser.executeAsync((w, h, px, done) => {
      document.getElementById("floor")?.remove();
      const box = document.createElement("div");
      box.id = "floor";
      box.style.cssText = `position:fixed;left:20px;top:60px;width:${w}px;height:${h}px;overflow:auto;background:#fff;color:#222;font:13px system-ui;z-index:9999`;
      const rows = [];
      for (let i = 0; i < 3000; i++) {
        rows.push(`<div style="display:flex;height:26px;align-items:center;border-bottom:1px solid #eee">${Array.from({ length: 11 }, (_, c) => `<span style="width:${c === 9 ? 200 : 80}px;overflow:hidden;white-space:nowrap;padding:0 6px">${c === 0 ? "bank" : "GL-" + (i * 11 + c)} ${c === 9 ? "Acme Systems AG invoice 100210" : ""}</span>`).join("")}</div>`);
      }
      box.innerHTML = rows.join("");
      document.body.appendChild(box);
      setTimeout(() => {
        const gaps = []; let last = performance.now(); const end = last + 2000;
        const step = (now) => { gaps.push(now - last); last = now; box.scrollTop += px; if (now < end) requestAnimationFrame(step); else done(gaps.slice(1)); };
        requestAnimationFrame(step);
      }, 500);
    }, w, h, px);
    const g = [...r].sort((a, b) => a - b);
    console.log(`| ${w} x ${h} px box at ${px} px/frame | ${g.length} | ${g[Math.floor(g.length / 2)].toFixed(0)} ms | ${g[Math.floor(g.length * 0.95)].toFixed(0)} ms | ${g.filter((x) => x > 25).length} |`);
  }
  const idle = await browser.executeAsync((done) => { document.getElementById("floor")?.remove(); const gaps = []; let last = performance.now(); const end = last + 1000; const step = (now) => { gaps.push(now - last); last = now; if (now < end) requestAnimationFrame(step); else done(gaps.slice(1)); }; requestAnimationFrame(step); });
  const g = [...idle].sort((a, b) => a - b);
  console.log(`| nothing to paint (1 s) | ${g.length} | ${g[Math.floor(g.length / 2)].toFixed(0)} ms | ${g[Math.floor(g.length * 0.95)].toFixed(0)} ms | ${g.filter((x) => x > 25).length} |`);
} catch (e) {
  console.error(`FAILED: ${e?.stack ?? e}`);
  code = 1;
} finally {
  await browser.deleteSession().catch(() => {});
}
process.exit(code);
