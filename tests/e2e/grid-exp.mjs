import path from "node:path";
import { remote } from "webdriverio";
const APP = process.env.RECON_APP_BIN;
const WEBDRIVER_URL = new URL(process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444");
const sel = (id) => `[data-testid="${id}"]`;
const browser = await remote({ hostname: WEBDRIVER_URL.hostname, port: Number(WEBDRIVER_URL.port || 4444), logLevel: "error", capabilities: { "tauri:options": { application: path.resolve(APP) }, "wdio:enforceWebDriverClassic": true } });
function stats(r) { const g = [...r].sort((a, b) => a - b); return `${g.length} fr, median ${g[Math.floor(g.length / 2)].toFixed(0)} ms, p95 ${g[Math.floor(g.length * 0.95)].toFixed(0)} ms, dropped ${g.filter((x) => x > 25).length}`; }
async function click(id) { const e = await browser.$(sel(id)); await e.waitForClickable({ timeout: 60000 }); await e.click(); }
const VARIANTS = JSON.parse(process.env.VARIANTS ?? '[["baseline", ""]]');
try {
  await click("signin-profile-clara"); await click("signin-submit");
  await (await browser.$(sel("screen-workspaces"))).waitForDisplayed({ timeout: 60000 });
  await (await browser.$('[data-testid^="workspace-open-"]')).click();
  await browser.pause(1500);
  await click("nav-exceptions");
  await browser.waitUntil(async () => (await (await browser.$(sel("exceptions-count"))).getAttribute("data-loading")) === "false", { timeout: 60000 });
  const info = await browser.execute(() => { const r = document.querySelector('[data-testid="exceptions-grid"] .ag-row'); return `rows ${document.querySelectorAll('[data-testid="exceptions-grid"] .ag-row').length}, nodes/row ${r ? r.querySelectorAll("*").length : 0}, grid ${document.querySelector('[data-testid="exceptions-grid"]').getBoundingClientRect().width}x${document.querySelector('[data-testid="exceptions-grid"]').getBoundingClientRect().height}`; });
  console.log(info);
  for (const [label, css] of VARIANTS) {
    for (const px of [40, 120, 1500]) {
      const r = await browser.executeAsync((css, px, done) => {
        let st = document.getElementById("expcss"); if (!st) { st = document.createElement("style"); st.id = "expcss"; document.head.appendChild(st); }
        st.textContent = css;
        let vp = null;
        for (const el of document.querySelectorAll('[data-testid="exceptions-grid"] *')) if (el.scrollHeight > el.clientHeight + 1000 && (!vp || el.scrollHeight > vp.scrollHeight)) vp = el;
        vp.scrollTop = 0;
        setTimeout(() => {
          const gaps = []; let last = performance.now(); const end = last + 2000; let blank = 0;
          const step = (now) => { gaps.push(now - last); last = now; if (document.querySelector('[data-testid="exceptions-grid"] .row-loading')) blank++; vp.scrollTop += px; if (now < end) requestAnimationFrame(step); else done({ gaps: gaps.slice(1), blank }); };
          requestAnimationFrame(step);
        }, 1000);
      }, css, px);
      console.log(`${label} @${px}: ${stats(r.gaps)}, blank frames ${r.blank}`);
    }
  }
} catch (e) { console.error(`FAILED: ${e?.stack ?? e}`); process.exitCode = 1; }
finally { await browser.deleteSession().catch(() => {}); }
