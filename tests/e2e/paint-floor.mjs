// What a scrolled frame costs in this webview for plain HTML rows, without any grid library, and
// what decides that cost. In the real app (release build, same window), a fixed box of W x H px
// is scrolled for 2 s by 40 or 120 px a frame, holding 11 text cells a row like the grid's, in
// three layouts:
//   all rows:   3,000 rows, all in the DOM (what session 5 measured as "the floor");
//   contained:  the same 3,000 rows, each `contain: strict` (its layout and paint its own);
//   pooled:     only the rows in view, a pool of nodes moved and refilled on every scroll event
//               (what the exception grid, ui/src/components/QueueGrid.tsx, does).
// Frame intervals from requestAnimationFrame, a frame over 25 ms counting as dropped. Run by
// scripts/bench-app.sh; prints a Markdown table. Exits non-zero only when the harness fails.
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
  const cases = [
    ["all rows", 1000, 700, 40, false],
    ["all rows", 1000, 700, 120, false],
    ["all rows", 1000, 350, 40, false],
    ["pooled", 1000, 700, 40, false],
    ["all rows", 1000, 700, 40, true],
    ["all rows", 1000, 700, 120, true],
    ["contained", 1000, 700, 40, true],
    ["pooled", 1000, 700, 40, true],
    ["pooled", 1000, 700, 120, true],
    ["pooled", 1000, 700, 1500, true],
  ];
  for (const [layout, w, h, px, hideApp] of cases) {
    const r = await browser.executeAsync((layout, w, h, px, hideApp, done) => {
      document.getElementById("floor")?.remove();
      document.getElementById("root").style.visibility = hideApp ? "hidden" : "";
      const box = document.createElement("div");
      box.id = "floor";
      box.style.cssText = `position:fixed;left:20px;top:60px;width:${w}px;height:${h}px;overflow:auto;background:#fff;color:#222;font:13px system-ui;z-index:9999`;
      const N = 3000;
      const RH = 27;
      const contain = layout === "contained" ? `contain:strict;width:${w}px;` : "";
      const cells = (i) => Array.from({ length: 11 }, (_, c) => `<span style="flex:none;width:${c === 9 ? 200 : 80}px;overflow:hidden;white-space:nowrap;padding:0 6px;box-sizing:border-box">${c === 0 ? "bank" : "GL-" + (i * 11 + c)} ${c === 9 ? "Acme Systems AG invoice 100210" : ""}</span>`).join("");
      let onScroll = null;
      if (layout === "pooled") {
        const sizer = document.createElement("div");
        sizer.style.cssText = `position:relative;height:${N * RH}px`;
        box.appendChild(sizer);
        const pool = [];
        onScroll = () => {
          const first = Math.floor(box.scrollTop / RH);
          const last = Math.min(N - 1, Math.floor((box.scrollTop + h - 1) / RH));
          while (pool.length < last - first + 1) {
            const row = document.createElement("div");
            row.style.cssText = `position:absolute;left:0;top:0;width:${w}px;height:${RH}px;display:flex;align-items:center;border-bottom:1px solid #eee;contain:strict`;
            row.innerHTML = cells(0);
            sizer.appendChild(row);
            pool.push(row);
          }
          pool.forEach((row, k) => {
            const i = first + k;
            row.style.display = i <= last ? "flex" : "none";
            if (i > last || row._i === i) return;
            row._i = i;
            row.style.transform = `translateY(${i * RH}px)`;
            for (let c = 0; c < 11; c++) row.children[c].textContent = `${c === 0 ? "bank" : "GL-" + (i * 11 + c)} ${c === 9 ? "Acme Systems AG invoice 100210" : ""}`;
          });
        };
        box.addEventListener("scroll", onScroll);
      } else {
        const rows = [];
        for (let i = 0; i < N; i++) rows.push(`<div style="display:flex;height:${RH - 1}px;align-items:center;border-bottom:1px solid #eee;${contain}">${cells(i)}</div>`);
        box.innerHTML = rows.join("");
      }
      document.body.appendChild(box);
      onScroll?.();
      setTimeout(() => {
        const gaps = []; let last = performance.now(); const end = last + 2000;
        const step = (now) => { gaps.push(now - last); last = now; box.scrollTop += px; if (now < end) requestAnimationFrame(step); else done(gaps.slice(1)); };
        requestAnimationFrame(step);
      }, 500);
    }, layout, w, h, px, hideApp);
    const g = [...r].sort((a, b) => a - b);
    console.log(`| ${layout}, ${hideApp ? "nothing under the box" : "over the sign-in screen"}: ${w} x ${h} px box at ${px} px/frame | ${g.length} | ${g[Math.floor(g.length / 2)].toFixed(0)} ms | ${g[Math.floor(g.length * 0.95)].toFixed(0)} ms | ${g.filter((x) => x > 25).length} |`);
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
