import path from "node:path";
import { remote } from "webdriverio";
const APP = process.env.RECON_APP_BIN;
const WEBDRIVER_URL = new URL(process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444");
const browser = await remote({ hostname: WEBDRIVER_URL.hostname, port: Number(WEBDRIVER_URL.port || 4444), logLevel: "error", capabilities: { "tauri:options": { application: path.resolve(APP) }, "wdio:enforceWebDriverClassic": true } });
function stats(r) { const g = [...r].sort((a, b) => a - b); return `${g.length} frames, median ${g[Math.floor(g.length / 2)].toFixed(0)} ms, p95 ${g[Math.floor(g.length * 0.95)].toFixed(0)} ms, dropped ${g.filter((x) => x > 25).length}`; }
try {
  await (await browser.$('[data-testid="signin-profile-clara"]')).waitForDisplayed({ timeout: 60000 });
  const info = await browser.execute(() => `${innerWidth}x${innerHeight} dpr ${devicePixelRatio}`);
  console.log("viewport", info);
  const rowsHtml = (n) => { const rows = []; for (let i = 0; i < n; i++) rows.push(`<div style="display:flex;height:26px;align-items:center;border-bottom:1px solid #eee">${Array.from({ length: 11 }, (_, c) => `<span style="width:${c === 9 ? 200 : 80}px;overflow:hidden;white-space:nowrap;padding:0 6px">${c === 0 ? "bank" : "GL-" + (i * 11 + c)} ${c === 9 ? "Acme Systems AG invoice 100210" : ""}</span>`).join("")}</div>`); return rows.join(""); };
  const html = rowsHtml(3000);
  for (const [label, mode, px] of [["div 1000x700", "div", 40], ["document", "doc", 40], ["document", "doc", 120], ["document + fixed bar", "docfixed", 40], ["div 1000x700 again", "div", 40]]) {
    const r = await browser.executeAsync((mode, px, html, done) => {
      document.getElementById("floor")?.remove();
      const box = document.createElement("div");
      box.id = "floor";
      if (mode === "div") {
        box.style.cssText = `position:fixed;left:20px;top:60px;width:1000px;height:700px;overflow:auto;background:#fff;color:#222;font:13px system-ui;z-index:9999`;
      } else {
        document.getElementById("root").style.display = "none";
        document.documentElement.style.overflow = "auto"; document.body.style.overflow = "visible"; document.body.style.height = "auto";
        box.style.cssText = `background:#fff;color:#222;font:13px system-ui;`;
      }
      box.innerHTML = html;
      document.body.appendChild(box);
      if (mode === "docfixed") { const bar = document.createElement("div"); bar.id = "bar"; bar.style.cssText = "position:fixed;left:0;top:0;right:0;height:40px;background:#246;color:#fff"; bar.textContent = "top bar"; document.body.appendChild(bar); }
      const scroller = mode === "div" ? box : document.scrollingElement;
      setTimeout(() => {
        const gaps = []; let last = performance.now(); const end = last + 2000;
        const step = (now) => { gaps.push(now - last); last = now; scroller.scrollTop += px; if (now < end) requestAnimationFrame(step); else { const y = scroller.scrollTop; document.getElementById("bar")?.remove(); box.remove(); document.getElementById("root").style.display = ""; document.scrollingElement.scrollTop = 0; done({ gaps: gaps.slice(1), y }); } };
        requestAnimationFrame(step);
      }, 500);
    }, mode, px, html);
    console.log(`${label} at ${px}px/frame: ${stats(r.gaps)} (scrolled to ${r.y})`);
  }
} catch (e) { console.error(`FAILED: ${e?.stack ?? e}`); process.exitCode = 1; }
finally { await browser.deleteSession().catch(() => {}); }
